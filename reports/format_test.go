package reports

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/theorems"
)

// TestFormat: each kind of value prints for people (the examples
// of Go leaking into the outputs are the cases).
func TestFormat(t *testing.T) {
	t.Parallel()
	nan, inf := math.NaN(), math.Inf(1)
	for i, c := range []struct{ got, want string }{
		{Num(1.1547005383792517), "1.155"},
		{Num(nan), "-"},
		{Num(inf), "∞"},
		{Num(-inf), "-∞"},
		{Num(math.Copysign(0, -1)), "0"},
		{Num2(0.000123456), "0.00012"},
		{Param(0.15000000000000002), "0.15"},
		{Param(0.7000000000000001), "0.7"},
		{Param(2.0500000000000003), "2.05"},
		{Param(0.00625), "0.00625"},
		{Param(0.00078125), "0.00078125"},
		{Param(1.43740352428), "1.4374"},
		{Param(1e-12), "1e-12"},
		{Param(2e-7), "2e-7"},
		{Num(17790.4), "1.779e4"},
		{Num(3.938e83), "3.938e83"},
		{Num2(5.3e-7), "5.3e-7"},
		{Num(-1.5e-10), "-1.5e-10"},
		{Fixed(-0.001, 2), "0.00"},
		{Fixed(-0.2, 2), "-0.20"},
		{Interval(nan, nan), "-"},
		{Interval(0.98, 1.016), "[0.98, 1.016]"},
		{List(nil), "-"},
		{List([]float64{0.05, 0.025, 0.0125, 0.00625}), "0.05, 0.025, 0.0125, 0.00625"},
		{PlusMinus(3.916, 0.0031), "3.916 ± 0.0031"},
		{PlusMinus(inf, nan), "∞"},
		{WithErr(2.5, nan), "2.5"},
		{WithErr(2.5, 0.01), "2.5 (0.01)"},
		{Words(nil), "-"},
		{Outcomes(map[string]theorems.Outcome{"discrete": theorems.Pass, "sde": theorems.Fail}), "sde FAIL, discrete PASS"},
		{Percent(6, 200), "3%"},
		{Percent(1, 0), "-"},
		{worstOutcome("2 FAIL, 1 PASS"), "FAIL"}, // a claims cell's colour
		{worstOutcome("1 INCONCLUSIVE, 1 PASS"), "INCONCLUSIVE"},
	} {
		require.Equalf(t, c.want, c.got, "case %d", i)
	}
}

// TestVerdictText: a verdict with an infinite left-hand side and no
// standard error reads without NaN or Go's +Inf; a Pareto shape that
// rounds to zero is not "-0.00".
func TestVerdictText(t *testing.T) {
	t.Parallel()
	v := theorems.Verdict{Theorem: "thm4", Reading: "ensemble", Target: "discrete", Time: 0.15000000000000002, Outcome: theorems.Fail,
		Estimate: math.Inf(1), SE: math.NaN(), Bound: 14.35, Ratio: math.Inf(1), Paths: 2000, Diverged: 3, Alpha: 1.7e-7, Reason: "3 of 2000 paths diverged"}
	got := verdictLine(v)
	require.Equal(t, "thm4 ensemble/discrete t=0.15: FAIL, LHS ∞ vs bound 14.35, ratio ∞, 2000 paths (3 diverged), alpha 1.7e-7: 3 of 2000 paths diverged", got)
	k := -0.001
	r := &theorems.Report{Verdicts: []theorems.Verdict{{Target: "sde", Outcome: theorems.Pass, TailK: &k, SE: 1}}}
	_, tails := sdeEvidence(r)
	require.Equal(t, "k ≤ 0.00", tails)
	require.Equal(t, "k = 0.00 < 0.5", tailText(r.Verdicts[0], nil))
}
