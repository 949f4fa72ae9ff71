package crawl

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
)

// boundedBody fails once more than limit bytes are read, so an oversized
// or decompressing (gzip bomb) body is cut rather than silently truncated,
// and frees the request's slots when closed.
type boundedBody struct {
	rc      io.ReadCloser
	limit   int64
	n       int64
	count   *atomic.Int64
	release func()
	// ctx is the caller's context, rctx the request's own (with its
	// timeout): a read that fails because rctx ended says so.
	ctx, rctx context.Context
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.n > b.limit {
		return 0, fmt.Errorf("%w (limit %s)", ErrBodyTooLarge, formatSize(b.limit))
	}
	if rest := b.limit + 1 - b.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	k, err := b.rc.Read(p)
	b.n += int64(k)
	if b.count != nil {
		b.count.Add(int64(k))
	}
	if b.n > b.limit {
		return k, fmt.Errorf("%w (limit %s)", ErrBodyTooLarge, formatSize(b.limit))
	}
	if err != nil && err != io.EOF && b.rctx != nil {
		err = requestError(b.ctx, b.rctx, err)
	}
	return k, err
}

func (b *boundedBody) Close() error {
	defer b.release()
	return b.rc.Close()
}

type byteCounterKey struct{}

// withByteCounter returns a context whose requests add their body bytes
// to the returned counter.
func withByteCounter(ctx context.Context) (context.Context, *atomic.Int64) {
	c := new(atomic.Int64)
	return context.WithValue(ctx, byteCounterKey{}, c), c
}

func byteCounter(ctx context.Context) *atomic.Int64 {
	c, _ := ctx.Value(byteCounterKey{}).(*atomic.Int64)
	return c
}
