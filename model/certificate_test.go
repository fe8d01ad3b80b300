package model_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/gen"
	"github.com/sdeverify/sdeverify/model/objective"
)

// certTol is the relative rounding allowance of a certificate check: the two
// sides are computed with a handful of flops each, so 1e-9 is far above
// rounding and far below any real violation found by the mutants below.
const certTol = 1e-9

// tightSpots returns the inner arguments y = a x at which an atom's
// certificate is tight or nearly so (docs/math.md section 1).
func tightSpots(s model.AtomSpec) []float64 {
	l0 := s.L0
	switch s.Kind {
	case "quartic":
		if l0 == 0 {
			l0 = objective.DefaultQuarticL0
		}
		return []float64{math.Sqrt(l0)}
	case "power":
		if l0 == 0 {
			l0 = objective.DefaultPowerL0
		}
		return []float64{math.Pow(l0, 1/(s.P-2))}
	case "explinear":
		return []float64{0, 1, 10, 50}
	}
	return []float64{0, 1}
}

// atomPoints returns points x, dense near the atom's tight spots (relative
// offsets down to 1e-8) and log-spaced far out, keeping |a x| <= 300 so that
// exponentials stay finite.
func atomPoints(s model.AtomSpec, rng *rand.Rand) []float64 {
	a := s.A
	if a == 0 {
		a = 1
	}
	var ys []float64
	for _, t := range tightSpots(s) {
		for _, e := range []float64{0, 1e-8, -1e-8, 1e-4, -1e-4, 1e-2, -1e-2, 0.3, -0.3} {
			ys = append(ys, t*(1+e), -t*(1+e))
		}
	}
	for e := -6.0; e <= math.Log10(300); e += 0.25 {
		ys = append(ys, math.Pow(10, e), -math.Pow(10, e))
	}
	for range 50 {
		ys = append(ys, 20*rng.NormFloat64())
	}
	xs := make([]float64, 0, len(ys))
	for _, y := range ys {
		if math.Abs(y) <= 300 {
			xs = append(xs, y/a)
		}
	}
	return xs
}

// checkAtom returns the first point where the atom's claimed certificate
// fails, or an error-free nil.
func checkAtom(s model.AtomSpec, cert model.Certificate, rng *rand.Rand) error {
	a, err := s.Build()
	if err != nil {
		return err
	}
	for _, x := range atomPoints(s, rng) {
		_, d1, d2 := a.Eval(x)
		if !cert.Holds(math.Abs(d2), math.Abs(d1), certTol) {
			return fmt.Errorf("%+v: certificate %+v fails at x = %v: |h''| = %v > %v + %v |h'| (|h'| = %v)", s, cert, x, math.Abs(d2), cert.L0, cert.L1, math.Abs(d1))
		}
	}
	return nil
}

func atomSpecGen() *rapid.Generator[model.AtomSpec] {
	return rapid.Custom(func(t *rapid.T) model.AtomSpec {
		s := model.AtomSpec{Kind: rapid.SampledFrom([]string{"quartic", "power", "cosh", "logcosh", "square", "explinear"}).Draw(t, "kind")}
		logU := func(name string, lo, hi float64) float64 {
			return math.Pow(10, rapid.Float64Range(math.Log10(lo), math.Log10(hi)).Draw(t, name))
		}
		if s.Kind == "power" {
			s.P = rapid.Float64Range(2.05, 8).Draw(t, "p")
		}
		if s.Kind == "power" || s.Kind == "quartic" {
			s.L0 = logU("l0", 1e-3, 1e3)
		}
		if rapid.Bool().Draw(t, "scaled") {
			s.C = logU("c", 1e-2, 1e2)
			s.A = logU("a", 1e-2, 1e2)
			if rapid.Bool().Draw(t, "neg") {
				s.A = -s.A
			}
		}
		return s
	})
}

