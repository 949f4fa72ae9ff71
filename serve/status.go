package serve

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Status is what `watcher status` shows: each configured source's health,
// the state file's counts and the digests not yet delivered everywhere.
// The command fills it from the state file; the daemon keeps the one of
// its last cycle and serves it at /status, as HTML or JSON.
type Status struct {
	// Taken is when the data was read from the state file.
	Taken   time.Time      `json:"taken"`
	Sources []SourceStatus `json:"sources"`
	State   StateStatus    `json:"state"`
	Digests []DigestStatus `json:"digests"`
}

// SourceStatus is one row of the source table.
type SourceStatus struct {
	Name        string    `json:"name"`
	Seen        int       `json:"seen"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	Failures    int       `json:"failures"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	// LastError is the last failure's message, without the source's name
	// and URL (the row names them).
	LastError string `json:"last_error,omitempty"`
	// Note says what the last cycle left undone for the source.
	Note string `json:"note,omitempty"`
}

// StateStatus sums up the state file.
type StateStatus struct {
	Path      string `json:"path"`
	Seen      int    `json:"seen"`
	FileSize  int64  `json:"file_size"`
	Pending   int    `json:"pending"`
	Held      int    `json:"held"` // waiting only for sinks' digest schedules
	Parked    int    `json:"parked"`
	Delivered int    `json:"delivered"`
}

// DigestStatus is one digest's delivery to one sink, for the digests not
// yet accepted by every sink.
type DigestStatus struct {
	ID        string    `json:"id"`
	Created   time.Time `json:"created"`
	Sink      string    `json:"sink"`
	Status    string    `json:"status"` // pending, delivered or PARKED
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
}

// WriteText prints the status as the table `watcher status` shows.
func (st Status) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSEEN\tLAST SUCCESS\tFAILURES\tNEXT ATTEMPT\tLAST ERROR\tNOTE")
	for _, s := range st.Sources {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t%s\t%s\n", s.Name, s.Seen,
			When(s.LastSuccess), s.Failures, When(s.NextAttempt), dash(s.LastError), dash(s.Note))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nstate %s: %d seen items, %d bytes; digests: %d pending, %d held for a schedule, %d parked, %d delivered\n",
		st.State.Path, st.State.Seen, st.State.FileSize, st.State.Pending, st.State.Held, st.State.Parked, st.State.Delivered)
	for _, d := range st.Digests {
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "digest %s (%s) -> %s: %s after %d attempts %s\n",
			d.ID, d.Created.UTC().Format(time.RFC3339), d.Sink, d.Status, d.Attempts, d.LastError)
	}
	return err
}

// When formats a time for the status table; the zero time is "-".
func When(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
