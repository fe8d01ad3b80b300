package weak

import (
	"math"

	"github.com/sdeverify/sdeverify/model/mc"
)

// ExactCheck compares one weak error of a Monte Carlo study with the exact
// engine's at the same eta: a test function's err(eta), or its
// gradient-flow baseline's.
type ExactCheck struct {
	Eta          float64 `json:"eta"`
	Test         string  `json:"test"`
	GradientFlow bool    `json:"gradient_flow"`
	// The Monte Carlo estimate with its standard error and the reference's
	// bias allowance (Err.Bias).
	Err  float64 `json:"err"`
	SE   float64 `json:"se"`
	Bias float64 `json:"bias"`
	// The exact engine's value and its numerical error estimate.
	Exact    float64 `json:"exact"`
	ExactErr float64 `json:"exact_err"`
	// Agree: |Err - Exact| <= Z SE + Bias + ExactErr, Z = mc.ZCrit(Alpha).
	Z     float64 `json:"z"`
	Alpha float64 `json:"alpha"`
	Agree bool    `json:"agree"`
}

// CheckExact compares r, a Monte Carlo study, with r.ExactRef at every eta
// both have, for every test function and its gradient-flow baseline, and
// records the comparisons in r.ExactChecks (none without ExactRef). Each
// comparison is a two-sided z test at level alpha/n over the n comparisons
// (Bonferroni): a correct estimator, whose bias allowances hold, fails one
// of them with probability at most alpha. Each weak error is a maximum over
// the steps, and |max_k |a_k| - max_k |b_k|| <= max_k |a_k - b_k|; the
// test takes the standard error and bias at the Monte Carlo maximising step
// and the numerical error at the exact engine's, which stand for those of
// the steps near them (they vary slowly with the step).
func (r *Result) CheckExact(alpha float64) {
	r.ExactChecks = nil
	x := r.ExactRef
	if x == nil {
		return
	}
	type pair struct {
		eta     float64
		mc, ex  Err
		gradODE bool
	}
	var pairs []pair
	for _, p := range r.Points {
		for _, q := range x.Points {
			if q.Eta != p.Eta {
				continue
			}
			for i := range min(len(p.Tests), len(q.Tests)) {
				pairs = append(pairs, pair{p.Eta, p.Tests[i], q.Tests[i], false})
			}
			for i := range min(len(p.ODE), len(q.ODE)) {
				pairs = append(pairs, pair{p.Eta, p.ODE[i], q.ODE[i], true})
			}
		}
	}
	if len(pairs) == 0 {
		return
	}
	a := alpha / float64(len(pairs))
	z := mc.ZCrit(a)
	for _, c := range pairs {
		e := ExactCheck{Eta: c.eta, Test: c.mc.Test, GradientFlow: c.gradODE, Err: c.mc.Err, SE: c.mc.SE, Bias: c.mc.Bias,
			Exact: c.ex.Err, ExactErr: c.ex.SE + c.ex.Bias, Z: z, Alpha: a}
		e.Agree = math.Abs(e.Err-e.Exact) <= z*e.SE+e.Bias+e.ExactErr
		r.ExactChecks = append(r.ExactChecks, e)
	}
}

// Disagreements returns the comparisons of CheckExact that disagree.
func (r *Result) Disagreements() []ExactCheck {
	var out []ExactCheck
	for _, c := range r.ExactChecks {
		if !c.Agree {
			out = append(out, c)
		}
	}
	return out
}
