package theorems

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/internal/format"
	"github.com/sdeverify/sdeverify/model"
)

// NormalizedGD is the suite's own bound for normalised gradient descent
// with beta > 0 and exact gradients (docs/literature.md section 7,
// docs/math.md section 11; grade: ours; no published theorem was found
// for this update with beta > 0). For x_{k+1} = x_k - h_k g_k/(||g_k|| + beta),
// f (L0,L1)-smooth with the certificate (L0, L1) and bounded below:
//
//	if h_k e^(L1 h_k) max(L0/beta, L1) <= 1 for every k, then for every K >= 1
//	min_{k<K} G_k^2/(G_k + beta) <= 2 F0 / sum_{k<K} h_k,
//
// equivalently min_k G_k <= (u + sqrt(u^2 + 4 beta u))/2 with
// u = 2 F0/sum h_k. Proof: the step has length h G/(G + beta) <= h; by (A)
// and phi(t) <= t^2 e^t/2 the second-order term is at most
// e^(L1 h) h^2 G^2 (L0 + L1 G)/(2 (G + beta)^2), and
// (L0 + L1 G)/(G + beta) <= max(L0/beta, L1).
type NormalizedGD struct{}

// Info implements RuleBound.
func (NormalizedGD) Info() RuleInfo {
	return RuleInfo{ID: "normalized-gd", Name: "Normalised GD (beta > 0): descent bound", Method: "normalized-sgd", Grade: GradeOurs,
		Statement:  "min_{k<K} G_k^2/(G_k + beta) <= 2 F0 / sum_{k<K} h_k, G_k = ||grad f(x_k)||, h_k = eta eta_k",
		Hypotheses: "exact gradients (zero noise); f bounded below, F0 = f(x_0) - inf f; f (L0,L1)-smooth with the objective's certificate; beta > 0; h_k e^(L1 h_k) max(L0/beta, L1) <= 1 at every step",
		Ref:        "docs/literature.md section 7 (ours); docs/math.md section 11"}
}

// Static implements RuleBound: beta > 0.
func (NormalizedGD) Static(m model.Method, _ model.Certificate) []Hypothesis {
	b := m.(normBetaer).NormBeta()
	if !(b > 0) {
		return []Hypothesis{failed("beta > 0", "beta = %v: the bound is for beta > 0 (beta = 0 is g/||g||, whose step does not shrink with the gradient)", b)}
	}
	return []Hypothesis{held("beta > 0", "beta = %s", format.Num(b))}
}

// StepOK implements RuleBound: h e^(L1 h) max(L0/beta, L1) <= 1, with a
// relative rounding allowance of 1e-12.
func (NormalizedGD) StepOK(m model.Method, k model.Certificate, h float64) (bool, string) {
	b := m.(normBetaer).NormBeta()
	v := h * math.Exp(k.L1*h) * math.Max(k.L0/b, k.L1)
	if h > 0 && v <= 1+1e-12 {
		return true, ""
	}
	return false, fmt.Sprintf("h e^(L1 h) max(L0/beta, L1) = %s > 1 (L0 = %s, L1 = %s, beta = %s)", format.Num(v), format.Num(k.L0), format.Num(k.L1), format.Num(b))
}

// Measure implements RuleBound: G^2/(G + beta).
func (NormalizedGD) Measure(m model.Method, g float64) float64 {
	return g * g / (g + m.(normBetaer).NormBeta())
}

// Weight implements RuleBound: h/2.
func (NormalizedGD) Weight(_ model.Method, _ model.Certificate, h float64) float64 { return h / 2 }

// normBetaer is the capability the normalised-GD bound asks of its method
// (update.NormalizedSGD): beta.
type normBetaer interface{ NormBeta() float64 }
