package mc_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model/mc"
)

// TestParetoKHat: on 20,000 draws the tail shape is recovered for Pareto
// tails P(Y > y) = y^(-alpha), where k = 1/alpha (alpha = 1, 1.5, 2.5, 5:
// within 3 (1 + k)/sqrt(M), three of the estimator's asymptotic standard
// deviations at M = 425 tail draws), a Student-t with 3 degrees of freedom has k = 1/3, and light tails
// (normal, exponential) give k < 0.2, far from the 1/2 that would refuse
// their normal intervals. Deterministic for the seed.
func TestParetoKHat(t *testing.T) {
	t.Parallel()
	r := mc.Stream(42, 0)
	const s = 20000
	draw := func(f func() float64) []float64 {
		v := make([]float64, s)
		for i := range v {
			v[i] = f()
		}
		return v
	}
	for _, alpha := range []float64{1, 1.5, 2.5, 5} {
		k, m := mc.ParetoKHat(draw(func() float64 { return math.Pow(1-r.Float64(), -1/alpha) }))
		require.Equal(t, 425, m)
		t.Logf("alpha %g: k %.3f", alpha, k)
		require.InDeltaf(t, 1/alpha, k, 3*(1+1/alpha)/math.Sqrt(float64(m)), "pareto alpha %g", alpha)
	}
	k, _ := mc.ParetoKHat(draw(func() float64 {
		z := r.NormFloat64()
		var c float64
		for range 3 {
			g := r.NormFloat64()
			c += g * g
		}
		return z / math.Sqrt(c/3)
	}))
	t.Logf("student-t 3: k %.3f", k)
	require.InDelta(t, 1.0/3, k, 0.2, "student-t 3")
	for _, c := range []struct {
		name string
		f    func() float64
	}{{"normal", r.NormFloat64}, {"exponential", r.ExpFloat64}} {
		name := c.name
		k, _ := mc.ParetoKHat(draw(c.f))
		t.Logf("%s: k %.3f", name, k)
		require.Lessf(t, k, 0.2, "%s", name)
	}
	k, _ = mc.ParetoKHat(make([]float64, 100))
	require.True(t, math.IsNaN(k), "a flat sample has no tail")
	k, _ = mc.ParetoKHat([]float64{1, 2, 3})
	require.True(t, math.IsNaN(k), "too few values")
}