// TestAtomCertificates checks every atom's certificate on points dense near
// its tight spots and far out. Deterministic: no false-alarm probability.
func TestAtomCertificates(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := atomSpecGen().Draw(t, "atom")
		a, err := s.Build()
		if err != nil {
			t.Fatalf("build %+v: %v", s, err)
		}
		rng := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 1))
		if err := checkAtom(s, a.Certificate(), rng); err != nil {
			t.Fatal(err)
		}
	})
}

// TestAtomCertificatesAreTight shows that the certificate checker can fail:
// the tight atoms' certificates, with L1 or L0 lowered by 10%, are caught.
func TestAtomCertificatesAreTight(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		spec       model.AtomSpec
		lowerL0    bool // lower L0 (otherwise L1)
		wantCaught bool
	}{
		{model.AtomSpec{Kind: "quartic"}, false, true},
		{model.AtomSpec{Kind: "quartic", L0: 0.5}, true, true},
		{model.AtomSpec{Kind: "power", P: 3, L0: 2}, false, true},
		{model.AtomSpec{Kind: "power", P: 6.5}, true, true},
		{model.AtomSpec{Kind: "cosh"}, true, true},
		{model.AtomSpec{Kind: "cosh"}, false, true},
		{model.AtomSpec{Kind: "logcosh"}, true, true},
		{model.AtomSpec{Kind: "square", C: 2, A: 3}, true, true},
		{model.AtomSpec{Kind: "explinear", A: -2}, false, true},
		{model.AtomSpec{Kind: "explinear", C: 3, A: 0.5}, true, true},
	}
	for i, c := range cases {
		a, err := c.spec.Build()
		require.NoError(t, err)
		cert := a.Certificate()
		if c.lowerL0 {
			cert.L0 *= 0.9
		} else {
			cert.L1 *= 0.9
		}
		err = checkAtom(c.spec, cert, rng)
		if (err != nil) != c.wantCaught {
			t.Errorf("case %d: %+v lowered: caught %v, want %v", i, c.spec, err != nil, c.wantCaught)
		}
	}
}

// objectivePoints returns points where an objective is checked: its
// minimiser plus random directions at radii log-spaced from 1e-3 to 10, and,
// for an unrotated separable objective, each coordinate placed at its atom's
// tight spots with the others at their minimisers.
func objectivePoints(s objective.Spec, f model.Objective, rng *rand.Rand) [][]float64 {
	d := f.Dim()
	xstar := make([]float64, d)
	f.Minimizer(xstar)
	pts := [][]float64{append([]float64(nil), xstar...)}
	for e := -3.0; e <= 1; e += 0.5 {
		for range 3 {
			x := make([]float64, d)
			var n float64
			for j := range x {
				x[j] = rng.NormFloat64()
				n += x[j] * x[j]
			}
			r := math.Pow(10, e) / math.Sqrt(n)
			for j := range x {
				x[j] = xstar[j] + r*x[j]*math.Sqrt(float64(d))
			}
			pts = append(pts, x)
		}
	}
	if s.Kind == "separable" && s.RotationSeed == 0 {
		for j := 0; j < d; j += max(1, d/5) {
			as := s.Atom
			if as == nil {
				as = &s.Atoms[j]
			}
			a := as.A
			if a == 0 {
				a = 1
			}
			for _, t := range tightSpots(*as) {
				for _, sg := range []float64{1, -1} {
					x := append([]float64(nil), xstar...)
					x[j] += sg * t / a
					pts = append(pts, x)
				}
			}
		}
	}
	return pts
}

func checkObjective(s objective.Spec, f model.Objective, cert model.Certificate, rng *rand.Rand) error {
	g := make([]float64, f.Dim())
	for _, x := range objectivePoints(s, f, rng) {
		f.Grad(g, x)
		var gn float64
		for _, v := range g {
			gn += v * v
		}
		gn = math.Sqrt(gn)
		h := f.HessNorm(x)
		if math.IsInf(h, 0) || math.IsInf(gn, 0) {
			continue // past overflow: no claim can be checked there
		}
		if !cert.Holds(h, gn, certTol) {
			return fmt.Errorf("certificate %+v fails at a point with ||H|| = %v, ||g|| = %v", cert, h, gn)
		}
	}
	return nil
}

