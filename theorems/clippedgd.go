package theorems

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/internal/format"
	"github.com/sdeverify/sdeverify/model"
)

// ClippedGD is the suite's own bound for clipped gradient descent with
// exact gradients (docs/literature.md section 2, docs/math.md section 11;
// grade: ours). For x_{k+1} = x_k - h_k min(1, c/||g_k||) g_k, f
// (L0,L1)-smooth with the certificate (L0, L1) and bounded below:
//
//	if h_k (L0 + L1 c) e^(L1 h_k c) <= 1 for every k, then for every K >= 1
//	min_{k<K} min(||grad f(x_k)||^2, c ||grad f(x_k)||) <= 2 F0 / sum_{k<K} h_k.
//
// Proof: the upper model (A) of docs/literature.md with phi(t) <= t^2 e^t/2
// gives a decrease of f of at least (h_k/2) min(G_k^2, c G_k) per step;
// sum over k. With a constant step eta this is literature.md's
// 2 F0/(eta K).
type ClippedGD struct{}

// Info implements RuleBound.
func (ClippedGD) Info() RuleInfo {
	return RuleInfo{ID: "clipped-gd", Name: "Clipped GD: descent bound", Method: "clipped-sgd", Grade: GradeOurs,
		Statement:  "min_{k<K} min(G_k^2, c G_k) <= 2 F0 / sum_{k<K} h_k, G_k = ||grad f(x_k)||, h_k = eta eta_k",
		Hypotheses: "exact gradients (zero noise); f bounded below, F0 = f(x_0) - inf f; f (L0,L1)-smooth with the objective's certificate; h_k (L0 + L1 c) e^(L1 h_k c) <= 1 at every step",
		Ref:        "docs/literature.md section 2 (ours); docs/math.md section 11"}
}

// Static implements RuleBound: the clip c > 0 (the kind refuses any other).
func (ClippedGD) Static(m model.Method, _ model.Certificate) []Hypothesis {
	c := m.(clipRadiuser).ClipRadius()
	if !(c > 0) {
		return []Hypothesis{failed("clip", "c = %v must be > 0", c)}
	}
	return []Hypothesis{held("clip", "c = %s", format.Num(c))}
}

// StepOK implements RuleBound: rho = h (L0 + L1 c) e^(L1 h c) <= 1, with a
// relative rounding allowance of 1e-12.
func (ClippedGD) StepOK(m model.Method, k model.Certificate, h float64) (bool, string) {
	c := m.(clipRadiuser).ClipRadius()
	rho := h * (k.L0 + k.L1*c) * math.Exp(k.L1*h*c)
	if h > 0 && rho <= 1+1e-12 {
		return true, ""
	}
	return false, fmt.Sprintf("h (L0 + L1 c) e^(L1 h c) = %s > 1 (L0 = %s, L1 = %s, c = %s)", format.Num(rho), format.Num(k.L0), format.Num(k.L1), format.Num(c))
}

// Measure implements RuleBound: min(G^2, c G).
func (ClippedGD) Measure(m model.Method, g float64) float64 {
	return math.Min(g*g, m.(clipRadiuser).ClipRadius()*g)
}

// Weight implements RuleBound: h/2.
func (ClippedGD) Weight(_ model.Method, _ model.Certificate, h float64) float64 { return h / 2 }

// clipRadiuser is the capability the clipped-GD bound asks of its method
// (update.ClippedSGD): the clipping radius.
type clipRadiuser interface{ ClipRadius() float64 }
