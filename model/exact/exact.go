package exact

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
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

// grid is a grid on [-r, r], uniform in the coordinate xi (x = xi, or
// x = c sinh(xi) when c > 0), holding a function's values, with 4-point
// cubic (Lagrange) interpolation in xi inside and the test function itself
// outside (0 when absorb).
type grid struct {
	x      []float64
	lo, dx float64 // in xi
	idx    float64 // 1/dx
	c      float64 // the sinh map's scale; 0: uniform
	absorb bool
	// reach > 0 marks a lattice (latticeGrid): every point the kernels
	// reach is a node, at most reach nodes away; positions are rounded
	// to the node (no interpolation).
	reach int
	gs    []func(float64) float64 // the test functions, computed together
	// qres: the cell rule integrates a normal of standard deviation sd on
	// every k-th node, k about sd/(qres spacing): cells about sd/qres wide
	// (0: every node). The half-grid check halves it, so that its rule's
	// cells are twice as wide and the refinement sees the rule's error
	// (Settings.qres).
	qres float64
}

func newMappedGrid(n int, r, c float64, absorb bool, gs []func(float64) float64) grid {
	gr := grid{x: make([]float64, n), c: c, absorb: absorb, gs: gs}
	hi := r
	if c > 0 {
		hi = math.Asinh(r / c)
	}
	gr.lo, gr.dx = -hi, 2*hi/float64(n-1)
	gr.idx = 1 / gr.dx
	for i := range gr.x {
		gr.x[i] = gr.toX(gr.lo + float64(i)*gr.dx)
	}
	gr.x[0], gr.x[n-1] = -r, r
	return gr
}

// pos is y's position in node units (node i at i), rounded to the node
// on a lattice.
func (gr grid) pos(y float64) float64 {
	s := (gr.toXi(y) - gr.lo) * gr.idx
	if gr.reach > 0 {
		return math.Round(s)
	}
	return s
}

// maxLattice is the most nodes latticeGrid makes.
const maxLattice = 40000

// latticeGrid returns the lattice of a method whose update is a multiple
// of 1/na (model.Lattice1Der; DSignSGD with na agents: a mean of na signs)
// under a constant step h, the points x0 + j h/na in [-r, r], or false when that needs more
// than maxLattice nodes or fewer than 5. On it the discrete method's law is
// exact up to rounding and the radius: no interpolation, no quadrature.
func latticeGrid(x0, h float64, na int, r float64, absorb bool, gs []func(float64) float64) (grid, bool) {
	delta := h / float64(na)
	if !(delta > 0) {
		return grid{}, false
	}
	jlo, jhi := math.Ceil((-r-x0)/delta), math.Floor((r-x0)/delta)
	if !(jhi-jlo+1 <= maxLattice) || jhi-jlo+1 < 5 {
		return grid{}, false
	}
	n := int(jhi-jlo) + 1
	gr := grid{x: make([]float64, n), dx: delta, idx: 1 / delta, absorb: absorb, gs: gs, reach: na}
	for i := range gr.x {
		gr.x[i] = x0 + (jlo+float64(i))*delta
	}
	gr.lo = gr.x[0]
	return gr, true
}

// lattice returns the lattice grid of a discrete-method problem with a
// constant step h on radius r, or false (see latticeGrid; only a
// model.Lattice1Der, unless the settings ask for interpolation).
func (p Problem) lattice(h, r float64, s Settings, gs []func(float64) float64) (grid, bool) {
	l, ok := p.System.Method.(model.Lattice1Der)
	if !ok || s.Interpolate {
		return grid{}, false
	}
	den := l.Lattice1D(p.System)
	if den <= 0 {
		return grid{}, false
	}
	gr, ok := latticeGrid(p.X0, h, den, r, s.Absorb, gs)
	if !ok || roundingSensitive(p.System, den, gr.x, h) {
		return grid{}, false
	}
	return gr, true
}

// lattices returns the lattice on radius r and the one on 1.5 r (the
// radius check), or false when either is refused (see lattice).
func (p Problem) lattices(h, r float64, s Settings, gs []func(float64) float64) (lat, wide grid, ok bool) {
	lat, ok = p.lattice(h, r, s, gs)
	if !ok {
		return grid{}, grid{}, false
	}
	wide, ok = p.lattice(h, 1.5*r, s, gs)
	return lat, wide, ok
}

// roundingSensitive reports whether the lattice law's probabilities (the
// sign probabilities of DSignSGD; den the lattice's denominator, see
// model.Lattice1Der) at some lattice node change by more than 1e-9 when
// the node moves by the rounding of a position there (8 ulp of |x| + h). Then the law depends on how a
// position is rounded: a lattice node within rounding of the minimiser
// where a sign probability jumps (noise proportional to the gradient, or
// sigma0 = 1e-162, which a rapid property drew: its Monte Carlo paths
// returned to 0.0 exactly, where the lattice's node was x0 = 2e-19 and
// every sign was +1), and no engine's answer is the method's. The lattice
// is not used there (the interpolation grid then refuses the problem as
// unresolved: ErrUnresolved).
func roundingSensitive(sys model.System, den int, xs []float64, h float64) bool {
	gbuf := []float64{0}
	law := sys.Method.(model.Law1Der)
	// probs writes the law's probability of each update j/den (index
	// j + den) at x: its components from 0 with step 1 sit at -j/den.
	probs := func(dst []float64, x float64) []float64 {
		sys.F.Grad(gbuf, []float64{x})
		clear(dst)
		law.Law1D(sys, 0, gbuf[0], 1, 0, func(w, mean, _ float64) {
			dst[int(math.Round(-mean*float64(den)))+den] += w
		})
		return dst
	}
	mid, q := make([]float64, 2*den+1), make([]float64, 2*den+1)
	for _, x := range xs {
		eps := 8 * 0x1p-52 * (math.Abs(x) + h)
		probs(mid, x)
		for _, y := range []float64{x - eps, x + eps} {
			for s, qs := range probs(q, y) {
				if math.Abs(qs-mid[s]) > 1e-9 {
					return true
				}
			}
		}
	}
	return false
}

