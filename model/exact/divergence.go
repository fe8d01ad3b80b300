package exact

import (
	"errors"
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/internal/format"
	"github.com/sdeverify/sdeverify/model"
)

// A Growth is a lower bound g(x) >= C |x|^Q (C, Q > 0) of a test function
// g >= 0. The zero value stands for g = f - f*, which on a power-law
// objective is exactly A |x|^(r+1)/(r+1) (see PowerLaw).
type Growth struct {
	C float64 // coefficient, > 0
	Q float64 // exponent, > 0
}

// DivergenceBound is Divergence's lower bound on E g(x_K), in logarithms
// (the values overflow float64 long before they are interesting). Where
// Applies is false, Why says why no such bound exists or is implemented.
type DivergenceBound struct {
	Applies bool
	Why     string
	Steps   int // K
	// Infinite: E g(x_K) is +inf (Student-t noise whose tail is too heavy
	// for the growth of g along the escaping paths; Log10 is then +inf).
	Infinite bool
	// Log10 is log10 of the lower bound on E g(x_K): +Inf when it exceeds
	// float64's range, and then Log10Log10 = log10(log10 of the bound)
	// still holds it (NaN when Log10 <= 0). -Inf: the bound is vacuous.
	Log10      float64
	Log10Log10 float64
	// The pieces at the best launch point U: log10 of the probability of
	// the launch (every agent kept and |x_1| >= U), log10 of the K-1
	// steps' (P/2)^(K-1), and log10 of the bound u_K on |x_K| on the event
	// (+Inf beyond float64's range).
	Launch      float64
	Log10Launch float64
	Log10Path   float64
	Log10X      float64
}

// PowerLaw reports whether f is a one-dimensional power-law objective
// f(x) = a |x|^(r+1)/(r+1) with r > 1 (f' = a sign(x) |x|^r, f* = 0),
// certified or not: an objective of dimension 1 that says so
// (model.PowerSummer; x^4/4: a = 1, r = 3; |x|^p/p: a = 1, r = p - 1; c
// h(s x) of either: a = c |s|^(r+1)).
func PowerLaw(f model.Objective) (a, r float64, ok bool) {
	u := model.Uncertified(f)
	ps, isPower := u.(model.PowerSummer)
	if !isPower || u.Dim() != 1 {
		return 0, 0, false
	}
	return ps.PowerSum()
}

