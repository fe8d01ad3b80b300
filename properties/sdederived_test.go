package properties

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
	"pgregory.net/rapid"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/compress"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/update"
)

// The paper's SDEs checked against derived ones (issue 26.2). For a method
// x+ = x - h U, U = (1/N) sum_i T_i(g + Z_i), the first-order weak model
// has drift m(g) = E U = (1/N) sum_i E T_i(g + Z_i) and covariance
// Sigma(g) = N Cov U = (1/N) sum_i Var T_i(g + Z_i) (docs/math.md 2,
// MATH.md 8). derivedMoments computes these in d = 1 from the agent maps
// alone, by quadrature over each noise law's CDF, with none of the
// methods' code: the CDFs are gonum's (stat/distuv), not the model's
// Noise, and the maps are written here:
//
//	identity (DSGD; DCSGD's identity compressor):  T(y) = y,
//	Bernoulli(p) compressor (DCSGD):  T(y) = B y/p, B ~ Bernoulli(p) apart
//	    from Z, a mixture: E T = E[g + Z], E T^2 = E[(g + Z)^2]/p,
//	sign (DSignSGD):  T(y) = sign(y), E T = P(g + Z > 0) - P(g + Z < 0),
//	    E T^2 = 1.
//
// For X = g + Z with Z symmetric (F(-z) = 1 - F(z)), the tail formulas
//
//	E X   = int_0^inf [F(g - t) - F(-g - t)] dt,
//	E X^2 = int_0^inf 2t [F(g - t) + F(-g - t)] dt
//
// evaluate F only where it is small or moderate (negative arguments past
// t = |g|), where the CDFs keep their relative precision (the Normal's by
// erfc, gonum's; the t law's by the regularised incomplete beta of its
// lower tail or central interval, tCDF).

// noiseLaw is an agent's noise as the property draws it: the model's
// value and the same law's CDF at a gradient g (gonum's).
type noiseLaw struct {
	nz    model.Noise
	cdf   func(g float64) func(z float64) float64
	half  func(g float64) func(z float64) float64 // F(z) - 1/2, accurate near 0
	scale func(g float64) float64                 // the law's scale at g (the quadrature's cut points)
	nu    float64                                 // tail index: +Inf for the Gaussian
	desc  string
}

func gaussianLaw(s0, s1 float64) noiseLaw {
	return noiseLaw{nz: noise.Gaussian{Sigma0: s0, Sigma1: s1}, nu: math.Inf(1), desc: fmt.Sprintf("gaussian(%g, %g)", s0, s1),
		scale: func(g float64) float64 { return math.Sqrt(s0*s0 + s1*s1*g*g) },
		cdf: func(g float64) func(float64) float64 {
			return distuv.Normal{Mu: 0, Sigma: math.Sqrt(s0*s0 + s1*s1*g*g)}.CDF
		},
		half: func(g float64) func(float64) float64 {
			s := math.Sqrt(s0*s0 + s1*s1*g*g)
			return func(z float64) float64 { return math.Erf(z/(s*math.Sqrt2)) / 2 }
		}}
}

func studentLaw(nu, scale float64) noiseLaw {
	return noiseLaw{nz: noise.StudentT{Nu: nu, Scale: []float64{scale}}, nu: nu, desc: fmt.Sprintf("student-t(%g, %g)", nu, scale),
		scale: func(float64) float64 { return scale },
		cdf:   func(float64) func(float64) float64 { return func(z float64) float64 { return tCDF(nu, z/scale) } },
		half:  func(float64) func(float64) float64 { return func(z float64) float64 { return tHalf(nu, z/scale) } }}
}

// tHalf is F(y) - 1/2 for the standard t law with nu degrees of freedom,
// by the regularised incomplete beta of |y|'s central interval,
// I_{y^2/(nu+y^2)}(1/2, nu/2)/2 (accurate near 0, where gonum's
// StudentsT.CDF, a difference 1 - I near 1, loses digits: 3e-9 absolute at
// y = 1.5e-7, nu = 17).
func tHalf(nu, y float64) float64 {
	return math.Copysign(mathext.RegIncBeta(0.5, nu/2, y*y/(nu+y*y))/2, y)
}

