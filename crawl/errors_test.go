package crawl

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// gzipped compresses b.
func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFetchFeedErrors(t *testing.T) {
	retryAt := fixedNow.Add(90 * time.Second).Format(http.TimeFormat)
	bomb := gzipped(t, make([]byte, 8<<20))
	tests := []struct {
		name      string
		rt        route
		delay     time.Duration // server sleeps before answering
		opts      func(*Options)
		is        error // errors.Is target, if any
		status    int   // expected StatusError code, if any
		retry     time.Duration
		errSubstr string
	}{
		{name: "500", rt: route{status: 500, body: []byte("oops")}, status: 500, errSubstr: "fetch: HTTP status 500 Internal Server Error"},
		{name: "404", rt: route{status: 404}, status: 404, errSubstr: "fetch: HTTP status 404 Not Found"},
		{name: "429 with Retry-After seconds", rt: route{status: 429, header: map[string]string{"Retry-After": "120"}},
			status: 429, retry: 2 * time.Minute, errSubstr: "429 Too Many Requests (retry after 2m0s)"},
		{name: "503 with Retry-After date", rt: route{status: 503, header: map[string]string{"Retry-After": retryAt}},
			status: 503, retry: 90 * time.Second, errSubstr: "503 Service Unavailable"},
		{name: "timeout", rt: route{body: fixture(t, "rss2.xml")}, delay: time.Second,
			opts: func(o *Options) { o.Timeout = 100 * time.Millisecond }, is: context.DeadlineExceeded, errSubstr: "fetch: timeout after 100ms"},
		{name: "too large", rt: route{body: bytes.Repeat([]byte("<rss>"), 1000)},
			opts: func(o *Options) { o.MaxBody = 1024 }, is: ErrBodyTooLarge, errSubstr: "response body too large (limit 1 KiB)"},
		{name: "gzip bomb cut after decompression", rt: route{body: bomb, header: map[string]string{"Content-Encoding": "gzip"}},
			opts: func(o *Options) { o.MaxBody = 1 << 20 }, is: ErrBodyTooLarge, errSubstr: "response body too large (limit 1 MiB)"},
		{name: "empty body", rt: route{body: []byte(" \n")}, is: ErrEmpty, errSubstr: "fetch: empty response body"},
		{name: "html instead of feed", rt: route{body: fixture(t, "not-a-feed.html"), contentType: "text/html"},
			is: ErrNotAFeed, errSubstr: "parse: not a feed: got an HTML page"},
		{name: "malformed xml", rt: route{body: fixture(t, "malformed.xml")}, errSubstr: "parse: broken feed"},
		{name: "unknown declared encoding", rt: route{body: []byte(`<?xml version="1.0" encoding="x-klingon"?><rss/>`)},
			errSubstr: `parse: unknown encoding "x-klingon" declared in the XML prolog`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.delay > 0 {
					select {
					case <-time.After(tc.delay):
					case <-r.Context().Done():
						return
					}
				}
				for k, v := range tc.rt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(max(tc.rt.status, 200))
				_, _ = w.Write(tc.rt.body)
			}))
			defer srv.Close()
			f := newFetcher(t, tc.opts, srv)
			src := Source{Name: "Broken Outlet", Feed: srv.URL + "/rss"}
			res := f.Fetch(context.Background(), src, Validators{}, nil)
			if res.Err == nil {
				t.Fatalf("Fetch succeeded with %d items, want an error", len(res.Items))
			}
			msg := res.Err.Error()
			if !strings.HasPrefix(msg, `source "Broken Outlet" (`+src.Feed+`): `) || !strings.Contains(msg, tc.errSubstr) {
				t.Errorf("error = %q\nwant prefix naming the source and containing %q", msg, tc.errSubstr)
			}
			if tc.is != nil && !errors.Is(res.Err, tc.is) {
				t.Errorf("errors.Is(%v, %v) = false", res.Err, tc.is)
			}
			var se *StatusError
			if tc.status != 0 && (!errors.As(res.Err, &se) || se.Code != tc.status) {
				t.Errorf("want *StatusError with code %d, got %v", tc.status, res.Err)
			}
			if res.RetryAfter != tc.retry {
				t.Errorf("RetryAfter = %s, want %s", res.RetryAfter, tc.retry)
			}
			if len(res.Items) != 0 {
				t.Errorf("got %d items with an error", len(res.Items))
			}
		})
	}
}

func TestFetchConditionalGET(t *testing.T) {
	const etag = `"v42"`
	const lastMod = "Wed, 02 Jul 2025 10:00:00 GMT"
	var gotINM, gotIMS, gotUA []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA = append(gotUA, r.Header.Get("User-Agent"))
		gotINM = append(gotINM, r.Header.Get("If-None-Match"))
		gotIMS = append(gotIMS, r.Header.Get("If-Modified-Since"))
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = w.Write(fixture(t, "rss2.xml"))
	}))
	defer srv.Close()
	f := newFetcher(t, nil, srv)
	src := Source{Name: "cond", Feed: srv.URL + "/rss"}

	first := f.Fetch(context.Background(), src, Validators{}, nil)
	if first.Err != nil || first.NotModified || len(first.Items) != 3 {
		t.Fatalf("first fetch: err=%v notModified=%v items=%d", first.Err, first.NotModified, len(first.Items))
	}
	if first.Validators != (Validators{ETag: etag, LastModified: lastMod}) {
		t.Fatalf("validators = %+v", first.Validators)
	}
	second := f.Fetch(context.Background(), src, first.Validators, nil)
	if second.Err != nil || !second.NotModified || len(second.Items) != 0 || second.Bytes != 0 {
		t.Fatalf("second fetch: err=%v notModified=%v items=%d bytes=%d", second.Err, second.NotModified, len(second.Items), second.Bytes)
	}
	if gotINM[0] != "" || gotIMS[0] != "" {
		t.Errorf("first request sent validators %q %q", gotINM[0], gotIMS[0])
	}
	if gotINM[1] != etag || gotIMS[1] != lastMod {
		t.Errorf("second request sent If-None-Match %q If-Modified-Since %q", gotINM[1], gotIMS[1])
	}
	if gotUA[0] != "watcher/dev (+https://github.com/watcher-news/watcher)" {
		t.Errorf("User-Agent = %q", gotUA[0])
	}
	if second.Validators != first.Validators {
		t.Errorf("304 validators = %+v, want the ones sent", second.Validators)
	}
}

func TestFetchRecoversPanic(t *testing.T) {
	srv, _ := serveRoutes(t, map[string]route{"/feed": {body: fixture(t, "rss2.xml")}})
	f := newFetcher(t, nil, srv)
	src := Source{Name: "panicky", Feed: srv.URL + "/feed", Fulltext: true}
	res := f.Fetch(context.Background(), src, Validators{}, func(string) bool { panic("state closed") })
	if res.Err == nil || !strings.Contains(res.Err.Error(), `source "panicky" (`+src.Feed+`): internal error: state closed`) {
		t.Fatalf("error = %v, want the panic as an error naming the source", res.Err)
	}
	if res.Source != "panicky" || len(res.Items) != 0 {
		t.Errorf("Result = %+v", res)
	}
}

func TestFetchSourceWithoutURL(t *testing.T) {
	f := newFetcher(t, nil)
	res := f.Fetch(context.Background(), Source{Name: "half", Page: "https://x.example/"}, Validators{}, nil)
	if res.Err == nil || !strings.Contains(res.Err.Error(), `source "half": needs a feed URL, or a page URL and a links selector`) {
		t.Fatalf("error = %v", res.Err)
	}
}
