package properties

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/sdeverify/sdeverify/internal/parallel"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
)

// This file measures the coverage of the exact engine's error bars
// (docs/math.md section 7; the spec's section 9: "test the bars") where
// its discretisation is hardest: normal kernels much wider than the value
// function's features (DSGD and DCSGD with noise proportional to |f'| on
// the steep atoms x^4/4 and |x|^6/6, whose kernel's standard deviation
// eta sigma1 |x|^3 spans the grid far out), escape probabilities on
// absorbing grids, DSignSGD on interpolation grids whose spacing is near
// its lattice's (point masses between nodes) and with heavy-tailed
// Student-t noise, DCSGD's Bernoulli compressors (kernels that jump by
// f'/p), schedules that change the step every step (exact.Forward, clock
// and pathwise) and the SDEs (exact.SDE).
//
// Each engine value v +- err is compared with up to three references:
//
//   - Monte Carlo: the recursions written out in this package
//     (exact_stress_mc_test.go), millions of paths in the deep tier, on
//     every core, from a seed rapid draws. Covered when v lies within err
//     of the interval mean +- z(1e-3) se (Clopper-Pearson at 1e-3 for a
//     probability of staying; for the SDE widened by the bound on the
//     extrapolation's residual bias): a correct bar is counted as missed
//     with probability at most 1e-3 per comparison.
//   - A second discretisation by the same engine (stressRun): another
//     grid (twice or three times the nodes, a sinh map instead of a
//     uniform grid or the reverse, 1.5 times the radius where the radius
//     is not the absorbing boundary), DSignSGD's lattice (no
//     interpolation, no quadrature: exact up to rounding and the radius)
//     against its interpolation grid, and for the SDE the
//     finite-difference scheme on twice the nodes against Euler-Maruyama.
//     Covered when the two values differ by at most the sum of their bars.
//     Independent enough: the engine's bar is built from differences to
//     half the nodes and 1.5 times the radius of the same grid (same node
//     family, same map), so an error those refinements share (a feature
//     the map places badly, a quadrature error that does not change with
//     the spacing, as the old fixed Gauss-Hermite rule's did) is invisible
//     to the bar but not to a grid whose nodes sit elsewhere; the lattice
//     and the finite differences share neither interpolation nor
//     quadrature with the grid they check. What all runs share (the cubic
//     interpolation scheme, the cell rule, the truncation at 9 standard
//     deviations, the test functions beyond the grid) Monte Carlo checks.
//     The old quadrature (Settings.Hermite) is no reference: its error on
//     wide kernels is what the cell rule replaced (Figure 1 left-top: 3.76%
//     and 3.97% at 48 and 200 points against 3.91%).
//   - A closed form where there is one (stressCase.closedForm: E x and
//     E x^2 on the square for DSGD and DCSGD, discrete and SDE): no error
//     of its own. Covered when |v - closed form| <= err.
//
// A comparison fails only beyond three bars (for Monte Carlo: beyond
// 3 err of the interval at z(1e-7), or Clopper-Pearson at 1e-7: a false
// alarm for a correct bar has probability at most 1e-7 per comparison).
// The deep tier draws hundreds of cases by rapid (TestExactStress); the
// default tier runs a few pinned ones (TestExactStressPinned,
// exact_stress_pinned_test.go).

// The levels of the Monte Carlo comparisons (two-sided).
const (
	stressAlphaCover = 1e-3 // coverage: a correct bar missed with probability <= 1e-3
	stressAlphaFail  = 1e-7 // a check fails: beyond three bars, probability <= 1e-7
)

// stressRound is the rounding allowance of a comparison, relative to the
// values: two computations of the same number (different grids, or the
// Monte Carlo sums) round differently; 1e-13 is a few hundred ulps.
const stressRound = 1e-13

// stressSpec is a stress case as plain data: the problem, how the engine
// computes it (Runs[0] the settings under test, Runs[1] the second
// discretisation), the test functions, and the Monte Carlo paths (0:
// none) and seed.
type stressSpec struct {
	Family string
	Kind   string // "discrete" (exact.Discrete), "forward" (exact.Forward, the discrete method) or "sde" (exact.SDE)
	Method string // dsgd, dcsgd, dsignsgd
	Atom   string // quartic, power6, logcosh, square (stressAtom)
	Agents []stressAgent
	X0     float64
	Eta    float64
	Steps  int
	// Schedule is "constant", "inv-sqrt" (eta_k = 1/sqrt(k+1)) or
	// "pathwise" (eta_k = 1/(1 + B |f'(x_k)|), each path its own).
	Schedule string
	B        float64
	Tests    []string // "1" (with Absorb: the probability of staying), "f" (f - f*), "x2", "x"
	Runs     []stressRun
	Paths    int
	Seed     uint64
}

// stressRun is one computation of a case by the engine.
type stressRun struct {
	Name     string
	Settings exact.Settings
}

