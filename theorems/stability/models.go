package stability

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
)

// A Model is one of the models a stability map compares for a method: the
// discrete method itself or one of its SDE models, each computed by the
// exact engine (model/exact) with Settings.Absorb, so that the test
// function 1 gives the probability of staying in [-R, R].
type Model struct {
	Name  string // config and command-line name: discrete, sde, ...
	Label string // what the tables and figures call it
	// SDE: the model is a diffusion (exact.SDE with the finite-difference
	// scheme), otherwise the discrete chain (exact.Discrete).
	SDE bool
	// MethodSDE: the model is the method's own SDE, the one the Monte
	// Carlo engine simulates (exact.Simulated: the first-order model);
	// figures draw it as the SDE and the other models apart.
	MethodSDE bool
	// Prepare, if set, selects the model on the problem (for instance an
	// SDE model other than the first-order one, by a field of
	// exact.Problem). It must not change the problem's method, noise or x0.
	Prepare func(p *exact.Problem)
	// Tails, if set, states the model's behaviour at +inf at step eta and
	// schedule value rate (Feller's class: is infinity attainable?).
	Tails func(sys model.System, eta, rate float64) string
	// Bound, if set, is an upper bound on p(eta, R) for the problem (the
	// problem's Steps times Eta the horizon), or 1.
	Bound func(p exact.Problem, R float64) float64
}

// A MapNamer is an exact.SDEModel with a short name for the maps' tables
// and the -models flag (the first-order model's "sde", the second-order
// model's "sde2"); a model without it goes by its registered name.
type MapNamer interface{ MapName() string }

// Models are the models a map can draw, in the order tables list them: the
// discrete method, then every SDE model registered with the exact engine
// (exact.Models, sorted by name). A model with exact.TailClassifier gets
// Tails, one with exact.EscapeBounder gets Bound. A new model is one
// exact.RegisterModel call in its own file.
func Models() []Model {
	out := []Model{{Name: "discrete", Label: "discrete method"}}
	for _, sm := range exact.Models() {
		out = append(out, fromSDE(sm))
	}
	return out
}

// fromSDE is the map's Model of a registered SDE model.
func fromSDE(sm exact.SDEModel) Model {
	name := sm.Name()
	md := Model{Name: name, Label: sm.Label(), SDE: true, MethodSDE: exact.Simulated(sm)}
	if n, ok := sm.(MapNamer); ok {
		md.Name = n.MapName()
	}
	md.Prepare = func(p *exact.Problem) { p.Model = name }
	if tc, ok := sm.(exact.TailClassifier); ok {
		md.Tails = func(sys model.System, eta, rate float64) string {
			return tailsOf(tc, sys, eta, rate)
		}
	}
	if eb, ok := sm.(exact.EscapeBounder); ok {
		md.Bound = func(p exact.Problem, R float64) float64 {
			b, err := eb.EscapeBound(p, R)
			if err != nil {
				return 1
			}
			return b
		}
	}
	return md
}

// ModelByName returns the registered model called name.
func ModelByName(name string) (Model, bool) {
	for _, m := range Models() {
		if m.Name == name {
			return m, true
		}
	}
	return Model{}, false
}

// ModelNames lists the registered models' names.
func ModelNames() []string {
	var out []string
	for _, m := range Models() {
		out = append(out, m.Name)
	}
	return out
}

// tailsOf states Feller's class of +inf for an SDE model at step eta.
func tailsOf(tc exact.TailClassifier, sys model.System, eta, rate float64) string {
	t, err := tc.ClassifyTails(exact.Problem{System: sys, Eta: eta, Rate: rate})
	if err != nil {
		return "unclassified: " + err.Error()
	}
	b := t.Plus
	switch {
	case b.SubGaussian:
		return "bounded coefficients: sub-Gaussian tails, no explosion"
	case b.Kind == "":
		return "undecided: " + b.Reason
	case b.Attainable:
		return b.Kind + ", attainable (explosion)"
	}
	return b.Kind + ", not attainable (no explosion: p(eta, R) -> 0 as R -> inf)"
}

// gridFor returns the exact engine's grid for a problem at threshold R:
// for DSGD and DCSGD (every system for which model.UniformGrid1D is false) a
// sinh-mapped grid (spacing Map dxi near the
// minimiser, |x| dxi far out) of 1200 nodes per asinh(1000/0.05) of xi, the
// grid of Figure 1's left panel, scaled by max(1, |x0|/3); for a method
// whose law changes over a finite width the grid must resolve
// (model.UniformGrid1D: DSignSGD's sign probabilities), which needs a
// uniform grid, the engine's uniform grid
// on [-R, R] (its node count is raised where the noise scale needs it).
// The SDE's grid has 4 times the nodes on a sinh map (the fitted scheme is
// first order at a minimiser where the noise vanishes; a tridiagonal solve
// is cheap) and the finite-difference scheme with one substep per step
// (extrapolated over 1, 2 and 4), as for Figure 1's exact laws.
func gridFor(sys model.System, x0, R float64, sde bool, nodes int) exact.Settings {
	st := exact.Settings{Radius: R, Absorb: true, Nodes: nodes}
	if !model.UniformGrid1D(sys) {
		st.Map = 0.05 * math.Max(1, math.Abs(x0)/3)
		if st.Nodes == 0 {
			st.Nodes = max(400, int(math.Round(1200*math.Asinh(R/st.Map)/math.Asinh(1000/0.05))))
		}
	}
	if sde {
		st.Scheme, st.Substeps = exact.SchemeFD, 1
		if st.Map > 0 {
			st.Nodes *= 4
		}
	}
	return st
}