// tCDF is the standard t law's CDF: the lower tail I_{nu/(nu+y^2)}(nu/2, 1/2)/2
// for y <= -sqrt(nu), 1/2 + tHalf(y) in between, 1 - tCDF(-y) above.
func tCDF(nu, y float64) float64 {
	switch {
	case y > math.Sqrt(nu):
		return 1 - tCDF(nu, -y)
	case y < -math.Sqrt(nu):
		return mathext.RegIncBeta(nu/2, 0.5, nu/(nu+y*y)) / 2
	}
	return 0.5 + tHalf(nu, y)
}

// agentMap is T_i as the derivation knows it.
type agentMap int

const (
	mapIdentity agentMap = iota
	mapBernoulli
	mapSign
)

// identityMoments returns the mean m1 = E X and the variance c2 of
// X = g + Z, with the quadrature's error estimate of c2, by the tail
// formulas: first E X, then the second moment of the centred X - m1,
//
//	c2 = int_0^inf 2t [F(d - t) + F(-d - t)] dt,  d = g - m1,
//
// (no cancellation where |g| is large against the noise scale s).
// Each integral is adaptive Gauss-Kronrod (7-15) on [0, B], B = |c| + 40 s
// for the centre c (g, then d), cut at |c| and |c| +- s 10^k, k = -6..1,
// and for a heavy tail (nu < inf) the rest over t = B w^(-2/(nu-2)),
// w in (0, 1], where the integrand is bounded (about w). A Gaussian tail
// beyond 40 standard deviations is below 1e-340.
func identityMoments(F func(float64) float64, g, s, nu float64) (m1, c2, errEst float64) {
	m1, _ = tailIntegral(func(t float64) float64 { return F(g-t) - F(-g-t) }, g, s, nu)
	d := g - m1
	c2, errEst = tailIntegral(func(t float64) float64 { return 2 * t * (F(d-t) + F(-d-t)) }, d, s, nu)
	return m1, c2, errEst
}

// tailIntegral integrates f over [0, inf) as identityMoments describes,
// about the centre c.
func tailIntegral(f func(float64) float64, c, s, nu float64) (v, errEst float64) {
	a := math.Abs(c)
	B := a + 40*s
	cuts := []float64{0, a, B}
	for k := -6; k <= 1; k++ {
		e := s * math.Pow(10, float64(k))
		cuts = append(cuts, a+e)
		if a-e > 0 {
			cuts = append(cuts, a-e)
		}
	}
	slices.Sort(cuts)
	for i := 1; i < len(cuts); i++ {
		if cuts[i] <= cuts[i-1] {
			continue
		}
		vi, ei := gaussKronrod(f, cuts[i-1], cuts[i], 1e-13)
		v, errEst = v+vi, errEst+ei
	}
	if !math.IsInf(nu, 1) {
		al := 2 / (nu - 2)
		vt, et := gaussKronrod(func(w float64) float64 {
			t := B * math.Pow(w, -al)
			if math.IsInf(t, 1) {
				return 0
			}
			return f(t) * al * t / w
		}, 0, 1, 1e-13)
		v, errEst = v+vt, errEst+et
	}
	return v, errEst
}

// derivedMoments returns m and Sigma of the agents (laws and maps) at
// gradient g by the derivation above, and the quadrature's error estimate
// of Sigma.
func derivedMoments(laws []noiseLaw, maps []agentMap, keep []float64, g float64) (m, sigma, errEst float64) {
	n := float64(len(laws))
	for i, l := range laws {
		F := l.cdf(g)
		var mi, vi float64
		switch maps[i] {
		case mapSign:
			// P(g + Z > 0) - P(g + Z < 0) = 1 - 2 F(-g) = 2 (F(g) - 1/2)
			// by symmetry.
			mi = 2 * l.half(g)(g)
			vi = 1 - mi*mi
		default:
			// Bernoulli: E T^2 = E X^2/p = (Var X + m^2)/p, so
			// Var T = Var X/p + m^2 (1 - p)/p (identity: p = 1).
			e1, c2, e := identityMoments(F, g, l.scale(g), l.nu)
			p := 1.0
			if maps[i] == mapBernoulli {
				p = keep[i]
			}
			mi = e1
			vi = c2/p + mi*mi*(1-p)/p
			errEst += e / p
		}
		m += mi
		sigma += vi
	}
	return m / n, sigma / n, errEst / n
}

