package exact_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	_ "github.com/sdeverify/sdeverify/examples/extend/centredexp"
	_ "github.com/sdeverify/sdeverify/examples/extend/stepdecay"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/update"
)

// mapCase is an agent-map configuration for the exact law's tests.
type mapCase struct {
	name, method, params, agents string
}

var mapCases = []mapCase{
	{"clipped gaussian", "clipped-sgd", `{"clip":0.5}`, `[{"noise":{"kind":"gaussian","sigma0":1}}]`},
	{"clipped student-t x2", "clipped-sgd", `{"clip":1}`, `[{"noise":{"kind":"student-t","nu":3,"scale":[0.5]},"count":2}]`},
	{"clipped centred-exp", "clipped-sgd", `{"clip":1}`, `[{"noise":{"kind":"centred-exp","scale":1}}]`},
	{"normalized gaussian", "normalized-sgd", `{"beta":0.5}`, `[{"noise":{"kind":"gaussian","sigma0":0.5,"sigma1":0.5}}]`},
	{"normalized sign student-t", "normalized-sgd", `{"beta":0}`, `[{"noise":{"kind":"student-t","nu":1.5,"scale":[1]}}]`},
	{"l0l1 gaussian x2", "l0l1-gd", `{"l0":1,"l1":2}`, `[{"noise":{"kind":"gaussian","sigma0":1}},{"noise":{"kind":"gaussian","sigma0":0.3,"sigma1":1}}]`},
}

// mapRun resolves a one-dimensional run of an agent-map case on
// f = log cosh x (or the objective given).
func mapRun(t testing.TB, c mapCase, obj string, x0, eta float64, steps, paths int, seed uint64) mc.Run {
	t.Helper()
	cf, err := mc.ParseConfig([]byte(fmt.Sprintf(`{"objective":%s,"x0":[%g],"agents":%s,"method":%q,"method_params":%s,"model":{"kind":"discrete"},
		"eta":%g,"schedule":{"kind":"constant"},"steps":%d,"paths":%d,"seed":%d,"checkpoints":{"every":1}}`, obj, x0, c.agents, c.method, c.params, eta, steps, paths, seed)))
	require.NoError(t, err)
	run, err := cf.Resolve()
	require.NoError(t, err)
	return run
}

const logcosh = `{"kind":"separable","dim":1,"atom":{"kind":"logcosh"}}`

// oneStepGap returns, for one step of the exact law from x0, the largest
// of |E x1 - (x0 - h m)| and |E x1^2 - ((x0 - h m)^2 + h^2 Sigma/N)| in
// units of the allowed error (the engine's error bar plus the reference's
// quadrature tolerance), with m and Sigma the SDE's coefficients at x0
// (exact.Coefficients: closed forms or agentmap.go's adaptive Simpson over
// the CDF, to 1e-8; a computation the law never uses), and the larger
// error bar.
func oneStepGap(t *testing.T, p exact.Problem) (ratio, errBar float64) {
	t.Helper()
	h := p.Eta
	// x and x^2 are exact under the grid's cubic interpolation: a coarse
	// grid suffices (and keeps the test cheap). One step moves by at most
	// h sup|T| < 1, so no mass leaves the grid (radius 2|x0| + 2): an
	// absorbing edge changes nothing and spares the third radius, whose
	// ratio of two rounding-level differences says nothing.
	vs, err := exact.Discrete(p, []func(float64) float64{func(x float64) float64 { return x }, func(x float64) float64 { return x * x }}, exact.Settings{Nodes: 400, Absorb: true})
	require.NoError(t, err)
	m, sigma := exact.Coefficients(p.System, p.X0)
	n := float64(len(p.System.Agents))
	mean := p.X0 - h*m
	want := []float64{mean, mean*mean + h*h*sigma/n}
	// quadTol 1e-8 on m and on E T^2 (model/update/agentmap.go), carried
	// through x0 - h m and its square.
	ref := []float64{2e-8 * h, 2e-8 * (2*math.Abs(mean)*h + h*h)}
	for f := range want {
		v := vs[f][1]
		ratio = math.Max(ratio, math.Abs(v.Value-want[f])/(v.Err+ref[f]))
		errBar = math.Max(errBar, v.Err)
	}
	return ratio, errBar
}

