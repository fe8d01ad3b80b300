// Package gen draws random experiments: (L0,L1)-smooth objectives as specs
// ([Objective], [Atom]), through a [Drawer] that is either a seeded
// generator ([RandDrawer], for campaigns) or rapid (properties.Drawer, for
// property tests, which shrinks a failure to a minimal configuration).
package gen

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/objective"
)

// Options bounds the random objectives Objective draws.
// The zero value means dimensions 1..100, rotations up to dimension 50.
type Options struct {
	MinDim, MaxDim int      // dimension range, drawn log-uniformly
	MaxRotateDim   int      // largest dimension that may be rotated (a dense d x d matrix)
	Atoms          []string // the atom kinds drawn (nil: PaperAtoms)
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

// PaperAtoms are the atoms Objective draws by default, in the order of its
// draws: a campaign's cases must not depend on which kinds a binary links
// in (Options.Atoms widens the choice, to every registered atom for the
// property tests).
var PaperAtoms = []string{"quartic", "power", "cosh", "logcosh", "square", "explinear"}

// A Drawer supplies the random choices of the generators, each with a name
// (model.Drawer: the registered kinds draw their parameters through it).
// RandDrawer draws from a seeded generator (campaigns); the property tests
// draw through rapid, which owns the inputs and so can shrink a failure.
type Drawer = model.Drawer

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

// Atom draws an atom of a random kind among PaperAtoms (its parameters
// by the kind's own draw: power's p uniform on (2.1, 6) and, for power and
// quartic, L0 log-uniform on [0.1, 10]) with random scales: c log-uniform
// on [0.1, 10], |a| log-uniform on [0.2, 5] with a random sign.
func Atom(dr Drawer) model.AtomSpec { return AtomOf(dr, PaperAtoms) }

// AtomOf is Atom with the kind drawn among kinds (registered atom names).
// It panics on a name that is not a registered, drawable atom.
func AtomOf(dr Drawer, kinds []string) model.AtomSpec {
	name := kinds[dr.Int("atom kind", 0, len(kinds)-1)]
	s := model.AtomSpec{Kind: name, Params: drawParams("atom", name, dr, model.DrawOptions{Dim: 1})}
	if dr.Int("scaled", 0, 1) == 0 {
		s.C = LogUniform(dr, "c", 0.1, 10)
		s.A = LogUniform(dr, "a", 0.2, 5)
		if dr.Int("a sign", 0, 1) == 0 {
			s.A = -s.A
		}
	}
	return normalAtom(s)
}

// normalAtom returns s as decoding its JSON gives it: a built-in kind's
// parameters in the spec's fields, which callers read, rather than in
// Params.
func normalAtom(s model.AtomSpec) model.AtomSpec {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("gen: drawn atom %+v: %v", s, err))
	}
	var out model.AtomSpec
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("gen: drawn atom %s: %v", b, err))
	}
	return out
}

// Drawable returns the names of the registered kinds of a sort (noise,
// compressor, atom or schedule) that can be drawn, sorted.
func Drawable(sort string) []string {
	var names []string
	for _, k := range model.Kinds(sort) {
		if k.Drawable {
			names = append(names, k.Name)
		}
	}
	return names
}

// drawParams draws the parameters of the named kind of a sort.
func drawParams(sort, name string, dr Drawer, o model.DrawOptions) json.RawMessage {
	for _, k := range model.Kinds(sort) {
		if k.Name == name {
			p, ok := k.Draw(dr, o)
			if !ok {
				panic(fmt.Sprintf("gen: %s kind %q cannot be drawn", sort, name))
			}
			if string(p) == "{}" {
				return nil
			}
			return p
		}
	}
	panic(fmt.Sprintf("gen: no %s kind %q", sort, name))
}

// Objective draws a random (L0,L1)-smooth objective: a separable
// sum (one atom for all coordinates or one per coordinate) or a random PSD
// quadratic, optionally shifted and rotated. Every spec it returns builds.
func Objective(dr Drawer, opt Options) objective.Spec {
	opt = opt.defaults()
	atoms := opt.Atoms
	if atoms == nil {
		atoms = PaperAtoms
	}
	d := int(math.Round(LogUniform(dr, "dim", float64(opt.MinDim), float64(opt.MaxDim)+0.49)))
	d = min(max(d, opt.MinDim), opt.MaxDim)
	var s objective.Spec
	switch k := dr.Int("objective kind", 0, 4); {
	case k < 2:
		a := AtomOf(dr, atoms)
		s = objective.Spec{Kind: "separable", Dim: d, Atom: &a}
	case k < 4:
		s = objective.Spec{Kind: "separable", Atoms: make([]model.AtomSpec, d)}
		for j := range s.Atoms {
			s.Atoms[j] = AtomOf(dr, atoms)
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
		s = objective.Spec{Kind: "quadratic", Matrix: make([][]float64, d)}
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

// Kind draws a kind among kinds (names of registered, drawable kinds of
// a sort: noise, compressor, atom or schedule) and its parameters, as the
// JSON object a configuration gives beside "kind" (nil for none). It
// panics on a name that is not a registered, drawable kind of the sort.
func Kind(dr Drawer, sort string, kinds []string, o model.DrawOptions) (name string, params json.RawMessage) {
	name = kinds[dr.Int(sort+" kind", 0, len(kinds)-1)]
	return name, drawParams(sort, name, dr, o)
}
