package weak

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeverify/sdeverify/internal/parallel"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
)

// TestFunc is a test function g of the weak error.
type TestFunc struct {
	Name string
	G    func(f model.Objective, x []float64) float64
	// kind marks the default tests, which the estimator evaluates in loops
	// over a block's paths without a call per value (same values as G).
	kind testKind
}

type testKind int

const (
	userTest testKind = iota
	excessTest
	norm2Test
)

// DefaultTests are f - f* and ||x||^2.
func DefaultTests() []TestFunc {
	return []TestFunc{
		{Name: "f - f*", G: excess, kind: excessTest},
		{Name: "||x||^2", G: func(_ model.Objective, x []float64) float64 { return norm2(x) }, kind: norm2Test},
	}
}

func excess(f model.Objective, x []float64) float64 { return f.Value(x) - f.Inf() }

func norm2(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return s
}

// Options set a weak-error estimate. The zero value means the eta grid
// {0.1, 0.05, 0.025, 0.0125}, horizon 2, 10000 paths, 10 substeps, the
// default test functions, coupling where the law allows it, level 0.05 for
// "within noise" and the slope's 95% interval.
type Options struct {
	Etas        []float64
	Horizon     float64
	Paths       int
	Seed        uint64
	Substeps    int
	Tests       []TestFunc
	Independent bool // never couple (to measure what the coupling gains)
	Alpha       float64
	Workers     int
	Perturb     model.Perturbation // a deliberately wrong SDE (mutation testing)
	// NoRefine runs the Monte Carlo SDE reference at Substeps only: no
	// refined twin, no extrapolation and no bias allowance (biased by the
	// integrator, at first order in eta/Substeps; to measure what the
	// refinement gains).
	NoRefine bool
	// OrderTol is the half-width the exact engine's study extends its grid
	// for (0: 0.05; see asymptotic.go); Fixed keeps the grid as given.
	OrderTol float64
	Fixed    bool
	// Model is the SDE model the discrete method is compared with, a name
	// registered with the exact engine (exact.ModelNames): "" or
	// exact.ModelFirstOrder, the paper's SDE; exact.ModelSecondOrder, Li,
	// Tai and E's second-order modified equation (DSGD and DCSGD:
	// docs/math.md section 7.3); or a model registered from another
	// package. Estimate (Monte Carlo) simulates only a model that is the
	// method's own SDE (exact.Simulated); Exact computes any of them.
	Model string
}

func (o Options) withDefaults() Options {
	if o.Etas == nil {
		o.Etas = []float64{0.1, 0.05, 0.025, 0.0125}
	}
	if o.Horizon == 0 {
		o.Horizon = 2
	}
	if o.Paths == 0 {
		o.Paths = 10000
	}
	if o.Substeps == 0 {
		o.Substeps = 10
	}
	if o.Tests == nil {
		o.Tests = DefaultTests()
	}
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	if o.OrderTol == 0 {
		o.OrderTol = 0.05
	}
	return o
}

// Err is one test function's weak error at one eta.
type Err struct {
	Test string  `json:"test"`
	Err  float64 `json:"err"` // max over k of |mean difference|
	SE   float64 `json:"se"`  // standard error of the difference at the maximising step
	Step int     `json:"step"`
	// Bias is the reference's estimated integrator error at Step, an
	// allowance beside SE (not in it): for the Monte Carlo SDE the refined
	// level's bias bound |mean(g(Y_m) - g(Y_2m))| + 2 se (see Estimate),
	// for the gradient flow the difference of RK4 at 64 and 32 substeps;
	// 0 where the engine puts its whole error in SE (the exact engine) or
	// with Options.NoRefine.
	Bias     float64 `json:"bias"`
	Resolved bool    `json:"resolved"` // |Err| > z SE + Bias: above the Monte Carlo noise and the reference's bias
}

// Point is the estimate at one eta.
type Point struct {
	Eta   float64 `json:"eta"`
	Steps int     `json:"steps"`
	Tests []Err   `json:"tests"`
	ODE   []Err   `json:"ode"` // the gradient flow against the discrete method
	// Relative error of the total variance at the horizon, discrete against
	// SDE, and its standard error (20 batches of paths).
	VarRel, VarRelSE float64
}

// Fit is a log-log fit of err against eta.
type Fit struct {
	Test  string  `json:"test"`
	Slope float64 `json:"slope"`       // the leading order (see fitOrder)
	Local float64 `json:"local_slope"` // the plain log-log slope over the used points
	// Systematic is the fit-model part of the interval's half-width.
	Systematic float64   `json:"systematic"`
	Lo, Hi     float64   `json:"-"`
	CI         []float64 `json:"ci"` // [lo, hi], 1 - alpha; null when not Asymptotic
	Used       []float64 `json:"used"`
	Note       string    `json:"note,omitempty"`
	// Asymptotic: the local slopes at the smallest etas used agree within
	// the interval (or their noise); otherwise the grid has not reached
	// the asymptotic regime and CI is not given (see asymptotic.go).
	Asymptotic bool      `json:"asymptotic"`
	LastSlopes []float64 `json:"last_local_slopes,omitempty"`
}

