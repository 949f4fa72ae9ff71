package watch_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watcher-news/watcher/state"
)

// newEnvTopics is newEnv with topicsYAML in place of the test topics.
func newEnvTopics(t *testing.T, cfgYAML, topicsYAML string) *env {
	t.Helper()
	dir := t.TempDir()
	return loadEnv(t, dir, "state: "+filepath.Join(dir, "watcher.db")+"\nfetch:\n  timeout: 5s\n"+cfgYAML+topicsYAML)
}

// The topic follows its story with the defaults (`follow: true`).
const followTopics = `
topics:
  - id: sputnik-detainees
    title: The Sputnik Azerbaijan detainees
    query: Kartavykh OR Картавых
    exclude: [Latvia OR Riga]
    follow: true
`

// TestFollowDeliversRelated: once a topic has matches in the archive, an
// item its query misses but that shares three of their significant names
// with one of them is delivered as related, marked and explained, by
// webhook and email; an item sharing one name is not, nor one the
// topic's excludes veto. Every new item is archived, matched or not.
func TestFollowDeliversRelated(t *testing.T) {
	s := newSite(t)
	hook := newReceiver(t)
	s.publish(story{ID: "old", Title: "Old news", Summary: "Read on the first run, silently.", Published: at("2025-06-30T10:00:00Z")})
	e := newEnvTopics(t, sources(feedSource("apa", s.url("/feed.xml")))+webhookAlert(hook.srv.URL), followTopics)
	e.mustCycle() // the baseline

	publishMatches(s)
	if sum := e.mustCycle(); sum.Matched != 2 || sum.Related != 0 {
		t.Fatalf("second run: %+v, want the 2 matches and nothing related", sum)
	}

	s.publish(
		story{ID: "r1", Title: "Editor of the agency remains in custody", Published: at("2025-07-02T08:00:00Z"),
			Summary: "The lawyer of Yevgeny Belousov, editor of Sputnik Azerbaijan, said his client remains in custody."},
		story{ID: "x1", Title: "New app released", Published: at("2025-07-02T08:10:00Z"),
			Summary: "The agency Sputnik released an app for Android phones."},
		story{ID: "v1", Title: "Journalist sentenced", Published: at("2025-07-02T08:20:00Z"),
			Summary: "In Riga, the journalist Yevgeny Belousov of Sputnik Latvia was sentenced."},
	)
	sum := e.mustCycle()
	if sum.New != 3 || sum.Matched != 1 || sum.Related != 1 {
		t.Errorf("third run: %+v, want 3 new, 1 delivered as related", sum)
	}
	ds := hook.digests()
	if len(ds) != 2 {
		t.Fatalf("%d webhook digests, want 2", len(ds))
	}
	last := ds[1]
	if got := last.titles(); !slices.Equal(got, []string{"sputnik-detainees: Editor of the agency remains in custody"}) {
		t.Fatalf("third digest: %q, want only the related item", got)
	}
	rel := last.Topics[0].Items[0].Related
	if rel == nil {
		t.Fatal("related item without \"related\" in the webhook")
	}
	for _, term := range []string{"Belousov", "Yevgeny", "Sputnik"} {
		if !slices.Contains(rel.Terms, term) {
			t.Errorf("related terms %q lack %s", rel.Terms, term)
		}
	}
	if len(rel.Like) == 0 || !strings.Contains(rel.Like[0].Title, "Kartavykh") || rel.Like[0].URL == "" {
		t.Errorf("related item like %+v, want the earlier matches", rel.Like)
	}
	for _, it := range ds[0].Topics[0].Items {
		if it.Related != nil {
			t.Errorf("match %q carries \"related\"", it.Title)
		}
	}

	// Every item read after the baseline is in the archive, matched or not.
	var titles []string
	if err := e.store.ArchiveRange(time.Time{}, time.Time{}, func(a state.Archived) error {
		titles = append(titles, a.Title)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(titles) != 105 || slices.Contains(titles, "Old news") || !slices.Contains(titles, "New app released") {
		t.Errorf("archive holds %d items %q, want the 105 read after the baseline", len(titles), titles)
	}
}

// TestFollowRelatedByEmail: the mail marks the related item too.
func TestFollowRelatedByEmail(t *testing.T) {
	s := newSite(t)
	mb := newMailbox(t)
	e := newEnvTopics(t, sources(feedSource("apa", s.url("/feed.xml")))+"alerts:\n"+emailAlert(mb.addr), followTopics)
	e.mustCycle()
	publishMatches(s)
	e.mustCycle()
	s.publish(story{ID: "r1", Title: "Editor of the agency remains in custody", Published: at("2025-07-02T08:00:00Z"),
		Summary: "The lawyer of Yevgeny Belousov, editor of Sputnik Azerbaijan, said his client remains in custody."})
	e.mustCycle()
	msgs := mb.messages()
	if len(msgs) != 2 {
		t.Fatalf("%d mails, want 2", len(msgs))
	}
	if !strings.Contains(msgs[1].Text, "related: shares ") || !strings.Contains(msgs[1].HTML, "related: shares ") {
		t.Errorf("mail does not mark the related item:\n%s", msgs[1].Text)
	}
	if strings.Contains(msgs[0].Text, "related: ") {
		t.Error("mail of plain matches says related")
	}
}

// publishMatches publishes two matches of the topic and a hundred other
// items, the background against which their names are significant (a
// topic follows its story once the window holds 100 items).
func publishMatches(s *site) {
	s.publish(
		story{ID: "m1", Title: "Court in Baku extends arrest of Igor Kartavykh", Published: at("2025-07-01T08:00:00Z"),
			Summary: "The director of Sputnik Azerbaijan, Igor Kartavykh, and its editor Yevgeny Belousov stay in custody."},
		story{ID: "m2", Title: "Judge moves Kartavykh to house arrest", Published: at("2025-07-01T09:00:00Z"),
			Summary: "The court moved Igor Kartavykh to house arrest; the editor Yevgeny Belousov of Sputnik stays in jail."},
	)
	for i := range 100 {
		id := fmt.Sprintf("n%d", i)
		s.publish(story{ID: id, Title: "Weather report " + id, Summary: "Heat in Baku and rain in Ganja, says the ministry.", Published: at("2025-07-01T07:00:00Z")})
	}
}