// methodMoments returns the method's own drift and the covariance its
// Diffuse implies (Sigma = D^2 for D = Diffuse of z = 1; Diffuse of z = 2
// must be 2D, or the diffusion is not Gaussian and there is nothing to
// compare).
func methodMoments(t *rapid.T, sys model.System, g float64) (m, sigma float64) {
	gr := []float64{g}
	dst := []float64{0}
	sys.Drift(dst, gr, g*g)
	m = dst[0]
	d1, d2 := []float64{0}, []float64{0}
	sys.DiffusionFrom(d1, []float64{1}, gr, g*g, model.NewWorkspace(1), nil)
	sys.DiffusionFrom(d2, []float64{2}, gr, g*g, model.NewWorkspace(1), nil)
	if d2[0] != 2*d1[0] {
		t.Fatalf("the diffusion is not linear in z: D(1) = %g, D(2) = %g", d1[0], d2[0])
	}
	return m, d1[0] * d1[0]
}

// derivedCase is a drawn configuration: the system and what the
// derivation knows of it.
type derivedCase struct {
	sys  model.System
	laws []noiseLaw
	maps []agentMap
	keep []float64
	g    float64
}

func drawDerivedCase(t *rapid.T) derivedCase {
	method := rapid.SampledFrom([]model.Method{update.DSGD, update.DCSGD, update.DSignSGD}).Draw(t, "method")
	c := derivedCase{sys: model.System{F: objective.Separable{Atoms: []model.Atom{objective.Square{}}}, Method: method}}
	for i := range rapid.IntRange(1, 4).Draw(t, "agents") {
		var l noiseLaw
		if rapid.Bool().Draw(t, fmt.Sprintf("student[%d]", i)) {
			l = studentLaw(rapid.Float64Range(2.05, 30).Draw(t, fmt.Sprintf("nu[%d]", i)), rapid.Float64Range(0.01, 3).Draw(t, fmt.Sprintf("scale[%d]", i)))
		} else {
			l = gaussianLaw(rapid.Float64Range(0.01, 3).Draw(t, fmt.Sprintf("sigma0[%d]", i)), rapid.Float64Range(0, 2).Draw(t, fmt.Sprintf("sigma1[%d]", i)))
		}
		a := model.Agent{Noise: l.nz}
		mp, p := mapIdentity, 1.0
		switch {
		case method == update.DSignSGD:
			mp = mapSign
		case method == update.DCSGD:
			if rapid.Bool().Draw(t, fmt.Sprintf("bernoulli[%d]", i)) {
				p = rapid.Float64Range(0.05, 1).Draw(t, fmt.Sprintf("p[%d]", i))
				a.Compressor, mp = compress.Bernoulli{P: p}, mapBernoulli
			} else {
				a.Compressor = compress.Identity{}
			}
		}
		c.sys.Agents = append(c.sys.Agents, a)
		c.laws, c.maps, c.keep = append(c.laws, l), append(c.maps, mp), append(c.keep, p)
	}
	if err := c.sys.ValidateSDE(); err != nil {
		t.Fatalf("drew a system without an SDE: %v", err)
	}
	c.g = rapid.OneOf(rapid.Just(0.0), rapid.Float64Range(-5, 5)).Draw(t, "grad")
	return c
}

// derivedTol is the property's tolerance: 1e-9 relative plus 1e-12
// absolute. The quadrature's own error estimate (|K15 - G7| summed, a
// pessimistic bound) is required below a hundredth of it (checked), and a
// CDF value carries a relative error of about 1e-14 (erfc, the incomplete
// beta), so the derivation is good to about 1e-11; the rest is margin for
// the methods' closed forms (sums over agents, Xi_nu in E sign, the t
// variance s^2 nu/(nu - 2)), each a few roundings. A mismatch above it is
// a finding, not noise.
func derivedTol(v float64) float64 { return 1e-9*math.Abs(v) + 1e-12 }

