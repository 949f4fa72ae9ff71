package pgstate

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestCycleLock: replicas hold the cycle lock together; a watcher alone
// waits for them and then gives up naming them; once they are gone it
// takes the lock, and neither a second watcher alone nor a replica can
// take it beside it.
func TestCycleLock(t *testing.T) {
	t.Parallel()
	url := server.NewDatabase(t)
	a, b, c := openURL(t, url, nil), openURL(t, url, nil), openURL(t, url, nil)
	r1, err := a.LockCycle(ctx, "r1", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := b.LockCycle(ctx, "r2", time.Second)
	if err != nil {
		t.Fatalf("a second replica beside the first: %v", err)
	}
	_, err = c.LockCycle(ctx, "", 300*time.Millisecond)
	if !errors.Is(err, ErrCycleBusy) || !strings.Contains(err.Error(), "replica r1") || !strings.Contains(err.Error(), "replica r2") {
		t.Fatalf("a watcher alone beside replicas: %v; want busy, naming both", err)
	}
	for _, l := range []*CycleLock{r1, r2} {
		if err := l.Release(ctx); err != nil {
			t.Fatal(err)
		}
	}
	alone, err := c.LockCycle(ctx, "", time.Second)
	if err != nil {
		t.Fatalf("a watcher alone once the replicas are gone: %v", err)
	}
	if _, err := a.LockCycle(ctx, "", 300*time.Millisecond); !errors.Is(err, ErrCycleBusy) || !strings.Contains(err.Error(), "(alone)") {
		t.Errorf("a second watcher alone: %v; want busy", err)
	}
	if _, err := b.LockCycle(ctx, "r2", 300*time.Millisecond); !errors.Is(err, ErrCycleBusy) || !strings.Contains(err.Error(), "without --replica") {
		t.Errorf("a replica beside a watcher alone: %v; want busy", err)
	}
	// A wait that the holder's end cuts short.
	go func() {
		time.Sleep(200 * time.Millisecond)
		_ = alone.Release(ctx)
	}()
	l, err := a.LockCycle(ctx, "", 10*time.Second)
	if err != nil {
		t.Fatalf("waiting for a watcher alone to end its cycle: %v", err)
	}
	_ = l.Release(ctx)
}
