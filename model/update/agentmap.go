package update

import (
	"fmt"
	"math"
	"slices"

	"github.com/sdeverify/sdeverify/model"
	"gonum.org/v1/gonum/integrate/quad"
)

// This file holds what the methods with an agent-side map share (clipped
// SGD, normalised SGD, (L0,L1)-GD; docs/math.md section 10): each agent
// applies T to its own noisy gradient g_i = grad f + Z_i, the server
// averages, U = (1/N) sum_i T(g_i). Their first-order SDE's coefficients
// (MATH.md 8) are m(x) = (1/N) sum_i E T(g_i) and Sigma(x) = (1/N) sum_i
// Cov T(g_i); they are computed in d = 1 only, in closed form where the map
// provides one (Moments1) and otherwise by quadrature over the noise law's
// CDF (a CDFer). In d > 1 the SDE is refused: its coefficients would be
// Monte Carlo estimates whose error no path would carry (EstimateMoments
// gives such estimates with their standard errors, for tests and studies).
// The exported face is model/update/agentrule.go: a rule gives its map as an
// AgentMap and is the Method AgentRule[P] (the built-in rules delegate to it).

// A CDFer is a noise law whose coordinates' CDF is known: CDF returns
// P(Z_j <= z) at a gradient with squared norm gradNorm2. The
// one-dimensional moments of an agent map (clipping, normalisation) and
// its exact one-step law (mapLaw1D) are computed by quadrature over it; a
// law without it gets neither for those methods.
type CDFer interface {
	CDF(j int, z, gradNorm2 float64) float64
}

// mapStep is Step for an agent map: x -= h (1/N) sum_i T(grad + Z_i).
func mapStep[T AgentMap](t T, s model.System, x, grad []float64, gn2, h float64, ws *model.Workspace, r *model.Rand) {
	d := len(grad)
	acc, z := ws.Acc[:d], ws.Z[:d]
	clear(acc)
	for _, a := range s.Agents {
		a.Noise.Sample(z, grad, gn2, r)
		for j, g := range grad {
			z[j] += g
		}
		t.Apply(z)
		for j, u := range z {
			acc[j] += u
		}
	}
	n := float64(len(s.Agents))
	for j := range x {
		x[j] -= h * acc[j] / n
	}
}

// mapMoments1 returns m and Sigma in d = 1 at gradient g (gn2 = g^2):
// m = (1/N) sum_i E T(g_i), Sigma = (1/N) sum_i Var T(g_i). Where a
// quadrature's error bound exceeds quadTol both are NaN (the path then
// stops as diverged) rather than a number without its error.
func mapMoments1[T AgentMap](t T, s model.System, g, gn2 float64) (m, sigma float64) {
	for _, a := range s.Agents {
		mi, si, ok := t.Moments1(a.Noise, g, gn2)
		if !ok {
			var e float64
			mi, si, e = quadMoments1(t, a.Noise.(CDFer), g, gn2)
			if !(e <= quadTol) {
				return math.NaN(), math.NaN()
			}
		}
		m += mi
		sigma += si - mi*mi
	}
	n := float64(len(s.Agents))
	return m / n, math.Max(0, sigma/n)
}

// mapDrift is Drift for an agent map (d = 1; ValidateSDE refuses d > 1).
func mapDrift[T AgentMap](t T, s model.System, dst, grad []float64, gn2 float64) {
	dst[0], _ = mapMoments1(t, s, grad[0], gn2)
}

// mapDiffuse is Diffuse for an agent map (d = 1).
func mapDiffuse[T AgentMap](t T, s model.System, dst, z, grad []float64, gn2 float64, drift []float64) bool {
	m, sigma := mapMoments1(t, s, grad[0], gn2)
	dst[0] = z[0] * math.Sqrt(sigma)
	if drift != nil {
		drift[0] = m
		return true
	}
	return false
}

