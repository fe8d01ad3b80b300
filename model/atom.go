package model

import "math"

// An Atom is a one-dimensional (L0,L1)-smooth function h: R -> R, bounded
// below, from which separable objectives sum_j h_j(x_j) are built.
type Atom interface {
	// Eval returns h(x), h_x(x) and h_xx(x).
	Eval(x float64) (h, d1, d2 float64)
	// Deriv returns h'(x).
	Deriv(x float64) float64
	// Inf returns inf h, attained at Argmin.
	Inf() float64
	Argmin() float64
	// Certificate returns a valid (L0,L1) pair for h: |h_xx| <= L0 + L1 |h_x|.
	Certificate() Certificate
	Validate() error
}

// curver is an Atom that computes h_xx alone, to the bit as Eval's third
// result but without h and h_x (HessNorm, at every SDE substep, needs only
// it: log cosh's value costs an exp and a log1p).
type curver interface {
	Curv(x float64) float64
}

// curv returns a's h_xx(x).
func curv(a Atom, x float64) float64 {
	if c, ok := a.(curver); ok {
		return c.Curv(x)
	}
	_, _, d2 := a.Eval(x)
	return d2
}

// Curv returns h_xx (as Eval).
func (Quartic) Curv(x float64) float64 { return 3 * (x * x) }

// Curv returns h_xx (as Eval).
func (p Power) Curv(x float64) float64 { return (p.P - 1) * math.Pow(math.Abs(x), p.P-2) }

// Curv returns h_xx (as Eval).
func (Cosh) Curv(x float64) float64 { return math.Cosh(x) }

// Curv returns h_xx (as Eval).
func (LogCosh) Curv(x float64) float64 {
	t := math.Tanh(x)
	return 1 - t*t
}

// Curv returns h_xx (as Eval).
func (Square) Curv(float64) float64 { return 1 }

// Curv returns h_xx (as Eval).
func (ExpLinear) Curv(x float64) float64 { return math.Exp(x) }

// Curv returns h_xx (as Eval).
func (s Scaled) Curv(x float64) float64 { return s.C * s.A * s.A * curv(s.Atom, s.A*x) }

var (
	_ Atom = Quartic{}
	_ Atom = Power{}
	_ Atom = Cosh{}
	_ Atom = LogCosh{}
	_ Atom = Square{}
	_ Atom = ExpLinear{}
	_ Atom = Scaled{}
)

// DefaultQuarticL0 is the L0 a Quartic uses when its L0 field is zero: the
// value docs/math.md section 4 uses for Figure 1.
const DefaultQuarticL0 = 3

// Quartic is h(x) = x^4/4. Since h_xx = 3x^2 and |h_x| = |x|^3, the pair
// (L0, L1) is valid exactly when L1 >= 2/sqrt(L0) (the maximum over u of
// (3u^2 - L0)/u^3 is attained at u = sqrt(L0)). Certificate returns that
// smallest L1 for the chosen L0.
type Quartic struct {
	L0 float64 // chosen L0 > 0 of the certificate; 0 means DefaultQuarticL0
}

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
func (q Quartic) Certificate() Certificate {
	l0 := q.l0()
	return Certificate{L0: l0, L1: 2 / math.Sqrt(l0)}
}

// Validate implements Atom.
func (q Quartic) Validate() error {
	if err := checkNonNeg("l0", q.L0); err != nil {
		return err
	}
	return nil
}

// DefaultPowerL0 is the L0 a Power uses when its L0 field is zero.
const DefaultPowerL0 = 1