// LatticeSpacing returns the spacing of the lattice on which Discrete
// (and Forward under a constant schedule) computes the problem's discrete
// method, and its number of nodes, or 0, 0 when it uses the
// interpolation grid of the settings.
func (p Problem) LatticeSpacing(s Settings) (float64, int) {
	s = s.withDefaults(p.X0)
	gr, _, ok := p.lattices(p.Eta*p.rate(), s.Radius, s, nil)
	if !ok {
		return 0, 0
	}
	return gr.dx, len(gr.x)
}

func (gr grid) toX(xi float64) float64 {
	if gr.c > 0 {
		return gr.c * math.Sinh(xi)
	}
	return xi
}

func (gr grid) toXi(x float64) float64 {
	if gr.c > 0 {
		return math.Asinh(x / gr.c)
	}
	return x
}

// spacing is the grid's node spacing near x. A normal narrower than it is
// integrated by 6-point Gauss-Hermite quadrature (grid.normal): the
// interpolant it averages is cubic on the cell or two the normal covers,
// which 6 points integrate exactly up to degree 11 (the same rule in the
// backward and forward schemes, which stay adjoint).
func (gr grid) spacing(x float64) float64 {
	if gr.c > 0 {
		return gr.dx * math.Hypot(gr.c, x)
	}
	return gr.dx
}

// outside is the value of test function f beyond the grid.
func (gr grid) outside(f int, y float64) float64 {
	if gr.absorb {
		return 0
	}
	return gr.gs[f](y)
}

// at interpolates test function f's values (u holds the functions'
// values interleaved, node by node) at y.
func (gr grid) at(u []float64, f int, y float64) float64 {
	nf := len(gr.gs)
	s := gr.pos(y)
	n := len(gr.x)
	if !(s >= 1) || !(s <= float64(n-2)) {
		if s >= 0 && s <= float64(n-1) {
			// linear in the outermost cells
			i := min(int(s), n-2)
			t := s - float64(i)
			return u[i*nf+f]*(1-t) + u[(i+1)*nf+f]*t
		}
		return gr.outside(f, y)
	}
	i := min(int(s), n-3)
	t := s - float64(i)
	// Lagrange on nodes i-1, i, i+1, i+2 at offset t from node i.
	a, b, c, d := u[(i-1)*nf+f], u[i*nf+f], u[(i+1)*nf+f], u[(i+2)*nf+f]
	tm1, tp1, tm2 := t-1, t+1, t-2
	return -a*t*tm1*tm2/6 + b*tp1*tm1*tm2/2 - c*tp1*t*tm2/2 + d*tp1*t*tm1/6
}

// kernel is the law of the next state from x: a mixture of normals
// (weight, mean, standard deviation); sd 0 is a point mass.
type kernel struct {
	wt, mean, sd []float64
}

func (k *kernel) reset() { k.wt, k.mean, k.sd = k.wt[:0], k.mean[:0], k.sd[:0] }
func (k *kernel) add(w, m, s float64) {
	if w > 0 {
		k.wt, k.mean, k.sd = append(k.wt, w), append(k.mean, m), append(k.sd, s)
	}
}

// operator is one step's transition as a sparse matrix on the grid plus
// a constant per test function: (P u)_i = sum_j A_ij u_j + c_i, where c
// holds the mass that lands outside the grid, valued by the test function
// itself. Column indices are int32 (the grid has at most maxNodes*3/2
// nodes): the apply loop streams the matrix, and narrower indices are
// less to read.
type operator struct {
	start []int
	col   []int32
	val   []float64
	c     []float64
	// qlo, qhi: the nodes of each row that the cell rule computed (its
	// whole range; qlo > qhi where it computed none), for quadFloor.
	qlo, qhi []int32
	cells    bool // some row has them
	// outside holds the extreme points beyond the grid that some row
	// values by the test functions (the largest |g| a value can take).
	outside []float64
}

// addQuadFloor adds to d (the floor of one application, stride nv) the
// cell rule's quadFloor of the largest |u| over each such row's nodes.
func (op *operator) addQuadFloor(d, u []float64, n, nv, nf int, mt *maxTable) {
	if !op.cells {
		return
	}
	for f := range nv {
		mt.build(u, n, nf, f)
		for i := range n {
			if lo, hi := op.qlo[i], op.qhi[i]; lo <= hi {
				d[i*nv+f] += quadFloor * mt.max(int(lo), int(hi))
			}
		}
	}
}

// weights adds the interpolation weights of y (times wt) to the row being
// built, or wt g(y) to its constant when y is outside the grid.
func (gr grid) weights(row *rowAcc, c []float64, y, wt float64) {
	n := len(gr.x)
	s := gr.pos(y)
	switch {
	case !(s >= 0) || !(s <= float64(n-1)):
		for f := range gr.gs {
			c[f] += wt * gr.outside(f, y)
		}
	case s < 1 || s > float64(n-2):
		i := min(int(s), n-2)
		t := s - float64(i)
		row.add(i, wt*(1-t))
		row.add(i+1, wt*t)
	default:
		i := min(int(s), n-3)
		t := s - float64(i)
		tm1, tp1, tm2 := t-1, t+1, t-2
		row.add(i-1, -wt*t*tm1*tm2/6)
		row.add(i, wt*tp1*tm1*tm2/2)
		row.add(i+1, -wt*tp1*t*tm2/2)
		row.add(i+2, wt*tp1*t*tm1/6)
	}
}

// rowAcc accumulates one sparse row in a dense buffer, remembering the
// range it touched.
type rowAcc struct {
	v      []float64
	lo, hi int
	oy, ow []float64 // points beyond the grid and their weights (grid.normal)
	cells  bool      // the cell rule added to the row (quadFloor)
}

// reset clears the row for the next one.
func (r *rowAcc) reset() {
	if r.lo <= r.hi {
		clear(r.v[r.lo : r.hi+1])
	}
	r.lo, r.hi = len(r.v), -1
	r.oy, r.ow = r.oy[:0], r.ow[:0]
	r.cells = false
}

