package studies

import (
	"fmt"
	"math"
	"slices"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/theorems"
)

// Case is a pinned theorem check: a configuration, how its schedule is
// built, and the outcome expected on each target, with the reason for the
// expectation (which never comes from running the code).
type Case struct {
	Name    string
	Theorem string
	Reading theorems.Reading // ensemble or pathwise
	Config  mc.Config        // its schedule is replaced when Margin > 0
	// Margin > 0 builds the theorem's admissible schedule with
	// eta eta_t = Margin * threshold (times Decay when set).
	Margin float64
	Decay  *model.ScheduleSpec
	Want   map[string]theorems.Outcome // per target: sde, discrete
	Why    string
	// Finding, when set, marks a confirmed violation or gap: the case is
	// pinned so that it keeps reproducing.
	Finding *Finding
	Short   bool // also run under -short
}

// PinnedResult is one pinned case's recorded outcome.
type PinnedResult struct {
	Case     string                      `json:"case"`
	Theorem  string                      `json:"theorem"`
	Reading  theorems.Reading            `json:"reading"`
	Want     map[string]theorems.Outcome `json:"want"`
	Got      map[string]theorems.Outcome `json:"got"`
	Why      string                      `json:"why"`
	Finding  *Finding                    `json:"finding,omitempty"`
	Report   *theorems.Report            `json:"report"`
	Replay   string                      `json:"replay"`
	AsWanted bool                        `json:"as_wanted"`
}

// PinnedAlpha is each pinned check's family-wise probability of a false
// FAIL (split inside theorems.Check over targets and horizons); over the 24
// cases, 2.4e-5 in all. The tests and the command line both use it.
const PinnedAlpha = 1e-6

// Run checks the case at level PinnedAlpha on the given number of workers
// (0: all cores) and compares each target's outcome with what the case
// wants.
func (c Case) Run(workers int) (PinnedResult, error) {
	cfg, o, th, err := c.Build()
	if err != nil {
		return PinnedResult{}, err
	}
	o.Alpha, o.Workers = PinnedAlpha, workers
	rep, err := theorems.Check(th, cfg, o)
	if err != nil {
		return PinnedResult{}, fmt.Errorf("case %s: %w", c.Name, err)
	}
	r := PinnedResult{Case: c.Name, Theorem: c.Theorem, Reading: c.Reading, Want: c.Want, Got: map[string]theorems.Outcome{},
		Why: c.Why, Finding: c.Finding, Report: rep, Replay: c.Replay(), AsWanted: true}
	for t, w := range c.Want {
		r.Got[t] = rep.TargetOutcome(t)
		r.AsWanted = r.AsWanted && r.Got[t] == w
	}
	return r, nil
}

// Replay returns the command that replays a pinned case.
func (c Case) Replay() string {
	return fmt.Sprintf("go test ./theorems/studies -run 'TestPinned/%s$' -v", c.Name)
}

// Build returns the case's configuration with its schedule and the options.
func (c Case) Build() (mc.Config, theorems.Options, theorems.Theorem, error) {
	th, err := theorems.ByID(c.Theorem)
	if err != nil {
		return mc.Config{}, theorems.Options{}, theorems.Theorem{}, err
	}
	cfg := c.Config
	cfg.X0, cfg.Agents = slices.Clone(cfg.X0), slices.Clone(cfg.Agents) // the case stays as written
	if err := cfg.Validate(); err != nil {
		return mc.Config{}, theorems.Options{}, theorems.Theorem{}, fmt.Errorf("case %s: %w", c.Name, err)
	}
	o := theorems.Options{Reading: c.Reading, Replay: c.Replay()}
	// Decide at the case's checkpoints; draw 20 more, log-spaced.
	if at := cfg.Checkpoints.At; at != nil {
		o.Horizons = slices.Clone(at)
		cfg.Checkpoints.At = mergeSteps(at, cfg.Steps, 20)
	}
	if c.Margin > 0 {
		s, err := theorems.AdmissibleSchedule(th, cfg, o, c.Margin, c.Decay)
		if err != nil {
			return mc.Config{}, theorems.Options{}, theorems.Theorem{}, fmt.Errorf("case %s: %w", c.Name, err)
		}
		cfg.Schedule = s
	}
	return cfg, o, th, nil
}