// Result is a weak-error study.
type Result struct {
	// Label names the study for people (set by whoever runs it, e.g.
	// "DSGD on x^4/4, sigma1 = 0.1"); empty: the method.
	Label  string `json:"label,omitempty"`
	Method string `json:"method"`
	// Model is the SDE model (Options.Model; empty: the paper's
	// first-order SDE).
	Model string `json:"model,omitempty"`
	// Functional states which expectation the study's E g(x_k) is (the
	// exact engine's chain stopped at the grid's edge, Monte Carlo's mean
	// over its paths) and how it relates to Def. 3's E g(x_k), which
	// diverges for DSGD and DCSGD with unbounded noise (functional.go).
	Functional string `json:"functional"`
	// Engine is mc.EngineMonteCarlo or mc.EngineExact (Paths and Seed are then 0
	// and every se is the numerical error estimate).
	Engine  mc.Engine `json:"engine"`
	Coupled string    `json:"coupling"`
	Paths   int       `json:"paths"`
	Seed    uint64    `json:"seed"`
	Horizon float64   `json:"horizon"`
	Points  []Point   `json:"points"`
	Fits    []Fit     `json:"fits"`
	ODEFits []Fit     `json:"ode_fits"`
	// ExactRef is the same study by the exact engine, where it applies,
	// beside a Monte Carlo one (the report draws it in the figure).
	ExactRef *Result `json:"exact_ref,omitempty"`
	// Reference says how a Monte Carlo study's SDE reference was computed
	// (its levels and extrapolation).
	Reference string `json:"reference,omitempty"`
	// ExactChecks compare a Monte Carlo study with ExactRef, point by point
	// (CheckExact); empty without ExactRef.
	ExactChecks []ExactCheck `json:"exact_checks,omitempty"`
	// Extended says how the exact engine extended the eta grid (or why it
	// stopped without settling the order); empty when it did not.
	Extended string `json:"extended,omitempty"`
	// Unresolved names the etas whose values the exact engine could not
	// bound (exact.Value.Resolved false: a radius error that does not
	// converge on the grid, where the law's mass keeps leaving it); they
	// have no point and are in no fit.
	Unresolved []string `json:"unresolved,omitempty"`
}

// Noise names what an unresolved error is within: the Monte Carlo noise,
// or the exact engine's numerical error.
func (r *Result) Noise() string {
	if r.Engine == mc.EngineExact {
		return "numerical error"
	}
	return "Monte Carlo noise"
}

// Estimate estimates the weak error of cfg's method against its SDE over
// an eta grid. cfg supplies the objective, agents, method, x0 and a clock
// schedule; its eta, steps, paths and checkpoints are replaced.
//
// The SDE reference is Euler-Maruyama, whose weak error is of first order
// in the substep: E g(Y_m) = E g(X) + c/m + O(1/m^2) at m substeps a step
// (at 10 substeps about 10% of DSGD's weak error on x^4/4). The SDE
// therefore runs at two levels on the same Brownian path, m = o.Substeps
// and 2m (as the theorem checks' refined twins), and the reference is the
// Richardson extrapolation 2 E g(Y_2m) - E g(Y_m), free of the first-order
// term. Coupled, every path has its twin (2 g(Y_2m) - g(Y_m) path by
// path). Uncoupled, the standard error is the independent noises', and
// the correction 2 (g(Y_2m) - g(Y_m)), whose variance is the integrator's
// strong error, is estimated on every twinEvery-th path only (weighted
// 2n/n_t, so that the per-path values still average to the estimate):
// half the refinement's cost for a standard error within a few percent.
// Each weak error's Bias is the refined level's bias bound at the
// maximising step, |mean(g(Y_m) - g(Y_2m))| plus two standard errors, an
// allowance for the extrapolation's remaining error (second order: much
// smaller, asymptotically) kept beside the Monte Carlo standard error; a
// point is Resolved only above z SE + Bias. o.NoRefine runs the single
// level m, with no allowance. The gradient-flow baseline is RK4 (Bias: its
// error estimate).
func Estimate(cfg mc.Config, o Options) (*Result, error) {
	o = o.withDefaults()
	if o.Paths < 40 {
		return nil, fmt.Errorf("paths = %d: need at least 40 (20 batches of 2)", o.Paths)
	}
	if sm, ok := exact.LookupModel(o.Model); !ok {
		return nil, model.Invalid("model", o.Model, "want "+exact.ModelList())
	} else if !exact.Simulated(sm) {
		return nil, model.Invalid("model", o.Model, "the Monte Carlo weak study simulates the method's own SDE only (its Drift and Diffuse: the paper's first-order SDE); the exact engine computes the others (one dimension, constant schedule)")
	}
	run, err := cfg.Problem()
	if err != nil {
		return nil, err
	}
	if err := run.System.ValidateSDE(); err != nil {
		return nil, err
	}
	if run.Schedule.Reads() != model.ReadsClock {
		return nil, fmt.Errorf("schedule: the weak error needs a clock schedule (paths must be independent), this one reads the %s", run.Schedule.Reads())
	}
	_, gaussian := run.System.AverageNoiseVar(0)
	coupled := gaussian && model.GaussianStep(run.System.Method) && !o.Independent
	res := &Result{Method: run.System.Method.String(), Engine: mc.EngineMonteCarlo, Paths: o.Paths, Seed: o.Seed, Horizon: o.Horizon}
	m := o.Substeps
	res.Reference = fmt.Sprintf("the SDE by Euler-Maruyama at %d and %d substeps a step on the same Brownian path, extrapolated to zero substep (2 Y_%d - Y_%d); each error bar adds the refined level's estimated bias (|mean(g(Y_%d) - g(Y_%d))| + 2 se); the gradient flow by RK4 (%d substeps a step, error from %d)", m, 2*m, 2*m, m, m, 2*m, flowSubsteps, flowCheck)
	if o.NoRefine {
		res.Reference = fmt.Sprintf("the SDE by Euler-Maruyama at %d substeps a step, not refined: the integrator's bias is not in the error bars; the gradient flow by RK4 (%d substeps a step, error from %d)", m, flowSubsteps, flowCheck)
	}
	switch {
	case coupled:
		res.Coupled = "coupled: the discrete step's normal draw is the SDE's Brownian increment over the step"
	case o.Independent:
		res.Coupled = "independent (coupling switched off)"
	default:
		res.Coupled = "independent: no exact coupling exists for this noise (only Gaussian DSGD noise is coupled)"
	}
	for _, eta := range o.Etas {
		if !(eta > 0) {
			return nil, fmt.Errorf("etas: %v must be > 0", eta)
		}
		k := int(math.Round(o.Horizon / eta))
		if k < 1 {
			return nil, fmt.Errorf("etas: %v is longer than the horizon %v", eta, o.Horizon)
		}
		p := weakAt(run, eta, k, coupled, o)
		res.Points = append(res.Points, p)
	}
	res.fit(o)
	res.Functional = mcFunctional(run, o, res.Points)
	return res, nil
}

