package mc

import (
	"math"
	"slices"
)

// ParetoKHat estimates the shape k of the generalised Pareto distribution
// fitted to the upper tail of values, the diagnostic of Vehtari, Simpson,
// Gelman, Yao and Gabry ("Pareto smoothed importance sampling", 2015/2024;
// posterior::pareto_khat). A tail P(Y > y) ~ y^(-1/k) has finite moments of
// order below 1/k: k < 1/2 is consistent with a finite variance (the normal
// interval of a sample mean has a basis), 1/2 <= k < 1 says the variance is
// probably infinite (the mean is finite but the interval is not), k >= 1
// that the mean itself may be infinite. Light tails give k <= 0.
//
// The tail is the M = ceil(min(S/5, 3 sqrt S)) largest of the S finite
// values (as in the paper), their exceedances over the next value fitted
// by the profile-likelihood method of Zhang and Stephens (2009) with the
// paper's weakly informative prior on k (10 pseudo-observations at 1/2).
// It returns k and M; k is NaN when there are fewer than 20 finite values
// or the tail is flat (no exceedance: no evidence of a tail).
func ParetoKHat(values []float64) (k float64, m int) {
	x := make([]float64, 0, len(values))
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			x = append(x, v)
		}
	}
	s := len(x)
	if s < 20 {
		return math.NaN(), 0
	}
	slices.Sort(x)
	m = int(math.Ceil(math.Min(float64(s)/5, 3*math.Sqrt(float64(s)))))
	u := x[s-m-1]
	tail := make([]float64, m)
	for i, v := range x[s-m:] {
		tail[i] = v - u
	}
	if tail[m-1] <= 0 {
		return math.NaN(), m
	}
	return gpdShape(tail), m
}

// gpdShape fits the shape of a generalised Pareto distribution to the
// sorted positive exceedances y (Zhang and Stephens 2009): a posterior mean
// of theta = -k/sigma over a grid of candidate thetas weighted by their
// profile likelihoods, then k = mean(log(1 - theta y)) (theta < 0 for a
// heavy tail) and the prior's shrinkage towards 1/2.
func gpdShape(y []float64) float64 {
	n := len(y)
	const prior = 3
	mgrid := 30 + int(math.Sqrt(float64(n)))
	q := y[max(0, int(float64(n)/4+0.5)-1)]
	theta := make([]float64, mgrid)
	lik := make([]float64, mgrid)
	for j := range theta {
		theta[j] = (1-math.Sqrt(float64(mgrid)/(float64(j+1)-0.5)))/(prior*q) + 1/y[n-1]
		var kk float64
		for _, v := range y {
			kk += math.Log1p(-theta[j] * v)
		}
		kk /= float64(n)
		lik[j] = float64(n) * (math.Log(-theta[j]/kk) - kk - 1)
	}
	var post, wsum float64
	for j := range theta {
		// w_j = 1 / sum_i exp(lik_i - lik_j): stable for large likelihoods.
		var den float64
		for i := range lik {
			den += math.Exp(lik[i] - lik[j])
		}
		w := 1 / den
		if w < 10*0x1p-52 {
			continue
		}
		post += theta[j] * w
		wsum += w
	}
	post /= wsum
	var kk float64
	for _, v := range y {
		kk += math.Log1p(-post * v)
	}
	k := kk / float64(n)
	// Weakly informative prior: 10 pseudo-observations at k = 1/2.
	const a = 10
	return k*float64(n)/float64(n+a) + a*0.5/float64(n+a)
}
