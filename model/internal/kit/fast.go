package kit

import "github.com/sdeverify/sdeverify/internal/rng"

// The fast paths' capabilities: what the step kernels of package model
// ask of a built-in kind, each implemented in the kind's own file.

// GaussianLaw is a Noise whose law is N(0, s(x)^2 I) with s(x)^2 =
// sigma0^2 + sigma1^2 ||grad f(x)||^2 (model/noise/gaussian.go): the fast paths that
// draw the agents' average as one Gaussian, draw noise only for the
// coordinates a sparsifying compressor keeps, or sum the agents' variance
// once for all coordinates ask for it.
type GaussianLaw interface {
	// variance returns s(x)^2 = sigma0^2 + sigma1^2 gn2.
	Variance(gn2 float64) float64
	// affineVariance returns (sigma0^2, sigma1^2).
	AffineVariance() (sigma0Sq, sigma1Sq float64)
	// Std returns s(x).
	Std(gn2 float64) float64
}

// SignMomenter is a Noise that adds E sign and Var sign in one pass (the
// same values as AddSignMean and AddSignVar, each computed once).
type SignMomenter interface {
	AddSignMoments(mean, vr, grad []float64, gn2 float64)
}

// ScalarSignMomenter is a Noise with E sign(g + Z) and Var sign(g + Z) at
// one coordinate in d = 1 (gn2 = g^2): AddSignMean's and AddSignVar's
// values with the same operations (the one-dimensional SDE path, sde1.go).
type ScalarSignMomenter interface {
	SignMoments1(g, gn2 float64) (mean, variance float64)
}

// SparseCompressor is a Compressor that keeps a random subset of the
// coordinates, scaled (model/compress: randk.go, bernoulli.go): with Gaussian noise,
// sparseGaussian draws the noise only for the kept ones.
type SparseCompressor interface {
	// addSparseGaussian adds sc C(grad + sd Z) to dst, Z i.i.d. N(0, 1)
	// drawn only for the kept coordinates.
	AddSparseGaussian(dst, grad []float64, sc, sd float64, ws *Workspace, r *rng.Rand)
}

// CubeStepper is a SparseCompressor that also fuses the step x += sc
// C(grad + sd Z) with the gradient of a sum of quartics (model/compress/randk.go;
// System.DiscreteStepGrad): it refreshes grad_t = x_t^3 for the moved
// coordinates only and reports whether one of them has |x_t| above the
// threshold with bits tb or is NaN.
type CubeStepper interface {
	AddSparseGaussianCube(x, grad []float64, sc, sd float64, tb uint64, ws *Workspace, r *rng.Rand) (over bool)
}

// CubeGradient is an Objective whose gradient is x_j^3 coordinate-wise,
// computed as x*x*x (a sum of quartics; model/objective/objectives.go).
type CubeGradient interface{ CubeGrad() bool }

// NormalDrawer is a Noise whose draw in dimension d takes d times
// normalsPerCoord standard normals and nothing else (Gaussian: 1; Cauchy:
// 2, a ratio of normals); 0 means not so.
type NormalDrawer interface{ NormalsPerCoord() int }

// SparseDrawer is a Compressor that keeps a fixed number of coordinates
// and draws a uniform index and a normal for each under Gaussian noise
// (rand-k's sparseGaussian: Floyd's selection).
type SparseDrawer interface{ Kept(d int) int }

// NormalsAparter is a Method whose Diffuse needs z apart from dst.
type NormalsAparter interface{ NormalsApart() bool }

// SignStepper is a Noise with a batched one-agent DSignSGD step in d = 1
// (model/noise: gaussian.go; studentt.go for nu = 1): xs[p] -= hs[p] sign(gs[p] + Z_p)
// for the live paths, each Z_p drawn from rs[p] as Sample draws it. It
// reports false, doing nothing, for parameters it does not batch.
type SignStepper interface {
	SignStepScalar(xs, gs, gn2s, hs []float64, live []bool, rs []rng.Rand) bool
}
