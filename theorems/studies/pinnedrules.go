package studies

import (
	"encoding/json"
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/theorems"
)

// RuleCase is a pinned check of an update rule's deterministic bound
// (theorems.RuleBound): a configuration as a typed value, the verdict
// expected and why (from the bound's hypotheses and, for the tight cases,
// a hand computation; never from running the code).
type RuleCase struct {
	Name   string
	Bound  string // theorems.RuleInfo.ID
	Config mc.Config
	Want   theorems.RuleOutcome
	Why    string
}

// RuleResult is a pinned rule case's recorded outcome.
type RuleResult struct {
	Case     string               `json:"case"`
	Bound    string               `json:"bound"`
	Want     theorems.RuleOutcome `json:"want"`
	Got      theorems.RuleOutcome `json:"got"`
	Why      string               `json:"why"`
	AsWanted bool                 `json:"as_wanted"`
	Report   theorems.RuleReport  `json:"report"`
}

// Run checks the case and compares its verdict with the one wanted.
func (c RuleCase) Run() (RuleResult, error) {
	b, err := theorems.RuleBoundByID(c.Bound)
	if err != nil {
		return RuleResult{}, err
	}
	rep, err := theorems.CheckRule(b, c.Config)
	if err != nil {
		return RuleResult{}, err
	}
	return RuleResult{Case: c.Name, Bound: c.Bound, Want: c.Want, Got: rep.Outcome, Why: c.Why, AsWanted: rep.Outcome == c.Want, Report: rep}, nil
}

