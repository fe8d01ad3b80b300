package mc

import "github.com/sdeverify/sdeverify/internal/parallel"

// The parallel-for lives in internal/parallel, which the exact engine can
// import without the Monte Carlo engine. These names forward to it for
// the callers that have not switched yet (model/exact's ForEach calls,
// theorems/weak, the report): new code imports internal/parallel.

// ForBlocks is parallel.ForBlocks.
func ForBlocks(n, workers int, fn func(w, b int)) { parallel.ForBlocks(n, workers, fn) }

// ForEach is parallel.ForEach.
func ForEach(n, workers int, fn func(i int)) { parallel.ForEach(n, workers, fn) }

// Workers is parallel.Workers.
func Workers(workers, n int) int { return parallel.Workers(workers, n) }
