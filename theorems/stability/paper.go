package stability

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/objective"
)

// PaperMap is one of the report's stability maps: its spec and what it
// shows.
type PaperMap struct {
	ID    string // file stem: stability-dsgd-quartic, ...
	Title string
	Spec  Spec
}

// paperConfig is a map's configuration in d = 1: the method on the atom
// from x0 with one agent (eta, steps and paths are the map's to set);
// validated, a literal of this file (a programmer's error panics).
func paperConfig(atom string, x0 float64, agent model.AgentSpec, method string) mc.Config {
	c := mc.Config{Objective: objective.Spec{Kind: "separable", Dim: 1, Atom: &model.AtomSpec{Kind: atom}}, X0: []float64{x0},
		Agents: []model.AgentSpec{agent}, Method: method, Model: model.ModelSpec{Kind: "discrete"}, Eta: 0.01,
		Schedule: model.ScheduleSpec{Kind: "constant"}, Steps: 500, Paths: 2, Seed: 1}
	if err := c.Validate(); err != nil {
		panic("stability: paper map configuration: " + err.Error())
	}
	return c
}

// gaussian1 is one agent with Gaussian noise sigma1 |f'|.
func gaussian1(sigma1 float64) model.AgentSpec {
	return model.AgentSpec{Noise: model.NoiseSpec{Kind: "gaussian", Sigma1: sigma1}}
}

func logSpaced(lo, hi float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = lo * math.Pow(hi/lo, float64(i)/float64(n-1))
	}
	return out
}

// PaperMaps are the stability maps of the paper's three methods in d = 1
// (issue 27): 12 steps log-spaced over [0.001, 1], the horizon T = 5
// (the escapes of Figure 1's left panel all happen before: its p at
// eta = 0.01 is the same at T = 5 and T = 50 to 6 digits), level 1%, four
// bisection rounds, every registered model the engine derives.
//
//   - DSGD on x^4/4 from x0 = 3 over Figure 1's noise levels sigma1 in
//     {0.1, 1, 3}, R in {100, 1000, 10000};
//   - DSGD on cosh from x0 = 2 (the (1,1)-smooth atom: exponential growth),
//     sigma1 in {0.3, 1, 3}, R in {20, 40} (cosh overflows beyond 700);
//   - DCSGD on x^4/4 from x0 = 3, sigma1 = 1, Bernoulli compression of
//     omega in {0, 1, 2, 4} (in d = 1 rand-k is the identity);
//   - DSignSGD on x^4/4 from x0 = 2 with Cauchy noise of Figure 1's
//     scales {0.25, 1, 4, 16}, R in {6, 12}: its step is at most eta, so
//     |x_k| <= |x0| + T and it cannot diverge; p(eta, R) is the
//     probability of wandering that far.
func PaperMaps() []PaperMap {
	etas := logSpaced(0.001, 1, 12)
	base := Spec{Etas: etas, Horizon: 5, Refine: 4}
	mk := func(id, title string, c mc.Config, radii []float64, axis string, values []float64) PaperMap {
		s := base
		s.Config, s.Radii, s.Axis, s.Values = c, radii, axis, values
		return PaperMap{ID: id, Title: title, Spec: s}
	}
	return []PaperMap{
		mk("stability-dsgd-quartic", "DSGD on x^4/4 from x0 = 3 (Figure 1's left panel)",
			paperConfig("quartic", 3, gaussian1(1), "dsgd"), []float64{100, 1000, 10000}, "sigma1", []float64{0.1, 1, 3}),
		mk("stability-dsgd-cosh", "DSGD on cosh from x0 = 2",
			paperConfig("cosh", 2, gaussian1(1), "dsgd"), []float64{20, 40}, "sigma1", []float64{0.3, 1, 3}),
		mk("stability-dcsgd-quartic", "DCSGD (Bernoulli) on x^4/4 from x0 = 3, sigma1 = 1",
			paperConfig("quartic", 3, model.AgentSpec{Noise: gaussian1(1).Noise, Compressor: &model.CompressorSpec{Kind: "bernoulli", P: 1}}, "dcsgd"), []float64{100, 1000, 10000}, "omega", []float64{0, 1, 2, 4}),
		mk("stability-dsignsgd-quartic", "DSignSGD (Cauchy) on x^4/4 from x0 = 2 (Figure 1's right panel)",
			paperConfig("quartic", 2, model.AgentSpec{Noise: model.NoiseSpec{Kind: "student-t", Nu: 1, Scale: []float64{1}}}, "dsignsgd"), []float64{6, 12}, "scale", []float64{0.25, 1, 4, 16}),
	}
}

// Figure1Point is the map at Figure 1's left-top point, the reading of
// finding F7: DSGD on x^4/4 from x0 = 3, sigma1 = 3, eta = 0.01, 5000
// steps (T = 50), every model, R in {100, 1e3, 1e4, 1e5}: the discrete
// method's p(0.01, R) has converged in R (its divergence probability), the
// first-order SDE's falls like 1/R (its boundary at infinity is an
// entrance: it never explodes).
func Figure1Point() Spec {
	return Spec{Config: paperConfig("quartic", 3, gaussian1(3), "dsgd"), Etas: []float64{0.01},
		Horizon: 50, Radii: []float64{100, 1000, 10000, 100000}}
}

// SmallMaps are PaperMaps at the report's default scale: the same
// methods, atoms, axes and models on 7 steps log-spaced over [0.001, 1]
// (every half decade) with 2 bisection rounds, and at most the two
// smallest thresholds of each map (100 and 1000 on x^4/4, where the
// first-order SDE's p already falls like 1/R). The critical steps'
// brackets are wider than PaperMaps'; every bracket is still the engine's
// (p + err < q below it, p - err >= q above it), so the verdicts differ
// only where a bracket straddles the factor.
func SmallMaps() []PaperMap {
	maps := PaperMaps()
	for i := range maps {
		s := &maps[i].Spec
		s.Etas = logSpaced(0.001, 1, 7)
		s.Refine = 2
		if len(s.Radii) > 2 {
			s.Radii = s.Radii[:2]
		}
	}
	return maps
}
