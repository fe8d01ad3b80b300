package theorems

import (
	"github.com/sdeverify/sdeverify/internal/format"
	"github.com/sdeverify/sdeverify/model/update"
)

// Thm5 is Theorem 5 (DCSGD, unbiased compression, bounded variance; App. A
// Thm 9):
//
//	eta eta_t <= 2 N eps / (w L0 + d (s + sw) L1 + w L1 G_t)                    (eq. 3, as Thm 9)
//	LHS(T) <= [f(X0) - f* + phi2 eta (L0+L1) d (s + sw)/(2N)] / (phi1 (1-eps))    (eq. 4)
//
// with w the mean omega, s the mean sigma_i^2 and sw the mean sigma_i^2 omega_i.
// Eq. 3 prints "eta_t <=" where Thm 9 and the proof have "eta eta_t": we
// use eta eta_t (docs/math.md section 3). The class is bounded variance:
// sigma1 = 0 on every agent.
func Thm5() Theorem {
	return Theorem{
		ID:     "thm5",
		Name:   "Thm 5 (DCSGD, bounded variance)",
		Ref:    "Sec. 4.2 Thm 5, eqs. 3-4; App. A Thm 9, eqs. 29-30, 45-46",
		Method: update.DCSGD,
		// App. A Thm 9 assumes Robbins-Monro for its limit.
		RobbinsMonroLimit: true,
		class: func(in Inputs) (Constants, Hypothesis) {
			k := base(in)
			if i, ok := varianceMeans(in, &k); !ok {
				return k, notVarianceClass(in, i)
			}
			if k.Sigma1Sq > 0 {
				return k, failed("noise class", "bounded variance needs sigma1 = 0 on every agent, mean sigma1^2 = %s (affine noise is Thm 6's class)", format.Num(k.Sigma1Sq))
			}
			d, n := float64(k.D), float64(k.N)
			s, sw := k.Sigma0Sq, k.Sigma0SqOm
			k.Num = 2 * n * in.Eps
			k.A = k.Omega*k.L0 + d*(s+sw)*k.L1
			k.B = k.Omega * k.L1
			k.A1 = 1 - in.Eps
			k.C = in.Eta * (k.L0 + k.L1) * d * (s + sw) / (2 * n)
			return k, held("noise class", "bounded variance, mean sigma^2 = %s, mean omega = %s", format.Num(s), format.Num(k.Omega))
		},
	}
}
