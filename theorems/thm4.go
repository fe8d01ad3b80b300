package theorems

import (
	"github.com/sdeverify/sdeverify/internal/format"
	"github.com/sdeverify/sdeverify/model/update"
)

// Thm4 is Theorem 4 (DSGD, (sigma0,sigma1)-variance; App. A Thm 8):
//
//	eta eta_t <= 2 N eps / (d (s1 L0 + s0 L1 + L1 s1 G_t))                       (eq. 1)
//	LHS(T) <= [f(X0) - f* + phi2 eta d (L0+L1)(s0 + s1)/(2N)] / (phi1 (1-eps))     (eq. 2)
//
// with s0, s1 the agents' mean sigma0^2, sigma1^2.
func Thm4() Theorem {
	return Theorem{
		ID:     "thm4",
		Name:   "Thm 4 (DSGD, affine variance)",
		Ref:    "Sec. 4.2 Thm 4, eqs. 1-2; App. A Thm 8, eqs. 9-10, 21, 26",
		Method: update.DSGD,
		// App. A Thm 8 assumes Robbins-Monro for eq. 10's limit.
		RobbinsMonroLimit: true,
		class: func(in Inputs) (Constants, Hypothesis) {
			k := base(in)
			if i, ok := varianceMeans(in, &k); !ok {
				return k, notVarianceClass(in, i)
			}
			d, n := float64(k.D), float64(k.N)
			k.Num = 2 * n * in.Eps
			k.A = d * (k.Sigma1Sq*k.L0 + k.Sigma0Sq*k.L1)
			k.B = d * k.L1 * k.Sigma1Sq
			k.A1 = 1 - in.Eps
			k.C = in.Eta * d * (k.L0 + k.L1) * (k.Sigma0Sq + k.Sigma1Sq) / (2 * n)
			return k, held("noise class", "(sigma0,sigma1)-variance with mean sigma0^2 = %s, sigma1^2 = %s", format.Num(k.Sigma0Sq), format.Num(k.Sigma1Sq))
		},
	}
}
