package exact

// The grids the backward computation holds its values on: uniform or
// sinh-mapped in x, or the lattice of a method whose steps keep x on one.

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
)

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