func (r *rowAcc) add(j int, v float64) {
	r.v[j] += v
	r.lo, r.hi = min(r.lo, j), max(r.hi, j)
}

// build assembles the operator of the kernels fill gives at the nodes,
// each normal component integrated by grid.normal with q.
func build(gr grid, fill func(k *kernel, x float64), q quadrature) operator {
	var op operator
	buildInto(&op, gr, fill, q)
	return op
}

// buildInto is build reusing op's memory (the backward iteration over a
// schedule rebuilds its operator every step).
func buildInto(op *operator, gr grid, fill func(k *kernel, x float64), q quadrature) {
	n := len(gr.x)
	nf := len(gr.gs)
	if len(op.start) != n+1 {
		op.start, op.c = make([]int, n+1), make([]float64, n*nf)
		op.qlo, op.qhi = make([]int32, n), make([]int32, n)
	} else {
		clear(op.c)
	}
	op.cells = false
	op.outside = op.outside[:0]
	op.col, op.val = op.col[:0], op.val[:0]
	var k kernel
	row := rowAcc{v: make([]float64, n)}
	for i, x := range gr.x {
		fill(&k, x)
		row.lo, row.hi = n, -1
		row.oy, row.ow = row.oy[:0], row.ow[:0]
		row.cells = false
		for c, wc := range k.wt {
			m, s := k.mean[c], k.sd[c]
			if s == 0 {
				gr.weights(&row, op.c[i*nf:(i+1)*nf], m, wc)
				continue
			}
			gr.normal(&row, q, m, s, wc, gr.spacing(x))
		}
		for e, y := range row.oy {
			for f := range gr.gs {
				op.c[i*nf+f] += row.ow[e] * gr.outside(f, y)
			}
		}
		if len(row.oy) > 0 && !gr.absorb {
			op.outside = append(op.outside, slices.Min(row.oy), slices.Max(row.oy))
		}
		op.qlo[i], op.qhi[i] = 1, 0
		if row.cells {
			op.qlo[i], op.qhi[i] = int32(row.lo), int32(row.hi)
			op.cells = true
		}
		for j := row.lo; j <= row.hi; j++ {
			if v := row.v[j]; v != 0 {
				op.col = append(op.col, int32(j))
				op.val = append(op.val, v)
			}
			row.v[j] = 0
		}
		op.start[i+1] = len(op.col)
	}
}

// apply writes P u into dst for nf interleaved functions.
func (op operator) apply(dst, u []float64, nf int) {
	op.applyRange(dst, u, nf, 0, len(op.start)-1)
}

// applyRows is apply on the rows listed in runs (pairs of a first and
// one past the last row), leaving the others of dst as they are.
func (op operator) applyRows(dst, u []float64, nf int, runs [][2]int) {
	for _, r := range runs {
		op.applyRange(dst, u, nf, r[0], r[1])
	}
}

// applyRange writes rows a to b-1 of P u into dst.
func (op operator) applyRange(dst, u []float64, nf, a, b int) {
	if nf == 1 {
		for i := a; i < b; i++ {
			acc := op.c[i]
			cols, vals := op.col[op.start[i]:op.start[i+1]], op.val[op.start[i]:op.start[i+1]]
			for e, v := range vals {
				acc += v * u[cols[e]]
			}
			dst[i] = acc
		}
		return
	}
	// Four functions at a time with their accumulators in registers (the
	// weak study's f, ||x||^2 = x^2, x and their error floors; Figure 1's
	// survival and f with theirs), then the remaining one to three together:
	// one pass over the row for every four functions or fewer.
	for i := a; i < b; i++ {
		cols, vals := op.col[op.start[i]:op.start[i+1]], op.val[op.start[i]:op.start[i+1]]
		c := op.c[i*nf : (i+1)*nf]
		d := dst[i*nf : (i+1)*nf]
		f0 := 0
		for ; f0+4 <= nf; f0 += 4 {
			a0, a1, a2, a3 := c[f0], c[f0+1], c[f0+2], c[f0+3]
			for e, v := range vals {
				j := int(cols[e])*nf + f0
				ue := u[j : j+4 : j+4]
				a0 += v * ue[0]
				a1 += v * ue[1]
				a2 += v * ue[2]
				a3 += v * ue[3]
			}
			d[f0], d[f0+1], d[f0+2], d[f0+3] = a0, a1, a2, a3
		}
		switch nf - f0 {
		case 3:
			a0, a1, a2 := c[f0], c[f0+1], c[f0+2]
			for e, v := range vals {
				j := int(cols[e])*nf + f0
				ue := u[j : j+3 : j+3]
				a0 += v * ue[0]
				a1 += v * ue[1]
				a2 += v * ue[2]
			}
			d[f0], d[f0+1], d[f0+2] = a0, a1, a2
		case 2:
			a0, a1 := c[f0], c[f0+1]
			for e, v := range vals {
				j := int(cols[e])*nf + f0
				ue := u[j : j+2 : j+2]
				a0 += v * ue[0]
				a1 += v * ue[1]
			}
			d[f0], d[f0+1] = a0, a1
		case 1:
			acc := c[f0]
			for e, v := range vals {
				acc += v * u[int(cols[e])*nf+f0]
			}
			d[f0] = acc
		}
	}
}

// lawLevel is the quadrature level of a one-step law that is a quadrature
// rule (model.Law1Der; the agent maps: 16 Gauss-Legendre nodes a piece);
// the error bar compares it with lawLevel - 1 (plan).
const lawLevel = 3

// discreteKernel fills k with the law of x - h u(x) for one step
// (model.Law1Der at lawLevel).
func discreteKernel(k *kernel, sys model.System, x, h float64) {
	discreteKernelAt(k, sys, x, h, lawLevel)
}