// stressCase is a spec built: its config and its Monte Carlo recursion.
type stressCase struct {
	stressSpec
	Config string // the mc.Config (JSON) of the problem
	Chain  stressChain
	fx     func(float64) float64
}

// build writes the spec's config and chain.
func (s stressSpec) build() stressCase {
	js, fx := stressAtom(s.Atom)
	var aj []string
	for _, a := range s.Agents {
		aj = append(aj, stressAgentJSON(a, s.Method))
	}
	sched := `{"kind":"constant"}`
	var rates []float64
	var b float64
	switch s.Schedule {
	case "inv-sqrt":
		sched = `{"kind":"inv-sqrt"}`
		for k := range s.Steps {
			rates = append(rates, 1/math.Sqrt(1+float64(k)))
		}
	case "pathwise":
		sched = fmt.Sprintf(`{"kind":"normalized","num":1,"a":1,"b":%g,"reading":"pathwise"}`, s.B)
		b = s.B
	}
	m, err := model.ParseMethod(s.Method)
	if err != nil {
		panic(err)
	}
	c := stressCase{stressSpec: s, fx: fx}
	c.Config = fmt.Sprintf(`{"objective":{"kind":"separable","dim":1,"atom":%s},"x0":[%g],"agents":[%s],"method":%q,"model":{"kind":"discrete"},"eta":%g,"schedule":%s,"steps":%d,"paths":2,"seed":1}`,
		js, s.X0, strings.Join(aj, ","), s.Method, s.Eta, sched, s.Steps)
	main := s.Runs[0].Settings
	c.Chain = stressChain{Method: m, Atom: s.Atom, Agents: s.Agents, Eta: s.Eta, X0: s.X0, Steps: s.Steps, Rates: rates, B: b, Absorb: main.Absorb, Radius: main.Radius}
	if s.Kind == "sde" {
		c.Chain.Substeps = 4
	}
	return c
}

// stressTests are the test functions by name (fx is f - f*).
func stressTests(names []string, fx func(float64) float64) []func(float64) float64 {
	out := make([]func(float64) float64, len(names))
	for i, n := range names {
		switch n {
		case "1":
			out[i] = func(float64) float64 { return 1 }
		case "f":
			out[i] = fx
		case "x2":
			out[i] = func(x float64) float64 { return x * x }
		case "x":
			out[i] = func(x float64) float64 { return x }
		default:
			panic("properties: unknown stress test " + n)
		}
	}
	return out
}

// stressAtom returns an atom's JSON and f - f*, written here (not
// model's; its derivative is stressChain.deriv).
func stressAtom(name string) (js string, fx func(float64) float64) {
	switch name {
	case "quartic":
		return `{"kind":"quartic"}`, func(x float64) float64 { return x * x * x * x / 4 }
	case "power6":
		return `{"kind":"power","p":6}`, func(x float64) float64 { return math.Pow(math.Abs(x), 6) / 6 }
	case "logcosh":
		return `{"kind":"logcosh"}`, func(x float64) float64 {
			a := math.Abs(x)
			return a + math.Log1p(math.Exp(-2*a)) - math.Ln2
		}
	case "square":
		return `{"kind":"square"}`, func(x float64) float64 { return x * x / 2 }
	}
	panic("properties: unknown stress atom " + name)
}

// stressAgentJSON is an agent's JSON for the config.
func stressAgentJSON(a stressAgent, method string) string {
	var noise string
	if a.Gaussian {
		noise = fmt.Sprintf(`{"kind":"gaussian","sigma0":%g,"sigma1":%g}`, a.Sigma0, a.Sigma1)
	} else {
		noise = fmt.Sprintf(`{"kind":"student-t","nu":%g,"scale":[%g]}`, a.Nu, a.Scale)
	}
	comp := ""
	if method == "dcsgd" {
		comp = `,"compressor":{"kind":"identity"}`
		if a.Keep < 1 {
			comp = fmt.Sprintf(`,"compressor":{"kind":"bernoulli","p":%g}`, a.Keep)
		}
	}
	return `{"noise":` + noise + comp + `}`
}

// divergenceRadius is a radius beyond which a path of the discrete method
// on |x|^p/p with step h rarely comes back: h |x|^(p-2) = c (the step
// overshoots the minimiser by about c times the distance to it).
func divergenceRadius(p, h, c float64) float64 {
	return math.Pow(c/h, 1/(p-2))
}

// stressGaussian draws a Gaussian agent with sigma0 in [s0lo, s0hi] and
// sigma1 in [s1lo, s1hi] (no compression).
func stressGaussian(t *rapid.T, s0lo, s0hi, s1lo, s1hi float64) stressAgent {
	return stressAgent{Gaussian: true, Sigma0: rapid.Float64Range(s0lo, s0hi).Draw(t, "sigma0"), Sigma1: rapid.Float64Range(s1lo, s1hi).Draw(t, "sigma1"), Keep: 1}
}