// checkDerived compares a case's derived coefficients with meth's (the
// case's own method, or a mutant).
func checkDerived(t *rapid.T, c derivedCase, meth model.Method) error {
	dm, ds, qe := derivedMoments(c.laws, c.maps, c.keep, c.g)
	if qe > derivedTol(ds)/100 {
		t.Fatalf("the quadrature's error estimate %.3g exceeds 1%% of the tolerance at Sigma = %.6g: the derivation is not precise enough to compare", qe, ds)
	}
	sys := c.sys
	sys.Method = meth
	mm, ms := methodMoments(t, sys, c.g)
	if math.Abs(mm-dm) > derivedTol(dm) {
		return fmt.Errorf("drift at grad %g: method %.15g, derived %.15g (difference %.3g)", c.g, mm, dm, mm-dm)
	}
	if math.Abs(ms-ds) > derivedTol(ds) {
		return fmt.Errorf("Sigma at grad %g: method %.15g, derived %.15g (difference %.3g)", c.g, ms, ds, ms-ds)
	}
	return nil
}

// TestPaperSDEsDerived: on random one-dimensional configurations (DSGD,
// DCSGD with identity or Bernoulli compressors, DSignSGD; 1-4 agents with
// Gaussian (sigma0 > 0, sigma1) or Student-t (nu in (2.05, 30]) noise; a
// gradient value in [-5, 5] or 0) the methods' drift and the covariance
// their Diffuse implies (the paper's SDEs, its restatements of Thms 3.2,
// 3.6 and 3.10 of its reference [7]) equal the coefficients derived from
// the agent maps by quadrature over the noise laws' CDFs, within
// derivedTol. Deterministic (no Monte Carlo).
func TestPaperSDEsDerived(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		c := drawDerivedCase(t)
		if err := checkDerived(t, c, c.sys.Method); err != nil {
			descs := make([]string, len(c.laws))
			for i, l := range c.laws {
				descs[i] = fmt.Sprintf("%s map %d keep %g", l.desc, c.maps[i], c.keep[i])
			}
			t.Fatalf("%s with agents %v: %v", c.sys.Method, descs, err)
		}
	})
}

// TestPaperSDEsDerivedMutation: the comparison fails on a mutant, DCSGD's
// agents with DSGD's SDE (the compression term omega g^2 + omega Var Z of
// Sigma dropped), on every drawn DCSGD case with a Bernoulli agent of keep
// probability at most 0.9 (there the dropped term is at least
// (1/0.9 - 1) Var Z / N, far above the tolerance).
func TestPaperSDEsDerivedMutation(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		c := drawDerivedCase(t)
		compressed := false
		for i, mp := range c.maps {
			compressed = compressed || (mp == mapBernoulli && c.keep[i] <= 0.9)
		}
		if c.sys.Method != update.DCSGD || !compressed {
			t.Skip("not a compressed DCSGD case")
		}
		if err := checkDerived(t, c, update.DSGD); err == nil {
			t.Fatalf("DCSGD's agents with DSGD's SDE passed the comparison: the check cannot see the compression term")
		}
	})
}

// gaussKronrod integrates f over [a, b] by adaptive Gauss-Kronrod (7-15)
// to a relative error of about tol (of the first estimate, spread over
// [a, b] by length), returning the estimate and the sum of the accepted
// intervals' error estimates |K15 - G7| (pessimistic: the error of G7, not
// of K15). At most 40 levels of bisection and 400 intervals: an interval
// left unrefined counts its whole estimate.
func gaussKronrod(f func(float64) float64, a, b, tol float64) (float64, float64) {
	v, e := gk15(f, a, b)
	budget := 400
	return gkStep(f, a, b, v, e, tol*math.Abs(v)/(b-a), 40, &budget)
}

