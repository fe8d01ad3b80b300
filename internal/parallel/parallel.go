// Package parallel runs independent tasks on a bounded number of
// goroutines, with results that do not depend on the worker count: the
// parallel-for of the Monte Carlo engine (model/mc), the exact engine
// (model/exact), the weak-error studies and the report. Index:
//
//   - [ForBlocks]: contiguous ranges of blocks, one per worker (per-worker
//     scratch by the worker index);
//   - [ForEach]: tasks of unequal cost, each worker taking the next;
//   - [Workers]: how many goroutines ForBlocks uses.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// ForBlocks calls fn(w, b) for every block b in [0, n), split into
// contiguous ranges over at most workers goroutines (0: GOMAXPROCS); w is
// the worker's index, for per-worker scratch. fn must write only to what
// block b owns; a caller that reduces the blocks' results in block order
// then gets the same numbers for any worker count.
func ForBlocks(n, workers int, fn func(w, b int)) {
	workers = Workers(workers, n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := w * n / workers; b < (w+1)*n/workers; b++ {
				fn(w, b)
			}
		}()
	}
	wg.Wait()
}

// ForEach calls fn(i) for every i in [0, n) on at most workers goroutines
// (0: GOMAXPROCS), each goroutine taking the next unclaimed index: tasks of
// unequal cost, given longest first, keep every worker busy. fn must write
// only to what task i owns, so the results do not depend on workers.
func ForEach(n, workers int, fn func(i int)) {
	workers = Workers(workers, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// Workers returns how many goroutines ForBlocks(n, workers, ...) uses: the
// worker indices it passes are below this number.
func Workers(workers, n int) int {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return max(1, min(workers, n))
}
