package alert

import "context"

// Parted is a Notifier that may deliver one digest as several messages,
// because its service bounds the size of one (the chat sinks). The parts
// of a digest are the same on every call: they are cut from the stored
// digest by rules that depend on nothing else.
type Parted interface {
	Notifier
	// SendFrom delivers the parts of d after the first done ones. After
	// each part the service accepts, accepted (when not nil) is called
	// with the number of parts now delivered, so that the caller can
	// record it and a retry resumes there instead of posting a part
	// twice. It returns nil once the last part is accepted.
	SendFrom(ctx context.Context, d Digest, done int, accepted func(parts int)) error
	// Parts returns how many messages d becomes.
	Parts(d Digest) int
}