// Divergence returns a lower bound on E g(x_K) for the discrete method of
// sys in one dimension, started at x0 with step sizes steps[k] =
// eta eta_k (K = len(steps)), for a test function g >= C |x|^Q (the zero
// Growth: g = f - f*). It is the lemma of docs/math.md section 7.2:
// for a method whose update is the agents' mean of their compressed noisy
// gradients (model.CompressedMeaner: DSGD, DCSGD) with compressors that in
// d = 1 keep the coordinate with probability p_i (model.Keeper1D:
// Bernoulli; the identity, rand-k and QSGD, p_i = 1) and normal or
// Student-t agents (model.NormalScaler, model.TScaler) on a
// power-law objective (PowerLaw: |f'(x)| = a |x|^r, r > 1), with P the
// probability that every agent keeps its coordinate,
// H_k = (steps[k]/N) sum_i 1/p_i and W_0 the step-0 noise when every agent
// is kept,
//
//	E g(x_K) >= P pi(U) (P/2)^(K-1) C u_K^Q,
//	pi(U) = P(W_0 >= U - |x0 - H_0 f'(x0)|) + P(W_0 >= U + |x0 - H_0 f'(x0)|),
//	u_1 = U,  u_{k+1} = a H_k u_k^r - u_k,
//
// for every U with a H_k u_k^(r-1) >= 2 (k = 1..K-1): the launch to
// |x_1| >= U, then K-1 steps on which every agent is kept and the noise
// does not point back (probability at least 1/2 each, the noise being
// symmetric), along which |x_{k+1}| >= a H_k |x_k|^r - |x_k|. The bound is
// maximised over U (in logarithms). The tail probabilities are bounded
// below: the normal's exactly (erfc) or by Gordon's inequality
// P(Z > z) >= z/(1 + z^2) phi(z), Student-t's by
// P(T > z) >= x^(nu/2)/(nu B(nu/2, 1/2)), x = nu/(nu + z^2); a sum of
// several components by one of them beyond the value times 1/2 (the
// others' symmetric sum is >= 0 with probability >= 1/2).
//
// With a Student-t agent whose scale is nonzero and Q r^(K-1) > nu, E g(x_K)
// is infinite: the launch tail is polynomial in U and the growth along the
// escape is U^(Q r^(K-1)) (Infinite).
//
// A method whose update is bounded (model.UpdateBounder: DSignSGD) cannot
// diverge: no such bound exists, and Applies is false, with the reason;
// so for objectives that are not power laws, and for methods, noise laws
// and compressors without the capabilities above. The error is for
// invalid input.
func Divergence(sys model.System, x0 float64, steps []float64, g Growth) (DivergenceBound, error) {
	b := DivergenceBound{Steps: len(steps), Log10: math.Inf(-1), Log10Log10: math.NaN(), Log10X: math.NaN()}
	if err := validateDivergence(sys, x0, steps, g); err != nil {
		return b, err
	}
	lm, why := newDivLemma(sys, x0, steps, g)
	if why != "" {
		b.Why = why
		return b, nil
	}
	b.Applies = true
	if nu, lq, inf := lm.infinite(); inf {
		b.Infinite, b.Log10, b.Log10Log10, b.Log10X = true, math.Inf(1), math.Inf(1), math.Inf(1)
		b.Why = fmt.Sprintf("E g(x_K) is infinite: a Student-t agent (nu = %g) launches x_1 beyond U with probability ~ U^-%g, along which |x_K| >= c U^(r^(K-1)) and g(x_K) >= c' U^%.4g", nu, nu, math.Exp(lq))
		return b, nil
	}
	tlo, thi, ok := lm.searchRange()
	if !ok {
		b.Applies = false
		b.Why = "x0 = 0 with noise that vanishes there: the chain stays at the minimiser"
		return b, nil
	}
	bt, bv, bl, by, found := lm.maximise(tlo, thi)
	if !found {
		b.Applies = false
		b.Why = "vacuous: the noise at x0 cannot launch the chain into the expanding region (it vanishes there)"
		return b, nil
	}
	b.Launch = math.Exp(bt)
	b.Log10Launch = lm.logLaunch(b.Launch) / math.Ln10
	b.Log10Path = float64(lm.kk-1) * lm.logStep / math.Ln10
	b.Log10, b.Log10X = bv/math.Ln10, by/math.Ln10
	if !math.IsInf(bl, -1) {
		// log10(log10 B) = (log(ln B) - log(ln 10))/ln 10
		b.Log10Log10 = (bl - math.Log(math.Ln10)) / math.Ln10
	}
	return b, nil
}

// validateDivergence checks Divergence's input.
func validateDivergence(sys model.System, x0 float64, steps []float64, g Growth) error {
	if err := sys.Validate(); err != nil {
		return err
	}
	if math.IsNaN(x0) || math.IsInf(x0, 0) {
		return model.Invalid("x0", x0, "must be finite")
	}
	if len(steps) == 0 {
		return model.Invalid("steps", 0, "need at least one step")
	}
	for k, h := range steps {
		if !(h > 0) || math.IsInf(h, 0) {
			return model.Invalid(fmt.Sprintf("steps[%d]", k), h, "must be finite and > 0")
		}
	}
	if g != (Growth{}) && (!(g.C > 0) || !(g.Q > 0) || math.IsInf(g.C, 0) || math.IsInf(g.Q, 0)) {
		return model.Invalid("growth", g, "C and Q must be finite and > 0")
	}
	return nil
}

