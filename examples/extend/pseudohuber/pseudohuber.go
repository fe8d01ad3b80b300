// Package pseudohuber adds the pseudo-Huber atom to sdeverify:
// h(x) = delta^2 (sqrt(1 + (x/delta)^2) - 1), quadratic near 0 and linear
// far out (the robust-regression loss). h_x = x/sqrt(1 + (x/delta)^2) and
// h_xx = (1 + (x/delta)^2)^(-3/2) <= 1, so it is (1, 0)-smooth whatever
// delta > 0; inf h = 0 at 0.
//
// Importing the package registers the kind "pseudo-huber"; a configuration
// names it as {"kind": "pseudo-huber", "delta": 0.5}.
package pseudohuber

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
)

func init() {
	model.Register(model.Kind[PseudoHuber, model.Atom]{
		Name: "pseudo-huber",
		Doc:  "h(x) = delta^2 (sqrt(1 + (x/delta)^2) - 1) for delta > 0 (omitted: 1): quadratic near 0, linear far out, (1,0)-smooth.",
		Draw: func(dr model.Drawer, _ model.DrawOptions) PseudoHuber {
			return PseudoHuber{Delta: math.Exp(dr.Float("log delta", math.Log(0.1), math.Log(10)))}
		},
	})
}

var _ model.Atom = PseudoHuber{}

// PseudoHuber is h(x) = Delta^2 (sqrt(1 + (x/Delta)^2) - 1).
type PseudoHuber struct {
	Delta float64 `json:"delta,omitempty" doc:"the scale delta > 0 where h turns from quadratic to linear (omitted: 1)"`
}

func (p PseudoHuber) delta() float64 {
	if p.Delta == 0 {
		return 1
	}
	return p.Delta
}

// Eval implements model.Atom.
func (p PseudoHuber) Eval(x float64) (h, d1, d2 float64) {
	d := p.delta()
	u := x / d
	s := math.Sqrt(1 + u*u)
	// sqrt(1 + u^2) - 1 = u^2/(sqrt(1 + u^2) + 1), without cancellation.
	return d * d * u * u / (s + 1), x / s, 1 / (s * s * s)
}

// Deriv implements model.Atom.
func (p PseudoHuber) Deriv(x float64) float64 {
	u := x / p.delta()
	return x / math.Sqrt(1+u*u)
}

// Inf implements model.Atom.
func (PseudoHuber) Inf() float64 { return 0 }

// Argmin implements model.Atom.
func (PseudoHuber) Argmin() float64 { return 0 }

// Certificate implements model.Atom: (1, 0).
func (PseudoHuber) Certificate() model.Certificate { return model.Certificate{L0: 1} }

// Validate implements model.Atom.
func (p PseudoHuber) Validate() error {
	if math.IsNaN(p.Delta) || math.IsInf(p.Delta, 0) || p.Delta < 0 {
		return model.Invalid("delta", p.Delta, "must be finite and > 0 (0: 1)")
	}
	return nil
}
