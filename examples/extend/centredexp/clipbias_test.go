package centredexp_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/examples/extend/centredexp"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/update"
)

// TestClippingBias: clipping's bias (Koloskova, Hendrikx and Stich 2023;
// docs/math.md section 10). At a stationary point (grad f = 0), under the
// asymmetric centred exponential noise Z = s (E - 1) of
// this package, E clip_c(Z) is not 0: Monte Carlo (200000
// draws of the method's own update) against the closed form
//
//	E clip_c(Z) = -s e^{-(1 + c/s)} + s (k - 1 + e^{-k}) 1{k > 0},  k = 1 - c/s
//
// (E Z = 0, so E clip_c(Z) = -E(Z - c)+ + E(-c - Z)+, and E(E - a)+ = e^{-a},
// E(a - E)+ = a - 1 + e^{-a} for E ~ Exp(1), a >= 0), a z test at
// |z| > 5.73 (two-sided level 1e-8), and the estimate's distance from 0 at
// more than 5.73 standard errors (one z test at level 1e-8 that E clip = 0
// is rejected; the bias is about 125 standard errors). Under Gaussian noise
// it vanishes there (model's TestClippingUnbiasedUnderGaussianNoise).
func TestClippingBias(t *testing.T) {
	t.Parallel()
	const zCrit = 5.73
	s, c := 1.0, 0.5
	k := 1 - c/s
	want := -s*math.Exp(-(1+c/s)) + s*(k-1+math.Exp(-k))
	sys := model.System{F: objective.Homogeneous{D: 1, Atom: objective.Square{}}, Method: update.ClippedSGD{Clip: c},
		Agents: []model.Agent{{Noise: centredexp.CentredExp{Scale: s}}}}
	est, err := update.EstimateMoments(sys, []float64{0}, 0, 200000, model.NewRand(2023))
	require.NoError(t, err)
	m, se := est.Mean[0], est.MeanSE[0]
	require.Lessf(t, math.Abs(m-want)/se, zCrit, "E clip at the stationary point: Monte Carlo %g +- %g, closed form %g", m, se, want)
	require.Greaterf(t, math.Abs(m)/se, zCrit, "E clip at the stationary point %g +- %g is not distinguishable from 0", m, se)
	t.Logf("centred-exp (scale %g), clip %g: E clip(Z) = %.5f +- %.5f (closed form %.5f)", s, c, m, se, want)

}
