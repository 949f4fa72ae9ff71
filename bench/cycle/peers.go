package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// peerResult is one peer tool's cycle on the same feeds.
type peerResult struct {
	name      string
	wall, cpu time.Duration
	rssKB     int64
}

// peer is a tool a user might pick instead of the watcher. setup writes
// its files once; command is one run over every feed, which, like the
// watcher, remembers what it saw in its own state files between phases.
type peer struct {
	name    string
	binary  string
	setup   func(dir string, urls []string, threads int) error
	command func(ctx context.Context, dir string) *exec.Cmd
}

// peers are the tools from the system's packages (Debian: newsboat,
// urlwatch, rss2email). Each keeps its own cache between phases, as in
// real use; none sends mail.
var peers = []peer{
	{
		name: "newsboat", binary: "newsboat",
		setup: func(dir string, urls []string, threads int) error {
			if err := os.WriteFile(filepath.Join(dir, "urls"), []byte(strings.Join(urls, "\n")+"\n"), 0o600); err != nil {
				return err
			}
			conf := fmt.Sprintf("reload-threads %d\ndownload-timeout 60\n", threads)
			return os.WriteFile(filepath.Join(dir, "config"), []byte(conf), 0o600)
		},
		command: func(ctx context.Context, dir string) *exec.Cmd {
			return exec.CommandContext(ctx, "newsboat", "-u", filepath.Join(dir, "urls"), "-C", filepath.Join(dir, "config"),
				"-c", filepath.Join(dir, "cache.db"), "-x", "reload")
		},
	},
	{
		name: "urlwatch", binary: "urlwatch",
		setup: func(dir string, urls []string, _ int) error {
			var b strings.Builder
			for i, u := range urls {
				if i > 0 {
					b.WriteString("---\n")
				}
				fmt.Fprintf(&b, "url: %q\n", u)
			}
			if err := os.WriteFile(filepath.Join(dir, "urls.yaml"), []byte(b.String()), 0o600); err != nil {
				return err
			}
			conf := "display:\n  new: true\n  error: true\n  unchanged: false\nreport:\n  stdout:\n    enabled: true\n    color: false\n"
			return os.WriteFile(filepath.Join(dir, "urlwatch.yaml"), []byte(conf), 0o600)
		},
		command: func(ctx context.Context, dir string) *exec.Cmd {
			return exec.CommandContext(ctx, "urlwatch", "--urls", filepath.Join(dir, "urls.yaml"),
				"--config", filepath.Join(dir, "urlwatch.yaml"), "--cache", filepath.Join(dir, "cache.db"))
		},
	},
	{
		name: "rss2email", binary: "r2e",
		setup: func(dir string, urls []string, _ int) error {
			var b strings.Builder
			b.WriteString("[DEFAULT]\nto = desk@example.org\nfrom = watcher@example.org\nemail-protocol = sendmail\nsendmail = /bin/true\n")
			for i, u := range urls {
				fmt.Fprintf(&b, "\n[feed.f%d]\nurl = %s\n", i, u)
			}
			return os.WriteFile(filepath.Join(dir, "r2e.cfg"), []byte(b.String()), 0o600)
		},
		command: func(ctx context.Context, dir string) *exec.Cmd {
			return exec.CommandContext(ctx, "r2e", "-c", filepath.Join(dir, "r2e.cfg"), "-d", filepath.Join(dir, "r2e.json"), "run", "--no-send")
		},
	},
}

// runPeers times the installed peer tools on the same feeds and phase.
// Their first run sets them up; newsboat, the one with a thread count,
// gets the floor's concurrency.
func runPeers(ctx context.Context, dir string, b bounds, phase string) []peerResult {
	var out []peerResult
	for _, p := range peers {
		if _, err := exec.LookPath(p.binary); err != nil {
			continue
		}
		pd := filepath.Join(dir, p.name)
		if _, err := os.Stat(pd); err != nil {
			if err := os.MkdirAll(pd, 0o700); err != nil {
				continue
			}
			if err := p.setup(pd, b.urls, b.concurrency); err != nil {
				fmt.Fprintf(os.Stderr, "%s setup: %v\n", p.name, err)
				continue
			}
		}
		cmd := p.command(ctx, pd)
		cmd.Dir = pd
		cmd.Env = append(os.Environ(), "HOME="+pd, "XDG_CONFIG_HOME="+pd, "XDG_DATA_HOME="+pd, "XDG_CACHE_HOME="+pd)
		r, err := timeCmd(cmd)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s (%s): %v\n", p.name, phase, err)
			continue
		}
		r.name = p.name
		out = append(out, r)
	}
	return out
}

func timeCmd(cmd *exec.Cmd) (peerResult, error) {
	start := time.Now()
	hwm, _, err := runPeak(cmd) // see runPeak for why not the rusage
	if err != nil {
		return peerResult{}, err
	}
	p := peerResult{wall: time.Since(start), rssKB: hwm}
	ps := cmd.ProcessState
	p.cpu = ps.UserTime() + ps.SystemTime()
	return p, nil
}
