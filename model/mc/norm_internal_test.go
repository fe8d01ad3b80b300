package mc

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestNorm2Beyond checks the divergence test against its definition (some
// |x_j| > thresh, or NaN) and the squared norm against a plain sum, for
// every length from 1 to 40, the offending coordinate at every position,
// and thresholds finite, at the largest float64 and infinite.
func TestNorm2Beyond(t *testing.T) {
	t.Parallel()
	for _, thresh := range []float64{1e10, 2.5, math.MaxFloat64, math.Inf(1)} {
		tb := math.Float64bits(thresh)
		for d := 1; d <= 40; d++ {
			sq := thresh * thresh * (1 - float64(d)*0x1p-52)
			g, x := make([]float64, d), make([]float64, d)
			var want float64
			for j := range g {
				g[j] = float64(j%7) - 2.5
				x[j] = math.Min(thresh, 1) * float64(j%5) / 5
				want += g[j] * g[j]
			}
			gn2, bad := norm2Beyond(g, x, tb, sq)
			require.InDelta(t, want, gn2, 1e-12*want, "d = %d", d)
			require.False(t, bad, "d = %d, thresh %v: nothing exceeds", d, thresh)
			for pos := range d {
				for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -math.MaxFloat64, math.Nextafter(thresh, math.Inf(1)), -thresh, thresh, math.Sqrt(math.MaxFloat64) * 2} {
					old := x[pos]
					x[pos] = v
					want := math.IsNaN(v) || math.Abs(v) > thresh
					_, bad := norm2Beyond(g, x, tb, sq)
					require.Equal(t, want, bad, "d = %d, thresh %v, x[%d] = %v", d, thresh, pos, v)
					x[pos] = old
				}
			}
		}
	}
}