// discreteKernelAt is discreteKernel at a quadrature level.
func discreteKernelAt(k *kernel, sys model.System, x, h float64, level int) {
	k.reset()
	g := []float64{0}
	sys.F.Grad(g, []float64{x})
	sys.Method.(model.Law1Der).Law1D(sys, x, g[0], h, level, k.add)
}

// sdeKernel fills k with the law of one Euler-Maruyama substep of length
// dt of the SDE dX = -rate b dt + rate sqrt(eta/N) S dW.
func sdeKernel(k *kernel, p Problem, x, dt float64) {
	k.reset()
	rate := p.rate()
	b, s2 := p.Coefficients(x)
	n := float64(len(p.System.Agents))
	k.add(1, x-dt*rate*b, rate*math.Sqrt(dt*p.Eta*s2/n))
}

// Coefficients returns the SDE's drift b(x) and covariance Sigma(x) in one
// dimension (docs/math.md section 2): the diffusion coefficient of
// dX = -eta_t b dt + eta_t sqrt(eta/N) S dW is S = sqrt(Sigma).
//
// The method gives them (model.SDE1Der); a method without them gets NaN
// (Problem.ValidateSDE refuses it by name).
func Coefficients(sys model.System, x float64) (b, sigma float64) {
	c, ok := sys.Method.(model.SDE1Der)
	if !ok {
		return math.NaN(), math.NaN()
	}
	g := []float64{0}
	sys.F.Grad(g, []float64{x})
	return c.SDE1D(sys, g[0])
}

// backward runs u <- P u for total applications of the one-step operator
// whose kernels fill gives, recording E g at x0 every `every` applications
// for each test function: out[f][j]. The result is exact arithmetic on the
// grid: no randomness, no workers.
//
// With floor set, it also carries each test function's error floor w
// through the same iteration, w <- P (w + d(u)), w = 0 at the start, where
// d(u) is the local error density of one application (localFloor of the
// current u): the rounding and interpolation errors made at each node,
// weighted by the probability that the chain visits it, summed over the
// applications. These come after the values: out[nf+f].
func backward(gr grid, x0 float64, total, every int, fill func(k *kernel, x float64), q quadrature, floor bool) [][]float64 {
	return backwardSteps(gr, x0, total, every, func(int) func(*kernel, float64) { return fill }, false, q, floor)
}

// backwardSteps is backward with a one-step law that may change from one
// application to the next: application j (1..total) uses fillAt(j)'s
// kernels, rebuilt every application when varying is set (only the last
// record is then E g(x_total) at x0: the others are of partial products).
func backwardSteps(gr grid, x0 float64, total, every int, fillAt func(j int) func(*kernel, float64), varying bool, q quadrature, floor bool) [][]float64 {
	nv := len(gr.gs)
	var d []float64
	if floor {
		d = make([]float64, len(gr.x)*nv)
		zero := func(float64) float64 { return 0 }
		gs := append([]func(float64) float64{}, gr.gs...)
		for range nv {
			gs = append(gs, zero)
		}
		gr.gs = gs
	}
	n, nf := len(gr.x), len(gr.gs)
	op := build(gr, fillAt(1), q)
	u := make([]float64, n*nf)
	for i, x := range gr.x {
		for f, g := range gr.gs {
			u[i*nf+f] = g(x)
		}
	}
	next := make([]float64, n*nf)
	// The rows the chain reaches (constant operators; see liveRows): the
	// others keep g in both buffers.
	var runs [][2]int
	var skipped, gmax float64
	if !varying {
		runs, skipped = op.liveRows(gr, x0, total)
		copy(next, u)
		for i := range n {
			for f := range nv {
				gmax = math.Max(gmax, math.Abs(u[i*nf+f]))
			}
		}
		for _, y := range op.outside {
			for f := range nv {
				gmax = math.Max(gmax, math.Abs(gr.outside(f, y)))
			}
		}
	}
	// The floor on the rows computed: on each run of them apart (the
	// others hold g, whose difference to the runs' u is no interpolation
	// error but the skipped mass's, counted apart).
	floorOf := func() {
		if runs == nil {
			gr.floor(d, u, n, nv, nf)
			return
		}
		clear(d)
		for _, r := range runs {
			a, b := r[0], r[1]
			gr.floor(d[a*nv:b*nv], u[a*nf:b*nf], b-a, nv, nf)
		}
	}
	out := make([][]float64, nf)
	i0 := min(max(int(math.Round(gr.pos(x0))), 0), n-1)
	record := func() {
		if floor {
			floorOf()
		}
		for f := range out {
			v := gr.at(u, f, x0)
			if f >= nv {
				// plus the final interpolation's error at x0
				var dx0 float64
				for i := max(0, i0-2); i <= min(n-1, i0+2); i++ {
					dx0 = math.Max(dx0, d[i*nv+f-nv])
				}
				v = math.Abs(v) + dx0 + 2*skipped*gmax
			}
			out[f] = append(out[f], v)
		}
	}
	record()
	var mt maxTable
	for j := 1; j <= total; j++ {
		if floor && (j-1)%every != 0 { // record computed it for this u
			floorOf()
		}
		if varying && j > 1 {
			buildInto(&op, gr, fillAt(j), q)
		}
		if floor {
			op.addQuadFloor(d, u, n, nv, nf, &mt)
			for i := range n {
				for f := range nv {
					u[i*nf+nv+f] += d[i*nv+f]
				}
			}
		}
		if runs != nil {
			op.applyRows(next, u, nf, runs)
		} else {
			op.apply(next, u, nf)
		}
		u, next = next, u
		if j%every == 0 {
			record()
		}
	}
	return out
}

