package watch_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/text/encoding/charmap"
)

// story is one item a test site publishes.
type story struct {
	ID, Title, Summary, Body string
	Published                time.Time
}

// site is a news site over a real socket: an RSS feed (optionally in
// windows-1251), a listing page and article pages, all built from the
// stories published so far. Tests publish more between cycles.
type site struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	stories []story
	cp1251  bool
	broken  bool // answer the feed with malformed XML
	// articleDown makes article pages answer 502, except those whose
	// story ID is in articleUp.
	articleDown bool
	articleUp   map[string]bool
	hits        map[string]int
}

func newSite(t *testing.T) *site {
	s := &site{t: t, hits: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feed.xml", s.feed)
	mux.HandleFunc("GET /news/", s.listing)
	mux.HandleFunc("GET /article/{id}", s.article)
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "User-agent: *\nAllow: /\n") })
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) publish(st ...story) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stories = append(s.stories, st...)
}

func (s *site) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *site) url(path string) string { return s.srv.URL + path }

func (s *site) feed(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[r.URL.Path]++
	if s.broken {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a & b</titl`)
		return
	}
	var b strings.Builder
	enc := "utf-8"
	if s.cp1251 {
		enc = "windows-1251"
	}
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="%s"?>`+"\n", enc)
	b.WriteString(`<rss version="2.0"><channel><title>Test outlet</title><link>` + s.srv.URL + `/</link>`)
	for i := len(s.stories) - 1; i >= 0; i-- {
		st := s.stories[i]
		fmt.Fprintf(&b, "<item><title>%s</title><link>/article/%s</link><guid isPermaLink=\"false\">%s</guid>"+
			"<pubDate>%s</pubDate><description><![CDATA[<p>%s</p>]]></description></item>\n",
			html.EscapeString(st.Title), st.ID, st.ID, st.Published.Format(time.RFC1123Z), st.Summary)
	}
	b.WriteString(`</channel></rss>`)
	body := []byte(b.String())
	if s.cp1251 {
		var err error
		if body, err = charmap.Windows1251.NewEncoder().Bytes(body); err != nil {
			s.t.Errorf("encode windows-1251: %v", err)
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=windows-1251")
	} else {
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	}
	w.Write(body)
}

func (s *site) listing(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits[r.URL.Path]++
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, `<!doctype html><html><head><title>News</title></head><body><nav><a href="/about">About</a></nav><ul>`)
	for i := len(s.stories) - 1; i >= 0; i-- {
		st := s.stories[i]
		fmt.Fprintf(w, `<li><a class="story" href="/article/%s">%s</a></li>`, st.ID, html.EscapeString(st.Title))
	}
	io.WriteString(w, `</ul><footer><a href="/contacts">Contacts</a></footer></body></html>`)
}

