package objective

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/internal/kit"
)

func init() {
	model.Register(model.Kind[Power, model.Atom]{
		Name: "power",
		Doc:  "h(x) = |x|^p/p for p > 2, with the certificate (l0, (p-2) l0^(-1/(p-2))) for a chosen l0 > 0 (omitted: 1).",
		Draw: func(dr model.Drawer, _ model.DrawOptions) Power {
			return Power{P: dr.Float("p", 2.1, 6), L0: kit.LogUniform(dr, "l0", 0.1, 10)}
		},
	})
}

var _ model.Atom = Power{}

// DefaultPowerL0 is the L0 a Power uses when its L0 field is zero.
const DefaultPowerL0 = 1

// Power is h(x) = |x|^P / P for P > 2. With h_xx = (P-1)|x|^(P-2) and
// |h_x| = |x|^(P-1), the smallest valid L1 for a chosen L0 is
// (P-2) L0^(-1/(P-2)) (the maximum of ((P-1)u^(P-2) - L0)/u^(P-1) is at
// u = L0^(1/(P-2))). P = 4 is Quartic.
type Power struct {
	P  float64 `json:"p" doc:"exponent > 2"`                                             // exponent, > 2
	L0 float64 `json:"l0,omitempty" doc:"chosen l0 > 0 of the certificate (omitted: 1)"` // chosen L0 > 0 of the certificate; 0 means DefaultPowerL0
}

func (p Power) l0() float64 {
	if p.L0 == 0 {
		return DefaultPowerL0
	}
	return p.L0
}

// Eval implements Atom.
func (p Power) Eval(x float64) (h, d1, d2 float64) {
	u := math.Abs(x)
	um2 := math.Pow(u, p.P-2)
	um1 := um2 * u
	return um1 * u / p.P, math.Copysign(um1, x), (p.P - 1) * um2
}

// Deriv implements Atom.
func (p Power) Deriv(x float64) float64 {
	return math.Copysign(math.Pow(math.Abs(x), p.P-1), x)
}

// Inf implements Atom.
func (Power) Inf() float64 { return 0 }

// Argmin implements Atom.
func (Power) Argmin() float64 { return 0 }

// Certificate implements Atom: (L0, (P-2) L0^(-1/(P-2))).
func (p Power) Certificate() model.Certificate {
	l0 := p.l0()
	return model.Certificate{L0: l0, L1: (p.P - 2) * math.Pow(l0, -1/(p.P-2))}
}

// Validate implements Atom.
func (p Power) Validate() error {
	if err := kit.CheckFinite("p", p.P); err != nil {
		return err
	}
	if p.P <= 2 {
		return model.Invalid("p", p.P, "must be > 2 (p <= 2 is not (L0,L1)-smooth with a finite pair at 0, or is L-smooth: use square)")
	}
	return kit.CheckNonNeg("l0", p.L0)
}

// Curv returns h_xx (as Eval).
func (p Power) Curv(x float64) float64 { return (p.P - 1) * math.Pow(math.Abs(x), p.P-2) }

// PowerLaw implements PowerLawer: |x|^p/p is a = 1, r = p - 1 (p > 2).
func (p Power) PowerLaw() (a, r float64, ok bool) { return 1, p.P - 1, p.P > 2 }