// liveRows returns the rows of op that the chain from x0 reaches with a
// mass of at least dropMass at one of the first total-1 applications, as
// runs of consecutive rows (nil when that is every row), and the mass it
// found below dropMass, summed over the applications (the forward sweep
// does not spread it). The backward iteration needs u only where the
// chain goes: E g(x_k) = p_0 . u_k = p_j . u_(k-j) + const, p_j the law
// after j applications. Rows it never reaches keep their values of g, and
// a value read there (weighted by less than dropMass each time) is off by
// at most twice the largest |u|: the floor adds the skipped mass times
// twice the largest |g| (backwardSteps). On Figure 1's and the weak
// studies' grids the rows far out, whose kernels (sd = eta sigma1 |x|^3)
// cover the whole grid and make the operator dense, are never reached.
func (op operator) liveRows(gr grid, x0 float64, total int) (runs [][2]int, skipped float64) {
	n := len(op.start) - 1
	p, next := make([]float64, n), make([]float64, n)
	deposit(gr, p, x0, 1, nil)
	live := make([]bool, n)
	for range total {
		for i, pi := range p {
			if pi == 0 {
				continue
			}
			if pi < dropMass && pi > -dropMass {
				skipped += math.Abs(pi)
				continue
			}
			live[i] = true
			cols, vals := op.col[op.start[i]:op.start[i+1]], op.val[op.start[i]:op.start[i+1]]
			for e, v := range vals {
				next[cols[e]] += pi * v
			}
		}
		p, next = next, p
		clear(next)
	}
	all := true
	for i := 0; i < n; {
		if !live[i] {
			all = false
			i++
			continue
		}
		j := i
		for j < n && live[j] {
			j++
		}
		runs = append(runs, [2]int{i, j})
		i = j
	}
	if all {
		return nil, skipped
	}
	return runs, skipped
}

// floor is localFloor on an interpolation grid and latticeFloor on a
// lattice.
func (gr grid) floor(d, u []float64, n, nv, nf int) {
	if gr.reach > 0 {
		latticeFloor(d, u, n, nv, nf, gr.reach)
		return
	}
	localFloor(d, u, n, nv, nf)
}

// latticeFloor is localFloor on a lattice, where a step is a sum of at
// most 2 reach + 1 positive weights times u within reach nodes and no
// interpolation: its rounding, (2 reach + 2) 2^-53 of the largest |u|
// there.
func latticeFloor(d, u []float64, n, nv, nf, reach int) {
	c := float64(2*reach+2) * 0x1p-53
	for f := range nv {
		for i := range n {
			var m float64
			for j := max(i-reach, 0); j <= min(i+reach, n-1); j++ {
				m = math.Max(m, math.Abs(u[j*nf+f]))
			}
			d[i*nv+f] = c * m
		}
	}
}

// localFloor writes into d, node by node for each of the nv value
// functions in u (stride nf; d[i*nv+f]), the error one application can add
// there: 4 x 2^-52 of the largest |u| within two nodes (the rounding of the
// weighted sums) and 0.0235 of the largest fourth difference of u over the
// stencils through the node (the cubic interpolation's error,
// |t(t^2-1)(t-2)|/24 <= 0.0235 of the fourth difference). The property
// comparing the engine with Monte Carlo found both (8e-19 with an estimate
// of 5e-19 where the truth was 5e-27; 2.745e-9 with an estimate of 5e-12
// where it was 2.764e-9). Carried through the iteration they are weighted
// by where the chain goes; the worst node's value at every step, as
// before, overstated the error by up to 10 orders of magnitude on a grid
// far wider than the law (Figure 1's to 1000 for x^4/4).
func localFloor(d, u []float64, n, nv, nf int) {
	for f := range nv {
		// First |u_i| and the fourth difference starting at each node,
		// into d's slots, then the maxima over the windows through each
		// node, in place (window i-2..i+2 for |u|, starts i-4..i for the
		// difference).
		for i := range n {
			a := math.Abs(u[i*nf+f])
			var q float64
			if i+4 < n {
				q = math.Abs(u[i*nf+f] - 4*u[(i+1)*nf+f] + 6*u[(i+2)*nf+f] - 4*u[(i+3)*nf+f] + u[(i+4)*nf+f])
			}
			d[i*nv+f] = 4*0x1p-52*a + 0.0235*q // provisional: per node
		}
		// The bound at node i, the sum of the two window maxima, is at most
		// twice the largest provisional value over i-4..i+2 (each term is
		// at most that maximum). The provisional values are >= 0, so the
		// nodes beyond the ends count as 0; the last four originals are
		// kept in registers (p1 the previous node's).
		var p1, p2, p3, p4 float64
		for i := range n {
			c := d[i*nv+f]
			m := max(c, p1, p2, p3, p4)
			if i+1 < n {
				m = max(m, d[(i+1)*nv+f])
			}
			if i+2 < n {
				m = max(m, d[(i+2)*nv+f])
			}
			p4, p3, p2, p1 = p3, p2, p1, c
			d[i*nv+f] = 2 * m
		}
	}
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

// pass is one backward computation of a job (a level or a refinement
// check), with its cost in node-steps for scheduling.
type pass struct {
	job, slot int
	cost      float64
	do        func() [][]float64
	// when, if set, makes the pass conditional: it runs after the
	// unconditional passes of every job, if when says so from their
	// results (res indexed by slot; its own slot is then nil if not run).
	when func(res [][][]float64) bool
}

// needWider says whether a held grid's radius difference d1 = v - wide
// (nf test functions) is large enough
// for the third radius: above the rounding floor and above 1e-3 of the
// value's other error terms (rest). Below that the radius term is |d1|:
// the geometric tail of radiusErr would add at most (rho/(1 - rho)) |d1|,
// under 1% of the error bar for a ratio rho <= 0.9.
func needWider(nf int, v, wide [][]float64, floor, rest func(f, i int) float64) bool {
	for f := range nf {
		for i := range v[f] {
			d1 := math.Abs(v[f][i] - wide[f][i])
			if d1 > floor(f, i) && d1 > 1e-3*rest(f, i) {
				return true
			}
		}
	}
	return false
}

// plan returns a job's passes and the function that combines their
// results (indexed by slot) into the job's series: the discrete method's
// law on a lattice where it is exact (planLattice), else on the grid
// (planDiscrete); the SDE by finite differences (planSDEFD) or
// Euler-Maruyama (planSDEEM).
func (j Job) plan() ([]pass, func(res [][][]float64) []Series, error) {
	p := j.Problem
	// The SDE needs the noise's variance only (Student-t with nu > 2 for
	// DSGD and DCSGD), not the discrete method's law.
	validate := p.Validate
	if j.SDE {
		validate = p.ValidateSDE
	}
	if err := validate(); err != nil {
		return nil, nil, err
	}
	if err := j.Settings.check(p); err != nil {
		return nil, nil, err
	}
	s := j.Settings.withDefaults(p.X0)
	q := newQuadrature(s.Hermite)
	if !j.SDE {
		if passes, combine, ok := j.planLattice(s, q); ok {
			return passes, combine, nil
		}
	}
	s, err := p.resolveNodes(s)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case !j.SDE:
		passes, combine := j.planDiscrete(s, q)
		return passes, combine, nil
	case s.Scheme == SchemeFD:
		passes, combine := j.planSDEFD(s, q)
		return passes, combine, nil
	}
	passes, combine := j.planSDEEM(s, q)
	return passes, combine, nil
}

