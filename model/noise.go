package model

// Noise is one agent's gradient noise Z(x): centred (E Z = 0 where the mean
// exists), with independent coordinates, independent across agents and
// steps. A law's own file registers it as a kind (Register) for the
// configurations. Its methods take the true gradient
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

// A VarianceBounder is a noise law in the (sigma0,sigma1)-variance class
// of paper Def. 2: ||Sigma(x)||_inf <= sigma0^2 + sigma1^2 ||grad f(x)||^2
// for every x, with Sigma(x) its covariance. The theorems' hypotheses ask
// for it; a law without it, or with ok false (infinite variance), is
// outside the class and the theorems that need the class are VACUOUS.
type VarianceBounder interface {
	VarianceBound() (sigma0Sq, sigma1Sq float64, ok bool)
}

// A TScaler is a noise law Z = diag(scale) T with the coordinates T_j
// i.i.d. Student-t with nu degrees of freedom (StudentT): the class of
// Thm 7's hypotheses. TScale returns nu and the scales, one per
// coordinate or one for all (the caller must not modify them).
type TScaler interface {
	TScale() (nu float64, scale []float64)
}
