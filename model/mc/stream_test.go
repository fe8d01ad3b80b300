package mc_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model/mc"
)

// TestStreamsDiffer: neighbouring paths and seeds give different streams.
func TestStreamsDiffer(t *testing.T) {
	t.Parallel()
	seen := map[uint64]bool{}
	for s := uint64(0); s < 4; s++ {
		for p := range 64 {
			v := mc.Stream(s, p).Uint64()
			require.False(t, seen[v], "seed %d path %d repeats a first draw", s, p)
			seen[v] = true
		}
	}
}
