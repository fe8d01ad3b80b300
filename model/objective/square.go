package objective

import "github.com/sdeverify/sdeverify/model"

func init() {
	model.Register(model.Kind[Square, model.Atom]{
		Name: "square",
		Doc:  "h(x) = x^2/2, (1,0)-smooth.",
		Draw: func(model.Drawer, model.DrawOptions) Square { return Square{} },
	})
}

var _ model.Atom = Square{}

// Square is h(x) = x^2/2, (1,0)-smooth. Scale it with Scaled for other
// curvatures.
type Square struct{}

// Eval implements Atom.
func (Square) Eval(x float64) (h, d1, d2 float64) { return x * x / 2, x, 1 }

// Deriv implements Atom.
func (Square) Deriv(x float64) float64 { return x }

// Inf implements Atom.
func (Square) Inf() float64 { return 0 }

// Argmin implements Atom.
func (Square) Argmin() float64 { return 0 }

// Certificate implements Atom.
func (Square) Certificate() model.Certificate { return model.Certificate{L0: 1} }

// Validate implements Atom.
func (Square) Validate() error { return nil }

// Curv returns h_xx (as Eval).
func (Square) Curv(float64) float64 { return 1 }
