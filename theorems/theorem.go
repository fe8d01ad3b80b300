package theorems

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"

	"github.com/sdeverify/sdeverify/model"
)

// Theorem is one of the paper's bounds in one reading.
type Theorem struct {
	ID     string       // thm4, thm5, thm6-printed, thm6-eta, thm7
	Name   string       // human name
	Ref    string       // the paper's equations
	Method model.Method // the method whose SDE it bounds
	// RobbinsMonro: the theorem assumes a Robbins-Monro schedule
	// (phi1 -> inf, phi2/phi1 -> 0), a hypothesis Check tests.
	RobbinsMonro bool
	// RobbinsMonroLimit: the appendix theorem behind it (Thms 8-10)
	// assumes a Robbins-Monro schedule, and uses it only for the limit
	// t -> inf of its bound (eq. 10's "-> 0"): Check records whether the
	// schedule is one, without making the finite-T verdicts VACUOUS.
	RobbinsMonroLimit bool
	// UsesEll: the theorem reads Inputs.Ell (Thm 7's ell_nu), which a
	// caller may then set.
	UsesEll bool
	// class checks the agents' noise and compressors and returns the
	// theorem's constants, or a failed hypothesis.
	class func(in Inputs) (Constants, Hypothesis)
}

// Inputs are what a theorem's constants depend on.
type Inputs struct {
	System model.System
	Cert   model.Certificate
	Eta    float64
	Eps    float64 // Thms 4-6
	Ell    float64 // Thm 7's ell_nu; 0: 2 Xi_nu(1)
}

// Constants are a theorem's admissibility and bound constants for one
// configuration (see the package comment for the forms).
type Constants struct {
	Num, A, B float64 // eta eta_t <= Num/(A + B G)
	Strict    bool    // "<" rather than "<="
	A1, A2, C float64 // the bound's form
	// What went into them, for the report.
	N, D                   int
	L0, L1, Eta, Eps       float64
	Sigma0Sq, Sigma1Sq     float64 // means over agents
	Omega                  float64 // mean omega
	Sigma0SqOm, Sigma1SqOm float64 // means of sigma^2 omega
	Nu, SigmaH, Ell        float64 // Thm 7
}

// Threshold returns the admissibility bound Num/(A + B g) on eta eta_t.
func (k Constants) Threshold(g float64) float64 {
	den := k.A + k.B*g
	if den == 0 {
		return math.Inf(1)
	}
	return k.Num / den
}

// Admissible reports whether a step eta*rate at gradient norm g satisfies
// the condition (with a relative rounding allowance of 1e-12).
func (k Constants) Admissible(rate, g float64) bool {
	t := k.Threshold(g)
	s := k.Eta * rate
	if k.Strict {
		return s < t || (math.IsInf(t, 1))
	}
	return s <= t*(1+1e-12)
}

// Hypothesis is one hypothesis of a theorem and whether it held.
type Hypothesis struct {
	Name   string `json:"name"`
	Held   bool   `json:"held"`
	Detail string `json:"detail"`
	// Limit: a hypothesis of the bound's limit t -> inf only; whether it
	// held does not decide the finite-T verdicts.
	Limit bool `json:"limit,omitempty"`
}

func held(name, format string, a ...any) Hypothesis {
	return Hypothesis{Name: name, Held: true, Detail: fmt.Sprintf(format, a...)}
}

func failed(name, format string, a ...any) Hypothesis {
	return Hypothesis{Name: name, Held: false, Detail: fmt.Sprintf(format, a...)}
}

// agentVariance returns an agent's (sigma0^2, sigma1^2) in the sense of
// paper Def. 2 (||Sigma_i(x)||_inf <= sigma0^2 + sigma1^2 ||grad f||^2),
// as its noise law states it (model.VarianceBounder); ok is false for a
// law outside the class (infinite variance, or no stated bound).
func agentVariance(n model.Noise) (s0, s1 float64, ok bool) {
	if v, isV := n.(model.VarianceBounder); isV {
		return v.VarianceBound()
	}
	return 0, 0, false
}

// noiseText names an agent's noise law as its configuration writes it,
// {"kind":"student-t","nu":1.5,"scale":[1]}: the registered kind whose
// parameters, decoded strictly from the law's own JSON, build a law of the
// same type; "(of no registered kind)" for a law no kind builds so.
func noiseText(n model.Noise) string {
	params, err := json.Marshal(n)
	if err == nil {
		for _, k := range model.Kinds("noise") {
			spec := model.NoiseSpec{Kind: k.Name, Params: params}
			v, err := spec.Build()
			if err != nil || reflect.TypeOf(v) != reflect.TypeOf(n) {
				continue
			}
			if b, err := json.Marshal(spec); err == nil {
				return string(b)
			}
			return k.Name
		}
	}
	return "(of no registered kind)"
}

// notVarianceClass is the failed noise-class hypothesis of Thms 4-6 for
// agent i, whose law states no finite (sigma0,sigma1)-variance bound.
func notVarianceClass(in Inputs, i int) Hypothesis {
	return failed("noise class", "agent %d's noise %s has no finite variance bound: not (sigma0,sigma1)-variance (paper Def. 2)", i, noiseText(in.System.Agents[i].Noise))
}

// base fills the constants every theorem shares.
func base(in Inputs) Constants {
	return Constants{N: len(in.System.Agents), D: in.System.F.Dim(), L0: in.Cert.L0, L1: in.Cert.L1, Eta: in.Eta, Eps: in.Eps}
}

// varianceMeans computes the agents' mean sigma0^2, sigma1^2, omega and
// mixed means, or the first agent outside the (sigma0,sigma1)-variance
// class.
func varianceMeans(in Inputs, k *Constants) (int, bool) {
	n := float64(len(in.System.Agents))
	for i, a := range in.System.Agents {
		s0, s1, ok := agentVariance(a.Noise)
		if !ok {
			return i, false
		}
		var om float64
		if c, ok := a.Compressor.(model.Unbiased); ok {
			om = c.Omega(k.D)
		}
		k.Sigma0Sq += s0 / n
		k.Sigma1Sq += s1 / n
		k.Omega += om / n
		k.Sigma0SqOm += s0 * om / n
		k.Sigma1SqOm += s1 * om / n
	}
	return 0, true
}

// All returns the encoded theorems in every reading.
func All() []Theorem {
	return []Theorem{Thm4(), Thm5(), Thm6Printed(), Thm6Eta(), Thm6Corrected(), Thm7()}
}

// ByID returns the theorem with the given ID.
func ByID(id string) (Theorem, error) {
	for _, t := range All() {
		if t.ID == id {
			return t, nil
		}
	}
	return Theorem{}, fmt.Errorf("unknown theorem %q (want thm4, thm5, thm6-printed, thm6-eta, thm6-corrected or thm7)", id)
}
