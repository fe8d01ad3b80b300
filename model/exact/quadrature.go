package exact

import (
	"math"

	"gonum.org/v1/gonum/integrate/quad"
)

// This file integrates a normal component of a one-step law against the
// grid's interpolant: the rule every kernel (backward rows, forward
// deposits, the horizon's gathers) shares, so that the schemes stay
// adjoint.
//
// A normal narrower than the grid's spacing at its origin covers a cell or
// two, on which the interpolant is a cubic: 6-point Gauss-Hermite
// quadrature integrates it exactly but for the interpolant's kinks at the
// nodes, which are of the interpolation error's order and shrink with the
// spacing (so that the half-grid pass measures them).
//
// A wider normal is integrated cell by cell (cellRule): over each cell,
// where the interpolant is one cubic, by Gauss-Legendre on pieces of width
// at most the normal's standard deviation. That error does not depend on
// the value function's features at all, only on how smooth the normal
// density is over a piece, and is bounded analytically (glPoints). A fixed
// Gauss-Hermite rule over the whole normal, which the engine used before,
// samples the interpolant at 24 points whatever the grid: where the value
// function has features narrower than the normal (Figure 1's left-top, sd
// 0.03 |x|^3 at x = 3 against an escape boundary a few units wide) its
// error is invisible to every grid refinement (4.243% +- 0.077% against a
// truth of 3.91%).

// tailZ is where cellRule truncates a normal: the mass beyond tailZ
// standard deviations, 2 Phi(-9) = 2.3e-19 of the component, is not
// integrated (on an absorbing grid the mass beyond the edges is, exactly,
// through the distribution function).
const tailZ = 9

// quadrature is the rule for the normals wider than the spacing: z and w
// a fixed Gauss-Hermite rule (Settings.Hermite > 0, for comparisons), or
// nil for cellRule (the default).
type quadrature struct {
	z, w []float64
}

// newQuadrature returns the rule of Settings.Hermite (0: cellRule).
func newQuadrature(hermiteNodes int) quadrature {
	if hermiteNodes <= 0 {
		return quadrature{}
	}
	z, w := hermite(hermiteNodes)
	return quadrature{z: z, w: w}
}

// hermite returns nodes z and weights w with sum w_q h(z_q) ~ E h(Z), Z ~ N(0,1).
func hermite(n int) (z, w []float64) {
	z, w = make([]float64, n), make([]float64, n)
	quad.Hermite{}.FixedLocations(z, w, math.Inf(-1), math.Inf(1))
	for i := range z {
		z[i] *= math.Sqrt2
		w[i] /= math.SqrtPi
	}
	return z, w
}

// gh6 is the 6-point rule of the narrow normals.
var gh6z, gh6w = hermite(6)

// glRule is a Gauss-Legendre rule on [-1, 1] with, at each point's
// place t = (1 + x)/2 in a cell, the cubic interpolation's four weights
// and the linear one's two.
type glRule struct {
	x, w []float64
	cub  [][4]float64
	lin  [][2]float64
}

// legendre holds the Gauss-Legendre rules by number of points (3 to 8).
var legendre = func() [9]glRule {
	var out [9]glRule
	for _, q := range []int{3, 4, 6, 8} {
		g := glRule{x: make([]float64, q), w: make([]float64, q), cub: make([][4]float64, q), lin: make([][2]float64, q)}
		quad.Legendre{}.FixedLocations(g.x, g.w, -1, 1)
		for j, u := range g.x {
			t := (1 + u) / 2
			tm1, tp1, tm2 := t-1, t+1, t-2
			g.cub[j] = [4]float64{-t * tm1 * tm2 / 6, tp1 * tm1 * tm2 / 2, -tp1 * t * tm2 / 2, tp1 * t * tm1 / 6}
			g.lin[j] = [2]float64{1 - t, t}
		}
		out[q] = g
	}
	return out
}()

