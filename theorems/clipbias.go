package theorems

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/internal/format"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/update"
)

// ClipBias is clipped SGD's mean update m(x) = E clip_c(f'(x) + Z) in
// d = 1 on f = x^2/2 (f'(x) = x), and where it vanishes
// (docs/literature.md section 3, docs/math.md section 11; grade: ours).
// Under symmetric noise sign m = sign f' and the only zero of m is the
// stationary point 0; under the centred exponential Z = E - 1,
// E ~ Exp(1), with c = 1, m(x) = x - e^(x-2) on [0, 2): m(0) = -e^-2 and
// m vanishes at x* = -W0(-e^-2) = 0.158594, where f'(x*) != 0. The first-
// order SDE's drift is -m, so its (and the method's, for small steps)
// fixed point is biased by x*.
type ClipBias struct {
	Noise     string  `json:"noise"`
	Symmetric bool    `json:"symmetric"`
	Clip      float64 `json:"clip"`
	Source    string  `json:"source"` // how m was computed
	// GridPoints: the grid x in [-GridHalf, GridHalf] where sign m was
	// compared with sign f'; SignMismatches: where they differed (x != 0).
	GridPoints     int     `json:"grid_points"`
	GridHalf       float64 `json:"grid_half"`
	SignMismatches int     `json:"sign_mismatches"`
	M0             float64 `json:"m0"`   // m at the stationary point 0
	Zero           float64 `json:"zero"` // the zero of m (bisection)
	ZeroTol        float64 `json:"zero_tol"`
	GradAtZero     float64 `json:"grad_at_zero"` // f'(zero) = zero
	Verdict        string  `json:"verdict"`
}

// ClipBiasStudies computes the three cases the report shows: Gaussian and
// Student-t noise (symmetric; m from the model's own drift: the closed
// form and the quadrature of update.ClippedSGD) and the centred exponential
// (asymmetric; m in closed form, ClipMeanExp).
func ClipBiasStudies() ([]ClipBias, error) {
	const c = 1.0
	var out []ClipBias
	for _, nz := range []model.Noise{noise.Gaussian{Sigma0: 1}, noise.StudentT{Nu: 3, Scale: []float64{1}}} {
		sys := model.System{Agents: []model.Agent{{Noise: nz}}, Method: update.ClippedSGD{Clip: c}}
		m := func(x float64) float64 {
			dst := []float64{0}
			sys.Method.Drift(sys, dst, []float64{x}, x*x)
			return dst[0]
		}
		b, err := clipBias(noiseText(nz), true, c, "the model's drift of clipped-sgd (closed form for Gaussian, quadrature over the CDF for Student-t)", m)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	b, err := clipBias(`centred exponential Exp(1) - 1`, false, c, "closed form E clip_c(x - 1 + E), E ~ Exp(1) (ClipMeanExp)", func(x float64) float64 { return ClipMeanExp(x, c) })
	if err != nil {
		return nil, err
	}
	return append(out, b), nil
}

func clipBias(noise string, sym bool, c float64, source string, m func(float64) float64) (ClipBias, error) {
	b := ClipBias{Noise: noise, Symmetric: sym, Clip: c, Source: source, GridPoints: 401, GridHalf: 4, ZeroTol: 1e-12}
	for i := range b.GridPoints {
		x := -b.GridHalf + 2*b.GridHalf*float64(i)/float64(b.GridPoints-1)
		v := m(x)
		if math.IsNaN(v) {
			return b, fmt.Errorf("clipping bias, %s: m(%v) is not a number (quadrature error above its tolerance)", noise, x)
		}
		if x != 0 && math.Signbit(v) != math.Signbit(x) || x != 0 && v == 0 {
			b.SignMismatches++
		}
	}
	b.M0 = m(0)
	// m is increasing in x for every noise here (clip is nondecreasing):
	// bisection on [-GridHalf, GridHalf].
	lo, hi := -b.GridHalf, b.GridHalf
	if !(m(lo) < 0 && m(hi) > 0) {
		return b, fmt.Errorf("clipping bias, %s: m does not change sign on [%v, %v]", noise, lo, hi)
	}
	for hi-lo > b.ZeroTol {
		mid := (lo + hi) / 2
		if m(mid) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	b.Zero = (lo + hi) / 2
	b.GradAtZero = b.Zero
	switch {
	case sym && b.SignMismatches == 0 && math.Abs(b.Zero) <= b.ZeroTol:
		b.Verdict = fmt.Sprintf("no bias: sign m = sign f' at all %d grid points, m's zero is the stationary point 0 (within %s)", b.GridPoints, format.Num2(b.ZeroTol))
	case sym:
		b.Verdict = fmt.Sprintf("UNEXPECTED: symmetric noise, yet %d sign mismatches and m's zero at %s", b.SignMismatches, format.Num(b.Zero))
	default:
		b.Verdict = fmt.Sprintf("biased: m(0) = %s, m vanishes at x* = %s where f'(x*) = %s != 0", format.Sig(b.M0, 6), format.Sig(b.Zero, 6), format.Sig(b.GradAtZero, 6))
	}
	return b, nil
}

// ClipMeanExp is E clip_c(x - 1 + E) for E ~ Exp(1), in closed form: with
// the lower and upper clip thresholds of E, a = max(0, 1 - c - x) and
// b = 1 + c - x,
//
//	m = -c (1 - e^-a) + (x - 1)(e^-a - e^-b) + (a + 1) e^-a - (b + 1) e^-b + c e^-b
//
// (m = c when b <= 0: every draw is clipped from above). For c = 1 and x in
// [0, 2) it is x - e^(x-2).
func ClipMeanExp(x, c float64) float64 {
	a, b := math.Max(0, 1-c-x), 1+c-x
	if b <= 0 {
		return c
	}
	ea, eb := math.Exp(-a), math.Exp(-b)
	return -c*(1-ea) + (x-1)*(ea-eb) + (a+1)*ea - (b+1)*eb + c*eb
}