func gkStep(f func(float64) float64, a, b, v, e, rate float64, depth int, budget *int) (float64, float64) {
	if e <= rate*(b-a) || depth == 0 || *budget <= 0 {
		return v, e
	}
	*budget -= 2
	m := (a + b) / 2
	lv, le := gk15(f, a, m)
	rv, re := gk15(f, m, b)
	l, el := gkStep(f, a, m, lv, le, rate, depth-1, budget)
	r, er := gkStep(f, m, b, rv, re, rate, depth-1, budget)
	return l + r, el + er
}

// Gauss-Kronrod 7-15 nodes on [-1, 1] (the positive half; xk[7] = 0) and
// weights (wk: Kronrod, wg: Gauss at the odd Kronrod nodes).
var (
	gkX = [8]float64{0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926, 0.741531185599394439863864773280788, 0.586087235467691130294144845693013, 0.405845151377397166906606412076961, 0.207784955007898467600689403773245, 0}
	gkW = [8]float64{0.022935322010529224963732008058970, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518, 0.140653259715525918745189590510238, 0.169004726639267902826583426598550, 0.190350578064785409913256402421014, 0.204432940075298892414161999234649, 0.209482141084727828012999174891714}
	gW  = [4]float64{0.129484966168869693270611432679082, 0.279705391489276667901467771423780, 0.381830050505118944950369775488975, 0.417959183673469387755102040816327}
)

func gk15(f func(float64) float64, a, b float64) (float64, float64) {
	c, h := (a+b)/2, (b-a)/2
	fc := f(c)
	k, g := gkW[7]*fc, gW[3]*fc
	for i := range 7 {
		s := f(c-h*gkX[i]) + f(c+h*gkX[i])
		k += gkW[i] * s
		if i%2 == 1 {
			g += gW[i/2] * s
		}
	}
	return k * h, math.Abs((k - g) * h)
}