// fit fits the order of every test, of the gradient-flow baseline and of
// the variance's relative error over the result's points.
func (res *Result) fit(o Options) {
	res.fitWindow(o, 0)
}

// fitWindow is fit over the window smallest resolved etas of each
// quantity (0: all of them).
func (res *Result) fitWindow(o Options, window int) {
	z := mc.ZCrit(o.Alpha)
	res.Fits, res.ODEFits = nil, nil
	for ti, t := range o.Tests {
		res.Fits = append(res.Fits, fitOrder(t.Name, res.Points, func(p Point) Err { return p.Tests[ti] }, z, res.Noise(), window, o.OrderTol))
		res.ODEFits = append(res.ODEFits, fitOrder(t.Name+" (gradient flow)", res.Points, func(p Point) Err { return p.ODE[ti] }, z, res.Noise(), window, o.OrderTol))
	}
	res.Fits = append(res.Fits, fitOrder("Var relative error", res.Points, func(p Point) Err {
		return Err{Err: math.Abs(p.VarRel), SE: p.VarRelSE, Resolved: math.Abs(p.VarRel) > z*p.VarRelSE}
	}, z, res.Noise(), window, o.OrderTol))
}

// fitOrder fits the weak order over the resolved points, weighted by
// (err/se)^2 (the inverse variance of log err, delta method). The error is
// C1 eta + C2 eta^2 + ..., so over a finite grid the plain log-log slope is
// biased by the next order term (1.05 rather than 1 on x^4/4 between
// eta = 0.0125 and 0.1, for the discrete method against the SDE and against
// the gradient flow alike). With 4 or more points the model is
//
//	log err = a + p log eta + c eta,
//
// whose p is the leading order with the first correction absorbed; with 2 or
// 3 points it is the plain slope (c = 0). The interval on p combines, in
// quadrature, the statistical part (normal, widened by the Birge ratio
// sqrt(chi^2/dof) when the residuals exceed the Monte Carlo noise) and a
// systematic part for the fit model: the distance between p and the plain
// slope over the points without the largest eta (the asymptotic end of the
// grid), whose own error is of the next order. The plain slope over all
// used points is reported as Local.
func fitOrder(name string, pts []Point, get func(Point) Err, z float64, noise string, window int, tol float64) Fit {
	var xs, ys, ws, rel, used []float64
	pts = slices.Clone(pts)
	slices.SortStableFunc(pts, func(a, b Point) int { return cmp.Compare(b.Eta, a.Eta) })
	for _, p := range pts {
		e := get(p)
		if !e.Resolved || !(e.SE > 0) {
			continue
		}
		xs, ys, ws, rel = append(xs, math.Log(p.Eta)), append(ys, math.Log(e.Err)), append(ws, (e.Err/e.SE)*(e.Err/e.SE)), append(rel, e.SE/e.Err)
		used = append(used, p.Eta)
	}
	resolved := len(xs)
	var f Fit
	if window > 0 && len(xs) > window {
		// The asymptotic end: of the windows of consecutive resolved
		// points, the one with the smallest etas whose order settles
		// (asymptotic.go), or else the last one.
		fit := func(cut int) Fit {
			return fitPoints(name, used[cut:cut+window], xs[cut:cut+window], ys[cut:cut+window], ws[cut:cut+window], rel[cut:cut+window], z)
		}
		found := false
		for _, ok := range []func(Fit) bool{func(g Fit) bool { return settled(g, tol) }, func(g Fit) bool { return g.Asymptotic }} {
			for cut := len(xs) - window; cut >= 0 && !found; cut-- {
				if f = fit(cut); ok(f) {
					found = true
				}
			}
		}
		if !found {
			f = fit(len(xs) - window)
		}
	} else {
		f = fitPoints(name, used, xs, ys, ws, rel, z)
	}
	if resolved < 2 {
		f.Note = fmt.Sprintf("%d of %d points above %s: no slope", resolved, len(pts), noise)
		return f
	}
	var notes []string
	if f.Note != "" {
		notes = append(notes, f.Note)
	}
	if resolved < len(pts) {
		notes = append(notes, fmt.Sprintf("%d of %d points within %s were left out", len(pts)-resolved, len(pts), noise))
	}
	if len(f.Used) < resolved {
		notes = append(notes, fmt.Sprintf("fitted over %d consecutive etas above the noise, the smallest where the order settles (or else the smallest)", len(f.Used)))
	}
	f.Note = strings.Join(notes, "; ")
	return f
}