// divLemma is Divergence's lemma for one system: the power law (a, r),
// the growth g, the kept steps H_k, the launch's centre |x0 - H_0 f'(x0)|
// and its noise (a normal of standard deviation sg and Student-t
// components ts, ncomp in all), the log-probability that every agent keeps
// its coordinate and of a step that does not point back.
type divLemma struct {
	a, r     float64
	g        Growth
	kk       int
	H        []float64
	phi0, sg float64
	ts       []tcomp
	ncomp    int
	logKeep  float64
	logStep  float64
}

// tcomp is a Student-t component of the launch noise: scale c, nu.
type tcomp struct{ c, nu float64 }

// newDivLemma reads the lemma's pieces off the system, or says why the
// lemma does not apply to it.
func newDivLemma(sys model.System, x0 float64, steps []float64, g Growth) (*divLemma, string) {
	if d := sys.F.Dim(); d != 1 {
		return nil, fmt.Sprintf("d = %d: the bound is one-dimensional", d)
	}
	cm, ok := sys.Method.(model.CompressedMeaner)
	if !ok {
		return nil, boundedWhy(sys, x0, steps)
	}
	a, r, ok := PowerLaw(sys.F)
	if !ok {
		return nil, "the bound is implemented for power-law objectives a |x|^(r+1)/(r+1), r > 1 (x^4/4, |x|^p/p and their scalings)"
	}
	if g == (Growth{}) {
		g = Growth{C: a / (r + 1), Q: r + 1}
	}
	lm := &divLemma{a: a, r: r, g: g, kk: len(steps)}
	n := float64(len(sys.Agents))
	var grad [1]float64
	sys.F.Grad(grad[:], []float64{x0})
	fp := grad[0]
	// Every agent kept: probability P, step H_k f' + W_k.
	var invP, gaussVar float64
	for i, ag := range sys.Agents {
		k, ok := cm.AgentCompressor(ag).(model.Keeper1D)
		if !ok {
			return nil, fmt.Sprintf("agents[%d]: compressor %T is not covered", i, ag.Compressor)
		}
		p := k.Keep1D()
		lm.logKeep += math.Log(p)
		invP += 1 / p
		w := steps[0] / (n * p)
		if nz, ok := ag.Noise.(model.NormalScaler); ok {
			s0, s1 := nz.NormalScales()
			gaussVar += w * w * (s0*s0 + s1*s1*fp*fp)
		} else if nz, ok := ag.Noise.(model.TScaler); ok {
			nu, scales := nz.TScale()
			var scale float64 // the largest
			for _, v := range scales {
				scale = math.Max(scale, v)
			}
			if c := w * scale; c > 0 {
				lm.ts = append(lm.ts, tcomp{c, nu})
			}
		} else {
			return nil, fmt.Sprintf("agents[%d]: noise %T is not covered (Gaussian and Student-t are)", i, ag.Noise)
		}
	}
	lm.H = make([]float64, lm.kk)
	for k, h := range steps {
		lm.H[k] = h * invP / n
	}
	lm.phi0 = math.Abs(x0 - lm.H[0]*fp)
	lm.sg = math.Sqrt(gaussVar)
	lm.ncomp = len(lm.ts)
	if lm.sg > 0 {
		lm.ncomp++
	}
	lm.logStep = lm.logKeep - math.Ln2
	return lm, ""
}

// boundedWhy says why a method outside the lemma's form is not covered:
// a bounded update (model.UpdateBounder) cannot diverge.
func boundedWhy(sys model.System, x0 float64, steps []float64) string {
	ub, ok := sys.Method.(model.UpdateBounder)
	if !ok {
		return fmt.Sprintf("method %v is not covered", sys.Method)
	}
	bound := ub.UpdateBound(sys)
	factor := ""
	if bound != 1 {
		factor = format.Num(bound) + " "
	}
	reach := math.Abs(x0)
	for _, h := range steps {
		reach += bound * h
	}
	return fmt.Sprintf("%v's step is bounded (|x_{k+1} - x_k| <= %seta eta_k): |x_k| <= |x0| + %seta sum_j eta_j = %.4g for every k, so E g(x_k) is bounded uniformly in eta and the method cannot diverge", sys.Method, factor, factor, reach)
}

