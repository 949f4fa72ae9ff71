package alert

import (
	"encoding/json"
	"time"
)

// payload is the webhook body. Its field names are a contract with
// receivers: add fields, never rename them.
type payload struct {
	ID      string         `json:"id"`
	Created string         `json:"created"`
	Count   int            `json:"count"`
	Topics  []payloadTopic `json:"topics"`

	SourcesFailing   []payloadFailing   `json:"sources_failing,omitempty"`
	SourcesRecovered []payloadRecovered `json:"sources_recovered,omitempty"`
	// Series is present on a digest that is one of several one check
	// sent the receiver (see Digest.Series): {"n": 1, "of": 3}.
	Series *payloadSeries `json:"series,omitempty"`
}

type payloadSeries struct {
	N  int `json:"n"`
	Of int `json:"of"`
}

type payloadTopic struct {
	ID    string        `json:"id"`
	Title string        `json:"title"`
	Items []payloadItem `json:"items"`
}

type payloadItem struct {
	Title     string `json:"title"`
	URL       string `json:"url"`
	Source    string `json:"source"`
	Published string `json:"published"`
	Snippet   string `json:"snippet"`
	// Also: the other reports of the same story ("also reported by").
	// Every report delivered is an item or in one item's also, once.
	Also []payloadReport `json:"also,omitempty"`
	// AdditionTo: the story an earlier digest sent that this item is a
	// later report of; the earlier story is not repeated as an item.
	AdditionTo *payloadReport `json:"addition_to,omitempty"`
	// Related is present only on related items (see Entry.Related).
	Related *payloadRelated `json:"related,omitempty"`
}

type payloadReport struct {
	Source    string `json:"source"`
	URL       string `json:"url"`
	Title     string `json:"title"`
	Published string `json:"published"`
}

func newPayloadReport(r Report) payloadReport {
	return payloadReport{Source: clean(r.Source), URL: clean(r.URL), Title: clean(r.Title), Published: rfc3339(r.Published)}
}

type payloadRelated struct {
	Terms []string     `json:"terms"`
	Like  []payloadRef `json:"like"`
}

type payloadRef struct {
	Title  string `json:"title"`
	URL    string `json:"url"`
	Source string `json:"source"`
}

// encodeRelated cleans a related item's explanation for the payload.
func encodeRelated(r *Related) *payloadRelated {
	if r == nil {
		return nil
	}
	p := &payloadRelated{Terms: []string{}, Like: []payloadRef{}}
	for _, t := range r.Terms {
		p.Terms = append(p.Terms, clean(t))
	}
	for _, l := range r.Like {
		p.Like = append(p.Like, payloadRef{Title: clean(l.Title), URL: clean(l.URL), Source: clean(l.Source)})
	}
	return p
}

// encodePayload returns the JSON body for d: every topic in order, every
// item (no cap: receivers are programs), strings cleaned like the other
// renderings, times in RFC 3339 UTC ("" when unknown).
func encodePayload(d Digest) ([]byte, error) {
	d = d.Sorted()
	p := payload{ID: d.ID, Created: rfc3339(d.Created), Count: d.Count(), Topics: []payloadTopic{}}
	if d.Series.label() != "" {
		p.Series = &payloadSeries{N: d.Series.N, Of: d.Series.Of}
	}
	for _, t := range d.Topics {
		pt := payloadTopic{ID: clean(t.ID), Title: clean(t.Title), Items: []payloadItem{}}
		for _, e := range t.Items {
			pi := payloadItem{
				Title:     clean(e.Title),
				URL:       clean(e.URL),
				Source:    clean(e.Source),
				Published: rfc3339(e.Published),
				Snippet:   clean(e.Snippet),
				Related:   encodeRelated(e.Related),
			}
			for _, r := range e.Also {
				pi.Also = append(pi.Also, newPayloadReport(r))
			}
			if e.Earlier != nil {
				r := newPayloadReport(*e.Earlier)
				pi.AdditionTo = &r
			}
			pt.Items = append(pt.Items, pi)
		}
		p.Topics = append(p.Topics, pt)
	}
	healthPayload(d, &p)
	return json.Marshal(p)
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
