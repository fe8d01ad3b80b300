package mc

import (
	"runtime"
	"sync/atomic"
)

// barrier starts the helper workers of a lockstep pass and waits for them.
// A pass of a small ensemble lasts tens of microseconds, less than it takes
// the OS to wake a sleeping thread, so a helper first spins (yielding its P
// with runtime.Gosched) for up to spinLimit checks and only then sleeps on
// its channel. The hand-off is race-free: a helper announces that it sleeps
// with a CAS on its flag and re-checks the epoch; the releaser wakes only a
// helper whose flag it clears itself.
type barrier struct {
	epoch   atomic.Uint64 // incremented by release; odd/even is irrelevant
	stopped atomic.Bool
	pending atomic.Int64 // helpers still working in this pass
	helpers []helper
}

type helper struct {
	seen     uint64
	sleeping atomic.Bool
	wake     chan struct{}
	_        [40]byte // keep helpers on separate cache lines
}

const spinLimit = 20000

func (b *barrier) init(n int) {
	b.helpers = make([]helper, n)
	for i := range b.helpers {
		b.helpers[i].wake = make(chan struct{}, 1)
	}
}

// release starts a pass on every helper.
func (b *barrier) release() {
	b.pending.Store(int64(len(b.helpers)))
	b.epoch.Add(1)
	b.wakeAll()
}

func (b *barrier) wakeAll() {
	for i := range b.helpers {
		h := &b.helpers[i]
		if h.sleeping.CompareAndSwap(true, false) {
			h.wake <- struct{}{}
		}
	}
}

// join waits until every helper has finished the pass.
func (b *barrier) join() {
	for n := 0; b.pending.Load() > 0; n++ {
		if n%64 == 63 {
			runtime.Gosched()
		}
	}
}

// done marks the calling helper's pass finished.
func (b *barrier) done() { b.pending.Add(-1) }

// stop ends the helpers' loops.
func (b *barrier) stop() {
	b.stopped.Store(true)
	b.epoch.Add(1)
	b.wakeAll()
}

// wait blocks helper i until the next pass; false means stop.
func (b *barrier) wait(i int) bool {
	h := &b.helpers[i]
	for n := 0; ; n++ {
		if ep := b.epoch.Load(); ep != h.seen {
			h.seen = ep
			return !b.stopped.Load()
		}
		if n < spinLimit {
			if n%64 == 63 {
				runtime.Gosched()
			}
			continue
		}
		h.sleeping.Store(true)
		if ep := b.epoch.Load(); ep != h.seen {
			if h.sleeping.CompareAndSwap(true, false) {
				continue // we cancelled our own sleep; take the new epoch
			}
			<-h.wake // the releaser cleared the flag and will send
			continue
		}
		<-h.wake
		n = 0
	}
}
