package theorems

import (
	"github.com/sdeverify/sdeverify/internal/format"
	"github.com/sdeverify/sdeverify/model/update"
)

// Thm6Printed and Thm6Eta are Theorem 6 (DCSGD, (sigma0,sigma1)-variance;
// App. A Thm 10) in its two readings. With
// A6 = w + d (mean(s1 omega) + s1) and B6 = d (s0 + mean(s0 omega)):
//
//	eta eta_t <= 2 N eps / (L0 A6 + L1 B6 + L1 A6 G_t)                          (eq. 5)
//	LHS(T) <= [f(X0) - f* + phi2 (L0 A6 + L1 B6)/(2N)] / ((1-eps) phi1)         (eq. 6, as printed)
//
// The proof's Ito term carries a factor eta that eq. 6 drops; Thm6Eta has
// C = eta (L0 A6 + L1 B6)/(2N), a bound smaller by the factor eta on the
// phi2 term.
func Thm6Printed() Theorem { return thm6("thm6-printed", false) }

// Thm6Eta is Theorem 6 with the factor eta of the proof (see Thm6Printed).
func Thm6Eta() Theorem { return thm6("thm6-eta", true) }

// Thm6Corrected is the suite's derivation, not the paper's (finding F5):
// the proof's Ito term is at most
//
//	eta eta_t^2/(2N) (L0 + L1 ||g||) (A6 ||g||^2 + B6),
//
// whose part (L0 A6 + L1 A6 ||g||) ||g||^2 (and L1 B6 ||g|| for ||g|| > 1)
// eq. 5 absorbs into eps eta_t ||g||^2, leaving at most
// eta eta_t^2 (L0 + L1) B6/(2N): the bound's constant is
// C = eta (L0 + L1) B6/(2N), the analogue of Thms 4 and 5, whereas eq. 6
// has (L0 A6 + L1 B6)/(2N), which lacks L0 B6 (the sigma0^2 noise against
// L0) and fails where that term dominates.
func Thm6Corrected() Theorem {
	t := thm6("thm6-corrected", true)
	t.Name = "Thm 6 (DCSGD, affine variance, the suite's corrected bound: C = eta (L0+L1) B6/(2N))"
	inner := t.class
	t.class = func(in Inputs) (Constants, Hypothesis) {
		k, h := inner(in)
		if h.Held {
			b6 := float64(k.D) * (k.Sigma0Sq + k.Sigma0SqOm)
			k.C = in.Eta * (k.L0 + k.L1) * b6 / (2 * float64(k.N))
		}
		return k, h
	}
	return t
}

func thm6(id string, withEta bool) Theorem {
	name := "Thm 6 (DCSGD, affine variance, bound as printed)"
	if withEta {
		name = "Thm 6 (DCSGD, affine variance, bound with the proof's factor eta)"
	}
	return Theorem{
		ID:     id,
		Name:   name,
		Ref:    "Sec. 4.2 Thm 6, eqs. 5-6; App. A Thm 10, eqs. 47-48",
		Method: update.DCSGD,
		// App. A Thm 10 assumes Robbins-Monro for its limit.
		RobbinsMonroLimit: true,
		class: func(in Inputs) (Constants, Hypothesis) {
			k := base(in)
			if i, ok := varianceMeans(in, &k); !ok {
				return k, notVarianceClass(in, i)
			}
			d, n := float64(k.D), float64(k.N)
			a6 := k.Omega + d*(k.Sigma1SqOm+k.Sigma1Sq)
			b6 := d * (k.Sigma0Sq + k.Sigma0SqOm)
			k.Num = 2 * n * in.Eps
			k.A = k.L0*a6 + k.L1*b6
			k.B = k.L1 * a6
			k.A1 = 1 - in.Eps
			k.C = (k.L0*a6 + k.L1*b6) / (2 * n)
			if withEta {
				k.C *= in.Eta
			}
			return k, held("noise class", "(sigma0,sigma1)-variance, mean sigma0^2 = %s, sigma1^2 = %s, omega = %s", format.Num(k.Sigma0Sq), format.Num(k.Sigma1Sq), format.Num(k.Omega))
		},
	}
}
