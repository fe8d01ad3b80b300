package objective

import (
	"fmt"
	"math"
	"sync"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/internal/kit"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

var (
	_ model.BatchGrader = Homogeneous{}
	_ model.BatchGrader = Separable{}
	_ model.BatchValuer = Homogeneous{}
)

var (
	_ model.Objective = Separable{}
	_ model.Objective = Homogeneous{}
	_ model.Objective = (*Quadratic)(nil)
	_ model.Objective = Shifted{}
	_ model.Objective = (*Rotated)(nil)
)

// Separable is f(x) = sum_j h_j(x_j), one atom per coordinate. Its Hessian is
// diagonal and |h_j'| <= ||grad f||, so it is (max_j L0_j, max_j L1_j)-smooth.
type Separable struct {
	Atoms []model.Atom // one atom per coordinate; len(Atoms) is the dimension
}

// DiagonalQuadratic returns sum_j a_j x_j^2 / 2 as a Separable of scaled
// Square atoms (a_j > 0).
func DiagonalQuadratic(a []float64) Separable {
	atoms := make([]model.Atom, len(a))
	for j, aj := range a {
		atoms[j] = model.Scaled{Atom: Square{}, C: aj, A: 1}
	}
	return Separable{Atoms: atoms}
}

// Dim implements Objective.
func (s Separable) Dim() int { return len(s.Atoms) }

// Value implements Objective.
func (s Separable) Value(x []float64) float64 {
	var v float64
	for j, a := range s.Atoms {
		h, _, _ := a.Eval(x[j])
		v += h
	}
	return v
}

// Grad implements Objective.
func (s Separable) Grad(dst, x []float64) {
	for j, a := range s.Atoms {
		dst[j] = a.Deriv(x[j])
	}
}

// GradBatch implements BatchGrader.
func (s Separable) GradBatch(dst, xs []float64) {
	d := len(s.Atoms)
	for i, x := range xs {
		dst[i] = s.Atoms[i%d].Deriv(x)
	}
}

// HessNorm implements Objective: max_j |h_j_xx(x_j)|.
func (s Separable) HessNorm(x []float64) float64 {
	var m float64
	for j, a := range s.Atoms {
		m = maxNaN(m, math.Abs(kit.Curv(a, x[j])))
	}
	return m
}

// maxNaN is math.Max(m, v) for m, v >= 0 or NaN (a NaN wins), inlined:
// math.Max is an assembly call, at every SDE substep in HessNorm.
func maxNaN(m, v float64) float64 {
	if v > m || v != v {
		return v
	}
	return m
}

// Inf implements Objective.
func (s Separable) Inf() float64 {
	var v float64
	for _, a := range s.Atoms {
		v += a.Inf()
	}
	return v
}

// Minimizer implements Objective.
func (s Separable) Minimizer(dst []float64) {
	for j, a := range s.Atoms {
		dst[j] = a.Argmin()
	}
}

// Certificate implements Objective.
func (s Separable) Certificate() model.Certificate {
	var c model.Certificate
	for _, a := range s.Atoms {
		c = maxCert(c, a.Certificate())
	}
	return c
}

// Validate implements Objective.
func (s Separable) Validate() error {
	if len(s.Atoms) == 0 {
		return model.Invalid("atoms", 0, "need at least one atom")
	}
	for j, a := range s.Atoms {
		if a == nil {
			return model.Invalid(fmt.Sprintf("atoms[%d]", j), nil, "must be set")
		}
		if err := a.Validate(); err != nil {
			return model.Prefix(fmt.Sprintf("atoms[%d]", j), err)
		}
	}
	return nil
}

// Homogeneous is f(x) = sum_{j<D} h(x_j), the same atom on every coordinate
// (Figure 1's sum of quartics). It has the atom's certificate. An atom
// with loops of its own over the coordinates (x^4/4) is called once per
// point rather than once per coordinate.
type Homogeneous struct {
	Atom model.Atom
	D    int // dimension, >= 1
}

// Dim implements Objective.
func (s Homogeneous) Dim() int { return s.D }

// cubeGrad implements kit.CubeGradient: the atom's derivative is x^3, computed
// as x*x*x (Quartic).
func (s Homogeneous) CubeGrad() bool {
	c, ok := s.Atom.(interface{ CubeGrad() bool })
	return ok && c.CubeGrad()
}

// Value implements Objective.
func (s Homogeneous) Value(x []float64) float64 {
	if sa, ok := s.Atom.(sumAtom); ok {
		return sa.sumValue(x[:s.D])
	}
	var v float64
	for _, xj := range x[:s.D] {
		h, _, _ := s.Atom.Eval(xj)
		v += h
	}
	return v
}

// ValueBatch implements BatchValuer, with Value's operations per point.
func (s Homogeneous) ValueBatch(dst, xs []float64) {
	n := len(xs) / s.D
	dst = dst[:n]
	if sa, ok := s.Atom.(sumAtom); ok && s.D == 1 {
		sa.values(dst, xs[:n])
		return
	}
	for i := range dst {
		dst[i] = s.Value(xs[i*s.D : (i+1)*s.D])
	}
}

// Grad implements Objective.
func (s Homogeneous) Grad(dst, x []float64) {
	x = x[:s.D]
	dst = dst[:len(x)]
	if sa, ok := s.Atom.(sumAtom); ok {
		sa.derivs(dst, x)
		return
	}
	for j, xj := range x {
		dst[j] = s.Atom.Deriv(xj)
	}
}

// GradBatch implements BatchGrader: every coordinate of every point has
// the same atom.
func (s Homogeneous) GradBatch(dst, xs []float64) {
	dst = dst[:len(xs)]
	if sa, ok := s.Atom.(sumAtom); ok {
		sa.derivs(dst, xs)
		return
	}
	for i, x := range xs {
		dst[i] = s.Atom.Deriv(x)
	}
}

// HessNorm implements Objective.
func (s Homogeneous) HessNorm(x []float64) float64 {
	if sa, ok := s.Atom.(sumAtom); ok {
		return sa.maxCurv(x[:s.D])
	}
	var m float64
	for _, xj := range x[:s.D] {
		m = maxNaN(m, math.Abs(kit.Curv(s.Atom, xj)))
	}
	return m
}

// Inf implements Objective.
func (s Homogeneous) Inf() float64 { return float64(s.D) * s.Atom.Inf() }

// Minimizer implements Objective.
func (s Homogeneous) Minimizer(dst []float64) {
	for j := range dst[:s.D] {
		dst[j] = s.Atom.Argmin()
	}
}

// Certificate implements Objective.
func (s Homogeneous) Certificate() model.Certificate { return s.Atom.Certificate() }

// Validate implements Objective.
func (s Homogeneous) Validate() error {
	if s.D < 1 {
		return model.Invalid("dim", s.D, "must be >= 1")
	}
	if s.Atom == nil {
		return model.Invalid("atom", nil, "must be set")
	}
	return model.Prefix("atom", s.Atom.Validate())
}

// Quadratic is f(x) = x^T A x / 2 with A symmetric positive semidefinite:
// (||A||_op, 0)-smooth, f* = 0 at x = 0. Build it with NewQuadratic, which
// checks A and computes its operator norm once.
type Quadratic struct {
	A    *mat.SymDense
	norm float64
}

// NewQuadratic validates A (symmetric, finite, positive semidefinite up to
// a relative 1e-12 of its norm) and returns the objective.
func NewQuadratic(a *mat.SymDense) (*Quadratic, error) {
	if a == nil {
		return nil, model.Invalid("matrix", nil, "must be set")
	}
	n := a.SymmetricDim()
	if n < 1 {
		return nil, model.Invalid("matrix", n, "dimension must be >= 1")
	}
	for i := range n {
		for j := i; j < n; j++ {
			if err := kit.CheckFinite(fmt.Sprintf("matrix[%d][%d]", i, j), a.At(i, j)); err != nil {
				return nil, err
			}
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(a, false) {
		return nil, model.Invalid("matrix", "(not shown)", "eigendecomposition failed")
	}
	vals := eig.Values(nil)
	lo, hi := floats.Min(vals), floats.Max(vals)
	norm := math.Max(math.Abs(lo), math.Abs(hi))
	if lo < -1e-12*norm {
		return nil, model.Invalid("matrix", fmt.Sprintf("smallest eigenvalue %g", lo), "must be positive semidefinite")
	}
	return &Quadratic{A: a, norm: norm}, nil
}

// Dim implements Objective.
func (q *Quadratic) Dim() int { return q.A.SymmetricDim() }

// Value implements Objective.
func (q *Quadratic) Value(x []float64) float64 {
	return mat.Inner(mat.NewVecDense(len(x), x), q.A, mat.NewVecDense(len(x), x)) / 2
}

// Grad implements Objective: A x.
func (q *Quadratic) Grad(dst, x []float64) {
	n := len(x)
	raw := q.A.RawSymmetric()
	// A is stored upper-triangular; walk it directly to stay allocation free.
	for i := range n {
		dst[i] = 0
	}
	for i := range n {
		row := raw.Data[i*raw.Stride : i*raw.Stride+n]
		dst[i] += row[i] * x[i]
		for j := i + 1; j < n; j++ {
			dst[i] += row[j] * x[j]
			dst[j] += row[j] * x[i]
		}
	}
}

// HessNorm implements Objective.
func (q *Quadratic) HessNorm([]float64) float64 { return q.norm }

// Inf implements Objective.
func (q *Quadratic) Inf() float64 { return 0 }

// Minimizer implements Objective.
func (q *Quadratic) Minimizer(dst []float64) {
	for i := range dst {
		dst[i] = 0
	}
}

// Certificate implements Objective.
func (q *Quadratic) Certificate() model.Certificate { return model.Certificate{L0: q.norm} }

// Validate implements Objective.
func (q *Quadratic) Validate() error {
	if q == nil || q.A == nil {
		return model.Invalid("matrix", nil, "must be set (use NewQuadratic)")
	}
	return nil
}

// scratch hands out float64 buffers to combinators that need one per call.
var scratch = sync.Pool{New: func() any { s := make([]float64, 0, 64); return &s }}

func getScratch(n int) *[]float64 {
	p := scratch.Get().(*[]float64)
	if cap(*p) < n {
		*p = make([]float64, n)
	}
	*p = (*p)[:n]
	return p
}

// Shifted is f(x - Center): the minimiser moves by Center, the certificate
// and f* are unchanged.
type Shifted struct {
	F      model.Objective
	Center []float64 // len F.Dim()
}

func (s Shifted) shift(x []float64) *[]float64 {
	p := getScratch(len(x))
	floats.SubTo(*p, x, s.Center)
	return p
}

// Dim implements Objective.
func (s Shifted) Dim() int { return s.F.Dim() }

// Value implements Objective.
func (s Shifted) Value(x []float64) float64 {
	p := s.shift(x)
	v := s.F.Value(*p)
	scratch.Put(p)
	return v
}

// Grad implements Objective.
func (s Shifted) Grad(dst, x []float64) {
	p := s.shift(x)
	s.F.Grad(dst, *p)
	scratch.Put(p)
}

// HessNorm implements Objective.
func (s Shifted) HessNorm(x []float64) float64 {
	p := s.shift(x)
	v := s.F.HessNorm(*p)
	scratch.Put(p)
	return v
}

// Inf implements Objective.
func (s Shifted) Inf() float64 { return s.F.Inf() }

// Minimizer implements Objective.
func (s Shifted) Minimizer(dst []float64) {
	s.F.Minimizer(dst)
	floats.Add(dst, s.Center)
}

// Certificate implements Objective.
func (s Shifted) Certificate() model.Certificate { return s.F.Certificate() }

// Validate implements Objective.
func (s Shifted) Validate() error {
	if s.F == nil {
		return model.Invalid("f", nil, "must be set")
	}
	if err := s.F.Validate(); err != nil {
		return err
	}
	if err := kit.CheckDim("shift", len(s.Center), s.F.Dim()); err != nil {
		return err
	}
	return kit.CheckFiniteSlice("shift", s.Center)
}

// Rotated is f(Q x) for an orthogonal Q: grad = Q^T grad f(Qx), and
// Hess = Q^T Hess f(Qx) Q has the same operator norm, so the certificate
// and f* are unchanged. Build it with NewRotated.
type Rotated struct {
	F model.Objective
	Q *mat.Dense
}

// NewRotated checks that Q is orthogonal (||Q^T Q - I||_max <= 1e-10) and
// of the right size.
func NewRotated(f model.Objective, q *mat.Dense) (*Rotated, error) {
	if f == nil {
		return nil, model.Invalid("f", nil, "must be set")
	}
	if q == nil {
		return nil, model.Invalid("rotation", nil, "must be set")
	}
	r, c := q.Dims()
	if r != f.Dim() || c != f.Dim() {
		return nil, model.Invalid("rotation", fmt.Sprintf("%dx%d", r, c), fmt.Sprintf("must be %dx%d", f.Dim(), f.Dim()))
	}
	var qtq mat.Dense
	qtq.Mul(q.T(), q)
	for i := range r {
		qtq.Set(i, i, qtq.At(i, i)-1)
	}
	if e := mat.Norm(&qtq, math.Inf(1)); e > 1e-10 || math.IsNaN(e) {
		return nil, model.Invalid("rotation", fmt.Sprintf("||QtQ-I|| = %g", e), "must be orthogonal")
	}
	return &Rotated{F: f, Q: q}, nil
}

// RandomRotation returns a Haar-distributed orthogonal d x d matrix (QR of a
// Gaussian matrix with the signs of R's diagonal moved into Q).
func RandomRotation(d int, rng interface{ NormFloat64() float64 }) *mat.Dense {
	g := mat.NewDense(d, d, nil)
	for i := range d {
		for j := range d {
			g.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(g)
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	for j := range d {
		if r.At(j, j) < 0 {
			for i := range d {
				q.Set(i, j, -q.At(i, j))
			}
		}
	}
	return &q
}

func (r *Rotated) rotate(x []float64) *[]float64 {
	p := getScratch(len(x))
	mulVec(*p, r.Q, x, false)
	return p
}

// mulVec writes Q x (or Q^T x) into dst without allocating.
func mulVec(dst []float64, q *mat.Dense, x []float64, trans bool) {
	raw := q.RawMatrix()
	n := len(x)
	if !trans {
		for i := range n {
			dst[i] = floats.Dot(raw.Data[i*raw.Stride:i*raw.Stride+n], x)
		}
		return
	}
	for i := range n {
		dst[i] = 0
	}
	for k := range n {
		floats.AddScaled(dst, x[k], raw.Data[k*raw.Stride:k*raw.Stride+n])
	}
}

// Dim implements Objective.
func (r *Rotated) Dim() int { return r.F.Dim() }

// Value implements Objective.
func (r *Rotated) Value(x []float64) float64 {
	p := r.rotate(x)
	v := r.F.Value(*p)
	scratch.Put(p)
	return v
}

// Grad implements Objective.
func (r *Rotated) Grad(dst, x []float64) {
	p := r.rotate(x)
	g := getScratch(len(x))
	r.F.Grad(*g, *p)
	mulVec(dst, r.Q, *g, true)
	scratch.Put(g)
	scratch.Put(p)
}

// HessNorm implements Objective.
func (r *Rotated) HessNorm(x []float64) float64 {
	p := r.rotate(x)
	v := r.F.HessNorm(*p)
	scratch.Put(p)
	return v
}

// Inf implements Objective.
func (r *Rotated) Inf() float64 { return r.F.Inf() }

// Minimizer implements Objective: Q^T x*.
func (r *Rotated) Minimizer(dst []float64) {
	p := getScratch(len(dst))
	r.F.Minimizer(*p)
	mulVec(dst, r.Q, *p, true)
	scratch.Put(p)
}

// Certificate implements Objective.
func (r *Rotated) Certificate() model.Certificate { return r.F.Certificate() }

// Validate implements Objective.
func (r *Rotated) Validate() error {
	if r == nil || r.F == nil || r.Q == nil {
		return model.Invalid("rotation", nil, "must be built with NewRotated")
	}
	return r.F.Validate()
}

// PowerSum implements PowerSummer: the atom's power law (PowerLawer).
func (s Homogeneous) PowerSum() (a, r float64, ok bool) {
	p, ok := s.Atom.(model.PowerLawer)
	if !ok {
		return 0, 0, false
	}
	return p.PowerLaw()
}

// PowerSum implements PowerSummer: every atom the same power law
// (PowerLawer).
func (s Separable) PowerSum() (a, r float64, ok bool) {
	for j, atom := range s.Atoms {
		p, isP := atom.(model.PowerLawer)
		if !isP {
			return 0, 0, false
		}
		aj, rj, okj := p.PowerLaw()
		if !okj || (j > 0 && (aj != a || rj != r)) {
			return 0, 0, false
		}
		a, r = aj, rj
	}
	return a, r, len(s.Atoms) > 0
}

// sumAtom is an atom with loops of its own over many coordinates, which
// Homogeneous calls instead of the atom's methods coordinate by coordinate
// (x^4/4, Figure 1's objective: a loop the compiler keeps in registers).
type sumAtom interface {
	sumValue(x []float64) float64 // sum_j h(x_j)
	values(dst, xs []float64)     // dst_i = h(xs_i), with sumValue's operations on one point
	derivs(dst, x []float64)      // dst_j = h'(x_j), len(dst) == len(x)
	maxCurv(x []float64) float64  // max_j |h''(x_j)|, a NaN winning
}

// maxCert is the certificate of a separable sum: the componentwise maximum.
func maxCert(a, b model.Certificate) model.Certificate {
	return model.Certificate{L0: math.Max(a.L0, b.L0), L1: math.Max(a.L1, b.L1)}
}
