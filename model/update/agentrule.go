package update

import "github.com/sdeverify/sdeverify/model"

// An AgentMap is the map T of an update rule whose agents apply it to
// their own noisy gradient g_i = grad f + Z_i before the server averages:
// x+ = x - eta eta_k (1/N) sum_i T(g_i) (clipping, normalisation, the
// (L0,L1) step; docs/math.md section 10). T must be odd and radial,
// T(g) = phi(||g||) g/||g|| with phi nondecreasing on [0, inf). Wrapped in
// an AgentRule it is a Method with the discrete step in any d, the
// first-order SDE in d = 1 and the exact one-step law in d = 1
// (model/update/agentmap.go); docs/extending.md section 6 walks one
// (examples/extend/softclip).
type AgentMap interface {
	// String is the method's registered name.
	String() string
	// Apply replaces g by T(g) (any d; no allocation: it runs once per
	// agent, path and step).
	Apply(g []float64)
	// Forward returns T(y) in d = 1 for y >= 0; Inverse returns T^{-1}(t)
	// for t in [0, Sup()).
	Forward(y float64) float64
	Inverse(t float64) float64
	// Sup is T's bound, sup_y T(y) (+Inf if unbounded: the SDE then needs
	// the noise's finite variance and the exact law is refused).
	Sup() float64
	// Kink is the y > 0 where T is not smooth in d = 1 (kinks at +-Kink(),
	// clipping's c, with T constant beyond), or 0 for none but y = 0.
	Kink() float64
	// Moments1 returns E T(g + Z) and E T(g + Z)^2 in d = 1 for the noise
	// law nz (Z's law at a gradient of squared norm gn2) in closed form,
	// or ok false where T has none for this law: the SDE's coefficients
	// are then a quadrature over the law's CDF (update.CDFer).
	Moments1(nz model.Noise, g, gn2 float64) (mean, second float64, ok bool)
}

// AgentRule is the Method of an agent map: register a parameter struct P
// as a method whose Build returns AgentRule[P]{Map: p}. It implements
// Method (no compressor), Law1Der (a bounded T, noise with a CDF, at most
// two agents) and SDE1Der. A rule that needs a capability more (a
// Width1Der where T rises over a narrow range, an UpdateBounder) embeds it
// in its own type and adds the method in its own file.
type AgentRule[P AgentMap] struct{ Map P }

func (r AgentRule[P]) String() string { return r.Map.String() }

// ValidateAgent implements Method: no compressor.
func (r AgentRule[P]) ValidateAgent(prefix string, a model.Agent, _ int) error {
	return noCompressor(r, prefix, a)
}

// ValidateSDE implements Method: d = 1, and every agent's moments in
// closed form or its noise a CDFer (with finite variance if T is
// unbounded). The map's parameters are checked by the kind's Build.
func (r AgentRule[P]) ValidateSDE(s model.System) error { return mapValidateSDE(r.Map, s) }

// Step implements Method: x -= h (1/N) sum_i T(grad + Z_i).
func (r AgentRule[P]) Step(s model.System, x, grad []float64, gn2, h float64, ws *model.Workspace, rng *model.Rand) {
	mapStep(r.Map, s, x, grad, gn2, h, ws, rng)
}

// Drift implements Method (d = 1): m = (1/N) sum_i E T(g_i).
func (r AgentRule[P]) Drift(s model.System, dst, grad []float64, gn2 float64) {
	mapDrift(r.Map, s, dst, grad, gn2)
}

// Diffuse implements Method (d = 1): Sigma = (1/N) sum_i Var T(g_i).
func (r AgentRule[P]) Diffuse(s model.System, dst, z, grad []float64, gn2 float64, _ *model.Workspace, _ *model.Rand, drift []float64) bool {
	return mapDiffuse(r.Map, s, dst, z, grad, gn2, drift)
}

// CheckLaw1D implements Law1Der: a quadrature over the noise's quantiles.
func (r AgentRule[P]) CheckLaw1D(s model.System) (bool, error) { return mapCheckLaw1D(r.Map, s) }

// Law1D implements Law1Der.
func (r AgentRule[P]) Law1D(s model.System, x, g, h float64, level int, add func(w, mean, sd float64)) {
	mapLaw1D(r.Map, s, x, g, h, level, add)
}

// CheckSDE1D implements SDE1Der (ValidateSDE has checked d = 1 and the
// noise).
func (r AgentRule[P]) CheckSDE1D(model.System) error { return nil }

// SDE1D implements SDE1Der: the map's moments (closed form or adaptive
// Simpson over the CDF; NaN beyond its error bound).
func (r AgentRule[P]) SDE1D(s model.System, g float64) (drift, sigma float64) {
	return mapSDE1D(r.Map, s, g)
}
