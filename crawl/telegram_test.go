package crawl

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// channelServer serves the baku_wire fixtures as t.me does: the newest
// posts at /s/baku_wire, older ones at ?before=, an ETag on the newest
// page, and an empty history past the oldest post. fail, when set, is the
// status of every ?before= page.
type channelServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
	fail     int
	// sameEverywhere makes every path and query answer the newest page,
	// as a static file server would.
	sameEverywhere bool
}

const emptyHistory = `<html><body><main class="tgme_main"><section class="tgme_channel_history js-message_history"></section></main></body></html>`

func newChannelServer(t *testing.T) *channelServer {
	t.Helper()
	cs := &channelServer{}
	newest, older := fixture(t, "telegram/baku_wire.html"), fixture(t, "telegram/baku_wire_before_4182.html")
	cs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.mu.Lock()
		cs.requests = append(cs.requests, r.URL.RequestURI())
		fail, same := cs.fail, cs.sameEverywhere
		cs.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch before := r.URL.Query().Get("before"); {
		case same:
			_, _ = w.Write(newest)
		case r.URL.Path != "/s/baku_wire":
			// What t.me shows for a channel without a preview.
			_, _ = w.Write([]byte(`<html><body><div class="tgme_page"><div class="tgme_page_title">Baku Wire</div>` +
				`<div class="tgme_page_description">If you have Telegram, you can contact this channel right away.</div></div></body></html>`))
		case before != "" && fail != 0:
			http.Error(w, "busy", fail)
		case before == "4182":
			_, _ = w.Write(older)
		case before != "":
			_, _ = w.Write([]byte(emptyHistory))
		case r.Header.Get("If-None-Match") == `"v1"`:
			w.WriteHeader(http.StatusNotModified)
		default:
			w.Header().Set("ETag", `"v1"`)
			_, _ = w.Write(newest)
		}
	}))
	t.Cleanup(cs.Close)
	return cs
}

func (cs *channelServer) seen() []string {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return append([]string(nil), cs.requests...)
}

func TestFetchTelegram(t *testing.T) {
	cs := newChannelServer(t)
	f := newFetcher(t, nil, cs.Server)
	src := Source{Name: "Baku Wire", Telegram: "baku_wire", Base: cs.URL, Lang: "en"}

	res := f.Fetch(context.Background(), src, Validators{}, nil)
	if res.Err != nil {
		t.Fatalf("Fetch: %v", res.Err)
	}
	// Every post is new to a nil known: the older page is read too, then
	// the empty one past it ends the paging.
	if got, want := strings.Join(cs.seen(), " "), "/s/baku_wire /s/baku_wire?before=4182 /s/baku_wire?before=4180"; got != want {
		t.Errorf("requests = %s, want %s", got, want)
	}
	if res.Validators.ETag != `"v1"` {
		t.Errorf("validators = %+v, want the newest page's ETag", res.Validators)
	}
	byID := map[string]int{}
	for i, it := range res.Items {
		byID[strings.TrimPrefix(it.GUID, "https://t.me/baku_wire/")] = i
		if it.Source != "Baku Wire" || it.Lang != "en" || it.DateGuessed {
			t.Errorf("item %s: source %q lang %q guessed %v", it.GUID, it.Source, it.Lang, it.DateGuessed)
		}
	}
	// 4182 is a service message; 4187 is the second photo of the album
	// 4186, not a post of its own on the page.
	for _, id := range []string{"4182", "4187"} {
		if _, ok := byID[id]; ok {
			t.Errorf("post %s should not be an item", id)
		}
	}
	if len(res.Items) != 11 || res.Items[0].GUID != "https://t.me/baku_wire/4192" || res.Items[10].GUID != "https://t.me/baku_wire/4180" {
		t.Fatalf("got %d items from %s to %s, want 11 from 4192 down to 4180", len(res.Items), res.Items[0].GUID, res.Items[len(res.Items)-1].GUID)
	}
	get := func(id string) (it struct{ Title, Summary, Body, URL string }) {
		i, ok := byID[id]
		if !ok {
			t.Fatalf("no item for post %s", id)
		}
		x := res.Items[i]
		it.Title, it.Summary, it.Body, it.URL = x.Title, x.Summary, x.Body, x.URL
		return it
	}
	tests := []struct {
		id, title, summary, body string
	}{
		{id: "4183",
			title: "⚡️An AZAL Embraer 190 flying from Baku to Grozny has crashed near Aktau, Kazakhstan's emergencies ministry says; there…",
			body: "⚡️An AZAL Embraer 190 flying from Baku to Grozny has crashed near Aktau, Kazakhstan's emergencies ministry says; there are survivors\n\n" +
				"Flight J2-8243 had diverted across the Caspian Sea after what the airline called a bird strike. Rescuers are at the scene.\n\n" +
				"Details: azal.az/en/news/statement\n#AZAL #Aktau"},
		{id: "4184", title: "Rescuers at the crash site near Aktau. The tail section bears holes that experts say look like shrapnel damage.",
			body: "Rescuers at the crash site near Aktau. The tail section bears holes that experts say look like shrapnel damage."},
		{id: "4185", title: "Police searched the Baku office of Sputnik Azerbaijan this morning.",
			summary: "Forwarded from Caspian Desk",
			body:    "Police searched the Baku office of Sputnik Azerbaijan this morning. Two staff members were detained, a source in the ministry told us.\nMoscow has summoned Azerbaijan's ambassador."},
		{id: "4186", title: "Album"},
		{id: "4188", title: "Video"},
		{id: "4189", title: "Update: the interior ministry confirms the detentions and says the office worked without accreditation.",
			body: "Update: the interior ministry confirms the detentions and says the office worked without accreditation. 📁 Ministry statement attached."},
		{id: "4190", title: "Poll: Will Baku and Moscow restore flights this summer?"},
		{id: "4191", title: "Post the web preview does not show (open it in Telegram)"},
		{id: "4192", title: "Heat warning for Absheron: up to +41°C on Tuesday. 🔥",
			summary: "meteo.az\nSeven-day forecast for Baku\nHot and dry, wind from the north.",
			body:    "Heat warning for Absheron: up to +41°C on Tuesday. 🔥\nmeteo.az/forecast"},
		{id: "4181", title: "AZAL adds two flights to Grozny for the holidays, the airline says.",
			body: "AZAL adds two flights to Grozny for the holidays, the airline says."},
	}
	for _, tc := range tests {
		got := get(tc.id)
		if got.Title != tc.title || got.Summary != tc.summary || got.Body != tc.body {
			t.Errorf("post %s:\n title %q\n  want %q\n summary %q\n    want %q\n body %q\n want %q", tc.id, got.Title, tc.title, got.Summary, tc.summary, got.Body, tc.body)
		}
		if want := "https://t.me/baku_wire/" + tc.id; got.URL != want {
			t.Errorf("post %s: URL %s, want %s", tc.id, got.URL, want)
		}
	}
	if want := time.Date(2024, 12, 25, 8, 55, 12, 0, time.UTC); !res.Items[byID["4183"]].Published.Equal(want) {
		t.Errorf("post 4183 published %s, want %s from <time datetime>", res.Items[byID["4183"]].Published, want)
	}
	if k1, k2 := res.Items[byID["4183"]].Key(), res.Items[byID["4184"]].Key(); k1 == k2 {
		t.Error("two posts share a key")
	}
}

