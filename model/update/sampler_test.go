package update_test

import (
	"testing"

	"github.com/sdeverify/sdeverify/model/compress"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/update"
)

// TestSampleDiagMinusRankOne checks the O(d) sampler's covariance against
// diag(D) - beta v v^T by z tests on all 10 entries for d = 4, for a generic
// case and the singular projection of RandK. 20 tests at level 1e-6/20.
func TestSampleDiagMinusRankOne(t *testing.T) {
	t.Parallel()
	const n = 200000
	alpha := 1e-6 / 20
	v := []float64{0.5, -1, 2, 0.25}
	d := len(v)
	rk := compress.RandK{K: 2}
	diagRK := make([]float64, d)
	betaRK := rk.ErrorCov(diagRK, v)
	cases := []struct {
		diag []float64
		beta float64
	}{
		{[]float64{1, 2, 5, 0.5}, 0.1},
		{diagRK, betaRK},
	}
	for i, c := range cases {
		cov := make([]mc.Moments, d*d)
		z := make([]float64, d)
		out := make([]float64, d)
		r := mc.Stream(46, i)
		for range n {
			for j := range z {
				z[j] = r.NormFloat64()
			}
			update.SampleDiagMinusRankOne(out, c.diag, v, c.beta, z)
			for j := range d {
				for l := j; l < d; l++ {
					want := -c.beta * v[j] * v[l]
					if j == l {
						want += c.diag[j]
					}
					cov[j*d+l].Add(out[j]*out[l] - want)
				}
			}
		}
		for j := range d {
			for l := j; l < d; l++ {
				if r := mc.ZTest(cov[j*d+l], 0, alpha); r.Reject {
					t.Errorf("case %d: covariance entry (%d,%d): %v", i, j, l, r)
				}
			}
		}
	}
}