// TestAgentMapLawDrift: the exact one-step law of clipped SGD, normalised
// SGD and (L0,L1)-GD in d = 1 (quadrature over the noise's quantiles, with
// its atoms) has the SDE's drift and covariance one step ahead: E x1 - x0
// = -h m(x0) and Var x1 = h^2 Sigma(x0)/N, where m and Sigma come from the
// closed forms or adaptive Simpson over the CDF (a reference the law never
// saw), within the engine's error bar (which includes the change from
// quadrature level 1 to 2) plus the reference's 1e-8. Deterministic. The
// error bars must stay below 1e-6 (the check is not vacuous), and the
// mutation that drops the atoms fails it (TestAgentMapLawMutation).
func TestAgentMapLawDrift(t *testing.T) {
	t.Parallel()
	for _, c := range mapCases {
		for _, x0 := range []float64{-1.3, 0.2, 2} {
			p, err := mapRun(t, c, logcosh, x0, 0.1, 1, 2, 1).ExactProblem()
			require.NoError(t, err, c.name)
			ratio, bar := oneStepGap(t, p)
			t.Logf("%s, x0 = %g: gap/allowed %.3g, error bar %.3g", c.name, x0, ratio, bar)
			require.LessOrEqualf(t, ratio, 1.0, "%s, x0 = %g: the law's moments miss the SDE's coefficients by %.3g allowed errors", c.name, x0, ratio)
			require.Lessf(t, bar, 1e-5, "%s, x0 = %g: error bar %.3g", c.name, x0, bar)
		}
	}
}

// dropAtoms is clipped SGD whose exact law loses its point masses at
// +-clip (a mutation of the law: the clipped mass vanishes).
type dropAtoms struct{ update.ClippedSGD }

func (m dropAtoms) Law1D(s model.System, x, g, h float64, level int, add func(w, mean, sd float64)) {
	m.ClippedSGD.Law1D(s, x, g, h, level, func(w, mean, sd float64) {
		if mean == x-h*m.Clip || mean == x+h*m.Clip {
			return
		}
		add(w, mean, sd)
	})
}

// TestAgentMapLawMutation: TestAgentMapLawDrift's check fails when the
// clipped law drops its atoms (the mass beyond +-clip).
func TestAgentMapLawMutation(t *testing.T) {
	t.Parallel()
	p, err := mapRun(t, mapCases[0], logcosh, 0.2, 0.1, 1, 2, 1).ExactProblem()
	require.NoError(t, err)
	p.System.Method = dropAtoms{p.System.Method.(update.ClippedSGD)}
	ratio, _ := oneStepGap(t, p)
	t.Logf("mutant: gap/allowed %.3g", ratio)
	require.Greater(t, ratio, 1.0, "dropping the atoms went unnoticed")
}

// TestAgentMapLawMonteCarlo: E log cosh(x_k), k = 1..6, of the exact law
// against Monte Carlo of the discrete method itself (mc.Simulate: each
// agent clips, normalises or scales its own noisy gradient; 20000 paths),
// for three agent maps (an asymmetric noise law among them), within
// z(1e-6) standard errors plus the engine's error bar. 18 assertions at a
// false-alarm probability of 1e-6 each (two-sided): at most 1.8e-5
// together (STATISTICS.md).
func TestAgentMapLawMonteCarlo(t *testing.T) {
	t.Parallel()
	z := mc.ZCrit(1e-6)
	for i, c := range []mapCase{mapCases[2], mapCases[3], mapCases[5]} {
		run := mapRun(t, c, logcosh, 1.5, 0.2, 6, 20000, uint64(11+i))
		res, err := mc.Simulate(run)
		require.NoError(t, err)
		p, err := run.ExactProblem()
		require.NoError(t, err, c.name)
		ex, err := exact.Discrete(p, []func(float64) float64{func(x float64) float64 { return math.Log(math.Cosh(x)) }}, exact.Settings{Nodes: 600})
		require.NoError(t, err)
		for _, cp := range res.Checkpoints[1:] {
			e := ex[0][cp.Step]
			t.Logf("%s, step %d: Monte Carlo %.6g (se %.2g), exact %.6g (err %.2g)", c.name, cp.Step, cp.F.Mean, cp.F.SE, e.Value, e.Err)
			require.LessOrEqualf(t, math.Abs(cp.F.Mean-e.Value), z*cp.F.SE+e.Err, "%s, step %d: Monte Carlo %.6g (se %.2g), exact %.6g (err %.2g)", c.name, cp.Step, cp.F.Mean, cp.F.SE, e.Value, e.Err)
		}
	}
}

