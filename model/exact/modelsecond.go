package exact

import (
	"fmt"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/objective"
)

// SecondOrder is Li, Tai and E's second-order stochastic modified
// equation for a method whose mean update is f' (model.GradientDrift:
// DSGD, DCSGD), on an objective with a second derivative: the drift
//
//	b = f' + (eta rate/2) f' f_xx
//
// with the first-order model's Sigma (docs/math.md 7.3).
var SecondOrder SDEModel = secondOrder{}

// ModelSecondOrder is SecondOrder's name.
const ModelSecondOrder = "second-order"

func init() { RegisterModel(SecondOrder) }

type secondOrder struct{}

func (secondOrder) Name() string  { return ModelSecondOrder }
func (secondOrder) Label() string { return "second-order SDE" }

// MapName implements stability.MapNamer: the stability maps call it "sde2".
func (secondOrder) MapName() string { return "sde2" }

// Coefficients implements SDEModel. It refuses a method whose mean update
// is not f' and an objective without f”.
func (secondOrder) Coefficients(p Problem) (Coefficients1D, error) {
	if !model.GradientDrift(p.System.Method) {
		return nil, model.Invalid("model", ModelSecondOrder, fmt.Sprintf("the second-order model is implemented for methods whose mean update is f' (dsgd and dcsgd only, docs/math.md 7.3); for %v the correction needs the derivative of its mean update, which the engine does not compute", p.System.Method))
	}
	d2, ok := secondDerivative(p.System.F)
	if !ok {
		return nil, model.Invalid("model", ModelSecondOrder, fmt.Sprintf("the second-order model needs f'' of the objective, which %T does not provide (a one-dimensional separable objective does)", p.System.F))
	}
	sys, eta, rate := p.System, p.Eta, p.rate()
	return func(x float64) (b, sigma float64) {
		b, sigma = Coefficients(sys, x)
		g := []float64{0}
		sys.F.Grad(g, []float64{x})
		b += eta * rate / 2 * g[0] * d2(x)
		return b, sigma
	}, nil
}

// secondDerivative returns f_xx of a one-dimensional separable or
// homogeneous objective (its atom's h_xx, with its sign), or false for an
// objective that does not provide it.
func secondDerivative(f model.Objective) (func(float64) float64, bool) {
	var atoms []model.Atom
	switch s := f.(type) {
	case objective.Separable:
		atoms = s.Atoms
	case *objective.Separable:
		atoms = s.Atoms
	case objective.Homogeneous:
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
