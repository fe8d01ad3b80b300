package schedule

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
)

func init() {
	model.Register(model.Kind[clockParams, model.Schedule]{
		Name: "inv-sqrt",
		Doc:  "eta_k = 1/sqrt(1 + c) with c the step index k or the time t = k eta (Robbins-Monro).",
		Build: func(p clockParams, _ int) (model.Schedule, error) {
			c, err := p.clock()
			return InvSqrt{Clock: c}, err
		},
		Draw: func(dr model.Drawer, _ model.DrawOptions) clockParams { return drawClock(dr) },
	})
}

var _ model.Schedule = InvSqrt{}

// InvSqrt is eta_k = 1/sqrt(1 + c) with c = k or t: phi^1 ~ 2 sqrt(c) and
// phi^2 ~ log c, so Robbins-Monro holds.
type InvSqrt struct{ Clock model.Clock }

// Rate implements Schedule.
func (s InvSqrt) Rate(i model.StepInfo) float64 { return 1 / math.Sqrt(1+clockValue(s.Clock, i)) }

// Reads implements Schedule.
func (InvSqrt) Reads() model.Reading { return model.ReadsClock }

// RobbinsMonro implements Schedule.
func (InvSqrt) RobbinsMonro() bool { return true }

// Validate implements Schedule.
func (s InvSqrt) Validate() error { return validateClock(s.Clock) }
