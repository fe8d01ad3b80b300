package model

import (
	"fmt"

	"github.com/sdeverify/sdeverify/model/internal/kit"
)

// Method is a distributed update rule (docs/math.md section 2; MATH.md 8):
//
//	x_{k+1} = x_k - eta eta_k U_k,  U_k = (1/N) sum_i T_i(g_i(x_k)),
//
// with g_i = grad f + Z_i the agent's noisy gradient and T_i the agent's
// map (identity for DSGD, its compressor for DCSGD, sign for DSignSGD, ...),
// together with its first-order SDE model (Li, Tai and E)
//
//	dX = -eta_t m(X) dt + eta_t sqrt(eta/N) Sigma(X)^{1/2} dW,
//	m(x) = E[U | x],  Sigma(x) = (1/N) sum_i Cov[T_i(g_i) | x].
//
// Each method is one file that registers itself (Register with a Kind[P,
// Method]); a configuration names it by its "method" and gives its
// parameters, if it has any, in "method_params". A method is a comparable
// value (a struct of its parameters), so that two systems run the same
// method exactly when their methods are ==. What only some methods can do
// is an optional interface (NeedsCompressor, GradientDrift), never a
// comparison with a method outside its file.
//
// The steps take a Workspace and must not allocate: they run once per path
// and step in the hot loops.
type Method interface {
	// String returns the configuration's name of the method.
	String() string
	// ValidateAgent checks what the method asks of one agent in dimension d
	// (its compressor); errors name the field under prefix (agents[i]).
	ValidateAgent(prefix string, a Agent, d int) error
	// ValidateSDE checks a system that Validate accepted for the method's
	// SDE model: the coefficients must exist and be computable with their
	// error (for instance finite noise variance).
	ValidateSDE(s System) error
	// Step applies one discrete step with step size h (= eta eta_k):
	// x -= h U. grad holds grad f(x) and gn2 its squared norm.
	Step(s System, x, grad []float64, gn2, h float64, ws *Workspace, r *Rand)
	// Drift writes the SDE's drift m(x) into dst.
	Drift(s System, dst, grad []float64, gn2 float64)
	// Diffuse writes Sigma(x)^{1/2} z into dst, where z holds d standard
	// normals (z may be dst unless the method implements kit.NormalsAparter); a
	// method whose diffusion is a mixture may draw more from r. If drift is
	// not nil the method may also write m(x) into it (the same values Drift
	// gives) and then returns true.
	Diffuse(s System, dst, z, grad []float64, gn2 float64, ws *Workspace, r *Rand, drift []float64) bool
}

// NeedsCompressor reports whether a method applies each agent's compressor
// (DCSGD): a configuration must then give one on every agent.
func NeedsCompressor(m Method) bool {
	c, ok := m.(interface{ NeedsCompressor() bool })
	return ok && c.NeedsCompressor()
}

// GradientDrift reports whether a method's SDE drift is grad f itself
// (DSGD, DCSGD): the integrator's secant curvature (Integrator.Minimizer)
// then bounds how far a substep's drift moves the path.
func GradientDrift(m Method) bool {
	g, ok := m.(interface{ GradientDrift() bool })
	return ok && g.GradientDrift()
}

// StepDraws returns the random numbers one discrete step of s draws per
// path on its fast path, standard normals and uniform indices, and ok
// false when the step has no fixed count (several agents where the method
// draws each, a compressor without one, a law drawn otherwise). The
// benchmark's random-number floor (sdeverify figure1 -bench) weighs them
// by their measured costs.
func (s System) StepDraws() (normals, indices int, ok bool) {
	m, has := s.Method.(StepDrawer)
	if !has {
		return 0, 0, false
	}
	return m.StepDraws(s)
}

// StepDrawer is a Method that counts its step's draws (System.StepDraws).
type StepDrawer interface {
	StepDraws(s System) (normals, indices int, ok bool)
}

// GaussianStep reports whether a method's discrete step, with Gaussian
// noise on every agent (System.AverageNoiseAffine: average noise variance
// a + b ||grad f||^2), is x - h (grad f + sqrt(a + b ||grad f||^2) xi),
// xi ~ N(0, I) (DSGD): one Euler-Maruyama step of its SDE, whose normal is
// the Brownian increment over the step. The weak study couples the
// discrete method and its SDE path by path where it holds.
func GaussianStep(m Method) bool {
	g, ok := m.(interface{ GaussianStep() bool })
	return ok && g.GaussianStep()
}

func needsNormalsApart(m Method) bool {
	n, ok := m.(kit.NormalsAparter)
	return ok && n.NormalsApart()
}

// ParseMethod returns the registered method with the given name and no
// parameters ("dsgd", "dcsgd", "dsignsgd"; a method with parameters is
// built by BuildMethod).
func ParseMethod(s string) (Method, error) { return BuildMethod(s, nil) }

// BuildMethod returns the registered method with the given name and
// parameters (a JSON object, or empty for none). Errors name the field:
// "method" for an unknown name, the parameter's name for a bad parameter.
func BuildMethod(name string, params []byte) (Method, error) {
	k, err := lookup(sortMethod, name)
	if err != nil {
		return nil, Invalid("method", fmt.Sprintf("%q", name), "must be "+methodNames())
	}
	v, err := k.build(params, 0)
	if err != nil {
		return nil, err
	}
	return v.(Method), nil
}

// methodNames lists the registered methods' names ("a, b or c").
func methodNames() string {
	registry.RLock()
	defer registry.RUnlock()
	return kindNames(sortMethod)
}