// mapValidateSDE is ValidateSDE for an agent map: d = 1, and every agent's
// moments in closed form or its noise a CDFer.
func mapValidateSDE[T AgentMap](t T, s model.System) error {
	if d := s.F.Dim(); d != 1 {
		return model.Invalid("objective.dim", d, fmt.Sprintf("the %s SDE's coefficients are computed in d = 1 only (closed form, or quadrature over the noise's CDF); in d > 1 they would be Monte Carlo estimates whose error the SDE's paths would not carry (use the discrete model, or update.EstimateMoments for the coefficients with their standard errors)", t))
	}
	for i, a := range s.Agents {
		if _, _, ok := t.Moments1(a.Noise, 0, 0); ok {
			continue
		}
		if math.IsInf(t.Sup(), 1) {
			return model.Invalid(fmt.Sprintf("agents[%d].noise", i), fmt.Sprintf("%T", a.Noise), fmt.Sprintf("the %s SDE needs finite noise variance (its map is unbounded)", t))
		}
		if _, ok := a.Noise.(CDFer); !ok {
			return model.Invalid(fmt.Sprintf("agents[%d].noise", i), fmt.Sprintf("%T", a.Noise), fmt.Sprintf("the %s SDE needs the noise law's CDF (update.CDFer) for its coefficients' quadrature", t))
		}
	}
	return nil
}

// quadTol bounds the quadrature error of the SDE's coefficients (far
// below any Monte Carlo error the suite resolves).
const quadTol = 1e-8

// quadMoments1 returns E T(g + Z) and E T(g + Z)^2 in d = 1 by quadrature
// over Z's CDF F (continuous), with a bound on the quadrature error of
// both. For an odd map nondecreasing on [0, inf) with T^{-1} on [0, S):
//
//	E T   = int_0^S [P(g + Z > T^{-1}(t)) - P(g + Z < -T^{-1}(t))] dt
//	E T^2 = int_0^S 2t [P(g + Z > T^{-1}(t)) + P(g + Z < -T^{-1}(t))] dt
//
// (E X = int_0^inf P(X > t) dt - int_0^inf P(X < -t) dt and E X^2 =
// int_0^inf 2t P(|X| > t) dt), with P(g + Z > y) = 1 - F(y - g) and
// P(g + Z < -y) = F(-y - g). Both integrands are bounded on a bounded
// interval, and the two probabilities are monotone in y: they change only
// near y = |g| and y = 0, on the noise's scale, which the quadrature does
// not know. So [0, S] is cut at T(y) for y = 0, |g| and |g| +- 10^k, 10^k
// (k = -8, ..., 3: every scale from 1e-8 to 1e3), and each piece is
// integrated by adaptive Simpson with Richardson's error estimate: a
// monotone probability that changes inside a piece differs at its ends,
// which the refinement sees.
func quadMoments1[T AgentMap](t T, nz CDFer, g, gn2 float64) (mean, second, errBound float64) {
	S := t.Sup()
	f1 := func(u float64) float64 {
		y := t.Inverse(u)
		return (1 - nz.CDF(0, y-g, gn2)) - nz.CDF(0, -y-g, gn2)
	}
	f2 := func(u float64) float64 {
		y := t.Inverse(u)
		return 2 * u * ((1 - nz.CDF(0, y-g, gn2)) + nz.CDF(0, -y-g, gn2))
	}
	var cuts [3*12 + 3]float64
	n := 0
	add := func(y float64) {
		if y >= 0 {
			if u := t.Forward(y); u < S {
				cuts[n] = u
				n++
			}
		}
	}
	add(0)
	add(math.Abs(g))
	for k := -8; k <= 3; k++ {
		e := math.Pow(10, float64(k))
		add(e)
		add(math.Abs(g) + e)
		add(math.Abs(g) - e)
	}
	cuts[n] = S
	n++
	pts := cuts[:n]
	slices.Sort(pts)
	const tol = 1e-12
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		if b <= a {
			continue
		}
		m, e1 := adaptiveSimpson(f1, a, b, tol*(b-a)/S)
		s2, e2 := adaptiveSimpson(f2, a, b, tol*(b-a))
		mean += m
		second += s2
		errBound += e1 + e2
	}
	return mean, second, errBound
}

// adaptiveSimpson integrates f over [a, b] to an absolute error of about
// tol (the local criterion scaled by the interval's share), returning the
// estimate and the sum of Richardson's error estimates over the accepted
// intervals (and of the whole error where the depth limit of 50 halvings
// stopped the refinement).
// The refinement stops at 2000 evaluations (an interval left unrefined
// then counts its whole error estimate).
func adaptiveSimpson(f func(float64) float64, a, b, tol float64) (float64, float64) {
	fa, fm, fb := f(a), f((a+b)/2), f(b)
	whole := (b - a) / 6 * (fa + 4*fm + fb)
	budget := 2000
	return simpsonStep(f, a, b, fa, fm, fb, whole, tol/(b-a), 50, &budget)
}

