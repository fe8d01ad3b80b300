package objective

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
)

func init() {
	model.Register(model.Kind[LogCosh, model.Atom]{
		Name: "logcosh",
		Doc:  "h(x) = log cosh x, (1,0)-smooth.",
		Draw: func(model.Drawer, model.DrawOptions) LogCosh { return LogCosh{} },
	})
}

var _ model.Atom = LogCosh{}

// LogCosh is h(x) = log cosh x, (1,0)-smooth since h_xx = sech^2 <= 1.
type LogCosh struct{}

// Eval implements Atom.
func (LogCosh) Eval(x float64) (h, d1, d2 float64) {
	t := math.Tanh(x)
	return logCosh(x), t, 1 - t*t
}

// logCosh is log cosh x without overflow: |x| + log1p(exp(-2|x|)) - log 2.
func logCosh(x float64) float64 {
	u := math.Abs(x)
	return u + math.Log1p(math.Exp(-2*u)) - math.Ln2
}

// Deriv implements Atom.
func (LogCosh) Deriv(x float64) float64 { return math.Tanh(x) }

// Inf implements Atom.
func (LogCosh) Inf() float64 { return 0 }

// Argmin implements Atom.
func (LogCosh) Argmin() float64 { return 0 }

// Certificate implements Atom.
func (LogCosh) Certificate() model.Certificate { return model.Certificate{L0: 1, L1: 0} }

// Validate implements Atom.
func (LogCosh) Validate() error { return nil }

// Curv returns h_xx (as Eval).
func (LogCosh) Curv(x float64) float64 {
	t := math.Tanh(x)
	return 1 - t*t
}