func (s *site) article(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits["/article/"]++
	id := r.PathValue("id")
	if s.articleDown && !s.articleUp[id] {
		http.Error(w, "bad gateway", http.StatusBadGateway)
		return
	}
	for _, st := range s.stories {
		if st.ID != id {
			continue
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>%[1]s</title></head><body>
<header><nav><a href="/">Home</a> <a href="/news/">News</a></nav></header>
<main><article><h1>%[1]s</h1><time datetime="%[2]s">%[2]s</time>
<p>%[3]s</p><p>%[3]s</p><p>The article continues with more reporting on the same events and quotes from the people involved in them.</p>
</article></main><footer>© Test outlet</footer></body></html>`,
			html.EscapeString(st.Title), st.Published.Format(time.RFC3339), html.EscapeString(st.Body))
		return
	}
	http.NotFound(w, r)
}

// webhookDigest is the webhook body as the contract defines it.
type webhookDigest struct {
	ID      string `json:"id"`
	Created string `json:"created"`
	Series  *struct {
		N  int `json:"n"`
		Of int `json:"of"`
	} `json:"series"`
	Topics []struct {
		ID    string        `json:"id"`
		Title string        `json:"title"`
		Items []webhookItem `json:"items"`
	} `json:"topics"`
	SourcesFailing []struct {
		Name        string `json:"name"`
		Since       string `json:"since"`
		Error       string `json:"error"`
		NextAttempt string `json:"next_attempt"`
	} `json:"sources_failing"`
	SourcesRecovered []struct {
		Name      string `json:"name"`
		Since     string `json:"since"`
		Recovered string `json:"recovered"`
		FailedFor string `json:"failed_for"`
	} `json:"sources_recovered"`
}

// webhookItem is one item of a webhook digest.
type webhookItem struct {
	Title     string `json:"title"`
	URL       string `json:"url"`
	Source    string `json:"source"`
	Published string `json:"published"`
	Snippet   string `json:"snippet"`
	// The other reports of the item's story, and the story an
	// earlier digest sent that it adds to (see alert/payload.go).
	Also []struct {
		Source string `json:"source"`
		URL    string `json:"url"`
		Title  string `json:"title"`
	} `json:"also"`
	Related *struct {
		Terms []string `json:"terms"`
		Like  []struct {
			Title, URL, Source string
		} `json:"like"`
	} `json:"related"`
	AdditionTo *struct {
		Source string `json:"source"`
		URL    string `json:"url"`
		Title  string `json:"title"`
	} `json:"addition_to"`
}

// receiver is a real webhook endpoint that records every accepted digest
// and can be told to fail.
type receiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	fail    int // answer 503 while > 0, counting down
	got     []webhookDigest
	refused []string // ids of the digests answered 503
	// retryAfter, when set, goes with every 503.
	retryAfter string
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			t.Errorf("webhook: read body: %v", err)
		}
		var d webhookDigest
		if err := json.Unmarshal(body, &d); err != nil {
			t.Errorf("webhook: body is not the digest JSON: %v\n%s", err, body)
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.fail > 0 {
			r.fail--
			r.refused = append(r.refused, d.ID)
			if r.retryAfter != "" {
				w.Header().Set("Retry-After", r.retryAfter)
			}
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		if got := req.Header.Get("Idempotency-Key"); got != d.ID {
			t.Errorf("webhook: Idempotency-Key %q, body id %q", got, d.ID)
		}
		r.got = append(r.got, d)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) digests() []webhookDigest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]webhookDigest(nil), r.got...)
}

// reportsByURL counts, by link, the reports the digests delivered: each
// item and each of the other reports of its story ("also").
func reportsByURL(digests []webhookDigest) map[string]int {
	count := map[string]int{}
	for _, d := range digests {
		for _, tp := range d.Topics {
			for _, it := range tp.Items {
				count[it.URL]++
				for _, a := range it.Also {
					count[a.URL]++
				}
			}
		}
	}
	return count
}

// titles lists the titles of every report a digest delivers per topic, as
// "topic: title": each item's and those of the other reports of its story
// ("also"), since a report is delivered as one or the other.
func (d webhookDigest) titles() []string {
	var out []string
	for _, t := range d.Topics {
		for _, it := range t.Items {
			out = append(out, t.ID+": "+it.Title)
			for _, a := range it.Also {
				out = append(out, t.ID+": "+a.Title)
			}
		}
	}
	return out
}

// mailbox is a real SMTP server in-process that parses what it receives.
type mailbox struct {
	addr string
	mu   sync.Mutex
	msgs []*parsedMail
}

type parsedMail struct {
	From, Subject string
	To            []string
	Text, HTML    string
}

func newMailbox(t *testing.T) *mailbox {
	mb := &mailbox{}
	s := smtp.NewServer(backendFunc(func() smtp.Session { return &session{mb: mb, t: t} }))
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mb.addr = l.Addr().String()
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return mb
}

func (mb *mailbox) messages() []*parsedMail {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	return append([]*parsedMail(nil), mb.msgs...)
}

type backendFunc func() smtp.Session

func (f backendFunc) NewSession(*smtp.Conn) (smtp.Session, error) { return f(), nil }

type session struct {
	t    *testing.T
	mb   *mailbox
	from string
	to   []string
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error   { s.to = append(s.to, to); return nil }
func (s *session) Reset()                                      {}
func (s *session) Logout() error                               { return nil }

func (s *session) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		s.t.Errorf("smtp: unreadable message: %v", err)
		return err
	}
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		s.t.Errorf("smtp: subject: %v", err)
	}
	pm := &parsedMail{From: s.from, To: s.to, Subject: subj}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		s.t.Errorf("smtp: content type %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
		return nil
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		body, _ := io.ReadAll(decodePart(p))
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			pm.Text = string(body)
		case "text/html":
			pm.HTML = string(body)
		}
	}
	s.mb.mu.Lock()
	s.mb.msgs = append(s.mb.msgs, pm)
	s.mb.mu.Unlock()
	return nil
}

// decodePart undoes the part's Content-Transfer-Encoding.
func decodePart(p *multipart.Part) io.Reader {
	// multipart.Part decodes quoted-printable itself; base64 is left to us.
	if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
		return base64.NewDecoder(base64.StdEncoding, p) // skips line breaks
	}
	return p
}