// fitPoints fits the order over the points (log eta xs, decreasing; log
// err ys; weights ws; relative standard errors rel) and checks that the
// grid has reached the asymptotic regime there (checkAsymptotic).
func fitPoints(name string, used, xs, ys, ws, rel []float64, z float64) Fit {
	f := Fit{Test: name, Slope: math.NaN(), Lo: math.NaN(), Hi: math.NaN(), Local: math.NaN(), Used: used}
	f.CI = []float64{math.NaN(), math.NaN()}
	if len(xs) < 2 {
		return f
	}
	cols := [][]float64{make([]float64, len(xs)), xs}
	for i := range cols[0] {
		cols[0][i] = 1
	}
	if local, _, _, ok := wls(cols, ys, ws); ok {
		f.Local = local[1]
	}
	if len(xs) >= 4 {
		corr := make([]float64, len(xs))
		for i, x := range xs {
			corr[i] = math.Exp(x)
		}
		cols = append(cols, corr)
	}
	beta, cov, chi2, ok := wls(cols, ys, ws)
	if !ok {
		f.Note = "singular fit"
		return f
	}
	se := math.Sqrt(cov[1][1])
	if dof := len(xs) - len(cols); dof > 0 && chi2/float64(dof) > 1 {
		se *= math.Sqrt(chi2 / float64(dof))
	}
	f.Slope = beta[1]
	half := z * se
	if len(xs) >= 3 {
		// The points are in decreasing eta; drop the largest.
		big := 0
		for i := range xs {
			if xs[i] > xs[big] {
				big = i
			}
		}
		var cx, cy, cw []float64
		for i := range xs {
			if i != big {
				cx, cy, cw = append(cx, xs[i]), append(cy, ys[i]), append(cw, ws[i])
			}
		}
		ones := make([]float64, len(cx))
		for i := range ones {
			ones[i] = 1
		}
		if b2, _, _, ok := wls([][]float64{ones, cx}, cy, cw); ok {
			f.Systematic = math.Abs(b2[1] - f.Slope)
			half = math.Hypot(half, f.Systematic)
		}
	}
	f.Lo, f.Hi = f.Slope-half, f.Slope+half
	f.CI = []float64{f.Lo, f.Hi}
	if len(cols) == 3 {
		f.Note = "with a first-order correction term"
	}
	checkAsymptotic(&f, xs, ys, rel, z)
	return f
}

// wls solves weighted least squares y ~ X beta with weights w, returning
// beta, its covariance (X^T W X)^-1 and the weighted residual sum of squares.
func wls(cols [][]float64, y, w []float64) (beta []float64, cov [][]float64, chi2 float64, ok bool) {
	// Scaled to the largest weight (an exact engine's points can weigh
	// 1e20), which leaves beta alone; cov is scaled back below.
	wmax := slices.Max(w)
	if !(wmax > 0) || math.IsInf(wmax, 0) {
		return nil, nil, 0, false
	}
	w = slices.Clone(w)
	for i := range w {
		w[i] /= wmax
	}
	defer func() {
		for i := range cov {
			for j := range cov[i] {
				cov[i][j] /= wmax
			}
		}
		chi2 *= wmax
	}()
	k := len(cols)
	a := mat.NewSymDense(k, nil)
	b := mat.NewVecDense(k, nil)
	for i := range k {
		for j := i; j < k; j++ {
			var s float64
			for n := range y {
				s += w[n] * cols[i][n] * cols[j][n]
			}
			a.SetSym(i, j, s)
		}
		var s float64
		for n := range y {
			s += w[n] * cols[i][n] * y[n]
		}
		b.SetVec(i, s)
	}
	var ch mat.Cholesky
	if !ch.Factorize(a) {
		return nil, nil, 0, false
	}
	var inv mat.SymDense
	if err := ch.InverseTo(&inv); err != nil {
		return nil, nil, 0, false
	}
	var sol mat.VecDense
	sol.MulVec(&inv, b)
	beta = make([]float64, k)
	cov = make([][]float64, k)
	for i := range k {
		beta[i] = sol.AtVec(i)
		cov[i] = make([]float64, k)
		for j := range k {
			cov[i][j] = inv.At(i, j)
		}
	}
	for n := range y {
		r := y[n]
		for i := range k {
			r -= beta[i] * cols[i][n]
		}
		chi2 += w[n] * r * r
	}
	return beta, cov, chi2, true
}

type weakBlock struct {
	// [test][k]: the discrete method's values, the differences to the SDE
	// reference and, refined, the coarse-minus-fine differences.
	dis, diff, cf [][]mc.Sums
	// Per coordinate at the horizon: the discrete method, the SDE's
	// (coarse) level and, refined, its fine level and the coarse level on
	// the paths with a twin.
	varD, varS, varF, varT []mc.Moments
}

