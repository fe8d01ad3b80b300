package exact

import (
	"fmt"

	"github.com/sdeverify/sdeverify/model"
)

// The SDE models of Problem.Model.
const (
	ModelFirstOrder  = "first-order"
	ModelSecondOrder = "second-order"
)

// Models lists the names Problem.Model accepts ("" is ModelFirstOrder).
var Models = []string{ModelFirstOrder, ModelSecondOrder}

// Coefficients returns the drift b(x) and covariance Sigma(x) of the
// problem's SDE model in the form dX = -rate b dt + rate sqrt(eta/N) S dW,
// S = sqrt(Sigma): for the first-order model those of the package-level
// Coefficients; for the second-order model (DSGD, DCSGD) the drift
// b = f' + (eta rate/2) f' f_xx with the same Sigma (docs/math.md 7.3).
// The problem must have passed ValidateSDE.
func (p Problem) Coefficients(x float64) (b, sigma float64) {
	b, sigma = Coefficients(p.System, x)
	if p.Model == ModelSecondOrder {
		d2, _ := secondDerivative(p.System.F)
		g := []float64{0}
		p.System.F.Grad(g, []float64{x})
		b += p.Eta * p.rate() / 2 * g[0] * d2(x)
	}
	return b, sigma
}

// secondDerivative returns f_xx of a one-dimensional separable or
// homogeneous objective (its atom's h_xx, with its sign), or false for an objective that does
// not provide it.
func secondDerivative(f model.Objective) (func(float64) float64, bool) {
	var atoms []model.Atom
	switch s := f.(type) {
	case model.Separable:
		atoms = s.Atoms
	case *model.Separable:
		atoms = s.Atoms
	case model.Homogeneous:
		if s.D == 1 {
			atoms = []model.Atom{s.Atom}
		}
	}
	if len(atoms) != 1 {
		return nil, false
	}
	a := atoms[0]
	return func(x float64) float64 { _, _, d2 := a.Eval(x); return d2 }, true
}

// validateModel checks Problem.Model: a known name, and for the
// second-order model a method and objective it is derived for.
func (p Problem) validateModel() error {
	switch p.Model {
	case "", ModelFirstOrder:
		return nil
	case ModelSecondOrder:
	default:
		return model.Invalid("model", p.Model, "want first-order or second-order")
	}
	if p.System.Method != model.DSGD && p.System.Method != model.DCSGD {
		return model.Invalid("model", p.Model, fmt.Sprintf("the second-order model is implemented for dsgd and dcsgd only (mean update f', docs/math.md 7.3); for %v the correction needs the derivative of the mean update E sign(g), which the engine does not compute", p.System.Method))
	}
	if _, ok := secondDerivative(p.System.F); !ok {
		return model.Invalid("model", p.Model, fmt.Sprintf("the second-order model needs f'' of the objective, which %T does not provide (a one-dimensional separable objective does)", p.System.F))
	}
	return nil
}
