package model

import (
	"fmt"
	"math"
)

// A Compressor maps a vector v to a random C(v), independently across agents
// and steps.
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

var (
	_ Unbiased   = Identity{}
	_ Unbiased   = Bernoulli{}
	_ Unbiased   = RandK{}
	_ Unbiased   = QSGD{}
	_ Compressor = Sign{}
)

// Identity is C(v) = v, omega = 0.
type Identity struct{}

// Compress implements Compressor.
func (Identity) Compress(dst, v []float64, _ *Rand) { copy(dst, v) }

// Omega implements Unbiased.
func (Identity) Omega(int) float64 { return 0 }

// ErrorCov implements Unbiased: zero.
func (Identity) ErrorCov(diag, _ []float64) float64 {
	clear(diag)
	return 0
}

// Linear implements Unbiased.
func (Identity) Linear(int) (alpha, beta float64, ok bool) { return 0, 0, true }

// Validate implements Compressor.
func (Identity) Validate(int) error { return nil }

// Bernoulli sparsification keeps each coordinate independently with
// probability P and scales it by 1/P: omega = 1/P - 1 and
// E[Phi Phi^T | v] = omega diag(v^2).
type Bernoulli struct {
	P float64 `json:"p"` // keep probability in (0, 1]
}

// Compress implements Compressor.
func (b Bernoulli) Compress(dst, v []float64, r *Rand) {
	s := 1 / b.P
	for j, vj := range v {
		if r.Float64() < b.P {
			dst[j] = vj * s
		} else {
			dst[j] = 0
		}
	}
}

// Omega implements Unbiased.
func (b Bernoulli) Omega(int) float64 { return 1/b.P - 1 }

// ErrorCov implements Unbiased.
func (b Bernoulli) ErrorCov(diag, v []float64) float64 {
	w := b.Omega(len(v))
	for j, vj := range v {
		diag[j] = w * vj * vj
	}
	return 0
}

// Linear implements Unbiased.
func (b Bernoulli) Linear(d int) (alpha, beta float64, ok bool) { return b.Omega(d), 0, true }

// Validate implements Compressor.
func (b Bernoulli) Validate(int) error {
	if math.IsNaN(b.P) || b.P <= 0 || b.P > 1 {
		return Invalid("p", b.P, "must be in (0, 1]")
	}
	return nil
}

// RandK keeps a uniformly random K-subset of the d coordinates and scales
// them by d/K: omega = d/K - 1. Its error covariance is not diagonal: with
// q = P(j, l both kept) = K(K-1)/(d(d-1)),
//
//	E[C C^T]_jj = (d/K) v_j^2,  E[C C^T]_jl = (d/K)^2 q v_j v_l,
//
// so E[Phi Phi^T | v] = (omega + b) diag(v^2) - b v v^T with
// b = (d-K)/(K(d-1)). Since omega + b = b d, this is
// (omega + b) D (I - 1 1^T/d) D with D = diag(v): a scaled projection, which
// is why it has an O(d) square root.
type RandK struct {
	K int `json:"k"` // coordinates kept, in [1, d]
}

// Compress implements Compressor. It selects the subset by Floyd's
// algorithm (K random indices, no scratch: dst marks the chosen ones).
func (c RandK) Compress(dst, v []float64, r *Rand) {
	d := len(v)
	c.mark(dst, r)
	s := float64(d) / float64(c.K)
	for j, m := range dst {
		if m != 0 {
			dst[j] = v[j] * s
		}
	}
}

// mark sets mask[j] = 1 on a uniformly random K-subset and 0 elsewhere
// (Floyd's algorithm: K draws, no other scratch).
func (c RandK) mark(mask []float64, r *Rand) {
	d := len(mask)
	clear(mask)
	for j := d - c.K; j < d; j++ {
		t := r.IntN(j + 1)
		if mask[t] != 0 {
			t = j
		}
		mask[t] = 1
	}
}

// Omega implements Unbiased.
func (c RandK) Omega(d int) float64 { return float64(d)/float64(c.K) - 1 }

