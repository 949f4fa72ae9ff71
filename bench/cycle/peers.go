package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// peerResult is one peer tool's cycle on the same feeds.
type peerResult struct {
	name      string
	wall, cpu time.Duration
	rssKB     int64
}

// runPeers times the peer tools that are installed, on the same feeds and
// in the same phase. newsboat reloads all feeds with -x reload, sending
// conditional requests as the watcher does.
func runPeers(ctx context.Context, dir string, urls []string, phase string) []peerResult {
	var out []peerResult
	if _, err := exec.LookPath("newsboat"); err == nil {
		nb := filepath.Join(dir, "newsboat")
		os.MkdirAll(nb, 0o700)
		os.WriteFile(filepath.Join(nb, "urls"), []byte(strings.Join(urls, "\n")+"\n"), 0o600)
		os.WriteFile(filepath.Join(nb, "config"), []byte("reload-threads 16\ndownload-timeout 60\n"), 0o600)
		cmd := exec.CommandContext(ctx, "newsboat", "-u", filepath.Join(nb, "urls"), "-C", filepath.Join(nb, "config"),
			"-c", filepath.Join(nb, "cache.db"), "-x", "reload")
		if p, err := timeCmd(cmd); err == nil {
			p.name = "newsboat"
			out = append(out, p)
		} else {
			fmt.Fprintf(os.Stderr, "newsboat (%s): %v\n", phase, err)
		}
	}
	return out
}

func timeCmd(cmd *exec.Cmd) (peerResult, error) {
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return peerResult{}, err
	}
	p := peerResult{wall: time.Since(start)}
	ps := cmd.ProcessState
	p.cpu = ps.UserTime() + ps.SystemTime()
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		p.rssKB = ru.Maxrss
	}
	return p, nil
}