// pinnedConfig is a pinned case's configuration: the discrete method on
// obj from x0 (every coordinate) with the agents, eta and the schedule,
// seed 20261125, deciding at the checkpoints at.
func pinnedConfig(obj objective.Spec, x0 float64, agents []model.AgentSpec, method string, eta float64, schedule model.ScheduleSpec, steps, paths int, at ...int) mc.Config {
	return mc.Config{Objective: obj, X0: []float64{x0}, Agents: agents, Method: method, Model: model.ModelSpec{Kind: "discrete"}, Eta: eta,
		Schedule: schedule, Steps: steps, Paths: paths, Seed: 20261125, Checkpoints: mc.CheckpointSpec{At: at}}
}

// The pinned cases' objectives (with their derived certificates) and
// schedule.
var (
	cosh2    = func() objective.Spec { return atomObjective("cosh", 2, 0) }
	cosh3    = func() objective.Spec { return atomObjective("cosh", 3, 0) }
	logcosh3 = func() objective.Spec { return atomObjective("logcosh", 3, 0) }
	// square2 is sum_j 2 x_j^2/2 in d = 2 (the atom's outer scale c = 2).
	square2 = func() objective.Spec {
		return objective.Spec{Kind: "separable", Dim: 2, Atom: &model.AtomSpec{Kind: "square", C: 2}}
	}
	constSched = model.ScheduleSpec{Kind: "constant"}
)

var both = func(o theorems.Outcome) map[string]theorems.Outcome {
	return map[string]theorems.Outcome{"sde": o, "discrete": o}
}

// fig1Left is Figure 1's left panel (DSGD on x^4/4 from 3, eta = 0.01)
// at noise sigma1 = sigma.
func fig1Left(sigma float64, steps, paths int) mc.Config {
	return pinnedConfig(quartic(1), 3, []model.AgentSpec{gauss(0, sigma, nil)}, "dsgd", 0.01, constSched, steps, paths, 100, 500, 1000)
}

// fig1Right is Figure 1's right panel (DSignSGD on x^4/4 from 2 under
// Cauchy noise of scale sigma, eta = 0.1, 1/sqrt(k+1)).
func fig1Right(sigma float64, paths int) mc.Config {
	return pinnedConfig(quartic(1), 2, []model.AgentSpec{studentT(1, sigma)}, "dsignsgd", 0.1, model.ScheduleSpec{Kind: "inv-sqrt"}, 1000, paths, 10, 100, 1000)
}

// fig1Centre is Figure 1's centre panel (DCSGD, rand-k omega = 4, on
// sum_j x_j^4/4 in d = 1000, the figure's Eq. 3 schedule).
func fig1Centre(steps, paths int, at ...int) mc.Config {
	return pinnedConfig(quartic(1000), 0.5, []model.AgentSpec{gauss(0, 0.1, &model.CompressorSpec{Kind: "randk", Omega: 4})}, "dcsgd", 0.1,
		model.ScheduleSpec{Kind: "normalized", Num: 1, A: 162, B: 12, Reading: "ensemble"}, steps, paths, at...)
}

// Agents of the pinned cases: three Gaussian agents of different
// (sigma0, sigma1), one affine agent (1, 1), and two heterogeneous DCSGD
// agents with affine noise.
func heteroAgents() []model.AgentSpec {
	return []model.AgentSpec{gauss(0.5, 0.2, nil), gauss(0, 1, nil), gauss(1.5, 0, nil)}
}

func affine11Agents() []model.AgentSpec { return []model.AgentSpec{gauss(1, 1, nil)} }

func heteroDCSGD() []model.AgentSpec {
	return []model.AgentSpec{gauss(0.5, 0.5, &model.CompressorSpec{Kind: "bernoulli", P: 0.5}), gauss(1, 0, &model.CompressorSpec{Kind: "identity"})}
}

// invSqrtDecay is the Robbins-Monro decay 1/sqrt(k+1) of the pinned
// cases' admissible schedules.
func invSqrtDecay() *model.ScheduleSpec { return &model.ScheduleSpec{Kind: "inv-sqrt"} }

// Pinned returns the pinned set: Thm 4's cases, those in Thms 5-7's
// classes and at their boundaries, the counterexample to Thm 6's constant
// and Figure 1's centre under Thm 6, Thm 7's phases, the Robbins-Monro
// variants of the findings, and a configuration outside its theorem.
func Pinned() []Case {
	var out []Case
	out = append(out, pinnedThm4()...)
	out = append(out, pinnedInClass()...)
	out = append(out, pinnedThm6Constant()...)
	out = append(out, pinnedThm7Phases()...)
	out = append(out, pinnedRobbinsMonro()...)
	return append(out, Case{
		Name: "thm4-wrong-method", Theorem: "thm4", Reading: "ensemble", Config: fig1Right(1, 50),
		Want: both(theorems.Vacuous), Short: true,
		Why: "A DSignSGD configuration is outside Thm 4 (DSGD): VACUOUS without simulating.",
	})
}

