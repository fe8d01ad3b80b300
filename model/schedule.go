package model

import (
	"fmt"
	"math"
)

// The step actually taken at step k is eta * eta_k (paper Sec. 4: the
// learning rate is a product). Time is t = k eta, and a schedule is read at
// the start of each optimiser step and held over it, for the discrete method
// and its SDE alike, so that
//
//	phi^1_T = int_0^T eta_s ds = eta sum_k eta_k,   phi^2_T = eta sum_k eta_k^2.

// Clock says which variable a clock schedule reads: the step index k (the
// default, as in Figure 1's right column) or the time t = k eta.
type Clock int

const (
	StepIndex Clock = iota // reads k
	Time                   // reads t = k eta
)

func (c Clock) String() string {
	if c == Time {
		return "time"
	}
	return "step"
}

// Reading says what a schedule depends on, so that the engine knows when it
// must be evaluated.
type Reading int

const (
	ReadsClock    Reading = iota // the step index or time only
	ReadsEnsemble                // also the ensemble mean of ||grad f|| (the paper's experiments, eqs. 26, 45)
	ReadsPath                    // also the path's own ||grad f|| (the proofs' pathwise reading)
)

func (r Reading) String() string {
	switch r {
	case ReadsEnsemble:
		return "ensemble"
	case ReadsPath:
		return "pathwise"
	}
	return "clock"
}

// StepInfo is what a schedule may read at the start of step K.
type StepInfo struct {
	K        int     // step index
	T        float64 // time K*eta
	Ensemble float64 // mean of ||grad f(x_K)|| over the live paths
	Path     float64 // this path's ||grad f(x_K)||
}

// A Schedule gives eta_k, the multiplier of the base rate eta.
type Schedule interface {
	Rate(s StepInfo) float64
	Reads() Reading
	// RobbinsMonro reports whether phi^1 -> inf and phi^2/phi^1 -> 0 hold
	// for this schedule along every path with bounded gradients.
	RobbinsMonro() bool
	Validate() error
}

var (
	_ Schedule = Constant{}
	_ Schedule = InvSqrt{}
	_ Schedule = Inv{}
	_ Schedule = Normalized{}
)

func clockValue(c Clock, s StepInfo) float64 {
	if c == Time {
		return s.T
	}
	return float64(s.K)
}

// Constant is eta_k = Value (0 means 1).
type Constant struct {
	Value float64 // > 0; 0 means 1
}

// Rate implements Schedule.
func (c Constant) Rate(StepInfo) float64 {
	if c.Value == 0 {
		return 1
	}
	return c.Value
}

// Reads implements Schedule.
func (Constant) Reads() Reading { return ReadsClock }

// RobbinsMonro implements Schedule: a constant has phi^2/phi^1 = const > 0.
func (Constant) RobbinsMonro() bool { return false }

// Validate implements Schedule.
func (c Constant) Validate() error { return checkNonNeg("value", c.Value) }

// InvSqrt is eta_k = 1/sqrt(1 + c) with c = k or t: phi^1 ~ 2 sqrt(c) and
// phi^2 ~ log c, so Robbins-Monro holds.
type InvSqrt struct{ Clock Clock }

// Rate implements Schedule.
func (s InvSqrt) Rate(i StepInfo) float64 { return 1 / math.Sqrt(1+clockValue(s.Clock, i)) }

// Reads implements Schedule.
func (InvSqrt) Reads() Reading { return ReadsClock }

// RobbinsMonro implements Schedule.
func (InvSqrt) RobbinsMonro() bool { return true }

// Validate implements Schedule.
func (s InvSqrt) Validate() error { return validateClock(s.Clock) }

// Inv is eta_k = 1/(1 + c) with c = k or t: phi^1 ~ log c and phi^2
// converges, so Robbins-Monro holds.
type Inv struct{ Clock Clock }

// Rate implements Schedule.
func (s Inv) Rate(i StepInfo) float64 { return 1 / (1 + clockValue(s.Clock, i)) }

