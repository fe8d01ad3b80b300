package schedule

import (
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/internal/kit"
)

func init() {
	model.Register(model.Kind[constantParams, model.Schedule]{
		Name:  "constant",
		Doc:   "A constant multiplier eta_k = value > 0 (omitted: 1).",
		Build: func(p constantParams, _ int) (model.Schedule, error) { return Constant(p), nil },
		Draw: func(dr model.Drawer, _ model.DrawOptions) constantParams {
			return constantParams{Value: kit.LogUniform(dr, "value", 0.1, 10)}
		},
	})
}

type constantParams struct {
	// A 0 cannot be told from an omitted value (1): written out, it is
	// refused.
	Value float64 `json:"value,omitempty" doc:"the multiplier > 0 (omitted: 1)" zero:"must be > 0 (omit it for 1)"`
}

var _ model.Schedule = Constant{}

// Constant is eta_k = Value (0 means 1).
type Constant struct {
	Value float64 // > 0; 0 means 1
}

// Rate implements Schedule.
func (c Constant) Rate(model.StepInfo) float64 {
	if c.Value == 0 {
		return 1
	}
	return c.Value
}

// ConstantRate implements ConstantRater: Rate at every step.
func (c Constant) ConstantRate() float64 { return c.Rate(model.StepInfo{}) }

// Reads implements Schedule.
func (Constant) Reads() model.Reading { return model.ReadsClock }

// RobbinsMonro implements Schedule: a constant has phi^2/phi^1 = const > 0.
func (Constant) RobbinsMonro() bool { return false }

// Validate implements Schedule.
func (c Constant) Validate() error { return kit.CheckNonNeg("value", c.Value) }
