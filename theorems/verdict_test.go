package theorems

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model/mc"
)

// TestVerdictJSONNonFinite: non-finite numbers encode as null and decode as
// NaN, so a report of diverged paths still writes.
func TestVerdictJSONNonFinite(t *testing.T) {
	v := Verdict{Theorem: "thm4", Estimate: math.Inf(1), SE: math.NaN(), Bound: 2, Ratio: math.NaN(), Alpha: 1e-3, Time: 1,
		Quantiles: []float64{math.NaN(), 1}, Outcome: Fail}
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var back Verdict
	require.NoError(t, json.Unmarshal(b, &back))
	require.True(t, math.IsNaN(back.Estimate) && math.IsNaN(back.SE) && math.IsNaN(back.Quantiles[0]))
	require.Equal(t, 2.0, back.Bound)
	require.Equal(t, 1.0, back.Quantiles[1])
	require.Equal(t, Fail, back.Outcome)
}

// TestVerdictTextForPeople: the verdict's texts follow the formatter's
// conventions: an infinite left-hand side is "∞" with no standard error,
// the time is the configured decimal, a Pareto shape that rounds to zero
// is not "-0.00", and no text shows NaN, +Inf or Go syntax.
func TestVerdictTextForPeople(t *testing.T) {
	t.Parallel()
	v := Verdict{Theorem: "thm4", Reading: "ensemble", Target: "discrete", Time: 3 * 0.05, Outcome: Fail,
		Estimate: math.Inf(1), SE: math.NaN(), Bound: 14.35, Ratio: math.Inf(1), Paths: 2000, Diverged: 3, Alpha: 1.7e-7, Reason: "3 of 2000 paths diverged"}
	require.Equal(t, "thm4 ensemble/discrete t=0.15: FAIL, LHS ∞ vs bound 14.35, ratio ∞, 2000 paths (3 diverged), alpha 1.7e-7: 3 of 2000 paths diverged", v.String())
	x := Verdict{Theorem: "thm4", Reading: "ensemble", Target: "sde", Time: 1, Outcome: Pass, Engine: mc.EngineExact,
		Estimate: 0.5, NumErr: 1e-6, Bound: 2, Ratio: 0.25}
	require.Equal(t, "thm4 ensemble/sde t=1: PASS, LHS 0.5 (numerical error 1e-6, exact engine) vs bound 2, ratio 0.25", x.String())
	k := -0.001
	s := Verdict{Target: "discrete", TailK: &k, SE: 1}
	require.Equal(t, "k = 0.00 < 0.5", s.TailText(nil))
	heavy := 0.71
	s.TailK = &heavy
	require.Equal(t, "heavy tail: k = 0.71 (variance may be infinite)", s.TailText(nil))
	require.Equal(t, "-", s.BiasText())
	require.Equal(t, "no tail (flat or few values)", Verdict{Target: "discrete", Outcome: Pass}.TailText(nil))
	require.Equal(t, "-", Verdict{Target: "discrete", Outcome: Vacuous}.TailText(nil), "a VACUOUS verdict has no values")
	s.IntegrationBias = &mc.Stat{Mean: -0.00033, SE: 2e-5}
	s.SE = 0.0011
	require.Equal(t, "-0.00033 ± 2e-5 (0.3 se)", s.BiasText())
	s.IntegrationBias = &mc.Stat{Mean: math.NaN(), SE: math.NaN()}
	require.Equal(t, "-", s.BiasText())
}
