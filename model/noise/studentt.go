package noise

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/internal/rng"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/internal/kit"
	"gonum.org/v1/gonum/mathext"
)

func init() {
	model.Register(model.Kind[StudentT, model.Noise]{
		Name: "student-t",
		Doc:  "Heavy-tailed noise Z = diag(scale) T with T_j i.i.d. Student-t with nu degrees of freedom (nu = 1: Cauchy; finite variance only for nu > 2).",
		Draw: func(dr model.Drawer, o model.DrawOptions) StudentT {
			// nu > 2m keeps the m-th moments finite with room to spare
			// (nu >= 9 for the fourth), as the z tests need.
			lo := 1.0
			if o.Moments > 0 {
				lo = 2*float64(o.Moments) + 1
			}
			return StudentT{Nu: dr.Float("nu", lo, 20), Scale: []float64{dr.Float("scale", 0.05, 2)}}
		},
	})
}

var (
	_ model.Noise            = StudentT{}
	_ model.VarianceBounder  = StudentT{}
	_ model.TScaler          = StudentT{}
	_ kit.SignMomenter       = StudentT{}
	_ kit.SignStepper        = StudentT{}
	_ kit.ScalarSignMomenter = StudentT{}
)

// StudentT is heavy-tailed noise Z = diag(Scale) T with the coordinates T_j
// i.i.d. t_Nu (independent coordinates, so that the diagonal DSignSGD SDE of
// eq. 52 is exact; a multivariate t would share one chi-square across
// coordinates). Nu = 1 is Cauchy: no mean. The variance is finite only for
// Nu > 2.
type StudentT struct {
	Nu    float64   `json:"nu" doc:"degrees of freedom > 0"`                             // degrees of freedom, > 0
	Scale []float64 `json:"scale" doc:"scales >= 0: one per coordinate, or one for all"` // per-coordinate scales >= 0: length d, or length 1 for all coordinates
}

func (s StudentT) scale(j int) float64 {
	if len(s.Scale) == 1 {
		return s.Scale[0]
	}
	return s.Scale[j]
}

// TScale implements TScaler.
func (s StudentT) TScale() (nu float64, scale []float64) { return s.Nu, s.Scale }

// MaxScale returns the largest scale (sigma_max,i of Thm 7).
func (s StudentT) MaxScale() float64 {
	var m float64
	for _, v := range s.Scale {
		m = math.Max(m, v)
	}
	return m
}

// Sample implements Noise.
func (s StudentT) Sample(dst, _ []float64, _ float64, r *model.Rand) {
	for j := range dst {
		dst[j] = s.scale(j) * StudentTRand(s.Nu, r)
	}
}

