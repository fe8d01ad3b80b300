package weak

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/sdeverify/sdeverify/internal/format"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
)

// Exact is Estimate computed by the exact engine (model/exact) instead of
// Monte Carlo, for one-dimensional configurations with a constant schedule:
// every E g(x_k) and E g(X_{k eta}) is a deterministic number with a
// numerical error estimate, which takes the place of the standard error
// (Err.SE is the error estimate; Result.Paths is 0). The gradient-flow
// baseline is solved by RK4 (64 substeps per step, error from 32). o's
// Paths, Seed, Substeps, Independent and Perturb are not used.
func Exact(cfg mc.Config, o Options, s exact.Settings) (*Result, error) {
	o = o.withDefaults()
	run, err := cfg.Problem()
	if err != nil {
		return nil, err
	}
	if err := run.System.ValidateSDE(); err != nil {
		return nil, err
	}
	// The configuration's model says which of the discrete method's and
	// the SDE's hypotheses ExactProblem checks first (both are computed).
	mod, ok := mc.ParseModel(cfg.Model.Kind)
	if !ok {
		return nil, model.Invalid("model.kind", fmt.Sprintf("%q", cfg.Model.Kind), "must be discrete or sde")
	}
	first := run.Run(o.Etas[0], 1)
	first.Model = mod
	if p, err := first.ExactProblem(); err != nil {
		return nil, err
	} else if p.Model = o.Model; p.ValidateSDE() != nil {
		return nil, p.ValidateSDE()
	}
	for _, eta := range o.Etas {
		if !(eta > 0) {
			return nil, fmt.Errorf("etas: %v must be > 0", eta)
		}
		if k := int(math.Round(o.Horizon / eta)); k < 1 {
			return nil, fmt.Errorf("etas: %v is longer than the horizon %v", eta, o.Horizon)
		}
	}
	res := &Result{Method: run.System.Method.String(), Model: o.Model, Engine: mc.EngineExact, Horizon: o.Horizon,
		Coupled: "no Monte Carlo (model/exact); each error bar is the numerical error estimate"}
	gs, ix, ix2 := testFuncs(run.System.F, o.Tests)
	emax := slices.Max(o.Etas)
	// points computes the etas' points in one batch: the discrete method
	// and its SDE, with the SDE's coarsest substep as long as at the
	// largest eta (see substeps).
	points := func(etas []float64) ([]Point, error) {
		var jobs []exact.Job
		probs := make([]exact.Problem, len(etas))
		for i, eta := range etas {
			r := run.Run(eta, int(math.Round(o.Horizon/eta)))
			r.Model = mod
			if probs[i], err = r.ExactProblem(); err != nil {
				return nil, err
			}
			probs[i].Model = o.Model
			si := s
			si.Substeps = substeps(s.Substeps, eta, emax)
			jobs = append(jobs, exact.Job{Problem: probs[i], Tests: gs, Settings: s}, exact.Job{Problem: probs[i], Tests: gs, Settings: si, SDE: true})
		}
		series, err := exact.Batch(jobs, o.Workers)
		if err != nil {
			return nil, err
		}
		// An eta whose values the engine could not bound (a radius error
		// that does not converge on the grid: exact.Value.Resolved) has no
		// point; it is named in Result.Unresolved and left out of every
		// fit.
		var pts []Point
		for i := range etas {
			if why := unresolvedWhy(series[2*i], series[2*i+1], o.Tests); why != "" {
				res.Unresolved = append(res.Unresolved, fmt.Sprintf("eta = %s: %s on the grid [-%s, %s]", format.Param(etas[i]), why, format.Param(s.GridRadius(run.X0[0])), format.Param(s.GridRadius(run.X0[0]))))
				continue
			}
			pts = append(pts, exactPoint(run, probs[i], series[2*i], series[2*i+1], o, ix, ix2))
		}
		return pts, nil
	}
	z := mc.ZCrit(o.Alpha)
	if res.Points, err = points(o.Etas); err != nil {
		return nil, err
	}
	res.fitWindow(o, fitWindow)
	// The grid grows downwards until every order has settled, or cannot
	// (its newest point is within the numerical error), within the budget
	// (asymptotic.go).
	limited := make([]bool, len(res.Fits)+len(res.ODEFits))
	// The variance's relative error does not drive it: it is the
	// noisiest quantity and the costliest to settle; its own check says
	// whether it did.
	vq := len(o.Tests)
	// An order is confirmed when the local slope at a new, smaller eta
	// falls inside the interval fitted before that eta was computed
	// (widened by the slope's noise): the fit's prediction tested on a
	// point it never saw. Local slopes can plateau before the asymptotic
	// regime (DSignSGD-Gaussian's gradient-flow order read 0.976
	// [0.965, 0.986] on 0.05 ... 0.00625 and 1.000 two halvings on), so a
	// settled order is not enough: at least one halving always follows.
	confirmed := make([]bool, len(limited))
	all := func() []Fit { return append(slices.Clone(res.Fits), res.ODEFits...) }
	open := func() []string {
		var names []string
		for q, f := range all() {
			if q != vq && !limited[q] && !(settled(f, o.OrderTol) && confirmed[q]) {
				names = append(names, f.Test)
			}
		}
		return names
	}
	for extra := 0; !o.Fixed && len(open()) > 0; extra++ {
		next := slices.Min(o.Etas) / math.Pow(2, float64(extra+1))
		if extra >= maxExtraHalvings || o.Horizon/next > maxSteps {
			res.Extended = fmt.Sprintf("extended to eta = %s (%s below the grid asked for); the budget (%s, %d steps) stopped it before the order of %s settled and was confirmed", format.Param(next*2), halvingsText(extra), halvingsText(maxExtraHalvings), maxSteps, strings.Join(open(), ", "))
			break
		}
		pts, err := points([]float64{next})
		if err != nil {
			return nil, err
		}
		if len(pts) == 0 {
			res.Extended = fmt.Sprintf("extended to eta = %s (%s below the grid asked for); eta = %s was unresolved (see unresolved), which stopped it before the order of %s settled and was confirmed", format.Param(next*2), halvingsText(extra), format.Param(next), strings.Join(open(), ", "))
			break
		}
		prev := all()
		last := res.Points[0]
		for _, p := range res.Points {
			if p.Eta < last.Eta {
				last = p
			}
		}
		res.Points = append(res.Points, pts...)
		res.fitWindow(o, fitWindow)
		qa, qb := quantities(last, len(o.Tests), z), quantities(pts[0], len(o.Tests), z)
		for q := range limited {
			limited[q] = limited[q] || !qb[q].Resolved
			if !qa[q].Resolved || !qb[q].Resolved || !settled(prev[q], o.OrderTol) {
				continue
			}
			dx := math.Log(last.Eta / pts[0].Eta)
			slope := math.Log(qa[q].Err/qb[q].Err) / dx
			se := math.Hypot(qa[q].SE/qa[q].Err, qb[q].SE/qb[q].Err) / dx
			confirmed[q] = slope >= prev[q].Lo-z*se && slope <= prev[q].Hi+z*se
		}
		res.Extended = fmt.Sprintf("extended to eta = %s (%s) until the order of every test and of its gradient-flow baseline settled (local slopes at the smallest etas agreeing within an interval of half-width <= %g) and the local slope at the next eta fell inside it, or met the engine's numerical error", format.Param(next), halvingsText(extra+1), o.OrderTol)
	}
	var stuck []string
	for q, f := range append(slices.Clone(res.Fits), res.ODEFits...) {
		if limited[q] && !settled(f, o.OrderTol) {
			stuck = append(stuck, f.Test)
		}
	}
	if len(stuck) > 0 {
		res.Extended = joinNote(res.Extended, fmt.Sprintf("the order of %s did not settle before its weak error fell within the numerical error (%d grid nodes; more nodes lower it)", strings.Join(stuck, ", "), s.Nodes))
	}
	res.Functional = exactFunctional(run, s, res.Points, o.Horizon)
	return res, nil
}