// noWidth is normalised SGD without its Width1D capability (a mutation:
// the grid is not raised to resolve the law's feature).
type noWidth struct{ m update.NormalizedSGD }

func (w noWidth) String() string { return w.m.String() }
func (w noWidth) ValidateAgent(p string, a model.Agent, d int) error {
	return w.m.ValidateAgent(p, a, d)
}
func (w noWidth) ValidateSDE(s model.System) error { return w.m.ValidateSDE(s) }
func (w noWidth) Step(s model.System, x, grad []float64, gn2, h float64, ws *model.Workspace, r *model.Rand) {
	w.m.Step(s, x, grad, gn2, h, ws, r)
}
func (w noWidth) Drift(s model.System, dst, grad []float64, gn2 float64) {
	w.m.Drift(s, dst, grad, gn2)
}
func (w noWidth) Diffuse(s model.System, dst, z, grad []float64, gn2 float64, ws *model.Workspace, r *model.Rand, drift []float64) bool {
	return w.m.Diffuse(s, dst, z, grad, gn2, ws, r, drift)
}
func (w noWidth) CheckLaw1D(s model.System) (bool, error) { return w.m.CheckLaw1D(s) }
func (w noWidth) Law1D(s model.System, x, g, h float64, level int, add func(w, mean, sd float64)) {
	w.m.Law1D(s, x, g, h, level, add)
}

// TestNormalizedSignResolved: normalised SGD with beta = 0 is SignSGD in
// d = 1, so its exact law (atoms from the quantile rule, on the
// interpolation grid raised by Width1D to resolve the sign probabilities,
// which change over sigma0 = 1/1024 at the minimiser; two agents) must agree with
// DSignSGD's exact lattice (no interpolation) within the two error bars,
// E log cosh(x_k), k = 1..12. Without Width1D (the mutant noWidth) the
// 300-node grid is blind to the feature and misses by more than its bar.
// Deterministic.
func TestNormalizedSignResolved(t *testing.T) {
	t.Parallel()
	agents := `[{"noise":{"kind":"gaussian","sigma0":0.0009765625,"sigma1":1}},{"noise":{"kind":"gaussian","sigma0":0.0009765625,"sigma1":0.5}}]`
	g := []func(float64) float64{func(x float64) float64 { return math.Log(math.Cosh(x)) }}
	// 12 steps move by at most 0.6; 300 nodes is the minimum asked for
	// (Width1D raises it to 11.5k: a spacing of sigma0/8 on the coarsest
	// check; the mutant keeps 300, a spacing of 4.7e-3, and misses by
	// 7.9 bars).
	st := exact.Settings{Radius: 0.7, Nodes: 300}
	ps, err := mapRun(t, mapCase{"sign", "dsignsgd", `{}`, agents}, logcosh, 7.62939453125e-06, 0.05, 12, 2, 1).ExactProblem()
	require.NoError(t, err)
	lat, err := exact.Discrete(ps, g, st)
	require.NoError(t, err)
	pn, err := mapRun(t, mapCase{"sign", "normalized-sgd", `{"beta":0}`, agents}, logcosh, 7.62939453125e-06, 0.05, 12, 2, 1).ExactProblem()
	require.NoError(t, err)
	nrm, err := exact.Discrete(pn, g, st)
	require.NoError(t, err)
	pn.System.Method = noWidth{pn.System.Method.(update.NormalizedSGD)}
	blind, err := exact.Discrete(pn, g, st)
	require.NoError(t, err)
	worst := 0.0
	for k := 1; k <= 12; k++ {
		a, b, c := lat[0][k], nrm[0][k], blind[0][k]
		require.LessOrEqualf(t, math.Abs(a.Value-b.Value), a.Err+b.Err, "step %d: lattice %.8g (err %.2g), normalized %.8g (err %.2g)", k, a.Value, a.Err, b.Value, b.Err)
		worst = math.Max(worst, math.Abs(a.Value-c.Value)/(a.Err+c.Err))
	}
	t.Logf("mutant without Width1D: worst miss %.3g error bars", worst)
	require.Greater(t, worst, 1.0, "the mutant without Width1D went unnoticed")
}

