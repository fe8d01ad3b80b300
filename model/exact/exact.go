package exact

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/sdeverify/sdeverify/internal/parallel"
	"github.com/sdeverify/sdeverify/model"
)

// Problem is a one-dimensional system started at X0, run for Steps steps
// of size Eta times a constant schedule value Rate (0 means 1). Model
// chooses the SDE that SDE (and Job with SDE set) computes; the discrete
// method does not depend on it.
type Problem struct {
	System model.System
	X0     float64
	Eta    float64
	Rate   float64
	Steps  int
	// Model names the SDE model, a registered SDEModel (models.go;
	// ModelNames lists them): "" or ModelFirstOrder, the paper's
	// first-order SDE (docs/math.md section 2); ModelSecondOrder, Li, Tai
	// and E's second-order stochastic modified equation (DSGD and DCSGD,
	// whose mean update is f', on objectives with a second derivative:
	// docs/math.md section 7.3); or a model registered from another
	// package.
	Model string
}

// Settings set the numerical resolution (Nodes is a minimum: DSignSGD
// raises it where the noise scale needs a finer grid, see resolveNodes).
// The zero value means 1200 grid
// nodes on [-Radius, Radius] with Radius = 2|X0| + 2, normals wider than
// the spacing integrated cell by cell (quadrature.go), and the SDE by
// Euler-Maruyama on 2, 4, 8 and 16 substeps per step, Richardson-extrapolated.
type Settings struct {
	Nodes    int     // grid nodes (>= 16)
	Radius   float64 // the grid covers [-Radius, Radius]
	Hermite  int     // > 0: a fixed Gauss-Hermite rule of this many nodes for the normals wider than the spacing, instead of the cell rule (for comparisons)
	Substeps int     // the SDE's base level m (Euler-Maruyama: m/2, m, 2m, 4m for an even m, else m..8m; finite differences: m, 2m, 4m)
	// Map > 0 spaces the nodes as x = Map sinh(xi) with xi uniform: a
	// spacing of about Map dxi near 0 and |x| dxi far out, so that one grid
	// resolves both the minimiser and power-law tails out to a large
	// Radius (0: uniform). Not for DSignSGD, whose sign probabilities need
	// the uniform grid of resolveNodes.
	Map float64
	// Absorb kills the mass that leaves [-Radius, Radius] instead of
	// valuing it by the test function: E g is then E[g(x_k); x_j stayed in
	// the grid for j <= k], and the test function 1 gives the probability
	// of staying (1 minus it is the probability of escape).
	Absorb bool
	// Reflect makes the edges of the grid reflecting (zero flux) instead of
	// holding the mass that reaches them: for the SDE's forward
	// computation (Forward with sde) over long horizons, where a law with
	// power-law tails keeps sending mass to a held edge (which piles up
	// there, valued by g at the edge) and keeps taking it back in truth.
	// The radius refinement measures the edge's effect as before.
	Reflect bool
	// Scheme is the SDE's time stepping: "" or SchemeEM, Euler-Maruyama
	// substeps whose normal is integrated by quadrature; SchemeFD, the
	// backward equation by exponentially fitted finite differences and
	// implicit Euler (see sdeFD), whose cost per substep is a tridiagonal
	// solve instead of a banded matrix product: the one for long horizons.
	Scheme string
	// Interpolate computes DSignSGD under a constant step on the
	// interpolation grid even where its lattice applies (see latticeGrid):
	// for comparisons of the two.
	Interpolate bool
}

// The SDE schemes of Settings.Scheme.
const (
	SchemeEM = "em"
	SchemeFD = "fd"
)

// ErrUnresolved marks a problem whose features the grid cannot resolve
// within the engine's node budget: its values would carry errors the
// refinement estimate does not see, so none are given.
var ErrUnresolved = errors.New("exact: unresolved")

// maxNodes is the most grid nodes the engine raises the default to.
const maxNodes = 40000

