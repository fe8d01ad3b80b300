package model

import (
	"fmt"
	"math"
)

// Noise is one agent's gradient noise Z(x), coordinate-wise symmetric and
// independent across agents and steps. Its methods take the true gradient
// and its squared norm, since the affine-variance model depends on them.
type Noise interface {
	// Sample writes one draw of Z into dst.
	Sample(dst, grad []float64, gradNorm2 float64, r *Rand)
	// AddVariance adds Var(Z_j) to dst[j] for every coordinate (the noise
	// covariance is diagonal for every built-in model). It reports false,
	// leaving dst unspecified, if the variance is infinite.
	AddVariance(dst, grad []float64, gradNorm2 float64) bool
	// AddSignMean adds E[sign(grad_j + Z_j)] to dst[j] (DSignSGD's drift).
	AddSignMean(dst, grad []float64, gradNorm2 float64)
	// AddSignVar adds Var(sign(grad_j + Z_j)) to dst[j] (DSignSGD's
	// diffusion): 1 - (E sign)^2 when Z_j is continuous, 0 where it is
	// degenerate (scale 0), where the sign is deterministic, even at
	// grad_j = 0, where 1 - (E sign)^2 would give 1.
	AddSignVar(dst, grad []float64, gradNorm2 float64)
	// Validate checks the parameters for dimension d.
	Validate(d int) error
}

var (
	_ Noise = Gaussian{}
	_ Noise = StudentT{}
)

// Gaussian is the affine-variance Gaussian noise of paper Def. 2 taken with
// equality: Z ~ N(0, s(x)^2 I) with s(x)^2 = Sigma0^2 + Sigma1^2 ||grad f(x)||^2.
// Bounded variance is Sigma1 = 0; Figure 1 uses Sigma0 = 0.
type Gaussian struct {
	Sigma0 float64 `json:"sigma0"` // gradient-independent scale, >= 0
	Sigma1 float64 `json:"sigma1"` // gradient-proportional scale, >= 0
}

// Std returns s(x) for a gradient with squared norm gradNorm2.
func (g Gaussian) Std(gradNorm2 float64) float64 {
	return math.Sqrt(g.Sigma0*g.Sigma0 + g.Sigma1*g.Sigma1*gradNorm2)
}

// Sample implements Noise.
func (g Gaussian) Sample(dst, _ []float64, gradNorm2 float64, r *Rand) {
	s := g.Std(gradNorm2)
	r.Normals(dst)
	for j := range dst {
		dst[j] *= s
	}
}

// AddVariance implements Noise.
func (g Gaussian) AddVariance(dst, _ []float64, gradNorm2 float64) bool {
	v := g.Sigma0*g.Sigma0 + g.Sigma1*g.Sigma1*gradNorm2
	for j := range dst {
		dst[j] += v
	}
	return true
}

// AddSignMean implements Noise: E sign(g + sZ) = erf(g / (sqrt 2 s)).
func (g Gaussian) AddSignMean(dst, grad []float64, gradNorm2 float64) {
	s := g.Std(gradNorm2)
	if s == 0 {
		for j, gj := range grad {
			dst[j] += sign(gj)
		}
		return
	}
	k := 1 / (math.Sqrt2 * s)
	for j, gj := range grad {
		dst[j] += math.Erf(gj * k)
	}
}

// AddSignVar implements Noise.
func (g Gaussian) AddSignVar(dst, grad []float64, gradNorm2 float64) {
	s := g.Std(gradNorm2)
	if s == 0 {
		return // deterministic signs
	}
	k := 1 / (math.Sqrt2 * s)
	for j, gj := range grad {
		m := math.Erf(gj * k)
		dst[j] += 1 - m*m
	}
}

// addSignMoments adds AddSignMean's values to mean and AddSignVar's to vr,
// each erf evaluated once.
func (g Gaussian) addSignMoments(mean, vr, grad []float64, gradNorm2 float64) {
	s := g.Std(gradNorm2)
	if s == 0 {
		for j, gj := range grad {
			mean[j] += sign(gj)
		}
		return
	}
	k := 1 / (math.Sqrt2 * s)
	for j, gj := range grad {
		m := math.Erf(gj * k)
		mean[j] += m
		vr[j] += 1 - m*m
	}
}