// bare is a method without the exact engine's capabilities (normalised
// SGD's step and SDE, nothing else).
type bare struct{ m update.NormalizedSGD }

func (b bare) String() string { return "bare" }
func (b bare) ValidateAgent(p string, a model.Agent, d int) error {
	return b.m.ValidateAgent(p, a, d)
}
func (b bare) ValidateSDE(s model.System) error { return b.m.ValidateSDE(s) }
func (b bare) Step(s model.System, x, grad []float64, gn2, h float64, ws *model.Workspace, r *model.Rand) {
	b.m.Step(s, x, grad, gn2, h, ws, r)
}
func (b bare) Drift(s model.System, dst, grad []float64, gn2 float64) { b.m.Drift(s, dst, grad, gn2) }
func (b bare) Diffuse(s model.System, dst, z, grad []float64, gn2 float64, ws *model.Workspace, r *model.Rand, drift []float64) bool {
	return b.m.Diffuse(s, dst, z, grad, gn2, ws, r, drift)
}

// gaussNoCDF is Gaussian noise that hides its capabilities (CDF,
// quantile, normal law, scale).
type gaussNoCDF struct{ g noise.Gaussian }

func (n gaussNoCDF) Sample(dst, grad []float64, gn2 float64, r *model.Rand) {
	n.g.Sample(dst, grad, gn2, r)
}
func (n gaussNoCDF) AddVariance(dst, grad []float64, gn2 float64) bool {
	return n.g.AddVariance(dst, grad, gn2)
}
func (n gaussNoCDF) AddSignMean(dst, grad []float64, gn2 float64) { n.g.AddSignMean(dst, grad, gn2) }
func (n gaussNoCDF) AddSignVar(dst, grad []float64, gn2 float64)  { n.g.AddSignVar(dst, grad, gn2) }
func (n gaussNoCDF) Validate(d int) error                         { return n.g.Validate(d) }

// TestExactRefusesByCapability: what the exact engine cannot compute is
// refused with the field, the value and the missing capability named
// (model/law1d.go), never computed with a wrong kernel. Deterministic.
func TestExactRefusesByCapability(t *testing.T) {
	t.Parallel()
	base := func(c mapCase) exact.Problem {
		run := mapRun(t, c, logcosh, 0.5, 0.1, 3, 2, 1)
		return exact.Problem{System: run.System, X0: 0.5, Eta: 0.1, Steps: 3}
	}
	p := base(mapCases[0])
	p.System.Method = bare{}
	err := p.Validate()
	require.ErrorContains(t, err, "method")
	require.ErrorContains(t, err, "bare has no one-dimensional one-step law (model.Law1Der)")
	require.ErrorContains(t, p.ValidateSDE(), "bare has no one-dimensional SDE coefficients (model.SDE1Der)")

	p = base(mapCases[0])
	p.System.Agents[0].Noise = gaussNoCDF{noise.Gaussian{Sigma0: 1}}
	require.ErrorContains(t, p.Validate(), "agents[0].noise")
	require.ErrorContains(t, p.Validate(), "update.CDFer")

	p = base(mapCase{"three", "clipped-sgd", `{"clip":1}`, `[{"noise":{"kind":"gaussian","sigma0":1},"count":3}]`})
	require.ErrorContains(t, p.Validate(), "agents = 3")

	p = base(mapCase{"dsgd t", "dsgd", `{}`, `[{"noise":{"kind":"student-t","nu":3,"scale":[1]}}]`})
	require.ErrorContains(t, p.Validate(), "agents[0].noise")
	require.ErrorContains(t, p.Validate(), "model.Normal1Der")
	require.NoError(t, p.ValidateSDE(), "dsgd's SDE needs the variance only")

	p = base(mapCase{"sign", "dsignsgd", `{}`, `[{"noise":{"kind":"gaussian","sigma0":1}}]`})
	p.System.Agents[0].Noise = gaussNoCDF{noise.Gaussian{Sigma0: 1}}
	require.ErrorContains(t, p.Validate(), "model.ZeroScaler")

	p = base(mapCase{"l0l1 t", "l0l1-gd", `{"l0":1,"l1":0}`, `[{"noise":{"kind":"student-t","nu":3,"scale":[1]}}]`})
	require.ErrorContains(t, p.Validate(), "model.Normal1Der")
}