// AddVariance implements Noise: scale_j^2 nu/(nu-2), infinite for nu <= 2.
func (s StudentT) AddVariance(dst, _ []float64, _ float64) bool {
	if s.Nu <= 2 {
		return false
	}
	v := studentTVariance(s.Nu)
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
			dst[j] += kit.Sign(gj)
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
func (s StudentT) AddSignMoments(mean, vr, grad []float64, _ float64) {
	for j, gj := range grad {
		c := s.scale(j)
		if c == 0 {
			mean[j] += kit.Sign(gj)
			continue
		}
		m := 2 * Xi(s.Nu, gj/c)
		mean[j] += m
		vr[j] += 1 - m*m
	}
}

// signMoments1 implements kit.ScalarSignMomenter.
func (s StudentT) SignMoments1(g, _ float64) (mean, variance float64) {
	c := s.scale(0)
	if c == 0 {
		return kit.Sign(g), 0
	}
	m := 2 * Xi(s.Nu, g/c)
	return m, 1 - m*m
}

// Validate implements Noise.
func (s StudentT) Validate(d int) error {
	if err := kit.CheckPos("nu", s.Nu); err != nil {
		return err
	}
	if len(s.Scale) != 1 && len(s.Scale) != d {
		return model.Invalid("scale", fmt.Sprintf("length %d", len(s.Scale)), fmt.Sprintf("must have length 1 or the dimension %d", d))
	}
	for j, v := range s.Scale {
		if err := kit.CheckNonNeg(fmt.Sprintf("scale[%d]", j), v); err != nil {
			return err
		}
	}
	return nil
}

// VarianceBound implements VarianceBounder: (max_j scale_j^2 nu/(nu-2), 0)
// for nu > 2; no variance for nu <= 2.
func (s StudentT) VarianceBound() (sigma0Sq, sigma1Sq float64, ok bool) {
	if s.Nu <= 2 {
		return 0, 0, false
	}
	m := s.MaxScale()
	return m * m * studentTVariance(s.Nu), 0, true
}

// Xi returns Xi_nu(y) = F_nu(y) - 1/2, with F_nu the CDF of Student's t with
// nu > 0 degrees of freedom (paper eq. 51; its hypergeometric form
// y Gamma((nu+1)/2)/(sqrt(pi nu) Gamma(nu/2)) 2F1(1/2,(nu+1)/2;3/2;-y^2/nu)
// is the same function). Closed forms: nu = 1 gives atan(y)/pi, nu = 2 gives
// y / (2 sqrt(2 + y^2)). Otherwise
//
//	Xi_nu(y) = sign(y) (1 - I_{nu/(nu+y^2)}(nu/2, 1/2)) / 2
//
// with I the regularised incomplete beta function.
func Xi(nu, y float64) float64 {
	switch {
	case math.IsNaN(y):
		return math.NaN()
	case math.IsInf(y, 0):
		return math.Copysign(0.5, y)
	case nu == 1:
		return math.Atan(y) / math.Pi
	case nu == 2:
		return y / (2 * math.Sqrt(2+y*y))
	case y == 0:
		return 0
	case nu == math.Trunc(nu) && nu <= 64:
		return xiInteger(int(nu), y)
	}
	y2 := y * y
	var tail float64 // P(|T| > |y|)
	if y2 < nu {
		// For small |y| use the complementary form, which keeps accuracy:
		// P(|T| <= |y|) = I_{y^2/(nu+y^2)}(1/2, nu/2).
		return math.Copysign(mathext.RegIncBeta(0.5, nu/2, y2/(nu+y2))/2, y)
	}
	tail = mathext.RegIncBeta(nu/2, 0.5, nu/(nu+y2))
	return math.Copysign((1-tail)/2, y)
}

// xiInteger is Xi for an integer nu >= 3 by the finite sums of Abramowitz
// and Stegun 26.7.3-4: with theta = atan(y/sqrt nu), c = cos theta,
//
//	nu odd:  Xi = (theta + sin theta (c + (2/3) c^3 + ... + (2 4 ... (nu-3))/(1 3 ... (nu-2)) c^(nu-2)))/pi
//	nu even: Xi = (sin theta/2) (1 + (1/2) c^2 + ... + (1 3 ... (nu-3))/(2 4 ... (nu-2)) c^(nu-2))
//
// exact up to rounding and much faster than the incomplete beta function
// (the SDE of DSignSGD evaluates it at every substep; BENCHMARKS.md). With t = y/sqrt nu,
// c^2 = 1/(1 + t^2) and sin theta = t c: no trigonometric call but the
// arctangent, and that for odd nu only.
func xiInteger(nu int, y float64) float64 {
	t := y / math.Sqrt(float64(nu))
	c2 := 1 / (1 + t*t)
	c := math.Sqrt(c2)
	if math.Abs(t) > 1e150 { // t*t overflows
		c = 1 / math.Abs(t)
		c2 = c * c
	}
	sn := t * c
	if nu%2 == 1 {
		term, sum := c, c
		for k := 3; k <= nu-2; k += 2 {
			term *= c2 * float64(k-1) / float64(k)
			sum += term
		}
		return (math.Atan(t) + sn*sum) / math.Pi
	}
	term, sum := 1.0, 1.0
	for k := 2; k <= nu-2; k += 2 {
		term *= c2 * float64(k-1) / float64(k)
		sum += term
	}
	return sn * sum / 2
}

// EllNu is the Phase-3 constant of Thm 7 in the reading of docs/math.md section 3:
// the largest l with 2 Xi_nu(y) >= l y on [0,1]. Xi_nu is concave on
// [0, inf), so the chord from 0 to 1 is the binding constraint and
// ell_nu = 2 Xi_nu(1) (1/2 for the Cauchy, nu = 1).
func EllNu(nu float64) float64 { return 2 * Xi(nu, 1) }

// studentTVariance returns the variance nu/(nu-2) of a standard t_nu
// variate, +Inf for nu <= 2.
func studentTVariance(nu float64) float64 {
	if nu <= 2 {
		return math.Inf(1)
	}
	return nu / (nu - 2)
}

// StudentTRand draws a standard t_nu variate: Z / sqrt(V/nu) with V
// chi-square(nu) = 2 Gamma(nu/2). nu = 1 (Cauchy) is a ratio of two normals
// and nu = 2 uses V/2 ~ Exp(1), which avoid the gamma sampler.
func StudentTRand(nu float64, r *model.Rand) float64 {
	switch nu {
	case 1:
		return r.NormFloat64() / r.NormFloat64()
	case 2:
		return r.NormFloat64() / math.Sqrt(r.ExpFloat64())
	}
	return r.NormFloat64() / math.Sqrt(2*gammaRand(nu/2, r)/nu)
}

// gammaRand draws a Gamma(shape, 1) variate (shape > 0) by Marsaglia and
// Tsang (2000), with the boost Gamma(a) = Gamma(a+1) U^(1/a) for a < 1.
func gammaRand(shape float64, r *model.Rand) float64 {
	if shape < 1 {
		u := r.Float64()
		for u == 0 {
			u = r.Float64()
		}
		return gammaRand(shape+1, r) * math.Pow(u, 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		x2 := x * x
		if u < 1-0.0331*x2*x2 {
			return d * v
		}
		if math.Log(u) < 0.5*x2+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// CDF implements CDFer: 1/2 + Xi_nu(z/scale_j) (a step at 0 for scale 0).
func (s StudentT) CDF(j int, z, _ float64) float64 {
	c := s.scale(j)
	if c == 0 {
		if z >= 0 {
			return 1
		}
		return 0
	}
	return 0.5 + Xi(s.Nu, z/c)
}

// signStepScalar implements kit.SignStepper for nu = 1 (Cauchy): the ratio of
// two NormFloat64 draws, with the stream's state in locals.
func (s StudentT) SignStepScalar(xs, gs, gn2s, hs []float64, live []bool, rs []model.Rand) bool {
	if s.Nu != 1 {
		return false
	}
	n := len(xs)
	gs, hs, live, rs = gs[:n], hs[:n], live[:n], rs[:n]
	c := s.scale(0)
	for p := range xs {
		if !live[p] {
			continue
		}
		r := &rs[p]
		st, u := r.Next()
		z1, ok := rng.ZigFast(u)
		if !ok {
			st, z1 = r.NormSlowAt(st, u)
		}
		st, u = st.Next()
		z2, ok := rng.ZigFast(u)
		if !ok {
			st, z2 = r.NormSlowAt(st, u)
		}
		r.State = st
		xs[p] -= hs[p] * kit.Sign(gs[p]+c*(z1/z2))
	}
	return true
}

// ZeroScale implements ZeroScaler: the largest scale.
func (s StudentT) ZeroScale() float64 { return s.MaxScale() }

// normalsPerCoord implements kit.NormalDrawer: nu = 1 (Cauchy) is a ratio of
// two normals; other nu draw a gamma variate as well (0).
func (s StudentT) NormalsPerCoord() int {
	if s.Nu == 1 {
		return 2
	}
	return 0
}
