package watch_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watcher-news/watcher/alert/chattest"
	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/match"
	"github.com/watcher-news/watcher/watch"
)

// shippedTopics is the topics section of the shipped config.yaml.
func shippedTopics(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i, j := strings.Index(s, "\ntopics:"), strings.Index(s, "# TOPICS-END")
	if i < 0 || j < i {
		t.Fatal("no topics section in config.yaml")
	}
	return s[i+1 : j]
}

// corpusStories reads the shared corpus as stories a site publishes.
func corpusStories(t *testing.T) []story {
	t.Helper()
	data, err := os.ReadFile("../../shared/corpus/dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var out []story
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var c struct {
			ID, Title, Summary, Body string
			Published                time.Time
		}
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, story{ID: c.ID, Title: c.Title, Summary: c.Summary, Body: c.Body, Published: c.Published})
	}
	return out
}

// newEnvAt is newEnv with the whole configuration given (no test topics
// appended) and the clock at now.
func newEnvAt(t *testing.T, now time.Time, cfgYAML string) *env {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	body := "state: " + filepath.Join(dir, "watcher.db") + "\n" + cfgYAML
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, config.Options{ValidateQuery: match.ParseQuery})
	if err != nil {
		t.Fatalf("load config:\n%s\n%v", body, err)
	}
	e := &env{t: t, cfg: cfg, clock: &clock{now: now}}
	e.open()
	return e
}

// chatSinks are the five chat servers and their configuration.
type chatSinks struct {
	slack, discord, telegram, matrix, ntfy *chattest.Server
}

func startChatSinks(t *testing.T) chatSinks {
	return chatSinks{chattest.NewSlack(t), chattest.NewDiscord(t), chattest.NewTelegram(t), chattest.NewMatrix(t), chattest.NewNtfy(t)}
}

func (c chatSinks) all() []*chattest.Server {
	return []*chattest.Server{c.slack, c.discord, c.telegram, c.matrix, c.ntfy}
}

// yaml configures every chat sink; topics, when not empty, routes each.
func (c chatSinks) yaml(topics string) string {
	r := ""
	if topics != "" {
		r = "      topics: " + topics + "\n"
	}
	return fmt.Sprintf("  slack:\n    - url: %s\n%s", c.slack.HookURL(), r) +
		fmt.Sprintf("  discord:\n    - url: %s\n%s", c.discord.HookURL(), r) +
		fmt.Sprintf("  telegram:\n    - token: %q\n      chat: %q\n      api: %s\n%s", c.telegram.Token, c.telegram.Chat, c.telegram.URL(), r) +
		fmt.Sprintf("  matrix:\n    - homeserver: %s\n      room: %q\n      token: %s\n%s", c.matrix.URL(), c.matrix.Room, c.matrix.Token, r) +
		fmt.Sprintf("  ntfy:\n    - url: %s\n      token: %s\n%s", c.ntfy.HookURL(), c.ntfy.Token, r)
}