// Reads implements Schedule.
func (Inv) Reads() Reading { return ReadsClock }

// RobbinsMonro implements Schedule.
func (Inv) RobbinsMonro() bool { return true }

// Validate implements Schedule.
func (s Inv) Validate() error { return validateClock(s.Clock) }

func validateClock(c Clock) error {
	if c != StepIndex && c != Time {
		return Invalid("clock", int(c), "must be step or time")
	}
	return nil
}

// Normalized is the gradient-normalised schedule of Thms 4-6:
//
//	eta_k = Num / (A + B G_k) * decay_k,  capped at Cap when Cap > 0,
//
// with G_k the ensemble mean of ||grad f|| (Reading ReadsEnsemble, the
// paper's experiments) or the path's own norm (ReadsPath). Decay is an
// optional clock schedule (nil: 1). The theorems package fills Num, A and B
// from a theorem's admissibility condition.
type Normalized struct {
	Num, A, B float64
	Reading   Reading  // ReadsEnsemble or ReadsPath
	Cap       float64  // 0: uncapped
	Decay     Schedule // nil or a clock schedule
}

// Rate implements Schedule.
func (n Normalized) Rate(s StepInfo) float64 {
	g := s.Ensemble
	if n.Reading == ReadsPath {
		g = s.Path
	}
	r := n.Num / (n.A + n.B*g)
	if n.Decay != nil {
		r *= n.Decay.Rate(s)
	}
	if n.Cap > 0 && r > n.Cap {
		r = n.Cap
	}
	return r
}

// Reads implements Schedule.
func (n Normalized) Reads() Reading { return n.Reading }

// ReadsGradient reports whether s's rate depends on ||grad f|| (the
// ensemble's or the path's): false for the clock schedules and for a
// Normalized with B = 0, whose rate Num/A (times its decay) reads only the
// clock whatever its Reading says. Paths are then independent of one
// another: path p of a run is the same whatever the number of paths.
func ReadsGradient(s Schedule) bool {
	if n, ok := s.(Normalized); ok && n.B == 0 {
		return false
	}
	return s.Reads() != ReadsClock
}

// RobbinsMonro implements Schedule: with A > 0 and bounded gradients the
// rate lies between two constant multiples of the decay, so the conditions
// hold exactly when they hold for the decay.
func (n Normalized) RobbinsMonro() bool { return n.Decay != nil && n.A > 0 && n.Decay.RobbinsMonro() }

// Validate implements Schedule.
func (n Normalized) Validate() error {
	if err := checkPos("num", n.Num); err != nil {
		return err
	}
	if err := checkNonNeg("a", n.A); err != nil {
		return err
	}
	if err := checkNonNeg("b", n.B); err != nil {
		return err
	}
	if n.A == 0 && n.B == 0 {
		return Invalid("a", n.A, "a and b cannot both be 0")
	}
	if n.Reading != ReadsEnsemble && n.Reading != ReadsPath {
		return Invalid("reading", n.Reading.String(), "must be ensemble or pathwise")
	}
	if err := checkNonNeg("cap", n.Cap); err != nil {
		return err
	}
	if n.Decay != nil {
		if n.Decay.Reads() != ReadsClock {
			return Invalid("decay", n.Decay.Reads().String(), "must be a clock schedule")
		}
		if err := n.Decay.Validate(); err != nil {
			return Prefix("decay", err)
		}
	}
	return nil
}

// Phi returns phi^1 and phi^2 of a clock schedule over steps optimiser steps
// of length eta (the schedule held over each step).
func Phi(s Schedule, eta float64, steps int) (phi1, phi2 float64, err error) {
	if s.Reads() != ReadsClock {
		return 0, 0, fmt.Errorf("model: Phi needs a clock schedule, this one reads the %s", s.Reads())
	}
	for k := range steps {
		r := s.Rate(StepInfo{K: k, T: float64(k) * eta})
		phi1 += eta * r
		phi2 += eta * r * r
	}
	return phi1, phi2, nil
}
