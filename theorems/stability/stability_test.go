package stability

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
)

func logGrid(lo, hi float64, n int) []float64 { return logSpaced(lo, hi, n) }

// quarticConfig is Figure 1's left panel in d = 1: DSGD on x^4/4 from x0
// with noise variance sigma1^2 f'^2.
func quarticConfig(t testing.TB, x0, sigma1 float64) mc.Config {
	t.Helper()
	c, err := mc.ParseConfig([]byte(fmt.Sprintf(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"}},"x0":[%g],
		"agents":[{"noise":{"kind":"gaussian","sigma1":%g}}],"method":"dsgd","model":{"kind":"discrete"},"eta":0.01,
		"schedule":{"kind":"constant"},"steps":100,"paths":100,"seed":1}`, x0, sigma1)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestValidate(t *testing.T) {
	t.Parallel()
	good := Spec{Config: quarticConfig(t, 3, 3), Etas: []float64{0.01}, Horizon: 1, Radii: []float64{100}}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid spec refused: %v", err)
	}
	cases := []struct {
		field string
		edit  func(s *Spec)
	}{
		{"etas", func(s *Spec) { s.Etas = nil }},
		{"etas", func(s *Spec) { s.Etas = []float64{0.1, -1} }},
		{"etas", func(s *Spec) { s.Etas = []float64{math.NaN()} }},
		{"horizon", func(s *Spec) { s.Horizon = 0 }},
		{"horizon", func(s *Spec) { s.Horizon = math.Inf(1) }},
		{"horizon", func(s *Spec) { s.Horizon, s.Etas = 1e6, []float64{1e-3} }},
		{"radii", func(s *Spec) { s.Radii = []float64{0} }},
		{"level", func(s *Spec) { s.Level = 1 }},
		{"level", func(s *Spec) { s.Level = math.NaN() }},
		{"factor", func(s *Spec) { s.Factor = 0.5 }},
		{"axis", func(s *Spec) { s.Axis = "nu" }},
		{"values", func(s *Spec) { s.Axis = "sigma1" }},
		{"values", func(s *Spec) { s.Values = []float64{1} }},
		{"values", func(s *Spec) { s.Axis, s.Values = "sigma1", []float64{-1} }},
		{"models", func(s *Spec) { s.Models = []string{"sde9"} }},
		{"refine", func(s *Spec) { s.Refine = -1 }},
		{"nodes", func(s *Spec) { s.Nodes = 3 }},
		{"workers", func(s *Spec) { s.Workers = -2 }},
	}
	for i, tc := range cases {
		s := good
		tc.edit(&s)
		err := s.Validate()
		var fe *model.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("case %d: got %v, want an error naming %s", i, err, tc.field)
		}
	}
	// Errors found while resolving: a threshold inside |x0|, an axis the
	// noise does not have, a dimension the engine does not cover.
	for i, tc := range []struct {
		field string
		edit  func(s *Spec)
	}{
		{"radii", func(s *Spec) { s.Radii = []float64{2} }},
		{"agents[0].noise.kind", func(s *Spec) { s.Axis, s.Values = "scale", []float64{1} }},
		{"method", func(s *Spec) { s.Axis, s.Values = "omega", []float64{1} }},
		{"objective.dim", func(s *Spec) { s.Config.Objective.Dim = 2 }},
	} {
		s := good
		tc.edit(&s)
		_, err := Compute(s)
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("resolve case %d: got %v, want an error naming %s", i, err, tc.field)
		}
	}
}

// TestGradientDescentThreshold checks the discrete method's critical step
// against gradient descent's closed form. Without noise, x - eta x^3 from
// x0 = 3 diverges exactly when eta x0^2 > 2 (|x - eta x^3| > |x| iff
// eta x^2 > 2, and the orbit then grows), eta_c = 2/9. With sigma1 = 0.01
// the first step's noise has standard deviation eta 0.01 27 = 0.06 at
// x0, and for eta = eta_c (1 - eps) the unstable 2-cycle +-sqrt(2/eta) lies
// 7.5 eps outside x1 (to first order), a margin the later steps multiply by
// |1 - 3 eta x^2| = 5: divergence with probability 1% needs eps <= 2.33 x
// 0.06/7.5 = 0.019, and above eta_c it needs the noise to pull the path
// back. So eta*(1%) lies in [0.98, 1] eta_c to first order; the test asks
// for a bracket that meets [0.95, 1] eta_c and is within [0.9, 1.05] eta_c.
// The gradient flow never diverges, so its SDE's p(eta, R) stays below q.
func TestGradientDescentThreshold(t *testing.T) {
	t.Parallel()
	const etaC = 2.0 / 9
	m, err := Compute(Spec{Config: quarticConfig(t, 3, 0.01), Etas: logGrid(0.15, 0.3, 5), Horizon: 1,
		Radii: []float64{100}, Refine: 6, Nodes: 8000})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range m.Curves {
		cr := c.Critical
		t.Logf("%s: %s (%.5g, %.5g], estimate %.5g", c.Model, cr.Status, cr.Lo, cr.Hi, cr.Eta)
		for _, p := range c.Points {
			t.Logf("  eta %.5g: p %.4g +- %.2g %s", p.Eta, p.Escape.Value, p.Escape.Err, p.Note)
		}
		if c.SDE {
			if cr.Status != "above-grid" {
				t.Errorf("SDE: got %s (%g, %g], want above-grid", cr.Status, cr.Lo, cr.Hi)
			}
			continue
		}
		if cr.Status != "bracketed" || cr.Hi < 0.95*etaC || cr.Lo > etaC || cr.Lo < 0.9*etaC || cr.Hi > 1.05*etaC {
			t.Errorf("discrete: got %s (%g, %g], want a bracket meeting [%g, %g] within [%g, %g]", cr.Status, cr.Lo, cr.Hi,
				0.95*etaC, etaC, 0.9*etaC, 1.05*etaC)
		}
	}
}

// mcEscape simulates DSGD on x^4/4 with noise sigma1 |f'| from x0 for
// steps steps of size eta: the fraction of n paths that reach |x| >= R,
// and the mean and standard error of f = x^4/4 at the horizon over the
// paths that did not. Path chunks draw from streams derived from (seed,
// chunk) alone, so the numbers do not depend on the goroutines.
func mcEscape(x0, sigma1, eta float64, steps int, R float64, n int, seed uint64) (frac, mean, se float64) {
	const chunks = 64
	type acc struct{ esc, live, s, s2 float64 }
	res := make([]acc, chunks)
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := w; ch < chunks; ch += 2 {
				r := rand.New(rand.NewPCG(seed, uint64(ch)))
				var a acc
				for range n / chunks {
					x := x0
					out := false
					for range steps {
						g := x * x * x
						x -= eta * (g + sigma1*math.Abs(g)*r.NormFloat64())
						if math.Abs(x) >= R {
							out = true
							break
						}
					}
					if out {
						a.esc++
						continue
					}
					f := x * x * x * x / 4
					a.live++
					a.s += f
					a.s2 += f * f
				}
				res[ch] = a
			}
		}()
	}
	wg.Wait()
	var tot acc
	for _, a := range res {
		tot.esc, tot.live, tot.s, tot.s2 = tot.esc+a.esc, tot.live+a.live, tot.s+a.s, tot.s2+a.s2
	}
	mean = tot.s / tot.live
	return tot.esc / float64(n), mean, math.Sqrt((tot.s2/tot.live - mean*mean) / tot.live)
}

// TestEscapeAgainstMonteCarlo compares the discrete method's p(eta, R)
// and E[f | stayed] with Monte Carlo written here (2^19 paths a point) at
// two steps of Figure 1's left panel (sigma1 = 3): |exact - MC| within the
// exact value's bar plus z standard errors, z = 4.89 (two-sided 1e-6 per
// comparison, 4 comparisons: false-alarm probability 4e-6).
func TestEscapeAgainstMonteCarlo(t *testing.T) {
	t.Parallel()
	const T, R, n, z = 1.0, 100.0, 1 << 19, 4.89
	etas := []float64{0.005, 0.02}
	m, err := Compute(Spec{Config: quarticConfig(t, 3, 3), Etas: etas, Horizon: T, Radii: []float64{R}, Models: []string{"discrete"}})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Curves[0].Points {
		frac, mean, se := mcEscape(3, 3, p.Eta, p.Steps, R, n, 27+uint64(i))
		pse := math.Sqrt(math.Max(frac*(1-frac), 1/float64(n)) / n)
		t.Logf("eta %g: p %.6g +- %.2g, MC %.6g +- %.2g; mean %.6g +- %.2g, MC %.6g +- %.2g", p.Eta, p.Escape.Value, p.Escape.Err, frac, pse, p.Mean.Value, p.Mean.Err, mean, se)
		if d := math.Abs(p.Escape.Value - frac); d > p.Escape.Err+z*pse {
			t.Errorf("eta %g: got p %g +- %g, Monte Carlo %g +- %g (%.1f se beyond the bar)", p.Eta, p.Escape.Value, p.Escape.Err, frac, pse, (d-p.Escape.Err)/pse)
		}
		if d := math.Abs(p.Mean.Value - mean); d > p.Mean.Err+z*se {
			t.Errorf("eta %g: got E[f | stayed] %g +- %g, Monte Carlo %g +- %g", p.Eta, p.Mean.Value, p.Mean.Err, mean, se)
		}
	}
}

// gbmEscape is the closed form of P(sup_{t<=T} X_t >= R) for the geometric
// Brownian motion dX = mu X dt + s X dW from x0 < R: log X is a Brownian
// motion with drift nu = mu - s^2/2 and level a = log(R/x0), and
// P(max_{t<=T} (nu t + s W_t) >= a) = Phi((nu T - a)/(s sqrt T)) +
// exp(2 nu a/s^2) Phi((-a - nu T)/(s sqrt T)).
func gbmEscape(mu, s, x0, R, T float64) float64 {
	nu, a := mu-s*s/2, math.Log(R/x0)
	phi := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	st := s * math.Sqrt(T)
	return phi((nu*T-a)/st) + math.Exp(2*nu*a/(s*s))*phi((-a-nu*T)/st)
}

// TestSDEEscapeClosedForm checks the SDE model's p(eta, R) against a
// closed form it never saw: DSGD on x^2/2 with noise sigma1 |f'| has the
// SDE dX = -X dt + sqrt(eta) sigma1 |X| dW (docs/math.md section 2), a
// geometric Brownian motion that stays positive from x0 = 1, so that
// reaching |X| >= R is reaching R. Its second-order model (Li, Tai and E:
// drift -(f' + (eta/2) f' f”)) is the geometric Brownian motion with
// drift -(1 + eta/2) X. The bars must contain the closed forms; Ville's
// bound (exact.EscapeBound, for the first-order model) must lie above it.
func TestSDEEscapeClosedForm(t *testing.T) {
	t.Parallel()
	const s, T, R = 2.0, 2.0, 10.0
	c, err := mc.ParseConfig([]byte(fmt.Sprintf(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"square"}},"x0":[1],
		"agents":[{"noise":{"kind":"gaussian","sigma1":%g}}],"method":"dsgd","model":{"kind":"sde"},"eta":0.1,
		"schedule":{"kind":"constant"},"steps":10,"paths":100,"seed":1}`, s)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compute(Spec{Config: c, Etas: []float64{0.1, 0.2, 0.4}, Horizon: T, Radii: []float64{R}, Models: []string{"sde", "sde2"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, cv := range m.Curves {
		for _, p := range cv.Points {
			mu := -1.0
			if cv.Model == "sde2" {
				mu = -(1 + p.Eta/2)
			}
			want := gbmEscape(mu, math.Sqrt(p.Eta)*s, 1, R, T)
			t.Logf("%s eta %g: p %.6g +- %.2g, closed form %.6g (%.2f bars), Ville %.3g", cv.Model, p.Eta, p.Escape.Value, p.Escape.Err, want, math.Abs(p.Escape.Value-want)/p.Escape.Err, p.Bound)
			if math.Abs(p.Escape.Value-want) > p.Escape.Err {
				t.Errorf("%s eta %g: got p %g +- %g, closed form %g", cv.Model, p.Eta, p.Escape.Value, p.Escape.Err, want)
			}
			if cv.Model == "sde" && p.Bound < want {
				t.Errorf("%s eta %g: Ville's bound %g below the closed form %g", cv.Model, p.Eta, p.Bound, want)
			}
		}
	}
}

// TestPaperMapsValid: the report's maps and Figure 1's point are valid
// specs (computing them is the deep tier's and the report's job).
func TestPaperMapsValid(t *testing.T) {
	t.Parallel()
	for _, pm := range PaperMaps() {
		if err := pm.Spec.Validate(); err != nil {
			t.Errorf("%s: %v", pm.ID, err)
		}
		if _, _, err := pm.Spec.problems(); err != nil {
			t.Errorf("%s: %v", pm.ID, err)
		}
	}
	if err := Figure1Point().Validate(); err != nil {
		t.Errorf("Figure 1's point: %v", err)
	}
}

// TestSDETailExponent checks how the SDE models' p(eta, R) falls with R
// against their scale functions (docs/math.md section 9). On
// x^4/4 with noise sigma1 |f'| the first-order SDE has 2 mu/s^2 =
// -2/(eta sigma1^2 x^3), integrable at infinity: the scale density tends to
// a constant, S(R) ~ R, and p(eta, R) ~ C/S(R) falls by 10 per decade of
// R. The second-order model's drift adds (eta/2) f' f_xx = 1.5 eta x^5, so
// 2 mu/s^2 gains -3/(sigma1^2 x): the scale density grows like
// x^(3/sigma1^2) and p by 10^(1 + 3/sigma1^2) per decade (10^(4/3) at
// sigma1 = 3). The ratio p(eta, 1e4)/p(eta, 1e3) must be within 3% of these
// (the asymptotic law's correction at R = 1e3 is of relative order
// S(a)/S(R) and the engine's bars are below 1% of the ratio there).
func TestSDETailExponent(t *testing.T) {
	t.Parallel()
	m, err := Compute(Spec{Config: quarticConfig(t, 3, 3), Etas: []float64{0.1}, Horizon: 5, Radii: []float64{1000, 10000},
		Models: []string{"sde", "sde2"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"sde": 0.1, "sde2": math.Pow(10, -(1 + 3.0/9))}
	for _, r := range m.Radius {
		got := r.MinRatio
		t.Logf("%s: p(1e4)/p(1e3) = %.5g (max %.5g), want %.5g", r.Model, got, r.MaxRatio, want[r.Model])
		if r.Points != 1 || math.Abs(got/want[r.Model]-1) > 0.03 {
			t.Errorf("%s: got p(1e4)/p(1e3) = %g over %d etas, want %g within 3%%", r.Model, got, r.Points, want[r.Model])
		}
	}
	if len(m.Radius) != 2 {
		t.Errorf("got %d radius comparisons, want 2", len(m.Radius))
	}
}

// TestPaperMapsDeep computes the report's maps (deep tier:
// SDEVERIFY_DEEP=1, several minutes on 2 cores) and checks what the theory
// of docs/math.md section 9 says of them: the discrete method's critical
// step is the same at every R (its brackets overlap), and without a
// compressor its p(eta, R) has converged in R (within its bars or 5%; a
// Bernoulli compressor leaves escaping paths in flight at the horizon
// where T/eta is a few steps); each first-order SDE's falls at least like
// 1/R (its scale density
// increases to a constant: S(R) grows at least linearly); on x^4/4 every
// SDE model misses DSGD's and DCSGD's step-size restriction at the largest
// R where the discrete method's critical step is on the grid
// (sigma1 >= 1); DSignSGD, whose step is at most eta, never reaches q.
func TestPaperMapsDeep(t *testing.T) {
	if os.Getenv("SDEVERIFY_DEEP") == "" {
		t.Skip("deep tier: SDEVERIFY_DEEP=1")
	}
	for _, pm := range PaperMaps() {
		m, err := Compute(pm.Spec)
		if err != nil {
			t.Fatalf("%s: %v", pm.ID, err)
		}
		for _, r := range m.Radius {
			switch {
			case r.Model == "discrete" && pm.ID != "stability-dcsgd-quartic" && !r.Converged && r.MinRatio < 0.95:
				t.Errorf("%s: discrete, value %g: p(R = %g)/p(R = %g) down to %g", pm.ID, r.Value, r.R2, r.R1, r.MinRatio)
			case r.Model == "sde" && r.Points > 0 && r.MaxRatio > 1.03*r.R1/r.R2:
				t.Errorf("%s: first-order SDE, value %g: p(R = %g)/p(R = %g) up to %g, above R1/R2 = %g", pm.ID, r.Value, r.R2, r.R1, r.MaxRatio, r.R1/r.R2)
			}
		}
		for _, v := range m.Values {
			lo, hi := 0.0, math.Inf(1)
			for _, c := range m.Curves {
				if c.Model == "discrete" && c.Value == v {
					lo, hi = math.Max(lo, c.Critical.Lo), math.Min(hi, c.Critical.Hi)
				}
			}
			if lo >= hi {
				t.Errorf("%s: value %g: the discrete method's brackets at the thresholds do not overlap (%g >= %g)", pm.ID, v, lo, hi)
			}
		}
		rmax := m.Radii[len(m.Radii)-1]
		for _, v := range m.Verdicts {
			quartic := pm.ID == "stability-dsgd-quartic" || pm.ID == "stability-dcsgd-quartic"
			if quartic && v.Radius == rmax && v.Discrete.Status == "bracketed" && v.Outcome != "misses" {
				t.Errorf("%s: %s at value %g, R = %g: got %s (ratio in [%g, %g]), want misses", pm.ID, v.Model, v.Value, v.Radius, v.Outcome, v.RatioLo, v.RatioHi)
			}
		}
		if pm.ID == "stability-dsignsgd-quartic" {
			for _, c := range m.Curves {
				if c.Critical.Status != "above-grid" {
					t.Errorf("%s: %s at value %g, R = %g: got %s, want above-grid", pm.ID, c.Model, c.Value, c.Radius, c.Critical.Status)
				}
			}
		}
	}
}

// TestCentreTopExplosionSmall runs the explosion quantification in d = 20
// with 16 paths: every row's bounds are ordered (LowerBound <= UpperBound,
// both in [0, 1]), a certified row's level is sqrt(R1) and its lower bound
// at most its certificate's probability, hits by T/2 at most hits by T,
// and the readings' per-coordinate sigma1 are 0.1 and 0.1/sqrt(20).
func TestCentreTopExplosionSmall(t *testing.T) {
	t.Parallel()
	rows, err := CentreTopExplosion(20, 16, 5, 1e-3, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 8 {
		t.Fatalf("got %d rows, want 8 (4 omegas x 2 readings)", len(rows))
	}
	for i, r := range rows {
		t.Logf("omega %g %s: certified %v, hits %d/%d by T/2, %d by T, P(explode) in [%.3g, %.3g]", r.Omega, r.Reading, r.Certified, r.HitHalf, r.Paths, r.Hit, r.LowerBound, r.UpperBound)
		want := 0.1
		if r.Reading == "total" {
			want = 0.1 / math.Sqrt(20)
		}
		switch {
		case !(0 <= r.LowerBound && r.LowerBound <= r.UpperBound && r.UpperBound <= 1):
			t.Errorf("case %d: bounds [%g, %g] not ordered in [0, 1]", i, r.LowerBound, r.UpperBound)
		case r.HitHalf > r.Hit:
			t.Errorf("case %d: %d hits by T/2 but %d by T", i, r.HitHalf, r.Hit)
		case r.Certified && (math.Abs(r.Level-math.Sqrt(r.R1)) > 1e-9*r.Level || r.LowerBound > r.Lower):
			t.Errorf("case %d: level %g, R1 %g, lower bound %g above the certificate's %g", i, r.Level, r.R1, r.LowerBound, r.Lower)
		case math.Abs(r.Sigma1-want) > 1e-15:
			t.Errorf("case %d: sigma1 %g, want %g", i, r.Sigma1, want)
		}
	}
	if _, err := CentreTopExplosion(20, 1, 5, 1e-3, 0); err == nil {
		t.Errorf("1 path accepted")
	}
}
