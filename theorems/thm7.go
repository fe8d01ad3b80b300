package theorems

import (
	"math"

	"github.com/sdeverify/sdeverify/internal/format"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/update"
)

// Thm7 is Theorem 7 (DSignSGD, Student-t noise with nu >= 1; App. A Thm 12).
// With sigma_H the harmonic mean of the agents' largest scales, a =
// ell_nu/sigma_H, c = eta L1 d/(2N) and weights w_t = eta_t a - eta_t^2 c:
//
//	eta eta_t < 2 N ell_nu / (sigma_H L1 d),  eta_t Robbins-Monro
//	LHS7(T) = int w_t E||grad f||^2 / int w_t <= [f(X0) - f* + eta (L0+L1) d phi2/(2N)] / (phi1 a - phi2 c)   (eq. 7)
//
// ell_nu is a setting (Inputs.Ell), by default 2 Xi_nu(1) (docs/math.md section
// 3). Every agent must have the same nu.
func Thm7() Theorem {
	return Theorem{
		ID:     "thm7",
		Name:   "Thm 7 (DSignSGD, Student-t noise)",
		Ref:    "Sec. 4.2 Thm 7, eq. 7; App. A Thm 12, eqs. 53, 57, 72-76",
		Method: update.DSignSGD,
		// "eta_t Robbins-Monro" (Thm 7's statement, App. A Thm 12).
		RobbinsMonro: true,
		UsesEll:      true,
		class: func(in Inputs) (Constants, Hypothesis) {
			k := base(in)
			var inv float64
			for i, a := range in.System.Agents {
				t, ok := a.Noise.(model.TScaler)
				if !ok {
					return k, failed("noise class", "agent %d's noise %s is not student-t", i, noiseText(a.Noise))
				}
				nu, scale := t.TScale()
				if i == 0 {
					k.Nu = nu
				} else if nu != k.Nu {
					return k, failed("noise class", "agents have different nu (%s and %s); the theorem has one nu", format.Param(k.Nu), format.Param(nu))
				}
				var m float64 // sigma_max,i: the largest scale
				for _, v := range scale {
					m = math.Max(m, v)
				}
				if m == 0 {
					return k, failed("noise class", "agent %d has all scales 0 (no noise): sigma_H = 0", i)
				}
				inv += 1 / m
			}
			if k.Nu < 1 {
				return k, failed("noise class", "nu = %s < 1", format.Param(k.Nu))
			}
			d, n := float64(k.D), float64(k.N)
			k.SigmaH = n / inv
			k.Ell = in.Ell
			if k.Ell == 0 {
				k.Ell = noise.EllNu(k.Nu)
			}
			k.Num = 2 * n * k.Ell
			k.A = k.SigmaH * k.L1 * d
			k.Strict = true
			k.A1 = k.Ell / k.SigmaH
			k.A2 = -in.Eta * k.L1 * d / (2 * n)
			k.C = in.Eta * (k.L0 + k.L1) * d / (2 * n)
			if math.IsNaN(k.A1) {
				return k, failed("noise class", "ell_nu/sigma_H is not a number")
			}
			return k, held("noise class", "Student-t, nu = %s, sigma_H = %s, ell_nu = %s", format.Param(k.Nu), format.Num(k.SigmaH), format.Num(k.Ell))
		},
	}
}