// substeps is the SDE's coarsest level (substeps per step) at eta when the
// largest eta of the study takes m0 (0: the engine's default, 4): the
// substep length stays that of the largest eta, so a smaller eta takes
// fewer substeps per step (at least one). The extrapolated SDE's time error
// (order 3 in the substep) is then the same for every eta and is estimated
// and reported with each value; the small etas, which take most steps,
// no longer take 4 substeps each (faster: BENCHMARKS.md).
func substeps(m0 int, eta, emax float64) int {
	if m0 == 0 {
		m0 = 4
	}
	return max(2, int(math.Round(float64(m0)*eta/emax)))
}

// testFuncs returns the tests as functions of the coordinate, then x and,
// unless a test is ||x||^2 (which is x^2 in one dimension), x^2, for the
// variance: all computed in one pass. ix and ix2 are where x and x^2 are.
func testFuncs(f model.Objective, tests []TestFunc) (gs []func(float64) float64, ix, ix2 int) {
	ix2 = -1
	for i, t := range tests {
		gs = append(gs, func(x float64) float64 { return t.G(f, []float64{x}) })
		if t.kind == norm2Test && ix2 < 0 {
			ix2 = i
		}
	}
	ix = len(gs)
	gs = append(gs, func(x float64) float64 { return x })
	if ix2 < 0 {
		ix2 = len(gs)
		gs = append(gs, func(x float64) float64 { return x * x })
	}
	return gs, ix, ix2
}

