package match

import "fmt"

// Topic is one tracked topic as configured.
type Topic struct {
	// ID names the topic in hits, errors and digests.
	ID string
	// Title is the human-readable name.
	Title string
	// Query is the boolean query an item must match (see the package doc).
	Query string
	// Exclude holds queries in the same grammar; any match vetoes the topic.
	Exclude []string
	// MinTerms, when above zero, is how many distinct query terms must
	// occur in the item (0 = off).
	MinTerms int
}

// Item is what is matched. Summary and Body may hold HTML. Lang and Source
// are not matched on; queries cover the text only.
type Item struct{ Title, Summary, Body, Lang, Source string }

// Hit is one topic an item matched.
type Hit struct {
	// Topic is the topic ID.
	Topic string
	// Terms are the distinct matched words as they appear in the text.
	Terms []string
	// Snippet is about 200 characters of plain text around the first
	// matched word, cut on word boundaries.
	Snippet string
}

// QueryError is a parse or compile error in one query of one topic.
type QueryError struct {
	// Topic is the topic ID; empty for ParseQuery.
	Topic string
	// Field is "query" or "exclude[i]"; empty for ParseQuery.
	Field string
	// Line and Col locate the problem in the query, 1-based (Col counts
	// characters, not bytes). Both are 0 for problems of the topic itself.
	Line, Col int
	// Msg says what is wrong.
	Msg string
}

// Error reads like `topic sputnik-detainees: exclude[1]: 1:27: unbalanced "("`.
func (e *QueryError) Error() string {
	s := ""
	if e.Topic != "" {
		s = fmt.Sprintf("topic %s: ", e.Topic)
	}
	if e.Field != "" {
		s += e.Field + ": "
	}
	if e.Line > 0 {
		s += fmt.Sprintf("%d:%d: ", e.Line, e.Col)
	}
	return s + e.Msg
}