func simpsonStep(f func(float64) float64, a, b, fa, fm, fb, whole, rate float64, depth int, budget *int) (float64, float64) {
	m := (a + b) / 2
	lm, rm := f((a+m)/2), f((m+b)/2)
	*budget -= 2
	left := (m - a) / 6 * (fa + 4*lm + fm)
	right := (b - m) / 6 * (fm + 4*rm + fb)
	diff := left + right - whole
	if depth <= 0 || *budget <= 0 || math.Abs(diff) <= 15*rate*(b-a) {
		return left + right + diff/15, math.Abs(diff) / 15
	}
	l, el := simpsonStep(f, a, m, fa, lm, fm, left, rate, depth-1, budget)
	r, er := simpsonStep(f, m, b, fm, rm, fb, right, rate, depth-1, budget)
	return l + r, el + er
}

// MomentEstimate is a Monte Carlo estimate of a method's first-order SDE
// coefficients at one point, each coordinate with its standard error.
type MomentEstimate struct {
	Mean, MeanSE   []float64 // m(x) = E U and its standard error
	Sigma, SigmaSE []float64 // the diagonal of Sigma(x) = N Cov U and its standard error
	Samples        int
}

// EstimateMoments estimates m(x) = E[U | x] and the diagonal of Sigma(x) =
// N Cov[U | x] (N agents, independent) at the point where grad f = grad
// (squared norm gn2) from n >= 2 draws of the method's own update U (its
// Step with x = 0 and h = -1, which sets x to U), with their standard
// errors: sqrt(Var U_j / n) for the mean and N sqrt((mu4 - s^4)/n) for
// Sigma (mu4 the fourth central moment), the delta method's to first
// order. Any method, any d.
func EstimateMoments(s model.System, grad []float64, gn2 float64, n int, r *model.Rand) (MomentEstimate, error) {
	if err := s.Validate(); err != nil {
		return MomentEstimate{}, err
	}
	if n < 2 {
		return MomentEstimate{}, model.Invalid("samples", n, "must be >= 2")
	}
	d := len(grad)
	ws := model.NewWorkspace(d)
	u := make([]float64, d)
	draws := make([]float64, n*d)
	for i := range n {
		clear(u)
		s.Method.Step(s, u, grad, gn2, -1, ws, r)
		copy(draws[i*d:], u)
	}
	e := MomentEstimate{Mean: make([]float64, d), MeanSE: make([]float64, d), Sigma: make([]float64, d), SigmaSE: make([]float64, d), Samples: n}
	agents, fn := float64(len(s.Agents)), float64(n)
	for j := range d {
		var mean float64
		for i := range n {
			mean += draws[i*d+j]
		}
		mean /= fn
		var m2, m4 float64
		for i := range n {
			c := draws[i*d+j] - mean
			m2 += c * c
			m4 += c * c * c * c
		}
		v := m2 / (fn - 1)
		m4 /= fn
		e.Mean[j], e.MeanSE[j] = mean, math.Sqrt(v/fn)
		e.Sigma[j] = agents * v
		e.SigmaSE[j] = agents * math.Sqrt(math.Max(0, m4-v*v)/fn)
	}
	return e, nil
}

// The exact one-step law of an agent map in d = 1 (docs/math.md section
// 11). An agent's update T(g + Z) is, with p uniform on (0, 1) and Q the
// noise's quantile function, T(g + Q(p)). The interval (0, 1) is cut at
// the probabilities F(-k - g) and F(k - g) of T's kinks +-k (F the noise's
// CDF); on each piece the rule is Gauss-Legendre in p with 4 2^level nodes,
// weights the piece's probability times the Legendre weights, and a piece
// on which T is constant (clipping beyond +-c, the sign's two sides) is one
// point mass, its probability (the atoms). T is bounded (|T| <= sup), so the
// rule's error is that of a bounded function, smooth inside each piece but
// for the noise's own tails at p -> 0, 1 (where T(g + Q(p)) tends to +-sup
// at a rate the noise sets: the rule converges, not always fast; the
// engine counts the change between two levels in its error). N agents: the
// convolution of their rules, U = (1/N) sum_i T(g + Z_i), at most
// maxMapAgents agents (the points multiply).