// glPoints returns the number of Gauss-Legendre points for a piece whose
// width is sd/rho (rho >= 1). The q-point rule's error on a piece of width
// h is h^(2q+1) (q!)^4 / ((2q+1) ((2q)!)^3) times the 2q-th derivative of
// the integrand, a cubic times the normal density. The density's k-th
// derivative is He_k(z) phi(z) / sd^k, and Cramer's inequality bounds
// |He_k(z)| e^(-z^2/4) by 1.086 sqrt(k!); with a factor 4 for the cubic's
// derivatives (Leibniz), the error relative to the largest |u| on the
// piece is at most 2.3e-5 rho^-6 (q = 3), 2e-7 rho^-8 (q = 4),
// 7.1e-12 rho^-12 (q = 6) and 1.4e-16 rho^-16 (q = 8). The tiers keep
// every piece below 1.4e-16 of the largest |u| there, and the sum over
// the pieces of a normal below 5e-16 of the largest |u| under it (the
// bounds carry e^(-z^2/4), whose integral is 2 sqrt(pi) standard
// deviations). On a sinh-mapped grid the Jacobian dx/dxi varies over a
// cell too, and partCell takes at least 6 points there.
func glPoints(rho float64) int {
	switch {
	case rho >= 80:
		return 3
	case rho >= 15:
		return 4
	case rho >= 2.6:
		return 6
	default:
		return 8
	}
}

// A normal component's integral against the interpolant is a weighted sum
// of the node values plus, beyond the grid, points at which the test
// functions are evaluated (or, on an absorbing grid, the mass that
// escapes): grid.normal adds both into a rowAcc.

// addPoint adds wt times the interpolant at y to r: the interpolation
// weights of y, or y as a point beyond the grid.
func (gr grid) addPoint(r *rowAcc, y, wt float64) {
	n := len(gr.x)
	s := gr.pos(y)
	switch {
	case !(s >= 0) || !(s <= float64(n-1)):
		r.oy, r.ow = append(r.oy, y), append(r.ow, wt)
	case s < 1 || s > float64(n-2):
		i := min(int(s), n-2)
		t := s - float64(i)
		r.add(i, wt*(1-t))
		r.add(i+1, wt*t)
	default:
		i := min(int(s), n-3)
		t := s - float64(i)
		tm1, tp1, tm2 := t-1, t+1, t-2
		r.add(i-1, -wt*t*tm1*tm2/6)
		r.add(i, wt*tp1*tm1*tm2/2)
		r.add(i+1, -wt*tp1*t*tm2/2)
		r.add(i+2, wt*tp1*t*tm1/6)
	}
}

// normal adds to r wt times the integral of the normal N(m, sd^2) against
// the grid's interpolant: 6-point Gauss-Hermite when sd is below local
// (the grid's spacing at the kernel's origin), otherwise q's rule
// (cellRule by default). sd > 0.
func (gr grid) normal(r *rowAcc, q quadrature, m, sd, wt, local float64) {
	if sd < local {
		for k, z := range gh6z {
			gr.addPoint(r, m+sd*z, wt*gh6w[k])
		}
		return
	}
	if q.z != nil {
		for k, z := range q.z {
			gr.addPoint(r, m+sd*z, wt*q.w[k])
		}
		return
	}
	gr.cellRule(r, m, sd, wt)
}

// cellRule integrates wt N(m, sd^2) cell by cell over [m - tailZ sd,
// m + tailZ sd]: each cell's part (the interpolant is one cubic in the
// grid coordinate xi there, linear on the two outermost cells) in pieces
// of width at most sd in x, each by the Gauss-Legendre rule glPoints gives
// in xi (the density times dx/dxi). Beyond the grid the test functions
// are smooth and are integrated alike in x; on an absorbing grid, where
// they are 0, the mass beyond each edge is one point just outside it,
// weighted exactly by the normal's distribution function (the escape
// probability counts it).
func (gr grid) cellRule(r *rowAcc, m, sd, wt float64) {
	r.cells = true
	n := len(gr.x)
	lo, hi := m-tailZ*sd, m+tailZ*sd
	x0, xn := gr.x[0], gr.x[n-1]
	if lo < x0 {
		if gr.absorb {
			r.oy, r.ow = append(r.oy, x0-(gr.x[1]-x0)), append(r.ow, wt*0.5*math.Erfc((m-x0)/(sd*math.Sqrt2)))
		} else {
			r.outside(lo, math.Min(hi, x0), m, sd, wt)
		}
	}
	a, b := math.Max(lo, x0), math.Min(hi, xn)
	if a < b {
		ia := min(max(int(gr.pos(a)), 0), n-2)
		ib := min(max(int(gr.pos(b)), 0), n-2)
		// The stride: cells of k nodes, k a power of two (and i a multiple
		// of k), as large as keeps the cell within about sd/qres (see
		// grid.qres): on a sinh-mapped grid the stride is large near 0,
		// where the nodes are dense, and 1 far out. Each cell's cubic runs
		// through its own four nodes i-k ... i+2k, so that cells of
		// different strides tile the range with no constraint between
		// them.
		c := wt / (sd * math.Sqrt(2*math.Pi))
		var rec recurrence
		end := min(ib+2, n-1)
		for i := max(ia-1, 0); i < end; {
			k := 1
			if gr.qres > 0 {
				h := sd / gr.qres
				for k2 := 2; i%k2 == 0 && i+k2 <= n-1; k2 *= 2 {
					if gr.x[i+k2]-gr.x[i] > h {
						break
					}
					k = k2
				}
			}
			xa, xb := gr.x[i], gr.x[i+k]
			switch {
			case xb <= a || xa >= b:
				rec.ok = false
			case gr.c == 0 && xa >= a && xb <= b && sd >= xb-xa:
				gr.fullCell(r, &rec, i, k, m, sd, c)
			default:
				rec.ok = false
				gr.partCell(r, i, k, math.Max(xa, a), math.Min(xb, b), m, sd, c)
			}
			i += k
		}
	}
	if hi > xn {
		if gr.absorb {
			r.oy, r.ow = append(r.oy, xn+(xn-gr.x[n-2])), append(r.ow, wt*0.5*math.Erfc((xn-m)/(sd*math.Sqrt2)))
		} else {
			r.outside(math.Max(lo, xn), hi, m, sd, wt)
		}
	}
}

