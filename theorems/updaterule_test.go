package theorems

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/update"
)

// ruleCfg is a deterministic configuration for the rule bounds' tests:
// a separable objective of one atom kind in dimension d, the start x0 for
// every coordinate, one agent of zero Gaussian noise unless sigma0 > 0.
func ruleCfg(atom string, d int, x0 float64, method string, params any, eta float64, steps int, sigma0 float64) mc.Config {
	p, err := json.Marshal(params)
	if err != nil {
		panic(err)
	}
	return mc.Config{Objective: objective.Spec{Kind: "separable", Dim: d, Atom: &model.AtomSpec{Kind: atom}}, X0: []float64{x0},
		Agents: []model.AgentSpec{{Noise: model.NoiseSpec{Kind: "gaussian", Sigma0: sigma0}}}, Method: method, MethodParams: p,
		Eta: eta, Schedule: model.ScheduleSpec{Kind: "constant"}, Steps: steps}
}

func mustCheck(t *testing.T, b RuleBound, cfg mc.Config) RuleReport {
	t.Helper()
	r, err := CheckRule(b, cfg)
	require.NoError(t, err)
	return r
}

// tightCases are, per bound, a configuration where the bound is close to
// equality (hand computations in each bound's test file).
func tightCases() map[string]mc.Config {
	return map[string]mc.Config{
		"clipped-gd":    ruleCfg("square", 1, 1, "clipped-sgd", update.ClippedSGD{Clip: 10}, 1, 5, 0),
		"normalized-gd": ruleCfg("square", 1, 0.01, "normalized-sgd", update.NormalizedSGD{Beta: 10}, 10, 5, 0),
		"l0l1-gd":       ruleCfg("square", 1, 1, "l0l1-gd", update.L0L1GD{L0: 1}, 1, 5, 0),
		"vankov-si":     ruleCfg("square", 1, 1, "l0l1-gd", update.L0L1GD{L0: 1}, 1, 5, 0),
	}
}

// TestRuleMutationFlagged: every bound divided by 4 is VIOLATED on its
// tight configuration (where the bound itself HOLDS), and the random
// search finds the mutant on some of 100 configurations: the checks can
// fail.
func TestRuleMutationFlagged(t *testing.T) {
	cases := tightCases()
	for _, b := range RuleBounds() {
		id := b.Info().ID
		cfg, ok := cases[id]
		require.True(t, ok, "no tight case for %s", id)
		require.Equal(t, Holds, mustCheck(t, b, cfg).Outcome, id)
		m := mustCheck(t, Tightened(b, 4), cfg)
		require.Equal(t, Violated, m.Outcome, "%s / 4: %s", id, m)
		require.Contains(t, m.Reason, "exceeds the bound")
		s, err := SearchRule(b, 100, 7)
		require.NoError(t, err)
		require.Zero(t, s.Violated, "%s: %+v", id, s.FirstViolation)
		require.Positive(t, s.MutantViolated, id)
	}
}

// TestCheckRuleBadInput: a configuration that does not build is an error
// naming the field and the value, never a panic.
func TestCheckRuleBadInput(t *testing.T) {
	_, err := CheckRule(ClippedGD{}, ruleCfg("square", 1, 1, "clipped-sgd", update.ClippedSGD{Clip: -1}, 1, 5, 0))
	require.ErrorContains(t, err, "clip")
	require.ErrorContains(t, err, "-1")
	cfg := ruleCfg("square", 2, 1, "l0l1-gd", update.L0L1GD{L0: 1}, 1, 5, 0)
	cfg.X0 = []float64{1, 2, 3}
	_, err = CheckRule(L0L1GDBound{}, cfg)
	require.ErrorContains(t, err, "x0")
	_, err = RuleBoundByID("clipped")
	require.ErrorContains(t, err, "bound")
	require.ErrorContains(t, err, `"clipped"`)
}

// TestCheckRuleHypotheses: noise, another method and a non-finite inf
// make the verdict VACUOUS, naming the hypothesis.
func TestCheckRuleHypotheses(t *testing.T) {
	r := mustCheck(t, ClippedGD{}, ruleCfg("cosh", 3, 1, "clipped-sgd", update.ClippedSGD{Clip: 1}, 0.1, 5, 0.5))
	require.Equal(t, NoClaim, r.Outcome)
	require.Contains(t, r.Reason, "exact gradients")
	r = mustCheck(t, ClippedGD{}, ruleCfg("square", 1, 1, "l0l1-gd", update.L0L1GD{L0: 1}, 1, 5, 0))
	require.Equal(t, NoClaim, r.Outcome)
	require.Contains(t, r.Reason, "method")
	for _, b := range RuleBounds() {
		_, err := RuleBoundByID(b.Info().ID)
		require.NoError(t, err)
		require.Contains(t, []string{GradeOurs, GradeSecondary, GradePrimary}, b.Info().Grade)
	}
}

// TestCheckRuleDimensionFree: the same one-dimensional path copied into
// every coordinate of x^2/2 in d = 4 scales G^2 and F0 by 4 alike and,
// with l1 = 0, the measure G^2/l0 too: the (L0,L1)-GD bound's ratio is the
// same as in d = 1 (a reference the code does not compute: the scaling).
func TestCheckRuleDimensionFree(t *testing.T) {
	r1 := mustCheck(t, L0L1GDBound{}, ruleCfg("square", 1, 0.7, "l0l1-gd", update.L0L1GD{L0: 2}, 0.8, 10, 0))
	r4 := mustCheck(t, L0L1GDBound{}, ruleCfg("square", 4, 0.7, "l0l1-gd", update.L0L1GD{L0: 2}, 0.8, 10, 0))
	require.Equal(t, Holds, r1.Outcome)
	require.InDelta(t, r1.WorstRatio, r4.WorstRatio, 1e-12*r1.WorstRatio)
	require.InDelta(t, 4*r1.F0, r4.F0, 1e-15)
	require.False(t, math.IsNaN(r4.FinalBound))
}
