package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/watcher-news/watcher/config"
	"github.com/watcher-news/watcher/state"
	"github.com/watcher-news/watcher/watch"
)

// stateWait is how long a daemon's cycle waits for the state file when
// another process holds it: a `watcher status` holds it for a moment, a
// --once run for a cycle. Past it the cycle is logged as failed and the
// next tick tries again.
const stateWait = 30 * time.Second

// stopWait is how long the daemon waits, after the stop signal, for the
// running cycle to end (below the units' TimeoutStopSec of 45s).
const stopWait = 30 * time.Second

// daemonRun is the daemon's state between cycles: the configuration and
// Watcher in use (replaced by a reload), the one-cycle-at-a-time lock,
// and the scheduler's entry.
type daemonRun struct {
	ctx    context.Context
	g      globals
	log    *slog.Logger
	stdout io.Writer
	notify notifier

	mu      sync.Mutex // guards cfg, w, running, entry
	cfg     *config.Config
	w       *watch.Watcher
	running time.Time    // when the running cycle began; zero when idle
	entry   cron.EntryID // the schedule's entry in cron

	busy   chan struct{} // one slot: held while a cycle runs
	cycles sync.WaitGroup
	cron   *cron.Cron

	// mon takes, after every cycle and while the state file is still
	// open, what the HTTP listener serves and the metrics file holds.
	mon *monitor
}

// daemon runs cycles on the configured schedule until ctx is cancelled
// (SIGTERM or SIGINT): a first one at start (run_at_start), then one per
// tick. A cycle still running at the next tick makes that tick skip,
// never stack; on shutdown the running cycle is cancelled and waited for,
// so the state file is left consistent. The state file is open only
// during cycles. SIGHUP reloads the configuration. Under systemd
// (NOTIFY_SOCKET) it reports READY, STATUS, WATCHDOG and STOPPING.
func daemon(ctx context.Context, g globals, cfg *config.Config, w *watch.Watcher, stdout io.Writer, log *slog.Logger, mon *monitor) int {
	d := &daemonRun{ctx: ctx, g: g, log: log, stdout: stdout, notify: newNotifier(log),
		cfg: cfg, w: w, busy: make(chan struct{}, 1), mon: mon}
	cl := cronLogger{log}
	// Every job goes through d.tick's own lock, which a reload's new
	// entry shares with the old one (cron.SkipIfStillRunning would lock
	// per entry).
	d.cron = cron.New(cron.WithLocation(cfg.Location), cron.WithLogger(cl), cron.WithChain(cron.Recover(cl)))
	if err := d.schedule(cfg); err != nil {
		log.Error("invalid schedule", "schedule", cfg.Schedule, "err", err)
		return exitUsage
	}
	// The listener outlives the cycles: it stops after the last one.
	lctx, stopListener := context.WithCancel(context.WithoutCancel(ctx))
	defer stopListener()
	waitListener, err := mon.listen(lctx)
	if err != nil {
		log.Error("start the http listener", "err", err)
		return exitFailed
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	d.cron.Start()
	log.Info("watcher started", "version", version, "schedule", cfg.Schedule,
		"sources", len(cfg.Sources), "topics", len(cfg.Topics), "run_at_start", cfg.RunAtStart, "next_run", d.next(),
		"memory_limit_mb", memoryLimit()>>20)
	d.notify.ready(fmt.Sprintf("started; next cycle %s", d.nextText(cfg.RunAtStart)))
	if cfg.RunAtStart {
		// Counted before the goroutine starts: a stop signal at once
		// must not Wait before the first cycle's Add (the scheduler's
		// ticks are all done by the time its Stop returns).
		d.cycles.Add(1)
		go func() {
			defer d.cycles.Done()
			d.tick()
		}()
	}
	watchdog := d.notify.watchdogTicker()
	defer watchdog.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-hup:
			d.reload()
		case <-watchdog.C:
			d.watchdog()
		}
	}
	d.notify.stopping()
	log.Info("stopping: waiting for the running cycle to end")
	stopped := d.cron.Stop()
	done := make(chan struct{})
	go func() { <-stopped.Done(); d.cycles.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(stopWait):
		log.Error("a cycle did not end within 30s of the stop signal")
		return exitFailed
	}
	stopListener()
	waitListener()
	log.Info("watcher stopped")
	return exitOK
}

// schedule puts cfg's schedule in the scheduler in place of the current
// one. The zone goes into the spec, since the scheduler's own is fixed
// when it is made and a reload may change it.
func (d *daemonRun) schedule(cfg *config.Config) error {
	// The crawl's schedule, with the digest schedules' times added.
	sched, err := watch.CycleSchedule(cfg)
	if err != nil {
		return err
	}
	id := d.cron.Schedule(sched, cron.FuncJob(d.tick))
	d.mu.Lock()
	old := d.entry
	d.entry = id
	d.mu.Unlock()
	if old != 0 {
		d.cron.Remove(old)
	}
	return nil
}

// next is when the next scheduled cycle is due.
func (d *daemonRun) next() time.Time {
	d.mu.Lock()
	id := d.entry
	d.mu.Unlock()
	return d.cron.Entry(id).Next
}

// nextText says when the next cycle is due, for STATUS=.
func (d *daemonRun) nextText(now bool) string {
	if now {
		return "now"
	}
	if n := d.next(); !n.IsZero() {
		return n.Format(time.RFC3339)
	}
	return "not scheduled"
}