// Validate implements Noise.
func (g Gaussian) Validate(int) error {
	if err := checkNonNeg("sigma0", g.Sigma0); err != nil {
		return err
	}
	return checkNonNeg("sigma1", g.Sigma1)
}

// StudentT is heavy-tailed noise Z = diag(Scale) T with the coordinates T_j
// i.i.d. t_Nu (independent coordinates, so that the diagonal DSignSGD SDE of
// eq. 52 is exact; a multivariate t would share one chi-square across
// coordinates). Nu = 1 is Cauchy: no mean. The variance is finite only for
// Nu > 2.
type StudentT struct {
	Nu    float64   `json:"nu"`    // degrees of freedom, > 0
	Scale []float64 `json:"scale"` // per-coordinate scales >= 0: length d, or length 1 for all coordinates
}

func (s StudentT) scale(j int) float64 {
	if len(s.Scale) == 1 {
		return s.Scale[0]
	}
	return s.Scale[j]
}

// MaxScale returns the largest scale (sigma_max,i of Thm 7).
func (s StudentT) MaxScale() float64 {
	var m float64
	for _, v := range s.Scale {
		m = math.Max(m, v)
	}
	return m
}

// Sample implements Noise.
func (s StudentT) Sample(dst, _ []float64, _ float64, r *Rand) {
	for j := range dst {
		dst[j] = s.scale(j) * StudentTRand(s.Nu, r)
	}
}

// AddVariance implements Noise: scale_j^2 nu/(nu-2), infinite for nu <= 2.
func (s StudentT) AddVariance(dst, _ []float64, _ float64) bool {
	if s.Nu <= 2 {
		return false
	}
	v := StudentTVariance(s.Nu)
	for j := range dst {
		c := s.scale(j)
		dst[j] += c * c * v
	}
	return true
}

// AddSignMean implements Noise: E sign(g + c T) = 2 Xi_nu(g/c) (docs/math.md section 2).
func (s StudentT) AddSignMean(dst, grad []float64, _ float64) {
	for j, gj := range grad {
		c := s.scale(j)
		if c == 0 {
			dst[j] += sign(gj)
			continue
		}
		dst[j] += 2 * Xi(s.Nu, gj/c)
	}
}

// AddSignVar implements Noise.
func (s StudentT) AddSignVar(dst, grad []float64, _ float64) {
	for j, gj := range grad {
		c := s.scale(j)
		if c == 0 {
			continue // deterministic sign
		}
		m := 2 * Xi(s.Nu, gj/c)
		dst[j] += 1 - m*m
	}
}

// addSignMoments adds AddSignMean's values to mean and AddSignVar's to vr,
// each Xi evaluated once.
func (s StudentT) addSignMoments(mean, vr, grad []float64, _ float64) {
	for j, gj := range grad {
		c := s.scale(j)
		if c == 0 {
			mean[j] += sign(gj)
			continue
		}
		m := 2 * Xi(s.Nu, gj/c)
		mean[j] += m
		vr[j] += 1 - m*m
	}
}

// Validate implements Noise.
func (s StudentT) Validate(d int) error {
	if err := checkPos("nu", s.Nu); err != nil {
		return err
	}
	if len(s.Scale) != 1 && len(s.Scale) != d {
		return Invalid("scale", fmt.Sprintf("length %d", len(s.Scale)), fmt.Sprintf("must have length 1 or the dimension %d", d))
	}
	for j, v := range s.Scale {
		if err := checkNonNeg(fmt.Sprintf("scale[%d]", j), v); err != nil {
			return err
		}
	}
	return nil
}

// sign returns the sign of x, with sign(0) = 0 (and NaN for NaN). The sign
// of a noisy gradient is random, so a branch on it mispredicts half the
// time; Copysign is branch-free and the zero test almost never taken.
func sign(x float64) float64 {
	s := math.Copysign(1, x)
	if x == 0 || x != x {
		return x
	}
	return s
}
