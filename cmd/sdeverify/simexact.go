package main

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/schedule"
)

// SimResult is simulate's result: the Monte Carlo engine's (mc.Result),
// whose checkpoints carry, from the exact engine, the escape probability
// and every value's numerical error.
type SimResult struct {
	Checkpoints []SimCheckpoint `json:"checkpoints"` // first, as in mc.Result's JSON
	*mc.Result
}

// SimCheckpoint is one checkpoint of SimResult. From the exact engine each
// statistic's mean is the law's value conditional on having stayed in the
// grid (Monte Carlo averages the paths within diverge_at: the two agree
// where a path past the grid's radius does not come back, as DSGD's on
// x^4/4, or where the escape probability is negligible); its se and n are
// 0 (no sampling); live and diverged are 0 (no paths; see Escape); i1 and
// i2 are null (not computed); phi1 and phi2 are the schedule's (null
// where each path has its own rate); and Escape and NumErr are set.
type SimCheckpoint struct {
	mc.Checkpoint
	// Escape is the probability of having left [-radius, radius] of
	// ExactGrid by this step (exact engine only).
	Escape *float64 `json:"escape,omitempty"`
	// NumErr holds each value's numerical error (exact engine only).
	NumErr *NumErr `json:"num_err,omitempty"`
}

// NumErr is the exact engine's numerical error estimate of each value of
// a checkpoint (exact.Value.Err, carried through the conditioning on
// having stayed in the grid): the sum of the refinement differences (half
// the nodes, 1.5 times the radius, for the SDE the time extrapolation)
// and a floor of rounding and interpolation errors.
type NumErr struct {
	F         float64 `json:"f_minus_fstar"`
	GradNorm2 float64 `json:"grad_norm2"`
	GradNorm  float64 `json:"grad_norm"`
	Dist2     float64 `json:"dist2"`
	X         float64 `json:"x"`
	Escape    float64 `json:"escape"`
}

// ExactGrid is the grid the exact engine computed the law on: Nodes on
// [-Radius, Radius] (uniform, or x = Map sinh(xi) with xi uniform when Map
// > 0), the mass leaving it absorbed, and for the SDE the time scheme.
type ExactGrid struct {
	Method string  `json:"method"` // "backward" (constant schedule) or "forward" (a schedule that changes the step)
	Nodes  int     `json:"nodes"`  // the minimum asked for (DSignSGD raises it to resolve its noise scale)
	Radius float64 `json:"radius"`
	Map    float64 `json:"map,omitempty"`
	Scheme string  `json:"scheme,omitempty"` // SDE: "fd" (finite differences, extrapolated over 4, 8 and 16 substeps a step)
}

// The exact engine's test functions, in this order: 1 (staying in the
// grid), f - f*, f'^2, |f'|, (x - x*)^2, x.
const (
	tStay = iota
	tF
	tGN2
	tGN
	tDist2
	tX
	nTests
)

func exactTests(run mc.Run) []func(float64) float64 {
	f := run.System.F
	fstar := f.Inf()
	xs := []float64{0}
	f.Minimizer(xs)
	grad := func(x float64) float64 {
		g := []float64{0}
		f.Grad(g, []float64{x})
		return g[0]
	}
	gs := make([]func(float64) float64, nTests)
	gs[tStay] = func(float64) float64 { return 1 }
	gs[tF] = func(x float64) float64 { return f.Value([]float64{x}) - fstar }
	gs[tGN2] = func(x float64) float64 { g := grad(x); return g * g }
	gs[tGN] = func(x float64) float64 { return math.Abs(grad(x)) }
	gs[tDist2] = func(x float64) float64 { return (x - xs[0]) * (x - xs[0]) }
	gs[tX] = func(x float64) float64 { return x }
	return gs
}