// resolveNodes makes the grid resolve a law that changes over a width s
// in x (a model.Width1Der: DSignSGD's sign probabilities, which change
// over a distance of the agents' smallest noise scale s at grad f = 0,
// sigma0 for Gaussian agents, the scale for Student-t): a coarser grid interpolates a feature it does not see, and the refinement
// estimate, blind at both levels, reports a small error for a wrong value
// (found by the property that compares the engine with Monte Carlo: 16%
// off at s = 0.001 with an estimate of 2%; 28% off where a Gaussian agent
// has sigma0 = 0, a jump at the minimiser). The coarsest level (Nodes/2)
// must have a spacing of at most s/4: Nodes grows to that, up to maxNodes;
// a need beyond maxNodes (s = 0 among them) is ErrUnresolved.
func (p Problem) resolveNodes(s Settings) (Settings, error) {
	w, ok := p.System.Method.(model.Width1Der)
	if !ok {
		return s, nil
	}
	// Gaussian sigma0 = 0: the sign probability jumps at the minimiser
	// (a feature of width 0, which no grid resolves).
	smin, err := w.Width1D(p.System)
	if err != nil {
		return s, err
	}
	if math.IsInf(smin, 1) {
		return s, nil
	}
	need := 2*(8*s.Radius/smin+1) + 2 // +Inf for smin = 0
	if float64(s.Nodes) >= need {
		return s, nil
	}
	if need > maxNodes {
		return s, fmt.Errorf("%w: %s's one-step law changes over a width %g (model.Width1Der; dsignsgd: the sign probabilities over the noise scale), which needs %.3g grid nodes on [-%g, %g] (have %d, at most %d by default)", ErrUnresolved, p.System.Method, smin, need, s.Radius, s.Radius, s.Nodes, maxNodes)
	}
	s.Nodes = int(math.Ceil(need))
	return s, nil
}

// validate is check for the forward computation (Forward). The discrete
// method's one-step law that is a quadrature rule (the agent maps) is
// carried there at two levels (planForward), as plan does. The SDE's
// forward computation still refuses such a method (sde), with the message
// it had before the discrete law got its second level, so that the
// theorem checks that fall back to Monte Carlo for it do not change (left
// open: the SDE's coefficients do not use the one-step law's levels).
func (s Settings) validate(p Problem, sde bool) error {
	if err := s.check(p); err != nil {
		return err
	}
	if sde && p.quadratureLaw() {
		return model.Invalid("method", p.System.Method.String(), "the forward computation (exact.Forward) does not carry the error of a one-step law that is a quadrature rule: use a constant schedule (exact.Discrete)")
	}
	return nil
}

// check checks the settings that have no default.
func (s Settings) check(p Problem) error {
	if s.Nodes != 0 && s.Nodes < 16 {
		return model.Invalid("settings.nodes", s.Nodes, "must be >= 16 (0: 1200)")
	}
	if s.Radius < 0 || math.IsNaN(s.Radius) || math.IsInf(s.Radius, 0) {
		return model.Invalid("settings.radius", s.Radius, "must be finite and > 0 (0: 2|x0| + 2)")
	}
	if s.Radius > 0 && !(math.Abs(p.X0) < s.Radius) {
		return model.Invalid("settings.radius", s.Radius, fmt.Sprintf("must exceed |x0| = %g", math.Abs(p.X0)))
	}
	if s.Map < 0 || math.IsNaN(s.Map) || math.IsInf(s.Map, 0) {
		return model.Invalid("settings.map", s.Map, "must be finite and >= 0 (0: a uniform grid)")
	}
	if s.Map > 0 && model.UniformGrid1D(p.System) {
		return model.Invalid("settings.map", s.Map, fmt.Sprintf("%s needs a uniform grid (its law changes over a width the grid must resolve everywhere near the minimiser: model.Width1Der)", p.System.Method))
	}
	if s.Scheme == SchemeFD && s.Nodes != 0 && s.Nodes < 64 {
		return model.Invalid("settings.nodes", s.Nodes, "the fd scheme needs >= 64 (it refines to a quarter)")
	}
	switch s.Scheme {
	case "", SchemeEM, SchemeFD:
	default:
		return model.Invalid("settings.scheme", s.Scheme, "want em or fd")
	}
	if s.Reflect && s.Absorb {
		return model.Invalid("settings.reflect", true, "an edge cannot both reflect and absorb")
	}
	return nil
}

// wideNodes is the number of nodes of the radius check's grid, 1.5 times
// the radius at the same spacing: 1.5 times the nodes on a uniform grid,
// fewer on a sinh map (uniform in asinh(x/Map): Figure 1's left grid to
// 1000 takes 1245 nodes to 1500, where 1.5 times 1200 refined the spacing
// as well, which the check on half the nodes measures already).
func (s Settings) wideNodes() int { return s.nodesAt(s.Nodes, 1.5) }

// widerNodes is wideNodes for 2.25 times the radius (the third radius of
// radiusErr).
func (s Settings) widerNodes() int { return s.nodesAt(s.Nodes, 2.25) }

// nodesAt is the number of nodes over c times the radius at the spacing of
// n nodes over the radius.
func (s Settings) nodesAt(n int, c float64) int {
	if s.Map == 0 {
		return int(float64(n) * c)
	}
	r := math.Asinh(c*s.Radius/s.Map) / math.Asinh(s.Radius/s.Map)
	return int(math.Ceil(float64(n-1)*r)) + 1
}

// quadRes is the cell rule's resolution on the main grid: cells of about
// sd/quadRes under a normal of standard deviation sd (grid.qres), at most
// 18 quadRes nodes a row.
const quadRes = 24