// twinSalt separates the streams of the refined level's Brownian bridges
// from the paths' (the salt of model/mc's refined twins).
const twinSalt = 0x5851f42d4c957f2d

// twinEvery: uncoupled, only the paths p with p mod twinEvery = 0 have a
// refined twin (see Estimate).
const twinEvery = 4

// refined is a path's value of the difference to the extrapolated SDE
// reference from its discrete value a and its SDE's coarse and fine values
// c and f, with weight w on the twin's correction: 2 on every path
// (a - (2 f - c)), or 2n/n_t on the n_t paths of n that have a twin.
func refined(a, c, f, w float64) float64 { return a - c - w*(f-c) }

// weakAt runs every path at one eta and returns the point. Unless
// o.NoRefine, the SDE runs at two levels on the same Brownian path, Y_m
// (o.Substeps substeps a step) and Y_2m, on every path (coupled) or every
// twinEvery-th path, and the reference is the extrapolation
// 2 E Y_2m - E Y_m; each error's Bias is the refined level's bias bound at
// the maximising step (see Estimate).
func weakAt(run mc.Problem, eta float64, k int, coupled bool, o Options) Point {
	sys := run.System
	d := sys.F.Dim()
	nt := len(o.Tests)
	refine := !o.NoRefine
	nb := (o.Paths + mc.BlockSize - 1) / mc.BlockSize
	blocks := make([]weakBlock, nb)
	in := model.Integrator{Scheme: model.EulerMaruyama, Substeps: o.Substeps, MaxSubsteps: o.Substeps, Perturb: o.Perturb}
	type scratch struct {
		ws                    *model.Workspace
		x, gx, y, gy, yf, gyf []float64
	}
	scr := make([]scratch, parallel.Workers(o.Workers, nb))
	for w := range scr {
		scr[w] = scratch{model.NewWorkspace(d), make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d)}
	}
	// The weight of a twin's correction: 2 n/n_t over the n_t twins of the
	// n paths (uncoupled: the paths p with p mod twinEvery = 0).
	tw := 2 * float64(o.Paths) / float64((o.Paths+twinEvery-1)/twinEvery)
	parallel.ForBlocks(nb, o.Workers, func(w, b int) {
		ws, x, gx, y, gy := scr[w].ws, scr[w].x, scr[w].gx, scr[w].y, scr[w].gy
		blk := &blocks[b]
		blk.dis, blk.diff = sumsGrid(nt, k+1), sumsGrid(nt, k+1)
		blk.varD, blk.varS = make([]mc.Moments, d), make([]mc.Moments, d)
		var yf, gyf []float64
		if refine {
			blk.cf, blk.varF, blk.varT = sumsGrid(nt, k+1), make([]mc.Moments, d), make([]mc.Moments, d)
			yf, gyf = scr[w].yf, scr[w].gyf
		}
		lo, hi := b*mc.BlockSize, min((b+1)*mc.BlockSize, o.Paths)
		if coupled {
			coupledBlock(sys, run, blk, lo, hi, eta, k, o)
			return
		}
		for p := lo; p < hi; p++ {
			r := mc.Stream(o.Seed, p)
			var rf *model.Rand
			twin := refine && p%twinEvery == 0
			var yt []float64 // the twin's state, nil without one
			if twin {
				rf = mc.Stream(o.Seed^twinSalt, p)
				yt = yf
				copy(yt, run.X0)
			}
			copy(x, run.X0)
			copy(y, run.X0)
			for step := 0; ; step++ {
				blk.record(sys, o.Tests, step, x, y, yt, tw)
				if step == k {
					break
				}
				rate := run.Schedule.Rate(model.StepInfo{K: step, T: float64(step) * eta})
				sys.F.Grad(gx, x)
				sys.DiscreteStep(x, gx, dot(gx, gx), eta*rate, ws, r)
				sys.F.Grad(gy, y)
				if twin {
					// The coarse level draws from r as SDEStep does; the
					// fine level's bridges come from rf.
					sys.F.Grad(gyf, yf)
					sys.SDEStepCoupled(y, gy, dot(gy, gy), yf, gyf, dot(gyf, gyf), eta, rate, rate, in, ws, r, rf)
				} else {
					sys.SDEStep(y, gy, dot(gy, gy), eta, rate, in, ws, r)
				}
			}
			for j := range d {
				blk.varD[j].Add(x[j])
				blk.varS[j].Add(y[j])
				if twin {
					blk.varF[j].Add(yf[j])
					blk.varT[j].Add(y[j])
				}
			}
		}
	})
	// Reduce in block order; the total variance by batches of blocks.
	totDis, totDiff, totCF := grid(nt, k+1), grid(nt, k+1), grid(nt, k+1)
	const batches = 20
	var rel []float64
	bd, bs, bf, bt := make([]mc.Moments, d), make([]mc.Moments, d), make([]mc.Moments, d), make([]mc.Moments, d)
	for b := range blocks {
		for ti := range nt {
			for s := range k + 1 {
				totDis[ti][s].Merge(blocks[b].dis[ti][s].Moments())
				totDiff[ti][s].Merge(blocks[b].diff[ti][s].Moments())
				if refine {
					totCF[ti][s].Merge(blocks[b].cf[ti][s].Moments())
				}
			}
		}
		for j := range d {
			bd[j].Merge(blocks[b].varD[j])
			bs[j].Merge(blocks[b].varS[j])
			if refine {
				bf[j].Merge(blocks[b].varF[j])
				bt[j].Merge(blocks[b].varT[j])
			}
		}
		if (b+1)*batches/nb != b*batches/nb || b == nb-1 {
			var vd, vs, vf, vt float64
			for j := range d {
				vd += bd[j].Var()
				vs += bs[j].Var()
				vf += bf[j].Var()
				vt += bt[j].Var()
			}
			if refine {
				// The variance extrapolated as the means are, its
				// correction from the paths with a twin.
				vs += 2 * (vf - vt)
			}
			if vs > 0 {
				rel = append(rel, vd/vs-1)
			}
			bd, bs, bf, bt = make([]mc.Moments, d), make([]mc.Moments, d), make([]mc.Moments, d), make([]mc.Moments, d)
		}
	}
	pt := Point{Eta: eta, Steps: k}
	z := mc.ZCrit(o.Alpha)
	ode, odeErr := gradientFlow(sys, run, eta, k, o)
	for ti, t := range o.Tests {
		best := Err{Test: t.Name}
		bestODE := Err{Test: t.Name}
		for s := range k + 1 {
			if e := math.Abs(totDiff[ti][s].Mean); s == 0 || e > best.Err {
				best.Err, best.SE, best.Step = e, totDiff[ti][s].SE(), s
				if refine {
					// The refined level's bias, mean(Y_m - Y_2m) for a
					// first-order scheme, bounds the extrapolation's
					// remaining error as in the theorem checks.
					best.Bias = math.Abs(totCF[ti][s].Mean) + 2*totCF[ti][s].SE()
				}
			}
			if e := math.Abs(totDis[ti][s].Mean - ode[ti][s]); s == 0 || e > bestODE.Err {
				bestODE.Err, bestODE.SE, bestODE.Step, bestODE.Bias = e, totDis[ti][s].SE(), s, odeErr[ti][s]
			}
		}
		best.Resolved = best.Err > z*best.SE+best.Bias
		bestODE.Resolved = bestODE.Err > z*bestODE.SE+bestODE.Bias
		pt.Tests = append(pt.Tests, best)
		pt.ODE = append(pt.ODE, bestODE)
	}
	var m mc.Moments
	for _, v := range rel {
		m.Add(v)
	}
	pt.VarRel, pt.VarRelSE = m.Mean, m.SE()
	return pt
}

