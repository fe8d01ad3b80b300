package exact_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/examples"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
)

// weakExample is examples/name's system, x0, schedule value and horizon.
func weakExample(t *testing.T, name string) (model.System, float64, float64, float64) {
	t.Helper()
	b, err := examples.Read(name)
	require.NoError(t, err)
	cfg, err := mc.ParseConfig(b)
	require.NoError(t, err)
	run, err := cfg.Resolve()
	require.NoError(t, err)
	p, err := run.ExactProblem()
	require.NoError(t, err)
	return p.System, p.X0, p.Rate, cfg.Eta * float64(cfg.Steps)
}

// TestDivergenceWeakExamples: on the weak examples of DSGD and DCSGD (x0 = 1,
// T = 2) the bound on E f(x_{T/eta}) grows as eta decreases from 0.1 to
// 0.00625 and on to 0.0004 (its log10 overflows float64 from eta = 0.003
// or so; log10 log10 then carries it); it is astronomically above the
// SDE's E f(X_T) < 1 from eta = 0.05 on. DSignSGD's examples are not
// covered (bounded steps).
func TestDivergenceWeakExamples(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"weak-dsgd-sigma1-0.1.json", "weak-dsgd-sigma1-1.json", "weak-dcsgd-bernoulli.json"} {
		sys, x0, rate, horizon := weakExample(t, name)
		prev := math.Inf(-1)
		for _, eta := range []float64{0.1, 0.05, 0.025, 0.0125, 0.00625, 0.003125, 0.0015625, 0.00078125, 0.000390625} {
			k := int(math.Round(horizon / eta))
			b, err := exact.Divergence(sys, x0, exact.ConstSteps(eta*rate, k), exact.Growth{})
			require.NoError(t, err)
			require.True(t, b.Applies, name)
			require.Greater(t, b.Log10Log10, prev, "%s, eta = %g: log10 log10 of the bound, got %v, want above %v", name, eta, b.Log10Log10, prev)
			prev = b.Log10Log10
			if eta <= 0.05 {
				require.Greater(t, b.Log10, 1e6, "%s, eta = %g", name, eta)
			}
		}
	}
	for _, name := range []string{"weak-dsignsgd-gaussian.json", "weak-dsignsgd-cauchy.json"} {
		sys, x0, rate, horizon := weakExample(t, name)
		b, err := exact.Divergence(sys, x0, exact.ConstSteps(0.05*rate, int(math.Round(horizon/0.05))), exact.Growth{})
		require.NoError(t, err)
		require.False(t, b.Applies, name)
		require.Contains(t, b.Why, "bounded")
	}
}
