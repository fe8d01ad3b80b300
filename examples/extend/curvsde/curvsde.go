// Package curvsde adds an SDE model to sdeverify from outside its core
// packages: a first-order SDE whose coefficients depend on the curvature,
// built so that the model reproduces the discrete method on quadratics.
//
// The revised version of the paper ("On the Interaction of Batch Noise,
// Adaptivity, and Compression, under (L0,L1)-Smoothness: An SDE Approach",
// ICML 2026; arXiv 2506.00181v2) argues that first- and second-order
// modified equations miss the discrete methods' step-size restrictions,
// and proposes first-order SDEs with curvature-dependent terms in their
// drift. Its exact equations were not available to us (the search reached
// only its abstract), so this is our construction in that spirit, not the
// paper's formula.
//
// The construction. For a method whose mean update is f' (DSGD, DCSGD:
// model.GradientDrift) take step h = eta rate and u(x) = h f”(x). On
// f = a x^2/2 the discrete mean map is x -> (1 - u) x, and the flow of
// dX = -rate b dt over one step (time eta) multiplies by exp(-rate b eta/x);
// the two agree in magnitude when
//
//	b(x) = f'(x) phi(u),   phi(u) = -log|1 - u| / u   (phi(0) = 1),
//
// and with additive noise of variance Sigma the variance added over one
// step, rate^2 (eta/N) Sigma_c (1 - (1-u)^2) / (2 rate b/x), equals the
// discrete method's h^2 Sigma / N when
//
//	Sigma_c(x) = Sigma(x) psi(u),   psi(u) = -2 log|1 - u| / (u (2 - u))   (psi(0) = psi(2) = 1).
//
// On a quadratic with additive Gaussian noise the model sampled at the
// steps is then the discrete chain up to the sign of its mean (for
// 1 < u < 2 the chain oscillates, (1 - u)^k, which no flow does): every
// even test function (f - f*, x^2) has the same expectation, at every eta.
// phi(u) -> 1 and psi(u) -> 1 as eta -> 0, so the model is a first-order
// weak model wherever the paper's is. phi(u) < 0 for u > 2: the drift
// points outward and the model diverges exactly where gradient descent
// does (eta > 2/f”), a restriction the first-order SDE (drift f') does
// not have. At u = 1 the discrete step lands on the minimiser and phi is
// infinite: |1 - u| is floored at 2^-40 (phi about 27.7/u there).
//
// f” is the central difference of the objective's gradient with step
// 1e-5 (1 + |x|): exact up to rounding on quadratics (relative error about
// 1e-11), with a truncation error of 1e-10 f”” / 6 otherwise, far below
// the exact engine's numerical error.
//
// Importing the package registers the model "curvature" with the exact
// engine (exact.RegisterModel); the weak study (weak.Options.Model), the
// stability maps (every registered model, named "sde-curv" in the tables)
// and anything else that reads exact.Models then offer it.
package curvsde

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
)

// Name is the model's registered name (exact.Problem.Model, weak's
// -model).
const Name = "curvature"

func init() { exact.RegisterModel(Curvature{}) }

var (
	_ exact.SDEModel                = Curvature{}
	_ interface{ MapName() string } = Curvature{}
)

// Curvature is the curvature-corrected first-order SDE. It has no
// parameters.
type Curvature struct{}

// Name implements exact.SDEModel.
func (Curvature) Name() string { return Name }

// Label implements exact.SDEModel.
func (Curvature) Label() string { return "curvature-corrected SDE" }

// MapName implements stability.MapNamer.
func (Curvature) MapName() string { return "sde-curv" }

// Coefficients implements exact.SDEModel: b = b1 phi(u) and
// Sigma = Sigma1 psi(u), with b1 = f' and Sigma1 the first-order model's
// (exact.Coefficients). A method whose mean update is not f' is refused.
func (Curvature) Coefficients(p exact.Problem) (exact.Coefficients1D, error) {
	if !model.GradientDrift(p.System.Method) {
		return nil, model.Invalid("model", Name, fmt.Sprintf("the curvature-corrected model matches a mean update x - h f'(x) on quadratics; %v's mean update is not f' (model.GradientDrift)", p.System.Method))
	}
	rate := p.Rate
	if rate == 0 {
		rate = 1
	}
	sys, h := p.System, p.Eta*rate
	return func(x float64) (b, sigma float64) {
		b, sigma = exact.Coefficients(sys, x)
		u := h * Curv(sys.F, x)
		phi, psi := Factors(u)
		return b * phi, sigma * psi
	}, nil
}

// Curv is f”(x) of a one-dimensional objective by the central difference
// of its gradient with step 1e-5 (1 + |x|).
func Curv(f model.Objective, x float64) float64 {
	d := 1e-5 * (1 + math.Abs(x))
	gp, gm := []float64{0}, []float64{0}
	f.Grad(gp, []float64{x + d})
	f.Grad(gm, []float64{x - d})
	return (gp[0] - gm[0]) / (2 * d)
}

// minGap floors |1 - u| (at u = 1 the discrete step lands on the
// minimiser and the matching drift is infinite).
const minGap = 0x1p-40

// Factors returns phi(u) = -log|1 - u|/u and psi(u) = -2 log|1 - u|/(u (2 - u)),
// with their limits 1 at u = 0 (phi, psi) and u = 2 (psi).
func Factors(u float64) (phi, psi float64) {
	if u == 0 {
		return 1, 1
	}
	var l float64 // log|1 - u|, accurate near u = 0 and u = 2
	switch {
	case math.Abs(1-u) < minGap:
		l = math.Log(minGap)
	case u < 1:
		l = math.Log1p(-u)
	default:
		l = math.Log1p(u - 2)
	}
	phi = -l / u
	if u == 2 {
		return phi, 1
	}
	return phi, -2 * l / (u * (2 - u))
}
