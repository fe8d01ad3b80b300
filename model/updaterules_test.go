package model_test

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/update"
)

// TestUpdateRuleParamsRefused: bad parameters are refused naming the field
// and the value, and the SDE of an update rule is refused where its
// coefficients would lack their error (d > 1, a noise law without a CDF).
func TestUpdateRuleParamsRefused(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, params, field string }{
		{"clipped-sgd", `{"clip": 0}`, "clip = 0"},
		{"clipped-sgd", `{"clip": -1}`, "clip = -1"},
		{"clipped-sgd", ``, "clip = 0"},
		{"normalized-sgd", `{"beta": -0.5}`, "beta = -0.5"},
		{"l0l1-gd", `{"l0": 0, "l1": 1}`, "l0 = 0"},
		{"l0l1-gd", `{"l0": 1, "l1": -2}`, "l1 = -2"},
		{"l0l1-gd", `{"l0": 1, "gamma": 2}`, "gamma"},
		{"dsgd", `{"clip": 1}`, "clip"},
		{"clipped-sdg", ``, "method"},
	} {
		_, err := model.BuildMethod(c.name, []byte(c.params))
		require.Error(t, err, "%s %s", c.name, c.params)
		require.Contains(t, err.Error(), c.field, "%s %s", c.name, c.params)
	}
	sq := objective.Homogeneous{D: 2, Atom: objective.Square{}}
	sys := model.System{F: sq, Method: update.ClippedSGD{Clip: 1}, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma0: 1}}}}
	require.NoError(t, sys.Validate())
	err := sys.ValidateSDE()
	require.Error(t, err)
	require.True(t, strings.HasPrefix(err.Error(), "objective.dim = 2"), err.Error())
	sys.F = objective.Homogeneous{D: 1, Atom: objective.Square{}}
	require.NoError(t, sys.ValidateSDE())
	sys.Agents[0].Noise = noCDF{noise.Gaussian{Sigma0: 1}}
	err = sys.ValidateSDE()
	require.Error(t, err)
	require.Contains(t, err.Error(), "agents[0].noise")
}

// noCDF is a noise law that does not give its CDF (the update.CDFer
// capability hidden).
type noCDF struct{ g noise.Gaussian }

func (n noCDF) Sample(dst, grad []float64, gn2 float64, r *model.Rand) { n.g.Sample(dst, grad, gn2, r) }
func (n noCDF) AddVariance(dst, grad []float64, gn2 float64) bool {
	return n.g.AddVariance(dst, grad, gn2)
}
func (n noCDF) AddSignMean(dst, grad []float64, gn2 float64) { n.g.AddSignMean(dst, grad, gn2) }
func (n noCDF) AddSignVar(dst, grad []float64, gn2 float64)  { n.g.AddSignVar(dst, grad, gn2) }
func (n noCDF) Validate(d int) error                         { return n.g.Validate(d) }

// TestClippingUnbiasedUnderGaussianNoise: under Gaussian noise the clipped
// SGD SDE's drift (MATH.md 8's closed form) is 0 at grad f = 0 (to
// rounding) and has the sign of the gradient elsewhere, so its fixed point
// is the stationary point (Koloskova, Hendrikx and Stich 2023; the
// asymmetric case is examples/extend/centredexp's TestClippingBias).
// Deterministic.
func TestClippingUnbiasedUnderGaussianNoise(t *testing.T) {
	t.Parallel()
	for _, c := range []float64{0.1, 0.5, 3} {
		g := model.System{F: objective.Homogeneous{D: 1, Atom: objective.Square{}}, Method: update.ClippedSGD{Clip: c}, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma0: 1}}}}
		d := []float64{0}
		for _, grad := range []float64{0, 1e-3, -1e-3, 0.3, -2, 5} {
			g.Drift(d, []float64{grad}, grad*grad)
			if grad == 0 {
				require.LessOrEqual(t, math.Abs(d[0]), 1e-15, "Gaussian: E clip at grad 0")
				continue
			}
			require.Equal(t, math.Signbit(grad), math.Signbit(d[0]), "Gaussian: E clip at grad %g is %g", grad, d[0])
			require.NotZero(t, d[0])
		}
	}
}
