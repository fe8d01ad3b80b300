package exact

// FirstOrder is the paper's first-order SDE (docs/math.md section 2): the
// drift and covariance of the problem's method (Method.Drift and the
// covariance of its Diffuse; the package-level Coefficients). It applies
// to every problem the engine covers.
var FirstOrder SDEModel = firstOrder{}

// ModelFirstOrder is FirstOrder's name ("" in Problem.Model means it too).
const ModelFirstOrder = "first-order"

func init() { RegisterModel(FirstOrder) }

type firstOrder struct{}

func (firstOrder) Name() string  { return ModelFirstOrder }
func (firstOrder) Label() string { return "first-order SDE" }

// MethodSDE implements MethodSDE: the Monte Carlo engine simulates it.
func (firstOrder) MethodSDE() bool { return true }

// MapName implements stability.MapNamer: the stability maps call it "sde".
func (firstOrder) MapName() string { return "sde" }

// Coefficients implements SDEModel: the package-level Coefficients.
func (firstOrder) Coefficients(p Problem) (Coefficients1D, error) {
	sys := p.System
	return func(x float64) (b, sigma float64) { return Coefficients(sys, x) }, nil
}

// ClassifyTails implements TailClassifier: Classify at p's eta and
// constant rate.
func (firstOrder) ClassifyTails(p Problem) (Tails, error) {
	rate := p.rate()
	return Classify(p.System, p.Eta, func(float64) float64 { return rate })
}

// EscapeBound implements EscapeBounder: Ville's bound (the package-level
// EscapeBound) over p's horizon Steps Eta.
func (firstOrder) EscapeBound(p Problem, R float64) (float64, error) {
	b, _, err := EscapeBound(p.System, p.Eta, p.Rate, p.X0, float64(p.Steps)*p.Eta, R)
	return b, err
}