// TestAgentMapForwardSchedule: the agent maps' exact law under a schedule
// that is not constant (exact.Forward, which carries the one-step law's
// quadrature rule at two levels and adds their difference to each value's
// error, as Discrete does). Clipped SGD under a step decay (eta_k halved
// every 2 steps), with Gaussian and asymmetric (centred exponential)
// noise: E log cosh(x_k), k = 1..6, against Monte Carlo of the discrete
// method (20000 paths) within z(1e-6) standard errors plus the engine's
// error bar: 12 assertions at 1e-6 each (two-sided), at most 1.2e-5
// together (STATISTICS.md). Deterministic part: under a constant schedule
// Forward's values equal Discrete's within their error bars at every step.
func TestAgentMapForwardSchedule(t *testing.T) {
	t.Parallel()
	z := mc.ZCrit(1e-6)
	gs := []func(float64) float64{func(x float64) float64 { return math.Log(math.Cosh(x)) }}
	for i, c := range []mapCase{mapCases[0], mapCases[2]} {
		cf, err := mc.ParseConfig([]byte(fmt.Sprintf(`{"objective":%s,"x0":[1.5],"agents":%s,"method":%q,"method_params":%s,"model":{"kind":"discrete"},
			"eta":0.4,"schedule":{"kind":"step-decay","gamma":0.5,"every":2},"steps":6,"paths":20000,"seed":%d,"checkpoints":{"every":1}}`, logcosh, c.agents, c.method, c.params, 21+i)))
		require.NoError(t, err)
		run, err := cf.Resolve()
		require.NoError(t, err)
		res, err := mc.Simulate(run)
		require.NoError(t, err)
		sp, err := run.ExactScheduled()
		require.NoError(t, err)
		ex, err := exact.Forward(sp, gs, exact.Settings{Nodes: 600}, false, 0)
		require.NoError(t, err, c.name)
		for _, cp := range res.Checkpoints[1:] {
			e := ex.Tests[0][cp.Step]
			t.Logf("%s, step %d (rate %g): Monte Carlo %.6g (se %.2g), exact %.6g (err %.2g)", c.name, cp.Step, ex.Rate[cp.Step-1], cp.F.Mean, cp.F.SE, e.Value, e.Err)
			require.LessOrEqualf(t, math.Abs(cp.F.Mean-e.Value), z*cp.F.SE+e.Err, "%s, step %d: Monte Carlo %.6g (se %.2g), exact %.6g (err %.2g)", c.name, cp.Step, cp.F.Mean, cp.F.SE, e.Value, e.Err)
		}
		// A constant schedule: Forward against Discrete.
		p, err := mapRun(t, c, logcosh, 1.5, 0.2, 6, 2, 1).ExactProblem()
		require.NoError(t, err)
		disc, err := exact.Discrete(p, gs, exact.Settings{Nodes: 600})
		require.NoError(t, err)
		cs, err := mapRun(t, c, logcosh, 1.5, 0.2, 6, 2, 1).ExactScheduled()
		require.NoError(t, err)
		fw, err := exact.Forward(cs, gs, exact.Settings{Nodes: 600}, false, 0)
		require.NoError(t, err)
		for k := 1; k <= 6; k++ {
			d, f := disc[0][k], fw.Tests[0][k]
			t.Logf("%s, constant, step %d: Discrete %.10g (err %.2g), Forward %.10g (err %.2g)", c.name, k, d.Value, d.Err, f.Value, f.Err)
			require.LessOrEqualf(t, math.Abs(d.Value-f.Value), d.Err+f.Err, "%s, constant schedule, step %d: got Forward %.10g (err %.2g), want Discrete %.10g (err %.2g)", c.name, k, f.Value, f.Err, d.Value, d.Err)
		}
	}
}
