package exact_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/schedule"
)

// TestForwardIsAdjoint: with a constant schedule the forward computation
// (the law carried step by step) gives the backward one's numbers, the
// discrete method's and the finite-difference SDE's, valued or absorbed,
// on a uniform and a sinh-mapped grid: each forward step is the exact
// adjoint of the backward step, so the two differ by rounding only.
func TestForwardIsAdjoint(t *testing.T) {
	t.Parallel()
	quartic := `{"kind":"separable","dim":1,"atom":{"kind":"quartic"}}`
	for _, c := range []struct{ agents, method string }{
		{`[{"noise":{"kind":"gaussian","sigma1":1}}]`, "dsgd"},
		{`[{"noise":{"kind":"gaussian","sigma0":0.5},"compressor":{"kind":"bernoulli","p":0.5}}]`, "dcsgd"},
		{`[{"noise":{"kind":"student-t","nu":1,"scale":[1]}}]`, "dsignsgd"},
	} {
		p := problem(t, quartic, c.agents, c.method, 1, 0.05, 40)
		sp := exact.Scheduled{System: p.System, X0: p.X0, Eta: p.Eta, Schedule: schedule.Constant{}, Steps: p.Steps}
		gs := []func(float64) float64{func(x float64) float64 { return x * x * x * x / 4 }, func(float64) float64 { return 1 }}
		settings := []exact.Settings{{Nodes: 600}, {Nodes: 600, Absorb: true, Radius: 2.5}}
		if c.method != "dsignsgd" {
			settings = append(settings, exact.Settings{Nodes: 600, Map: 0.3, Radius: 30, Absorb: true})
		}
		for _, st := range settings {
			bd, err := exact.Discrete(p, gs, st)
			require.NoError(t, err)
			fd, err := exact.Forward(sp, gs, st, false, 0)
			require.NoError(t, err)
			st.Scheme = exact.SchemeFD
			bs, err := exact.SDE(p, gs, st)
			require.NoError(t, err)
			fs, err := exact.Forward(sp, gs, st, true, 0)
			require.NoError(t, err)
			for f := range gs {
				for k := range bd[f] {
					require.InDeltaf(t, bd[f][k].Value, fd.Tests[f][k].Value, 1e-12*(1+math.Abs(bd[f][k].Value)), "%s %+v discrete test %d step %d", c.method, st, f, k)
					require.InDeltaf(t, bs[f][k].Value, fs.Tests[f][k].Value, 1e-12*(1+math.Abs(bs[f][k].Value)), "%s %+v sde test %d step %d", c.method, st, f, k)
				}
			}
			if st.Absorb {
				// g = 1: the probability of staying, against the escaped mass.
				k := len(bd[1]) - 1
				require.InDelta(t, 1-bd[1][k].Value, fd.Escaped[k].Value, 1e-12)
			}
		}
	}
}