// TestGeneratedObjectiveCertificates checks the certificates of 2000
// generated objectives (dimensions 1..1000, rotations up to 30), and that
// halving L1 is caught on the ones whose certificate relies on L1.
// Deterministic: no false-alarm probability.
func TestGeneratedObjectiveCertificates(t *testing.T) {
	t.Parallel()
	n := 2000
	if testing.Short() {
		n = 300
	}
	caught, relies := 0, 0
	for i := range n {
		rng := rand.New(rand.NewPCG(uint64(i), 7))
		s := gen.Objective(gen.RandDrawer{R: rng}, gen.Options{MaxDim: 1000, MaxRotateDim: 30})
		if s.Kind == "quadratic" && len(s.Matrix) > 60 {
			continue // keep the dense eigendecompositions cheap
		}
		f, err := s.Build()
		require.NoError(t, err, "case %d", i)
		cert := f.Certificate()
		if err := checkObjective(s, f, cert, rng); err != nil {
			t.Fatalf("case %d (%s, d=%d): %v", i, s.Kind, f.Dim(), err)
		}
		if cert.L1 > 0 && s.Kind == "separable" && s.RotationSeed == 0 && s.Atom != nil {
			relies++
			half := model.Certificate{L0: cert.L0, L1: cert.L1 / 2}
			if checkObjective(s, f, half, rng) != nil {
				caught++
			}
		}
	}
	t.Logf("%d objectives checked; L1 halved caught on %d of %d homogeneous ones relying on L1", n, caught, relies)
	// Every homogeneous atom with L1 > 0 is tight somewhere we look (the
	// tight spots above), so halving L1 must always be caught.
	require.Equal(t, relies, caught, "a halved L1 escaped the checker")
	require.Greater(t, relies, 50)
}

func TestCombinatorCertificates(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	q := objective.Homogeneous{Atom: objective.Quartic{}, D: 4}
	sh := objective.Shifted{F: q, Center: []float64{1, -2, 3, 0.5}}
	rot, err := objective.NewRotated(sh, objective.RandomRotation(4, rng))
	require.NoError(t, err)
	for i, f := range []model.Objective{q, sh, rot} {
		require.Equal(t, q.Certificate(), f.Certificate(), "case %d", i)
		require.NoError(t, checkObjective(objective.Spec{}, f, f.Certificate(), rng), "case %d", i)
		xs := make([]float64, 4)
		f.Minimizer(xs)
		require.InDelta(t, 0, f.Value(xs)-f.Inf(), 1e-12, "case %d: f(x*) - f*", i)
	}
	// A non-orthogonal "rotation" is refused.
	bad := objective.RandomRotation(4, rng)
	bad.Set(0, 0, bad.At(0, 0)+0.1)
	_, err = objective.NewRotated(q, bad)
	require.ErrorContains(t, err, "rotation")
}

func TestWithCertificate(t *testing.T) {
	t.Parallel()
	f := objective.Homogeneous{Atom: objective.Quartic{}, D: 1}
	// Figure 1's (3,3) dominates the tight (3, 2/sqrt 3).
	c, err := model.WithCertificate(f, model.Certificate{L0: 3, L1: 3})
	require.NoError(t, err)
	require.Equal(t, model.Certificate{L0: 3, L1: 3}, c.Certificate())
	_, err = model.WithCertificate(f, model.Certificate{L0: 3, L1: 1})
	require.ErrorContains(t, err, "certificate.l1 = 1")
	_, err = model.WithCertificate(f, model.Certificate{L0: math.NaN(), L1: 3})
	require.ErrorContains(t, err, "certificate.l0 = NaN")
}
