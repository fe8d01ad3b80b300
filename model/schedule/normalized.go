package schedule

import (
	"fmt"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/internal/kit"
)

// normalizedParams are a normalised schedule's parameters in a
// configuration.
type normalizedParams struct {
	Num     float64             `json:"num,omitempty" doc:"numerator > 0"`
	A       float64             `json:"a,omitempty" doc:"constant term >= 0 of the denominator"`
	B       float64             `json:"b,omitempty" doc:"gradient-norm coefficient >= 0 of the denominator (a and b not both 0)"`
	Reading string              `json:"reading,omitempty" enum:"ensemble|pathwise" doc:"G_k: the ensemble mean of ||grad f|| or the path's own"`
	Cap     float64             `json:"cap,omitempty" doc:"upper bound on eta_k (omitted: none)"`
	Decay   *model.ScheduleSpec `json:"decay,omitempty" doc:"a clock schedule multiplying the rate (omitted: 1)"`
}

func init() {
	model.Register(model.Kind[normalizedParams, model.Schedule]{
		Name: "normalized",
		Doc:  "The gradient-normalised schedule of Thms 4-6: eta_k = num/(a + b G_k) times an optional clock decay, capped at cap when given.",
		Build: func(p normalizedParams, _ int) (model.Schedule, error) {
			n := Normalized{Num: p.Num, A: p.A, B: p.B, Cap: p.Cap}
			switch p.Reading {
			case model.ReadsEnsemble.String():
				n.Reading = model.ReadsEnsemble
			case model.ReadsPath.String():
				n.Reading = model.ReadsPath
			default:
				return nil, model.Invalid("reading", fmt.Sprintf("%q", p.Reading), "must be ensemble or pathwise")
			}
			if p.Decay != nil {
				dec, err := p.Decay.Build()
				if err != nil {
					return nil, model.Prefix("decay", err)
				}
				n.Decay = dec
			}
			return n, nil
		},
		Draw: func(dr model.Drawer, _ model.DrawOptions) normalizedParams {
			return normalizedParams{Num: kit.LogUniform(dr, "num", 0.1, 10), A: kit.LogUniform(dr, "a", 0.1, 10), B: kit.LogUniform(dr, "b", 0.1, 10),
				Reading: []string{model.ReadsEnsemble.String(), model.ReadsPath.String()}[dr.Int("reading", 0, 1)]}
		},
	})
}

var _ model.Schedule = Normalized{}

// Normalized is the gradient-normalised schedule of Thms 4-6:
//
//	eta_k = Num / (A + B G_k) * decay_k,  capped at Cap when Cap > 0,
//
// with G_k the ensemble mean of ||grad f|| (Reading ReadsEnsemble, the
// paper's experiments) or the path's own norm (ReadsPath). Decay is an
// optional clock schedule (nil: 1). The theorems package fills Num, A and B
// from a theorem's admissibility condition.
type Normalized struct {
	Num, A, B float64
	Reading   model.Reading  // ReadsEnsemble or ReadsPath
	Cap       float64        // 0: uncapped
	Decay     model.Schedule // nil or a clock schedule
}

// Rate implements Schedule.
func (n Normalized) Rate(s model.StepInfo) float64 {
	g := s.Ensemble
	if n.Reading == model.ReadsPath {
		g = s.Path
	}
	r := n.Num / (n.A + n.B*g)
	if n.Decay != nil {
		r *= n.Decay.Rate(s)
	}
	if n.Cap > 0 && r > n.Cap {
		r = n.Cap
	}
	return r
}

// Reads implements Schedule.
func (n Normalized) Reads() model.Reading { return n.Reading }

// ReadsGradient reports whether s's rate depends on ||grad f|| (the
// ensemble's or the path's): false for the clock schedules and for a
// Normalized with B = 0, whose rate Num/A (times its decay) reads only the
// clock whatever its Reading says. Paths are then independent of one
// another: path p of a run is the same whatever the number of paths.
func ReadsGradient(s model.Schedule) bool {
	if n, ok := s.(Normalized); ok && n.B == 0 {
		return false
	}
	return s.Reads() != model.ReadsClock
}

// RobbinsMonro implements Schedule: with A > 0 and bounded gradients the
// rate lies between two constant multiples of the decay, so the conditions
// hold exactly when they hold for the decay.
func (n Normalized) RobbinsMonro() bool { return n.Decay != nil && n.A > 0 && n.Decay.RobbinsMonro() }

// Validate implements Schedule.
func (n Normalized) Validate() error {
	if err := kit.CheckPos("num", n.Num); err != nil {
		return err
	}
	if err := kit.CheckNonNeg("a", n.A); err != nil {
		return err
	}
	if err := kit.CheckNonNeg("b", n.B); err != nil {
		return err
	}
	if n.A == 0 && n.B == 0 {
		return model.Invalid("a", n.A, "a and b cannot both be 0")
	}
	if n.Reading != model.ReadsEnsemble && n.Reading != model.ReadsPath {
		return model.Invalid("reading", n.Reading.String(), "must be ensemble or pathwise")
	}
	if err := kit.CheckNonNeg("cap", n.Cap); err != nil {
		return err
	}
	if n.Decay != nil {
		if n.Decay.Reads() != model.ReadsClock {
			return model.Invalid("decay", n.Decay.Reads().String(), "must be a clock schedule")
		}
		if err := n.Decay.Validate(); err != nil {
			return model.Prefix("decay", err)
		}
	}
	return nil
}
