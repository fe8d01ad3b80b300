package objective

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
)

func init() {
	model.Register(model.Kind[Cosh, model.Atom]{
		Name: "cosh",
		Doc:  "h(x) = cosh x, (1,1)-smooth.",
		Draw: func(model.Drawer, model.DrawOptions) Cosh { return Cosh{} },
	})
}

var _ model.Atom = Cosh{}

// Cosh is h(x) = cosh x, (1,1)-smooth since cosh <= 1 + |sinh|; inf 1 at 0.
type Cosh struct{}

// Eval implements Atom.
func (Cosh) Eval(x float64) (h, d1, d2 float64) {
	c := math.Cosh(x)
	return c, math.Sinh(x), c
}

// Deriv implements Atom.
func (Cosh) Deriv(x float64) float64 { return math.Sinh(x) }

// Inf implements Atom.
func (Cosh) Inf() float64 { return 1 }

// Argmin implements Atom.
func (Cosh) Argmin() float64 { return 0 }

// Certificate implements Atom.
func (Cosh) Certificate() model.Certificate { return model.Certificate{L0: 1, L1: 1} }

// Validate implements Atom.
func (Cosh) Validate() error { return nil }

// Curv returns h_xx (as Eval).
func (Cosh) Curv(x float64) float64 { return math.Cosh(x) }
