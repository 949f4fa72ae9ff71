package alert

import (
	"errors"
	"testing"
)

func TestRedact(t *testing.T) {
	base := errors.New("535 auth failed for hunter22 at smtp.example.org")
	tests := []struct {
		name, secret, want string
	}{
		{"secret present", "hunter22", "535 auth failed for <redacted> at smtp.example.org"},
		{"secret absent", "s3cret-x", base.Error()},
		{"no secret", "", base.Error()},
		{"too short to look for", "a", base.Error()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := redact(base, tc.secret)
			if err.Error() != tc.want {
				t.Errorf("redact() = %q, want %q", err, tc.want)
			}
			if !errors.Is(err, base) {
				t.Errorf("redact() lost the wrapped error")
			}
		})
	}
}

func TestSendErrorFormat(t *testing.T) {
	cause := errors.New("503 Service Unavailable: busy")
	err := &SendError{Sink: "webhook https://x/hook", Retryable: true, Err: cause}
	if want := "send to webhook https://x/hook: 503 Service Unavailable: busy"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
	if !errors.Is(err, cause) {
		t.Error("Unwrap does not reach the cause")
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain error", errors.New("boom"), false},
		{"retryable", &SendError{Sink: "x", Retryable: true, Err: errors.New("503")}, true},
		{"permanent", &SendError{Sink: "x", Err: errors.New("400")}, false},
		{"wrapped", errors.Join(errors.New("other"), &SendError{Retryable: true, Err: errors.New("503")}), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Retryable(tc.err); got != tc.want {
				t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