// exactPoint computes one eta's point from its discrete and SDE series.
func exactPoint(run mc.Problem, p exact.Problem, d, sd []exact.Series, o Options, ix, ix2 int) Point {
	k := p.Steps
	pt := Point{Eta: p.Eta, Steps: k}
	z := mc.ZCrit(o.Alpha)
	ode, odeErr := gradientFlowRK4(run.System, run.X0[0], p.Eta, p.Rate, k, o.Tests)
	for ti, t := range o.Tests {
		best, bestODE := Err{Test: t.Name}, Err{Test: t.Name}
		for j := range k + 1 {
			if e := math.Abs(d[ti][j].Value - sd[ti][j].Value); j == 0 || e > best.Err {
				best.Err, best.SE, best.Step = e, d[ti][j].Err+sd[ti][j].Err, j
			}
			if e := math.Abs(d[ti][j].Value - ode[ti][j]); j == 0 || e > bestODE.Err {
				bestODE.Err, bestODE.SE, bestODE.Step = e, d[ti][j].Err+odeErr[ti][j], j
			}
		}
		best.Resolved = best.Err > z*best.SE
		bestODE.Resolved = bestODE.Err > z*bestODE.SE
		pt.Tests = append(pt.Tests, best)
		pt.ODE = append(pt.ODE, bestODE)
	}
	// The variance at the horizon, from E x and E x^2.
	m1d, m2d, m1s, m2s := d[ix][k], d[ix2][k], sd[ix][k], sd[ix2][k]
	vd := m2d.Value - m1d.Value*m1d.Value
	vs := m2s.Value - m1s.Value*m1s.Value
	ed := m2d.Err + 2*math.Abs(m1d.Value)*m1d.Err
	es := m2s.Err + 2*math.Abs(m1s.Value)*m1s.Err
	pt.VarRel = vd/vs - 1
	pt.VarRelSE = (ed + es*math.Abs(vd/vs)) / math.Abs(vs)
	return pt
}

// gradientFlowRK4 solves dX = -rate b(X) dt by RK4 with 64 substeps per
// step and returns each test's value at every step, with the difference to
// 32 substeps as the error.
func gradientFlowRK4(sys model.System, x0, eta, rate float64, k int, tests []TestFunc) (val, errs [][]float64) {
	flow := func(m int) [][]float64 {
		out := make([][]float64, len(tests))
		for ti := range out {
			out[ti] = make([]float64, k+1)
		}
		b := func(x float64) float64 { d, _ := exact.Coefficients(sys, x); return -rate * d }
		h := eta / float64(m)
		x := x0
		for j := 0; ; j++ {
			for ti, t := range tests {
				out[ti][j] = t.G(sys.F, []float64{x})
			}
			if j == k {
				return out
			}
			for range m {
				k1 := b(x)
				k2 := b(x + h/2*k1)
				k3 := b(x + h/2*k2)
				k4 := b(x + h*k3)
				x += h / 6 * (k1 + 2*k2 + 2*k3 + k4)
			}
		}
	}
	val, coarse := flow(64), flow(32)
	errs = make([][]float64, len(tests))
	for ti := range val {
		errs[ti] = make([]float64, k+1)
		for j := range val[ti] {
			errs[ti][j] = math.Abs(val[ti][j] - coarse[ti][j])
		}
	}
	return val, errs
}

// quantities returns a point's errors in the order of Result.Fits then
// Result.ODEFits: each test, the variance's relative error, each test
// against the gradient flow.
func quantities(p Point, ntests int, z float64) []Err {
	q := slices.Clone(p.Tests[:ntests])
	q = append(q, Err{Err: math.Abs(p.VarRel), SE: p.VarRelSE, Resolved: math.Abs(p.VarRel) > z*p.VarRelSE})
	return append(q, p.ODE[:ntests]...)
}

// testName names the i-th test function of testFuncs (the tests, then x
// and x^2 for the variance).
func testName(tests []TestFunc, i int) string {
	if i < len(tests) {
		return tests[i].Name
	}
	return []string{"x", "x^2"}[min(i-len(tests), 1)]
}

// unresolvedWhy says which value of an eta's discrete (d) or SDE (sd)
// series the engine could not bound, or "".
func unresolvedWhy(d, sd []exact.Series, tests []TestFunc) string {
	for _, c := range []struct {
		what string
		ser  []exact.Series
	}{{"the discrete method", d}, {"the SDE", sd}} {
		for ti, se := range c.ser {
			if k := se.Unresolved(); k >= 0 {
				return fmt.Sprintf("%s's E %s at step %d has a radius error that does not converge", c.what, testName(tests, ti), k)
			}
		}
	}
	return ""
}

// halvingsText is "1 halving" or "n halvings".
func halvingsText(n int) string {
	if n == 1 {
		return "1 halving"
	}
	return fmt.Sprintf("%d halvings", n)
}