// testValues writes test t's value at each of the paths xs (d coordinates
// each, back to back) into dst.
func testValues(dst []float64, f model.Objective, t TestFunc, xs []float64, d int) {
	switch t.kind {
	case excessTest:
		fstar := f.Inf()
		model.ValueBatch(f, dst, xs)
		for p := range dst {
			dst[p] -= fstar
		}
	case norm2Test:
		for p := range dst {
			dst[p] = norm2(xs[p*d : (p+1)*d])
		}
	default:
		for p := range dst {
			dst[p] = t.G(f, xs[p*d:(p+1)*d])
		}
	}
}

// recordAll adds the test-function values at step of the block's paths
// (xs, ys and, refined, yfs hold them back to back, d coordinates each), in
// path order, with the sums in locals: the same sums as record path by
// path. va, vc and vf are scratch for one value per path.
func (blk *weakBlock) recordAll(sys model.System, tests []TestFunc, step, d int, xs, ys, yfs, va, vc, vf []float64) {
	for ti, t := range tests {
		testValues(va, sys.F, t, xs, d)
		testValues(vc, sys.F, t, ys, d)
		if yfs == nil {
			addPaired(&blk.dis[ti][step], &blk.diff[ti][step], va, vc)
			continue
		}
		testValues(vf, sys.F, t, yfs, d)
		addRefined(&blk.dis[ti][step], &blk.diff[ti][step], &blk.cf[ti][step], va, vc, vf)
	}
}

// addPaired adds a_p to dis and a_p - c_p to diff for every p in order:
// the same sums as Sums.Add one by one, with the sums in registers.
func addPaired(dis, diff *mc.Sums, a, c []float64) {
	c = c[:len(a)]
	if len(a) == 0 {
		return
	}
	n, sa, a1, a2 := dis.N, dis.Shift, dis.S1, dis.S2
	sb, b1, b2 := diff.Shift, diff.S1, diff.S2
	if n == 0 { // Sums.Add's shift: the first observation
		sa, sb = a[0], a[0]-c[0]
	}
	for p, x := range a {
		da, db := x-sa, x-c[p]-sb
		a1 += da
		a2 += da * da
		b1 += db
		b2 += db * db
	}
	n += len(a)
	*dis = mc.Sums{N: n, Shift: sa, S1: a1, S2: a2}
	*diff = mc.Sums{N: n, Shift: sb, S1: b1, S2: b2}
}

