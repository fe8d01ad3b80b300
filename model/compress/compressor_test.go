package compress_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/compress"
	"github.com/sdeverify/sdeverify/model/mc"
)

// TestCompressorMoments checks each unbiased compressor on a fixed v in d = 5
// by z tests: E C(v)_j = v_j (5 tests), E[Phi_j Phi_l] equals the
// ErrorCov matrix diag(D) - beta v v^T (15 entries), and E||Phi||^2 equals
// omega ||v||^2 for Bernoulli and RandK (where the bound is attained), or
// does not exceed it for QSGD (one-sided: rejected only when the lower
// confidence limit is above the bound). 21 tests per compressor, 7
// compressors, each at level 1e-6/147.
func TestCompressorMoments(t *testing.T) {
	t.Parallel()
	const n = 200000
	alpha := 1e-6 / 147
	v := []float64{1.5, -0.2, 0, 3, -0.7}
	d := len(v)
	var vv float64
	for _, x := range v {
		vv += x * x
	}
	cases := []struct {
		c     model.Unbiased
		exact bool // E||Phi||^2 = omega ||v||^2
	}{
		{compress.Identity{}, true},
		{compress.Bernoulli{P: 0.3}, true},
		{compress.Bernoulli{P: 1}, true},
		{compress.RandK{K: 1}, true},
		{compress.RandK{K: 3}, true},
		{compress.QSGD{S: 1}, false},
		{compress.QSGD{S: 4}, false},
	}
	for i, c := range cases {
		require.NoError(t, c.c.Validate(d))
		diag := make([]float64, d)
		beta := c.c.ErrorCov(diag, v)
		mean := make([]mc.Moments, d)
		cov := make([]mc.Moments, d*d)
		var tot mc.Moments
		out := make([]float64, d)
		r := mc.Stream(45, i)
		for range n {
			c.c.Compress(out, v, r)
			var s float64
			for j := range d {
				mean[j].Add(out[j] - v[j])
				pj := out[j] - v[j]
				s += pj * pj
				for l := j; l < d; l++ {
					want := -beta * v[j] * v[l]
					if j == l {
						want += diag[j]
					}
					cov[j*d+l].Add(pj*(out[l]-v[l]) - want)
				}
			}
			tot.Add(s - c.c.Omega(d)*vv)
		}
		for j := range d {
			if r := mc.ZTest(mean[j], 0, alpha); r.Reject {
				t.Errorf("case %d (%T): biased in coordinate %d: %v", i, c.c, j, r)
			}
			for l := j; l < d; l++ {
				if r := mc.ZTest(cov[j*d+l], 0, alpha); r.Reject {
					t.Errorf("case %d (%T): E[Phi_%d Phi_%d] differs from ErrorCov: %v", i, c.c, j, l, r)
				}
			}
		}
		r2 := mc.ZTest(tot, 0, alpha)
		if c.exact && r2.Reject {
			t.Errorf("case %d (%T): E||Phi||^2 != omega ||v||^2: %v", i, c.c, r2)
		}
		if !c.exact && r2.Z > r2.Crit {
			t.Errorf("case %d (%T): E||Phi||^2 > omega ||v||^2: %v", i, c.c, r2)
		}
	}
}

// TestRandKOmegaAndAlpha pins RandK's constants to the hand derivation in
// its doc comment: omega = d/k - 1, b = (d-k)/(k(d-1)), alpha = omega + b = b d.
func TestRandKOmegaAndAlpha(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ d, k int }{{1000, 500}, {1000, 333}, {1000, 200}, {5, 1}, {1, 1}} {
		rk := compress.RandK{K: c.k}
		d, k := float64(c.d), float64(c.k)
		require.InDelta(t, d/k-1, rk.Omega(c.d), 1e-12)
		a, beta, ok := rk.Linear(c.d)
		require.True(t, ok)
		if c.d > 1 {
			b := (d - k) / (k * (d - 1))
			require.InDelta(t, b, beta, 1e-15)
			require.InDelta(t, d/k-1+b, a, 1e-12)
			require.InDelta(t, b*d, a, 1e-12)
		}
	}
}

func TestSignCompressor(t *testing.T) {
	t.Parallel()
	out := make([]float64, 4)
	model.Sign{}.Compress(out, []float64{-2, 0, 3, math.Copysign(0, -1)}, nil)
	require.Equal(t, []float64{-1, 0, 1, 0}, out)
}
