package theorems_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems"
)

// TestCappedSDEDoesNotDoublePaths: an SDE whose integrator hits its
// substep floor is INCONCLUSIVE, and more paths cannot change that when the
// paths are independent (here B = 0: the first paths are unchanged, so the
// capped ones stay capped): the check stops at its pilot of 16 paths
// instead of running the configured 40 and doubling up to MaxPaths. The
// full run is run here to show that it is capped too. (Monte Carlo only: in d = 1
// the law would decide it; TestExactSDEClosedForm.)
func TestCappedSDEDoesNotDoublePaths(t *testing.T) {
	t.Parallel()
	cfg, err := mc.ParseConfig([]byte(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"square","c":50}},"x0":[3],
		"agents":[{"noise":{"kind":"gaussian","sigma0":1}}],"method":"dsgd","model":{"kind":"discrete"},
		"eta":0.05,"schedule":{"kind":"constant"},"steps":20,"paths":40,"seed":1,"checkpoints":{"at":[20]}}`))
	require.NoError(t, err)
	s, err := theorems.AdmissibleSchedule(theorems.Thm4(), cfg, theorems.Options{}, 0.5, nil)
	require.NoError(t, err)
	cfg.Schedule = s
	// One substep at most: the adaptive integrator wants more at x0 = 3.
	sde := model.ModelSpec{Kind: "sde", Scheme: "em", Substeps: 1, Stiffness: 0.01, MaxSubsteps: 1}
	rep, err := theorems.Check(theorems.Thm4(), cfg, theorems.Options{SDE: &sde, MaxPaths: 640, Targets: []string{"sde"}, SDEEngine: mc.EngineMonteCarlo})
	require.NoError(t, err)
	require.NotNil(t, rep.Resolution)
	require.False(t, rep.Resolution.Resolved, "the integrator must be capped for this test: %+v", rep.Resolution)
	for _, v := range rep.Verdicts {
		if v.Target == "sde" && v.Outcome != "" {
			require.Equal(t, theorems.Inconclusive, v.Outcome)
			require.Equal(t, 16, v.Paths, "a capped SDE was run beyond its pilot")
			require.Contains(t, v.Reason, "of the first 16")
		}
	}
	require.Zero(t, rep.Constants.B, "the pilot is decisive only when nothing reads the gradient")
	r, err := cfg.Resolve()
	require.NoError(t, err)
	require.NoError(t, theorems.SDERun(&r, sde))
	res, err := mc.Simulate(r)
	require.NoError(t, err)
	require.Positive(t, res.Substeps.CappedPaths, "the full run is capped as the pilot said")
}