// stressSignAgents draws DSignSGD's agents: Gaussian with sigma0 > 0
// (sigma0 = 0 makes the sign probability jump at the minimiser, which the
// engine refuses) or Student-t with nu in {1, 1.5, 2, 3, 5}; for the SDE
// only Cauchy among the t laws (its sign mean has a closed form for the
// Monte Carlo reference).
func stressSignAgents(t *rapid.T, n int, sde bool) []stressAgent {
	var out []stressAgent
	for range n {
		if rapid.Bool().Draw(t, "student") {
			nus := []float64{1, 1.5, 2, 3, 5}
			if sde {
				nus = []float64{1}
			}
			out = append(out, stressAgent{Nu: rapid.SampledFrom(nus).Draw(t, "nu"), Scale: rapid.Float64Range(0.05, 1).Draw(t, "scale"), Keep: 1})
			continue
		}
		out = append(out, stressGaussian(t, 0.05, 1, 0, 2))
	}
	return out
}

// stressEscape draws an absorbing radius for the discrete method on
// |x|^p/p from x0 with step h: one past which paths rarely come back
// (Figure 1's kind: the probability of staying is that of not diverging,
// and the radius check measures the returns), or one close to x0 that
// paths reach and leave (there the radius check's difference is the
// change of the quantity with the boundary, not a numerical error, and the
// bar is wide).
func stressEscape(t *rapid.T, p, h, x0 float64) float64 {
	if rapid.IntRange(0, 3).Draw(t, "reachable") == 0 {
		return math.Abs(x0) + rapid.Float64Range(0.3, 2).Draw(t, "margin")
	}
	return math.Max(divergenceRadius(p, h, rapid.Float64Range(10, 60).Draw(t, "c")), 1.5*math.Abs(x0)+1)
}

