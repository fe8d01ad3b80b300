package theorems

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// lambertW0 solves w e^w = y on the principal branch by Newton from w = 0
// (y in (-1/e, 0)): the test's own reference, not the code under test.
func lambertW0(y float64) float64 {
	w := 0.0
	for range 100 {
		ew := math.Exp(w)
		w -= (w*ew - y) / (ew * (w + 1))
	}
	return w
}

// TestClipMeanExpQuadrature: the closed form against a composite Simpson
// rule of clip_c(x - 1 + e) e^-e on [0, 40] (the test's own quadrature),
// for several x and c, and x - e^(x-2) for c = 1 on [0, 2).
func TestClipMeanExpQuadrature(t *testing.T) {
	simpson := func(x, c float64) float64 {
		const n, top = 400000, 40.0
		h := top / n
		g := func(e float64) float64 { return math.Max(-c, math.Min(c, x-1+e)) * math.Exp(-e) }
		s := g(0) + g(top)
		for i := 1; i < n; i++ {
			w := 2.0
			if i%2 == 1 {
				w = 4
			}
			s += w * g(float64(i)*h)
		}
		return s * h / 3
	}
	for _, c := range []float64{0.3, 1, 2.5} {
		for _, x := range []float64{-3, -0.7, 0, 0.158594, 0.9, 1.9, 4} {
			require.InDelta(t, simpson(x, c), ClipMeanExp(x, c), 1e-9, "x = %v, c = %v", x, c)
		}
	}
	for _, x := range []float64{0, 0.5, 1.99} {
		require.InDelta(t, x-math.Exp(x-2), ClipMeanExp(x, 1), 1e-15)
	}
}

// TestClipBiasStudies: symmetric noise, no bias (zero of m at 0, signs
// agree); the centred exponential, m(0) = -e^-2 and the zero at
// -W0(-e^-2) = 0.158594 (Lambert W by Newton here).
func TestClipBiasStudies(t *testing.T) {
	bs, err := ClipBiasStudies()
	require.NoError(t, err)
	require.Len(t, bs, 3)
	for _, b := range bs[:2] {
		require.True(t, b.Symmetric)
		require.Zero(t, b.SignMismatches, b.Noise)
		require.InDelta(t, 0, b.Zero, 1e-11, b.Noise)
		require.InDelta(t, 0, b.M0, 1e-12, b.Noise)
		require.Contains(t, b.Verdict, "no bias")
	}
	e := bs[2]
	require.False(t, e.Symmetric)
	require.InDelta(t, -math.Exp(-2), e.M0, 1e-15)
	want := -lambertW0(-math.Exp(-2))
	require.InDelta(t, 0.158594, want, 5e-7)
	require.InDelta(t, want, e.Zero, 1e-11)
	require.Positive(t, e.SignMismatches) // on (0, x*) m < 0 < f'
	require.Contains(t, e.Verdict, "biased")
}
