package curvsde_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/sdeverify/sdeverify/examples/extend/curvsde"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems/stability"
	"github.com/sdeverify/sdeverify/theorems/weak"
)

// quadConfig is f = a x^2/2 in d = 1 from x0 with one agent's Gaussian
// noise (sigma0, sigma1), a constant schedule.
func quadConfig(t testing.TB, a, s0, x0, eta float64, steps int, method string) mc.Config {
	t.Helper()
	c, err := mc.ParseConfig([]byte(fmt.Sprintf(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"square","c":%g}},"x0":[%g],
	  "agents":[{"noise":{"kind":"gaussian","sigma0":%g}}],
	  "method":%q,"model":{"kind":"discrete"},"eta":%g,"schedule":{"kind":"constant"},
	  "steps":%d,"paths":40,"seed":1}`, a, x0, s0, method, eta, steps)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRegistered (deterministic): the blank import of the package is all
// it takes for the exact engine, the weak study and the stability maps to
// list the model; a method whose mean update is not f' is refused with an
// error naming the field "model".
func TestRegistered(t *testing.T) {
	if !slices.Contains(exact.ModelNames(), curvsde.Name) {
		t.Fatalf("exact.ModelNames() = %v: no %s", exact.ModelNames(), curvsde.Name)
	}
	if !slices.Contains(stability.ModelNames(), "sde-curv") {
		t.Fatalf("stability.ModelNames() = %v: no sde-curv", stability.ModelNames())
	}
	c := quadConfig(t, 1, 1, 1, 0.1, 5, "dsignsgd")
	run, err := c.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	p, err := run.ExactProblem()
	if err != nil {
		t.Fatal(err)
	}
	p.Model = curvsde.Name
	var fe *model.FieldError
	if err := p.ValidateSDE(); !errors.As(err, &fe) || fe.Field != "model" {
		t.Fatalf("dsignsgd: got %v, want an error naming the field model", err)
	}
}

// TestMatchesGradientDescent (deterministic): the two conditions the
// factors are built from, checked as identities: over one step the flow
// multiplies by exp(-u phi(u)) = |1 - u| (the magnitude of gradient
// descent's factor on a quadratic), and the variance the OU process adds
// over the step, psi(u) (1 - exp(-2 u phi(u))) / (2 u phi(u)) in units of
// h^2 Sigma/N (the discrete step's), is 1;
// phi and psi tend to 1 as u -> 0 and psi to 1 as u -> 2; u > 2 gives an
// outward drift. Relative tolerance 1e-12: the factors are a few
// floating-point operations on log1p. Curv is exact to 1e-9 on a quadratic.
func TestMatchesGradientDescent(t *testing.T) {
	for i, u := range []float64{-0.7, -1e-9, 1e-9, 0.1, 0.5, 0.99, 1.3, 1.9, 2 - 1e-9, 2 + 1e-9, 2.5, 3.7} {
		phi, psi := curvsde.Factors(u)
		if got, want := math.Exp(-u*phi), math.Abs(1-u); math.Abs(got-want) > 1e-12*want {
			t.Errorf("case %d: u = %g: exp(-u phi) = %.17g, want |1 - u| = %.17g", i, u, got, want)
		}
		if got := psi * -math.Expm1(-2*u*phi) / (2 * u * phi); math.Abs(got-1) > 1e-12 && math.Abs(u-2) > 1e-6 {
			t.Errorf("case %d: u = %g: the variance ratio is %.17g, want 1", i, u, got)
		}
		if math.Abs(u) < 1e-6 && (math.Abs(phi-1) > 1e-8 || math.Abs(psi-1) > 1e-8) {
			t.Errorf("case %d: u = %g: phi = %g, psi = %g, want 1", i, u, phi, psi)
		}
		if math.Abs(u-2) < 1e-6 && math.Abs(psi-1) > 1e-6 {
			t.Errorf("case %d: u = %g: psi = %g, want 1", i, u, psi)
		}
		if (u > 2) != (phi < 0) {
			t.Errorf("case %d: u = %g: phi = %g, want < 0 exactly beyond u = 2", i, u, phi)
		}
	}
	if phi, psi := curvsde.Factors(1); math.IsInf(phi, 0) || math.IsNaN(psi) || math.IsInf(psi, 0) {
		t.Errorf("u = 1: phi = %g, psi = %g, want finite (|1 - u| floored)", phi, psi)
	}
	c := quadConfig(t, 1.7, 1, 1, 0.1, 5, "dsgd")
	run, err := c.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []float64{-40, -1, 0, 0.3, 7} {
		if c := curvsde.Curv(run.System.F, x); math.Abs(c-1.7) > 1e-9 {
			t.Errorf("x = %g: Curv = %.12g, want 1.7", x, c)
		}
	}
}

// TestWeakErrorOnQuadratic (deterministic, the exact engine): DSGD on
// f = x^2/2 from x0 = 1 with additive N(0, 0.25) noise, horizon 2, eta 0.5
// and 0.25, through weak.Exact with the model named in Options.Model.
// The first-order SDE's weak errors (f - f* and x^2) are resolved (above
// the numerical error); the curvature-corrected model reproduces the
// discrete chain's law at the steps, so that its errors must lie within the
// numerical error and below a hundredth of the first-order model's.
// Measured: first-order 0.0474 and 0.0234 on f - f* (numerical error
// 6e-5), curvature 7.6e-6 and 1.0e-5, unresolved.
func TestWeakErrorOnQuadratic(t *testing.T) {
	cfg := quadConfig(t, 1, 0.5, 1, 0.5, 4, "dsgd")
	errs := map[string]*weak.Result{}
	for _, m := range []string{exact.ModelFirstOrder, curvsde.Name} {
		res, err := weak.Exact(cfg, weak.Options{Etas: []float64{0.5, 0.25}, Horizon: 2, Fixed: true, Model: m}, exact.Settings{Nodes: 400})
		if err != nil {
			t.Fatal(err)
		}
		errs[m] = res
	}
	for i, p := range errs[curvsde.Name].Points {
		for j, e := range p.Tests {
			f := errs[exact.ModelFirstOrder].Points[i].Tests[j]
			t.Logf("eta %g %s: first-order %.3g (%.2g), curvature %.3g (%.2g)", p.Eta, e.Test, f.Err, f.SE, e.Err, e.SE)
			if !f.Resolved {
				t.Errorf("eta %g %s: the first-order model's error %.3g is within its numerical error %.2g: the test cannot tell the models apart", p.Eta, e.Test, f.Err, f.SE)
			}
			if e.Resolved || e.Err > f.Err/100 {
				t.Errorf("eta %g %s: got the curvature model's error %.3g (numerical error %.2g, resolved %v), want unresolved and below %.3g", p.Eta, e.Test, e.Err, e.SE, e.Resolved, f.Err/100)
			}
		}
	}
}

// TestStabilityThreshold (deterministic, the exact engine): the stability
// map of DSGD on f = x^2/2 (additive N(0, 0.25) noise, x0 = 1, horizon 20,
// R = 100) draws every registered model, this one included with no edit
// outside this folder. Gradient descent's factor 1 - eta exceeds 1 in
// magnitude beyond eta = 2, and at this R and horizon the discrete
// method's critical step (level 0.01) lies in (2, 3]; the
// curvature-corrected model's critical step captures it (within the
// map's factor 2), while the first-order SDE, an Ornstein-Uhlenbeck
// process at every eta, never escapes on the grid and misses it.
// Measured: discrete 2.527 in (2.494, 2.793], curvature 2.48 in (2.2, 2.6],
// ratio [0.79, 1.04]; first-order above the grid.
func TestStabilityThreshold(t *testing.T) {
	m, err := stability.Compute(stability.Spec{Config: quadConfig(t, 1, 0.5, 1, 1, 20, "dsgd"),
		Etas: []float64{0.5, 1.5, 2.2, 2.6, 3, 6.5}, Horizon: 20, Radii: []float64{100}, Refine: 3, Nodes: 300})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(m.Models, "sde-curv") {
		t.Fatalf("models %v (skipped %v): no sde-curv", m.Models, m.Skipped)
	}
	for _, c := range m.Curves {
		t.Logf("%s: %s, eta* %.4g in (%.4g, %.4g]", c.Model, c.Critical.Status, c.Critical.Eta, c.Critical.Lo, c.Critical.Hi)
		if c.Model == "discrete" && !(c.Critical.Lo >= 2 && c.Critical.Hi <= 3) {
			t.Errorf("discrete: eta* in (%g, %g], want within (2, 3]", c.Critical.Lo, c.Critical.Hi)
		}
	}
	want := map[string]string{"sde-curv": "captures", "sde": "misses"}
	for _, v := range m.Verdicts {
		t.Logf("%s: %s, ratio [%.3g, %.3g]", v.Model, v.Outcome, v.RatioLo, v.RatioHi)
		if w, ok := want[v.Model]; ok && v.Outcome != w {
			t.Errorf("%s: got %s, want %s", v.Model, v.Outcome, w)
		}
		delete(want, v.Model)
	}
	if len(want) > 0 {
		t.Errorf("no verdict for %v", want)
	}
}
