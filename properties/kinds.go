package properties

import (
	"fmt"
	"math"

	"pgregory.net/rapid"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
)

// The properties every registered kind of a sort must have, over the
// kinds given (none: every drawable kind registered in the binary). The
// suite runs them over the built-in kinds (TestKinds*); a kind registered
// elsewhere runs them over itself from its own test
// (rapid.Check(t, properties.NoiseLawProperty("mylaw"))).

// KindAlpha is the level of each Monte Carlo check of a kind property
// (Bonferroni-split over the checks of one case); with rapid's default 100
// cases a property's false-alarm probability is below 100 KindAlpha.
const KindAlpha = 1e-8

// NoiseLawProperty: a noise law's samples agree with what it states of
// itself, at a random gradient (z tests, 20000 draws): each coordinate
// has mean 0 and, where AddVariance reports a finite variance, its
// second moment is that variance (the law is drawn with finite fourth
// moments for these); E sign(g_j + Z_j) is AddSignMean's value for
// every law.
func NoiseLawProperty(kinds ...string) func(*rapid.T) {
	return func(t *rapid.T) {
		d := rapid.IntRange(1, 3).Draw(t, "d")
		moments := rapid.SampledFrom([]int{0, 4}).Draw(t, "moments")
		spec := NoiseSpecs(model.DrawOptions{Dim: d, Moments: moments}, kinds...).Draw(t, "noise")
		nz, err := spec.Build()
		if err != nil {
			t.Fatalf("drawn noise %+v does not build: %v", spec, err)
		}
		if err := nz.Validate(d); err != nil {
			t.Fatalf("drawn noise %+v is invalid: %v", spec, err)
		}
		grad := make([]float64, d)
		var gn2 float64
		for j := range grad {
			grad[j] = rapid.Float64Range(-3, 3).Draw(t, "grad")
			gn2 += grad[j] * grad[j]
		}
		seed := rapid.Uint64().Draw(t, "seed")
		r := mc.Stream(seed, 0)
		const n = 20000
		z := make([]float64, d)
		mean, second, sgn := make([]mc.Moments, d), make([]mc.Moments, d), make([]mc.Moments, d)
		for range n {
			nz.Sample(z, grad, gn2, r)
			for j, v := range z {
				mean[j].Add(v)
				second[j].Add(v * v)
				sgn[j].Add(signOf(grad[j] + v))
			}
		}
		vr := make([]float64, d)
		finite := nz.AddVariance(vr, grad, gn2)
		sm, sv := make([]float64, d), make([]float64, d)
		nz.AddSignMean(sm, grad, gn2)
		nz.AddSignVar(sv, grad, gn2)
		alpha := KindAlpha / float64(3*d)
		for j := range d {
			// A sign that is almost sure (P = 1 - 7e-5) shows no spread in
			// 20000 draws a quarter of the time: the test then takes the
			// spread the law states, AddSignVar.
			if msg := agreesSE(sgn[j], math.Sqrt(sv[j]/n), sm[j], alpha); msg != "" {
				t.Fatalf("%s: E sign(g + Z) in coordinate %d: sampled against AddSignMean: %s", spec.Kind, j, msg)
			}
			if moments < 4 {
				continue
			}
			if msg := agrees(mean[j], 0, alpha); msg != "" {
				t.Fatalf("%s: not centred in coordinate %d: %s", spec.Kind, j, msg)
			}
			if !finite {
				t.Fatalf("%s drawn with finite fourth moments reports an infinite variance", spec.Kind)
			}
			if msg := agrees(second[j], vr[j], alpha); msg != "" {
				t.Fatalf("%s: E Z_%d^2 sampled against AddVariance: %s", spec.Kind, j, msg)
			}
		}
	}
}

// agrees returns "" when a sample mean is consistent with target: a z
// test at level alpha, or equality to 1e-12 relative when the sample has
// no spread (a degenerate law).
func agrees(m mc.Moments, target, alpha float64) string { return agreesSE(m, 0, target, alpha) }

// agreesSE is agrees with the standard error se where the sample has no
// spread (0: none).
func agreesSE(m mc.Moments, se, target, alpha float64) string {
	if m.SE() == 0 && se > 0 {
		if z := mc.ZTestSE(m.Mean, se, m.N, target, alpha); z.Reject {
			return z.String()
		}
		return ""
	}
	if m.SE() == 0 {
		if !closeTo(m.Mean, target, 1e-12) {
			return fmt.Sprintf("constant sample %v, stated %v", m.Mean, target)
		}
		return ""
	}
	if z := mc.ZTest(m, target, alpha); z.Reject {
		return z.String()
	}
	return ""
}