// drawStress draws a case of one of the families.
func drawStress(t *rapid.T) stressSpec {
	fam := rapid.SampledFrom([]string{"dsgd-wide", "dsgd-smooth", "dcsgd-bernoulli", "dsignsgd", "forward", "sde"}).Draw(t, "family")
	s := stressSpec{Family: fam, Kind: "discrete", Method: "dsgd", Schedule: "constant", Seed: rapid.Uint64().Draw(t, "seed")}
	s.Eta = rapid.Float64Range(0.01, 0.1).Draw(t, "eta")
	s.X0 = rapid.Float64Range(-2, 2).Draw(t, "x0")
	s.Steps = rapid.IntRange(5, 40).Draw(t, "steps")
	n := rapid.IntRange(1, 3).Draw(t, "agents")
	r := 2*math.Abs(s.X0) + 2 // the engine's default radius
	var main, alt exact.Settings
	switch fam {
	case "dsgd-wide", "dcsgd-bernoulli":
		if fam == "dcsgd-bernoulli" {
			s.Method = "dcsgd"
		}
		s.Atom = rapid.SampledFrom([]string{"quartic", "power6", "logcosh", "square"}).Draw(t, "atom")
		for range n {
			a := stressGaussian(t, 0, 0.5, 0.5, 6)
			if s.Method == "dcsgd" {
				a = stressGaussian(t, 0, 1, 0, 3)
				if rapid.IntRange(0, 3).Draw(t, "bernoulli") > 0 {
					a.Keep = rapid.Float64Range(0.1, 0.9).Draw(t, "p")
				}
			}
			s.Agents = append(s.Agents, a)
		}
		main = exact.Settings{Nodes: rapid.SampledFrom([]int{600, 1200}).Draw(t, "nodes")}
		if s.Atom == "logcosh" || s.Atom == "square" {
			// No absorption: on log cosh the gradient is bounded (the
			// kernels are wide where sigma1 is large); on the square the
			// noise is multiplicative (power-law tails) and E x^2 has a
			// closed form.
			alt = exact.Settings{Nodes: 3 * main.Nodes, Radius: 1.5 * r}
			s.Tests = []string{"f", "x2"}
			break
		}
		p := 4.0
		if s.Atom == "power6" {
			p = 6
		}
		main.Radius, main.Absorb = stressEscape(t, p, s.Eta, s.X0), true
		alt = exact.Settings{Nodes: 2 * main.Nodes, Radius: main.Radius, Absorb: true, Map: 0.1}
		if rapid.Bool().Draw(t, "sinh") {
			main.Map = rapid.Float64Range(0.02, 0.5).Draw(t, "map")
			alt.Map = 0
		}
		s.Tests = []string{"1", "f"}
	case "dsgd-smooth":
		s.Atom = rapid.SampledFrom([]string{"logcosh", "square"}).Draw(t, "atom")
		s.Eta = rapid.Float64Range(0.01, 0.2).Draw(t, "eta")
		s.X0 = rapid.Float64Range(-3, 3).Draw(t, "x0")
		r = 2*math.Abs(s.X0) + 2
		s1 := 15.0
		if s.Atom == "square" {
			s1 = 3
		}
		for range n {
			s.Agents = append(s.Agents, stressGaussian(t, 0, 1, 0.5, s1))
		}
		main = exact.Settings{Nodes: rapid.SampledFrom([]int{600, 1200}).Draw(t, "nodes")}
		alt = exact.Settings{Nodes: 3 * main.Nodes, Radius: 1.5 * r}
		s.Tests = []string{"f", "x2", "x"}
	case "dsignsgd":
		s.Method = "dsignsgd"
		s.Atom = rapid.SampledFrom([]string{"quartic", "logcosh", "square"}).Draw(t, "atom")
		s.Eta = rapid.Float64Range(0.01, 0.2).Draw(t, "eta")
		s.Agents = stressSignAgents(t, n, false)
		absorb := rapid.IntRange(0, 2).Draw(t, "absorb") == 0
		s.Tests = []string{"f", "x2"}
		if absorb {
			r = math.Abs(s.X0) + rapid.Float64Range(0.2, 1.5).Draw(t, "margin")
			s.Tests = []string{"1", "f"}
		}
		// Near the lattice: the interpolation grid's spacing a factor in
		// [1/4, 4] of the lattice's eta/N, so that the point masses of a
		// step fall between nodes at every phase.
		factor := math.Exp(rapid.Float64Range(math.Log(0.25), math.Log(4)).Draw(t, "factor"))
		nodes := min(max(int(2*r/(factor*s.Eta/float64(n)))+1, 100), 20000)
		main = exact.Settings{Nodes: nodes, Radius: r, Absorb: absorb, Interpolate: true}
		alt = exact.Settings{Radius: r, Absorb: absorb} // the lattice
	case "forward":
		s.Kind = "forward"
		s.Method = rapid.SampledFrom([]string{"dsgd", "dcsgd", "dsignsgd"}).Draw(t, "method")
		s.Atom = rapid.SampledFrom([]string{"quartic", "logcosh", "square"}).Draw(t, "atom")
		if s.Method == "dsignsgd" {
			s.Agents = stressSignAgents(t, n, false)
		} else {
			for range n {
				a := stressGaussian(t, 0, 0.5, 0.5, 6)
				if s.Method == "dcsgd" && rapid.Bool().Draw(t, "bernoulli") {
					a.Keep = rapid.Float64Range(0.2, 0.9).Draw(t, "p")
				}
				s.Agents = append(s.Agents, a)
			}
		}
		s.Tests = []string{"f", "x2"}
		main = exact.Settings{Radius: r}
		alt = exact.Settings{Nodes: 3 * 1200, Radius: 1.5 * r}
		switch {
		case rapid.Bool().Draw(t, "pathwise"):
			// On x^4/4 the steps stay bounded (h |f'| <= eta/B) however
			// wide the noise.
			s.Schedule, s.B = "pathwise", rapid.Float64Range(0.2, 3).Draw(t, "b")
		case s.Atom == "quartic" && s.Method != "dsignsgd":
			s.Schedule = "inv-sqrt"
			main = exact.Settings{Radius: stressEscape(t, 4, s.Eta, s.X0), Absorb: true}
			alt = exact.Settings{Nodes: 2400, Radius: main.Radius, Absorb: true, Map: 0.1}
			s.Tests = []string{"1", "f"}
		default:
			s.Schedule = "inv-sqrt"
		}
	case "sde":
		s.Kind = "sde"
		s.Method = rapid.SampledFrom([]string{"dsgd", "dcsgd", "dsignsgd"}).Draw(t, "method")
		s.Atom = rapid.SampledFrom([]string{"quartic", "logcosh", "square"}).Draw(t, "atom")
		s.Eta = rapid.Float64Range(0.02, 0.2).Draw(t, "eta")
		s.Steps = rapid.IntRange(5, 25).Draw(t, "steps")
		if s.Method == "dsignsgd" {
			s.Agents = stressSignAgents(t, n, true)
		} else {
			for range n {
				a := stressGaussian(t, 0.1, 1, 0, 2)
				if s.Method == "dcsgd" {
					a.Keep = rapid.Float64Range(0.2, 1).Draw(t, "p")
				}
				s.Agents = append(s.Agents, a)
			}
		}
		main = exact.Settings{}
		alt = exact.Settings{Nodes: 2400, Scheme: exact.SchemeFD}
		s.Tests = []string{"f", "x2"}
	}
	s.Runs = []stressRun{{Name: "main", Settings: main}, {Name: "second", Settings: alt}}
	if fam == "dsignsgd" {
		s.Runs[0].Name, s.Runs[1].Name = "interpolation grid", "lattice"
	}
	s.Paths = stressPaths(s)
	return s
}

