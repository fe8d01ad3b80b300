package objective

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/internal/kit"
)

func init() {
	model.Register(model.Kind[Quartic, model.Atom]{
		Name: "quartic",
		Doc:  "h(x) = x^4/4, with the certificate (l0, 2/sqrt(l0)) for a chosen l0 > 0 (omitted: 3).",
		Draw: func(dr model.Drawer, _ model.DrawOptions) Quartic {
			return Quartic{L0: kit.LogUniform(dr, "l0", 0.1, 10)}
		},
	})
}

var (
	_ model.Atom = Quartic{}
	_ sumAtom    = Quartic{}
)

// DefaultQuarticL0 is the L0 a Quartic uses when its L0 field is zero: the
// value docs/math.md section 4 uses for Figure 1.
const DefaultQuarticL0 = 3

// Quartic is h(x) = x^4/4. Since h_xx = 3x^2 and |h_x| = |x|^3, the pair
// (L0, L1) is valid exactly when L1 >= 2/sqrt(L0) (the maximum over u of
// (3u^2 - L0)/u^3 is attained at u = sqrt(L0)). Certificate returns that
// smallest L1 for the chosen L0.
type Quartic struct {
	L0 float64 `json:"l0,omitempty" doc:"chosen l0 > 0 of the certificate (omitted: 3)"` // chosen L0 > 0 of the certificate; 0 means DefaultQuarticL0
}

// cubeGrad reports that h'(x) = x^3 is computed as x*x*x (the fused
// rand-k step refreshes the gradient of a sum of quartics itself:
// System.DiscreteStepGrad).
func (Quartic) CubeGrad() bool { return true }

func (q Quartic) l0() float64 {
	if q.L0 == 0 {
		return DefaultQuarticL0
	}
	return q.L0
}

// Eval implements Atom.
func (Quartic) Eval(x float64) (h, d1, d2 float64) {
	x2 := x * x
	return x2 * x2 / 4, x2 * x, 3 * x2
}

// Deriv implements Atom.
func (Quartic) Deriv(x float64) float64 { return x * x * x }

// Inf implements Atom.
func (Quartic) Inf() float64 { return 0 }

// Argmin implements Atom.
func (Quartic) Argmin() float64 { return 0 }

// Certificate implements Atom: (L0, 2/sqrt(L0)).
func (q Quartic) Certificate() model.Certificate {
	l0 := q.l0()
	return model.Certificate{L0: l0, L1: 2 / math.Sqrt(l0)}
}

// Validate implements Atom.
func (q Quartic) Validate() error {
	if err := kit.CheckNonNeg("l0", q.L0); err != nil {
		return err
	}
	return nil
}

// Curv returns h_xx (as Eval).
func (Quartic) Curv(x float64) float64 { return 3 * (x * x) }

// sumValue implements sumAtom: (sum_j x_j^4)/4.
func (Quartic) sumValue(x []float64) float64 {
	var v float64
	for _, xj := range x {
		x2 := xj * xj
		v += x2 * x2
	}
	return v / 4
}

// values implements sumAtom: sumValue's 0 + x^4, then / 4, per point.
func (Quartic) values(dst, xs []float64) {
	dst = dst[:len(xs)]
	for i, x := range xs {
		x2 := x * x
		dst[i] = x2 * x2 / 4
	}
}

// derivs implements sumAtom.
func (Quartic) derivs(dst, x []float64) {
	dst = dst[:len(x)]
	for j, xj := range x {
		dst[j] = xj * xj * xj
	}
}

// maxCurv implements sumAtom: 3 max_j x_j^2.
func (Quartic) maxCurv(x []float64) float64 {
	var m float64
	for _, xj := range x {
		m = maxNaN(m, xj*xj)
	}
	return 3 * m
}

// PowerLaw implements PowerLawer: x^4/4 is a = 1, r = 3.
func (Quartic) PowerLaw() (a, r float64, ok bool) { return 1, 3, true }
