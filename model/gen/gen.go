// Package gen draws random experiments: (L0,L1)-smooth objectives as specs
// ([Objective], [Atom]), through a [Drawer] that is either a seeded
// generator ([RandDrawer], for campaigns) or rapid (properties.Drawer, for
// property tests, which shrinks a failure to a minimal configuration).
package gen

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
)

// Options bounds the random objectives Objective draws.
// The zero value means dimensions 1..100, rotations up to dimension 50.
type Options struct {
	MinDim, MaxDim int // dimension range, drawn log-uniformly
	MaxRotateDim   int // largest dimension that may be rotated (a dense d x d matrix)
}

func (o Options) defaults() Options {
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

// Atom draws an atom of a random kind with random scales: c
// log-uniform on [0.1, 10], |a| log-uniform on [0.2, 5] with a random sign,
// p uniform on (2.1, 6), L0 log-uniform on [0.1, 10].
func Atom(dr Drawer) model.AtomSpec {
	s := model.AtomSpec{Kind: atomKinds[dr.Int("atom kind", 0, len(atomKinds)-1)]}
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

// Objective draws a random (L0,L1)-smooth objective: a separable
// sum (one atom for all coordinates or one per coordinate) or a random PSD
// quadratic, optionally shifted and rotated. Every spec it returns builds.
func Objective(dr Drawer, opt Options) model.ObjectiveSpec {
	opt = opt.defaults()
	d := int(math.Round(LogUniform(dr, "dim", float64(opt.MinDim), float64(opt.MaxDim)+0.49)))
	d = min(max(d, opt.MinDim), opt.MaxDim)
	var s model.ObjectiveSpec
	switch k := dr.Int("objective kind", 0, 4); {
	case k < 2:
		a := Atom(dr)
		s = model.ObjectiveSpec{Kind: "separable", Dim: d, Atom: &a}
	case k < 4:
		s = model.ObjectiveSpec{Kind: "separable", Atoms: make([]model.AtomSpec, d)}
		for j := range s.Atoms {
			s.Atoms[j] = Atom(dr)
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
		s = model.ObjectiveSpec{Kind: "quadratic", Matrix: make([][]float64, d)}
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
