package theorems

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/internal/format"
	"github.com/sdeverify/sdeverify/model"
)

// VankovGD is Vankov, Rodomanov, Nedich, Sankar and Stich's (2024,
// arXiv 2410.10800) progress inequality for the simplified step
// eta_si = 1/(L0 + (3/2) L1 ||g||), summed into a nonconvex bound; grade:
// secondary (restated by course notes, docs/literature.md section 5: the
// paper's theorem number and text were not retrieved; the progress
// inequality was checked numerically by the suite). With exact gradients
// and f (L0,L1)-smooth:
//
//	f(x_k) - f(x_{k+1}) >= G_k^2/(2 L0 + 3 L1 G_k),  hence
//	min_{k<K} G_k^2/(2 L0 + 3 L1 G_k) <= F0 / K.
//
// The suite's l0l1-gd with h_k = 1 and (l0, l1) = (L0', (3/2) L1') takes
// exactly this step for the pair (L0', L1') = (l0, 2 l1/3); the bound
// applies when that pair dominates the certificate, and reads
// min_k G_k^2/(2 l0 + 2 l1 G_k) <= F0/K.
type VankovGD struct{}

// Info implements RuleBound.
func (VankovGD) Info() RuleInfo {
	return RuleInfo{ID: "vankov-si", Name: "Vankov et al. 2024, simplified step: progress summed (secondary)", Method: "l0l1-gd", Grade: GradeSecondary,
		Statement:  "min_{k<K} G_k^2/(2 L0' + 3 L1' G_k) <= F0 / K for the step 1/(L0' + (3/2) L1' G_k), (L0', L1') = (l0, 2 l1/3)",
		Hypotheses: "exact gradients (zero noise); f bounded below, F0 = f(x_0) - inf f; (l0, 2 l1/3) dominates the objective's certificate (L0, L1); h_k = eta eta_k = 1 at every step",
		Ref:        "docs/literature.md section 5 (secondary restatement, progress checked numerically by the suite); docs/math.md section 11"}
}

// Static implements RuleBound: (l0, 2 l1/3) dominates the certificate.
func (VankovGD) Static(m model.Method, k model.Certificate) []Hypothesis {
	l0, stepL1 := m.(stepConstanter).StepConstants()
	l1 := stepL1 / 1.5
	if l0 >= k.L0 && l1 >= k.L1 {
		return []Hypothesis{held("step constants", "(L0', L1') = (l0, 2 l1/3) = (%s, %s) dominates the certificate (%s, %s)", format.Num(l0), format.Num(l1), format.Num(k.L0), format.Num(k.L1))}
	}
	return []Hypothesis{failed("step constants", "(L0', L1') = (l0, 2 l1/3) = (%s, %s) does not dominate the certificate (L0, L1) = (%s, %s)",
		format.Num(l0), format.Num(l1), format.Num(k.L0), format.Num(k.L1))}
}

// StepOK implements RuleBound: h = 1 (relative allowance 1e-12).
func (VankovGD) StepOK(_ model.Method, _ model.Certificate, h float64) (bool, string) {
	if math.Abs(h-1) <= 1e-12 {
		return true, ""
	}
	return false, fmt.Sprintf("h = %s: the step eta_si is the method's with h = 1", format.Num(h))
}

// Measure implements RuleBound: G^2/(2 l0 + 2 l1 G) = G^2/(2 L0' + 3 L1' G).
func (VankovGD) Measure(m model.Method, g float64) float64 {
	l0, l1 := m.(stepConstanter).StepConstants()
	return g * g / (2*l0 + 2*l1*g)
}

// Weight implements RuleBound: 1 per step.
func (VankovGD) Weight(model.Method, model.Certificate, float64) float64 { return 1 }