// infinite reports whether E g(x_K) is infinite: a Student-t component
// whose nu is below Q r^(K-1) = e^lq.
func (lm *divLemma) infinite() (nu, lq float64, inf bool) {
	lq = math.Log(lm.g.Q) + float64(lm.kk-1)*math.Log(lm.r)
	for _, t := range lm.ts {
		if lq > math.Log(t.nu) {
			return t.nu, lq, true
		}
	}
	return 0, lq, false
}

// logTail is a lower bound on log P(W_0 >= w).
func (lm *divLemma) logTail(w float64) float64 {
	if w <= 0 {
		return -math.Ln2
	}
	best := math.Inf(-1)
	if lm.sg > 0 {
		best = logNormalTail(w / lm.sg)
	}
	for _, t := range lm.ts {
		best = math.Max(best, logStudentTail(t.nu, w/t.c))
	}
	if lm.ncomp > 1 {
		best -= math.Ln2
	}
	return best
}

// logLaunch is log P(every agent kept, |x_1| >= u), bounded below.
func (lm *divLemma) logLaunch(u float64) float64 {
	return lm.logKeep + logAddExp(lm.logTail(u-lm.phi0), lm.logTail(u+lm.phi0))
}

// eval returns at U = e^t the bound's natural log, val (+Inf where u_K
// overflows), and the log of val, lval (-Inf where val <= 1), and log u_K,
// y; ok is false where U is not admissible or cannot be launched to.
func (lm *divLemma) eval(t float64) (val, lval, y float64, ok bool) {
	a, r, g, kk := lm.a, lm.r, lm.g, lm.kk
	rest := lm.logLaunch(math.Exp(t)) + float64(kk-1)*lm.logStep + math.Log(g.C)
	if math.IsInf(rest, -1) || math.IsNaN(rest) {
		return 0, 0, 0, false
	}
	y = t
	for k := 1; k < kk; k++ {
		lah := math.Log(a * lm.H[k])
		s := (r-1)*y + lah // log(a H_k u_k^(r-1))
		if !(s >= math.Ln2) {
			return 0, 0, 0, false
		}
		if y > 1e250 {
			// |log(a H_k)| < 1e3 against r y > 1e250: from here
			// log u_{j+1} = r log u_j to float64's precision, and
			// log val = log(Q y_K + rest).
			ly := math.Log(y) + float64(kk-k)*math.Log(r)
			ratio := rest / g.Q * math.Exp(-ly)
			if !(ratio > -1) {
				return 0, 0, 0, false
			}
			return math.Inf(1), math.Log(g.Q) + ly + math.Log1p(ratio), math.Inf(1), true
		}
		y = r*y + lah + math.Log1p(-math.Exp(-s))
	}
	val = rest + g.Q*y
	lval = math.Inf(-1)
	if val > 1 {
		lval = math.Log(val)
	}
	return val, lval, y, true
}

// better compares two values of the bound by their logs where either
// overflowed.
func better(v1, l1, v2, l2 float64) bool {
	if math.IsInf(v1, 1) || math.IsInf(v2, 1) {
		return l1 > l2
	}
	return v1 > v2
}

// searchRange is the range of log U searched: from the smallest
// admissible launch (or, for K = 1, a millionth of the scale of x_1) over
// 100 decades; ok is false for K = 1 with no scale (x0 = 0, no noise).
func (lm *divLemma) searchRange() (tlo, thi float64, ok bool) {
	if lm.kk >= 2 {
		tlo = math.Log(math.Pow(2/(lm.a*lm.H[1]), 1/(lm.r-1))) + 1e-12
	} else {
		scale := lm.phi0 + lm.sg
		for _, t := range lm.ts {
			scale += t.c
		}
		if !(scale > 0) {
			return 0, 0, false
		}
		tlo = math.Log(scale) - 6*math.Ln10
	}
	return tlo, math.Min(tlo+100*math.Ln10, 690), true
}