// exactRadius is the exact engine's grid radius in units of 1 + |x0|
// (DSGD and DCSGD). Measured on the one-dimensional examples and Figure
// 1's left-top series (x^4/4 from 3, sigma1 = 3, which diverges): at 8,
// 64 and 512 times 1 + |x0| the values agree within their errors, and the
// discrete method's errors grow with the radius (a floor of rounding in
// the largest |g| on the grid: 1e-8 relative at 64, 1e31 absolute at
// diverge_at = 1e10); at 64 the left-top discrete escape probability is
// 3.915% +- 0.0005% (its paths do not come back from there).
const exactRadius = 64

// exactSettings chooses the exact engine's grid for run, absorbing at its
// edges so that the escape probability is that of having left it and the
// values are conditional on having stayed, as Monte Carlo's means are
// over the paths that have not diverged. DSGD and DCSGD: 1200 nodes
// (4800 for the SDE, whose finite differences are cheap) to the radius
// exactRadius (1 + |x0|), or diverge_at if nearer, mapped by x = Map
// sinh(xi) with Map = 0.05 (1 + |x0|) (fine near x0 and the minimiser,
// relative spacing of about 1% far out). DSignSGD: the uniform grid its
// noise scale needs (the engine raises the nodes), to the nearer of
// diverge_at and the farthest its law reaches, |x0| + phi1 + 8 sqrt(eta
// phi2/N) + 1 (a step moves by at most eta eta_k; the SDE's diffusion has
// variance at most eta_t^2 eta/N per unit time), which needs a schedule
// that does not read the gradient. The SDE by finite differences, 4
// substeps a step (extrapolated over 4, 8, 16).
func exactSettings(run mc.Run) (exact.Settings, error) {
	r := run.DivergeAt
	if r == 0 {
		r = mc.DefaultDivergeAt
	}
	x0 := math.Abs(run.X0[0])
	var st exact.Settings
	if !model.UniformGrid1D(run.System) {
		st = exact.Settings{Nodes: 1200, Radius: math.Min(r, exactRadius*(1+x0)), Map: 0.05 * (1 + x0), Absorb: true}
		if run.Model == mc.SDE {
			st.Nodes = 4800
		}
	} else {
		ub, ok := run.System.Method.(model.UpdateBounder)
		if !ok {
			return exact.Settings{}, model.Invalid("method", run.System.Method.String(), "the exact engine's uniform grid needs the law's reach: a bounded update (model.UpdateBounder)")
		}
		if schedule.ReadsGradient(run.Schedule) {
			return exact.Settings{}, fmt.Errorf("schedule: %s under a schedule that reads the gradient: its grid's reach is not known in advance (the exact engine needs a clock schedule for %s)", run.System.Method, run.System.Method)
		}
		var phi1, phi2 float64
		for k := range run.Steps {
			rate := run.Schedule.Rate(model.StepInfo{K: k, T: float64(k) * run.Eta})
			phi1 += run.Eta * rate
			phi2 += run.Eta * rate * rate
		}
		b := ub.UpdateBound(run.System)
		reach := x0 + b*phi1 + 8*math.Sqrt(run.Eta*phi2*b*b/float64(len(run.System.Agents))) + 1
		st = exact.Settings{Nodes: 1200, Radius: math.Min(r, reach), Absorb: true}
	}
	if run.Model == mc.SDE {
		st.Scheme, st.Substeps = exact.SchemeFD, 4
	}
	return st, nil
}

// exactRun is the exact engine's law of a run: each test function's
// E[g; stayed in the grid] at steps 0..Steps and the schedule value of
// each step (NaN where it is each path's own).
type exactRun struct {
	grid   ExactGrid
	series []exact.Series
	rate   []float64
}

