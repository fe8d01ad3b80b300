package model

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/model/internal/kit"
)

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
	if err := kit.CheckNonNeg("l0", c.L0); err != nil {
		return err
	}
	return kit.CheckNonNeg("l1", c.L1)
}

// Holds reports whether the certificate holds at a point with the given
// norms, allowing a relative rounding error of tol (for example 1e-9) of the
// larger side.
func (c Certificate) Holds(hessNorm, gradNorm, tol float64) bool {
	rhs := c.L0 + c.L1*gradNorm
	return hessNorm <= rhs+tol*math.Max(math.Abs(rhs), math.Abs(hessNorm))
}

// Certified is an objective with a user-chosen certificate that dominates
// the derived one (Figure 1 uses (3,3) for x^4/4, whose tight pair with
// L0 = 3 is (3, 2/sqrt 3)).
type Certified struct {
	Objective
	Cert Certificate
}

// WithCertificate returns f with certificate c, or an error naming the
// constant that would make c invalid.
func WithCertificate(f Objective, c Certificate) (Certified, error) {
	if err := c.Validate(); err != nil {
		return Certified{}, Prefix("certificate", err)
	}
	d := f.Certificate()
	if c.L0 < d.L0 {
		return Certified{}, Invalid("certificate.l0", c.L0, fmt.Sprintf("must be >= the derived L0 = %v (with L1 >= %v)", d.L0, d.L1))
	}
	if c.L1 < d.L1 {
		return Certified{}, Invalid("certificate.l1", c.L1, fmt.Sprintf("must be >= the derived L1 = %v for L0 = %v (choose the atom's l0 to trade them)", d.L1, d.L0))
	}
	return Certified{Objective: f, Cert: c}, nil
}

// Certificate implements Objective.
func (c Certified) Certificate() Certificate { return c.Cert }

// GradBatch implements BatchGrader with the wrapped objective's batch
// gradient (a certificate changes no value).
func (c Certified) GradBatch(dst, xs []float64) { GradBatch(c.Objective, dst, xs) }

// ValueBatch implements BatchValuer with the wrapped objective's.
func (c Certified) ValueBatch(dst, xs []float64) { ValueBatch(c.Objective, dst, xs) }

// Uncertified returns the objective inside any certificate wrappers: the
// same function, for the kernels that recognise its form.
func Uncertified(f Objective) Objective {
	for {
		c, ok := f.(Certified)
		if !ok {
			return f
		}
		f = c.Objective
	}
}