// planLattice plans the discrete method's law on the lattice its steps
// stay on (Problem.lattices), if it has one.
func (j Job) planLattice(s Settings, q quadrature) ([]pass, func(res [][][]float64) []Series, bool) {
	p, gs := j.Problem, j.Tests
	h := p.Eta * p.rate()
	fill := func(k *kernel, x float64) { discreteKernel(k, p.System, x, h) }
	lat, wide, ok := p.lattices(h, s.Radius, j.Settings, gs)
	if !ok {
		return nil, nil, false
	}
	// Exact on the lattice: the error is the radius's (the same
	// lattice to 1.5 times it) and the floor's (rounding).
	passes := []pass{
		{cost: float64(p.Steps * len(lat.x)), do: func() [][]float64 { return backward(lat, p.X0, p.Steps, 1, fill, q, true) }},
		{cost: float64(p.Steps * len(wide.x)), do: func() [][]float64 { return backward(wide, p.X0, p.Steps, 1, fill, q, false) }},
	}
	combine := func(res [][][]float64) []Series {
		v, rd := res[0], res[1]
		nf := len(gs)
		out := make([]Series, nf)
		for f := range gs {
			out[f] = make(Series, len(v[f]))
			for i := range v[f] {
				out[f][i] = Value{Value: v[f][i], Err: math.Abs(v[f][i]-rd[f][i]) + v[nf+f][i]}
			}
		}
		return out
	}
	return passes, combine, true
}

// planDiscrete plans the discrete method's law on the (mapped) grid: the
// main pass, half the nodes, 1.5 times the radius, and the conditional
// passes below.
func (j Job) planDiscrete(s Settings, q quadrature) ([]pass, func(res [][][]float64) []Series) {
	p, gs := j.Problem, j.Tests
	h := p.Eta * p.rate()
	at := func(n int, r float64, floor bool, level int) pass {
		cost := float64(p.Steps * n)
		if floor {
			cost *= 2
		}
		fill := func(k *kernel, x float64) { discreteKernelAt(k, p.System, x, h, level) }
		return pass{cost: cost, do: func() [][]float64 {
			gr := newMappedGrid(n, r, s.Map, s.Absorb, gs)
			gr.qres = s.qres(n, r)
			return backward(gr, p.X0, p.Steps, 1, fill, q, floor)
		}}
	}
	// The error floor is carried by the main pass only. A grid that
	// holds the mass leaving it (not absorbing) gets a third radius,
	// 2.25R, where the second's difference is not negligible
	// (needWider), for the radius term's tail (radiusErr).
	// A one-step law that is a quadrature rule (model.Law1Der: the
	// agent maps) gets a pass at the next coarser level on the main
	// grid, whose difference is the rule's error term.
	passes := []pass{at(s.Nodes, s.Radius, true, lawLevel), at(s.Nodes/2, s.Radius, false, lawLevel), at(s.wideNodes(), s.Radius*1.5, false, lawLevel)}
	qslot := -1
	if p.quadratureLaw() {
		qslot = len(passes)
		passes = append(passes, at(s.Nodes, s.Radius, false, lawLevel-1))
	}
	wslot := -1
	if !s.Absorb {
		wslot = len(passes)
		w := at(s.widerNodes(), s.Radius*2.25, false, lawLevel)
		w.when = func(res [][][]float64) bool {
			return needWider(len(gs), res[0], res[2], func(f, i int) float64 { return res[0][len(gs)+f][i] }, func(f, i int) float64 { return math.Abs(res[0][f][i] - res[1][f][i]) })
		}
		passes = append(passes, w)
	}
	combine := func(res [][][]float64) []Series {
		v, sp, rd := res[0], res[1], res[2]
		nf := len(gs)
		out := make([]Series, nf)
		for f := range gs {
			out[f] = make(Series, len(v[f]))
			for i := range v[f] {
				fl := v[nf+f][i]
				d1, d2 := v[f][i]-rd[f][i], math.NaN()
				if wslot >= 0 && res[wslot] != nil {
					d2 = rd[f][i] - res[wslot][f][i]
				}
				e := math.Abs(v[f][i]-sp[f][i]) + radiusErr(d1, d2, fl) + fl
				if qslot >= 0 {
					e += math.Abs(v[f][i] - res[qslot][f][i])
				}
				out[f][i] = Value{Value: v[f][i], Err: e}
			}
		}
		return out
	}
	return passes, combine
}

// sdeLevel is one backward pass of the SDE with m substeps per step on n
// nodes over [-r, r] (floor: carry the error floor).
func (j Job) sdeLevel(s Settings, q quadrature, m, n int, r float64, floor bool) pass {
	p, gs := j.Problem, j.Tests
	dt := p.Eta / float64(m)
	gr := newMappedGrid(n, r, s.Map, s.Absorb, gs)
	gr.qres = s.qres(n, r)
	if s.Scheme == SchemeFD {
		// a tridiagonal solve per substep: about a tenth of a banded product's cost
		return pass{cost: float64(p.Steps*m*n) / 10, do: func() [][]float64 {
			return sdeFD(gr, p, dt, m)
		}}
	}
	cost := float64(p.Steps * m * n)
	if floor {
		cost *= 2
	}
	return pass{cost: cost, do: func() [][]float64 {
		return backward(gr, p.X0, p.Steps*m, m, func(k *kernel, x float64) { sdeKernel(k, p, x, dt) }, q, floor)
	}}
}

