package weak_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems/weak"
)

func weakConfig(t *testing.T, obj, agents, method string, x0 float64) mc.Config {
	t.Helper()
	c, err := mc.ParseConfig([]byte(fmt.Sprintf(`{"objective":%s,"x0":[%g],"agents":%s,"method":%q,"model":{"kind":"discrete"},
		"eta":0.1,"schedule":{"kind":"constant"},"steps":1,"paths":2,"seed":1,"checkpoints":{"at":[1]}}`, obj, x0, agents, method)))
	require.NoError(t, err)
	return c
}

// TestWeakOrnsteinUhlenbeck compares the estimated weak error of E f on OU
// (f = a x^2/2, N agents with N(0, s^2) noise) with its exact value:
// discrete mean q^k x0 and variance eta^2 v (1 - q^(2k))/(1 - q^2) with
// q = 1 - eta a, v = s^2/N; EM on m substeps of h = eta/m has mean
// r^n x0 and variance eta v h (1 - r^(2n))/(1 - r^2) with r = 1 - h a,
// n = m k, and the reference SDE is the extrapolation of EM at m and 2m
// substeps, whose mean of f is 2 E f(Y_2m) - E f(Y_m) exactly (Estimate).
// At the reported step the estimate must lie within z sigma of the exact
// difference (4 etas, level 1e-6/4 each), and that step must be within
// z sigma of the exact maximum. This checks the refined level's
// implementation (its bridges and substeps) as well as the coarse one's.
func TestWeakOrnsteinUhlenbeck(t *testing.T) {
	t.Parallel()
	const a, s, n, m, x0 = 1.5, 2.0, 3, 10, 1.0
	cfg := weakConfig(t, fmt.Sprintf(`{"kind":"separable","dim":1,"atom":{"kind":"square","c":%g}}`, a),
		fmt.Sprintf(`[{"noise":{"kind":"gaussian","sigma0":%g},"count":%d}]`, s, n), "dsgd", x0)
	res, err := weak.Estimate(cfg, weak.Options{Paths: 20000, Seed: 5, Substeps: m})
	require.NoError(t, err)
	z := mc.ZCrit(1e-6 / 4)
	v := s * s / n
	ef := func(mean, vr float64) float64 { return a / 2 * (mean*mean + vr) }
	for _, p := range res.Points {
		eta := p.Eta
		exact := func(k int) float64 {
			q := 1 - eta*a
			md, vd := math.Pow(q, float64(k))*x0, eta*eta*v*(1-math.Pow(q, 2*float64(k)))/(1-q*q)
			em := func(m int) float64 {
				h := eta / float64(m)
				r := 1 - h*a
				ms, vs := math.Pow(r, float64(m*k))*x0, eta*v*h*(1-math.Pow(r, 2*float64(m*k)))/(1-r*r)
				return ef(ms, vs)
			}
			return math.Abs(ef(md, vd) - (2*em(2*m) - em(m)))
		}
		e := p.Tests[0]
		require.InDelta(t, exact(e.Step), e.Err, z*e.SE, "eta %v step %d: estimate %v (se %v) vs exact %v", eta, e.Step, e.Err, e.SE, exact(e.Step))
		best := 0.0
		for k := 0; k <= p.Steps; k++ {
			best = math.Max(best, exact(k))
		}
		require.GreaterOrEqual(t, exact(e.Step), best-z*e.SE, "eta %v: the reported step is not the maximiser", eta)
		t.Logf("eta %-7v err %.4g (se %.2g) exact max %.4g; Var rel err %.3g (se %.2g)", eta, e.Err, e.SE, best, p.VarRel, p.VarRelSE)
	}
}

const quartic1D = `{"kind":"separable","dim":1,"atom":{"kind":"quartic"}}`

// TestWeakOrderDSGD: DSGD on x^4/4 with Figure 1's noise (variance
// sigma^2 |f'|^2), sigma in {0.1, 1}, x0 = 1, T = 2: the weak order of E f
// is 1 under the paper's assumptions, so the 95% interval of the fitted
// slope must contain 1 (level 0.05 each: a false failure here has
// probability at most 0.1, which is why this test is in the deep tier only
// when -short; see STATISTICS.md). The variance's relative error must shrink
// with eta for the right SDE.
func TestWeakOrderDSGD(t *testing.T) {
	t.Parallel()
	for _, sigma := range []float64{0.1, 1} {
		cfg := weakConfig(t, quartic1D, fmt.Sprintf(`[{"noise":{"kind":"gaussian","sigma1":%g}}]`, sigma), "dsgd", 1)
		res, err := weak.Estimate(cfg, weak.Options{Paths: 20000, Seed: 11})
		require.NoError(t, err)
		for _, f := range append(res.Fits, res.ODEFits...) {
			t.Logf("sigma %v: %-28s order %.3f [%.3f, %.3f] (systematic %.3f; local slope %.3f) over %v %s", sigma, f.Test, f.Slope, f.Lo, f.Hi, f.Systematic, f.Local, f.Used, f.Note)
		}
		fit := res.Fits[0]
		require.GreaterOrEqual(t, len(fit.Used), 3, "sigma %v: too few points above noise", sigma)
		require.True(t, fit.Lo <= 1 && 1 <= fit.Hi, "sigma %v: slope %.3f [%.3f, %.3f] excludes 1", sigma, fit.Slope, fit.Lo, fit.Hi)
	}
}

