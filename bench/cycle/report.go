package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"time"
)

// printHeader says what was run, with the fetch settings as the watcher
// read them.
func printHeader(w io.Writer, o options, b bounds) {
	fmt.Fprintf(w, "latency %s, %d hosts; fetch settings of %s (per_host %d, host_delay %s, page_delay %s) "+
		"with concurrency %d, the floor's; the floor: the same hosts, concurrency %d, per host %d; %d topics\n\n",
		o.latency, o.hosts, shippedConfig, b.perHost, b.hostDelay, b.pageDelay, b.concurrency,
		b.concurrency, b.perHost, o.topics+3)
}

// printTable writes the results of the --once phases as Markdown.
func printTable(w io.Writer, rows []row) {
	fmt.Fprintln(w, "| N | cycle | wall s | floor s | ratio | CPU s | peak RSS MB | peak anon MB | requests | 304 | MB sent | in flight (floor) | new items | matched | state KB |")
	fmt.Fprintln(w, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %d | %s | %.2f | %.2f | %.2f | %.2f | %.1f | %.1f | %d | %d | %.1f | %d (%d) | %d | %d | %d |\n",
			r.n, r.phase, r.wall.Seconds(), r.floor.Seconds(), r.wall.Seconds()/r.floor.Seconds(),
			r.cpu.Seconds(), float64(r.rssKB)/1024, float64(r.anonKB)/1024, r.requests, r.notModified, float64(r.bytes)/1e6,
			r.inflight, r.floorInflight, r.newItems, r.matched, r.stateKB)
		for _, p := range r.peers {
			fmt.Fprintf(w, "|  | %s: %s | %.2f |  | %.2f | %.2f | %.1f |  |  |  |  |  |  |  |  |\n",
				r.phase, p.name, p.wall.Seconds(), r.wall.Seconds()/p.wall.Seconds(), p.cpu.Seconds(), float64(p.rssKB)/1024)
		}
	}
}

// printSoak writes a soak's summary as Markdown. Cycle 1 (cold, empty
// state) is reported apart; the figures are over the cycles with new
// items, and each slope is a least-squares fit over all of them and over
// their second half (past the warm-up of the heap and the state file).
func printSoak(w io.Writer, s soakResult) {
	if len(s.cycles) == 0 {
		return
	}
	c1 := s.cycles[0]
	fmt.Fprintf(w, "soak: %d feeds, %d daemon cycles at @every %s, %d new items a feed before every cycle after the first; "+
		"cycle 1 (cold): %s, RSS %.1f MB\n\n", s.n, len(s.cycles), s.every, newItems, c1.duration.Round(time.Millisecond), mb(c1.rssKB))
	cs := s.cycles[1:]
	if len(cs) < 2 {
		return
	}
	half := cs[len(cs)/2:]
	dur := func(c soakCycle) float64 { return float64(c.duration) / float64(time.Millisecond) }
	rss := func(c soakCycle) float64 { return mb(c.rssKB) }
	anon := func(c soakCycle) float64 { return mb(c.anonKB) }
	idle := func(c soakCycle) float64 { return mb(c.idleKB) }
	live := func(c soakCycle) float64 { return float64(c.liveMB) }
	fmt.Fprintln(w, "| N | cycles | new a cycle | cycle ms first / median / last | ms per 100 cycles (2nd half) | "+
		"RSS MB first / median / last | MB per 100 cycles (2nd half) | anon MB first / last (per 100, 2nd half) | idle RSS MB first / last (per 100, 2nd half) | live heap MB first / median / last (per 100, 2nd half) | peak RSS MB first / last | state MB first / last | late cycles |")
	fmt.Fprintln(w, "|---:|---:|---:|---|---|---|---|---|---|---|---|---|---:|")
	late := 0
	for _, c := range cs {
		if c.overlapped || c.failed > 0 || c.notReached > 0 {
			late++
		}
	}
	last := cs[len(cs)-1]
	fmt.Fprintf(w, "| %d | %d | %.0f | %.0f / %.0f / %.0f | %+.1f (%+.1f) | %.1f / %.1f / %.1f | %+.2f (%+.2f) | %.1f / %.1f (%+.2f) | %.1f / %.1f (%+.2f) | %s | %.1f / %.1f | %.1f / %.1f | %d |\n",
		s.n, len(s.cycles), median(cs, func(c soakCycle) float64 { return float64(c.newItems) }),
		dur(cs[0]), median(cs, dur), dur(last), 100*slope(cs, dur), 100*slope(half, dur),
		rss(cs[0]), median(cs, rss), rss(last), 100*slope(cs, rss), 100*slope(half, rss),
		anon(cs[0]), anon(last), 100*slope(half, anon),
		idle(cs[0]), idle(last), 100*slope(half, idle), liveHeap(cs, half, live),
		mb(cs[0].hwmKB), mb(last.hwmKB), float64(cs[0].stateKB)/1024, float64(last.stateKB)/1024, late)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "RSS, anon: right after the cycle's summary, the state still open (its file memory-mapped), with the cycle's garbage not yet collected; "+
		"idle RSS: before the next cycle, the state closed; live heap: after the collections that end the cycle, from the runtime's trace (whole MB).")
	fmt.Fprintln(w, "late cycles: began before the server had been advanced and warmed up for them, or had sources failed or not reached; "+
		"raise -soak-every if there are any.")
}

