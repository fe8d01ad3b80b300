package model

import (
	"math"

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

func norm2(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

// sampleDiagMinusRankOne writes into dst a draw of N(0, diag(D) - beta v v^T)
// in O(d), using the standard normals z (len d, overwritten). The matrix must
// be positive semidefinite, which requires D_j = 0 only where v_j = 0 and
// beta sum_j v_j^2/D_j <= 1. Writing u = D^(-1/2) v,
//
//	diag(D) - beta v v^T = D^(1/2) (I - beta u u^T) D^(1/2),
//	(I - beta u u^T)^(1/2) = I - gamma u u^T / ||u||^2,  gamma = 1 - sqrt(1 - beta ||u||^2).
func sampleDiagMinusRankOne(dst, diag, v []float64, beta float64, z []float64) {
	if beta == 0 {
		for j, dj := range diag {
			dst[j] = math.Sqrt(dj) * z[j]
		}
		return
	}
	var uu, uz float64
	for j, dj := range diag {
		if dj > 0 {
			u := v[j] / math.Sqrt(dj)
			uu += u * u
			uz += u * z[j]
		}
	}
	c := 0.0
	if uu > 0 {
		gamma := 1 - math.Sqrt(math.Max(0, 1-beta*uu))
		c = gamma * uz / uu
	}
	for j, dj := range diag {
		if dj > 0 {
			sd := math.Sqrt(dj)
			dst[j] = sd*z[j] - c*v[j]
		} else {
			dst[j] = 0
		}
	}
}
