package alert

import "context"

// Notifier delivers a digest to one sink.
type Notifier interface {
	// Name identifies the sink, e.g. "webhook https://host/path" or
	// "email desk@example.org". It never shows secrets, user info or
	// query strings, so it is safe to log and to use as a key.
	Name() string
	// Send delivers d. It returns nil only when the sink accepted it
	// (a 2xx answer, the final SMTP OK); any other outcome is a
	// *SendError that tells whether retrying may help.
	Send(ctx context.Context, d Digest) error
}