// pinnedThm4 is Thm 4's cases: Figure 1 left and heterogeneous agents
// inside the admissible region, and cosh at its boundary in both readings.
func pinnedThm4() []Case {
	return []Case{
		{
			Name: "thm4-fig1-left-sigma1", Theorem: "thm4", Reading: "ensemble", Config: fig1Left(1, 1000, 500), Margin: 0.01,
			Want: map[string]theorems.Outcome{"sde": theorems.Fail, "discrete": theorems.Pass}, Short: true, Finding: FindingHeavyTails,
			Why: "Figure 1 left, sigma = 1, with the Eq. 1 schedule (eta_t equal to the bound, so eta eta_t = 0.01 x bound), deep inside the admissible region. " +
				"The SDE's left-hand side is infinite (F6: E X_t^6 = infinity, an analytical FAIL whatever the samples say); the discrete method's is finite and within the bound.",
		},
		{
			Name: "thm4-fig1-left-sigma3-pathwise", Theorem: "thm4", Reading: "pathwise", Config: fig1Left(3, 1000, 500), Margin: 0.01,
			Want: both(theorems.Pass),
			Why:  "Figure 1 left, sigma = 3, pathwise reading at margin eta: the proof's own reading, deep inside the admissible region.",
		},
		{
			Name: "thm4-heterogeneous-agents", Theorem: "thm4", Reading: "pathwise",
			Config: pinnedConfig(logcosh3(), 2, heteroAgents(), "dsgd", 0.05, constSched, 400, 1000, 10, 100, 400), Margin: 0.5,
			Want: both(theorems.Pass),
			Why:  "Three agents with different (sigma0, sigma1) on log cosh (L1 = 0), half the admissible step, pathwise: within the theorem's hypotheses and far from any boundary.",
		},
		{
			Name: "thm4-boundary-pathwise", Theorem: "thm4", Reading: "pathwise",
			Config: pinnedConfig(cosh2(), 2, affine11Agents(), "dsgd", 0.05, constSched, 400, 2000, 10, 100, 400), Margin: 1,
			Want: map[string]theorems.Outcome{"sde": theorems.Vacuous, "discrete": theorems.Pass},
			Why: "At the admissibility boundary (eq. 1 with equality) in the pathwise reading, the proof's inequality (eq. 21) holds path by path at the discrete steps, so the discrete method's bound is expected to hold. " +
				"The SDE's rate is read at each step's start and held over the step: at margin 1 it is exactly at the threshold there, and inside a step where ||grad f|| grows (about half the steps on cosh, L1 = 1 > 0) it exceeds the threshold, so the hypothesis fails on some substep and the SDE's verdicts are VACUOUS.",
		},
		{
			Name: "thm4-boundary-ensemble", Theorem: "thm4", Reading: "ensemble",
			Config: pinnedConfig(cosh2(), 2, affine11Agents(), "dsgd", 0.05, constSched, 400, 2000, 10, 100, 400), Margin: 1,
			Want:    map[string]theorems.Outcome{"sde": theorems.Inconclusive, "discrete": theorems.Fail},
			Finding: FindingThm4Ensemble,
			Why:     "The same configuration in the ensemble reading: a path far out takes the ensemble's step with noise sigma1 ||grad f||, which makes single paths escape; the discrete method's left-hand side is unbounded and the SDE's escaping paths exceed the integrator (no verdict).",
		},
	}
}

