package main

import (
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	sd "github.com/coreos/go-systemd/v22/daemon"
)

// notifier speaks systemd's sd_notify protocol through go-systemd: to the
// socket named by NOTIFY_SOCKET, when the service manager set it (a unit
// of Type=notify), and not at all otherwise.
type notifier struct {
	log *slog.Logger
	// watchdogEvery is how often to tell the watchdog we are alive: a
	// third of WATCHDOG_USEC (systemd suggests half; a third leaves room
	// for a slow machine), or 0 when no watchdog is set.
	watchdogEvery time.Duration
	// warned: a failed send is logged once, not every watchdog ping.
	warned *atomic.Bool
}

func newNotifier(log *slog.Logger) notifier {
	n := notifier{log: log, warned: new(atomic.Bool)}
	interval, err := sd.SdWatchdogEnabled(false)
	if err != nil {
		log.Warn("systemd watchdog settings not understood; not using the watchdog", "err", err)
	}
	if interval > 0 {
		n.watchdogEvery = interval / 3
		log.Info("systemd watchdog enabled", "interval", interval)
	}
	return n
}

// send sends one message; a failure is logged (the first only), never fatal.
func (n notifier) send(state string) {
	if _, err := sd.SdNotify(false, state); err != nil && !n.warned.Swap(true) {
		n.log.Warn("sd_notify failed; systemd may not see this daemon's state (logged once)",
			"state", strings.SplitN(state, "=", 2)[0], "err", err)
	}
}

// ready says the daemon is loaded and running, with a status line if given.
func (n notifier) ready(status string) {
	msg := sd.SdNotifyReady
	if status != "" {
		msg += "\nSTATUS=" + oneLine(status)
	}
	n.send(msg)
}

// reloading says a reload has begun; ready ends it.
func (n notifier) reloading() {
	n.send(sd.SdNotifyReloading + "\n" + sd.SdNotifyMonotonicUsec())
}

// status sets the line systemctl status shows.
func (n notifier) status(s string) { n.send("STATUS=" + oneLine(s)) }

// alive pings the watchdog.
func (n notifier) alive() { n.send(sd.SdNotifyWatchdog) }

// stopping says the daemon is shutting down.
func (n notifier) stopping() { n.send(sd.SdNotifyStopping) }

// watchdogTicker ticks when the watchdog is due a ping; without a
// watchdog it never ticks.
func (n notifier) watchdogTicker() *time.Ticker {
	if n.watchdogEvery <= 0 {
		t := time.NewTicker(time.Hour)
		t.Stop()
		return t
	}
	return time.NewTicker(n.watchdogEvery)
}

// oneLine keeps a status on one line: the protocol is one assignment a line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
