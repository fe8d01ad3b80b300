package rng

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestZigguratTables checks the ziggurat's construction, which the
// statistical tests see only through samples: every layer has area zigV
// (the rectangle x_i (f(x_{i+1}) - f(x_i)) for i >= 1), the top layer
// closes at the density's peak (x_1 (1 - f(x_1)) = zigV, the recursion's
// consistency condition), the fast-path share is above 98.5%, and every
// layer's threshold is a proper fraction of its width.
func TestZigguratTables(t *testing.T) {
	t.Parallel()
	x := func(i int) float64 { return zigW[i] * zigM } // right edge x_i, i >= 1
	for i := 1; i < zigN-1; i++ {
		area := x(i+1) * (zigF[i] - zigF[i+1])
		require.InDelta(t, zigV, area, 1e-12, "layer %d", i)
	}
	require.InDelta(t, zigV, x(1)*(1-zigF[1]), 1e-9, "top layer")
	var fast float64
	for i := range zigN {
		fast += float64(zigK[i]) / zigM
	}
	fast /= zigN
	require.Greater(t, fast, 0.985, "fast-path share (the reason for 256 layers)")
	for i := 2; i < zigN; i++ {
		require.True(t, zigK[i] > 0 && zigK[i] < zigM, "layer %d: threshold %d outside (0, 2^52)", i, zigK[i])
	}
	require.InDelta(t, zigR, x(zigN-1), 0, "x_{N-1} is the tail start")
	require.InDelta(t, math.Exp(-0.5*zigR*zigR), zigF[zigN-1], 0)
}

// TestZigguratWedge checks the wedge test's shortcuts against the exact
// predicate y < exp(-x^2/2) on a 200 x 200 grid over every layer's wedge
// (and slightly left of it, where the integer thresholds round): the
// chord and tangent bounds must never decide a point the other way. Points
// within 1e-9 of the curve are skipped (there the rounding of exp itself
// decides).
func TestZigguratWedge(t *testing.T) {
	t.Parallel()
	for i := uint64(1); i < zigN; i++ {
		lo, hi := zigX[i-1], zigX[i]
		for a := range 200 {
			ax := lo - 1e-9 + (hi-lo+1e-9)*float64(a)/199
			for b := range 200 {
				y := zigF[i] + (zigF[i-1]-zigF[i])*float64(b)/199
				f := math.Exp(-0.5 * ax * ax)
				if math.Abs(y-f) < 1e-9 {
					continue
				}
				if got := zigWedge(i, ax, y); got != (y < f) {
					t.Fatalf("layer %d (shape %v), x = %v, y = %v, f = %v: wedge test says %v", i, zigShape[i], ax, y, f, got)
				}
			}
		}
	}
}