// runExact computes run's law by the exact engine, or says why it cannot
// (d > 1, a noise or compressor it does not cover, a law its grid cannot
// resolve: exact.ErrUnresolved).
func runExact(run mc.Run, workers int) (*exactRun, error) {
	if d := run.System.F.Dim(); d != 1 {
		return nil, model.Invalid("objective.dim", d, "the exact engine is one-dimensional")
	}
	st, err := exactSettings(run)
	if err != nil {
		return nil, err
	}
	sde := run.Model == mc.SDE
	gs := exactTests(run)
	er := &exactRun{grid: ExactGrid{Nodes: st.Nodes, Radius: st.Radius, Map: st.Map, Scheme: st.Scheme}}
	if c, ok := run.Schedule.(model.ConstantRater); ok {
		er.grid.Method = "backward"
		p, err := run.ExactProblem()
		if err != nil {
			return nil, err
		}
		out, err := exact.Batch([]exact.Job{{Problem: p, Tests: gs, Settings: st, SDE: sde}}, workers)
		if err != nil {
			return nil, err
		}
		er.series = out[0]
		er.rate = make([]float64, run.Steps)
		for k := range er.rate {
			er.rate[k] = c.ConstantRate()
		}
		return er, nil
	}
	er.grid.Method = "forward"
	sp, err := run.ExactScheduled()
	if err != nil {
		return nil, err
	}
	res, err := exact.Forward(sp, gs, st, sde, workers)
	if err != nil {
		return nil, err
	}
	er.series, er.rate = res.Tests, res.Rate
	if run.Schedule.Reads() == model.ReadsPath {
		for k := range er.rate {
			er.rate[k] = math.NaN() // each path's own
		}
	}
	return er, nil
}

// conditional returns E[g | stayed] = E[g; stayed] / P(stayed) with its
// error (err A + |m| err S) / S (NaN once nothing stayed).
func conditional(a, s exact.Value) (float64, float64) {
	if !(s.Value > 0) {
		return math.NaN(), math.NaN()
	}
	m := a.Value / s.Value
	return m, (a.Err + math.Abs(m)*s.Err) / s.Value
}

// result turns the law into simulate's result at run's checkpoints and the
// per-step ensemble mean of |f'| (over the law that stayed in the grid).
func (er *exactRun) result(run mc.Run) (*SimResult, []float64) {
	clock := run.Schedule.Reads() != model.ReadsPath
	res := &SimResult{Result: &mc.Result{Rate: er.rate}}
	grad := make([]float64, run.Steps+1)
	for k := range grad {
		grad[k], _ = conditional(er.series[tGN][k], er.series[tStay][k])
	}
	var phi1, phi2 float64
	next := 0
	for k := 0; k <= run.Steps && next < len(run.Checkpoints); k++ {
		if k > 0 {
			phi1 += run.Eta * er.rate[k-1]
			phi2 += run.Eta * er.rate[k-1] * er.rate[k-1]
		}
		if run.Checkpoints[next] != k {
			continue
		}
		next++
		stay := er.series[tStay][k]
		var ne NumErr
		stat := func(t int, e *float64) mc.Stat {
			m, err := conditional(er.series[t][k], stay)
			*e = err
			return mc.Stat{Mean: m}
		}
		cp := mc.Checkpoint{Step: k, Time: float64(k) * run.Eta,
			F: stat(tF, &ne.F), GradNorm2: stat(tGN2, &ne.GradNorm2), GradNorm: stat(tGN, &ne.GradNorm),
			Dist2: stat(tDist2, &ne.Dist2), I1: mc.Stat{Mean: math.NaN(), SE: math.NaN()}, I2: mc.Stat{Mean: math.NaN(), SE: math.NaN()},
			Phi1: mc.Stat{Mean: math.NaN(), SE: math.NaN()}, Phi2: mc.Stat{Mean: math.NaN(), SE: math.NaN()}}
		x := stat(tX, &ne.X)
		cp.X = &x
		if clock {
			cp.Phi1, cp.Phi2 = mc.Stat{Mean: phi1}, mc.Stat{Mean: phi2}
		}
		esc := 1 - stay.Value
		ne.Escape = stay.Err
		res.Checkpoints = append(res.Checkpoints, SimCheckpoint{Checkpoint: cp, Escape: &esc, NumErr: &ne})
	}
	return res, grad
}
