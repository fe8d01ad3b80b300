package schedule

import (
	"fmt"

	"github.com/sdeverify/sdeverify/model"
)

// A clock schedule's shared pieces (inv.go, invsqrt.go): the variable it
// reads and its configuration field.

// clockValue is the variable clock c reads at s.
func clockValue(c model.Clock, s model.StepInfo) float64 {
	if c == model.Time {
		return s.T
	}
	return float64(s.K)
}

func validateClock(c model.Clock) error {
	if c != model.StepIndex && c != model.Time {
		return model.Invalid("clock", int(c), "must be step or time")
	}
	return nil
}

// clockParams are a clock schedule's parameters in a configuration.
type clockParams struct {
	Clock string `json:"clock,omitempty" enum:"step|time" doc:"the variable read: the step index k (omitted) or the time t = k eta"`
}

// clock returns the Clock the parameters name.
func (p clockParams) clock() (model.Clock, error) {
	switch p.Clock {
	case "", model.StepIndex.String():
		return model.StepIndex, nil
	case model.Time.String():
		return model.Time, nil
	}
	return 0, model.Invalid("clock", fmt.Sprintf("%q", p.Clock), "must be step or time")
}

// drawClock draws a clock's parameters.
func drawClock(dr model.Drawer) clockParams {
	return clockParams{Clock: []string{model.StepIndex.String(), model.Time.String()}[dr.Int("clock", 0, 1)]}
}
