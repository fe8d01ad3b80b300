package theorems

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/internal/format"
	"github.com/sdeverify/sdeverify/model"
)

// L0L1GDBound is the suite's own bound for the (L0,L1)-GD step with exact
// gradients (docs/literature.md section 4, docs/math.md section 11; grade:
// ours; Gorbunov et al.'s theorem was not retrieved). The method's step
// x_{k+1} = x_k - h_k g_k/(l0 + l1 ||g_k||) uses its own constants (l0, l1);
// when they dominate the objective's certificate (L0, L1), f is
// (l0,l1)-smooth too, and for h_k in (0, 1]:
//
//	min_{k<K} G_k^2/(l0 + l1 G_k) <= F0 / sum_{k<K} (1 + 2 h_k - e^(h_k)),
//
// at h_k = 1 literature.md's F0/((3 - e) K). Proof: with a = l1 G/(l0 + l1 G)
// the step has length h a/l1, and (A) gives a decrease of at least
// (l0 + l1 G)/l1^2 (h a^2 - phi(h a)) >= (h - phi(h)) G^2/(l0 + l1 G),
// because phi(t)/t^2 is increasing; h - phi(h) = 1 + 2h - e^h. For l1 = 0
// (then L1 = 0) the decrease is (h - L0 h^2/(2 l0)) G^2/l0, no smaller.
type L0L1GDBound struct{}

// Info implements RuleBound.
func (L0L1GDBound) Info() RuleInfo {
	return RuleInfo{ID: "l0l1-gd", Name: "(L0,L1)-GD step: descent bound", Method: "l0l1-gd", Grade: GradeOurs,
		Statement:  "min_{k<K} G_k^2/(l0 + l1 G_k) <= F0 / sum_{k<K} (1 + 2 h_k - e^(h_k)) (= F0/((3 - e) K) at h_k = 1), G_k = ||grad f(x_k)||",
		Hypotheses: "exact gradients (zero noise); f bounded below, F0 = f(x_0) - inf f; the method's (l0, l1) dominate the objective's certificate (L0, L1); 0 < h_k = eta eta_k <= 1 at every step",
		Ref:        "docs/literature.md section 4 (ours); docs/math.md section 11"}
}

// Static implements RuleBound: (l0, l1) dominate the certificate.
func (L0L1GDBound) Static(m model.Method, k model.Certificate) []Hypothesis {
	l0, l1 := m.(stepConstanter).StepConstants()
	if l0 >= k.L0 && l1 >= k.L1 {
		return []Hypothesis{held("step constants", "(l0, l1) = (%s, %s) dominate the certificate (%s, %s)", format.Num(l0), format.Num(l1), format.Num(k.L0), format.Num(k.L1))}
	}
	return []Hypothesis{failed("step constants", "(l0, l1) = (%s, %s) do not dominate the certificate (L0, L1) = (%s, %s): f need not be (l0,l1)-smooth",
		format.Num(l0), format.Num(l1), format.Num(k.L0), format.Num(k.L1))}
}

// StepOK implements RuleBound: 0 < h <= 1 (relative allowance 1e-12).
func (L0L1GDBound) StepOK(_ model.Method, _ model.Certificate, h float64) (bool, string) {
	if h > 0 && h <= 1+1e-12 {
		return true, ""
	}
	return false, fmt.Sprintf("h = %s is not in (0, 1]", format.Num(h))
}

// Measure implements RuleBound: G^2/(l0 + l1 G).
func (L0L1GDBound) Measure(m model.Method, g float64) float64 {
	l0, l1 := m.(stepConstanter).StepConstants()
	return g * g / (l0 + l1*g)
}

// Weight implements RuleBound: 1 + 2h - e^h = h - phi(h).
func (L0L1GDBound) Weight(_ model.Method, _ model.Certificate, h float64) float64 {
	h = math.Min(h, 1)
	return 1 + 2*h - math.Exp(h)
}

// stepConstanter is the capability the (L0,L1)-GD bounds ask of their
// method (update.L0L1GD): the step's constants (l0, l1).
type stepConstanter interface{ StepConstants() (l0, l1 float64) }