// TestPaperSDEsDerivedHighDim: in d = 2..4, DSGD and DCSGD (identity,
// Bernoulli(p) or rand-k compressors; 1-3 agents, Gaussian (sigma0 > 0,
// sigma1) or Student-t (nu in [9, 30], a scale per coordinate) noise) at a
// random gradient: the coordinate-wise coefficients derived from the agent
// maps, m_j = g_j and Sigma_jj = (1/N) sum_i [Var Z_ij / p_i +
// g_j^2 (1 - p_i)/p_i] (p_i the probability that agent i's compressor keeps
// a coordinate: 1, p, k/d; Var Z_ij in closed form from the law's
// parameters), written here, equal
//   - the methods' drift and the diagonal of the covariance their Diffuse
//     implies (sum_k D(e_k)_j^2), deterministically within derivedTol;
//   - the moments of 20000 draws of the discrete update U (the method's
//     own Step, update.EstimateMoments), by z tests at |z| > 5.73 (two-sided
//     1e-8 each; 2d tests a case; the standard errors by the delta method,
//     valid here since nu >= 9 gives finite eighth moments).
//
// The Monte Carlo draws come from the case's seed (rapid draws the seed,
// not the noise). False alarm: at most 8 tests a case at 1e-8, 8 cases by
// default: 6.4e-7 (STATISTICS.md).
func TestPaperSDEsDerivedHighDim(t *testing.T) {
	t.Parallel()
	const (
		zCrit = 5.73 // P(|N(0,1)| > 5.73) = 1.0e-8
		n     = 20000
	)
	rapid.Check(t, func(t *rapid.T) {
		d := rapid.IntRange(2, 4).Draw(t, "dim")
		method := rapid.SampledFrom([]model.Method{update.DSGD, update.DCSGD}).Draw(t, "method")
		atoms := make([]model.Atom, d)
		for j := range atoms {
			atoms[j] = objective.Square{}
		}
		sys := model.System{F: objective.Separable{Atoms: atoms}, Method: method}
		g := make([]float64, d)
		var gn2 float64
		for j := range g {
			g[j] = rapid.Float64Range(-3, 3).Draw(t, fmt.Sprintf("grad[%d]", j))
			gn2 += g[j] * g[j]
		}
		na := rapid.IntRange(1, 3).Draw(t, "agents")
		want := make([]float64, d)
		for i := range na {
			a := model.Agent{}
			vz := make([]float64, d) // Var Z_ij
			if rapid.Bool().Draw(t, fmt.Sprintf("student[%d]", i)) {
				nu := rapid.Float64Range(9, 30).Draw(t, fmt.Sprintf("nu[%d]", i))
				sc := make([]float64, d)
				for j := range sc {
					sc[j] = rapid.Float64Range(0.05, 2).Draw(t, fmt.Sprintf("scale[%d][%d]", i, j))
					vz[j] = sc[j] * sc[j] * nu / (nu - 2)
				}
				a.Noise = noise.StudentT{Nu: nu, Scale: sc}
			} else {
				s0 := rapid.Float64Range(0.05, 2).Draw(t, fmt.Sprintf("sigma0[%d]", i))
				s1 := rapid.Float64Range(0, 1).Draw(t, fmt.Sprintf("sigma1[%d]", i))
				for j := range vz {
					vz[j] = s0*s0 + s1*s1*gn2
				}
				a.Noise = noise.Gaussian{Sigma0: s0, Sigma1: s1}
			}
			p := 1.0
			if method == update.DCSGD {
				switch rapid.IntRange(0, 2).Draw(t, fmt.Sprintf("compressor[%d]", i)) {
				case 0:
					a.Compressor = compress.Identity{}
				case 1:
					p = rapid.Float64Range(0.2, 1).Draw(t, fmt.Sprintf("p[%d]", i))
					a.Compressor = compress.Bernoulli{P: p}
				default:
					k := rapid.IntRange(1, d).Draw(t, fmt.Sprintf("k[%d]", i))
					a.Compressor, p = compress.RandK{K: k}, float64(k)/float64(d)
				}
			}
			for j := range want {
				want[j] += vz[j]/p + g[j]*g[j]*(1-p)/p
			}
			sys.Agents = append(sys.Agents, a)
		}
		for j := range want {
			want[j] /= float64(na)
		}
		if err := sys.ValidateSDE(); err != nil {
			t.Fatalf("drew a system without an SDE: %v", err)
		}
		// The method's own coefficients.
		m := make([]float64, d)
		sys.Drift(m, g, gn2)
		diag := make([]float64, d)
		linear := true
		col, col2, e := make([]float64, d), make([]float64, d), make([]float64, d)
		for k := range d {
			clear(e)
			e[k] = 1
			sys.DiffusionFrom(col, e, g, gn2, model.NewWorkspace(d), model.NewRand(1))
			e[k] = 2
			sys.DiffusionFrom(col2, e, g, gn2, model.NewWorkspace(d), model.NewRand(1))
			for j := range d {
				linear = linear && col2[j] == 2*col[j]
				diag[j] += col[j] * col[j]
			}
		}
		for j := range d {
			if math.Abs(m[j]-g[j]) > derivedTol(g[j]) {
				t.Fatalf("drift[%d]: method %.15g, derived %.15g", j, m[j], g[j])
			}
			if linear && math.Abs(diag[j]-want[j]) > derivedTol(want[j]) {
				t.Fatalf("Sigma[%d][%d]: method %.15g, derived %.15g (difference %.3g)", j, j, diag[j], want[j], diag[j]-want[j])
			}
		}
		// The discrete update's moments.
		est, err := update.EstimateMoments(sys, g, gn2, n, model.NewRand(rapid.Uint64().Draw(t, "seed")))
		if err != nil {
			t.Fatal(err)
		}
		for j := range d {
			if z := (est.Mean[j] - g[j]) / est.MeanSE[j]; !(math.Abs(z) <= zCrit) {
				t.Fatalf("E U[%d]: discrete %g +- %.2g, derived %g (z = %.2f)", j, est.Mean[j], est.MeanSE[j], g[j], z)
			}
			if z := (est.Sigma[j] - want[j]) / est.SigmaSE[j]; !(math.Abs(z) <= zCrit) {
				t.Fatalf("N Var U[%d]: discrete %g +- %.2g, derived %g (z = %.2f)", j, est.Sigma[j], est.SigmaSE[j], want[j], z)
			}
		}
	})
}