// qres is grid.qres of a pass on n nodes over [-r, r]: quadRes on the main
// grid's spacing, scaled with the pass's spacing (half the nodes: half of
// it, the same nodes on the stride; 1.5 times the radius at the same
// spacing: the same).
func (s Settings) qres(n int, r float64) float64 {
	dxi := func(n int, r float64) float64 {
		if s.Map > 0 {
			return math.Asinh(r/s.Map) / float64(n-1)
		}
		return r / float64(n-1)
	}
	return quadRes * dxi(s.Nodes, s.Radius) / dxi(n, r)
}

func (s Settings) withDefaults(x0 float64) Settings {
	if s.Nodes == 0 {
		s.Nodes = 1200
	}
	if s.Radius == 0 {
		s.Radius = 2*math.Abs(x0) + 2
	}
	if s.Substeps == 0 {
		s.Substeps = 4
	}
	if s.Scheme == "" {
		s.Scheme = SchemeEM
	}
	return s
}

// Value is an expectation with the estimate of its numerical error (the
// sum of the spatial, temporal and radius refinement differences). An
// error of +Inf marks a value the refinements could not bound (Resolved
// false: see radiusErr); it is never to be used as if exact. In JSON such
// an error is null, with "unresolved": true.
type Value struct {
	Value float64 `json:"value"`
	Err   float64 `json:"err"`
}

// Resolved reports whether the value has a finite error estimate.
func (v Value) Resolved() bool { return !math.IsInf(v.Err, 0) && !math.IsNaN(v.Err) }

// MarshalJSON writes an unresolved value's error as null and adds
// "unresolved": true, and a value that is not a finite number (a refused
// or undefined one) as null (JSON has no infinity or NaN).
func (v Value) MarshalJSON() ([]byte, error) {
	val := &v.Value
	if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
		val = nil
	}
	if v.Resolved() {
		return json.Marshal(struct {
			Value *float64 `json:"value"`
			Err   float64  `json:"err"`
		}{val, v.Err})
	}
	return json.Marshal(struct {
		Value      *float64 `json:"value"`
		Err        *float64 `json:"err"`
		Unresolved bool     `json:"unresolved"`
	}{val, nil, true})
}

