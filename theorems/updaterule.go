package theorems

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/internal/format"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
)

// The bounds of the update rules beyond the paper (clipped, normalised and
// (L0,L1)-step gradient descent; docs/literature.md sections 2, 4, 5, 7,
// docs/math.md section 11) are deterministic: exact gradients, one path,
// no Monte Carlo. Every one of them has the form
//
//	min_{k<K} M(||grad f(x_k)||)  <=  (f(x_0) - inf f) / sum_{k<K} w(h_k)
//
// for every K >= 1, with h_k = eta eta_k the step taken at step k, a
// progress measure M and a step weight w of the bound's own, under
// hypotheses on the method's parameters, the objective's certificate
// (L0, L1) and every step h_k. A RuleBound states M, w and the
// hypotheses; CheckRule runs the method's own discrete step (the
// registered kind's Step, with zero noise) and decides.

// Grades of a bound's source (docs/literature.md, "How to read this file").
const (
	GradeOurs      = "ours"      // derived for the suite, proof in docs/literature.md
	GradeSecondary = "secondary" // restated by another document, not checked against the paper
	GradePrimary   = "primary"   // quoted from the paper itself
)

// RuleOutcome is a deterministic bound's verdict.
type RuleOutcome string

const (
	Holds    RuleOutcome = "HOLDS"    // the bound held at every K, within the rounding allowance
	Violated RuleOutcome = "VIOLATED" // the bound failed at some K by more than the rounding allowance
	NoClaim  RuleOutcome = "VACUOUS"  // a hypothesis failed: the bound says nothing
)

// RuleInfo describes a bound for readers.
type RuleInfo struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Method    string `json:"method"` // the registered method it bounds
	Grade     string `json:"grade"`  // GradeOurs, GradeSecondary or GradePrimary
	Statement string `json:"statement"`
	// Hypotheses lists the hypotheses in words, in the order Check tests them.
	Hypotheses string `json:"hypotheses"`
	Ref        string `json:"ref"` // where the statement and its proof are
}

// RuleBound is a deterministic bound of the form above.
type RuleBound interface {
	Info() RuleInfo
	// Static checks the hypotheses on the method's parameters and the
	// certificate (the shared ones, exact gradients and f bounded below,
	// CheckRule tests itself).
	Static(m model.Method, c model.Certificate) []Hypothesis
	// StepOK reports whether a step h = eta eta_k satisfies the bound's
	// step condition, and the condition's value in words when it does not.
	StepOK(m model.Method, c model.Certificate, h float64) (bool, string)
	// Measure is M(G) at gradient norm G.
	Measure(m model.Method, g float64) float64
	// Weight is w(h), the weight of a step h in the bound's denominator.
	Weight(m model.Method, c model.Certificate, h float64) float64
}

// RuleBounds returns the registered bounds of the update rules.
func RuleBounds() []RuleBound {
	return []RuleBound{ClippedGD{}, NormalizedGD{}, L0L1GDBound{}, VankovGD{}}
}

// RuleBoundByID returns the registered bound with the given ID.
func RuleBoundByID(id string) (RuleBound, error) {
	var ids []string
	for _, b := range RuleBounds() {
		if b.Info().ID == id {
			return b, nil
		}
		ids = append(ids, b.Info().ID)
	}
	return nil, model.Invalid("bound", fmt.Sprintf("%q", id), fmt.Sprintf("must be one of %v", ids))
}

// RuleReport is the result of checking a bound on one configuration.
type RuleReport struct {
	Bound      string       `json:"bound"` // RuleInfo.ID
	Config     mc.Config    `json:"config"`
	Hypotheses []Hypothesis `json:"hypotheses"`
	Outcome    RuleOutcome  `json:"outcome"`
	Reason     string       `json:"reason,omitempty"`
	// Steps is the horizon checked (every K = 1..Steps); F0 = f(x_0) - inf f.
	Steps int     `json:"steps"`
	F0    float64 `json:"f0"`
	// The K of the largest ratio min M / (bound + allowance), with its
	// numbers and the rounding allowance (RuleAllowance): VIOLATED exactly
	// where the ratio exceeds 1. Once VIOLATED, the first such K.
	WorstK     int     `json:"worst_k"`
	WorstLHS   float64 `json:"worst_lhs"`
	WorstBound float64 `json:"worst_bound"`
	WorstRatio float64 `json:"worst_ratio"`
	Allowance  float64 `json:"allowance"`
	// FinalLHS and FinalBound are both sides at K = Steps.
	FinalLHS   float64 `json:"final_lhs"`
	FinalBound float64 `json:"final_bound"`
}