// planSDEFD plans the SDE by the finite-difference scheme.
func (j Job) planSDEFD(s Settings, q quadrature) ([]pass, func(res [][][]float64) []Series) {
	gs := j.Tests
	m := s.Substeps
	level := func(m, n int, r float64, floor bool) pass { return j.sdeLevel(s, q, m, n, r, floor) }
	// Three levels, then the spatial and radius checks on the
	// coarsest; the scheme is second order in space: a quarter grid as
	// well, for the spatial extrapolation and its error. The scheme
	// computes its own floor (sdeFD) on every level.
	passes := []pass{level(m, s.Nodes, s.Radius, false), level(2*m, s.Nodes, s.Radius, false), level(4*m, s.Nodes, s.Radius, false),
		level(m, s.Nodes/2, s.Radius, false), level(m, s.wideNodes(), s.Radius*1.5, false), level(m, s.Nodes/4, s.Radius, false)}
	if !s.Absorb {
		w := level(m, s.widerNodes(), s.Radius*2.25, false)
		w.when = func(res [][][]float64) bool {
			return needWider(len(gs), res[0], res[4], func(f, i int) float64 { return res[2][len(gs)+f][i] }, func(f, i int) float64 { return math.Abs(res[0][f][i] - res[3][f][i]) })
		}
		passes = append(passes, w)
	}
	combine := func(res [][][]float64) []Series {
		e1, e2, e4, sp, rd, q := res[0], res[1], res[2], res[3], res[4], res[5]
		nf := len(gs)
		out := make([]Series, nf)
		for f := range gs {
			out[f] = make(Series, len(e1[f]))
			for i := range e1[f] {
				d2 := math.NaN()
				if len(res) > 6 && res[6] != nil {
					d2 = rd[f][i] - res[6][f][i]
				}
				fl := e4[nf+f][i]
				v := sdeValue(e1[f][i], e2[f][i], e4[f][i], sp[f][i], q[f][i], s.Nodes)
				v.Err += radiusErr(e1[f][i]-rd[f][i], d2, fl) + fl
				out[f][i] = v
			}
		}
		return out
	}
	return passes, combine
}

// planSDEEM plans the SDE by Euler-Maruyama.
func (j Job) planSDEEM(s Settings, q quadrature) ([]pass, func(res [][][]float64) []Series) {
	gs := j.Tests
	m := s.Substeps
	level := func(m, n int, r float64, floor bool) pass { return j.sdeLevel(s, q, m, n, r, floor) }
	// Euler-Maruyama: four time levels (emLevels), each on the main grid
	// and on half its nodes, so that the spatial error is that of the
	// extrapolated value (a finer level takes more interpolated substeps:
	// its spatial error is larger, which the coarsest level's refinement
	// does not see). The radius checks run at the finest level (where a
	// grid holds the mass that leaves it, a path is held at the first
	// substep that ends outside, so the held mass grows with the substeps
	// and the extrapolation amplifies it: DSGD's SDE on x^2/2 with
	// sigma1 = 4, R = 4, one step: v(R) - v(2R) is 7e-9 at 4 substeps and
	// 1.9e-6 at 16) on the half grid's spacing (the difference of two runs
	// at one spacing, whose spatial errors cancel), scaled by 5, the sum of
	// the extrapolation's coefficients. The error floor is carried by the
	// coarsest level and scaled by the finest level's number of substeps
	// per coarse one.
	ls := emLevels(m)
	var passes []pass
	for i, l := range ls {
		passes = append(passes, level(l, s.Nodes, s.Radius, i == 0))
	}
	for _, l := range ls {
		passes = append(passes, level(l, s.Nodes/2, s.Radius, false))
	}
	passes = append(passes, level(ls[3], s.nodesAt(s.Nodes/2, 1.5), s.Radius*1.5, false))
	if !s.Absorb {
		w := level(ls[3], s.nodesAt(s.Nodes/2, 2.25), s.Radius*2.25, false)
		w.when = func(res [][][]float64) bool {
			floor := func(f, i int) float64 { return float64(ls[3]/ls[0]) * res[0][len(gs)+f][i] }
			return needWider(len(gs), res[7], res[8], floor, func(f, i int) float64 {
				var full, half [4]float64
				for l := range 4 {
					full[l], half[l] = res[l][f][i], res[4+l][f][i]
				}
				return emValue(full, half).Err
			})
		}
		passes = append(passes, w)
	}
	combine := func(res [][][]float64) []Series {
		nf := len(gs)
		out := make([]Series, nf)
		scale := float64(ls[3] / ls[0])
		for f := range gs {
			out[f] = make(Series, len(res[0][f]))
			for i := range res[0][f] {
				var full, half [4]float64
				for l := range 4 {
					full[l], half[l] = res[l][f][i], res[4+l][f][i]
				}
				v := emValue(full, half)
				fl := scale * res[0][nf+f][i]
				d1, d2 := half[3]-res[8][f][i], math.NaN()
				if len(res) > 9 && res[9] != nil {
					d2 = res[8][f][i] - res[9][f][i]
				}
				v.Err += 5*radiusErr(d1, d2, fl) + fl
				out[f][i] = v
			}
		}
		return out
	}
	return passes, combine
}

