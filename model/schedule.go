package model

import "fmt"

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

// A Schedule gives eta_k, the multiplier of the base rate eta. A schedule's
// own file registers it as a kind (Register) for the configurations.
type Schedule interface {
	Rate(s StepInfo) float64
	Reads() Reading
	// RobbinsMonro reports whether phi^1 -> inf and phi^2/phi^1 -> 0 hold
	// for this schedule along every path with bounded gradients.
	RobbinsMonro() bool
	Validate() error
}

// A ConstantRater is a schedule whose value is the same at every step
// and state: ConstantRate returns it (Constant). The exact engine carries
// such a schedule's law with one operator for every step (DSignSGD's
// lattice among others).
type ConstantRater interface {
	ConstantRate() float64
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