// maxMapAgents is the most agents an agent map's exact law convolves: at
// the engine's level 3 (32 nodes a piece) two agents give 34^2 = 1156
// points per grid node for clipping (two atoms and one piece) and 64^2 =
// 4096 for the normalising maps (two pieces).
const maxMapAgents = 2

// maxMapLevel is the largest level the rule takes (128 nodes a piece).
const maxMapLevel = 5

// legendre holds the Gauss-Legendre rules on [-1, 1] of 4 2^l nodes, l =
// 0..maxMapLevel: nodes, then weights.
var legendre = func() (r [maxMapLevel + 1][2][]float64) {
	for l := range r {
		n := 4 << l
		r[l][0], r[l][1] = make([]float64, n), make([]float64, n)
		quad.Legendre{}.FixedLocations(r[l][0], r[l][1], -1, 1)
	}
	return r
}()

// mapCheckLaw1D is CheckLaw1D for an agent map: a bounded map, every
// agent's noise a CDFer, at most maxMapAgents agents. The law is a
// quadrature.
func mapCheckLaw1D[T AgentMap](t T, s model.System) (bool, error) {
	if math.IsInf(t.Sup(), 1) {
		return false, model.Invalid("method", t.String(), "the exact engine does not apply: the map is unbounded (its quadrature rule needs a bounded update)")
	}
	for i, a := range s.Agents {
		if _, ok := a.Noise.(CDFer); !ok {
			return false, noLaw1D(AgentRule[T]{Map: t}, fmt.Sprintf("agents[%d].noise", i), a.Noise, "the noise law's CDF (update.CDFer) for its quadrature rule")
		}
	}
	if n := len(s.Agents); n > maxMapAgents {
		return false, model.Invalid("agents", n, fmt.Sprintf("the exact engine does not apply: %s's one-dimensional law convolves the agents' quadrature rules, whose points multiply: at most %d agents", t, maxMapAgents))
	}
	return true, nil
}

// mapLaw1D is Law1D for an agent map: point masses at x - h u for the
// convolved rule's points u (see above).
func mapLaw1D[T AgentMap](t T, s model.System, x, g, h float64, level int, add func(w, mean, sd float64)) {
	level = min(max(level, 0), maxMapLevel)
	na := len(s.Agents)
	if na == 1 {
		mapRule(t, s.Agents[0].Noise.(CDFer), g, level, func(w, u float64) { add(w, x-h*u, 0) })
		return
	}
	rules := make([][2][]float64, na) // weights, values
	for i, a := range s.Agents {
		mapRule(t, a.Noise.(CDFer), g, level, func(w, u float64) {
			rules[i][0] = append(rules[i][0], w)
			rules[i][1] = append(rules[i][1], u)
		})
	}
	n := float64(na)
	idx := make([]int, na)
	for {
		w, sum := 1.0, 0.0
		for i, j := range idx {
			w *= rules[i][0][j]
			sum += rules[i][1][j]
		}
		add(w, x-h*sum/n, 0)
		i := 0
		for ; i < na; i++ {
			if idx[i]++; idx[i] < len(rules[i][0]) {
				break
			}
			idx[i] = 0
		}
		if i == na {
			return
		}
	}
}

