package exact

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/sdeverify/sdeverify/model"
)

// An SDEModel is an SDE model of a one-dimensional problem's discrete
// method, in the form
//
//	dX = -rate b(X) dt + rate sqrt(eta/N) sqrt(Sigma(X)) dW
//
// (rate the problem's constant schedule value, N its agents). Each model
// is one file that registers itself (RegisterModel, as image/png registers
// its format); Problem.Model names it, and the weak study, the stability
// maps and the command line take their lists from the registry, so that a
// model added in another package (a blank import of it is enough) reaches
// all of them. The first-order model (modelfirst.go) and Li, Tai and E's
// second-order modified equation (modelsecond.go) are the two the engine
// ships; examples/extend/curvsde adds one from outside.
//
// What only some models can do is an optional interface (TailClassifier,
// EscapeBounder), asked for with a type assertion where it is needed.
type SDEModel interface {
	// Name is Problem.Model's and the command line's name ("first-order").
	Name() string
	// Label is what tables and figures call the model ("first-order SDE").
	Label() string
	// Coefficients returns the model's b and Sigma for p, or an error
	// naming the field "model" that says why the model does not apply to
	// p. p is a problem the engine covers (its method, objective, noise,
	// eta and rate have been checked); the function returned is called
	// once per grid node and substep level, so that it must be cheap, may
	// not keep state between calls, and must be safe for concurrent use.
	Coefficients(p Problem) (Coefficients1D, error)
}

// Coefficients1D is an SDE model's drift b(x) and covariance Sigma(x) in
// one dimension (see SDEModel).
type Coefficients1D func(x float64) (b, sigma float64)

// A TailClassifier is an SDEModel that states Feller's class of its
// boundaries at +-inf at p's eta and rate (Classify).
type TailClassifier interface {
	ClassifyTails(p Problem) (Tails, error)
}

// An EscapeBounder is an SDEModel with an upper bound on the probability
// that its path reaches |x| >= R within p's horizon (Steps Eta) from p.X0
// (EscapeBound).
type EscapeBounder interface {
	EscapeBound(p Problem, R float64) (float64, error)
}

// A MethodSDE is an SDEModel that is the method's own SDE (model.Method's
// Drift and Diffuse, in any dimension): the one the Monte Carlo engine
// simulates. Any other model is computed by this engine only (one
// dimension, constant schedule).
type MethodSDE interface {
	MethodSDE() bool
}

// Simulated reports whether the Monte Carlo engine simulates m (MethodSDE).
func Simulated(m SDEModel) bool {
	s, ok := m.(MethodSDE)
	return ok && s.MethodSDE()
}

var modelRegistry struct {
	sync.RWMutex
	byName map[string]SDEModel
}

// RegisterModel adds an SDE model. It panics (a programmer's error, met at
// start-up) if the name is empty, contains a comma or a space (the command
// line's lists are comma-separated), or is taken.
func RegisterModel(m SDEModel) {
	name := m.Name()
	modelRegistry.Lock()
	defer modelRegistry.Unlock()
	switch {
	case name == "" || strings.ContainsAny(name, ", \t"):
		panic(fmt.Sprintf("exact: RegisterModel: bad name %q", name))
	case modelRegistry.byName[name] != nil:
		panic(fmt.Sprintf("exact: RegisterModel: %q registered twice", name))
	}
	if modelRegistry.byName == nil {
		modelRegistry.byName = map[string]SDEModel{}
	}
	modelRegistry.byName[name] = m
}

// LookupModel returns the registered model called name ("" is
// ModelFirstOrder, the paper's SDE).
func LookupModel(name string) (SDEModel, bool) {
	if name == "" {
		name = ModelFirstOrder
	}
	modelRegistry.RLock()
	defer modelRegistry.RUnlock()
	m, ok := modelRegistry.byName[name]
	return m, ok
}

// ModelNames lists the registered models' names, sorted.
func ModelNames() []string {
	modelRegistry.RLock()
	defer modelRegistry.RUnlock()
	var out []string
	for n := range modelRegistry.byName {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Models returns the registered models, sorted by name.
func Models() []SDEModel {
	var out []SDEModel
	for _, n := range ModelNames() {
		m, _ := LookupModel(n)
		out = append(out, m)
	}
	return out
}

// ModelList is ModelNames for people: "a, b or c".
func ModelList() string {
	ns := ModelNames()
	if len(ns) < 2 {
		return strings.Join(ns, "")
	}
	return strings.Join(ns[:len(ns)-1], ", ") + " or " + ns[len(ns)-1]
}

// Coefficients returns the drift b(x) and covariance Sigma(x) of the
// problem's SDE model (Problem.Model) in the form
// dX = -rate b dt + rate sqrt(eta/N) S dW, S = sqrt(Sigma). The problem
// must have passed ValidateSDE. It looks the model up on every call: a
// caller that evaluates many points takes the function once from
// CoefficientsOf.
func (p Problem) Coefficients(x float64) (b, sigma float64) {
	c, err := p.CoefficientsOf()
	if err != nil {
		panic("exact: Problem.Coefficients: the problem's SDE model does not apply (ValidateSDE says why)")
	}
	return c(x)
}

// CoefficientsOf returns the problem's SDE model's coefficients, or the
// model's error (field "model") where it is unknown or does not apply.
func (p Problem) CoefficientsOf() (Coefficients1D, error) {
	m, ok := LookupModel(p.Model)
	if !ok {
		return nil, model.Invalid("model", p.Model, "want "+ModelList())
	}
	return m.Coefficients(p)
}

// validateModel checks Problem.Model: a registered name whose model
// applies to the problem.
func (p Problem) validateModel() error {
	_, err := p.CoefficientsOf()
	return err
}
