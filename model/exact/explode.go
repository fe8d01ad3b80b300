package exact

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/internal/format"
	"github.com/sdeverify/sdeverify/model"
)

// Explosion is a certificate that an SDE explodes (|X| reaches infinity
// in finite time) with positive probability: see RadialExplosion.
type Explosion struct {
	// From any x with |x|^2 >= R1 the SDE explodes before a time T
	// with probability at least Lower (>= 1 - (R0/R1)^P - exp(-C T)).
	R0, R1, P, C, Lower float64
	Why                 string
}

// RadialExplosion decides, for the SDE of a method whose update is the
// agents' mean of their compressed noisy gradients (model.CompressedMeaner:
// DSGD, DCSGD) with compressors of a linear D(v) (model.Unbiased's Linear:
// identity, Bernoulli, rand-k) and normal agents (model.NormalScaler) on
// f = sum_j x_j^4/4 in d dimensions (model.PowerSummer, a = 1 and r = 3)
// under a constant rate, whether it explodes before T with positive
// probability. With R = |X|^2, g = grad f,
// G = |g|^2 and the diffusion covariance rate^2 (eta/N) S,
// S = diag(s0 + s1 G + a g_j^2) - b g g^T (DSGD: a = b = 0), Ito gives
//
//	LR  = -2 rate x.g + rate^2 k (d s0 + kappa G),   kappa = d s1 + a - b, k = eta/N
//	d<R> <= 4 rate^2 k (s0 R + (s1 + a) G R) dt.
//
// For V = C - R^-p (bounded, increasing, concave in R), with
// x.g <= sqrt(R G) and, for the quartic, G = sum x_j^6 >= R^3/d^2:
//
//	LV >= p rate^2 k R^(-p-1) [G (theta - 2d/(rate k R)) + s0 (d - 2(p+1))],
//	theta = kappa - 2 (p+1) (s1 + a),
//
// so with theta > 0 and R >= R0 = 4d/(rate k theta), LV >= c V with
// c = p rate^2 k theta R0^2/(2 d^2) (taking C = R0^-p, V = 0 on R = R0).
// Then e^(-ct) V(X_t) stopped at R = R0, at T or at explosion is a bounded
// submartingale, and from |x|^2 = R1 > R0
//
//	P(explosion before T) >= 1 - (R0/R1)^p - e^(-c T)
//
// (V(x) <= C P(explode) + C e^(-cT); V vanishes on the inner sphere). From
// x0 inside R1 the process reaches |x|^2 >= R1 within T/2 with positive
// probability: S >= (s1 - b) G I is non-degenerate away from the origin
// (the support theorem of Stroock and Varadhan), so the explosion
// probability from x0 is positive. ok is false when the system is not of
// this form or theta <= 0 for every p tried (nothing decided).
func RadialExplosion(sys model.System, eta, rate float64, x0 []float64, T float64) (Explosion, bool) {
	f := model.Uncertified(sys.F)
	ps, ok := f.(model.PowerSummer)
	if !ok || !(rate > 0) || !(eta > 0) || !(T > 0) {
		return Explosion{}, false
	}
	if a, r, ok := ps.PowerSum(); !ok || a != 1 || r != 3 {
		return Explosion{}, false
	}
	cm, ok := sys.Method.(model.CompressedMeaner)
	if !ok {
		return Explosion{}, false
	}
	dim := f.Dim()
	d := float64(dim)
	n := float64(len(sys.Agents))
	var s0, s1, a, b float64
	for _, ag := range sys.Agents {
		gs, ok := ag.Noise.(model.NormalScaler)
		if !ok {
			return Explosion{}, false
		}
		sigma0, sigma1 := gs.NormalScales()
		u, ok := cm.AgentCompressor(ag).(model.Unbiased)
		if !ok {
			return Explosion{}, false
		}
		al, be, ok := u.Linear(dim)
		if !ok {
			return Explosion{}, false
		}
		s0 += (1 + al - be) * sigma0 * sigma0 / n
		s1 += (1 + al - be) * sigma1 * sigma1 / n
		a += al / n
		b += be / n
	}
	nonzero := false
	for _, v := range x0 {
		nonzero = nonzero || v != 0
	}
	if !(s1 > b) || !nonzero {
		return Explosion{}, false // degenerate at some x != 0, or started at the minimiser
	}
	k := eta / n
	kappa := d*s1 + a - b
	var best Explosion
	for _, p := range []float64{1, 0.5, 0.25, 0.1} {
		theta := kappa - 2*(p+1)*(s1+a)
		if !(theta > 0) || (s0 > 0 && d < 2*(p+1)) {
			continue
		}
		r0 := 4 * d / (rate * k * theta)
		c := p * rate * rate * k * theta * r0 * r0 / (2 * d * d)
		r1 := 10 * r0
		lower := 1 - math.Pow(r0/r1, p) - math.Exp(-c*T/2)
		if lower > best.Lower {
			best = Explosion{R0: r0, R1: r1, P: p, C: c, Lower: lower}
		}
	}
	if !(best.Lower > 0) {
		return Explosion{}, false
	}
	best.Why = fmt.Sprintf("with R = |X|^2 the Ito drift of V = R0^-p - R^-p satisfies LV >= c V beyond R0 = %s (p = %s, c = %s; kappa = d s1 + a - b = %s outruns 2(p+1)(s1 + a) = %s and the drift -2 x.grad f), "+
		"so from |x|^2 >= R1 = %s the SDE explodes within T/2 = %s with probability >= %s, and from x0 it reaches |x|^2 >= R1 within T/2 with positive probability (non-degenerate diffusion away from 0): "+
		"the SDE explodes before T with positive probability", format.Num(best.R0), format.Param(best.P), format.Sig(best.C, 3), format.Num(kappa), format.Num(2*(best.P+1)*(s1+a)), format.Num(best.R1), format.Param(T/2), format.Sig(best.Lower, 3))
	return best, true
}
