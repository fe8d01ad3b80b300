package objective

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
)

func init() {
	model.Register(model.Kind[ExpLinear, model.Atom]{
		Name: "explinear",
		Doc:  "h(x) = exp(x) - x - 1, (1,1)-smooth.",
		Draw: func(model.Drawer, model.DrawOptions) ExpLinear { return ExpLinear{} },
	})
}

var _ model.Atom = ExpLinear{}

// ExpLinear is h(x) = exp(x) - x - 1, an exponential-type function bounded
// below (inf 0 at 0). h_xx = e^x and h_x = e^x - 1, so h_xx = 1 + |h_x| for
// x >= 0 and h_xx < 1 for x < 0: (1,1)-smooth, tight for x >= 0.
// Scaled{A: a} gives exp(ax) - ax - 1, which is (a^2, |a|)-smooth.
type ExpLinear struct{}

// Eval implements Atom.
func (ExpLinear) Eval(x float64) (h, d1, d2 float64) {
	e := math.Exp(x)
	return math.Expm1(x) - x, math.Expm1(x), e
}

// Deriv implements Atom.
func (ExpLinear) Deriv(x float64) float64 { return math.Expm1(x) }

// Inf implements Atom.
func (ExpLinear) Inf() float64 { return 0 }

// Argmin implements Atom.
func (ExpLinear) Argmin() float64 { return 0 }

// Certificate implements Atom.
func (ExpLinear) Certificate() model.Certificate { return model.Certificate{L0: 1, L1: 1} }

// Validate implements Atom.
func (ExpLinear) Validate() error { return nil }

// Curv returns h_xx (as Eval).
func (ExpLinear) Curv(x float64) float64 { return math.Exp(x) }
