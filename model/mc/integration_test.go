package mc_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
)

// coupledCfg is a four-dimensional DCSGD SDE with a QSGD agent (the
// mixture diffusion) under the pathwise reading, so that twins read their
// own paths.
const coupledCfg = `{"objective":{"kind":"separable","dim":4,"atom":{"kind":"cosh","a":2}},"x0":[1],
  "agents":[{"noise":{"kind":"gaussian","sigma1":0.5},"compressor":{"kind":"randk","k":2}},
            {"noise":{"kind":"student-t","nu":5,"scale":[0.3]},"compressor":{"kind":"qsgd","s":2}}],
  "method":"dcsgd","model":{"kind":"sde"},"eta":0.2,
  "schedule":{"kind":"normalized","num":1,"a":1,"b":1,"reading":"pathwise","decay":{"kind":"inv-sqrt"}},
  "steps":60,"paths":200,"seed":5,"checkpoints":{"count":5}}`

func resolveCfg(t *testing.T, cfg string) mc.Run {
	t.Helper()
	c, err := mc.ParseConfig([]byte(cfg))
	require.NoError(t, err)
	run, err := c.Resolve()
	require.NoError(t, err)
	return run
}

// TestCoupledKeepsTheRun: a coupled run's own statistics are those of the
// same run uncoupled, to the bit, and the coupled run does not depend on
// the number of workers.
func TestCoupledKeepsTheRun(t *testing.T) {
	t.Parallel()
	run := resolveCfg(t, coupledCfg)
	plain, err := mc.Simulate(run)
	require.NoError(t, err)
	var outs []string
	for _, w := range []int{1, 2, 3} {
		r := run
		r.Coupled, r.Workers = true, w
		res, err := mc.Simulate(r)
		require.NoError(t, err)
		for i, c := range res.Checkpoints {
			require.NotNil(t, c.Coupled)
			c.Coupled = nil
			require.Equal(t, plain.Checkpoints[i], c)
		}
		b, err := json.Marshal(res)
		require.NoError(t, err)
		outs = append(outs, string(b))
		require.Equal(t, plain.Substeps, res.Substeps)
	}
	require.Equal(t, outs[0], outs[1])
	require.Equal(t, outs[0], outs[2])
	// Twins for a subset: the run's statistics are still its own, the
	// twins' are over the first 50 paths.
	r := run
	r.Coupled, r.CoupledPaths = true, 50
	sub, err := mc.Simulate(r)
	require.NoError(t, err)
	for i, c := range sub.Checkpoints {
		require.LessOrEqual(t, c.Coupled.Diff.F.N, 50)
		require.Greater(t, c.Coupled.Diff.F.N, 40)
		c.Coupled = nil
		require.Equal(t, plain.Checkpoints[i], c)
	}
	_, err = mc.Simulate(mc.Run{Coupled: true})
	require.Error(t, err)
}

// TestIntegrationErrorGBM: on f = x^2/2 with noise sigma1 = 1 (one agent)
// the SDE is a geometric Brownian motion with E X_t^2 = exp((eta - 2) t).
// The configured integrator (one tamed substep per step of 0.2) is biased
// by about 15% at t = 2; IntegrationError must see that bias at its first
// level, refine until its bias bound is within a quarter of the standard
// error, and the result must then lie within 4 standard errors of the exact
// value (two two-sided tests at 6e-5 each when the bias is within its
// allowance; deterministic for the seed). The unrefined run must miss by
// more than 3 standard errors (it does by 3.6), or the test would show
// little.
func TestIntegrationErrorGBM(t *testing.T) {
	t.Parallel()
	cfg := `{"objective":{"kind":"separable","dim":1,"atom":{"kind":"square","c":1}},"x0":[1],
	 "agents":[{"noise":{"kind":"gaussian","sigma1":1}}],"method":"dsgd","model":{"kind":"sde"},
	 "eta":0.2,"schedule":{"kind":"constant"},"steps":10,"paths":4000,"seed":1,"checkpoints":{"at":[5,10]}}`
	run := resolveCfg(t, cfg)
	exact := func(tm float64) float64 { return math.Exp((0.2 - 2) * tm) }
	plain, err := mc.Simulate(run)
	require.NoError(t, err)
	last := plain.Checkpoints[len(plain.Checkpoints)-1]
	require.Greater(t, math.Abs(last.Dist2.Mean-exact(2)), 3*last.Dist2.SE, "the unrefined run is within 3 se: the test shows little")

	res, in, err := mc.IntegrationError(run, mc.Refinement{})
	require.NoError(t, err)
	require.True(t, in.Resolved, in.Reason)
	require.Greater(t, len(in.Levels), 1)
	require.Greater(t, in.Levels[0].Worst, 1.0)
	for _, c := range res.Checkpoints[1:] {
		require.LessOrEqualf(t, math.Abs(c.Dist2.Mean-exact(c.Time)), 4*c.Dist2.SE, "t=%g: %.6g ± %.2g, exact %.6g", c.Time, c.Dist2.Mean, c.Dist2.SE, exact(c.Time))
		b := c.Coupled.Bias()
		require.LessOrEqual(t, math.Abs(b.Dist2.Mean)+2*b.Dist2.SE, 0.25*c.Dist2.SE+1e-9*c.Dist2.Mean)
	}
}

// TestIntegrationErrorUnresolved: a level cap too low for the allowance
// leaves the run unresolved with the reason, never resolved.
func TestIntegrationErrorUnresolved(t *testing.T) {
	t.Parallel()
	run := ouRun(1, 1, 1, mc.SDE, model.Integrator{Substeps: 1, MaxSubsteps: 1}, 20000, 3)
	run.Eta = 0.5
	_, in, err := mc.IntegrationError(run, mc.Refinement{MaxLevel: 1})
	require.NoError(t, err)
	require.False(t, in.Resolved)
	require.Contains(t, in.Reason, "last level allowed")
	_, _, err = mc.IntegrationError(run, mc.Refinement{Fraction: -1})
	require.ErrorContains(t, err, "fraction = -1")
}
