package mc

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// ZCrit returns the two-sided critical value z_{1-alpha/2} of the standard
// normal: P(|Z| > ZCrit(alpha)) = alpha.
func ZCrit(alpha float64) float64 {
	return distuv.UnitNormal.Quantile(1 - alpha/2)
}

// ZResult is the evidence of a two-sided z test of a mean against a target.
type ZResult struct {
	Estimate, SE, Target float64
	N                    int
	Z, Crit, Alpha       float64
	Reject               bool // |Z| > Crit: the data contradict the target at level Alpha
}

func (r ZResult) String() string {
	return fmt.Sprintf("estimate %.6g (se %.3g, n %d) vs target %.6g: z = %.2f, crit %.2f at alpha %.2g, reject %v",
		r.Estimate, r.SE, r.N, r.Target, r.Z, r.Crit, r.Alpha, r.Reject)
}

// ZTest tests whether a sample with moments m has mean target, two-sided at
// level alpha, by the central limit theorem (use it only for samples of a
// few hundred or more with finite variance). A zero standard error rejects
// exactly when the estimate differs from the target.
func ZTest(m Moments, target, alpha float64) ZResult {
	return ZTestSE(m.Mean, m.SE(), m.N, target, alpha)
}

// ZTestSE is ZTest from an estimate and its standard error.
func ZTestSE(est, se float64, n int, target, alpha float64) ZResult {
	r := ZResult{Estimate: est, SE: se, Target: target, N: n, Crit: ZCrit(alpha), Alpha: alpha}
	switch {
	case math.IsNaN(est) || math.IsNaN(se):
		r.Z, r.Reject = math.NaN(), true
	case se == 0:
		switch {
		case est == target:
			r.Z = 0
		default:
			r.Z = math.Copysign(math.Inf(1), est-target) // signed, for one-sided use
		}
		r.Reject = est != target
	default:
		r.Z = (est - target) / se
		r.Reject = math.Abs(r.Z) > r.Crit
	}
	return r
}

// DKWEpsilon returns the half-width e of the Dvoretzky-Kiefer-Wolfowitz band
// with Massart's constant: P(sup_x |F_n(x) - F(x)| > e) <= alpha for every n,
// e = sqrt(log(2/alpha) / (2n)).
func DKWEpsilon(n int, alpha float64) float64 {
	return math.Sqrt(math.Log(2/alpha) / (2 * float64(n)))
}

// ClopperPearson returns the two-sided exact 1-alpha confidence interval for
// a binomial proportion with k successes in n trials.
func ClopperPearson(k, n int, alpha float64) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	if k > 0 {
		lo = mathext.InvRegIncBeta(float64(k), float64(n-k+1), alpha/2)
	}
	hi = 1
	if k < n {
		hi = mathext.InvRegIncBeta(float64(k+1), float64(n-k), 1-alpha/2)
	}
	return lo, hi
}
