// Package deploy holds the systemd units; this test checks them with
// systemd's own tools.
package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestUnits runs `systemd-analyze verify` on every unit and requires the
// services to score OK or better in `systemd-analyze security`. The binary
// path is pointed at an existing executable, since verify checks it.
func TestUnits(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("systemd-analyze not installed (Debian package systemd)")
	}
	dir := t.TempDir()
	bin, err := exec.LookPath("true")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"watcher.service", "watcher@.service", "watcher-once.service", "watcher-once.timer"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		unit := strings.ReplaceAll(string(data), "/usr/local/bin/watcher", bin)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(unit), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The template is checked as an instance, as systemd would load it:
	// verify finds watcher@.service beside watcher@r1.service.
	for _, name := range []string{"watcher.service", "watcher@r1.service", "watcher-once.service", "watcher-once.timer"} {
		t.Run(name, func(t *testing.T) {
			out, err := exec.Command("systemd-analyze", "verify", filepath.Join(dir, name)).CombinedOutput()
			if err != nil || len(strings.TrimSpace(string(out))) > 0 {
				t.Errorf("systemd-analyze verify %s: %v\n%s", name, err, out)
			}
			if !strings.HasSuffix(name, ".service") {
				return
			}
			out, err = exec.Command("systemd-analyze", "security", "--offline=true", filepath.Join(dir, name)).CombinedOutput()
			if err != nil {
				t.Fatalf("systemd-analyze security: %v\n%s", err, out)
			}
			m := regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+) (\w+)`).FindStringSubmatch(string(out))
			if m == nil {
				t.Fatalf("no exposure level in:\n%s", out)
			}
			t.Logf("%s: exposure %s %s", name, m[1], m[2])
			switch m[2] {
			case "PERFECT", "SAFE", "OK":
			default:
				t.Errorf("%s: exposure %s %s, want OK or better", name, m[1], m[2])
			}
		})
	}
}

// TestTemplateUnitRunsAReplica checks the template starts the watcher as
// the replica its instance names, and keeps the daemon's notify protocol.
func TestTemplateUnitRunsAReplica(t *testing.T) {
	data, err := os.ReadFile("watcher@.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\nExecStart=/usr/local/bin/watcher --config /etc/watcher/config.yaml --replica %i\n",
		"\nType=notify\n",
		"\nWatchdogSec=",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("watcher@.service lacks %q", strings.TrimSpace(want))
		}
	}
}