// liveHeap formats the live heap column, or "-" if the trace gave none.
func liveHeap(cs, half []soakCycle, live func(soakCycle) float64) string {
	for _, c := range cs {
		if c.liveMB < 0 {
			return "-"
		}
	}
	return fmt.Sprintf("%.0f / %.0f / %.0f (%+.2f)", live(cs[0]), median(cs, live), live(cs[len(cs)-1]), 100*slope(half, live))
}

func mb(kb int64) float64 { return float64(kb) / 1024 }

func median(cs []soakCycle, f func(soakCycle) float64) float64 {
	v := make([]float64, len(cs))
	for i, c := range cs {
		v[i] = f(c)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// slope is the least-squares slope of f over the cycle number: its change
// per cycle.
func slope(cs []soakCycle, f func(soakCycle) float64) float64 {
	if len(cs) < 2 {
		return 0
	}
	var mx, my float64
	for _, c := range cs {
		mx += float64(c.k)
		my += f(c)
	}
	n := float64(len(cs))
	mx, my = mx/n, my/n
	var sxy, sxx float64
	for _, c := range cs {
		dx := float64(c.k) - mx
		sxy += dx * (f(c) - my)
		sxx += dx * dx
	}
	return sxy / sxx
}

// writeSoakCSV writes every cycle of a soak, for plotting.
func writeSoakCSV(path string, ss []soakResult) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"n", "cycle", "seconds", "duration_ms", "new", "failed", "not_reached",
		"rss_kb", "anon_kb", "file_kb", "hwm_kb", "state_kb", "idle_kb", "live_mb", "overlapped"})
	for _, s := range ss {
		if len(s.cycles) == 0 {
			continue
		}
		t0 := s.cycles[0].at
		for _, c := range s.cycles {
			w.Write([]string{strconv.Itoa(s.n), strconv.Itoa(c.k), fmt.Sprintf("%.3f", c.at.Sub(t0).Seconds()),
				strconv.FormatInt(c.duration.Milliseconds(), 10), strconv.Itoa(c.newItems), strconv.Itoa(c.failed),
				strconv.Itoa(c.notReached), strconv.FormatInt(c.rssKB, 10), strconv.FormatInt(c.anonKB, 10),
				strconv.FormatInt(c.fileKB, 10), strconv.FormatInt(c.hwmKB, 10), strconv.FormatInt(c.stateKB, 10),
				strconv.FormatInt(c.idleKB, 10), strconv.FormatInt(c.liveMB, 10), strconv.FormatBool(c.overlapped)})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
