package exact

// The one-step operators: the discrete method's kernel (its one-step law,
// model.Law1Der) and the SDE's Euler-Maruyama kernel, built into sparse
// rows over a grid.

import (
	"math"
	"slices"

	"github.com/sdeverify/sdeverify/model"
)

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
