package alert

import (
	"strconv"
	"strings"
	"time"
)

// SourceHealth names a source in a digest for its health rather than its
// items: one that has failed for longer than the configured threshold, or
// one such source that has recovered.
type SourceHealth struct {
	// Name is the configured source name.
	Name string
	// Since is when the source began failing.
	Since time.Time
	// Error is the last failure's message (a failing source only).
	Error string
	// NextAttempt is when the failing source is tried next, if known.
	NextAttempt time.Time
	// Recovered is when a recovered source answered again, and
	// FailedFor how long it had failed (a recovered source only).
	Recovered time.Time
	FailedFor time.Duration
}

// HasHealth reports whether d names any source's health.
func (d Digest) HasHealth() bool {
	return len(d.SourcesFailing)+len(d.SourcesRecovered) > 0
}

// The webhook body's health fields, a contract with receivers like the
// rest of payload.
type payloadFailing struct {
	Name        string `json:"name"`
	Since       string `json:"since"`
	Error       string `json:"error"`
	NextAttempt string `json:"next_attempt"`
}

type payloadRecovered struct {
	Name      string `json:"name"`
	Since     string `json:"since"`
	Recovered string `json:"recovered"`
	// FailedFor is a Go duration ("72h30m0s"); FailedForSeconds the same
	// as a number, for receivers that would rather not parse it.
	FailedFor        string `json:"failed_for"`
	FailedForSeconds int64  `json:"failed_for_seconds"`
}

// healthPayload fills the health fields of the webhook body, cleaned like
// every other string from outside (an error may quote a server).
func healthPayload(d Digest, p *payload) {
	for _, h := range d.SourcesFailing {
		p.SourcesFailing = append(p.SourcesFailing, payloadFailing{
			Name: clean(h.Name), Since: rfc3339(h.Since), Error: clean(h.Error), NextAttempt: rfc3339(h.NextAttempt),
		})
	}
	for _, h := range d.SourcesRecovered {
		failedFor := h.FailedFor.Round(time.Second)
		p.SourcesRecovered = append(p.SourcesRecovered, payloadRecovered{
			Name: clean(h.Name), Since: rfc3339(h.Since), Recovered: rfc3339(h.Recovered),
			FailedFor: failedFor.String(), FailedForSeconds: int64(failedFor / time.Second),
		})
	}
}

// healthView is a source's health as the text and HTML digests show it.
type healthView struct {
	Name, Since, Error, NextAttempt, FailedFor string
}

// healthViews builds the failing and recovered lists of a digest's view.
func healthViews(d Digest) (failing, recovered []healthView) {
	for _, h := range d.SourcesFailing {
		failing = append(failing, healthView{
			Name: clean(h.Name), Since: formatTime(h.Since),
			Error: truncate(clean(h.Error), maxSnippetRunes), NextAttempt: formatTime(h.NextAttempt),
		})
	}
	for _, h := range d.SourcesRecovered {
		recovered = append(recovered, healthView{
			Name: clean(h.Name), Since: formatTime(h.Since), FailedFor: humanDuration(h.FailedFor),
		})
	}
	return failing, recovered
}

// humanDuration says how long, in days, hours and minutes: "3d 4h", "6h 10m".
func humanDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, strconv.Itoa(days)+"d")
	}
	if hours > 0 {
		parts = append(parts, strconv.Itoa(hours)+"h")
	}
	if mins > 0 && days == 0 {
		parts = append(parts, strconv.Itoa(mins)+"m")
	}
	if len(parts) == 0 {
		return "under a minute"
	}
	return strings.Join(parts, " ")
}

// healthSubject is what the subject says about sources' health, or "".
func healthSubject(d Digest) string {
	var parts []string
	if n := len(d.SourcesFailing); n > 0 {
		parts = append(parts, plural(n, "source")+" failing")
	}
	if n := len(d.SourcesRecovered); n > 0 {
		parts = append(parts, plural(n, "source")+" recovered")
	}
	return strings.Join(parts, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