func signOf(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// CompressorProperty: every unbiased compressor has E C(v) = v and
// E||C(v)-v||^2 <= omega ||v||^2 on a random v (z tests, 5000 draws); a
// compressor that is not model.Unbiased is skipped.
func CompressorProperty(kinds ...string) func(*rapid.T) {
	return func(t *rapid.T) {
		d := rapid.IntRange(1, 6).Draw(t, "d")
		spec := CompressorSpecs(model.DrawOptions{Dim: d}, kinds...).Draw(t, "compressor")
		cb, err := spec.Build(d)
		if err != nil {
			t.Fatalf("drawn compressor %+v does not build: %v", spec, err)
		}
		c, ok := cb.(model.Unbiased)
		if !ok {
			t.Skipf("%s is not unbiased", spec.Kind)
		}
		v := make([]float64, d)
		for j := range v {
			// 0 or |v_j| in [1e-3, 5]: below ~1e-154 the squared deviations
			// underflow and the standard error would be 0.
			if !rapid.Bool().Draw(t, "v zero") {
				v[j] = rapid.Float64Range(1e-3, 5).Draw(t, "|v|")
				if rapid.Bool().Draw(t, "v sign") {
					v[j] = -v[j]
				}
			}
		}
		seed := rapid.Uint64().Draw(t, "seed")
		if err := c.Validate(d); err != nil {
			t.Fatalf("generated an invalid compressor: %v", err)
		}
		r := mc.Stream(seed, 0)
		out := make([]float64, d)
		mean := make([]mc.Moments, d)
		var err2 mc.Moments
		var vv float64
		for _, x := range v {
			vv += x * x
		}
		const n = 5000
		for range n {
			c.Compress(out, v, r)
			var e float64
			for j := range d {
				mean[j].Add(out[j] - v[j])
				e += (out[j] - v[j]) * (out[j] - v[j])
			}
			err2.Add(e - c.Omega(d)*vv)
		}
		alpha := KindAlpha / float64(d+1)
		diag := make([]float64, d)
		beta := c.ErrorCov(diag, v)
		for j := range d {
			// A sample without spread does not show the variance (QSGD with
			// a fractional level of 1e-7 rounds up too rarely for 5000
			// draws), so the z test uses the variance the compressor's law
			// implies, Var C_j = D_j - beta v_j^2, whenever the sample shows
			// none; a rounding tolerance of 1e-12 ||v|| covers exact cases.
			se := mean[j].SE()
			if se == 0 {
				se = math.Sqrt(math.Max(0, diag[j]-beta*v[j]*v[j]) / n)
			}
			if z := mc.ZTestSE(mean[j].Mean, se+1e-12*math.Sqrt(vv), n, 0, alpha); z.Reject {
				t.Fatalf("%s biased in coordinate %d: %v", spec.Kind, j, z)
			}
		}
		if z := mc.ZTest(err2, 0, alpha); z.Z > z.Crit && !(err2.SE() == 0 && err2.Mean <= 1e-12*(vv+1e-300)) {
			t.Fatalf("%s exceeds its omega = %v: %v", spec.Kind, c.Omega(d), z)
		}
	}
}

// AtomProperty (deterministic): at random points at least 0.05 from the
// minimiser, an atom's Deriv is Eval's first derivative h_x, which agrees
// with a central difference of Eval's value, as the second derivative h_xx
// agrees with one of Deriv (to 1e-5 relative); |h_xx| <= L0 + L1 |h_x|
// holds for its certificate (to 1e-9 relative); h >= Inf, and
// h(Argmin) = Inf.
func AtomProperty(kinds ...string) func(*rapid.T) {
	return func(t *rapid.T) {
		spec := AtomSpecs(kinds...).Draw(t, "atom")
		a, err := spec.Build()
		if err != nil {
			t.Fatalf("drawn atom %+v does not build: %v", spec, err)
		}
		cert := a.Certificate()
		hmin, _, _ := a.Eval(a.Argmin())
		if !closeTo(hmin, a.Inf(), 1e-12) {
			t.Fatalf("%s: h(argmin %v) = %v, Inf %v", spec.Kind, a.Argmin(), hmin, a.Inf())
		}
		// At least 0.05 from the minimiser, where an atom may fail to be
		// three times differentiable (|x|^p/p for p < 3) and the central
		// differences below lose their order.
		x := a.Argmin() + rapid.Float64Range(0.05, 3).Draw(t, "|x - argmin|")
		if rapid.Bool().Draw(t, "left") {
			x = 2*a.Argmin() - x
		}
		h, d1, d2 := a.Eval(x)
		if d := a.Deriv(x); !closeTo(d, d1, 1e-12) {
			t.Fatalf("%s at %v: Deriv %v, Eval's h' %v", spec.Kind, x, d, d1)
		}
		if h < a.Inf()-1e-12*math.Max(1, math.Abs(a.Inf())) {
			t.Fatalf("%s at %v: h = %v below Inf %v", spec.Kind, x, h, a.Inf())
		}
		if bound := cert.L0 + cert.L1*math.Abs(d1); math.Abs(d2) > bound*(1+1e-9) {
			t.Fatalf("%s at %v: |h''| = %v > L0 + L1 |h'| = %v (certificate %+v)", spec.Kind, x, math.Abs(d2), bound, cert)
		}
		// Central differences, step 1e-4 (|x| <= ~3): truncation error
		// ~1e-8 |h'''| and rounding ~1e-12 |h|/1e-4, within 1e-5 of the
		// scale below.
		const e = 1e-4
		hp, dp, _ := a.Eval(x + e)
		hm, dm, _ := a.Eval(x - e)
		scale := 1 + math.Abs(h) + math.Abs(d1) + math.Abs(d2) + math.Abs(hp) + math.Abs(dp)
		if fd := (hp - hm) / (2 * e); math.Abs(fd-d1) > 1e-5*scale {
			t.Fatalf("%s at %v: h' = %v, central difference %v", spec.Kind, x, d1, fd)
		}
		if fd := (dp - dm) / (2 * e); math.Abs(fd-d2) > 1e-5*scale {
			t.Fatalf("%s at %v: h'' = %v, central difference of h' %v", spec.Kind, x, d2, fd)
		}
	}
}

func closeTo(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// ScheduleProperty (deterministic): a drawn schedule validates; its rate is
// finite and > 0 at random steps and gradient norms; a clock schedule's
// rate reads neither gradient norm (the same value whatever they are).
func ScheduleProperty(kinds ...string) func(*rapid.T) {
	return func(t *rapid.T) {
		spec := ScheduleSpecs(kinds...).Draw(t, "schedule")
		s, err := spec.Build()
		if err != nil {
			t.Fatalf("drawn schedule %+v does not build: %v", spec, err)
		}
		k := rapid.IntRange(0, 1_000_000).Draw(t, "k")
		eta := rapid.Float64Range(1e-3, 1).Draw(t, "eta")
		info := model.StepInfo{K: k, T: float64(k) * eta,
			Ensemble: rapid.Float64Range(0, 100).Draw(t, "ensemble"), Path: rapid.Float64Range(0, 100).Draw(t, "path")}
		r := s.Rate(info)
		if !(r > 0) || math.IsInf(r, 0) {
			t.Fatalf("%s: rate %v at %+v", spec.Kind, r, info)
		}
		if s.Reads() == model.ReadsClock {
			other := info
			other.Ensemble, other.Path = info.Ensemble+1, info.Path*2+1
			if r2 := s.Rate(other); r2 != r {
				t.Fatalf("%s reads the clock only, yet its rate moved from %v to %v with the gradient norms", spec.Kind, r, r2)
			}
		}
	}
}

// kindsDrawn is a helper for the kinds' own tests: the names a generator
// drew in n examples.
func kindsDrawn[S any](g *rapid.Generator[S], kind func(S) string, n int) map[string]int {
	out := map[string]int{}
	for i := range n {
		out[kind(g.Example(i))]++
	}
	return out
}

// DrawnKinds returns how often each noise, compressor, atom and schedule
// kind is drawn in n examples of the generators (by sort, then name): a
// kind's test asserts that its kind is among them.
func DrawnKinds(n int) map[string]map[string]int {
	return map[string]map[string]int{
		"noise":      kindsDrawn(NoiseSpecs(model.DrawOptions{Dim: 2}), func(s model.NoiseSpec) string { return s.Kind }, n),
		"compressor": kindsDrawn(CompressorSpecs(model.DrawOptions{Dim: 2}), func(s model.CompressorSpec) string { return s.Kind }, n),
		"atom":       kindsDrawn(AtomSpecs(), func(s model.AtomSpec) string { return s.Kind }, n),
		"schedule":   kindsDrawn(ScheduleSpecs(), func(s model.ScheduleSpec) string { return s.Kind }, n),
	}
}