// articleRE finds a test site's article links in any rendering.
var articleRE = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+/article/[a-z0-9-]+`)

// links lists the article links of messages, in order; Matrix's are read
// from its plain body, which carries each once.
func links(msgs []chattest.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, articleRE.FindAllString(m.Text, -1)...)
	}
	return out
}

// TestChatSinksDeliverTheCorpus runs the watcher with the shipped topics
// over a site publishing the whole corpus, with a webhook and every chat
// sink. The chat services refuse at first (a rate limit with retry_after,
// a server error, a refusal midway through a split digest); an hour later
// every sink has every matched item exactly once: no part twice, the
// refused parts resent with the same content, and Matrix's with the same
// transaction id.
func TestChatSinksDeliverTheCorpus(t *testing.T) {
	site := newSite(t)
	hook := newReceiver(t)
	chat := startChatSinks(t)
	e := newEnvAt(t, time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC),
		sources(feedSource("outlet", site.url("/feed.xml")))+shippedTopics(t)+
			webhookAlert(hook.srv.URL)+chat.yaml(""))
	e.mustCycle() // the source's first read: nothing yet

	site.publish(corpusStories(t)...)
	chat.slack.RefuseNext(chattest.Refusal{Status: 429, RetryAfter: 30})
	chat.discord.RefuseNext(chattest.Refusal{Status: 503})
	chat.telegram.AcceptThenRefuse(1, chattest.Refusal{Status: 429, RetryAfter: 30})
	chat.matrix.RefuseNext(chattest.Refusal{Status: 429, RetryAfter: 30})
	chat.ntfy.AcceptThenRefuse(2, chattest.Refusal{Status: 502})
	sum, err := e.cycle()
	if err == nil || sum.SendFailed != 5 || sum.Sent != 1 {
		t.Fatalf("first delivery: %+v, err %v; want the webhook sent and 5 chat sinks failed", sum, err)
	}
	if sum := e.mustCycle(); sum.Sent != 5 {
		t.Fatalf("an hour later: %+v, want the 5 chat sinks delivered", sum)
	}
	digests := hook.digests()
	if len(digests) != 1 {
		t.Fatalf("%d webhook digests, want 1", len(digests))
	}
	var want []string
	for _, tp := range digests[0].Topics {
		for _, it := range tp.Items {
			want = append(want, it.URL)
		}
	}
	if len(want) < 30 {
		t.Fatalf("only %d matched items in the corpus digest: the test would prove little", len(want))
	}
	slices.Sort(want)
	for _, s := range chat.all() {
		msgs := s.Messages()
		got := links(msgs)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d links, want the webhook's %d, each once", s.Service, len(got), len(want))
		}
		checkParts(t, s.Service, msgs)
		t.Logf("%s: %d items in %d messages", s.Service, len(got), len(msgs))
		for _, r := range s.Refused() {
			if !slices.ContainsFunc(msgs, func(m chattest.Message) bool { return string(m.Body) == string(r.Body) && m.TxnID == r.TxnID }) {
				t.Errorf("%s: a refused message was not resent as it was:\n%s", s.Service, r.Body)
			}
		}
		if len(s.Refused()) != 1 {
			t.Errorf("%s: %d refused messages, want 1", s.Service, len(s.Refused()))
		}
	}
	if sum := e.mustCycle(); sum.Sent != 0 {
		t.Errorf("a third run sent again: %+v", sum)
	}
}

// checkParts checks a split digest's messages are parts 1 to n, each once.
func checkParts(t *testing.T, service string, msgs []chattest.Message) {
	t.Helper()
	n := len(msgs)
	if n == 1 {
		return
	}
	for i, m := range msgs {
		if want := fmt.Sprintf("part %d of %d", i+1, n); !strings.Contains(m.Text+m.Title, want) {
			t.Errorf("%s: message %d of %d is not %q", service, i+1, n, want)
		}
	}
}

// TestRoutingSendsEachDeskItsTopics configures two desks: a Slack channel
// for the Sputnik case and a Telegram group for the Yekaterinburg case,
// beside a webhook that takes everything. Each gets only its topic; a run
// with news of one topic only sends nothing to the other desk, and the
// digest is not kept waiting for it.
func TestRoutingSendsEachDeskItsTopics(t *testing.T) {
	site := newSite(t)
	hook := newReceiver(t)
	slack, tg := chattest.NewSlack(t), chattest.NewTelegram(t)
	e := newEnv(t, sources(feedSource("outlet", site.url("/feed.xml")))+webhookAlert(hook.srv.URL)+
		fmt.Sprintf("  slack:\n    - url: %s\n      name: media desk\n      topics: [sputnik-detainees]\n", slack.HookURL())+
		fmt.Sprintf("  telegram:\n    - token: %q\n      chat: %q\n      api: %s\n      topics: [yekaterinburg-case]\n", tg.Token, tg.Chat, tg.URL()))
	e.mustCycle()
	site.publish(
		story{ID: "s1", Title: "Kartavykh hearing adjourned", Summary: "In Baku.", Published: at("2025-07-01T08:00:00Z")},
		story{ID: "y1", Title: "Safarov brothers: autopsy results", Summary: "In Yekaterinburg.", Published: at("2025-07-01T08:10:00Z")},
		story{ID: "b1", Title: "Belousov and Safarov cases discussed", Summary: "Both.", Published: at("2025-07-01T08:20:00Z")},
	)
	if sum := e.mustCycle(); sum.Sent != 3 {
		t.Fatalf("second run: %+v, want 3 sinks sent", sum)
	}
	if got := links(slack.Messages()); !slices.Equal(sorted(got), []string{site.url("/article/b1"), site.url("/article/s1")}) {
		t.Errorf("media desk got %q, want the two Sputnik items", got)
	}
	if got := links(tg.Messages()); !slices.Equal(sorted(got), []string{site.url("/article/b1"), site.url("/article/y1")}) {
		t.Errorf("Telegram desk got %q, want the two Yekaterinburg items", got)
	}
	if m := slack.Messages()[0].Text; strings.Contains(m, "Yekaterinburg case") {
		t.Errorf("media desk's message names the other topic:\n%s", m)
	}
	if n := len(hook.digests()[0].titles()); n != 4 {
		t.Errorf("webhook got %d topic items, want all 4", n)
	}

	site.publish(story{ID: "s2", Title: "Kartavykh appeal filed", Summary: "In Baku.", Published: at("2025-07-01T10:00:00Z")})
	if sum := e.mustCycle(); sum.Sent != 2 {
		t.Fatalf("third run: %+v, want the webhook and the media desk only", sum)
	}
	if n := len(tg.Messages()); n != 1 {
		t.Errorf("Telegram desk got %d messages in all, want 1: nothing new for it", n)
	}
	pending, err := e.store.Pending()
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Errorf("%d digests still pending, want none: none waits for a desk it is not for", len(pending))
	}
	ds, err := e.store.Digests()
	if err != nil {
		t.Fatal(err)
	}
	last := ds[len(ds)-1]
	if _, ok := last.Sinks["telegram "+tg.Chat]; ok || len(last.Sinks) != 2 {
		t.Errorf("last digest is kept for %v, want the webhook and the media desk only", slices.Sorted(maps.Keys(last.Sinks)))
	}
}

// TestChatSinkRefusalParks: a bot token the service rejects is a refusal
// retrying cannot mend, so the digest is parked for that sink at once,
// kept in the state file, while another sink gets it.
func TestChatSinkRefusalParks(t *testing.T) {
	site := newSite(t)
	tg, mx := chattest.NewTelegram(t), chattest.NewMatrix(t)
	e := newEnv(t, sources(feedSource("outlet", site.url("/feed.xml")))+"alerts:\n"+
		fmt.Sprintf("  telegram:\n    - token: \"999:revoked\"\n      chat: %q\n      api: %s\n", tg.Chat, tg.URL())+
		fmt.Sprintf("  matrix:\n    - homeserver: %s\n      room: %q\n      token: %s\n", mx.URL(), mx.Room, mx.Token))
	e.mustCycle()
	site.publish(story{ID: "s1", Title: "Kartavykh hearing adjourned", Summary: "In Baku.", Published: at("2025-07-01T08:00:00Z")})
	sum, err := e.cycle()
	if err == nil || sum.Parked != 1 || sum.Sent != 1 {
		t.Fatalf("%+v, err %v; want telegram parked and matrix sent", sum, err)
	}
	if !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "revoked") {
		t.Errorf("error %v: want the 401, without the token", err)
	}
	parked, err := e.store.Parked()
	if err != nil || len(parked) != 1 || !parked[0].Sinks["telegram "+tg.Chat].Parked {
		t.Fatalf("parked digests %+v, err %v; want the one, parked for telegram", parked, err)
	}
	if sum := e.mustCycle(); sum.Sent+sum.SendFailed+sum.Parked != 0 {
		t.Errorf("next run tried again: %+v", sum)
	}
}

// TestRoutingChangeReleasesWaitingDigest: a digest waiting for a desk
// (its service was down) whose topics: are then changed so that nothing
// in it is for the desk any more is marked done for it, not sent empty
// and not kept waiting.
func TestRoutingChangeReleasesWaitingDigest(t *testing.T) {
	site := newSite(t)
	slack := chattest.NewSlack(t)
	desk := func(topic string) string {
		return sources(feedSource("outlet", site.url("/feed.xml"))) +
			fmt.Sprintf("alerts:\n  slack:\n    - url: %s\n      topics: [%s]\n", slack.HookURL(), topic)
	}
	e := newEnv(t, desk("sputnik-detainees"))
	e.mustCycle()
	site.publish(story{ID: "s1", Title: "Kartavykh hearing adjourned", Summary: "In Baku.", Published: at("2025-07-01T08:00:00Z")})
	slack.RefuseNext(chattest.Refusal{Status: 503})
	if _, err := e.cycle(); err == nil {
		t.Fatal("want the 503")
	}

	// The desk now follows the other case only; the watcher restarts.
	cfg, err := config.Parse([]byte("state: "+e.cfg.State+"\n"+desk("yekaterinburg-case")+testTopics), e.cfg.File, config.Options{ValidateQuery: match.ParseQuery})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	e.cfg = cfg
	e.open()
	if sum := e.mustCycle(); sum.Sent != 0 {
		t.Errorf("%+v: want nothing sent", sum)
	}
	if n := len(slack.Messages()); n != 0 {
		t.Errorf("desk got %d messages, want none", n)
	}
	if pending, err := e.store.Pending(); err != nil || len(pending) != 0 {
		t.Errorf("pending %d (err %v), want none", len(pending), err)
	}
}

// TestRoutingMatchForNoSink: when every sink has topics: and an item
// matches only a topic none of them takes, the cycle still saves (the
// item is seen, no digest waits for anyone) and sends nothing.
func TestRoutingMatchForNoSink(t *testing.T) {
	site := newSite(t)
	slack := chattest.NewSlack(t)
	e := newEnv(t, sources(feedSource("outlet", site.url("/feed.xml")))+
		fmt.Sprintf("alerts:\n  slack:\n    - url: %s\n      topics: [sputnik-detainees]\n", slack.HookURL()))
	e.mustCycle()
	site.publish(story{ID: "y1", Title: "Safarov brothers: autopsy results", Summary: "In Yekaterinburg.", Published: at("2025-07-01T08:10:00Z")})
	if sum := e.mustCycle(); sum.Matched != 1 || sum.Sent != 0 {
		t.Errorf("%+v: want 1 matched, nothing sent", sum)
	}
	if ds, err := e.store.Digests(); err != nil || len(ds) != 0 {
		t.Errorf("%d digests stored (err %v), want none", len(ds), err)
	}
	site.publish(story{ID: "s1", Title: "Kartavykh hearing adjourned", Summary: "In Baku.", Published: at("2025-07-01T09:00:00Z")})
	if sum := e.mustCycle(); sum.New != 1 || sum.Sent != 1 {
		t.Errorf("%+v: want only the new item, sent", sum)
	}
	if got := links(slack.Messages()); !slices.Equal(got, []string{site.url("/article/s1")}) {
		t.Errorf("desk got %q", got)
	}
}

// TestChatTokensNotLogged runs cycles with every chat sink, at debug
// level, some refusing (a rate limit, a server error, a wrong token), and
// checks no token reaches the log.
func TestChatTokensNotLogged(t *testing.T) {
	site := newSite(t)
	chat := startChatSinks(t)
	e := newEnv(t, sources(feedSource("outlet", site.url("/feed.xml")))+"alerts:\n"+
		strings.Replace(chat.yaml(""), chat.discord.Token, "wrong-discord-token", 1))
	var logs strings.Builder
	w, err := watch.New(e.cfg, e.store, watch.Options{
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    e.clock.Now, Stdout: &e.stdout,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.w = w
	e.mustCycle()
	site.publish(story{ID: "s1", Title: "Kartavykh hearing adjourned", Summary: "In Baku.", Published: at("2025-07-01T08:00:00Z")})
	chat.slack.RefuseNext(chattest.Refusal{Status: 429, RetryAfter: 30})
	chat.telegram.RefuseNext(chattest.Refusal{Status: 500})
	if _, err := e.cycle(); err == nil {
		t.Fatal("want the refusals reported")
	}
	e.mustCycle()
	out := logs.String()
	if !strings.Contains(out, "digest parked") || !strings.Contains(out, "will retry") {
		t.Fatalf("the log lacks the refusals, so the check below proves little:\n%s", out)
	}
	for _, s := range append(chat.all(), &chattest.Server{Token: "wrong-discord-token"}) {
		if strings.Contains(out, s.Token) {
			t.Errorf("the log shows the %s token:\n%s", s.Service, out)
		}
	}
}
