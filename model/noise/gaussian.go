package noise

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/internal/kit"
)

func init() {
	model.Register(model.Kind[Gaussian, model.Noise]{
		Name: "gaussian",
		Doc:  "Affine-variance Gaussian noise (paper Def. 2 with equality): Z ~ N(0, (sigma0^2 + sigma1^2 ||grad f||^2) I).",
		Draw: func(dr model.Drawer, _ model.DrawOptions) Gaussian {
			return Gaussian{Sigma0: dr.Float("sigma0", 0, 2), Sigma1: dr.Float("sigma1", 0, 1)}
		},
	})
}

var (
	_ model.Noise            = Gaussian{}
	_ model.VarianceBounder  = Gaussian{}
	_ kit.GaussianLaw        = Gaussian{}
	_ kit.SignMomenter       = Gaussian{}
	_ kit.SignStepper        = Gaussian{}
	_ kit.ScalarSignMomenter = Gaussian{}
)

// Gaussian is the affine-variance Gaussian noise of paper Def. 2 taken with
// equality: Z ~ N(0, s(x)^2 I) with s(x)^2 = Sigma0^2 + Sigma1^2 ||grad f(x)||^2.
// Bounded variance is Sigma1 = 0; Figure 1 uses Sigma0 = 0.
type Gaussian struct {
	Sigma0 float64 `json:"sigma0" doc:"gradient-independent scale >= 0"`  // gradient-independent scale, >= 0
	Sigma1 float64 `json:"sigma1" doc:"gradient-proportional scale >= 0"` // gradient-proportional scale, >= 0
}

// Std returns s(x) for a gradient with squared norm gradNorm2.
func (g Gaussian) Std(gradNorm2 float64) float64 {
	return math.Sqrt(g.Sigma0*g.Sigma0 + g.Sigma1*g.Sigma1*gradNorm2)
}

// Variance implements kit.GaussianLaw: s(x)^2.
func (g Gaussian) Variance(gradNorm2 float64) float64 {
	return g.Sigma0*g.Sigma0 + g.Sigma1*g.Sigma1*gradNorm2
}

// affineVariance implements kit.GaussianLaw: (Sigma0^2, Sigma1^2).
func (g Gaussian) AffineVariance() (sigma0Sq, sigma1Sq float64) {
	return g.Sigma0 * g.Sigma0, g.Sigma1 * g.Sigma1
}

// Sample implements Noise.
func (g Gaussian) Sample(dst, _ []float64, gradNorm2 float64, r *model.Rand) {
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
			dst[j] += kit.Sign(gj)
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
func (g Gaussian) AddSignMoments(mean, vr, grad []float64, gradNorm2 float64) {
	s := g.Std(gradNorm2)
	if s == 0 {
		for j, gj := range grad {
			mean[j] += kit.Sign(gj)
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

// signMoments1 implements kit.ScalarSignMomenter.
func (g Gaussian) SignMoments1(x, gradNorm2 float64) (mean, variance float64) {
	s := g.Std(gradNorm2)
	if s == 0 {
		return kit.Sign(x), 0
	}
	m := math.Erf(x * (1 / (math.Sqrt2 * s)))
	return m, 1 - m*m
}

// Validate implements Noise.
func (g Gaussian) Validate(int) error {
	if err := kit.CheckNonNeg("sigma0", g.Sigma0); err != nil {
		return err
	}
	return kit.CheckNonNeg("sigma1", g.Sigma1)
}

// VarianceBound implements VarianceBounder: (Sigma0^2, Sigma1^2).
func (g Gaussian) VarianceBound() (sigma0Sq, sigma1Sq float64, ok bool) {
	return g.Sigma0 * g.Sigma0, g.Sigma1 * g.Sigma1, true
}

// CDF implements CDFer: Phi(z/s(x)) (a step at 0 when s(x) = 0).
func (g Gaussian) CDF(_ int, z, gradNorm2 float64) float64 {
	s := g.Std(gradNorm2)
	if s == 0 {
		if z >= 0 {
			return 1
		}
		return 0
	}
	return math.Erfc(-z/(math.Sqrt2*s)) / 2
}

// signStepScalar implements kit.SignStepper.
func (g Gaussian) SignStepScalar(xs, gs, gn2s, hs []float64, live []bool, rs []model.Rand) bool {
	n := len(xs)
	gs, gn2s, hs, live, rs = gs[:n], gn2s[:n], hs[:n], live[:n], rs[:n]
	for p := range xs {
		if !live[p] {
			continue
		}
		z := rs[p].NormFloat64()
		xs[p] -= hs[p] * kit.Sign(gs[p]+g.Std(gn2s[p])*z)
	}
	return true
}

// Normal1D implements Normal1Der: Z ~ N(0, s(x)^2).
func (g Gaussian) Normal1D(_, gradNorm2 float64) float64 {
	return g.Sigma0*g.Sigma0 + g.Sigma1*g.Sigma1*gradNorm2
}

// ZeroScale implements ZeroScaler: s = Sigma0 at grad f = 0.
func (g Gaussian) ZeroScale() float64 { return g.Sigma0 }

// Quantile implements Quantiler: s(x) sqrt 2 erfinv(2p - 1), computed by
// erfcinv on the nearer tail (0 when s(x) = 0).
func (g Gaussian) Quantile(_ int, p, gradNorm2 float64) float64 {
	s := g.Std(gradNorm2)
	if p > 0.5 {
		return s * math.Sqrt2 * math.Erfcinv(2*(1-p))
	}
	return -s * math.Sqrt2 * math.Erfcinv(2*p)
}

// normalsPerCoord implements kit.NormalDrawer: one normal per coordinate.
func (Gaussian) NormalsPerCoord() int { return 1 }

// NormalScales implements NormalScaler: (Sigma0, Sigma1).
func (g Gaussian) NormalScales() (sigma0, sigma1 float64) { return g.Sigma0, g.Sigma1 }