// TestFetchTelegramKnown checks a channel whose newest page holds a post
// seen before costs one request, and that a 304 parses nothing.
func TestFetchTelegramKnown(t *testing.T) {
	cs := newChannelServer(t)
	f := newFetcher(t, nil, cs.Server)
	src := Source{Name: "Baku Wire", Telegram: "baku_wire", Base: cs.URL}
	first := f.Fetch(context.Background(), src, Validators{}, nil)
	if first.Err != nil {
		t.Fatal(first.Err)
	}
	oldest := first.Items[len(first.Items)-1].Key()
	before := len(cs.seen())
	res := f.Fetch(context.Background(), src, Validators{}, func(k string) bool { return k == oldest })
	if res.Err != nil || len(res.Items) != 11 {
		t.Fatalf("Fetch = %d items, %v; want the 11 posts again", len(res.Items), res.Err)
	}
	if reqs := cs.seen()[before:]; len(reqs) != 2 {
		// The oldest known post is on the second page: the first page
		// was all new, so the second was read, and nothing past it.
		t.Errorf("requests = %v", reqs)
	}
	newest := first.Items[0].Key()
	before = len(cs.seen())
	res = f.Fetch(context.Background(), src, Validators{}, func(k string) bool { return k == newest })
	if reqs := cs.seen()[before:]; res.Err != nil || len(reqs) != 1 || len(res.Items) != 9 {
		t.Errorf("with the newest post known: %d items, requests %v, err %v; want the 9 of one page", len(res.Items), reqs, res.Err)
	}
	res = f.Fetch(context.Background(), src, first.Validators, nil)
	if res.Err != nil || !res.NotModified || len(res.Items) != 0 {
		t.Errorf("with the ETag: %+v, want NotModified", res)
	}
}

func TestFetchTelegramErrors(t *testing.T) {
	cs := newChannelServer(t)
	f := newFetcher(t, nil, cs.Server)

	res := f.Fetch(context.Background(), Source{Name: "gone", Telegram: "no_such_channel", Base: cs.URL}, Validators{}, nil)
	if !errors.Is(res.Err, ErrNotAChannel) || !strings.Contains(res.Err.Error(), `source "gone" (`+cs.URL+`/s/no_such_channel): parse:`) {
		t.Errorf("no preview: err = %v, want ErrNotAChannel naming the source", res.Err)
	}

	cs.mu.Lock()
	cs.fail = http.StatusServiceUnavailable
	cs.mu.Unlock()
	res = f.Fetch(context.Background(), Source{Name: "Baku Wire", Telegram: "baku_wire", Base: cs.URL}, Validators{}, nil)
	if res.Err == nil || len(res.Items) != 0 || !strings.Contains(res.Err.Error(), "fetch older posts: "+cs.URL+"/s/baku_wire?before=4182: HTTP status 503") {
		t.Errorf("older page failing: %d items, err %v; want the source failed (its posts kept unseen)", len(res.Items), res.Err)
	}
}

