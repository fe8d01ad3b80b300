package theorems

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/gen"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/update"
)

// DrawRuleConfig draws a configuration inside bound b's hypotheses: a
// random certified objective (gen.Objective, d in 1..8), a start with
// coordinates in [-3, 3], one to three agents with zero noise, the
// method's parameters, a constant schedule and a base step eta within the
// bound's step condition (a fraction in [0.05, 1] of the largest, the
// largest itself one time in four), 1 to 200 steps. The property tests
// draw through rapid (properties.Drawer), the report's search through a
// seeded generator (SearchRule).
func DrawRuleConfig(b RuleBound, dr gen.Drawer) (mc.Config, error) {
	obj := gen.Objective(dr, gen.Options{MinDim: 1, MaxDim: 8, MaxRotateDim: 8})
	f, err := obj.Build()
	if err != nil {
		return mc.Config{}, err
	}
	k := f.Certificate()
	d := f.Dim()
	x0 := make([]float64, d)
	for j := range x0 {
		x0[j] = dr.Float("x0", -3, 3)
	}
	frac := dr.Float("eta fraction", 0.05, 1)
	if dr.Int("eta at the edge", 0, 3) == 0 {
		frac = 1
	}
	var params any
	var eta float64
	switch b.Info().ID {
	case "clipped-gd":
		c := gen.LogUniform(dr, "clip", 0.05, 20)
		params = update.ClippedSGD{Clip: c}
		eta = frac * largest(func(h float64) float64 { return h * (k.L0 + k.L1*c) * math.Exp(k.L1*h*c) })
	case "normalized-gd":
		beta := gen.LogUniform(dr, "beta", 0.01, 10)
		params = update.NormalizedSGD{Beta: beta}
		eta = frac * largest(func(h float64) float64 { return h * math.Exp(k.L1*h) * math.Max(k.L0/beta, k.L1) })
	case "l0l1-gd":
		params = update.L0L1GD{L0: k.L0*(1+dr.Float("l0 excess", 0, 1)) + 1e-3, L1: k.L1 * (1 + dr.Float("l1 excess", 0, 1))}
		eta = frac
	case "vankov-si":
		params = update.L0L1GD{L0: k.L0*(1+dr.Float("l0 excess", 0, 1)) + 1e-3, L1: 1.5 * k.L1 * (1 + dr.Float("l1 excess", 0, 1)) * (1 + 1e-12)}
		eta = 1
	default:
		return mc.Config{}, fmt.Errorf("DrawRuleConfig: no generator for bound %q", b.Info().ID)
	}
	p, err := json.Marshal(params)
	if err != nil {
		return mc.Config{}, err
	}
	return mc.Config{Objective: obj, X0: x0, Agents: []model.AgentSpec{{Noise: model.NoiseSpec{Kind: "gaussian"}, Count: dr.Int("agents", 1, 3)}},
		Method: b.Info().Method, MethodParams: p, Model: model.ModelSpec{Kind: "discrete"}, Eta: eta,
		Schedule: model.ScheduleSpec{Kind: "constant"}, Steps: dr.Int("steps", 1, 200), Paths: 2, Seed: 1}, nil
}

// largest returns the largest h with rho(h) <= 1 for an increasing rho
// with rho(0) = 0, to bisection precision from below.
func largest(rho func(float64) float64) float64 {
	lo, hi := 0.0, 1.0
	for rho(hi) <= 1 {
		lo, hi = hi, 2*hi
	}
	for range 200 {
		m := (lo + hi) / 2
		if m == lo || m == hi {
			break
		}
		if rho(m) <= 1 {
			lo = m
		} else {
			hi = m
		}
	}
	return lo
}

// Tightened returns b with its bound divided by factor (every step's
// weight multiplied by it): a mutation the checks must flag (power).
func Tightened(b RuleBound, factor float64) RuleBound { return tightened{b, factor} }

type tightened struct {
	RuleBound
	factor float64
}

func (t tightened) Info() RuleInfo {
	i := t.RuleBound.Info()
	i.Name += fmt.Sprintf(" (mutation: bound / %v)", t.factor)
	return i
}

func (t tightened) Weight(m model.Method, c model.Certificate, h float64) float64 {
	return t.factor * t.RuleBound.Weight(m, c, h)
}

// RuleSearch summarises a random search for counterexamples to a bound.
type RuleSearch struct {
	Bound    string `json:"bound"`
	Runs     int    `json:"runs"`
	Seed     uint64 `json:"seed"`
	Holds    int    `json:"holds"`
	Violated int    `json:"violated"`
	Vacuous  int    `json:"vacuous"`
	// MaxRatio is the largest min M / bound over the runs, with its
	// configuration (JSON).
	MaxRatio       float64 `json:"max_ratio"`
	MaxRatioConfig string  `json:"max_ratio_config"`
	// FirstViolation is the first VIOLATED report, if any.
	FirstViolation *RuleReport `json:"first_violation,omitempty"`
	// Mutant: the same search on the bound divided by MutantFactor, and
	// how many runs flagged it VIOLATED (the check's power).
	MutantFactor   float64 `json:"mutant_factor"`
	MutantViolated int     `json:"mutant_violated"`
}

// SearchRule checks bound b on runs configurations drawn by
// DrawRuleConfig from a generator seeded with seed, and the same
// configurations on Tightened(b, 4). Deterministic for a seed.
func SearchRule(b RuleBound, runs int, seed uint64) (RuleSearch, error) {
	s := RuleSearch{Bound: b.Info().ID, Runs: runs, Seed: seed, MutantFactor: 4}
	dr := gen.RandDrawer{R: rand.New(rand.NewPCG(seed, 0x5eed))}
	mut := Tightened(b, s.MutantFactor)
	for range runs {
		cfg, err := DrawRuleConfig(b, dr)
		if err != nil {
			return s, err
		}
		r, err := CheckRule(b, cfg)
		if err != nil {
			return s, err
		}
		switch r.Outcome {
		case Holds:
			s.Holds++
		case Violated:
			s.Violated++
			if s.FirstViolation == nil {
				s.FirstViolation = &r
			}
		default:
			s.Vacuous++
		}
		if r.Outcome != NoClaim && r.WorstRatio > s.MaxRatio {
			s.MaxRatio = r.WorstRatio
			j, _ := json.Marshal(cfg)
			s.MaxRatioConfig = string(j)
		}
		m, err := CheckRule(mut, cfg)
		if err != nil {
			return s, err
		}
		if m.Outcome == Violated {
			s.MutantViolated++
		}
	}
	return s, nil
}