// UnmarshalJSON reads what MarshalJSON writes (a null value as NaN).
func (v *Value) UnmarshalJSON(b []byte) error {
	var w struct {
		Value      *float64 `json:"value"`
		Err        *float64 `json:"err"`
		Unresolved bool     `json:"unresolved"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	v.Value, v.Err = math.NaN(), math.Inf(1)
	if w.Value != nil {
		v.Value = *w.Value
	}
	if w.Err != nil && !w.Unresolved {
		v.Err = *w.Err
	}
	return nil
}

// Unresolved returns the first value of the series that is not Resolved
// (its step), or -1.
func (s Series) Unresolved() int {
	for k, v := range s {
		if !v.Resolved() {
			return k
		}
	}
	return -1
}

// Series holds E g at steps 0..Steps of a problem.
type Series []Value

// Validate checks that the exact engine covers the problem.
func (p Problem) Validate() error { return p.validate(false) }

// ValidateSDE is Validate for the problem's SDE, which needs the noise's
// variance only (finite: Student-t with nu > 2 for DSGD and DCSGD), not
// its law.
func (p Problem) ValidateSDE() error { return p.validate(true) }

func (p Problem) validate(sde bool) error {
	validate := p.System.Validate
	if sde {
		validate = p.System.ValidateSDE
	}
	if err := validate(); err != nil {
		return err
	}
	law, hasLaw := p.System.Method.(model.Law1Der)
	coef, hasCoef := p.System.Method.(model.SDE1Der)
	switch {
	case !sde && !hasLaw:
		return model.Invalid("method", p.System.Method.String(), fmt.Sprintf("the exact engine does not apply: %s has no one-dimensional one-step law (model.Law1Der)", p.System.Method))
	case sde && !hasCoef:
		return model.Invalid("method", p.System.Method.String(), fmt.Sprintf("the exact engine does not apply: %s has no one-dimensional SDE coefficients (model.SDE1Der)", p.System.Method))
	}
	if d := p.System.F.Dim(); d != 1 {
		return model.Invalid("objective.dim", d, "the exact engine is one-dimensional")
	}
	if err := p.validateModel(); err != nil {
		return err
	}
	if !(p.Eta > 0) || math.IsInf(p.Eta, 0) {
		return model.Invalid("eta", p.Eta, "must be finite and > 0")
	}
	if p.Rate < 0 || math.IsNaN(p.Rate) || math.IsInf(p.Rate, 0) {
		return model.Invalid("rate", p.Rate, "must be finite and >= 0 (0 means 1)")
	}
	if p.Steps < 1 {
		return model.Invalid("steps", p.Steps, "must be >= 1")
	}
	if math.IsNaN(p.X0) || math.IsInf(p.X0, 0) {
		return model.Invalid("x0", p.X0, "must be finite")
	}
	// What the method's law or coefficients ask of the agents (their
	// noise laws' and compressors' capabilities), and the width its grid
	// must resolve.
	if sde {
		if err := coef.CheckSDE1D(p.System); err != nil {
			return err
		}
	} else if _, err := law.CheckLaw1D(p.System); err != nil {
		return err
	}
	if w, ok := p.System.Method.(model.Width1Der); ok {
		if _, err := w.Width1D(p.System); err != nil {
			return err
		}
	}
	return nil
}

// quadratureLaw reports whether the problem's one-step law is a
// quadrature rule (model.Law1Der), whose level the error bar varies.
func (p Problem) quadratureLaw() bool {
	law, ok := p.System.Method.(model.Law1Der)
	if !ok {
		return false
	}
	q, err := law.CheckLaw1D(p.System)
	return err == nil && q
}

func (p Problem) rate() float64 {
	if p.Rate == 0 {
		return 1
	}
	return p.Rate
}

// Discrete returns E g(x_k) for k = 0..Steps of the discrete method, one
// Series per test function in gs (computed together: the operator is built
// once), on GOMAXPROCS goroutines.
func Discrete(p Problem, gs []func(float64) float64, s Settings) ([]Series, error) {
	out, err := Batch([]Job{{Problem: p, Tests: gs, Settings: s}}, 0)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// SDE returns E g(X_{k eta}) for k = 0..Steps of the problem's SDE model
// (Problem.Model), one Series per test function in gs: Euler-Maruyama on
// four levels of substeps per step (emLevels), extrapolated to zero
// substep length (the scheme's weak error is c1/m + c2/m^2 + ...), with
// the numerical error estimated from the spatial, radius and
// extrapolation refinements (emValue, radiusErr).
func SDE(p Problem, gs []func(float64) float64, s Settings) ([]Series, error) {
	out, err := Batch([]Job{{Problem: p, Tests: gs, Settings: s, SDE: true}}, 0)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// Job is one computation for Batch: E g(x_k) of the discrete method for
// every test function in Tests or, when SDE is set, E g(X_{k eta}) of its
// SDE (see Discrete and SDE).
type Job struct {
	Problem  Problem
	Tests    []func(float64) float64
	Settings Settings
	SDE      bool
}

// Batch computes every job on at most workers goroutines (0: GOMAXPROCS).
// The jobs' passes (levels and refinement checks) are independent and run
// longest first, so that a batch of unequal jobs keeps every core busy;
// each pass is deterministic, so the numbers do not depend on workers. The
// first invalid job's error is returned, naming the job when there are
// several.
func Batch(jobs []Job, workers int) ([][]Series, error) {
	return BatchAfter(jobs, workers, nil)
}

// BatchAfter is Batch with other work in the same pool: the tasks in
// first are started before the jobs' passes, in their order (the longest
// first, for the pool to end evenly), and have all run when it returns.
// Figure 1's exact laws run the bottom row's forward computations so.
func BatchAfter(jobs []Job, workers int, first []func()) ([][]Series, error) {
	var all []pass
	combine := make([]func([][][]float64) []Series, len(jobs))
	res := make([][][][]float64, len(jobs))
	for ji, j := range jobs {
		ps, c, err := j.plan()
		if err != nil {
			if len(jobs) > 1 {
				return nil, fmt.Errorf("exact job %d: %w", ji, err)
			}
			return nil, err
		}
		for slot := range ps {
			ps[slot].job, ps[slot].slot = ji, slot
		}
		all = append(all, ps...)
		combine[ji], res[ji] = c, make([][][]float64, len(ps))
	}
	var now, later []pass
	for _, ps := range all {
		if ps.when == nil {
			now = append(now, ps)
		} else {
			later = append(later, ps)
		}
	}
	sort.SliceStable(now, func(a, b int) bool { return now[a].cost > now[b].cost })
	parallel.ForEach(len(first)+len(now), workers, func(i int) {
		if i < len(first) {
			first[i]()
			return
		}
		i -= len(first)
		res[now[i].job][now[i].slot] = now[i].do()
	})
	// The conditional passes, decided from the first round's results.
	var run []pass
	for _, ps := range later {
		if ps.when(res[ps.job]) {
			run = append(run, ps)
		}
	}
	sort.SliceStable(run, func(a, b int) bool { return run[a].cost > run[b].cost })
	parallel.ForEach(len(run), workers, func(i int) { res[run[i].job][run[i].slot] = run[i].do() })
	out := make([][]Series, len(jobs))
	for ji := range jobs {
		out[ji] = combine[ji](res[ji])
	}
	return out, nil
}