// sdeValue combines a finite-difference SDE value's passes: e1, e2, e4 at
// m, 2m, 4m substeps per step on the main grid, sp on half the nodes and q
// on a quarter of the nodes (the radius term is radiusErr's, added by the
// caller). Three time levels remove c1/m and c2/m^2; two levels remove
// c1/m, and their difference is the time error (it can cancel: see
// emValue, which Euler-Maruyama uses).
//
// Richardson in the spacing h, u_h = u + C h^2 + ...: the correction from
// (h, 2h) is added. Its error: the change of the correction from (h, 2h)
// to (2h, 4h) scaled down to h, an eighth of the correction, and the
// difference to the correction of order 1, which is the scheme's order
// where it upwinds (a minimiser where noise proportional to the gradient
// vanishes: Figure 1's left SDE converged at order 1 from 1200 to 4800
// nodes). An order observed from the three grids was tried and was not
// reliable on smooth problems.
func sdeValue(e1, e2, e4, sp, q float64, nodes int) Value {
	ext := ext3(e1, e2, e4)
	ext2 := 2*e4 - e2
	r1 := spacing(nodes/2) / spacing(nodes)
	r2 := spacing(nodes/4) / spacing(nodes/2)
	d1, d2 := e1-sp, sp-q
	c1 := d1 / (r1*r1 - 1)
	c2 := d2 / (r2*r2 - 1)
	ext += c1
	space := math.Abs(c1-c2/(r1*r1)) + math.Abs(c1)/8 + math.Abs(d1/(r1-1)-c1)
	return Value{Value: ext, Err: math.Abs(ext3(e1, e2, e4)-ext2) + space}
}

// ext3 is Richardson's extrapolation over three levels of substep ratio 2
// (e1 the coarsest): a level's error c1/m + c2/m^2 + c3/m^3 + ... loses c1
// and c2, and c3/m^3 becomes c3/(8 m^3) (m the coarsest level's substeps).
func ext3(e1, e2, e4 float64) float64 { return (8*e4 - 6*e2 + e1) / 3 }

// emLevels are the Euler-Maruyama time levels for Settings.Substeps m:
// m/2, m, 2m and 4m substeps per step for an even m (the value is then
// extrapolated from m, 2m and 4m as with three levels, and the new level
// is the cheapest), otherwise m, 2m, 4m and 8m.
func emLevels(m int) [4]int {
	if m%2 == 0 {
		return [4]int{m / 2, m, 2 * m, 4 * m}
	}
	return [4]int{m, 2 * m, 4 * m, 8 * m}
}

// emValue combines the Euler-Maruyama levels (emLevels) on the main grid
// (full) and on half its nodes (half); the radius term is radiusErr's,
// added by the caller.
//
// Time. A level's error is c1/l + c2/l^2 + c3/l^3 + ... for l substeps per
// step. The value is ext3 of the three finest levels, whose error is
// c3/(64 l0^3) + O(l0^-4) (l0 the coarsest level). Three levels alone
// estimated it by the difference to the two-level extrapolation, about
// c2/(8 l^2) + 7 c3/(32 l^3) at the value's coarsest level l, which
// vanishes when c2 and c3 have opposite signs although the error does not
// (DSGD's SDE on x^2/2 with sigma1 = 1.5: 2.4 bars against the closed
// form). With four levels the estimate is the larger of two indicators:
// |ext3 of the coarsest three - ext3 of the finest three| = 7 |c3|/(64
// l0^3) + O(l0^-4) (seven times the error, free of c2) and |ext2 of the
// finest two - ext3 of the finest three| (c2 and c3 terms, free of the c3
// and c4 cancellation the first can have). Both vanish together only where
// c2, c3 and c4 satisfy two relations at once.
//
// Space. The same combination of the half-grid levels; the spatial error
// is the difference of the two combinations (a finer level takes more
// interpolated substeps, and its spatial error is larger: on the same
// GBM with sigma1 = 4, 1.8e-6 at 16 substeps where 4 substeps have 2e-8).
func emValue(full, half [4]float64) Value {
	ext := ext3(full[1], full[2], full[3])
	terr := math.Max(math.Abs(ext3(full[0], full[1], full[2])-ext), math.Abs(2*full[3]-full[2]-ext))
	space := math.Abs(ext - ext3(half[1], half[2], half[3]))
	return Value{Value: ext, Err: terr + space}
}

// maxTailRatio is the largest ratio of successive radius differences
// (radiusErr) for which the geometric tail is summed; above it the radius
// error is unresolved.
const maxTailRatio = 0.9

// radiusErr is the radius term of a value's error from its differences
// d1 = v(R) - v(1.5R) and d2 = v(1.5R) - v(2.25R) (d2 NaN: no third radius,
// on an absorbing grid, where moving the edge changes the functional
// itself and |d1| is the term), noise the size of the rounding and
// interpolation floor under which a difference says nothing.
//
// The error of v(R) is the sum of the differences over the radii 1.5^j R.
// Where mass keeps leaving a grid that holds it, the error decays like a
// power of R, R^-alpha (power-law tails), and the differences are
// geometric with ratio rho = 1.5^-alpha: the error is d1/(1 - rho), which
// |d1| alone underestimates by 1/(1 - rho) (DSGD on x^2/2 with sigma1 = 4:
// rho = 0.91, 7 bars). Tails that fall faster make the ratios shrink, and
// the sum with the first ratio bounds them. So: rho = d2/d1 in (0,
// maxTailRatio): |d1|/(1 - rho); rho <= 0 (not a monotone tail) or a
// difference within the noise: |d1| + |d2|; rho >= maxTailRatio (the
// differences are not converging: a radius that holds the law is too far
// to bound from three): +Inf, the value unresolved.
func radiusErr(d1, d2, noise float64) float64 {
	a, b := math.Abs(d1), math.Abs(d2)
	switch {
	case math.IsNaN(d2):
		return a
	case a <= noise || b <= noise:
		return a + b
	}
	rho := d2 / d1
	switch {
	case rho <= 0:
		return a + b
	case rho >= maxTailRatio:
		return math.Inf(1)
	}
	return a / (1 - rho)
}

// spacing is the grid step (in the grid coordinate) of n nodes over a
// fixed range, up to the common factor.
func spacing(n int) float64 { return 1 / float64(n-1) }

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