// Power is h(x) = |x|^P / P for P > 2. With h_xx = (P-1)|x|^(P-2) and
// |h_x| = |x|^(P-1), the smallest valid L1 for a chosen L0 is
// (P-2) L0^(-1/(P-2)) (the maximum of ((P-1)u^(P-2) - L0)/u^(P-1) is at
// u = L0^(1/(P-2))). P = 4 is Quartic.
type Power struct {
	P  float64 // exponent, > 2
	L0 float64 // chosen L0 > 0 of the certificate; 0 means DefaultPowerL0
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
func (p Power) Certificate() Certificate {
	l0 := p.l0()
	return Certificate{L0: l0, L1: (p.P - 2) * math.Pow(l0, -1/(p.P-2))}
}

// Validate implements Atom.
func (p Power) Validate() error {
	if err := checkFinite("p", p.P); err != nil {
		return err
	}
	if p.P <= 2 {
		return Invalid("p", p.P, "must be > 2 (p <= 2 is not (L0,L1)-smooth with a finite pair at 0, or is L-smooth: use square)")
	}
	return checkNonNeg("l0", p.L0)
}

// Cosh is h(x) = cosh x, (1,1)-smooth since cosh <= 1 + |sinh|; inf 1 at 0.
type Cosh struct{}

// Eval implements Atom.
func (Cosh) Eval(x float64) (h, d1, d2 float64) {
	c := math.Cosh(x)
	return c, math.Sinh(x), c
}

// Deriv implements Atom.
func (Cosh) Deriv(x float64) float64 { return math.Sinh(x) }

// Inf implements Atom.
func (Cosh) Inf() float64 { return 1 }

// Argmin implements Atom.
func (Cosh) Argmin() float64 { return 0 }

// Certificate implements Atom.
func (Cosh) Certificate() Certificate { return Certificate{L0: 1, L1: 1} }

// Validate implements Atom.
func (Cosh) Validate() error { return nil }

// LogCosh is h(x) = log cosh x, (1,0)-smooth since h_xx = sech^2 <= 1.
type LogCosh struct{}

// Eval implements Atom.
func (LogCosh) Eval(x float64) (h, d1, d2 float64) {
	t := math.Tanh(x)
	return logCosh(x), t, 1 - t*t
}

// logCosh is log cosh x without overflow: |x| + log1p(exp(-2|x|)) - log 2.
func logCosh(x float64) float64 {
	u := math.Abs(x)
	return u + math.Log1p(math.Exp(-2*u)) - math.Ln2
}

// Deriv implements Atom.
func (LogCosh) Deriv(x float64) float64 { return math.Tanh(x) }

// Inf implements Atom.
func (LogCosh) Inf() float64 { return 0 }

// Argmin implements Atom.
func (LogCosh) Argmin() float64 { return 0 }

// Certificate implements Atom.
func (LogCosh) Certificate() Certificate { return Certificate{L0: 1, L1: 0} }

// Validate implements Atom.
func (LogCosh) Validate() error { return nil }

// Square is h(x) = x^2/2, (1,0)-smooth. Scale it with Scaled for other
// curvatures.
type Square struct{}

// Eval implements Atom.
func (Square) Eval(x float64) (h, d1, d2 float64) { return x * x / 2, x, 1 }

// Deriv implements Atom.
func (Square) Deriv(x float64) float64 { return x }

// Inf implements Atom.
func (Square) Inf() float64 { return 0 }

// Argmin implements Atom.
func (Square) Argmin() float64 { return 0 }

// Certificate implements Atom.
func (Square) Certificate() Certificate { return Certificate{L0: 1} }

// Validate implements Atom.
func (Square) Validate() error { return nil }

// ExpLinear is h(x) = exp(x) - x - 1, an exponential-type function bounded
// below (inf 0 at 0). h_xx = e^x and h_x = e^x - 1, so h_xx = 1 + |h_x| for
// x >= 0 and h_xx < 1 for x < 0: (1,1)-smooth, tight for x >= 0.
// Scaled{A: a} gives exp(ax) - ax - 1, which is (a^2, |a|)-smooth.
type ExpLinear struct{}

// Eval implements Atom.
func (ExpLinear) Eval(x float64) (h, d1, d2 float64) {
	e := math.Exp(x)
	return math.Expm1(x) - x, math.Expm1(x), e
}

// Deriv implements Atom.
func (ExpLinear) Deriv(x float64) float64 { return math.Expm1(x) }

// Inf implements Atom.
func (ExpLinear) Inf() float64 { return 0 }

// Argmin implements Atom.
func (ExpLinear) Argmin() float64 { return 0 }

// Certificate implements Atom.
func (ExpLinear) Certificate() Certificate { return Certificate{L0: 1, L1: 1} }

// Validate implements Atom.
func (ExpLinear) Validate() error { return nil }

// Scaled is c h(a x) for an atom h, c > 0 and a != 0. If h is (L0,L1)-smooth
// then c h(a x) is (c a^2 L0, |a| L1)-smooth: its second derivative is
// c a^2 h_xx <= c a^2 L0 + |a| L1 |c a h'|.
type Scaled struct {
	Atom Atom
	C    float64 // outer scale, > 0
	A    float64 // inner scale, != 0
}

// Eval implements Atom.
func (s Scaled) Eval(x float64) (h, d1, d2 float64) {
	h, d1, d2 = s.Atom.Eval(s.A * x)
	return s.C * h, s.C * s.A * d1, s.C * s.A * s.A * d2
}

// Deriv implements Atom.
func (s Scaled) Deriv(x float64) float64 { return s.C * s.A * s.Atom.Deriv(s.A*x) }

// Inf implements Atom.
func (s Scaled) Inf() float64 { return s.C * s.Atom.Inf() }

// Argmin implements Atom.
func (s Scaled) Argmin() float64 { return s.Atom.Argmin() / s.A }

// Certificate implements Atom.
func (s Scaled) Certificate() Certificate {
	c := s.Atom.Certificate()
	return Certificate{L0: s.C * s.A * s.A * c.L0, L1: math.Abs(s.A) * c.L1}
}

// Validate implements Atom.
func (s Scaled) Validate() error {
	if s.Atom == nil {
		return Invalid("atom", nil, "must be set")
	}
	if err := s.Atom.Validate(); err != nil {
		return Prefix("atom", err)
	}
	if err := checkPos("c", s.C); err != nil {
		return err
	}
	if err := checkFinite("a", s.A); err != nil {
		return err
	}
	if s.A == 0 {
		return Invalid("a", s.A, "must be non-zero")
	}
	return nil
}
