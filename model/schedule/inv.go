package schedule

import "github.com/sdeverify/sdeverify/model"

func init() {
	model.Register(model.Kind[clockParams, model.Schedule]{
		Name: "inv",
		Doc:  "eta_k = 1/(1 + c) with c the step index k or the time t = k eta (Robbins-Monro).",
		Build: func(p clockParams, _ int) (model.Schedule, error) {
			c, err := p.clock()
			return Inv{Clock: c}, err
		},
		Draw: func(dr model.Drawer, _ model.DrawOptions) clockParams { return drawClock(dr) },
	})
}

var _ model.Schedule = Inv{}

// Inv is eta_k = 1/(1 + c) with c = k or t: phi^1 ~ log c and phi^2
// converges, so Robbins-Monro holds.
type Inv struct{ Clock model.Clock }

// Rate implements Schedule.
func (s Inv) Rate(i model.StepInfo) float64 { return 1 / (1 + clockValue(s.Clock, i)) }

// Reads implements Schedule.
func (Inv) Reads() model.Reading { return model.ReadsClock }

// RobbinsMonro implements Schedule.
func (Inv) RobbinsMonro() bool { return true }

// Validate implements Schedule.
func (s Inv) Validate() error { return validateClock(s.Clock) }
