package parallel_test

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/internal/parallel"
)

// TestForEachEveryIndexOnce: every index is run exactly once for any
// worker count, including more workers than tasks and no tasks.
func TestForEachEveryIndexOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000} {
		for _, w := range []int{0, 1, 2, 5, 2000} {
			seen := make([]atomic.Int32, n)
			parallel.ForEach(n, w, func(i int) { seen[i].Add(1) })
			for i := range seen {
				require.Equal(t, int32(1), seen[i].Load(), "n=%d workers=%d index %d", n, w, i)
			}
		}
	}
}
