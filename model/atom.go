package model

import (
	"math"

	"github.com/sdeverify/sdeverify/model/internal/kit"
)

// An Atom is a one-dimensional (L0,L1)-smooth function h: R -> R, bounded
// below, from which separable objectives sum_j h_j(x_j) are built. An
// atom's own file registers it as a kind (Register) for the configurations.
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

// Curv returns h_xx (as Eval).
func (s Scaled) Curv(x float64) float64 { return s.C * s.A * s.A * kit.Curv(s.Atom, s.A*x) }

var _ Atom = Scaled{}

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
	if err := kit.CheckPos("c", s.C); err != nil {
		return err
	}
	if err := kit.CheckFinite("a", s.A); err != nil {
		return err
	}
	if s.A == 0 {
		return Invalid("a", s.A, "must be non-zero")
	}
	return nil
}

// PowerLaw implements PowerLawer: c h(s x) of a power-law atom h (a, r)
// is a power law of exponent r and coefficient c |s|^(r+1) a (c > 0,
// s != 0).
func (s Scaled) PowerLaw() (a, r float64, ok bool) {
	in, ok := s.Atom.(PowerLawer)
	if !ok {
		return 0, 0, false
	}
	ai, r, ok := in.PowerLaw()
	if !ok || !(s.C > 0) || s.A == 0 {
		return 0, 0, false
	}
	return s.C * math.Pow(math.Abs(s.A), r+1) * ai, r, true
}
