package theorems_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems"
)

// TestCappedSDEDoesNotDoublePaths: an SDE whose integrator hits its
// substep floor is INCONCLUSIVE, and doubling the paths cannot change that
// (the first paths are unchanged, so the capped ones stay capped): the check
// stops at the configured paths instead of doubling up to MaxPaths, while
// the discrete method, which has no integrator, still may.
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
	rep, err := theorems.Check(theorems.Thm4(), cfg, theorems.Options{SDE: &sde, MaxPaths: 640, Targets: []string{"sde"}})
	require.NoError(t, err)
	require.NotNil(t, rep.Resolution)
	require.False(t, rep.Resolution.Resolved, "the integrator must be capped for this test: %+v", rep.Resolution)
	for _, v := range rep.Verdicts {
		if v.Target == "sde" && v.Outcome != "" {
			require.Equal(t, theorems.Inconclusive, v.Outcome)
			require.Equal(t, 40, v.Paths, "a capped SDE was re-run with more paths")
		}
	}
}
