// Package stepdecay adds the step-decay learning-rate schedule to
// sdeverify: eta_k = max(gamma^floor(k/every), min), the rate cut by the
// factor gamma every `every` steps down to a floor (without one the rate
// underflows to 0: 0.25^538 does).
//
// Importing the package registers the kind "step-decay"; a configuration
// names it as {"kind": "step-decay", "gamma": 0.5, "every": 100}.
package stepdecay

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
)

func init() {
	model.Register(model.Kind[StepDecay, model.Schedule]{
		Name: "step-decay",
		Doc:  "eta_k = max(gamma^floor(k/every), min): the rate cut by gamma in (0, 1] every `every` >= 1 steps, down to min > 0 (omitted: 1e-6).",
		Draw: func(dr model.Drawer, _ model.DrawOptions) StepDecay {
			return StepDecay{Gamma: dr.Float("gamma", 0.1, 1), Every: dr.Int("every", 1, 1000)}
		},
	})
}

var _ model.Schedule = StepDecay{}

// DefaultMin is the floor StepDecay uses when its Min is 0.
const DefaultMin = 1e-6

// StepDecay is eta_k = max(Gamma^floor(k/Every), Min).
type StepDecay struct {
	Gamma float64 `json:"gamma" doc:"factor in (0, 1] applied every 'every' steps"`
	Every int     `json:"every" doc:"steps between cuts, >= 1"`
	Min   float64 `json:"min,omitempty" doc:"the smallest rate, in (0, 1] (omitted: 1e-6)"`
}

// Rate implements model.Schedule.
func (s StepDecay) Rate(i model.StepInfo) float64 {
	m := s.Min
	if m == 0 {
		m = DefaultMin
	}
	return math.Max(math.Pow(s.Gamma, float64(i.K/s.Every)), m)
}

// Reads implements model.Schedule: the step index only.
func (StepDecay) Reads() model.Reading { return model.ReadsClock }

// RobbinsMonro implements model.Schedule: for gamma < 1, phi^1 converges
// (a geometric series); for gamma = 1 the schedule is constant.
func (StepDecay) RobbinsMonro() bool { return false }

// Validate implements model.Schedule.
func (s StepDecay) Validate() error {
	if !(s.Gamma > 0 && s.Gamma <= 1) {
		return model.Invalid("gamma", s.Gamma, "must be in (0, 1]")
	}
	if !(s.Min >= 0 && s.Min <= 1) {
		return model.Invalid("min", s.Min, "must be in (0, 1] (0: 1e-6)")
	}
	if s.Every < 1 {
		return model.Invalid("every", s.Every, "must be >= 1")
	}
	return nil
}
