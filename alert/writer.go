package alert

import (
	"context"
	"fmt"
	"io"
	"sync"
)

var _ Notifier = (*Writer)(nil)

// Writer prints plain-text digests to an io.Writer, such as standard
// output when no sink is configured. It is safe for concurrent use.
type Writer struct {
	mu   sync.Mutex
	w    io.Writer
	tmpl *Templates
}

// NewWriter returns a Writer printing to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w}
}

// WithTemplates makes w render with t (nil: the built-in template).
func (w *Writer) WithTemplates(t *Templates) *Writer {
	w.tmpl = t
	return w
}

// Name returns "writer".
func (w *Writer) Name() string { return "writer" }

// Send prints the text rendering of d followed by a blank line. It fails
// only if ctx is already done or the underlying writer fails.
func (w *Writer) Send(ctx context.Context, d Digest) error {
	if err := ctx.Err(); err != nil {
		return &SendError{Sink: w.Name(), Retryable: true, Err: err}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	text, _ := w.tmpl.Text(d) // a failed custom template falls back, logged
	if _, err := io.WriteString(w.w, text+"\n"); err != nil {
		return &SendError{Sink: w.Name(), Retryable: false, Err: fmt.Errorf("write digest: %w", err)}
	}
	return nil
}