// TestForwardAgreesWithMonteCarlo: schedules that change the step every
// step, time-only (eta_k = 1/sqrt(k+1)), the ensemble reading (from the
// mean of |f'| over the live paths) and, for the discrete method, the
// pathwise reading: the Monte Carlo engine's E f(x_k) - f* at five
// checkpoints lies within z(1e-6) standard errors of the forward
// computation, widened by its numerical error, and so does its per-path
// integral I1 = eta sum_j eta_j f'(x_j)^2 (Forward's Integrals; not for the
// pathwise reading, which they do not cover) (per comparison 1e-6: at
// most 5 x 9 x 1e-6 = 4.5e-5 false-alarm probability for the test;
// deterministic for its seeds). The SDE's Monte Carlo carries its
// integrator's bias, so the SDE is compared only where the integrator is
// refined to a quarter of its standard error (mc.IntegrationError).
func TestForwardAgreesWithMonteCarlo(t *testing.T) {
	t.Parallel()
	quartic := `{"kind":"separable","dim":1,"atom":{"kind":"quartic"}}`
	for _, c := range []struct{ agents, method, schedule string }{
		{`[{"noise":{"kind":"gaussian","sigma1":1}}]`, "dsgd", `{"kind":"inv-sqrt","clock":"step"}`},
		{`[{"noise":{"kind":"gaussian","sigma1":1}}]`, "dsgd", `{"kind":"normalized","num":1,"a":1,"b":1,"reading":"ensemble"}`},
		{`[{"noise":{"kind":"gaussian","sigma1":1}}]`, "dsgd", `{"kind":"normalized","num":1,"a":1,"b":1,"reading":"pathwise"}`},
		{`[{"noise":{"kind":"student-t","nu":1,"scale":[1]}}]`, "dsignsgd", `{"kind":"inv-sqrt","clock":"step"}`},
		{`[{"noise":{"kind":"gaussian","sigma0":0.5},"compressor":{"kind":"bernoulli","p":0.5}}]`, "dcsgd", `{"kind":"normalized","num":1,"a":1,"b":2,"reading":"ensemble"}`},
	} {
		cfg := fmt.Sprintf(`{"objective":%s,"x0":[1],"agents":%s,"method":%q,"model":{"kind":"discrete"},
			"eta":0.1,"schedule":%s,"steps":40,"paths":20000,"seed":11,"checkpoints":{"at":[5,10,20,30,40]}}`, quartic, c.agents, c.method, c.schedule)
		mcfg, err := mc.ParseConfig([]byte(cfg))
		require.NoError(t, err)
		run, err := mcfg.Resolve()
		require.NoError(t, err)
		res, err := mc.Simulate(run)
		require.NoError(t, err)
		sp, err := run.ExactScheduled()
		require.NoError(t, err)
		sp.Integrals = run.Schedule.Reads() != model.ReadsPath
		ex, err := exact.Forward(sp, []func(float64) float64{func(x float64) float64 { return x * x * x * x / 4 }, func(x float64) float64 { return x * x * x * x * x * x }}, exact.Settings{Nodes: 1200}, false, 0)
		require.NoError(t, err)
		z := mc.ZCrit(1e-6)
		for _, cp := range res.Checkpoints[1:] {
			e := ex.Tests[0][cp.Step]
			require.LessOrEqualf(t, math.Abs(cp.F.Mean-e.Value), z*cp.F.SE+e.Err, "%s %s, step %d: Monte Carlo %.6g (se %.2g), exact %.6g (err %.2g)", c.method, c.schedule, cp.Step, cp.F.Mean, cp.F.SE, e.Value, e.Err)
			if sp.Integrals {
				e := ex.Integrals[0][1][cp.Step]
				require.LessOrEqualf(t, math.Abs(cp.I1.Mean-e.Value), z*cp.I1.SE+e.Err, "%s %s, step %d: I1 Monte Carlo %.6g (se %.2g), exact %.6g (err %.2g)", c.method, c.schedule, cp.Step, cp.I1.Mean, cp.I1.SE, e.Value, e.Err)
			}
		}
		k := len(ex.Tests[0]) - 1
		t.Logf("%s %s: E f(x_40) Monte Carlo %.6g (se %.2g), exact %.6g (err %.2g)", c.method, c.schedule, res.Checkpoints[len(res.Checkpoints)-1].F.Mean, res.Checkpoints[len(res.Checkpoints)-1].F.SE, ex.Tests[0][k].Value, ex.Tests[0][k].Err)
	}
}

