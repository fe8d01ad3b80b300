package model

import "math"

// Certificate is a claimed (L0,L1)-smoothness pair (paper Def. 1):
//
//	||Hess f(x)||_op <= L0 + L1 ||grad f(x)||_2   for all x.
//
// L-smooth is (L, 0). Any pair that dominates a valid pair is valid.
type Certificate struct {
	L0 float64 `json:"l0"` // constant part, >= 0
	L1 float64 `json:"l1"` // gradient-proportional part, >= 0
}

// Validate reports a negative or non-finite constant.
func (c Certificate) Validate() error {
	if err := checkNonNeg("l0", c.L0); err != nil {
		return err
	}
	return checkNonNeg("l1", c.L1)
}

// Dominates reports whether c is at least as large as o in both constants,
// so that c is valid wherever o is.
func (c Certificate) Dominates(o Certificate) bool {
	return c.L0 >= o.L0 && c.L1 >= o.L1
}

// Slack returns L0 + L1*gradNorm - hessNorm, the margin by which the
// certificate holds at a point with those norms (negative: violated).
func (c Certificate) Slack(hessNorm, gradNorm float64) float64 {
	return c.L0 + c.L1*gradNorm - hessNorm
}

// Holds reports whether the certificate holds at a point with the given
// norms, allowing a relative rounding error of tol (for example 1e-9) of the
// larger side.
func (c Certificate) Holds(hessNorm, gradNorm, tol float64) bool {
	rhs := c.L0 + c.L1*gradNorm
	return hessNorm <= rhs+tol*math.Max(math.Abs(rhs), math.Abs(hessNorm))
}

// maxCert is the certificate of a separable sum: the componentwise maximum.
func maxCert(a, b Certificate) Certificate {
	return Certificate{L0: math.Max(a.L0, b.L0), L1: math.Max(a.L1, b.L1)}
}
