package watch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/watcher-news/watcher/crawl"
	"github.com/watcher-news/watcher/state"
)

// Delivery outcomes, as counted in Summary.Deliveries.
const (
	DeliverySent   = "sent"
	DeliveryFailed = "failed" // kept, retried later
	DeliveryParked = "parked" // given up after the configured attempts
)

// DeliveryOutcome is one attempt at sending a digest to a sink.
type DeliveryOutcome struct {
	Sink    string
	Outcome string // DeliverySent, DeliveryFailed or DeliveryParked
}

// Failure causes: a short fixed list, so that a metric labelled by cause
// stays small however varied the messages are.
const (
	CauseTimeout  = "timeout"
	CauseDNS      = "dns"
	CauseConnect  = "connect"
	CauseTLS      = "tls"
	CauseHTTP4xx  = "http_4xx"
	CauseHTTP5xx  = "http_5xx"
	CauseTooLarge = "too_large"
	CauseEmpty    = "empty"
	CauseNotFeed  = "not_a_feed"
	CauseParse    = "parse"
	CauseBlocked  = "blocked" // robots.txt or the private-address guard
	CauseState    = "state"   // the state file, not the source
	CauseOther    = "other"
)

// FailureCause sorts a source's fetch error into one of the Cause
// constants. The checks go from the most specific error to the least.
func FailureCause(err error) string {
	var (
		status  *crawl.StatusError
		dnsErr  *net.DNSError
		opErr   *net.OpError
		certErr *tls.CertificateVerificationError
		recErr  tls.RecordHeaderError
		unknown x509.UnknownAuthorityError
		hostErr x509.HostnameError
		invalid x509.CertificateInvalidError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &status) && status.Code >= 500:
		return CauseHTTP5xx
	case errors.As(err, &status):
		return CauseHTTP4xx
	case errors.Is(err, crawl.ErrBodyTooLarge):
		return CauseTooLarge
	case errors.Is(err, crawl.ErrEmpty):
		return CauseEmpty
	case errors.Is(err, crawl.ErrNotAFeed):
		return CauseNotFeed
	case errors.Is(err, crawl.ErrPrivateAddress), strings.Contains(err.Error(), "disallowed by robots.txt"):
		// crawl keeps colly's robots error to itself; its message is
		// the one mark it leaves.
		return CauseBlocked
	case errors.Is(err, errStateRead):
		return CauseState
	case errors.As(err, &certErr), errors.As(err, &recErr), errors.As(err, &unknown),
		errors.As(err, &hostErr), errors.As(err, &invalid):
		return CauseTLS
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return CauseTimeout
	case errors.As(err, &dnsErr):
		return CauseDNS
	case errors.As(err, &opErr):
		return CauseConnect
	case strings.Contains(err.Error(), "): parse: "):
		// crawl names the stage in its message only ("source %q (%s):
		// parse: ..."); an XML or JSON syntax error has no type in common.
		return CauseParse
	}
	return CauseOther
}

// errStateRead marks a source failed by the state file, not by its server.
var errStateRead = errors.New("read seen items")

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// recentMatches are the matches of a cycle as the state keeps them for
// the feeds of the latest matches: one per item and topic, oldest first
// by publication, and in reverse feed order (feeds list the newest first)
// where the dates do not tell. A date the crawler had to guess (the time
// of the fetch) is left out: it would order the items by the
// microseconds between them.
func recentMatches(hits []matched) []state.Match {
	var out []state.Match
	for _, m := range hits {
		published := m.item.Published
		if m.item.DateGuessed {
			published = time.Time{}
		}
		for _, h := range m.hits {
			out = append(out, state.Match{
				Topic: h.Topic, Key: m.item.Key(), Title: m.item.Title, URL: m.item.URL,
				Source: m.item.Source, Published: published, Snippet: h.Snippet,
			})
		}
	}
	slices.Reverse(out)
	slices.SortStableFunc(out, func(a, b state.Match) int { return a.Published.Compare(b.Published) })
	return out
}

// countMatches fills the summary's per-source and per-topic counts.
func countMatches(o *sourceOutcome, sum *Summary) {
	if len(o.fresh) > 0 {
		if sum.NewBySource == nil {
			sum.NewBySource = map[string]int{}
		}
		sum.NewBySource[o.src.Name] += len(o.fresh)
	}
	for _, m := range o.hits {
		for _, h := range m.hits {
			if sum.MatchedByTopic == nil {
				sum.MatchedByTopic = map[string]int{}
			}
			sum.MatchedByTopic[h.Topic]++
		}
	}
}
