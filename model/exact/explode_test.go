package exact_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/compress"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/update"
)

// TestRadialExplosion: Figure 1's centre-top SDE (DCSGD, rand-k with
// omega = 4, sum x_j^4/4 in d = 1000, sigma1 = 0.1, eta = 0.1, no schedule)
// is certified to explode; the constants are checked by hand:
// s1 = (1 + omega) sigma1^2 = 0.05, a = omega + b, b = (d-k)/(k(d-1)),
// kappa = d s1 + a - b = 54, theta(p = 1) = 54 - 4 (0.05 + a) = 37.8,
// R0 = 4d/(eta theta) = 1058. Figure 1's left-top SDE (d = 1), which
// EscapeBound proves never reaches 1e10, is not (theta < 0 there), nor is a
// system too quiet to explode (sigma1 = 0.01), nor DSignSGD.
func TestRadialExplosion(t *testing.T) {
	t.Parallel()
	d := 1000
	x0 := make([]float64, d)
	for j := range x0 {
		x0[j] = 0.5
	}
	quartic := objective.Homogeneous{Atom: objective.Quartic{}, D: d}
	centre := model.System{F: quartic, Method: update.DCSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma1: 0.1}, Compressor: compress.RandK{K: 200}}}}
	ex, ok := exact.RadialExplosion(centre, 0.1, 1, x0, 200)
	require.True(t, ok)
	b := float64(d-200) / (200 * float64(d-1))
	a := 4 + b
	theta := (1000*0.05 + a - b) - 4*(0.05+a)
	require.Equal(t, 1.0, ex.P)
	require.InDelta(t, 4*1000/(0.1*theta), ex.R0, 1e-9*ex.R0)
	require.Greater(t, ex.Lower, 0.89)
	require.Contains(t, ex.Why, "explodes before T with positive probability")

	quiet := centre
	quiet.Agents = []model.Agent{{Noise: noise.Gaussian{Sigma1: 0.01}, Compressor: compress.RandK{K: 200}}}
	_, ok = exact.RadialExplosion(quiet, 0.1, 1, x0, 200)
	require.False(t, ok, "sigma1 = 0.01: kappa = 4.05 < 2 (s1 + a) for every p tried")

	left := model.System{F: objective.Homogeneous{Atom: objective.Quartic{}, D: 1}, Method: update.DSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma1: 3}}}}
	_, ok = exact.RadialExplosion(left, 0.01, 1, []float64{3}, 50)
	require.False(t, ok)
	esc, _, err := exact.EscapeBound(left, 0.01, 1, 3, 50, 1e10)
	require.NoError(t, err)
	require.Less(t, esc, 1e-8, "the two certificates would contradict each other")

	sign := centre
	sign.Method = update.DSignSGD
	sign.Agents = []model.Agent{{Noise: noise.Gaussian{Sigma1: 0.1}}}
	_, ok = exact.RadialExplosion(sign, 0.1, 1, x0, 200)
	require.False(t, ok)
}