// addRefined adds, for every p in order, a_p to dis, a_p minus the
// extrapolation 2 f_p - c_p to diff (refined with weight 2), and c_p - f_p
// to cf: the same sums as Sums.Add one by one, with the sums in registers.
func addRefined(dis, diff, cf *mc.Sums, a, c, f []float64) {
	c, f = c[:len(a)], f[:len(a)]
	if len(a) == 0 {
		return
	}
	n, sa, a1, a2 := dis.N, dis.Shift, dis.S1, dis.S2
	sb, b1, b2 := diff.Shift, diff.S1, diff.S2
	sc, c1, c2 := cf.Shift, cf.S1, cf.S2
	if n == 0 { // Sums.Add's shift: the first observation
		sa, sb, sc = a[0], refined(a[0], c[0], f[0], 2), c[0]-f[0]
	}
	for p, x := range a {
		da, db, dc := x-sa, refined(x, c[p], f[p], 2)-sb, c[p]-f[p]-sc
		a1 += da
		a2 += da * da
		b1 += db
		b2 += db * db
		c1 += dc
		c2 += dc * dc
	}
	n += len(a)
	*dis = mc.Sums{N: n, Shift: sa, S1: a1, S2: a2}
	*diff = mc.Sums{N: n, Shift: sb, S1: b1, S2: b2}
	*cf = mc.Sums{N: n, Shift: sc, S1: c1, S2: c2}
}

// record adds one path's test-function values at step: the discrete
// method's (for the gradient-flow baseline) and the difference to the SDE
// reference: g(x) - g(y), or with a twin yf (the refined level) minus
// w (g(yf) - g(y)) too, and then g(y) - g(yf) to the twins' differences.
func (blk *weakBlock) record(sys model.System, tests []TestFunc, step int, x, y, yf []float64, w float64) {
	for ti, t := range tests {
		a, c := t.G(sys.F, x), t.G(sys.F, y)
		blk.dis[ti][step].Add(a)
		if yf == nil {
			blk.diff[ti][step].Add(a - c)
			continue
		}
		f := t.G(sys.F, yf)
		blk.diff[ti][step].Add(refined(a, c, f, w))
		blk.cf[ti][step].Add(c - f)
	}
}

func sumsGrid(a, b int) [][]mc.Sums {
	g := make([][]mc.Sums, a)
	for i := range g {
		g[i] = make([]mc.Sums, b)
	}
	return g
}

func grid(a, b int) [][]mc.Moments {
	g := make([][]mc.Moments, a)
	for i := range g {
		g[i] = make([]mc.Moments, b)
	}
	return g
}