// stressSimulable reports whether the Monte Carlo reference estimates the
// case's E g with a trustworthy standard error: not the SDE on x^4/4 with
// noise proportional to the gradient or compressed, where f(X_t) has
// power-law tails and no finite variance (FINDINGS.md F6).
func stressSimulable(s stressSpec) bool {
	if s.Kind != "sde" || s.Atom != "quartic" || s.Method == "dsignsgd" {
		return true
	}
	for _, a := range s.Agents {
		if a.Sigma1 > 0 || a.Keep < 1 {
			return false
		}
	}
	return true
}

// stressPaths is the number of Monte Carlo paths of a drawn case:
// millions for the discrete methods (2^22 for DSGD, whose path step costs
// about 10 ns on 2 cores; 2^21 for DCSGD and DSignSGD, whose agents draw
// one noise each), 2^18 for the SDE (28 substeps of three coupled levels
// a step, about 2.5 us a step).
func stressPaths(s stressSpec) int {
	switch {
	case !stressSimulable(s):
		return 0
	case s.Kind == "sde":
		return 1 << 18
	case s.Method == "dsgd":
		return 1 << 22
	}
	return 1 << 21
}

// stressCmp is one comparison of an engine value with a reference.
type stressCmp struct {
	Family, Run, Ref string
	Test             string
	Step             int
	Value, Err       float64
	RefValue         float64
	RefErr           float64 // the second run's bar, or the Monte Carlo standard error
	Bias             float64 // the Monte Carlo SDE's bias bound
	MC               bool
	Binomial         bool // a probability of staying: Clopper-Pearson
	Paths            int
}

// unresolved: the value or the second run's value has no finite bar
// (exact.Value.Resolved false: the engine declined to bound it). Such a
// comparison is counted apart, neither covered nor missed.
func (c stressCmp) unresolved() bool {
	return math.IsInf(c.Err, 0) || math.IsNaN(c.Err) || (!c.MC && (math.IsInf(c.RefErr, 0) || math.IsNaN(c.RefErr)))
}

// interval is the reference's interval at two-sided level alpha (for a
// second run: its value +- its bar).
func (c stressCmp) interval(alpha float64) (lo, hi float64) {
	if !c.MC {
		return c.RefValue - c.RefErr, c.RefValue + c.RefErr
	}
	if c.Binomial {
		k := int(math.Round(c.RefValue * float64(c.Paths)))
		return mc.ClopperPearson(k, c.Paths, alpha)
	}
	z := mc.ZCrit(alpha)
	return c.RefValue - z*c.RefErr - c.Bias, c.RefValue + z*c.RefErr + c.Bias
}

// excess is how far the value lies outside the reference's interval,
// beyond the rounding allowance.
func (c stressCmp) excess(alpha float64) float64 {
	lo, hi := c.interval(alpha)
	return math.Max(0, math.Max(lo-c.Value, c.Value-hi)-stressRound*(math.Abs(c.Value)+math.Abs(c.RefValue)))
}

// covered: the value within its bar of the reference's interval.
func (c stressCmp) covered() bool { return c.excess(stressAlphaCover) <= c.Err }

// beyond3: the value beyond three bars of the reference's interval at
// stressAlphaFail.
func (c stressCmp) beyond3() bool { return c.excess(stressAlphaFail) > 3*c.Err }

// noise is the reference's own uncertainty on the scale of a standard
// deviation: the second run's bar, the standard error (for a probability,
// the Clopper-Pearson half-width over z(1e-3): the standard error where
// the normal approximation holds, and not 0 when no path escaped) plus
// the bias bound.
func (c stressCmp) noise() float64 {
	if c.MC && c.Binomial {
		lo, hi := c.interval(stressAlphaCover)
		return (hi-lo)/(2*mc.ZCrit(stressAlphaCover)) + c.Bias
	}
	return c.RefErr + c.Bias
}

// ratio is |value - reference| / err: the raw deviation in bars.
func (c stressCmp) ratio() float64 { return math.Abs(c.Value-c.RefValue) / math.Max(c.Err, 1e-300) }

func (c stressCmp) String() string {
	ref := fmt.Sprintf("%s %.12g +- %.3g", c.Ref, c.RefValue, c.RefErr)
	if c.MC {
		ref = fmt.Sprintf("Monte Carlo %.12g (se %.3g, bias bound %.3g, %d paths)", c.RefValue, c.RefErr, c.Bias, c.Paths)
	}
	return fmt.Sprintf("%s, %s, E %s at step %d: %.12g +- %.3g against %s: |d| = %.3g = %.3g bars, %.3g beyond the interval",
		c.Family, c.Run, c.Test, c.Step, c.Value, c.Err, ref, math.Abs(c.Value-c.RefValue), c.ratio(), c.excess(stressAlphaCover)/math.Max(c.Err, 1e-300))
}