// TestFetchTelegramIgnoredBefore checks a server that answers ?before=
// with the newest page again costs one more request, not a loop.
func TestFetchTelegramIgnoredBefore(t *testing.T) {
	cs := newChannelServer(t)
	cs.sameEverywhere = true
	f := newFetcher(t, nil, cs.Server)
	res := f.Fetch(context.Background(), Source{Name: "Baku Wire", Telegram: "baku_wire", Base: cs.URL}, Validators{}, nil)
	if res.Err != nil || len(res.Items) != 9 {
		t.Fatalf("got %d items, %v; want the 9 posts once", len(res.Items), res.Err)
	}
	if reqs := cs.seen(); len(reqs) != 2 {
		t.Errorf("requests = %v, want the page and one ?before=", reqs)
	}
}

// TestFetchTelegramMaxItems checks max_items bounds the posts kept, the
// newest first, and stops the paging.
func TestFetchTelegramMaxItems(t *testing.T) {
	cs := newChannelServer(t)
	// A small max_items, to reach it within the fixture's two pages.
	f := newFetcher(t, func(o *Options) { o.MaxItems = 5 }, cs.Server)
	res := f.Fetch(context.Background(), Source{Name: "Baku Wire", Telegram: "baku_wire", Base: cs.URL}, Validators{}, nil)
	if res.Err != nil || len(res.Items) != 5 || res.Items[0].GUID != "https://t.me/baku_wire/4192" || res.Items[4].GUID != "https://t.me/baku_wire/4188" {
		t.Fatalf("got %d items (%v), want the 5 newest", len(res.Items), res.Err)
	}
	if reqs := cs.seen(); len(reqs) != 1 {
		t.Errorf("requests = %v, want only the newest page", reqs)
	}
}

// FuzzParseTelegram checks no page makes the preview parser panic, and
// that every post it finds has a canonical link and a title.
func FuzzParseTelegram(f *testing.F) {
	f.Add(fixture(f, "telegram/baku_wire.html"))
	f.Add(fixture(f, "telegram/baku_wire_before_4182.html"))
	f.Add([]byte(`<div class="tgme_widget_message" data-post="a/1"><div class="tgme_widget_message_bubble"><div class="tgme_widget_message_text">x<br>` + strings.Repeat("word ", 60) + `</div></div></div>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := parseTelegram(body, "fuzz")
		if err != nil {
			return
		}
		for _, it := range page.items {
			if !strings.HasPrefix(it.GUID, "https://t.me/") || it.Title == "" {
				t.Fatalf("post without link or title: %+v", it)
			}
		}
	})
}

// BenchmarkParseTelegram parses the fixture's channel page (nine posts of
// every kind, about the size of a real twenty-post page's markup per post).
func BenchmarkParseTelegram(b *testing.B) {
	body := fixture(b, "telegram/baku_wire.html")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		page, err := parseTelegram(body, "Baku Wire")
		if err != nil || len(page.items) != 9 {
			b.Fatalf("parse: %d posts, %v", len(page.items), err)
		}
	}
}

// TestFetchTelegramPoliteness checks a channel is read under the rules
// of any page: robots.txt is obeyed, and a 429's Retry-After comes back.
func TestFetchTelegramPoliteness(t *testing.T) {
	srv, h := serveRoutes(t, map[string]route{
		"/robots.txt":  {body: []byte("User-agent: *\nDisallow: /s/closed\n"), contentType: "text/plain"},
		"/s/busy":      {status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": "120"}, body: []byte("slow down")},
		"/s/closed_ch": {body: fixture(t, "telegram/baku_wire.html"), contentType: "text/html"},
	})
	f := newFetcher(t, func(o *Options) { o.Robots = true }, srv)
	res := f.Fetch(context.Background(), Source{Name: "closed", Telegram: "closed_ch", Base: srv.URL}, Validators{}, nil)
	if res.Err == nil || !strings.Contains(res.Err.Error(), "disallowed by robots.txt") || h.get("/s/closed_ch") != 0 {
		t.Errorf("robots.txt disallows the preview: err %v, %d requests", res.Err, h.get("/s/closed_ch"))
	}
	res = f.Fetch(context.Background(), Source{Name: "busy", Telegram: "busy", Base: srv.URL}, Validators{}, nil)
	if res.Err == nil || !strings.Contains(res.Err.Error(), "HTTP status 429") || res.RetryAfter != 2*time.Minute {
		t.Errorf("429: err %v, RetryAfter %s; want 2m", res.Err, res.RetryAfter)
	}
}