func dot(a, b []float64) float64 {
	if len(a) == 1 {
		return a[0] * b[0]
	}
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// coupledBlock runs paths [lo, hi) with coupled noise. Per step, the SDE's
// m substep increments dW_i ~ N(0, h) (h = eta/m) are drawn first and the
// discrete method's normal draw is xi = sum_i dW_i / sqrt(eta), exactly
// N(0, I): the discrete noise sqrt(v(x)) xi (v = a + b ||grad f||^2 for
// Gaussian agents) is the SDE's Brownian increment over the step, which is
// the same joint law as drawing xi and then the increments as a Brownian
// bridge on it. Refined (unless o.NoRefine), the SDE's fine level takes
// 2m substeps of h/2 whose increments are the halves of the coarse ones,
// sqrt(h/2) (z_i +- b_i)/sqrt 2 with a bridge normal b_i from the path's
// twin stream (as model.System.SDEStepCoupled): the discrete method and the
// coarse level draw exactly what they draw unrefined. The loops run over
// the block's paths innermost (gradients of all paths in one call), so that
// the paths' independent dependency chains overlap in the processor; every
// path still draws from its own streams in its own order, so the results
// do not depend on this.
func coupledBlock(sys model.System, run mc.Problem, blk *weakBlock, lo, hi int, eta float64, k int, o Options) {
	d, m, np := sys.F.Dim(), o.Substeps, hi-lo
	refine := !o.NoRefine
	va, vb, _ := sys.AverageNoiseAffine()
	rs := make([]model.Rand, np)
	xs, ys, gs := make([]float64, np*d), make([]float64, np*d), make([]float64, np*d)
	vx, vy := make([]float64, np), make([]float64, np)
	z := make([]float64, np*d*m) // standard normals, [path][coordinate][substep]
	var rfs []model.Rand
	var yfs, vf, zb, zf []float64
	if refine {
		rfs = make([]model.Rand, np)
		yfs, vf = make([]float64, np*d), make([]float64, np)
		zb, zf = make([]float64, m), make([]float64, np*d*2*m) // zf: the fine level's, [path][coordinate][substep]
	}
	for p := range np {
		rs[p].Seed(mc.StreamSeed(o.Seed, lo+p))
		copy(xs[p*d:], run.X0)
		copy(ys[p*d:], run.X0)
		if refine {
			rfs[p].Seed(mc.StreamSeed(o.Seed^twinSalt, lo+p))
			copy(yfs[p*d:], run.X0)
		}
	}
	// dW_i = sqrt(h) z_i; the discrete draw is sum_i dW_i / sqrt(eta) =
	// sum_i z_i / sqrt(m).
	ism := 1 / math.Sqrt(float64(m))
	for step := 0; ; step++ {
		blk.recordAll(sys, o.Tests, step, d, xs, ys, yfs, vx, vy, vf)
		if step == k {
			break
		}
		rate := run.Schedule.Rate(model.StepInfo{K: step, T: float64(step) * eta})
		er := eta * rate
		model.GradBatch(sys.F, gs, xs)
		svb := math.Sqrt(vb) * ism
		for p := range np {
			g := gs[p*d : (p+1)*d]
			var sv float64
			if va == 0 && d == 1 {
				sv = svb * math.Abs(g[0]) // sqrt(vb g^2), no square root
			} else {
				sv = math.Sqrt(va+vb*dot(g, g)) * ism
			}
			for j := range d {
				q := (p*d + j) * m
				sum := rs[p].Normals(z[q : q+m])
				xs[p*d+j] -= er * (g[j] + sv*sum)
				if refine {
					rfs[p].Normals(zb)
					for i, zi := range z[q : q+m] {
						zf[2*q+2*i] = (zi + zb[i]) * math.Sqrt2 / 2
						zf[2*q+2*i+1] = (zi - zb[i]) * math.Sqrt2 / 2
					}
				}
			}
		}
		emSubsteps(sys, ys, gs, z, d, m, eta, rate, va, vb, o.Perturb)
		if refine {
			emSubsteps(sys, yfs, gs, zf, d, 2*m, eta, rate, va, vb, o.Perturb)
		}
	}
	for p := range np {
		for j := range d {
			blk.varD[j].Add(xs[p*d+j])
			blk.varS[j].Add(ys[p*d+j])
			if refine {
				blk.varF[j].Add(yfs[p*d+j])
				blk.varT[j].Add(ys[p*d+j])
			}
		}
	}
}

// emSubsteps advances the block's SDE paths ys (d coordinates each, back
// to back) over one optimiser step by m Euler-Maruyama substeps of
// h = eta/m driven by the standard normals z ([path][coordinate][substep]:
// dW_i = sqrt(h) z_i), for Gaussian DSGD noise of averaged variance
// va + vb ||grad f||^2; gs is scratch for the gradients.
func emSubsteps(sys model.System, ys, gs, z []float64, d, m int, eta, rate, va, vb float64, pert model.Perturbation) {
	h := eta / float64(m)
	rh, sh := rate*h, math.Sqrt(h)
	noise, bias := pert.Noise(rate), pert.DriftBias
	for i := range m {
		model.GradBatch(sys.F, gs, ys)
		if d == 1 && va == 0 {
			// sqrt(eta vb g^2) = sqrt(eta vb) |g|: no square root per
			// path (Figure 1's noise, sigma0 = 0).
			c := noise * math.Sqrt(eta*vb) * sh
			for p, g := range gs {
				ys[p] -= rh*(g+bias) + c*math.Abs(g)*z[p*m+i]
			}
			continue
		}
		c := noise * sh
		if d == 1 {
			for p, g := range gs {
				ys[p] -= rh*(g+bias) + c*math.Sqrt(eta*(va+vb*g*g))*z[p*m+i]
			}
			continue
		}
		for p := range len(gs) / d {
			g := gs[p*d : (p+1)*d]
			sd := c * math.Sqrt(eta*(va+vb*dot(g, g)))
			for j := range d {
				ys[p*d+j] -= rh*(g[j]+bias) + sd*z[(p*d+j)*m+i]
			}
		}
	}
}

// Gradient-flow substeps per optimiser step (RK4), and the coarser run
// whose difference is the error estimate: as Exact's baseline.
const flowSubsteps, flowCheck = 64, 32

// gradientFlow integrates dX = -eta_t b(X) dt (no noise) by RK4 with
// flowSubsteps substeps per step (the schedule's value held over each
// step) and returns g(X_{k eta}) for each test and step, with the
// difference to flowCheck substeps as the error: the baseline no longer
// carries an Euler method's first-order bias (about 10% of the weak error
// at 10 substeps).
func gradientFlow(sys model.System, run mc.Problem, eta float64, k int, o Options) (val, errs [][]float64) {
	d := sys.F.Dim()
	flow := func(m int) [][]float64 {
		x, y, g := append([]float64(nil), run.X0...), make([]float64, d), make([]float64, d)
		k1, k2, k3, k4 := make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d)
		out := make([][]float64, len(o.Tests))
		for ti := range out {
			out[ti] = make([]float64, k+1)
		}
		h := eta / float64(m)
		for s := 0; ; s++ {
			for ti, t := range o.Tests {
				out[ti][s] = t.G(sys.F, x)
			}
			if s == k {
				return out
			}
			rate := run.Schedule.Rate(model.StepInfo{K: s, T: float64(s) * eta})
			// b writes -rate b(at) into dst.
			b := func(dst, at []float64) {
				sys.F.Grad(g, at)
				sys.Drift(dst, g, dot(g, g))
				for j := range dst {
					dst[j] *= -rate
				}
			}
			at := func(c float64, k []float64) []float64 {
				for j := range y {
					y[j] = x[j] + c*k[j]
				}
				return y
			}
			for range m {
				b(k1, x)
				b(k2, at(h/2, k1))
				b(k3, at(h/2, k2))
				b(k4, at(h, k3))
				for j := range x {
					x[j] += h / 6 * (k1[j] + 2*k2[j] + 2*k3[j] + k4[j])
				}
			}
		}
	}
	val, coarse := flow(flowSubsteps), flow(flowCheck)
	errs = make([][]float64, len(o.Tests))
	for ti := range val {
		errs[ti] = make([]float64, k+1)
		for s := range val[ti] {
			errs[ti][s] = math.Abs(val[ti][s] - coarse[ti][s])
		}
	}
	return val, errs
}