// dxdxi is dx/dxi at x.
func (gr grid) dxdxi(x float64) float64 {
	if gr.c > 0 {
		return math.Hypot(gr.c, x)
	}
	return 1
}

// outside adds the Gauss-Legendre points of wt N(m, sd^2) on [a, b]
// (beyond the grid) in pieces of width at most sd.
func (r *rowAcc) outside(a, b, m, sd, wt float64) {
	np := math.Ceil((b - a) / sd)
	h := (b - a) / np
	gl := legendre[glPoints(sd/h)]
	c := wt * h / 2 / (sd * math.Sqrt(2*math.Pi))
	isd := 1 / sd
	for k := 0; k < int(np); k++ {
		mid := a + (float64(k)+0.5)*h
		for j, t := range gl.x {
			y := mid + t*h/2
			z := (y - m) * isd
			r.oy, r.ow = append(r.oy, y), append(r.ow, c*gl.w[j]*math.Exp(-z*z/2))
		}
	}
}

// partCell adds the integral of c exp(-((x - m)/sd)^2/2) times the
// interpolant over [xa, xb], a part of cell i, in pieces of width at most
// sd in x, each by Gauss-Legendre in xi.
func (gr grid) partCell(r *rowAcc, i, k int, xa, xb, m, sd, c float64) {
	n := len(gr.x)
	isd := 1 / sd
	base := gr.lo + float64(i)*gr.dx
	kdx := float64(k) * gr.dx
	ta, tb := 0.0, 1.0 // the part of the cell, in xi
	if xa > gr.x[i] {
		ta = (gr.toXi(xa) - base) / kdx
	}
	if xb < gr.x[i+k] {
		tb = (gr.toXi(xb) - base) / kdx
	}
	np := math.Ceil((xb - xa) / sd)
	q := glPoints(sd * np / (xb - xa))
	if gr.c > 0 {
		// dx/dxi = sqrt(c^2 + x^2) changes over a cell by e^(k dxi) (0.05
		// on the suite's grids): with the cubic's third derivative the
		// 3-point rule's error is 8e-9 of the cell's integral there, the
		// 6-point rule's under 1e-20.
		q = max(q, 6)
	}
	gl := legendre[q]
	ht := (tb - ta) / np
	var w0, w1, w2, w3 float64
	linear := i-k < 0 || i+2*k > n-1
	for p := 0; p < int(np); p++ {
		mid := ta + (float64(p)+0.5)*ht
		for j, u := range gl.x {
			t := mid + u*ht/2
			xi := base + t*kdx
			y := gr.toX(xi)
			z := (y - m) * isd
			d := c * gl.w[j] * ht / 2 * kdx * gr.dxdxi(y) * math.Exp(-z*z/2)
			if linear {
				w1 += d * (1 - t)
				w2 += d * t
				continue
			}
			tm1, tp1, tm2 := t-1, t+1, t-2
			w0 += -d * t * tm1 * tm2 / 6
			w1 += d * tp1 * tm1 * tm2 / 2
			w2 += -d * tp1 * t * tm2 / 2
			w3 += d * tp1 * t * tm1 / 6
		}
	}
	r.addCell(i, k, linear, w0, w1, w2, w3)
}