// String is the report in one line.
func (r RuleReport) String() string {
	if r.Outcome == NoClaim {
		return fmt.Sprintf("%s: VACUOUS: %s", r.Bound, r.Reason)
	}
	s := fmt.Sprintf("%s: %s, worst at K = %d: min M %s vs bound %s (ratio %s, rounding allowance %s); at K = %d: %s vs %s",
		r.Bound, r.Outcome, r.WorstK, format.Num(r.WorstLHS), format.Num(r.WorstBound), format.Sig(r.WorstRatio, 4),
		format.Num2(r.Allowance), r.Steps, format.Num(r.FinalLHS), format.Num(r.FinalBound))
	if r.Reason != "" {
		s += ": " + r.Reason
	}
	return s
}

// RuleRelTol and RuleRoundingUlps set the rounding allowance of a
// deterministic verdict (RuleAllowance).
const (
	RuleRelTol       = 1e-9
	RuleRoundingUlps = 64
)

// RuleAllowance is the rounding allowance on the bound F0/W_K at horizon
// K: the bound is exact for exact iterates and exact values of f, and
//
//   - the computed iterates differ from exact ones by rounding, which the
//     descent argument turns into an error of f of about
//     ||x|| ||grad f|| + |f| units of rounding per step;
//   - F0 = f(x_0) - inf f is a difference of computed values, each with an
//     absolute error of a few units of rounding of max(1, |f|) (the
//     atoms compute in units of order 1: log cosh x near 0 is the log of
//     a number near 1, absolute error eps, whatever |f|).
//
// So a verdict allows
//
//	(RuleRelTol F0 + RuleRoundingUlps eps (max(1, |f(x_0)|) + max(1, |inf f|) + S_K)) / W_K,
//
// S_K = sum_{k<K} (||x_{k+1}|| ||grad f(x_{k+1})|| + |f(x_{k+1})|), eps the
// float64 machine epsilon. The price: where F0 is below about 3e-14 (in
// f's units) the check cannot fail. Far below any violation of a
// constant elsewhere (a bound divided by 4 is flagged, theorems tests).
func RuleAllowance(f0, fx0, inf, sk, w float64) float64 {
	const eps = 0x1p-52
	return (RuleRelTol*math.Abs(f0) + RuleRoundingUlps*eps*(math.Max(1, math.Abs(fx0))+math.Max(1, math.Abs(inf))+sk)) / w
}

