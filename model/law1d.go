package model

import (
	"math"
)

// This file holds the capabilities that the exact engine (model/exact)
// asks of a kind in one dimension. The engine carries a law on a grid;
// what it needs of a method is the law of one step, x+ = x - h U, and the
// SDE's coefficients in d = 1. A method, noise law or compressor without
// the capability it needs is refused by the engine with the reason (and
// its callers fall back to Monte Carlo); no kind is named outside its own
// file.

// A Law1Der is a method whose one-step law in d = 1 is known: a mixture of
// normals and point masses (docs/math.md section 10 for the agent maps). The paper's methods
// give it exactly; the agent-map rules (clipped-sgd, normalized-sgd,
// l0l1-gd) give a quadrature rule over the noise law's quantiles
// (model/update/agentmap.go), whose resolution level sets.
type Law1Der interface {
	// CheckLaw1D reports whether Law1D applies to s (a validated
	// one-dimensional system): nil, or an error naming the field, the
	// value and what is missing (for instance a noise law's capability).
	// quadrature is true when the law is a quadrature rule whose
	// resolution grows with level: the engine then computes two levels
	// and counts their difference in the value's error.
	CheckLaw1D(s System) (quadrature bool, err error)
	// Law1D calls add(w, mean, sd) for every component of the law of
	// x+ = x - h U from x, where grad f(x) = g: weight w >= 0 (the weights
	// sum to 1; a zero weight may be given and is dropped), mean and standard deviation sd (0: a point mass at mean).
	// The method computes x - h u itself (not the engine) so that the
	// paper's methods keep their arithmetic bit for bit. level >= 0 is the
	// quadrature's resolution (ignored by an exact law).
	Law1D(s System, x, g, h float64, level int, add func(w, mean, sd float64))
}

// An SDE1Der is a method whose first-order SDE's coefficients in d = 1
// are known.
type SDE1Der interface {
	// CheckSDE1D is CheckLaw1D for the coefficients (s has passed
	// System.ValidateSDE).
	CheckSDE1D(s System) error
	// SDE1D returns the coefficients at a gradient g: the drift m (the
	// method's Drift) and the covariance Sigma = (1/N) sum_i Var T_i(g_i)
	// of dX = -eta_t m dt + eta_t sqrt(eta/N) Sigma^{1/2} dW; NaN where
	// they cannot be computed to the method's tolerance.
	SDE1D(s System, g float64) (m, sigma float64)
}

// A Lattice1Der is a method whose update in d = 1 takes finitely many
// values on a lattice: U in {j/n : |j| <= n}, n = Lattice1D(s) > 0 (0: no
// lattice for s). Under a constant step h the engine then carries the law
// on the points x0 + j h/n exactly, without interpolation (DSignSGD: a
// mean of n signs).
type Lattice1Der interface {
	Lattice1D(s System) int
}

// A Width1Der is a method whose one-step law changes with x over a width
// that the grid must resolve, on a uniform grid (DSignSGD: the sign
// probabilities change over the agents' smallest noise scale at
// grad f = 0). Width1D returns it (0: a jump no grid resolves; +Inf: no
// such feature), or an error naming the agent whose noise gives no scale.
type Width1Der interface {
	Width1D(s System) (float64, error)
}

// An UpdateBounder is a method whose update is bounded surely:
// |U_j| <= UpdateBound(s) < +Inf (DSignSGD: 1; normalized-sgd: 1). A
// method whose update is bounded for some parameters only must not
// implement it: its callers take every implementer as bounded. Its SDE's drift is then bounded by
// it and its covariance by its square: the law reaches at most about
// eta sum_k eta_k bound from x0.
type UpdateBounder interface {
	UpdateBound(s System) float64
}

// A Normal1Der is a noise law that is normal in d = 1: Z ~ N(0, v) with
// v = Normal1D(grad, gradNorm2) (the Gaussian law). The exact laws of DSGD
// and DCSGD need it.
type Normal1Der interface {
	Normal1D(grad, gradNorm2 float64) float64
}

// A ZeroScaler is a noise law with a scale at grad f = 0: its CDF changes
// over distances of about ZeroScale() there (Gaussian: sigma0; Student-t:
// its largest scale). DSignSGD's exact law needs it to size the grid.
type ZeroScaler interface {
	ZeroScale() float64
}

// A Quantiler is a noise law whose coordinates' quantile function is known
// in closed form: Quantile(j, p, gradNorm2) = inf{z : CDF(j, z) >= p} for
// p in (0, 1). The agent-map laws use it where it exists, and otherwise
// invert a CDFer's CDF by bisection.
type Quantiler interface {
	Quantile(j int, p, gradNorm2 float64) float64
}

// A Keeper1D is a compressor whose law in d = 1 is "keep v scaled by 1/p
// with probability p, else 0": Keep1D returns p (1 for the identity, and
// for rand-k and QSGD, which are the identity in d = 1). The exact law of
// DCSGD needs it.
type Keeper1D interface {
	Keep1D() float64
}

// UniformGrid1D reports whether the exact engine must carry s's law on a
// uniform grid: its method is a Width1Der with a finite width (or one
// that cannot say, which the engine then refuses).
func UniformGrid1D(s System) bool {
	w, ok := s.Method.(Width1Der)
	if !ok {
		return false
	}
	wd, err := w.Width1D(s)
	return err != nil || !math.IsInf(wd, 1)
}