// pinnedInClass is the cases of Thms 5-7 inside or at the boundary of
// their classes (and Figure 1 centre outside Thm 5's).
func pinnedInClass() []Case {
	return []Case{
		{
			Name: "thm5-fig1-centre-vacuous", Theorem: "thm5", Reading: "ensemble",
			Config: fig1Centre(100, 8, 100),
			Want:   both(theorems.Vacuous), Short: true,
			Why: "Figure 1 centre uses affine noise (variance sigma^2 ||grad f||^2), outside Thm 5's bounded-variance class: the theorem says nothing there (docs/math.md section 4).",
		},
		{
			Name: "thm5-heterogeneous-in-class", Theorem: "thm5", Reading: "ensemble",
			Config: pinnedConfig(logcosh3(), 2, []model.AgentSpec{gauss(0.5, 0, &model.CompressorSpec{Kind: "bernoulli", P: 0.5}), gauss(1, 0, &model.CompressorSpec{Kind: "randk", K: 2})},
				"dcsgd", 0.05, constSched, 400, 1000, 10, 100, 400), Margin: 0.5,
			Want: both(theorems.Pass),
			Why:  "Two agents with bounded variance and different unbiased compressors (Bernoulli, rand-k) on log cosh, half the admissible step: inside Thm 5's hypotheses.",
		},
		{
			Name: "thm6-heterogeneous-boundary", Theorem: "thm6-eta", Reading: "pathwise",
			Config: pinnedConfig(logcosh3(), 2, heteroDCSGD(),
				"dcsgd", 0.05, constSched, 400, 1000, 10, 100, 400), Margin: 1,
			Want:    map[string]theorems.Outcome{"sde": theorems.Pass, "discrete": theorems.Fail},
			Finding: FindingDiscreteBoundary,
			Why: "Two heterogeneous agents with affine noise at the admissibility boundary (eq. 5 with equality) on log cosh (L1 = 0, where the pathwise and ensemble readings coincide): the SDE's Ito inequalities hold path by path (PASS). " +
				"The step there is h = 2N eps/(L0 A6) = 1.6, and the discrete method's descent lemma has the extra term (L0/2) h^2 ||grad f||^2: with h L0/2 = 0.8 > 1 - eps = 0.5 it has no descent guarantee, so its left-hand side is expected above the SDE's bound (by up to (1-eps)/(1-h L0/2) = 2.5x).",
		},
		{
			Name: "thm7-boundary-phase-3", Theorem: "thm7", Reading: "ensemble",
			Config: pinnedConfig(cosh3(), 0.5, []model.AgentSpec{studentT(3, 20), studentT(3, 30)}, "dsignsgd", 0.1, constSched, 400, 2000, 10, 100, 400),
			Margin: 0.99, Decay: &model.ScheduleSpec{Kind: "inv-sqrt"},
			Want: both(theorems.Pass),
			Why: "cosh (L1 = 1) at 99% of Thm 7's admissible step (eta eta_t < 2 N ell/(sigma_H L1 d) = 0.034, so the weights w_t start near 0): with scales 20 and 30, |d_j f|/sigma = |sinh x_j|/sigma < 1 while |x_j| < 3.7, " +
				"and steps of at most 0.034 keep the paths near 0.5 over 400 steps: Phase 3 throughout, where the proof's drift inequality holds.",
		},
	}
}

// pinnedThm6Constant is the counterexample to Thm 6's constant (printed,
// with the proof's eta, corrected) and Thm 6 on Figure 1 centre.
func pinnedThm6Constant() []Case {
	return []Case{
		{
			Name: "thm6-printed-counterexample", Theorem: "thm6-printed", Reading: "pathwise", Config: thm6Counterexample(),
			Want: both(theorems.Fail), Finding: FindingThm6Constant, Short: true,
			Why: "Shrunk by rapid from TestTheorem/thm6-printed-pathwise: L1 = 0 and A6 = 0.0157 admit eta eta_t = 15.5 on x^2 with curvature 8.2 and sigma0 = 3; the Ito term " +
				"eta eta_t^2 L0 B6/(2N) with B6 = 4.5 is not in eq. 6's constant (L0 A6 + L1 B6)/(2N) = 0.064 (see the finding).",
		},
		{
			Name: "thm6-eta-counterexample", Theorem: "thm6-eta", Reading: "pathwise", Config: thm6Counterexample(),
			Want: both(theorems.Fail), Finding: FindingThm6Constant,
			Why: "The same configuration with the proof's factor eta, a bound smaller still: it fails too.",
		},
		{
			Name: "thm6-corrected-counterexample", Theorem: "thm6-corrected", Reading: "pathwise", Config: thm6Counterexample(),
			Want: map[string]theorems.Outcome{"sde": theorems.Pass, "discrete": theorems.Fail}, Finding: FindingThm6Constant,
			Why: "The same configuration with the corrected constant eta (L0 + L1) B6/(2N), which covers the proof's Ito term: the SDE passes; the discrete method, " +
				"with h L0/2 = 64 > 1 - eps, has no descent guarantee at this step (F4).",
		},
		{
			Name: "thm6-fig1-centre", Theorem: "thm6-eta", Reading: "ensemble",
			Config: fig1Centre(300, 16, 100, 300),
			Want:   both(theorems.Pass),
			Why:    "What Thm 6 says instead on Figure 1 centre (omega = 4) with the figure's Eq. 3 schedule: eta eta_t = 0.1/(162 + 12 G) stays below Thm 6's threshold 1/(162 + 162 G) while G <= 4.7 (the run starts at G = 3.95 and decreases), so the hypotheses hold; the bound is expected to hold.",
		},
		{
			Name: "thm6-printed-fig1-centre", Theorem: "thm6-printed", Reading: "ensemble",
			Config: fig1Centre(300, 16, 100, 300),
			Want:   both(theorems.Pass),
			Why:    "As above with eq. 6 as printed, whose phi2 term is larger by 1/eta: weaker than the proof's bound, so it holds wherever the proof's does.",
		},
	}
}

