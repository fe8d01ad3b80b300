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

// Models are the models a map can draw, in the order tables list them.
// A new model of the exact engine is one entry here.
var Models = []Model{
	{Name: "discrete", Label: "discrete method"},
	{Name: "sde", Label: "first-order SDE", SDE: true, Tails: tailsOf, Bound: villeBound},
	{Name: "sde2", Label: "second-order SDE", SDE: true, Prepare: func(p *exact.Problem) { p.Model = exact.ModelSecondOrder }},
}

// ModelByName returns the registered model called name.
func ModelByName(name string) (Model, bool) {
	for _, m := range Models {
		if m.Name == name {
			return m, true
		}
	}
	return Model{}, false
}

// ModelNames lists the registered models' names.
func ModelNames() []string {
	var out []string
	for _, m := range Models {
		out = append(out, m.Name)
	}
	return out
}

// gridFor returns the exact engine's grid for a problem at threshold R:
// for DSGD and DCSGD a sinh-mapped grid (spacing Map dxi near the
// minimiser, |x| dxi far out) of 1200 nodes per asinh(1000/0.05) of xi, the
// grid of Figure 1's left panel, scaled by max(1, |x0|/3); for DSignSGD,
// whose sign probabilities need a uniform grid, the engine's uniform grid
// on [-R, R] (its node count is raised where the noise scale needs it).
// The SDE's grid has 4 times the nodes on a sinh map (the fitted scheme is
// first order at a minimiser where the noise vanishes; a tridiagonal solve
// is cheap) and the finite-difference scheme with one substep per step
// (extrapolated over 1, 2 and 4), as for Figure 1's exact laws.
func gridFor(method string, x0, R float64, sde bool, nodes int) exact.Settings {
	st := exact.Settings{Radius: R, Absorb: true, Nodes: nodes}
	if method != "dsignsgd" {
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
