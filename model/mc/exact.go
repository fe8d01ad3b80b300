package mc

import (
	"fmt"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
)

// ExactProblem is the exact engine's Problem of a resolved one-dimensional
// run whose schedule is constant (model.ConstantRater), or says why there
// is none (for the run's model: the discrete method's law, or its SDE's
// coefficients). The exact engine (model/exact) does not import this
// package: the run's fields are handed over here.
func (r Run) ExactProblem() (exact.Problem, error) {
	if d := r.System.F.Dim(); d != 1 {
		return exact.Problem{}, model.Invalid("objective.dim", d, "the exact engine is one-dimensional")
	}
	c, ok := r.Schedule.(model.ConstantRater)
	if !ok {
		return exact.Problem{}, model.Invalid("schedule", fmt.Sprintf("%T", r.Schedule), "the exact engine needs a constant schedule")
	}
	p := exact.Problem{System: r.System, X0: r.X0[0], Eta: r.Eta, Rate: c.ConstantRate(), Steps: r.Steps}
	if r.Model == SDE {
		return p, p.ValidateSDE() // the SDE needs the noise's variance only
	}
	return p, p.Validate()
}

// ExactScheduled is the exact engine's Scheduled of a resolved
// one-dimensional run under any schedule, or says why there is none;
// exact.Forward validates it for the discrete method or the SDE.
func (r Run) ExactScheduled() (exact.Scheduled, error) {
	p := exact.Scheduled{System: r.System, Eta: r.Eta, Schedule: r.Schedule, Steps: r.Steps}
	if d := r.System.F.Dim(); d != 1 {
		return p, model.Invalid("objective.dim", d, "the exact engine is one-dimensional")
	}
	p.X0 = r.X0[0]
	return p, nil
}