// pinnedThm7Phases is Thm 7's cases: inside Phase 3, and the small-noise
// and Figure 1 right cases its phases do not cover.
func pinnedThm7Phases() []Case {
	return []Case{
		{
			Name: "thm7-phase-3", Theorem: "thm7", Reading: "ensemble",
			Config: pinnedConfig(logcosh3(), 1, []model.AgentSpec{studentT(3, 2), studentT(3, 3)}, "dsignsgd", 0.1, constSched, 400, 2000, 10, 100, 400),
			Margin: 0.5, Decay: &model.ScheduleSpec{Kind: "inv-sqrt"},
			Want: both(theorems.Pass), Short: true,
			Why: "On log cosh |d_j f| <= 1 and the scales are >= 2, so every agent stays in Phase 3 (|Y| < 1/2) where the proof's drift inequality holds; Robbins-Monro, half the admissible step: expected to hold.",
		},
		{
			Name: "thm7-fig1-right-sigma1", Theorem: "thm7", Reading: "ensemble", Config: fig1Right(1, 1000),
			Want: both(theorems.Fail), Finding: FindingThm7Phases, Short: true,
			Why: "Figure 1 right, sigma = 1, with its own schedule 1/sqrt(k+1) (admissible: 0.1 < 1/3): x0 = 2 gives |f'|/sigma = 8 (Phase 1); by hand the noiseless sign flow from 2 to 1 alone contributes 9.07 to the left-hand side against f(x0) - f* = 4 (see the finding).",
		},
		{
			Name: "thm7-small-noise", Theorem: "thm7", Reading: "ensemble",
			Config: pinnedConfig(square2(), 1, []model.AgentSpec{studentT(1, 0.05)}, "dsignsgd", 0.05, constSched, 400, 1000, 10, 100, 400),
			Margin: 0.5, Decay: &model.ScheduleSpec{Kind: "inv-sqrt"},
			Want: both(theorems.Fail), Finding: FindingThm7Phases,
			Why: "Small noise (sigma = 0.05) on x^2: a = ell_nu/sigma_H = 10 weights the left-hand side while the dynamics are nearly the noiseless sign flow: the bound cannot hold (see the finding).",
		},
		{
			Name: "thm7-fig1-right-sigma16", Theorem: "thm7", Reading: "ensemble", Config: fig1Right(16, 200),
			Want: both(theorems.Vacuous), Finding: FindingFig1RightAdmissibility, Short: true,
			Why: "eta eta_0 = 0.1 exceeds 1/(3 sigma) = 0.021 at sigma = 16: the schedule leaves the admissible region at step 0, so every horizon is VACUOUS.",
		},
	}
}

