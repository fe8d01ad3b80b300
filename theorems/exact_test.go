package theorems_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems"
)

// TestExactSDEClosedForm: in d = 1 an SDE target is decided from its law,
// even where the Monte Carlo integrator would be held below what it needs
// (at most one substep here), and the exact engine's left-hand side
// matches the closed form.
// On f = L (x - x*)^2/2 with agents of variance sigma0^2 + sigma1^2 f'^2 and
// a constant rate c, y = X - x* has dE[y^2]/dt = -kappa E[y^2] + a with
// lambda = c L, a = c^2 eta mean(sigma0^2)/N, b = c^2 eta mean(sigma1^2) L^2/N,
// kappa = 2 lambda - b, so that Thm 4's left-hand side (A2 = 0) is
//
//	(1/T) int_0^T E f'^2 = (L^2/T) [y0^2 (1 - e^(-kappa T))/kappa + (a/kappa)(T - (1 - e^(-kappa T))/kappa)].
//
// Deterministic: no alpha.
func TestExactSDEClosedForm(t *testing.T) {
	t.Parallel()
	const l, xs, x0, eta, steps = 4.0, 0.5, 3.0, 0.05, 40
	cfg, err := mc.ParseConfig([]byte(`{"objective":{"kind":"quadratic","matrix":[[4]],"shift":[0.5]},"x0":[3],
		"agents":[{"noise":{"kind":"gaussian","sigma0":1,"sigma1":0.3}},{"noise":{"kind":"gaussian","sigma0":0.5}}],"method":"dsgd","model":{"kind":"discrete"},
		"eta":0.05,"schedule":{"kind":"constant"},"steps":40,"paths":40,"seed":1,"checkpoints":{"at":[10,40]}}`))
	require.NoError(t, err)
	s, err := theorems.AdmissibleSchedule(theorems.Thm4(), cfg, theorems.Options{}, 0.8, nil)
	require.NoError(t, err)
	cfg.Schedule = s
	sde := model.ModelSpec{Kind: "sde", Scheme: "em", Substeps: 1, Stiffness: 0.01, MaxSubsteps: 1}
	rep, err := theorems.Check(theorems.Thm4(), cfg, theorems.Options{SDE: &sde, Targets: []string{"sde"}})
	require.NoError(t, err)
	require.NotNil(t, rep.ExactSDE, "the law must decide")
	require.Nil(t, rep.Resolution, "no Monte Carlo run")
	run, err := cfg.Resolve()
	require.NoError(t, err)
	c := run.Schedule.Rate(model.StepInfo{})
	n := 2.0
	lam := c * l
	a := c * c * eta * ((1 + 0.25) / n) / n
	b := c * c * eta * (0.09 / n) * l * l / n
	kappa := 2*lam - b
	y0 := x0 - xs
	lhs := func(tt float64) float64 {
		e := -math.Expm1(-kappa*tt) / kappa
		return l * l / tt * (y0*y0*e + a/kappa*(tt-e))
	}
	decided := 0
	for _, v := range rep.Verdicts {
		require.Equal(t, mc.EngineExact, v.Engine)
		require.Len(t, v.Quantiles, len(theorems.FanQuantiles))
		want := lhs(v.Time)
		require.LessOrEqualf(t, math.Abs(v.Estimate-want), v.NumErr, "t = %g: exact engine %.10g (error %.2g), closed form %.10g", v.Time, v.Estimate, v.NumErr, want)
		require.Lessf(t, v.NumErr, 1e-3*want, "t = %g: error estimate %.2g on %.6g", v.Time, v.NumErr, want)
		if v.Outcome != "" {
			decided++
			require.Equal(t, theorems.Pass, v.Outcome, "Thm 4 holds for this SDE (Ito's formula with a true martingale): %s", v)
		}
		t.Logf("t = %g: %s; closed form %.10g", v.Time, v, want)
	}
	require.Equal(t, 2, decided)
}

// TestExactFallsBackToMonteCarlo: a law the exact engine cannot resolve
// (DSignSGD whose noise scale, 1e-7, would need a grid of far more than
// its 40,000 nodes) is left to Monte Carlo, and the report says why;
// -sde-engine exact makes the refusal an error instead.
func TestExactFallsBackToMonteCarlo(t *testing.T) {
	t.Parallel()
	cfg, err := mc.ParseConfig([]byte(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"}},"x0":[1],
		"agents":[{"noise":{"kind":"student-t","nu":3,"scale":[1e-7]}}],"method":"dsignsgd","model":{"kind":"discrete"},
		"eta":0.01,"schedule":{"kind":"constant"},"steps":20,"paths":40,"seed":1,"checkpoints":{"at":[20]}}`))
	require.NoError(t, err)
	cfg.Schedule, err = theorems.AdmissibleSchedule(theorems.Thm7(), cfg, theorems.Options{}, 0.5, &model.ScheduleSpec{Kind: "inv-sqrt"})
	require.NoError(t, err)
	rep, err := theorems.Check(theorems.Thm7(), cfg, theorems.Options{Targets: []string{"sde"}})
	require.NoError(t, err)
	require.Nil(t, rep.ExactSDE)
	require.Contains(t, rep.ExactUndecided, "cannot compute this law")
	for _, v := range rep.Verdicts {
		require.Empty(t, v.Engine, "a Monte Carlo verdict")
	}
	_, err = theorems.Check(theorems.Thm7(), cfg, theorems.Options{Targets: []string{"sde"}, SDEEngine: mc.EngineExact})
	require.ErrorIs(t, err, exact.ErrUnresolved)
}