// TestForwardIntegralsClosedForm: the SDE's time integrals against the
// Ornstein-Uhlenbeck closed form. On f = a x^2/2 with N(0, s^2) noise on n
// agents and a constant schedule value c, X is Ornstein-Uhlenbeck with rate
// lambda = c a and diffusion c^2 eta s^2/n, so that
//
//	int_0^T E f'(X_t)^2 dt = a^2 [x0^2 (1 - e^(-2 lambda T))/(2 lambda)
//	                               + v (T - (1 - e^(-2 lambda T))/(2 lambda))],
//
// v = c eta s^2/(2 a n) the stationary variance, and Integrals[q] is
// c^(q+1) times it. Two regimes: a mild one (lambda = 1.5), and campaign
// case 0's stiff one (lambda ~ 5e4 against steps of 0.16, whose Monte Carlo
// integrator hits its substep floor), where implicit Euler keeps the
// stationary law exact. Relative error 1e-6 (the stiff one on a mapped
// grid of 1200 nodes: 1e-4), covered by the estimate at every step; the
// law's quantiles of X_T (normal) to 2% of its standard deviation (about a
// node spacing).
func TestForwardIntegralsClosedForm(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, s, x0, eta, rate, tol float64
		n, steps                 int
		st                       exact.Settings
	}{
		{a: 1.5, s: 2, x0: 1, eta: 0.05, rate: 1, tol: 1e-6, n: 3, steps: 40, st: exact.Settings{Nodes: 2400, Substeps: 16}},
		{a: 0.327, s: 0.36, x0: -0.76, eta: 0.16, rate: 1.55e5, tol: 1e-4, n: 4, steps: 95, st: exact.Settings{Nodes: 1200, Map: 0.05, Radius: 2000}},
	} {
		p := problem(t, fmt.Sprintf(`{"kind":"separable","dim":1,"atom":{"kind":"square","c":%g}}`, c.a),
			fmt.Sprintf(`[{"noise":{"kind":"gaussian","sigma0":%g},"count":%d}]`, c.s, c.n), "dsgd", c.x0, c.eta, c.steps)
		sp := exact.Scheduled{System: p.System, X0: p.X0, Eta: p.Eta, Schedule: schedule.Constant{Value: c.rate}, Steps: p.Steps, Integrals: true,
			QuantilesOf: func(x float64) float64 { return x }, QuantileLevels: []float64{0.05, 0.5, 0.95}}
		grad2 := func(x float64) float64 { return c.a * c.a * x * x }
		got, err := exact.Forward(sp, []func(float64) float64{grad2, func(float64) float64 { return 1 }}, c.st, true, 0)
		require.NoError(t, err)
		lam := c.rate * c.a
		v := c.rate * c.eta * c.s * c.s / (2 * c.a * float64(c.n))
		integral := func(k int) float64 {
			tt := float64(k) * c.eta
			e := -math.Expm1(-2*lam*tt) / (2 * lam)
			return c.a * c.a * (c.x0*c.x0*e + v*(tt-e))
		}
		for q, w := range []float64{c.rate, c.rate * c.rate} {
			relClose(t, fmt.Sprintf("lambda %g: int eta^%d E f'^2", lam, q+1), got.Integrals[q][0], func(k int) float64 { return w * integral(k) }, c.tol)
			relClose(t, fmt.Sprintf("lambda %g: phi^%d", lam, q+1), got.Integrals[q][1], func(k int) float64 { return w * float64(k) * c.eta }, c.tol)
		}
		// The law's quantiles: X_T is normal.
		tt := float64(c.steps) * c.eta
		mean := c.x0 * math.Exp(-lam*tt)
		sd := math.Sqrt(v * -math.Expm1(-2*lam*tt))
		for i, z := range []float64{-1.6448536269514722, 0, 1.6448536269514722} {
			require.InDeltaf(t, mean+z*sd, got.Quantiles[c.steps][i], 0.02*sd, "lambda %g: quantile %d of X_T", lam, i)
		}
		k := c.steps
		t.Logf("lambda %g: I1 %.10g (err %.2g), closed form %.10g", lam, got.Integrals[0][0][k].Value, got.Integrals[0][0][k].Err, c.rate*integral(k))
	}
}

// TestForwardScheduledClosedForm: the discrete method's law under a
// time-only schedule against its closed form, at every step and with the
// horizon's error from the backward iteration over the recorded steps. On
// f = a x^2/2 with N(0, s^2) noise on n agents and eta_k = 1/sqrt(k+1),
// x_{k+1} = (1 - h_k a) x_k + h_k (s/sqrt n) xi with h_k = eta eta_k, so
// m_{k+1} = (1 - h_k a) m_k and v_{k+1} = (1 - h_k a)^2 v_k + h_k^2 s^2/n.
// E x_k^2 = m_k^2 + v_k to 1e-6 relative, covered by the error estimate.
func TestForwardScheduledClosedForm(t *testing.T) {
	t.Parallel()
	const a, s, x0, eta, steps = 1.5, 2.0, 1.0, 0.05, 40
	const n = 3
	p := problem(t, fmt.Sprintf(`{"kind":"separable","dim":1,"atom":{"kind":"square","c":%g}}`, a),
		fmt.Sprintf(`[{"noise":{"kind":"gaussian","sigma0":%g},"count":%d}]`, s, n), "dsgd", x0, eta, steps)
	sp := exact.Scheduled{System: p.System, X0: p.X0, Eta: p.Eta, Schedule: schedule.InvSqrt{Clock: model.StepIndex}, Steps: p.Steps}
	got, err := exact.Forward(sp, []func(float64) float64{sq}, exact.Settings{Nodes: 2400}, false, 0)
	require.NoError(t, err)
	want := make([]float64, steps+1)
	m, v := x0, 0.0
	for k := range steps + 1 {
		want[k] = m*m + v
		h := eta / math.Sqrt(float64(k+1))
		m, v = (1-h*a)*m, (1-h*a)*(1-h*a)*v+h*h*s*s/n
	}
	relClose(t, "E x_k^2 under eta_k = 1/sqrt(k+1)", got.Tests[0], func(k int) float64 { return want[k] }, 1e-6)
	t.Logf("E x_40^2 %.12g (err %.2g), closed form %.12g", got.Tests[0][steps].Value, got.Tests[0][steps].Err, want[steps])
}