// engine computes the case's runs together: their passes share the cores
// (exact.Batch), or for Forward one goroutine each. refused is the
// engine's ErrUnresolved (it gives no value).
func (c stressCase) engine() (series [][]exact.Series, refused, err error) {
	cfg, err := mc.ParseConfig([]byte(c.Config))
	if err != nil {
		return nil, nil, err
	}
	rn, err := cfg.Resolve()
	if err != nil {
		return nil, nil, err
	}
	gs := stressTests(c.Tests, c.fx)
	errs := make([]error, len(c.Runs))
	switch c.Kind {
	case "discrete", "sde":
		p, err := rn.ExactProblem()
		if err != nil {
			return nil, nil, err
		}
		var jobs []exact.Job
		for _, r := range c.Runs {
			jobs = append(jobs, exact.Job{Problem: p, Tests: gs, Settings: r.Settings, SDE: c.Kind == "sde"})
		}
		series, errs[0] = exact.Batch(jobs, 0)
	case "forward":
		sp, err := rn.ExactScheduled()
		if err != nil {
			return nil, nil, err
		}
		series = make([][]exact.Series, len(c.Runs))
		parallel.ForEach(len(c.Runs), 0, func(i int) {
			fr, err := exact.Forward(sp, gs, c.Runs[i].Settings, false, 1)
			series[i], errs[i] = fr.Tests, err
		})
	default:
		return nil, nil, fmt.Errorf("unknown kind %q", c.Kind)
	}
	for _, err := range errs {
		if errors.Is(err, exact.ErrUnresolved) {
			return nil, err, nil
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return series, nil, nil
}

// checkpoints are the steps compared: a quarter, half and all of the
// horizon.
func (c stressCase) checkpoints() []int {
	var out []int
	for _, k := range []int{(c.Steps + 3) / 4, (c.Steps + 1) / 2, c.Steps} {
		if k >= 1 && (len(out) == 0 || k != out[len(out)-1]) {
			out = append(out, k)
		}
	}
	return out
}

// run computes the case's runs and its Monte Carlo and returns every
// comparison.
func (c stressCase) run() (cmps []stressCmp, refused, err error) {
	series, refused, err := c.engine()
	if refused != nil || err != nil {
		return nil, refused, err
	}
	cps := c.checkpoints()
	for f, name := range c.Tests {
		for _, k := range cps {
			a, b := series[0][f][k], series[1][f][k]
			cmps = append(cmps, stressCmp{Family: c.Family, Run: c.Runs[0].Name, Ref: c.Runs[1].Name, Test: name, Step: k, Value: a.Value, Err: a.Err, RefValue: b.Value, RefErr: b.Err})
		}
	}
	for f, name := range c.Tests {
		for _, k := range cps {
			cf, ok := c.closedForm(k, name)
			if !ok {
				continue
			}
			for i, r := range c.Runs {
				v := series[i][f][k]
				cmps = append(cmps, stressCmp{Family: c.Family, Run: r.Name, Ref: "closed form", Test: name, Step: k, Value: v.Value, Err: v.Err, RefValue: cf})
			}
		}
	}
	if c.Paths == 0 {
		return cmps, nil, nil
	}
	centre := make([][]float64, len(c.Tests))
	for f := range c.Tests {
		for _, k := range cps {
			centre[f] = append(centre[f], series[0][f][k].Value)
		}
	}
	est := c.Chain.simulate(stressTests(c.Tests, c.fx), cps, centre, c.Paths, c.Seed)
	if est.Diverged > 0 {
		return nil, nil, fmt.Errorf("%d Monte Carlo paths diverged: the generator should keep them finite", est.Diverged)
	}
	for f, name := range c.Tests {
		binomial := name == "1" && c.Chain.Absorb
		for j, k := range cps {
			if est.SE[f][j] == 0 && !binomial {
				continue // every path gave the same value: no interval
			}
			for i, r := range c.Runs {
				v := series[i][f][k]
				cmps = append(cmps, stressCmp{Family: c.Family, Run: r.Name, Ref: "Monte Carlo", Test: name, Step: k, Value: v.Value, Err: v.Err,
					RefValue: est.Mean[f][j], RefErr: est.SE[f][j], Bias: est.Bias[f][j], MC: true, Binomial: binomial, Paths: est.Paths})
			}
		}
	}
	return cmps, nil, nil
}

// closedForm returns E g at step k for g = x, x^2 or f = x^2/2 on the
// square f = x^2/2 for DSGD and DCSGD under a clock schedule without
// absorption, or false. There f' = x, and one step's first two moments
// are linear in the state's: with a = (1/N^2) sum_i sigma0_i^2/p_i and
// b = (1/N^2) sum_i (1/p_i - 1 + sigma1_i^2/p_i) (p_i = 1 for DSGD and
// identity compressors),
//
//	discrete: E x' = (1 - h) x,  E x'^2 = ((1 - h)^2 + h^2 b) x^2 + h^2 a
//	SDE:      dm1/dt = -r m1,    dm2/dt = (-2 r + r^2 eta b) m2 + r^2 eta a
//
// (h = eta r, r the step's schedule value; the SDE's diffusion squared is
// r^2 eta Sigma/N = r^2 eta (a + b X^2)). A closed form is the one
// reference with no error of its own; the multiplicative noise gives
// the law power-law tails, which is where the radius matters.
func (c stressCase) closedForm(k int, test string) (float64, bool) {
	if c.Atom != "square" || c.Method == "dsignsgd" || c.Chain.Absorb || c.Schedule == "pathwise" {
		return 0, false
	}
	n := float64(len(c.Agents))
	var a, b float64
	for _, ag := range c.Agents {
		p := ag.Keep
		a += ag.Sigma0 * ag.Sigma0 / p / (n * n)
		b += (1/p - 1 + ag.Sigma1*ag.Sigma1/p) / (n * n)
	}
	m1, m2 := c.X0, c.X0*c.X0
	for j := range k {
		r := c.Chain.rate(j, 0)
		if c.Kind == "sde" {
			m1 *= math.Exp(-r * c.Eta)
			g := -2*r + r*r*c.Eta*b
			m2 = m2*math.Exp(g*c.Eta) + r*r*c.Eta*a*c.Eta*stressExpm1c(g*c.Eta)
			continue
		}
		h := c.Eta * r
		m1 *= 1 - h
		m2 = ((1-h)*(1-h)+h*h*b)*m2 + h*h*a
	}
	switch test {
	case "x":
		return m1, true
	case "x2":
		return m2, true
	case "f":
		return m2 / 2, true
	}
	return 0, false
}

// stressExpm1c is (e^u - 1)/u (1 at u = 0).
func stressExpm1c(u float64) float64 {
	if math.Abs(u) < 1e-8 {
		return 1 + u/2
	}
	return math.Expm1(u) / u
}

// describe is the case's reproduction: its config and each run's
// settings.
func (c stressCase) describe() string {
	s := fmt.Sprintf("%s: exact.%s of config %s", c.Family, map[string]string{"discrete": "Discrete", "forward": "Forward", "sde": "SDE"}[c.Kind], c.Config)
	for _, r := range c.Runs {
		s += fmt.Sprintf("\n  %s: exact.Settings%+v", r.Name, r.Settings)
	}
	return s + fmt.Sprintf("\n  tests %v; Monte Carlo: %d paths, seed %d", c.Tests, c.Paths, c.Seed)
}

// stressProperty draws a case, computes it and records its comparisons
// (TestExactStress asserts on all of them together, so that one bad case
// does not stop the measurement: each is reported with its reproduction).
func stressProperty(t *rapid.T) {
	c := drawStress(t).build()
	start := time.Now()
	cmps, refused, err := c.run()
	if err != nil {
		t.Fatalf("%v\ncase %s", err, c.describe())
	}
	n := stressLog.add(c, cmps, refused)
	if testing.Verbose() {
		worst := 0.0
		for _, cmp := range cmps {
			worst = math.Max(worst, cmp.excess(stressAlphaCover)/math.Max(cmp.Err, 1e-300))
		}
		fmt.Printf("stress case %d (%s, %s, %s): %d comparisons, worst excess %.3g bars, refused %v, %.1fs\n", n, c.Family, c.Method, c.Atom, len(cmps), worst, refused != nil, time.Since(start).Seconds())
	}
}

// TestExactStress is the deep tier's measurement of the bars' coverage:
// rapid draws the cases (stressProperty) and every comparison is
// recorded; none may lie beyond three bars (each such one fails with
// probability at most 1e-7 for a correct bar: about 20 comparisons a
// case, 6e-4 over 300 cases) and the coverage must be at least 99% (Monte
// Carlo comparisons miss a correct bar with probability at most 1e-3
// each: P(Binomial(n, 1e-3) > n/100) < 1e-9 for n >= 500). The table and
// every comparison not covered, with its case's reproduction, go to the
// test log:
//
//	SDEVERIFY_DEEP=1 go test ./properties -run 'TestExactStress$' -rapid.checks=300 -v -timeout 3h
//
// Without SDEVERIFY_DEEP it is skipped: TestExactStressPinned runs a few
// cases by default.
func TestExactStress(t *testing.T) {
	if !deep {
		t.Skip("the measurement is the deep tier's (SDEVERIFY_DEEP=1, -rapid.checks=N); TestExactStressPinned runs by default")
	}
	stressLog.reset()
	rapid.Check(t, stressProperty)
	sum := stressLog.summary()
	for _, line := range sum.lines {
		t.Log(line)
	}
	switch {
	case sum.compared == 0:
		t.Error("no comparison was made")
	case sum.beyond > 0:
		t.Errorf("%d of %d comparisons lie beyond three bars (listed above with their cases)", sum.beyond, sum.compared)
	}
	if sum.compared >= 500 && sum.coverage < 0.99 {
		t.Errorf("coverage %.4f of %d comparisons is below 0.99", sum.coverage, sum.compared)
	}
}

// stressLog collects the comparisons of TestExactStress's checks.
var stressLog stressCollector

type stressCollector struct {
	sync.Mutex
	cases, refused int
	cmps           []stressCmp
	misses         []string
}

func (s *stressCollector) reset() {
	s.Lock()
	defer s.Unlock()
	s.cases, s.refused, s.cmps, s.misses = 0, 0, nil, nil
}

// add records a case's comparisons and returns the number of cases so
// far.
func (s *stressCollector) add(c stressCase, cmps []stressCmp, refused error) int {
	s.Lock()
	defer s.Unlock()
	s.cases++
	if refused != nil {
		s.refused++
		return s.cases
	}
	s.cmps = append(s.cmps, cmps...)
	for _, cmp := range cmps {
		if !cmp.covered() {
			s.misses = append(s.misses, cmp.String()+"\n    case "+strings.ReplaceAll(c.describe(), "\n", "\n    "))
		}
	}
	return s.cases
}

// stressSummary is the coverage table of the collected comparisons.
type stressSummary struct {
	compared int
	beyond   int
	coverage float64
	lines    []string
}

// stressTally counts one row of the table.
type stressTally struct {
	n, cov, beyond  int
	unresolved      int // comparisons with an unresolved value, not in n
	nTight, inTight int // references whose noise is under a tenth of the bar: |d| <= err alone
	worstExcess     float64
	worstTight      float64
	worst           string
}

func (tl *stressTally) add(c stressCmp) {
	if c.unresolved() {
		tl.unresolved++
		return
	}
	tl.n++
	if c.covered() {
		tl.cov++
	}
	if c.beyond3() {
		tl.beyond++
	}
	if ex := c.excess(stressAlphaCover) / math.Max(c.Err, 1e-300); ex > tl.worstExcess {
		tl.worstExcess, tl.worst = ex, c.String()
	}
	if c.noise() <= c.Err/10 {
		tl.nTight++
		if math.Abs(c.Value-c.RefValue) <= c.Err+stressRound*(math.Abs(c.Value)+math.Abs(c.RefValue)) {
			tl.inTight++
		}
		tl.worstTight = math.Max(tl.worstTight, c.ratio())
	}
}

func (s *stressCollector) summary() stressSummary {
	s.Lock()
	defer s.Unlock()
	by := map[string]*stressTally{}
	var keys []string
	for _, c := range s.cmps {
		kind := "second discretisation"
		switch {
		case c.MC:
			kind = "Monte Carlo"
		case c.Ref == "closed form":
			kind = "closed form"
		}
		for _, k := range []string{"all", kind, c.Family + " / " + kind} {
			if by[k] == nil {
				by[k] = &stressTally{}
				keys = append(keys, k)
			}
			by[k].add(c)
		}
	}
	sort.Slice(keys, func(a, b int) bool {
		if (keys[a] == "all") != (keys[b] == "all") {
			return keys[a] == "all"
		}
		return keys[a] < keys[b]
	})
	pct := func(a, b int) string {
		if b == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f%% (%d/%d)", 100*float64(a)/float64(b), a, b)
	}
	var out stressSummary
	out.lines = append(out.lines, fmt.Sprintf("exact engine stress: %d cases (%d refused as unresolved), %d comparisons", s.cases, s.refused, len(s.cmps)))
	out.lines = append(out.lines, "  row: coverage | beyond 3 bars | worst excess over the reference's interval, in bars | within err alone where the reference's noise < err/10 | worst |d|/err there | unresolved (not counted)")
	for _, k := range keys {
		tl := by[k]
		out.lines = append(out.lines, fmt.Sprintf("  %-46s %s | %d | %.3g | %s | %.3g | %d", k, pct(tl.cov, tl.n), tl.beyond, tl.worstExcess, pct(tl.inTight, tl.nTight), tl.worstTight, tl.unresolved))
	}
	for _, k := range keys {
		if tl := by[k]; strings.Contains(k, " / ") && tl.worst != "" {
			out.lines = append(out.lines, "  worst of "+k+": "+tl.worst)
		}
	}
	if tl := by["all"]; tl != nil {
		out.compared, out.beyond, out.coverage = tl.n, tl.beyond, float64(tl.cov)/float64(tl.n)
		if tl.worst != "" {
			out.lines = append(out.lines, "  worst: "+tl.worst)
		}
	}
	for _, m := range s.misses {
		out.lines = append(out.lines, "  not covered: "+m)
	}
	return out
}