// TestWeakCouplingGain measures the coupling: on DSGD with Gaussian noise
// the variance of the paired difference must fall by at least 10x against
// independent noise (docs/math.md section 5). Deterministic for the seed.
func TestWeakCouplingGain(t *testing.T) {
	t.Parallel()
	cfg := weakConfig(t, quartic1D, `[{"noise":{"kind":"gaussian","sigma1":1}}]`, "dsgd", 1)
	o := weak.Options{Paths: 5000, Seed: 3, Etas: []float64{0.05}}
	cp, err := weak.Estimate(cfg, o)
	require.NoError(t, err)
	o.Independent = true
	in, err := weak.Estimate(cfg, o)
	require.NoError(t, err)
	a, b := cp.Points[0].Tests[0], in.Points[0].Tests[0]
	gain := (b.SE * b.SE) / (a.SE * a.SE)
	t.Logf("coupled se %.3g, independent se %.3g: variance reduced %.0fx (%s)", a.SE, b.SE, gain, cp.Coupled)
	require.GreaterOrEqual(t, gain, 10.0)
}

// TestWeakWrongDiffusion: E f alone cannot tell the right SDE from one whose
// diffusion is 1.5x too large (the gradient flow is also weak order 1 in
// E f), but the variance of x_K can: its relative error must be within
// noise or below 5% at the smallest eta for the right SDE and significantly
// away from 0 for the wrong one (z tests at level 1e-6 each).
func TestWeakWrongDiffusion(t *testing.T) {
	t.Parallel()
	cfg := weakConfig(t, quartic1D, `[{"noise":{"kind":"gaussian","sigma0":0.5,"sigma1":1}}]`, "dsgd", 1)
	z := mc.ZCrit(1e-6)
	for _, scale := range []float64{1, 1.5} {
		res, err := weak.Estimate(cfg, weak.Options{Paths: 20000, Seed: 9, Perturb: model.Perturbation{DiffusionScale: scale}})
		require.NoError(t, err)
		last := res.Points[len(res.Points)-1]
		for _, p := range res.Points {
			t.Logf("diffusion x%v eta %-7v E f err %.3g (se %.2g), Var rel err %.3g (se %.2g)", scale, p.Eta, p.Tests[0].Err, p.Tests[0].SE, p.VarRel, p.VarRelSE)
		}
		if scale == 1 {
			require.True(t, math.Abs(last.VarRel) < math.Max(0.05, z*last.VarRelSE), "right SDE: Var rel err %v (se %v)", last.VarRel, last.VarRelSE)
		} else {
			require.Greater(t, math.Abs(last.VarRel), z*last.VarRelSE, "wrong SDE not detected: Var rel err %v (se %v)", last.VarRel, last.VarRelSE)
			require.Greater(t, math.Abs(last.VarRel), 0.3)
		}
	}
}

// TestWeakOrderOtherMethods measures (and logs) the slopes of DCSGD (rand-k)
// and DSignSGD (Gaussian noise), which are not coupled. Their values are
// recorded, not asserted; the test asserts that the estimate has enough
// points above noise to give a slope.
func TestWeakOrderOtherMethods(t *testing.T) {
	t.Parallel()
	cases := []struct{ obj, agents, method string }{
		{`{"kind":"separable","dim":2,"atom":{"kind":"quartic"}}`, `[{"noise":{"kind":"gaussian","sigma0":0.3},"compressor":{"kind":"randk","k":1}}]`, "dcsgd"},
		{quartic1D, `[{"noise":{"kind":"gaussian","sigma0":1}}]`, "dsignsgd"},
	}
	for _, c := range cases {
		cfg := weakConfig(t, c.obj, c.agents, c.method, 1)
		res, err := weak.Estimate(cfg, weak.Options{Paths: 20000, Seed: 13})
		require.NoError(t, err)
		for _, f := range res.Fits {
			t.Logf("%s: %-20s order %.3f [%.3f, %.3f] (local slope %.3f) over %v %s (%s)", c.method, f.Test, f.Slope, f.Lo, f.Hi, f.Local, f.Used, f.Note, res.Coupled)
		}
		require.GreaterOrEqual(t, len(res.Fits[0].Used), 2, "%s: no slope", c.method)
	}
}

// TestExactOrderDSGD: with the exact engine (no Monte Carlo), DSGD on
// x^4/4 with Figure 1's noise (sigma1 = 0.1, x0 = 1, T = 2, eta in
// {0.1, 0.05, 0.025, 0.0125}) has weak order 1 in E f: the interval, whose
// width is the fit model's systematic part and the numerical error alone,
// contains 1 and is at most 0.05 on each side (measured: [0.962, 1.031]).
// Deterministic: no false-alarm probability.
func TestExactOrderDSGD(t *testing.T) {
	t.Parallel()
	cfg := weakConfig(t, `{"kind":"separable","dim":1,"atom":{"kind":"quartic"}}`, `[{"noise":{"kind":"gaussian","sigma1":0.1}}]`, "dsgd", 1)
	res, err := weak.Exact(cfg, weak.Options{}, exact.Settings{})
	require.NoError(t, err)
	f := res.Fits[0]
	require.Lessf(t, f.CI[0], 1.0, "order of E f: %v", f.CI)
	require.Greaterf(t, f.CI[1], 1.0, "order of E f: %v", f.CI)
	require.LessOrEqualf(t, (f.CI[1]-f.CI[0])/2, 0.05, "half-width of %v", f.CI)
}