func (c RandK) b(d int) float64 {
	if d == 1 {
		return 0
	}
	return float64(d-c.K) / (float64(c.K) * float64(d-1))
}

// ErrorCov implements Unbiased.
func (c RandK) ErrorCov(diag, v []float64) float64 {
	a, b, _ := c.Linear(len(v))
	for j, vj := range v {
		diag[j] = a * vj * vj
	}
	return b
}

// Linear implements Unbiased: alpha = omega + b, beta = b.
func (c RandK) Linear(d int) (alpha, beta float64, ok bool) {
	return c.Omega(d) + c.b(d), c.b(d), true
}

// Validate implements Compressor.
func (c RandK) Validate(d int) error {
	if c.K < 1 || c.K > d {
		return Invalid("k", c.K, fmt.Sprintf("must be in [1, %d] (the dimension)", d))
	}
	return nil
}

// QSGD is random dithering with S levels (Alistarh et al. 2017): with
// r_j = S |v_j| / ||v||, l = floor(r_j) and p_j = r_j - l,
//
//	C(v)_j = ||v|| sign(v_j) xi_j / S,  xi_j = l+1 w.p. p_j, else l.
//
// The coordinates are independent, so E[Phi Phi^T | v] is diagonal with
// entries ||v||^2 p_j (1-p_j) / S^2, and omega = min(d/S^2, sqrt(d)/S).
type QSGD struct {
	S int `json:"s"` // quantisation levels, >= 1
}

// Compress implements Compressor.
func (q QSGD) Compress(dst, v []float64, r *Rand) {
	n := norm2(v)
	if n == 0 {
		clear(dst)
		return
	}
	s := float64(q.S)
	for j, vj := range v {
		x := s * math.Abs(vj) / n
		l := math.Floor(x)
		if r.Float64() < x-l {
			l++
		}
		dst[j] = math.Copysign(n*l/s, vj)
	}
}

// Omega implements Unbiased.
func (q QSGD) Omega(d int) float64 {
	s := float64(q.S)
	return math.Min(float64(d)/(s*s), math.Sqrt(float64(d))/s)
}

// ErrorCov implements Unbiased.
func (q QSGD) ErrorCov(diag, v []float64) float64 {
	n := norm2(v)
	s := float64(q.S)
	for j, vj := range v {
		if n == 0 {
			diag[j] = 0
			continue
		}
		x := s * math.Abs(vj) / n
		p := x - math.Floor(x)
		diag[j] = n * n * p * (1 - p) / (s * s)
	}
	return 0
}

// Linear implements Unbiased: QSGD's D(v) is not proportional to v^2.
func (QSGD) Linear(int) (alpha, beta float64, ok bool) { return 0, 0, false }

// Validate implements Compressor.
func (q QSGD) Validate(int) error {
	if q.S < 1 {
		return Invalid("s", q.S, "must be >= 1")
	}
	return nil
}

// Sign is C(v) = sign(v) coordinate-wise with sign(0) = 0: biased, so it has
// no omega. DSignSGD uses it.
type Sign struct{}

// Compress implements Compressor.
func (Sign) Compress(dst, v []float64, _ *Rand) {
	for j, vj := range v {
		dst[j] = sign(vj)
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

// SampleDiagMinusRankOne writes into dst a draw of N(0, diag(D) - beta v v^T)
// in O(d), using the standard normals z (len d, overwritten). The matrix must
// be positive semidefinite, which requires D_j = 0 only where v_j = 0 and
// beta sum_j v_j^2/D_j <= 1. Writing u = D^(-1/2) v,
//
//	diag(D) - beta v v^T = D^(1/2) (I - beta u u^T) D^(1/2),
//	(I - beta u u^T)^(1/2) = I - gamma u u^T / ||u||^2,  gamma = 1 - sqrt(1 - beta ||u||^2).
func SampleDiagMinusRankOne(dst, diag, v []float64, beta float64, z []float64) {
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