// addCell adds the four node weights of the cell from node i to i+k (two
// on a linear cell at the grid's ends).
func (r *rowAcc) addCell(i, k int, linear bool, w0, w1, w2, w3 float64) {
	if linear {
		r.add(i, w1)
		r.add(i+k, w2)
		return
	}
	r.add(i-k, w0)
	r.add(i, w1)
	r.add(i+k, w2)
	r.add(i+2*k, w3)
}

// recurrence carries the normal density at the Gauss-Legendre points of
// consecutive whole cells of a uniform grid: with delta = dx/sd, the
// density at a point moves to the next cell by the factor
// e^(-z delta - delta^2/2), and that factor by e^(-delta^2), two products
// instead of an exponential. It restarts from exponentials every
// recurrenceRun cells, so that the rounding it accumulates stays under
// 2 recurrenceRun ulp (7e-15) of each weight.
type recurrence struct {
	ok   bool
	q, k int // the rule's points and the cells' stride
	left int // cells before the next restart
	v, f [8]float64
	r    float64 // e^(-delta^2)
}

const recurrenceRun = 16

// fullCell adds the integral of c exp(-((x - m)/sd)^2/2) times the
// interpolant over the whole cell i of a uniform grid (dx <= sd: one piece),
// by the recurrence where the previous cell was one too.
func (gr grid) fullCell(r *rowAcc, rec *recurrence, i, k int, m, sd, c float64) {
	n := len(gr.x)
	kdx := float64(k) * gr.dx
	q := glPoints(sd / kdx)
	gl := legendre[q]
	if !rec.ok || rec.q != q || rec.k != k || rec.left == 0 {
		delta := kdx / sd
		for j, u := range gl.x {
			z := (gr.x[i] + (1+u)/2*kdx - m) / sd
			rec.v[j] = math.Exp(-z * z / 2)
			rec.f[j] = math.Exp(-z*delta - delta*delta/2)
		}
		rec.r = math.Exp(-delta * delta)
		rec.ok, rec.q, rec.k, rec.left = true, q, k, recurrenceRun
	} else {
		for j := range q {
			rec.v[j] *= rec.f[j]
			rec.f[j] *= rec.r
		}
	}
	rec.left--
	h := c * kdx / 2
	if i-k < 0 || i+2*k > n-1 {
		var w1, w2 float64
		for j := range q {
			d := h * gl.w[j] * rec.v[j]
			w1 += d * gl.lin[j][0]
			w2 += d * gl.lin[j][1]
		}
		r.addCell(i, k, true, 0, w1, w2, 0)
		return
	}
	var w0, w1, w2, w3 float64
	for j := range q {
		d := h * gl.w[j] * rec.v[j]
		l := &gl.cub[j]
		w0 += d * l[0]
		w1 += d * l[1]
		w2 += d * l[2]
		w3 += d * l[3]
	}
	r.addCell(i, k, false, w0, w1, w2, w3)
}

// quadFloor is the error the cell rule can make, relative to the largest
// |u| under the normal (its nodes' range): the quadrature's 5e-16
// (glPoints), the recurrence's 2 recurrenceRun ulp (fullCell) and the
// rounding of the cells' sums, generously. The floors carry it for every
// row that the cell rule computes (rangeMax over the row's nodes).
const quadFloor = 1e-14

// maxTable answers the largest |v| over a range of nodes in constant time
// (a sparse table: level l holds the maxima over 2^l nodes).
type maxTable struct {
	lev [][]float64
}

// build fills the table with |v_i|, v_i = u[i*stride+off], i < n.
func (mt *maxTable) build(u []float64, n, stride, off int) {
	if len(mt.lev) == 0 || len(mt.lev[0]) != n {
		mt.lev = mt.lev[:0]
		for w := 1; w <= n; w *= 2 {
			mt.lev = append(mt.lev, make([]float64, n-w+1))
		}
	}
	for i := range n {
		mt.lev[0][i] = math.Abs(u[i*stride+off])
	}
	for l := 1; l < len(mt.lev); l++ {
		prev, cur, h := mt.lev[l-1], mt.lev[l], 1<<(l-1)
		for i := range cur {
			cur[i] = math.Max(prev[i], prev[i+h])
		}
	}
}

// max returns the largest |v_i| for lo <= i <= hi (0 when empty).
func (mt *maxTable) max(lo, hi int) float64 {
	if lo > hi {
		return 0
	}
	l := 0
	for 1<<(l+1) <= hi-lo+1 {
		l++
	}
	return math.Max(mt.lev[l][lo], mt.lev[l][hi-(1<<l)+1])
}
