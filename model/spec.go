package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// AtomSpec is the JSON form of an atom: c * h(a x) with h named by Kind.
type AtomSpec struct {
	Kind string  `json:"kind"`         // quartic, power, cosh, logcosh, square, explinear
	P    float64 `json:"p,omitempty"`  // power: exponent > 2
	L0   float64 `json:"l0,omitempty"` // quartic, power: chosen L0 (0: the atom's default)
	C    float64 `json:"c,omitempty"`  // outer scale > 0 (0 means 1)
	A    float64 `json:"a,omitempty"`  // inner scale != 0 (0 means 1)
}

// Build returns the atom.
func (s AtomSpec) Build() (Atom, error) {
	var a Atom
	switch s.Kind {
	case "quartic":
		a = Quartic{L0: s.L0}
	case "power":
		a = Power{P: s.P, L0: s.L0}
	case "cosh":
		a = Cosh{}
	case "logcosh":
		a = LogCosh{}
	case "square":
		a = Square{}
	case "explinear":
		a = ExpLinear{}
	default:
		return nil, Invalid("kind", fmt.Sprintf("%q", s.Kind), "must be one of quartic, power, cosh, logcosh, square, explinear")
	}
	if s.Kind != "power" && s.P != 0 {
		return nil, Invalid("p", s.P, "is only used by kind power")
	}
	if s.Kind != "power" && s.Kind != "quartic" && s.L0 != 0 {
		return nil, Invalid("l0", s.L0, "is only used by kinds quartic and power")
	}
	if s.C != 0 || s.A != 0 {
		c, aa := s.C, s.A
		if c == 0 {
			c = 1
		}
		if aa == 0 {
			aa = 1
		}
		a = Scaled{Atom: a, C: c, A: aa}
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return a, nil
}

// ObjectiveSpec is the JSON form of an objective. Kind "separable" sums one
// atom over Dim coordinates (Atom) or one atom per coordinate (Atoms); kind
// "quadratic" is x^T Matrix x / 2. Either may be shifted (minimiser moved to
// Shift) and rotated (f(Q x) with Q Haar-random from RotationSeed, applied
// after the shift). Certificate, when set, replaces the derived certificate;
// it must dominate it, so that it is still valid.
type ObjectiveSpec struct {
	Kind         string       `json:"kind"`
	Dim          int          `json:"dim,omitempty"`
	Atom         *AtomSpec    `json:"atom,omitempty"`
	Atoms        []AtomSpec   `json:"atoms,omitempty"`
	Matrix       [][]float64  `json:"matrix,omitempty"`
	Shift        []float64    `json:"shift,omitempty"`
	RotationSeed uint64       `json:"rotation_seed,omitempty"`
	Certificate  *Certificate `json:"certificate,omitempty"`
}

// Build validates the spec and returns the objective.
func (s ObjectiveSpec) Build() (Objective, error) {
	var f Objective
	switch s.Kind {
	case "separable":
		switch {
		case s.Atom != nil && len(s.Atoms) > 0:
			return nil, Invalid("atoms", len(s.Atoms), "give either atom (with dim) or atoms, not both")
		case s.Atom != nil:
			if s.Dim < 1 {
				return nil, Invalid("dim", s.Dim, "must be >= 1")
			}
			a, err := s.Atom.Build()
			if err != nil {
				return nil, Prefix("atom", err)
			}
			f = Homogeneous{Atom: a, D: s.Dim}
		case len(s.Atoms) > 0:
			if s.Dim != 0 && s.Dim != len(s.Atoms) {
				return nil, Invalid("dim", s.Dim, fmt.Sprintf("must equal len(atoms) = %d or be omitted", len(s.Atoms)))
			}
			atoms := make([]Atom, len(s.Atoms))
			for j, as := range s.Atoms {
				a, err := as.Build()
				if err != nil {
					return nil, Prefix(fmt.Sprintf("atoms[%d]", j), err)
				}
				atoms[j] = a
			}
			f = Separable{Atoms: atoms}
		default:
			return nil, Invalid("atom", nil, "kind separable needs atom (with dim) or atoms")
		}
	case "quadratic":
		n := len(s.Matrix)
		if n == 0 {
			return nil, Invalid("matrix", nil, "kind quadratic needs a matrix")
		}
		if s.Dim != 0 && s.Dim != n {
			return nil, Invalid("dim", s.Dim, fmt.Sprintf("must equal the matrix size %d or be omitted", n))
		}
		a := mat.NewSymDense(n, nil)
		for i, row := range s.Matrix {
			if len(row) != n {
				return nil, Invalid(fmt.Sprintf("matrix[%d]", i), len(row), fmt.Sprintf("row length must be %d", n))
			}
			for j, v := range row {
				if err := checkFinite(fmt.Sprintf("matrix[%d][%d]", i, j), v); err != nil {
					return nil, err
				}
				if math.Abs(v-s.Matrix[j][i]) > 1e-12*math.Max(1, math.Abs(v)) {
					return nil, Invalid(fmt.Sprintf("matrix[%d][%d]", i, j), v, fmt.Sprintf("must equal matrix[%d][%d] = %v (symmetric)", j, i, s.Matrix[j][i]))
				}
				if j >= i {
					a.SetSym(i, j, v)
				}
			}
		}
		q, err := NewQuadratic(a)
		if err != nil {
			return nil, err
		}
		f = q
	default:
		return nil, Invalid("kind", fmt.Sprintf("%q", s.Kind), "must be separable or quadratic")
	}
	if s.Shift != nil {
		sh := Shifted{F: f, Center: s.Shift}
		if err := sh.Validate(); err != nil {
			return nil, err
		}
		f = sh
	}
	if s.RotationSeed != 0 {
		q := RandomRotation(f.Dim(), rand.New(rand.NewPCG(s.RotationSeed, 0x5eed)))
		r, err := NewRotated(f, q)
		if err != nil {
			return nil, err
		}
		f = r
	}
	if s.Certificate != nil {
		c, err := WithCertificate(f, *s.Certificate)
		if err != nil {
			return nil, err
		}
		f = c
	}
	return f, nil
}

// Certified is an objective with a user-chosen certificate that dominates
// the derived one (Figure 1 uses (3,3) for x^4/4, whose tight pair with
// L0 = 3 is (3, 2/sqrt 3)).
type Certified struct {
	Objective
	Cert Certificate
}

// WithCertificate returns f with certificate c, or an error naming the
// constant that would make c invalid.
func WithCertificate(f Objective, c Certificate) (Certified, error) {
	if err := c.Validate(); err != nil {
		return Certified{}, Prefix("certificate", err)
	}
	d := f.Certificate()
	if c.L0 < d.L0 {
		return Certified{}, Invalid("certificate.l0", c.L0, fmt.Sprintf("must be >= the derived L0 = %v (with L1 >= %v)", d.L0, d.L1))
	}
	if c.L1 < d.L1 {
		return Certified{}, Invalid("certificate.l1", c.L1, fmt.Sprintf("must be >= the derived L1 = %v for L0 = %v (choose the atom's l0 to trade them)", d.L1, d.L0))
	}
	return Certified{Objective: f, Cert: c}, nil
}

// Certificate implements Objective.
func (c Certified) Certificate() Certificate { return c.Cert }

// GradBatch implements BatchGrader with the wrapped objective's batch
// gradient (a certificate changes no value).
func (c Certified) GradBatch(dst, xs []float64) { GradBatch(c.Objective, dst, xs) }

// ValueBatch implements BatchValuer with the wrapped objective's.
func (c Certified) ValueBatch(dst, xs []float64) { ValueBatch(c.Objective, dst, xs) }

// Uncertified returns the objective inside any certificate wrappers: the
// same function, for the kernels that recognise its form.
func Uncertified(f Objective) Objective {
	for {
		c, ok := f.(Certified)
		if !ok {
			return f
		}
		f = c.Objective
	}
}

// GenOptions bounds the random objectives RandomObjectiveSpec draws.
// The zero value means dimensions 1..100, rotations up to dimension 50.
type GenOptions struct {
	MinDim, MaxDim int // dimension range, drawn log-uniformly
	MaxRotateDim   int // largest dimension that may be rotated (a dense d x d matrix)
}

func (o GenOptions) defaults() GenOptions {
	if o.MinDim < 1 {
		o.MinDim = 1
	}
	if o.MaxDim < o.MinDim {
		o.MaxDim = max(o.MinDim, 100)
	}
	if o.MaxRotateDim == 0 {
		o.MaxRotateDim = 50
	}
	return o
}

var atomKinds = []string{"quartic", "power", "cosh", "logcosh", "square", "explinear"}

// A Drawer supplies the random choices of the generators, each with a name.
// RandDrawer draws from a seeded generator (campaigns); the property tests
// draw through rapid, which owns the inputs and so can shrink a failure.
type Drawer interface {
	Float(name string, lo, hi float64) float64 // uniform on [lo, hi]
	Int(name string, lo, hi int) int           // uniform on [lo, hi]
	Norm(name string) float64                  // standard normal
	Uint64(name string) uint64
}

// Uniforms is what RandDrawer needs of a generator: a *Rand or a
// math/rand/v2 *rand.Rand.
type Uniforms interface {
	Float64() float64
	IntN(n int) int
	NormFloat64() float64
	Uint64() uint64
}

// RandDrawer draws from R.
type RandDrawer struct{ R Uniforms }

// Float implements Drawer.
func (d RandDrawer) Float(_ string, lo, hi float64) float64 { return lo + (hi-lo)*d.R.Float64() }

// Int implements Drawer.
func (d RandDrawer) Int(_ string, lo, hi int) int { return lo + d.R.IntN(hi-lo+1) }

// Norm implements Drawer.
func (d RandDrawer) Norm(string) float64 { return d.R.NormFloat64() }

// Uint64 implements Drawer.
func (d RandDrawer) Uint64(string) uint64 { return d.R.Uint64() }

// LogUniform draws log-uniformly on [lo, hi] (lo > 0).
func LogUniform(d Drawer, name string, lo, hi float64) float64 {
	return lo * math.Pow(hi/lo, d.Float(name, 0, 1))
}

// RandomAtomSpec draws an atom of a random kind with random scales: c
// log-uniform on [0.1, 10], |a| log-uniform on [0.2, 5] with a random sign,
// p uniform on (2.1, 6), L0 log-uniform on [0.1, 10].
func RandomAtomSpec(dr Drawer) AtomSpec {
	s := AtomSpec{Kind: atomKinds[dr.Int("atom kind", 0, len(atomKinds)-1)]}
	switch s.Kind {
	case "power":
		s.P = dr.Float("p", 2.1, 6)
		s.L0 = LogUniform(dr, "l0", 0.1, 10)
	case "quartic":
		s.L0 = LogUniform(dr, "l0", 0.1, 10)
	}
	if dr.Int("scaled", 0, 1) == 0 {
		s.C = LogUniform(dr, "c", 0.1, 10)
		s.A = LogUniform(dr, "a", 0.2, 5)
		if dr.Int("a sign", 0, 1) == 0 {
			s.A = -s.A
		}
	}
	return s
}

// RandomObjectiveSpec draws a random (L0,L1)-smooth objective: a separable
// sum (one atom for all coordinates or one per coordinate) or a random PSD
// quadratic, optionally shifted and rotated. Every spec it returns builds.
func RandomObjectiveSpec(dr Drawer, opt GenOptions) ObjectiveSpec {
	opt = opt.defaults()
	d := int(math.Round(LogUniform(dr, "dim", float64(opt.MinDim), float64(opt.MaxDim)+0.49)))
	d = min(max(d, opt.MinDim), opt.MaxDim)
	var s ObjectiveSpec
	switch k := dr.Int("objective kind", 0, 4); {
	case k < 2:
		a := RandomAtomSpec(dr)
		s = ObjectiveSpec{Kind: "separable", Dim: d, Atom: &a}
	case k < 4:
		s = ObjectiveSpec{Kind: "separable", Atoms: make([]AtomSpec, d)}
		for j := range s.Atoms {
			s.Atoms[j] = RandomAtomSpec(dr)
		}
	default:
		// A = B B^T / d with B Gaussian d x r: PSD of rank r <= d.
		r := dr.Int("rank", 1, d)
		b := make([][]float64, d)
		for i := range b {
			b[i] = make([]float64, r)
			for j := range b[i] {
				b[i][j] = dr.Norm("b")
			}
		}
		s = ObjectiveSpec{Kind: "quadratic", Matrix: make([][]float64, d)}
		for i := range d {
			s.Matrix[i] = make([]float64, d)
		}
		for i := range d {
			for j := i; j < d; j++ {
				var v float64
				for k := range r {
					v += b[i][k] * b[j][k]
				}
				v /= float64(d)
				s.Matrix[i][j], s.Matrix[j][i] = v, v
			}
		}
	}
	if dr.Int("shifted", 0, 1) == 0 {
		s.Shift = make([]float64, d)
		for j := range s.Shift {
			s.Shift[j] = dr.Norm("shift")
		}
	}
	if d > 1 && d <= opt.MaxRotateDim && dr.Int("rotated", 0, 2) == 0 {
		s.RotationSeed = dr.Uint64("rotation seed") | 1
	}
	return s
}
