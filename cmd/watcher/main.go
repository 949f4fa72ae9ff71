// Command watcher keeps watch on a developing news story: it reads feeds and
// pages, finds the items it has not seen before, matches them against the
// tracked topics and sends a digest of what is new.
//
// Usage:
//
//	watcher [--config FILE] [--once]       run on the schedule, or one cycle
//	watcher check [--config FILE]          validate the configuration
//	watcher match [--config FILE] [--explain] < items.jsonl
//	watcher status [--config FILE]         source health and pending digests
//	watcher fetch [--config FILE] [--json] NAME|URL   what a source yields now
//	watcher sources import FILE.opml       OPML subscriptions as sources entries
//	watcher sources export [--config FILE] feed sources as OPML 2.0
//	watcher test-sink [--config FILE] NAME send a test message to one sink
//	watcher version
//
// Exit codes: 0 success; 1 a run failed (state file, a digest not
// delivered: it is kept and retried, or no source could be read); 2 usage
// or configuration error. SIGHUP makes the daemon reload its configuration.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	// No heap profile is kept unless --memprofile asks for one (see
	// startProfiles). The runtime samples an allocation every 512 KB and
	// keeps, for good, a record of every call stack it sampled: a daemon
	// reading feeds of every shape meets new stacks cycle after cycle,
	// and in a 60-cycle soak those records grew by 22 KB a cycle.
	runtime.MemProfileRate = 0
	setMemoryLimit(memlimit.FromCgroup)
	// The handlers stay until the process exits: released before
	// os.Exit, a second SIGTERM in between (systemd's, a second Ctrl-C)
	// killed a daemon that had already stopped cleanly, and it exited
	// "terminated by signal" instead of 0.
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