// maximise maximises the bound over log U in [tlo, thi]: on a grid of
// 2000 intervals, then by golden-section search around the best point.
// It returns the best log U, the bound's log there (val, lval as in eval)
// and log u_K; found is false where no U is admissible.
func (lm *divLemma) maximise(tlo, thi float64) (bt, bv, bl, by float64, found bool) {
	const grid = 2000
	bv, bl = math.Inf(-1), math.Inf(-1)
	for i := 0; i <= grid; i++ {
		t := tlo + (thi-tlo)*float64(i)/grid
		v, l, y, ok := lm.eval(t)
		if ok && (!found || better(v, l, bv, bl)) {
			bt, bv, bl, by, found = t, v, l, y, true
		}
	}
	if !found {
		return bt, bv, bl, by, false
	}
	// Golden-section refinement around the best grid point.
	lo, hi := math.Max(tlo, bt-(thi-tlo)/grid), math.Min(thi, bt+(thi-tlo)/grid)
	gr := (math.Sqrt(5) - 1) / 2
	for range 80 {
		t1, t2 := hi-gr*(hi-lo), lo+gr*(hi-lo)
		v1, l1, _, ok1 := lm.eval(t1)
		v2, l2, _, ok2 := lm.eval(t2)
		if ok1 && (!ok2 || better(v1, l1, v2, l2)) {
			hi = t2
		} else {
			lo = t1
		}
	}
	if v, l, y, ok := lm.eval((lo + hi) / 2); ok && better(v, l, bv, bl) {
		bt, bv, bl, by = (lo+hi)/2, v, l, y
	}
	return bt, bv, bl, by, true
}

// Divergence is the package-level Divergence for the problem's discrete
// method under its constant schedule (Steps steps of eta times the rate).
func (p Problem) Divergence(g Growth) (DivergenceBound, error) {
	if p.Steps < 1 {
		return DivergenceBound{}, errors.New("exact: divergence: steps must be >= 1")
	}
	steps := make([]float64, p.Steps)
	for k := range steps {
		steps[k] = p.Eta * p.rate()
	}
	return Divergence(p.System, p.X0, steps, g)
}

// logNormalTail is a lower bound on log P(Z >= z), Z standard normal:
// exact (erfc) for z < 30, beyond by Gordon's inequality
// P(Z >= z) >= z/(1 + z^2) phi(z).
func logNormalTail(z float64) float64 {
	if z < 30 {
		return math.Log(0.5 * math.Erfc(z/math.Sqrt2))
	}
	return -z*z/2 - 0.5*math.Log(2*math.Pi) + math.Log(z/(1+z*z))
}

// logStudentTail is a lower bound on log P(T >= z), T ~ t_nu, z > 0:
// P(T >= z) = I_x(nu/2, 1/2)/2 with x = nu/(nu + z^2), and
// I_x(a, 1/2) >= x^a/(a B(a, 1/2)) since (1 - s)^(-1/2) >= 1.
func logStudentTail(nu, z float64) float64 {
	a := nu / 2
	la, _ := math.Lgamma(a)
	lh, _ := math.Lgamma(0.5)
	lah, _ := math.Lgamma(a + 0.5)
	lbeta := la + lh - lah
	return -math.Ln2 + a*(math.Log(nu)-math.Log(nu+z*z)) - math.Log(a) - lbeta
}

// logAddExp is log(e^a + e^b).
func logAddExp(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	if math.IsInf(a, -1) {
		return a
	}
	return a + math.Log1p(math.Exp(b-a))
}
