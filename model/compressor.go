package model

import (
	"github.com/sdeverify/sdeverify/model/internal/kit"
)

// A Compressor maps a vector v to a random C(v), independently across agents
// and steps. A compressor's own file registers it as a kind (Register) for
// the configurations; what DCSGD and the theorems need of it (omega, the
// error covariance) is the optional Unbiased.
type Compressor interface {
	// Compress writes C(v) into dst (len(dst) == len(v), not aliasing v).
	Compress(dst, v []float64, r *Rand)
	// Validate checks the parameters for dimension d.
	Validate(d int) error
}

// Unbiased is a compressor with E C(v) = v and E||C(v)-v||^2 <= omega ||v||^2.
// With Phi = C(v) - v its conditional error covariance has the form
//
//	E[Phi Phi^T | v] = diag(D(v)) - beta v v^T,
//
// which ErrorCov returns; the SDE of DCSGD (eq. 28) samples it in O(d).
type Unbiased interface {
	Compressor
	// Omega returns the compressor's omega in dimension d.
	Omega(d int) float64
	// ErrorCov writes D(v) into diag and returns beta.
	ErrorCov(diag, v []float64) (beta float64)
	// Linear returns alpha, beta and true when D(v) = alpha v^2
	// coordinate-wise in dimension d, so that the expectation over the
	// gradient noise has a closed form.
	Linear(d int) (alpha, beta float64, ok bool)
}

var _ Compressor = Sign{}

// Sign is C(v) = sign(v) coordinate-wise with sign(0) = 0: biased, so it has
// no omega. DSignSGD uses it.
type Sign struct{}

// Compress implements Compressor.
func (Sign) Compress(dst, v []float64, _ *Rand) {
	for j, vj := range v {
		dst[j] = kit.Sign(vj)
	}
}

// Validate implements Compressor.
func (Sign) Validate(int) error { return nil }
