package weak

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/examples"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
)

func exampleRun(t *testing.T, name string) mc.Problem {
	t.Helper()
	b, err := examples.Read(name)
	require.NoError(t, err)
	cfg, err := mc.ParseConfig(b)
	require.NoError(t, err)
	p, err := cfg.Problem()
	require.NoError(t, err)
	return p
}

// TestFunctional: a study's statement of what it measures names the
// engine's truncation, and for DSGD and DCSGD the lower bound on Def. 3's
// E f(x_{T/eta}) (exact.Divergence's numbers on the weak examples, x0 = 1,
// T = 2); DSignSGD's steps are bounded, so its exact study measures
// E g(x_k) itself.
func TestFunctional(t *testing.T) {
	t.Parallel()
	pts := []Point{{Eta: 0.05}, {Eta: 0.00625}}
	run := exampleRun(t, "weak-dsgd-sigma1-0.1.json")
	got := exactFunctional(run, exact.Settings{}, pts, 2)
	require.Contains(t, got, "R = 4: a path that leaves is frozen where it lands")
	require.Contains(t, got, "E f(x_{T/eta}) >= 10^(1.04e+20) at eta = 0.05, 10^(4.57e+154) at eta = 0.00625")
	require.Contains(t, got, "F8")
	got = exactFunctional(run, exact.Settings{Absorb: true, Radius: 10}, pts, 2)
	require.Contains(t, got, "R = 10: the mass that leaves the grid [-R, R] is killed")
	got = mcFunctional(run, Options{Paths: 400, Substeps: 10, Horizon: 2}, pts)
	require.Contains(t, got, "over the 400 paths drawn from the discrete method")
	require.Contains(t, got, "never among 400 paths")

	got = exactFunctional(exampleRun(t, "weak-dcsgd-bernoulli.json"), exact.Settings{}, pts, 2)
	require.Contains(t, got, "10^(1.23e+20) at eta = 0.05")

	sign := exampleRun(t, "weak-dsignsgd-gaussian.json")
	got = exactFunctional(sign, exact.Settings{}, pts, 2)
	require.Contains(t, got, "|x_k| <= |x0| + eta sum_j eta_j <= 3 < R, so nothing leaves the grid and this is Def. 3's E g(x_k) itself")
	got = mcFunctional(sign, Options{Paths: 400, Substeps: 10, Horizon: 2}, pts)
	require.Contains(t, got, "this estimates Def. 3's E g(x_k) itself")
}

// TestEstimateStatesFunctional: Estimate fills Result.Functional.
func TestEstimateStatesFunctional(t *testing.T) {
	t.Parallel()
	b, err := examples.Read("weak-dsgd-sigma1-1.json")
	require.NoError(t, err)
	cfg, err := mc.ParseConfig(b)
	require.NoError(t, err)
	res, err := Estimate(cfg, Options{Etas: []float64{0.1, 0.05}, Horizon: 1, Paths: 40, Seed: 1})
	require.NoError(t, err)
	require.Contains(t, res.Functional, "over the 40 paths drawn from the discrete method")
	require.Contains(t, res.Functional, "at eta = 0.05")
}
