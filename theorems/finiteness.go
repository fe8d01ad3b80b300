package theorems

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
)

// MomentFiniteness records whether the SDE's left-hand side E[Y] and the variance
// of Y (which the normal interval of every verdict needs) are finite, and
// why. Y = A1 I1 + A2 I2 - C phi2 with I1 = int eta_t ||grad f(X_t)||^2 dt
// and I2 = int eta_t^2 ||grad f(X_t)||^2 dt (docs/math.md sections 3 and 8).
//
// In d = 1 it is decided from the SDE's boundaries at +-inf
// (exact.Classify): E[Y] is finite exactly when E[r(X_t) f'(X_t)^2] is (r the
// schedule's rate, a function of the state in the pathwise reading and
// deterministic otherwise, where it changes no exponent); the variance is
// finite when E[(r f'^2)^2] is (by Cauchy-Schwarz in time), and otherwise
// not established. In d > 1 nothing is decided yet (Unknown, and the verdict
// is not changed: the tail diagnostic for d > 1 is open work).
type MomentFiniteness struct {
	LHS      exact.Finiteness `json:"lhs"`
	Variance exact.Finiteness `json:"variance"`
	Why      string           `json:"why"`
	Tails    *exact.Tails     `json:"tails,omitempty"`
}

// SDEFiniteness decides MomentFiniteness for the SDE of run, whose schedule is
// read pathwise or not (nil when d > 1).
func SDEFiniteness(run mc.Run, pathwise bool) *MomentFiniteness {
	sys := run.System
	if sys.F.Dim() != 1 {
		return nil
	}
	var rate func(float64) float64
	if _, bounded := sys.Method.(model.UpdateBounder); pathwise && !bounded {
		// A bounded update (DSignSGD's |U| <= 1) has bounded coefficients
		// whatever the (bounded) rate.
		rate = func(x float64) float64 {
			g := []float64{0}
			sys.F.Grad(g, []float64{x})
			a := math.Abs(g[0])
			return run.Schedule.Rate(model.StepInfo{Path: a, Ensemble: a})
		}
	}
	tl, err := exact.Classify(sys, run.Eta, rate)
	if err != nil {
		return &MomentFiniteness{Why: "not classified: " + err.Error()}
	}
	integrand := func(x float64) float64 {
		g := []float64{0}
		sys.F.Grad(g, []float64{x})
		r := 1.0
		if rate != nil {
			r = rate(x)
		}
		return (r + r*r) * g[0] * g[0]
	}
	out := &MomentFiniteness{Tails: &tl}
	var why string
	out.LHS, why = tl.Moment(integrand)
	out.Why = "E[eta_t f'(X_t)^2]: " + why
	switch out.LHS {
	case exact.Finite:
		var vwhy string
		out.Variance, vwhy = tl.Moment(func(x float64) float64 { v := integrand(x); return v * v })
		if out.Variance == exact.Infinite {
			// Cauchy-Schwarz bounds E[I^2] above only: not established.
			out.Variance = exact.Unknown
		}
		out.Why += fmt.Sprintf("; its square: %s", vwhy)
	case exact.Infinite:
		out.Variance = exact.Infinite
	}
	return out
}
