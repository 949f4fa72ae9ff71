package main

import (
	"net/http"
	"strings"
	"testing"
)

// outageQuery matches some of every batch of synthetic items.
const outageQuery = "title:(government OR minister OR officials OR said OR talks OR правительство OR министр OR заявил)"

// outage is a watcher over two synthetic feeds, with its baseline read.
type outage struct {
	f   farm
	dir string
}

func newOutage(t *testing.T, alerts string) outage {
	t.Helper()
	o := outage{f: startFarm(t, "-feeds", "2", "-items", "20"), dir: t.TempDir()}
	synthConfig(t, o.dir, o.f, 2, outageQuery, alerts)
	if r := o.run(t); r.code != exitOK {
		t.Fatalf("baseline run: exit %d\n%s", r.code, r.stderr)
	}
	return o
}

// publish makes new items appear in both feeds.
func (o outage) publish(t *testing.T) { o.f.post(t, "/control/advance?n=10") }

func (o outage) run(t *testing.T) result { return watcher(t, o.dir, nil, "--once") }

// runWant runs one cycle and checks its exit code.
func (o outage) runWant(t *testing.T, what string, code int) result {
	t.Helper()
	r := o.run(t)
	if r.code != code {
		t.Fatalf("%s: exit %d, want %d\n%s", what, r.code, code, r.stderr)
	}
	return r
}

// ids lists the digest ids of the webhook requests, checking that header
// and body agree.
func ids(t *testing.T, reqs []delivery) []string {
	t.Helper()
	out := make([]string, len(reqs))
	for i, d := range reqs {
		if d.header != d.id || d.id == "" {
			t.Errorf("request %d: X-Watcher-Digest-Id %q, body id %q", i, d.header, d.id)
		}
		out[i] = d.id
	}
	return out
}

