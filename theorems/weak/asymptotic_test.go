package weak_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/theorems/weak"
)

const quartic = `{"kind":"separable","dim":1,"atom":{"kind":"quartic"}}`

// TestExactOrderCoarseGrid: the grid of issue 23 that fooled the fit,
// DCSGD (Bernoulli p = 0.5, sigma0 = 0.5) on x^4/4 from x0 = 1.5 with eta
// 0.1 ... 0.0125 (the largest point within numerical error). Kept as
// given (Options.Fixed) the order of E f has no interval that claims the
// asymptotic regime (it was 0.879 [0.80, 0.96]); extended by the study it
// settles with an interval of half-width <= 0.05 containing 1 (measured:
// 1.013 [0.976, 1.050], to eta = 0.003125). E f alone (with its
// gradient-flow baseline), so that the study extends for it only.
// Deterministic.
func TestExactOrderCoarseGrid(t *testing.T) {
	t.Parallel()
	cfg := weakConfig(t, quartic, `[{"noise":{"kind":"gaussian","sigma0":0.5},"compressor":{"kind":"bernoulli","p":0.5}}]`, "dcsgd", 1.5)
	o := weak.Options{Etas: []float64{0.1, 0.05, 0.025, 0.0125}, Horizon: 2, Tests: weak.DefaultTests()[:1]}
	fixed := o
	fixed.Fixed = true
	res, err := weak.Exact(cfg, fixed, exact.Settings{})
	require.NoError(t, err)
	f := res.Fits[0]
	if f.Asymptotic {
		require.Truef(t, f.CI[0] <= 1 && 1 <= f.CI[1], "fixed grid: an asymptotic interval %v that excludes 1", f.CI)
	}
	res, err = weak.Exact(cfg, o, exact.Settings{})
	require.NoError(t, err)
	f = res.Fits[0]
	require.Truef(t, f.Asymptotic, "extended grid: %s", f.Note)
	require.Lessf(t, f.CI[0], 1.0, "order of E f %v (%s)", f.CI, res.Extended)
	require.Greaterf(t, f.CI[1], 1.0, "order of E f %v (%s)", f.CI, res.Extended)
	require.LessOrEqualf(t, (f.CI[1]-f.CI[0])/2, 0.05, "half-width of %v", f.CI)
	require.NotEmpty(t, res.Extended)
	require.Less(t, res.Points[len(res.Points)-1].Eta, 0.0125)
}

// TestExactOrderPositiveControl: with additive Gaussian noise DSGD is
// Euler-Maruyama of its SDE at h = eta (docs/math.md section 5), whose
// weak order is 1 under the hypotheses of Talay and Tubaro (smooth
// coefficients; here the drift x^3 is only locally Lipschitz, but the law
// stays in its stable region up to the mass the grid's floor counts): the
// study must find 1 within +-0.05. Deterministic.
func TestExactOrderPositiveControl(t *testing.T) {
	t.Parallel()
	cfg := weakConfig(t, quartic, `[{"noise":{"kind":"gaussian","sigma0":0.5}}]`, "dsgd", 1)
	res, err := weak.Exact(cfg, weak.Options{Etas: []float64{0.1, 0.05, 0.025, 0.0125}, Horizon: 2}, exact.Settings{})
	require.NoError(t, err)
	for _, f := range res.Fits[:2] {
		require.Truef(t, f.Asymptotic, "%s: %s", f.Test, f.Note)
		require.LessOrEqualf(t, math.Abs(f.Slope-1), 0.05, "%s: order %g %v", f.Test, f.Slope, f.CI)
		require.Truef(t, f.CI[0] <= 1 && 1 <= f.CI[1], "%s: interval %v", f.Test, f.CI)
	}
}