// tick runs one cycle unless one is running: with the configuration in
// use when it starts, on the state file opened for it alone.
func (d *daemonRun) tick() {
	select {
	case d.busy <- struct{}{}:
	default:
		d.log.Info("cycle skipped: the previous one is still running")
		return
	}
	d.cycles.Add(1)
	defer d.cycles.Done()
	defer func() { <-d.busy }()
	if d.ctx.Err() != nil {
		return // stopping: no new cycle
	}
	d.mu.Lock()
	cfg, w := d.cfg, d.w
	d.running = time.Now()
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.running = time.Time{}
		d.mu.Unlock()
	}()
	sum, err := d.runCycle(cfg, w)
	d.notify.status(statusLine(sum, err, d.nextText(false)))
}

// runCycle opens the state, runs one cycle on it and closes it. A
// PostgreSQL state is connected to afresh each cycle too: a connection
// and a look at the schema, small beside a cycle, and the daemon holds
// nothing between cycles whichever store it uses.
func (d *daemonRun) runCycle(cfg *config.Config, w *watch.Watcher) (sum watch.Summary, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cycle panicked: %v", r)
			d.log.Error("cycle panicked", "err", err)
		}
	}()
	store, err := openCycleStore(d.ctx, cfg, state.Options{Timeout: stateWait}, d.g.replica)
	if err != nil {
		d.log.Error("cycle not run: open state", "err", err)
		return watch.Summary{}, err
	}
	w.UseStore(store)
	sum, err = cycle(d.ctx, w, d.log)
	d.mon.refresh(d.ctx, cfg, store, &sum, err)
	w.UseStore(nil)
	if cerr := store.Close(); cerr != nil {
		d.log.Error("close state", "err", cerr)
		if err == nil {
			err = cerr
		}
	}
	// The daemon waits for the next cycle most of its life: give the
	// memory this cycle used and left back to the system now, rather
	// than hold the cycle's peak for minutes while the runtime returns it
	// bit by bit. Two collections: a sync.Pool keeps what it holds
	// through one, and bbolt's pool of page buffers, of the file just
	// closed, held up to 14 MB after a cycle with many writes (half the
	// idle heap, in every other cycle of a soak over 1,000 feeds).
	runtime.GC()
	debug.FreeOSMemory()
	return sum, err
}

// reload loads and validates the configuration file again. On success
// the next cycle uses it (a running cycle finishes on the old one); on
// any error the configuration in use stays, and the log says why.
func (d *daemonRun) reload() {
	d.notify.reloading()
	defer d.notify.ready("")
	d.log.Info("reloading the configuration", "file", d.g.config)
	cfg, err := loadConfig(d.g.config)
	var w *watch.Watcher
	if err == nil {
		w, err = watch.New(cfg, nil, watchOptions(d.log, d.stdout, d.g.replica))
	}
	if err == nil {
		err = d.schedule(cfg)
	}
	if err != nil {
		d.log.Error("reload failed: the configuration in use is unchanged", "file", d.g.config, "err", err)
		return
	}
	d.mu.Lock()
	d.cfg, d.w = cfg, w
	d.mu.Unlock()
	d.log.Info("configuration reloaded", "schedule", cfg.Schedule, "sources", len(cfg.Sources),
		"topics", len(cfg.Topics), "sinks", len(cfg.Alerts.Routes()), "next_run", d.next())
}

// stuckAfter is how long a cycle may run before the daemon stops telling
// the systemd watchdog that it is alive: the crawl's budget, ten delivery
// timeouts, and five minutes for the rest (commit, pruning).
func stuckAfter(cfg *config.Config, w *watch.Watcher) time.Duration {
	return w.Budget() + 10*cfg.Delivery.Timeout + 5*time.Minute
}

// watchdog tells systemd the daemon is alive, unless a cycle has run for
// longer than any healthy cycle does: then systemd's watchdog runs out
// and it restarts the service.
func (d *daemonRun) watchdog() {
	d.mu.Lock()
	started, cfg, w := d.running, d.cfg, d.w
	d.mu.Unlock()
	if !started.IsZero() {
		if ran := time.Since(started); ran > stuckAfter(cfg, w) {
			d.log.Error("a cycle has run far longer than its budget; no longer telling the watchdog we are alive",
				"running_for", ran.Round(time.Second))
			return
		}
	}
	d.notify.alive()
}

// statusLine is the last cycle's summary for systemctl status.
func statusLine(sum watch.Summary, err error, next string) string {
	at := time.Now().UTC().Format("15:04:05Z")
	if err != nil && sum.Sources == 0 {
		return fmt.Sprintf("last cycle %s failed: %v; next %s", at, err, next)
	}
	s := fmt.Sprintf("last cycle %s: %d sources, %d ok, %d failed, %d backed off, %d new, %d matched, %d sent",
		at, sum.Sources, sum.OK, sum.Failed, sum.BackedOff, sum.New, sum.Matched, sum.Sent)
	if sum.SendFailed+sum.Parked > 0 {
		s += fmt.Sprintf(", %d not delivered, %d parked", sum.SendFailed, sum.Parked)
	}
	if err != nil {
		s += " (with errors: see the log)"
	}
	return s + "; next " + next
}