// TestWebhookOutageRetriedWithSameDigest: a webhook that answers 503 for
// two runs gets the same digest, with the same id, on each run until it
// accepts it; then it is not sent again.
func TestWebhookOutageRetriedWithSameDigest(t *testing.T) {
	hook := newHookRecorder(t, func(n int, _ string) int {
		if n < 2 {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	})
	o := newOutage(t, webhookAlerts(hook.url, 10))
	o.publish(t)
	for i := range 2 {
		r := o.runWant(t, "run with the webhook down", exitFailed)
		if !strings.Contains(r.stderr, "digest not delivered, will retry") {
			t.Errorf("run %d: no retry warning in the log:\n%s", i+1, r.stderr)
		}
	}
	o.runWant(t, "run with the webhook back", exitOK)
	o.runWant(t, "run with nothing new", exitOK)
	got := ids(t, hook.requests())
	if len(got) != 3 || got[0] != got[1] || got[1] != got[2] {
		t.Fatalf("webhook requests carried ids %q; want the same digest three times", got)
	}
	if len(hook.requests()[2].urls) == 0 {
		t.Error("the delivered digest holds no items")
	}
	if st := mustStatus(t, o.dir); !strings.Contains(st, "0 pending, 0 held for a schedule, 0 parked, 1 delivered") {
		t.Errorf("status after delivery:\n%s", st)
	}
}

// TestWebhookBackoffDoesNotBlockLaterDigest: after two quick retries a
// failing digest waits (the next run does not try it), and a later digest
// to the same webhook is delivered meanwhile.
func TestWebhookBackoffDoesNotBlockLaterDigest(t *testing.T) {
	var refused string // guarded by the recorder's lock
	hook := newHookRecorder(t, func(n int, id string) int {
		if n == 0 {
			refused = id
		}
		if id == refused {
			return http.StatusServiceUnavailable // this digest keeps failing
		}
		return http.StatusNoContent
	})
	o := newOutage(t, webhookAlerts(hook.url, 10))
	o.publish(t)
	for range 3 {
		o.runWant(t, "run with the digest refused", exitFailed)
	}
	o.runWant(t, "run while the digest backs off", exitOK)
	if n := len(hook.requests()); n != 3 {
		t.Errorf("%d requests after 4 runs; want 3 (the fourth run is in the backoff)", n)
	}
	first := ids(t, hook.requests())[0]
	if st := mustStatus(t, o.dir); !strings.Contains(st, first+" ") || !strings.Contains(st, "pending after 3 attempts") {
		t.Errorf("status does not show the waiting digest %s:\n%s", first, st)
	}
	o.publish(t)
	o.runWant(t, "run with a new digest", exitOK)
	got := ids(t, hook.requests())
	if len(got) != 4 || got[3] == first || hook.requests()[3].status != http.StatusNoContent {
		t.Fatalf("requests %q: want the new digest delivered after the 3 refused ones", got)
	}
}

// TestWebhookParkedAfterMaxAttempts: after delivery.max_attempts failures
// the digest is parked: an ERROR names the sink and the digest, status
// shows it PARKED, it is not retried and never dropped, and later digests
// still go out.
func TestWebhookParkedAfterMaxAttempts(t *testing.T) {
	hook := newHookRecorder(t, always(http.StatusServiceUnavailable))
	o := newOutage(t, webhookAlerts(hook.url, 3))
	o.publish(t)
	var r result
	for range 3 {
		r = o.runWant(t, "run with the webhook down", exitFailed)
	}
	parked := ids(t, hook.requests())[0]
	line := logLine(r.stderr, "digest parked")
	if !strings.Contains(line, "level=ERROR") || !strings.Contains(line, "digest="+parked) ||
		!strings.Contains(line, "sink=\"webhook "+hook.url) {
		t.Errorf("no ERROR naming sink and digest %s:\n%s", parked, r.stderr)
	}
	hook.setAnswer(always(http.StatusNoContent))
	r = o.runWant(t, "run after parking", exitOK)
	if line := logLine(r.stderr, "parked digests wait for an operator"); !strings.Contains(line, "oldest="+parked) {
		t.Errorf("a later run does not remind of the parked digest:\n%s", r.stderr)
	}
	if n := len(hook.requests()); n != 3 {
		t.Errorf("%d requests; a parked digest must not be retried", n)
	}
	o.publish(t)
	o.runWant(t, "run with a new digest", exitOK)
	got := ids(t, hook.requests())
	if len(got) != 4 || got[3] == parked {
		t.Errorf("requests %q: want the new digest after the parked one", got)
	}
	st := mustStatus(t, o.dir)
	if !strings.Contains(st, parked+" ") || !strings.Contains(st, "PARKED after 3 attempts") ||
		!strings.Contains(st, "1 parked, 1 delivered") {
		t.Errorf("status does not keep the parked digest %s:\n%s", parked, st)
	}
}

// logLine returns the first log line containing msg.
func logLine(log, msg string) string {
	for l := range strings.SplitSeq(log, "\n") {
		if strings.Contains(l, msg) {
			return l
		}
	}
	return ""
}

// TestSMTPTemporaryFailureRetried: a 451 reply is retried on the next runs
// with the same Message-ID and digest id until the server takes it.
func TestSMTPTemporaryFailureRetried(t *testing.T) {
	mx := newSMTPServer(t, func(n int) error {
		if n < 2 {
			return smtpTempFail
		}
		return nil
	})
	o := newOutage(t, mx.alerts(10))
	o.publish(t)
	o.runWant(t, "first 451", exitFailed)
	o.runWant(t, "second 451", exitFailed)
	o.runWant(t, "accepted", exitOK)
	o.runWant(t, "nothing new", exitOK)
	msgs := mx.messages()
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3 (two refused, one accepted)", len(msgs))
	}
	for i, m := range msgs {
		if m.digestID == "" || m.digestID != msgs[0].digestID || m.messageID != msgs[0].messageID {
			t.Errorf("message %d: Message-ID %q digest %q; first was %q %q", i, m.messageID, m.digestID, msgs[0].messageID, msgs[0].digestID)
		}
	}
	if !strings.Contains(msgs[0].messageID, msgs[0].digestID) {
		t.Errorf("Message-ID %q does not carry the digest id %q", msgs[0].messageID, msgs[0].digestID)
	}
}

// TestSMTPPermanentFailureParks: a 554 reply parks the digest at once,
// loudly; the next digest is still sent.
func TestSMTPPermanentFailureParks(t *testing.T) {
	mx := newSMTPServer(t, func(int) error { return smtpPermFail })
	o := newOutage(t, mx.alerts(10))
	o.publish(t)
	r := o.runWant(t, "554", exitFailed)
	msgs := mx.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	line := logLine(r.stderr, "digest parked")
	if !strings.Contains(line, "level=ERROR") || !strings.Contains(line, "digest="+msgs[0].digestID) || !strings.Contains(line, "554") {
		t.Errorf("no ERROR naming the parked digest %s and the reply:\n%s", msgs[0].digestID, r.stderr)
	}
	if st := mustStatus(t, o.dir); !strings.Contains(st, msgs[0].digestID+" ") || !strings.Contains(st, "PARKED after 1 attempts") {
		t.Errorf("status does not show the parked digest:\n%s", st)
	}
	mx.setAnswer(func(int) error { return nil })
	o.publish(t)
	o.runWant(t, "next digest", exitOK)
	msgs = mx.messages()
	if len(msgs) != 2 || msgs[1].digestID == msgs[0].digestID || msgs[1].rejected != nil {
		t.Errorf("messages %+v: want the parked one not retried and the new one accepted", msgs)
	}
}
