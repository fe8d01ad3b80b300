package mc_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model/mc"
)

// TestSumsMatchMoments: the shifted sums give Welford's mean to 1e-12 and
// M2 to 1e-7 relative, also for a mean of 1e6 against a spread of 1e-2,
// where the data themselves are rounded to ~1e-10 = 1e-8 of the spread, so
// that no two summation orders agree better than ~1e-8.
func TestSumsMatchMoments(t *testing.T) {
	t.Parallel()
	r := mc.Stream(1, 0)
	for _, c := range []struct{ mean, sd float64 }{{0, 1}, {1e6, 1e-2}, {-3, 1e3}} {
		var s mc.Sums
		var m mc.Moments
		for range 64 {
			x := c.mean + c.sd*r.NormFloat64()
			s.Add(x)
			m.Add(x)
		}
		got := s.Moments()
		require.Equal(t, m.N, got.N)
		require.InEpsilon(t, m.Mean, got.Mean+1e-300, 1e-12)
		require.InEpsilon(t, m.M2, got.M2, 1e-7)
	}
	var a, b mc.Moments // Merge is Chan's formula: merging halves equals the whole.
	var whole mc.Moments
	for i := range 100 {
		x := math.Sin(float64(i))
		whole.Add(x)
		if i < 37 {
			a.Add(x)
		} else {
			b.Add(x)
		}
	}
	a.Merge(b)
	require.InDelta(t, whole.Mean, a.Mean, 1e-15)
	require.InDelta(t, whole.M2, a.M2, 1e-12)
}

// TestClopperPearson pins the exact interval to closed forms: k = 0 gives
// [0, 1 - (alpha/2)^(1/n)] and k = n gives [(alpha/2)^(1/n), 1].
func TestClopperPearson(t *testing.T) {
	t.Parallel()
	lo, hi := mc.ClopperPearson(0, 10, 0.05)
	require.Equal(t, 0.0, lo)
	require.InDelta(t, 1-math.Pow(0.025, 0.1), hi, 1e-12)
	lo, hi = mc.ClopperPearson(10, 10, 0.05)
	require.InDelta(t, math.Pow(0.025, 0.1), lo, 1e-12)
	require.Equal(t, 1.0, hi)
	require.InDelta(t, 2.5758, mc.ZCrit(0.01), 1e-4)
	require.InDelta(t, 0.5, mc.Quantile([]float64{0, 1}, 0.5), 0)
}

// TestZTestZeroSE: with a zero standard error the decision is exact and Z
// carries the sign of the difference (one-sided checks read it).
func TestZTestZeroSE(t *testing.T) {
	t.Parallel()
	r := mc.ZTestSE(-1, 0, 10, 0, 0.01)
	require.True(t, r.Reject)
	require.True(t, math.IsInf(r.Z, -1))
	r = mc.ZTestSE(2, 0, 10, 0, 0.01)
	require.True(t, math.IsInf(r.Z, 1))
	require.False(t, mc.ZTestSE(3, 0, 10, 3, 0.01).Reject)
}
