package watch

import "sync"

// flushKeys is how many keys (seen and touched, and one per source) the
// sources that matched nothing gather before they are written, while the
// crawl goes on: about the store's own transaction bound.
const flushKeys = 4096

// flusher writes, while the crawl goes on, the outcomes of the sources
// that matched nothing, a batch at a time, so that a cycle over 20,000
// sources holds no more of their keys in memory than a batch and the
// matched ones. Those sources have no item that a digest must carry, so
// writing them before the digest loses nothing in a crash: their items are
// seen, and none of them was due in a digest. The sources with matches
// are written at the end, in one transaction with the digest (commit),
// but for the keys they still list, which go out in these batches (see
// add).
//
// Batches are written by one goroutine, so a worker waits for the state
// file only when two batches are due at once.
type flusher struct {
	w     *Watcher
	mu    sync.Mutex
	batch []*sourceOutcome
	keys  int
	queue chan []*sourceOutcome
	done  chan struct{}
	err   error // the first failed write: later batches wait for the final commit
	// touches are the touch parts taken (see add), each with the outcome
	// it was taken from: one not written by the end goes back to it.
	touches []touchPart
}

type touchPart struct{ part, from *sourceOutcome }

func newFlusher(w *Watcher) *flusher {
	f := &flusher{w: w, queue: make(chan []*sourceOutcome, 1), done: make(chan struct{})}
	go f.run()
	return f
}

// add takes a finished outcome; those with matches, and those not to be
// recorded, are left for the final commit, but for the keys such a source
// still lists (touched): those are taken now, as a part of their own.
// Touching only moves the seen time of keys already seen, so writing it
// before the digest loses nothing in a crash, and a feed lists some fifty
// items for every one or two that are new: held to the end, a cycle with
// news over 20,000 sources kept some 50 MB of touched keys alive.
func (f *flusher) add(o *sourceOutcome) {
	if o.skip || o.interrupted {
		return
	}
	f.mu.Lock()
	if len(o.hits) > 0 || o.health != nil {
		if len(o.touched) == 0 {
			f.mu.Unlock()
			return
		}
		p := &sourceOutcome{src: o.src, touched: o.touched, part: true}
		f.touches = append(f.touches, touchPart{p, o})
		o.touched, o = nil, p
	}
	f.batch = append(f.batch, o)
	f.keys += len(o.seen) + len(o.touched) + 1
	var full []*sourceOutcome
	if f.keys >= flushKeys {
		full, f.batch, f.keys = f.batch, nil, 0
	}
	f.mu.Unlock()
	if full != nil {
		f.queue <- full
	}
}

func (f *flusher) run() {
	defer close(f.done)
	for batch := range f.queue {
		if f.failed() {
			continue // left for the final commit, which reports the error
		}
		if err := f.w.commit(batch, nil, 0, nil); err != nil {
			f.mu.Lock()
			if f.err == nil {
				f.err = err
			}
			f.mu.Unlock()
			continue
		}
		for _, o := range batch {
			o.flushed = true
			o.seen, o.touched = nil, nil
			o.newItems, o.fresh = len(o.fresh), nil // archived: let go of the text
		}
	}
}

func (f *flusher) failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err != nil
}

// close writes nothing more: what is left in the batch (and whatever a
// failed write left) goes to the final commit, touched keys taken from a
// source with matches back to its outcome. It waits for the writes in
// progress.
func (f *flusher) close() {
	close(f.queue)
	<-f.done
	for _, t := range f.touches {
		if !t.part.flushed {
			t.from.touched = t.part.touched
		}
	}
	f.touches = nil
}
