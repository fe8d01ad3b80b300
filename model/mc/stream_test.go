package mc_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model/mc"
)

// TestXoshiroReference pins xoshiro256++ to the reference implementation's
// output for the state {1, 2, 3, 4} (from the authors' C code:
// 41943041, 58720359, 3588806011781223, 3591011842654386).
func TestXoshiroReference(t *testing.T) {
	t.Parallel()
	x := mc.NewXoshiroState(1, 2, 3, 4)
	for i, want := range []uint64{41943041, 58720359, 3588806011781223, 3591011842654386} {
		require.Equal(t, want, x.Uint64(), "output %d", i)
	}
}

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