// mapRule calls emit(w, u) for the points of one agent's rule at level:
// the law of T(g + Z).
func mapRule[T AgentMap](t T, nz CDFer, g float64, level int, emit func(w, u float64)) {
	gn2 := g * g
	T1 := func(y float64) float64 {
		if math.IsInf(y, 0) {
			// a quantile at p rounded to 0 or 1: T's limit
			return math.Copysign(t.Sup(), y)
		}
		if y < 0 {
			return -t.Forward(-y)
		}
		return t.Forward(y)
	}
	k := t.Kink()
	var cuts [4]float64
	nc := 0
	cuts[nc] = 0
	nc++
	if k > 0 {
		cuts[nc] = nz.CDF(0, -k-g, gn2)
		nc++
	}
	cuts[nc] = nz.CDF(0, k-g, gn2)
	nc++
	cuts[nc] = 1
	nc++
	// The pieces' ends in z = y - g (the quantiles' brackets).
	var zs [4]float64
	zs[0], zs[nc-1] = math.Inf(-1), math.Inf(1)
	if k > 0 {
		zs[1], zs[2] = -k-g, k-g
	} else {
		zs[1] = -g
	}
	xs, ws := legendre[level][0], legendre[level][1]
	for c := 1; c < nc; c++ {
		a, b := cuts[c-1], cuts[c]
		if !(b > a) {
			continue
		}
		Q := func(xi float64) float64 { return quantile(nz, a+(b-a)*(1+xi)/2, gn2, zs[c-1], zs[c]) }
		// A piece on which T is constant is one point mass: T at both
		// ends of the rule equal (T is monotone).
		u0, u1 := T1(g+Q(xs[0])), T1(g+Q(xs[len(xs)-1]))
		if u0 == u1 {
			emit(b-a, u0)
			continue
		}
		for j, xi := range xs {
			emit((b-a)*ws[j]/2, T1(g+Q(xi)))
		}
	}
}

// quantile returns the noise's quantile at p in (0, 1), knowing it lies
// in [lo, hi] (infinite ends allowed): a Quantiler's own, or the CDF
// inverted by the Illinois method (regula falsi that halves the weight of
// an end kept twice; a bisection step wherever it shrinks the bracket by
// less than half), from a bracket doubled outwards from [-1, 1] where an
// end is infinite, to a bracket of 4 ulp or 100 evaluations.
func quantile(nz CDFer, p, gn2, lo, hi float64) float64 {
	if q, ok := nz.(model.Quantiler); ok {
		return q.Quantile(0, p, gn2)
	}
	F := func(z float64) float64 { return nz.CDF(0, z, gn2) - p }
	if math.IsInf(lo, -1) {
		lo = math.Min(-1, hi)
		for i := 0; i < 1100 && F(lo) >= 0; i++ {
			lo = 2*lo - 1
		}
	}
	if math.IsInf(hi, 1) {
		hi = math.Max(1, lo)
		for i := 0; i < 1100 && F(hi) < 0; i++ {
			hi = 2*hi + 1
		}
	}
	flo, fhi := F(lo), F(hi)
	if flo >= 0 {
		return lo
	}
	if fhi < 0 {
		return hi
	}
	side := 0
	for range 100 {
		if hi-lo <= 4*0x1p-52*math.Max(math.Abs(lo), math.Abs(hi)) || hi-lo < 1e-300 {
			break
		}
		w := hi - lo
		z := lo - flo*w/(fhi-flo)
		if !(z > lo && z < hi) {
			z = lo + w/2
		}
		fz := F(z)
		if fz >= 0 {
			hi, fhi = z, fz
			if side == 1 {
				flo /= 2
			}
			side = 1
		} else {
			lo, flo = z, fz
			if side == -1 {
				fhi /= 2
			}
			side = -1
		}
		if hi-lo > w/2 {
			// slow progress: bisect
			m := lo + (hi-lo)/2
			if fm := F(m); fm >= 0 {
				hi, fhi = m, fm
			} else {
				lo, flo = m, fm
			}
			side = 0
		}
	}
	return hi
}

// mapSDE1D is SDE1D for an agent map: mapMoments1's m and Sigma.
func mapSDE1D[T AgentMap](t T, s model.System, g float64) (m, sigma float64) {
	return mapMoments1(t, s, g, g*g)
}

// mapWidth1D is Width1D for an agent map whose T rises to half its bound
// over |y| <= yhalf: the law changes with g over yhalf, smoothed by each
// agent's noise over its scale at grad f = 0 (ZeroScaler), so over
// min_i max(yhalf, s_i) (yhalf alone for a law without a scale: a finer
// grid, never a coarser one). As for DSignSGD the width in g is taken as
// the width in x.
func mapWidth1D(yhalf float64, s model.System) float64 {
	w := math.Inf(1)
	for _, a := range s.Agents {
		wi := yhalf
		if z, ok := a.Noise.(model.ZeroScaler); ok {
			wi = math.Max(yhalf, z.ZeroScale())
		}
		w = math.Min(w, wi)
	}
	return w
}
