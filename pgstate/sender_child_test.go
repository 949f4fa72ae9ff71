package pgstate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// senderChildEnv makes the test binary act as a replica that takes the
// sender lock and is then killed (see TestMain).
const senderChildEnv = "PGSTATE_TEST_SENDER_URL"

func holdSenderUntilKilled(url string) int {
	ctx := context.Background()
	s, err := Open(ctx, url, Options{MaxConns: 1})
	if err != nil {
		fmt.Println("open:", err)
		return 3
	}
	l, err := s.AcquireSender(ctx, "child")
	if err != nil || l == nil {
		fmt.Println("not acquired:", err)
		return 4
	}
	fmt.Println("held")
	select {} // until SIGKILL: no Release, no Close
}

// TestSenderHandover: one replica holds the sender lock, the others are
// refused; when the holder's process is SIGKILLed, another replica takes
// the lock on its next try.
func TestSenderHandover(t *testing.T) {
	t.Parallel()
	url := server.NewDatabase(t)
	b := openURL(t, url, nil)

	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), senderChildEnv+"="+url)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "held" {
		t.Fatalf("child replica: %q, %v; want held", line, err)
	}
	if who, ok, err := b.SenderHolder(ctx); err != nil || !ok || who != "child" {
		t.Fatalf("SenderHolder = %q, %v, %v; want child", who, ok, err)
	}
	if l, err := b.AcquireSender(ctx, "b"); err != nil || l != nil {
		t.Fatalf("AcquireSender while child holds it = %v, %v; want refused", l, err)
	}

	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	// The server notices the closed socket and ends the session; how
	// soon is its business, so the test waits (bounded) rather than
	// asserting a delay.
	var l *Sender
	deadline := time.Now().Add(30 * time.Second)
	for l == nil {
		if time.Now().After(deadline) {
			t.Fatal("sender lock not free 30s after its holder was killed")
		}
		time.Sleep(20 * time.Millisecond)
		if l, err = b.AcquireSender(ctx, "b"); err != nil {
			t.Fatal(err)
		}
	}
	if who, ok, err := b.SenderHolder(ctx); err != nil || !ok || who != "b" {
		t.Errorf("SenderHolder after handover = %q, %v, %v; want b", who, ok, err)
	}
	if err := l.Check(ctx); err != nil {
		t.Errorf("Check of a held lock: %v", err)
	}
	if err := l.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if who, ok, err := b.SenderHolder(ctx); err != nil || ok {
		t.Errorf("SenderHolder after Release = %q, %v, %v; want none", who, ok, err)
	}
}

// TestSenderCheckNoticesLoss: when the server ends the holder's session
// (as it does for a connection it finds dead), Check says the lock is
// lost, and another replica can take it.
func TestSenderCheckNoticesLoss(t *testing.T) {
	t.Parallel()
	url := server.NewDatabase(t)
	a, b := openURL(t, url, nil), openURL(t, url, nil)
	l, err := a.AcquireSender(ctx, "a")
	if err != nil || l == nil {
		t.Fatalf("AcquireSender = %v, %v", l, err)
	}
	var ended bool
	if err := b.pool.QueryRow(ctx, "SELECT pg_terminate_backend($1)", l.conn.PgConn().PID()).Scan(&ended); err != nil || !ended {
		t.Fatalf("terminate the holder's session: %v, %v", ended, err)
	}
	if err := l.Check(ctx); !errors.Is(err, ErrSenderLost) {
		t.Errorf("Check after the session ended = %v, want ErrSenderLost", err)
	}
	var next *Sender
	for deadline := time.Now().Add(30 * time.Second); next == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if next, err = b.AcquireSender(ctx, "b"); err != nil {
			t.Fatal(err)
		}
	}
	if next == nil {
		t.Fatal("sender lock not free after its holder's session ended")
	}
	_ = next.Release(ctx)
}
