package watch

import (
	"testing"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/state"
)

// TestRetentionRuleKnowsTheTouch: config's retention minimum is worked
// out from how often the stores refresh a listed key's seen time; config
// imports nothing, so it keeps its own copy, and this holds it to the
// stores' (pgstate uses state's).
func TestRetentionRuleKnowsTheTouch(t *testing.T) {
	if config.TouchEvery != state.TouchEvery {
		t.Fatalf("config assumes a listed key is refreshed every %s, the stores refresh it every %s", config.TouchEvery, state.TouchEvery)
	}
}