// TestExactOrderSecondOrderModel is the instrument's positive control for
// the SDE model (issues 23 and 26): DSGD with additive Gaussian noise on
// x^2/2 and on log cosh (globally Lipschitz gradient, bounded derivatives,
// constant covariance: inside the hypotheses of Li, Tai and E's
// second-order theorem, docs/math.md 7.3). The weak order of E f against
// the paper's first-order SDE must be 1 and against the second-order
// modified equation 2, each within +-0.05 with an interval containing it
// (measured: x^2/2 1.0000 [0.9987, 1.0013] and 1.9999 [1.981, 2.019]; log
// cosh 0.9999 [0.993, 1.007] and 1.9989 [1.950, 2.048]). The orders are
// read from the engine's numbers, which never saw the closed forms: the
// drift's correction (eta/2) f' f_xx is the only difference between the
// two runs. Deterministic.
func TestExactOrderSecondOrderModel(t *testing.T) {
	t.Parallel()
	for _, atom := range []string{"square", "logcosh"} {
		for _, c := range []struct {
			model string
			order float64
		}{{"", 1}, {exact.ModelSecondOrder, 2}} {
			cfg := weakConfig(t, `{"kind":"separable","dim":1,"atom":{"kind":"`+atom+`"}}`, `[{"noise":{"kind":"gaussian","sigma0":0.5}}]`, "dsgd", 1)
			res, err := weak.Exact(cfg, weak.Options{Etas: []float64{0.1, 0.05, 0.025, 0.0125}, Horizon: 2, Tests: weak.DefaultTests()[:1], Model: c.model}, exact.Settings{})
			require.NoError(t, err)
			f := res.Fits[0]
			require.Truef(t, f.Asymptotic, "%s, model %q: %s", atom, c.model, f.Note)
			require.LessOrEqualf(t, math.Abs(f.Slope-c.order), 0.05, "%s, model %q: order %g %v", atom, c.model, f.Slope, f.CI)
			require.Truef(t, f.CI[0] <= c.order && c.order <= f.CI[1], "%s, model %q: interval %v excludes %g", atom, c.model, f.CI, c.order)
		}
	}
	// DCSGD's mean update is f' too (unbiased compressors): the same
	// correction, with its own covariance (measured on x^2/2, a Bernoulli
	// p = 0.5 agent with sigma0 = 0.5 and an identity agent with 0.3:
	// 1.0003 [0.998, 1.003] and 1.9999 [1.972, 2.028]).
	cfg := weakConfig(t, `{"kind":"separable","dim":1,"atom":{"kind":"square"}}`,
		`[{"noise":{"kind":"gaussian","sigma0":0.5},"compressor":{"kind":"bernoulli","p":0.5}},{"noise":{"kind":"gaussian","sigma0":0.3},"compressor":{"kind":"identity"}}]`, "dcsgd", 1)
	res, err := weak.Exact(cfg, weak.Options{Etas: []float64{0.1, 0.05, 0.025, 0.0125}, Horizon: 2, Tests: weak.DefaultTests()[:1], Model: exact.ModelSecondOrder}, exact.Settings{})
	require.NoError(t, err)
	f := res.Fits[0]
	require.Truef(t, f.Asymptotic, "dcsgd: %s", f.Note)
	require.LessOrEqualf(t, math.Abs(f.Slope-2), 0.05, "dcsgd: order %g %v", f.Slope, f.CI)
	require.Truef(t, f.CI[0] <= 2 && 2 <= f.CI[1], "dcsgd: interval %v excludes 2", f.CI)
}

// TestSecondOrderModelRefused: the second-order model is implemented for
// DSGD and DCSGD only, and the Monte Carlo study does not simulate it: each
// refusal is an error naming the field, never a silent first-order run.
func TestSecondOrderModelRefused(t *testing.T) {
	t.Parallel()
	o := weak.Options{Etas: []float64{0.1, 0.05}, Horizon: 1, Model: exact.ModelSecondOrder, Paths: 40}
	_, err := weak.Exact(weakConfig(t, quartic, `[{"noise":{"kind":"gaussian","sigma0":0.5}}]`, "dsignsgd", 1), o, exact.Settings{})
	require.ErrorContains(t, err, "model")
	require.ErrorContains(t, err, "dsgd and dcsgd only")
	cfg := weakConfig(t, quartic, `[{"noise":{"kind":"gaussian","sigma0":0.5}}]`, "dsgd", 1)
	_, err = weak.Estimate(cfg, o)
	require.ErrorContains(t, err, "model")
	bad := o
	bad.Model = "third-order"
	_, err = weak.Exact(cfg, bad, exact.Settings{})
	require.ErrorContains(t, err, "third-order")
}
