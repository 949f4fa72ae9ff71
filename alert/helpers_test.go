package alert

import (
	"context"
	"testing"
	"time"
)

// contextCancelledSoon returns a context its caller's test cancels while a
// Send is blocked on it.
func contextCancelledSoon(t *testing.T) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(t.Context())
	timer := time.AfterFunc(50*time.Millisecond, cancel)
	return ctx, func() { timer.Stop(); cancel() }
}