// pinnedRobbinsMonro is the Robbins-Monro variants of the findings of
// Thms 4 and 6.
func pinnedRobbinsMonro() []Case {
	return []Case{
		// Robbins-Monro variants of the findings of Thms 4 and 6 (the
		// appendix theorems assume such a schedule for their limits): the
		// same configurations with eta eta_k = margin x threshold / sqrt(k+1).
		{
			Name: "thm4-fig1-left-sigma1-rm", Theorem: "thm4", Reading: "ensemble", Config: fig1Left(1, 1000, 500), Margin: 0.01, Decay: invSqrtDecay(),
			Want: map[string]theorems.Outcome{"sde": theorems.Fail, "discrete": theorems.Pass}, Finding: FindingHeavyTails,
			Why: "F6 under a Robbins-Monro schedule: the decay keeps eta_t deterministic and bounded away from 0 on [0, T], so the Lamperti/Bessel argument is unchanged and the SDE's left-hand side is infinite (analytical FAIL); the discrete method's is finite and far inside the bound.",
		},
		{
			Name: "thm4-boundary-ensemble-rm", Theorem: "thm4", Reading: "ensemble",
			Config: pinnedConfig(cosh2(), 2, affine11Agents(), "dsgd", 0.05, constSched, 400, 2000, 10, 100, 400), Margin: 1, Decay: invSqrtDecay(),
			Want:    map[string]theorems.Outcome{"sde": theorems.Inconclusive, "discrete": theorems.Pass},
			Finding: FindingThm4Ensemble,
			Why: "F2 under a Robbins-Monro schedule: the step is at the boundary at k = 0 only and below it by 1/sqrt(k+1) after, while F2's escapes need boundary steps taken again and again by paths far out, so the discrete method is expected within its bound; " +
				"the SDE's left-hand side is still dominated by rare excursions of the first steps (a standard error comparable to the estimate at 2000 paths): no decision. F2 is a finding about schedules that stay at the boundary.",
		},
		{
			Name: "thm6-heterogeneous-boundary-rm", Theorem: "thm6-eta", Reading: "pathwise",
			Config: pinnedConfig(logcosh3(), 2, heteroDCSGD(),
				"dcsgd", 0.05, constSched, 400, 1000, 10, 100, 400), Margin: 1, Decay: invSqrtDecay(),
			Want:    both(theorems.Pass),
			Finding: FindingDiscreteBoundary,
			Why: "F4 under a Robbins-Monro schedule: the step h_k = 1.6/sqrt(k+1) has h L0/2 <= 1 - eps = 0.5 from k = 2 on, so the discrete descent lemma holds after two steps and its left-hand side is expected within the SDE's bound; the SDE is inside eq. 5 throughout. " +
				"F4 is a finding about steps that stay at the boundary.",
		},
		{
			Name: "thm6-printed-counterexample-rm", Theorem: "thm6-printed", Reading: "pathwise", Config: thm6Counterexample(), Margin: 1, Decay: invSqrtDecay(),
			Want: both(theorems.Fail), Finding: FindingThm6Constant,
			Why: "F5 under a Robbins-Monro schedule: eq. 6 lacks the Ito term eta eta_t^2 L0 B6/(2N) whatever eta_t is, and over the 21 steps the decay shrinks eta_t by at most sqrt(22): the term it lacks still dominates (L1 = 0, sigma0 = 3), so the SDE violates the bound; the discrete method has h L0/2 = 64/sqrt(k+1) > 1 - eps on every step (F4).",
		},
		{
			Name: "thm6-corrected-counterexample-rm", Theorem: "thm6-corrected", Reading: "pathwise", Config: thm6Counterexample(), Margin: 1, Decay: invSqrtDecay(),
			Want: map[string]theorems.Outcome{"sde": theorems.Pass, "discrete": theorems.Fail}, Finding: FindingThm6Constant,
			Why: "The corrected constant eta (L0 + L1) B6/(2N) covers the Ito term for every eta_t: the SDE passes; the discrete method does not (h L0/2 > 1 - eps on every step).",
		},
	}
}

// mergeSteps returns the sorted union of at and about n log-spaced steps in
// [1, steps].
func mergeSteps(at []int, steps, n int) []int {
	set := map[int]bool{}
	for _, a := range at {
		set[a] = true
	}
	for i := 1; i <= n; i++ {
		set[int(math.Round(math.Pow(float64(steps), float64(i)/float64(n))))] = true
	}
	var out []int
	for k := 1; k <= steps; k++ {
		if set[k] {
			out = append(out, k)
		}
	}
	return out
}

// thm6Counterexample is the configuration rapid shrank from
// TestTheorem/thm6-printed-pathwise (saved in
// properties/testdata/counterexamples), with its schedule: Thm 6's pathwise
// admissible schedule at margin 1.
func thm6Counterexample() mc.Config {
	qsgd := func() *model.CompressorSpec { return &model.CompressorSpec{Kind: "qsgd", S: 8} }
	return mc.Config{
		Objective: objective.Spec{Kind: "quadratic", Matrix: [][]float64{{8.220098658550118}}}, X0: []float64{-0.27272949218750003},
		Agents: []model.AgentSpec{gauss(3, 0, qsgd()), gauss(0.01, 0.010025034163852017, qsgd())},
		Method: "dcsgd", Model: model.ModelSpec{Kind: "discrete"}, Eta: 0.01,
		Schedule: model.ScheduleSpec{Kind: "normalized", Num: 200, A: 0.12885856102751053, Reading: "pathwise"},
		Steps:    21, Paths: 200, Seed: 0, Checkpoints: mc.CheckpointSpec{At: []int{2, 10, 21}},
	}
}