// TestForwardPathwiseSDE: the SDE's pathwise reading, whose rate is read
// from each path's |f'| at the step's start and held over the step, by
// interpolating the step's kernel in the held rate (forwardFD), against
// the Monte Carlo engine's coupled SDE paths (which hold the rate the same
// way): E f(X_t) - f* and the per-path integral I1 = int eta_s f'(X_s)^2 ds
// (each path weighed by its own rate) at five checkpoints, within z(1e-6)
// standard errors plus the integrator's bias allowance (twice the
// coarse-minus-fine difference and its z(1e-6) interval; for I1, whose
// twins are not recorded, that of E f' ^2 times phi^1) and the law's
// numerical error (10 comparisons at 1e-6: 1e-5; deterministic for its
// seed).
func TestForwardPathwiseSDE(t *testing.T) {
	t.Parallel()
	cfg := `{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"}},"x0":[1.2],"agents":[{"noise":{"kind":"gaussian","sigma0":0.7}}],"method":"dsgd","model":{"kind":"sde"},
		"eta":0.1,"schedule":{"kind":"normalized","num":1,"a":1,"b":2,"reading":"pathwise"},"steps":30,"paths":20000,"seed":5,"checkpoints":{"at":[3,6,12,20,30]}}`
	mcfg, err := mc.ParseConfig([]byte(cfg))
	require.NoError(t, err)
	run, err := mcfg.Resolve()
	require.NoError(t, err)
	run.Coupled = true
	res, err := mc.Simulate(run)
	require.NoError(t, err)
	sp, err := run.ExactScheduled()
	require.NoError(t, err)
	sp.Integrals = true
	f := func(x float64) float64 { return x * x * x * x / 4 }
	g2 := func(x float64) float64 { return x * x * x * x * x * x }
	ex, err := exact.Forward(sp, []func(float64) float64{f, g2}, exact.Settings{Nodes: 1200, Radius: 4, Reflect: true}, true, 0)
	require.NoError(t, err)
	z := mc.ZCrit(1e-6)
	for _, cp := range res.Checkpoints[1:] {
		d := cp.Coupled.Diff
		e := ex.Tests[0][cp.Step]
		bias := 2 * (math.Abs(d.F.Mean) + z*d.F.SE)
		require.LessOrEqualf(t, math.Abs(cp.F.Mean-e.Value), z*cp.F.SE+bias+e.Err, "step %d: E f Monte Carlo %.6g (se %.2g, bias allowance %.2g), law %.6g (err %.2g)", cp.Step, cp.F.Mean, cp.F.SE, bias, e.Value, e.Err)
		i1 := ex.Integrals[0][1][cp.Step]
		biasI := 2 * (math.Abs(d.GradNorm2.Mean) + z*d.GradNorm2.SE) * cp.Phi1.Mean
		require.LessOrEqualf(t, math.Abs(cp.I1.Mean-i1.Value), z*cp.I1.SE+biasI+i1.Err, "step %d: I1 Monte Carlo %.6g (se %.2g, bias allowance %.2g), law %.6g (err %.2g)", cp.Step, cp.I1.Mean, cp.I1.SE, biasI, i1.Value, i1.Err)
		t.Logf("step %d: E f %.6g (se %.2g, bias %.2g) vs %.6g (err %.2g); I1 %.6g (se %.2g) vs %.6g (err %.2g)", cp.Step, cp.F.Mean, cp.F.SE, bias, e.Value, e.Err, cp.I1.Mean, cp.I1.SE, i1.Value, i1.Err)
	}
}