// CheckRule checks bound b on configuration cfg: the method's discrete
// step (its registered kind's Step) from cfg.X0 for cfg.Steps steps, with
// the agents' noise, which must be zero (exact gradients). The model,
// paths and checkpoints of cfg are not used. A configuration that does not
// build is an error naming the field; a failed hypothesis is VACUOUS.
func CheckRule(b RuleBound, cfg mc.Config) (RuleReport, error) {
	info := b.Info()
	if cfg.Model.Kind == "" {
		cfg.Model = model.ModelSpec{Kind: "discrete"}
	}
	if cfg.Paths == 0 {
		cfg.Paths = 2
	}
	run, err := cfg.Resolve()
	if err != nil {
		return RuleReport{}, err
	}
	sys := run.System
	cert := sys.F.Certificate()
	rep := RuleReport{Bound: info.ID, Config: cfg, Steps: run.Steps}
	hyp := func(h Hypothesis) { rep.Hypotheses = append(rep.Hypotheses, h) }
	if name := sys.Method.String(); name != info.Method {
		hyp(failed("method", "the bound is on %s; the configuration's method is %s", info.Method, name))
	} else {
		hyp(held("method", "%s", name))
	}
	exact := true
	for i, a := range sys.Agents {
		s0, s1, ok := agentVariance(a.Noise)
		if !ok || s0 != 0 || s1 != 0 {
			hyp(failed("exact gradients", "agent %d's noise %s is not zero: the bound is for exact gradients", i, noiseText(a.Noise)))
			exact = false
			break
		}
	}
	if exact {
		hyp(held("exact gradients", "every agent's noise is zero (%d agents)", len(sys.Agents)))
	}
	x := append([]float64(nil), run.X0...)
	fx0, inf := sys.F.Value(x), sys.F.Inf()
	rep.F0 = fx0 - inf
	if math.IsInf(inf, 0) || math.IsNaN(inf) || math.IsNaN(fx0) || math.IsInf(fx0, 0) {
		hyp(failed("f bounded below", "inf f = %v, f(x_0) = %v: F0 = f(x_0) - inf f is not finite", inf, fx0))
		rep.F0 = 0
	} else {
		hyp(held("f bounded below", "inf f = %s, f(x_0) = %s, F0 = %s", format.Num(inf), format.Num(fx0), format.Num(rep.F0)))
	}
	if m := sys.Method; m.String() == info.Method {
		for _, h := range b.Static(m, cert) {
			hyp(h)
		}
	}
	if r := firstFailed(rep.Hypotheses); r != "" {
		rep.Outcome, rep.Reason = NoClaim, r
		return rep, nil
	}

	d := len(x)
	grad := make([]float64, d)
	ws, rnd := model.NewWorkspace(d), model.NewRand(cfg.Seed)
	minM, w, sk := math.Inf(1), 0.0, 0.0
	hMin, hMax := math.Inf(1), 0.0
	rep.Outcome = Holds
	for k := range run.Steps {
		sys.F.Grad(grad, x)
		gn2 := dot(grad, grad)
		g := math.Sqrt(gn2)
		h := run.Eta * run.Schedule.Rate(model.StepInfo{K: k, T: float64(k) * run.Eta, Ensemble: g, Path: g})
		if ok, why := b.StepOK(sys.Method, cert, h); !ok {
			hyp(failed("step condition", "step %d: h = eta eta_k = %s: %s", k, format.Num(h), why))
			rep.Outcome, rep.Reason = NoClaim, rep.Hypotheses[len(rep.Hypotheses)-1].Name+": "+rep.Hypotheses[len(rep.Hypotheses)-1].Detail
			return rep, nil
		}
		hMin, hMax = math.Min(hMin, h), math.Max(hMax, h)
		minM = math.Min(minM, b.Measure(sys.Method, g))
		w += b.Weight(sys.Method, cert, h)
		sys.Method.Step(sys, x, grad, gn2, h, ws, rnd)
		fx := sys.F.Value(x)
		sys.F.Grad(grad, x)
		sk += math.Sqrt(dot(x, x)*dot(grad, grad)) + math.Abs(fx)
		if math.IsNaN(fx) || math.IsInf(sk, 0) {
			// A bound of this form implies descent: a path that leaves the
			// floats has violated it unless min M already fits.
			rep.Reason = fmt.Sprintf("the path left the floats at step %d (f = %v)", k+1, fx)
			sk = math.MaxFloat64
		}
		bound := rep.F0 / w
		allow := RuleAllowance(rep.F0, fx0, inf, sk, w)
		ratio := minM / (bound + allow) // allow > 0: finite
		if rep.Outcome == Holds && (ratio > rep.WorstRatio || k == 0) {
			rep.WorstK, rep.WorstLHS, rep.WorstBound, rep.WorstRatio, rep.Allowance = k+1, minM, bound, ratio, allow
		}
		if ratio > 1 && rep.Outcome == Holds {
			rep.Outcome = Violated // the worst fields hold this first K
		}
		rep.FinalLHS, rep.FinalBound = minM, bound
		if math.IsNaN(fx) || math.IsInf(fx, 0) {
			rep.Steps = k + 1
			break
		}
	}
	hyp(held("step condition", "every step: h in [%s, %s]", format.Num(hMin), format.Num(hMax)))
	if rep.Outcome == Violated {
		rep.Reason = fmt.Sprintf("at K = %d: min_{k<K} M = %s exceeds the bound %s by %s, the rounding allowance is %s", rep.WorstK,
			format.Num(rep.WorstLHS), format.Num(rep.WorstBound), format.Num2(rep.WorstLHS-rep.WorstBound), format.Num2(rep.Allowance))
	}
	return rep, nil
}

func firstFailed(hs []Hypothesis) string {
	for _, h := range hs {
		if !h.Held && !h.Limit {
			return h.Name + ": " + h.Detail
		}
	}
	return ""
}

func dot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}