// RunPinnedRules runs every pinned rule case (each a single deterministic
// path: milliseconds).
func RunPinnedRules() ([]RuleResult, error) {
	var out []RuleResult
	for _, c := range PinnedRules() {
		r, err := c.Run()
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// ruleConfig is a deterministic configuration: objective, start, method
// and its parameters, eta, steps; one agent with zero Gaussian noise
// (exact gradients) unless noise is given.
func ruleConfig(obj objective.Spec, x0 []float64, method string, params any, eta float64, steps int, noise *model.NoiseSpec, agents int) mc.Config {
	p, err := json.Marshal(params)
	if err != nil {
		panic(err) // a literal of this file
	}
	nz := model.NoiseSpec{Kind: "gaussian"}
	if noise != nil {
		nz = *noise
	}
	return mc.Config{Objective: obj, X0: x0, Agents: []model.AgentSpec{{Noise: nz, Count: agents}}, Method: method, MethodParams: p,
		Model: model.ModelSpec{Kind: "discrete"}, Eta: eta, Schedule: model.ScheduleSpec{Kind: "constant"}, Steps: steps, Paths: 2, Seed: 1}
}

func atomObjective(kind string, d int, l0 float64) objective.Spec {
	return objective.Spec{Kind: "separable", Dim: d, Atom: &model.AtomSpec{Kind: kind, L0: l0}}
}

// clipEtaQuartic is the largest eta with eta (L0 + L1 c) e^(L1 eta c) = 1
// for the quartic's certificate (3, 2/sqrt 3) and c = 1, less 1e-9
// (bisection, a setting of the pinned case, not an expected value).
func clipEtaQuartic() float64 {
	l0, l1, c := 3.0, 2/math.Sqrt(3), 1.0
	lo, hi := 0.0, 1.0
	for range 200 {
		m := (lo + hi) / 2
		if m*(l0+l1*c)*math.Exp(l1*m*c) <= 1 {
			lo = m
		} else {
			hi = m
		}
	}
	return lo * (1 - 1e-9)
}

// PinnedRules returns the pinned rule cases.
func PinnedRules() []RuleCase {
	sq := atomObjective("square", 1, 0)
	quartic4 := atomObjective("quartic", 4, 0) // certificate (3, 2/sqrt 3)
	cosh3 := atomObjective("cosh", 3, 0)       // certificate (1, 1)
	logcosh5 := atomObjective("logcosh", 5, 0) // certificate (1, 0)
	unit := &model.NoiseSpec{Kind: "gaussian", Sigma0: 1}
	type clip struct {
		Clip float64 `json:"clip"`
	}
	type beta struct {
		Beta float64 `json:"beta"`
	}
	type l0l1 struct {
		L0 float64 `json:"l0"`
		L1 float64 `json:"l1"`
	}
	return []RuleCase{
		{"clipped-square-tight", "clipped-gd", ruleConfig(sq, []float64{1}, "clipped-sgd", clip{10}, 1, 5, nil, 1), theorems.Holds,
			"x^2/2 (L0 = 1, L1 = 0), c = 10 never clips, eta = 1: rho = 1, x_1 = 0, so at K = 1 min M = G_0^2 = 1 = 2 F0/eta: the bound holds with equality (ratio 1 up to rounding)"},
		{"clipped-quartic-d4-edge", "clipped-gd", ruleConfig(quartic4, []float64{2}, "clipped-sgd", clip{1}, clipEtaQuartic(), 400, nil, 3), theorems.Holds,
			"x^4/4 in d = 4 from x_0 = 2 (G_0 = 16, clipped), three agents, eta at the edge of rho <= 1: the hypotheses hold, so the bound must"},
		{"clipped-quartic-eta-large", "clipped-gd", ruleConfig(quartic4, []float64{2}, "clipped-sgd", clip{1}, 0.5, 50, nil, 1), theorems.NoClaim,
			"eta = 0.5: rho = 0.5 (3 + 2/sqrt 3) e^(1/sqrt 3) > 1, the step condition fails"},
		{"clipped-noisy", "clipped-gd", ruleConfig(cosh3, []float64{1}, "clipped-sgd", clip{1}, 0.1, 50, unit, 1), theorems.NoClaim,
			"Gaussian noise sigma0 = 1: not exact gradients"},
		{"normalized-square-tight", "normalized-gd", ruleConfig(sq, []float64{0.01}, "normalized-sgd", beta{10}, 10, 5, nil, 1), theorems.Holds,
			"x^2/2, beta = 10, eta = 10 = beta/L0 (the condition's edge), G_0 = 0.01 << beta: x_1 = x_0 G_0/(G_0 + beta), and at K = 1 the ratio is beta/(G_0 + beta) = 0.999"},
		{"normalized-cosh-d3", "normalized-gd", ruleConfig(cosh3, []float64{2}, "normalized-sgd", beta{1}, 0.5, 200, nil, 2), theorems.Holds,
			"cosh in d = 3 (certificate (1, 1)), beta = 1, eta = 0.5: 0.5 e^0.5 max(1, 1) = 0.82 <= 1"},
		{"normalized-beta0", "normalized-gd", ruleConfig(cosh3, []float64{2}, "normalized-sgd", beta{0}, 0.1, 20, nil, 1), theorems.NoClaim,
			"beta = 0: the bound is for beta > 0"},
		{"l0l1-square-unit", "l0l1-gd", ruleConfig(sq, []float64{1}, "l0l1-gd", l0l1{1, 0}, 1, 5, nil, 1), theorems.Holds,
			"x^2/2, (l0, l1) = (1, 0), h = 1: x_1 = 0, at K = 1 min M = G_0^2 = 1 against F0/(3 - e) = 1.7749: ratio 0.5634"},
		{"l0l1-quartic-d4", "l0l1-gd", ruleConfig(quartic4, []float64{3}, "l0l1-gd", l0l1{3, 1.2}, 1, 300, nil, 1), theorems.Holds,
			"x^4/4 in d = 4, (l0, l1) = (3, 1.2) dominates (3, 2/sqrt 3 = 1.1547), h = 1"},
		{"l0l1-cosh-schedule", "l0l1-gd", ruleConfig(cosh3, []float64{-3}, "l0l1-gd", l0l1{1, 1}, 0.7, 300, nil, 2), theorems.Holds,
			"cosh in d = 3, (l0, l1) = (1, 1) = the certificate, h = 0.7"},
		{"l0l1-undominated", "l0l1-gd", ruleConfig(quartic4, []float64{3}, "l0l1-gd", l0l1{1, 1.2}, 1, 50, nil, 1), theorems.NoClaim,
			"l0 = 1 < L0 = 3: the step's constants do not dominate the certificate"},
		{"vankov-square-tight", "vankov-si", ruleConfig(sq, []float64{1}, "l0l1-gd", l0l1{1, 0}, 1, 5, nil, 1), theorems.Holds,
			"x^2/2, (L0', L1') = (1, 0), h = 1: x_1 = 0, at K = 1 min M = G_0^2/2 = 1/2 = F0: equality (ratio 1 up to rounding)"},
		{"vankov-cosh-d3", "vankov-si", ruleConfig(cosh3, []float64{2.5}, "l0l1-gd", l0l1{1, 1.5}, 1, 300, nil, 1), theorems.Holds,
			"cosh in d = 3, (l0, l1) = (1, 1.5): (L0', L1') = (1, 1) = the certificate, h = 1"},
		{"vankov-eta-half", "vankov-si", ruleConfig(logcosh5, []float64{1}, "l0l1-gd", l0l1{1, 0}, 0.5, 20, nil, 1), theorems.NoClaim,
			"h = 0.5: the bound is for the step eta_si itself, h = 1"},
	}
}
