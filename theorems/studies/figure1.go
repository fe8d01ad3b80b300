package studies

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/theorems"
)

// Figure 1 (App. B, docs/math.md section 4). The paper omits N, x0, the horizon,
// eps and (L0, L1); the defaults here are docs/math.md's: N = 1, eps = 0.5,
// L0 = L1 = 3 (a valid pair for x^4/4, whose tight pair at L0 = 3 is
// (3, 2/sqrt 3)), and the Eq. 1 / Eq. 3 schedules set eta_t to the
// right-hand side of Eq. 1 / Eq. 3 itself, with G_t the ensemble mean,
// uncapped.

// Scale is the size of a Figure 1 run.
type Scale struct {
	Name                               string
	LeftPaths, CentrePaths, RightPaths int
	CentreDim                          int
}

// PaperScale is App. B's size: 1000, 1000 and 10000 paths, d = 1000.
var PaperScale = Scale{Name: "paper", LeftPaths: 1000, CentrePaths: 1000, RightPaths: 10000, CentreDim: 1000}

// SmallScale keeps every horizon and dimension of the paper and cuts the
// paths (200, 40, 1000), for go test.
var SmallScale = Scale{Name: "small", LeftPaths: 200, CentrePaths: 40, RightPaths: 1000, CentreDim: 1000}

// Series is one curve of a panel: its configuration and results.
type Series struct {
	Label    string     `json:"label"`
	Value    float64    `json:"value"` // sigma or omega
	Config   mc.Config  `json:"config"`
	Discrete *mc.Result `json:"discrete"`
	SDE      *mc.Result `json:"sde,omitempty"`
	// SDETails classifies the SDE's tails (d = 1 only; see exact.Classify):
	// which moments of X_t are finite, and whether it can explode.
	SDETails *exact.Tails `json:"sde_tails,omitempty"`
	// Exact holds the exact laws of the discrete method and the SDE
	// (Figure1Exact; nil for the panels it does not cover).
	Exact *ExactSeries `json:"exact,omitempty"`
	// DiscreteTime is the discrete run's wall time (for benchmarks; not a
	// result, so not in the JSON).
	DiscreteTime time.Duration `json:"-"`
}

// Panel is one of Figure 1's six panels.
type Panel struct {
	ID        string   `json:"id"` // left-top, left-bottom, centre-top, ...
	Title     string   `json:"title"`
	Scheduled bool     `json:"scheduled"`
	Series    []Series `json:"series"`
}

// Claim is one of Figure 1's statements, decided on one target.
type Claim struct {
	Panel     string           `json:"panel"`
	Statement string           `json:"statement"`
	Kind      string           `json:"kind"` // diverges, converges, plateau-grows, converges-below
	Target    string           `json:"target"`
	Outcome   theorems.Outcome `json:"outcome"` // PASS: the claim holds; FAIL: the data contradict it
	Evidence  string           `json:"evidence"`
	Alpha     float64          `json:"alpha"`
	// Finding is the documented finding a FAIL reproduces ("" for none: an
	// undocumented FAIL is a new result).
	Finding string `json:"finding,omitempty"`
}

// Figure1Result holds the six panels and the claims.
type Figure1Result struct {
	Scale  string  `json:"scale"`
	Seed   uint64  `json:"seed"`
	Panels []Panel `json:"panels"`
	Claims []Claim `json:"claims"`
	// Exact compares the Monte Carlo runs of the panels with exact laws
	// against them (ExactChecks at the claims' alpha, its own family).
	Exact []ExactCheck `json:"exact,omitempty"`
}

// Figure1Options configures a run; the zero value runs the discrete methods
// and their SDEs with a family-wise false-FAIL probability of 1e-3 over
// all claims.
type Figure1Options struct {
	Seed    uint64
	Workers int
	NoSDE   bool
	// NoExact skips the exact laws of the one-dimensional panels
	// (Figure1Exact: the top row's); ExactForward adds the bottom row's
	// (forward in time, a few seconds more on 2 cores; the command line's
	// default).
	NoExact      bool
	ExactForward bool
	Alpha        float64
}

// quartic is sum_j x_j^4/4 in dimension d with docs/math.md's certificate
// (L0, L1) = (3, 3).
func quartic(d int) objective.Spec {
	return objective.Spec{Kind: "separable", Dim: d, Atom: &model.AtomSpec{Kind: "quartic"}, Certificate: &model.Certificate{L0: 3, L1: 3}}
}

// gauss is one agent with Gaussian noise of variance
// sigma0^2 + sigma1^2 ||grad f||^2, compressed by cmp when set.
func gauss(sigma0, sigma1 float64, cmp *model.CompressorSpec) model.AgentSpec {
	return model.AgentSpec{Noise: model.NoiseSpec{Kind: "gaussian", Sigma0: sigma0, Sigma1: sigma1}, Compressor: cmp}
}

// studentT is one agent with Student-t noise of nu degrees of freedom and
// scale s (Cauchy for nu = 1).
func studentT(nu, s float64) model.AgentSpec {
	return model.AgentSpec{Noise: model.NoiseSpec{Kind: "student-t", Nu: nu, Scale: []float64{s}}}
}

// figConfig is one curve of Figure 1: the discrete method on obj from x0
// (every coordinate) with one agent, eta under a constant schedule, 60
// log-spaced checkpoints; validated (mc.Config.Validate).
func figConfig(obj objective.Spec, x0 float64, agent model.AgentSpec, method string, eta float64, steps, paths int, seed uint64) (mc.Config, error) {
	c := mc.Config{Objective: obj, X0: []float64{x0}, Agents: []model.AgentSpec{agent}, Method: method,
		Model: model.ModelSpec{Kind: "discrete"}, Eta: eta, Schedule: model.ScheduleSpec{Kind: "constant"},
		Steps: steps, Paths: paths, Seed: seed, Checkpoints: mc.CheckpointSpec{Count: 60}}
	if err := c.Validate(); err != nil {
		return mc.Config{}, fmt.Errorf("figure 1 configuration: %w", err)
	}
	return c, nil
}

// Figure1Panels returns the six panels' configurations at the given scale.
func Figure1Panels(sc Scale, seed uint64) ([]Panel, error) {
	var panels []Panel
	// Left: DSGD on x^4/4, noise variance sigma^2 |f'|^2, eta = 0.01, x0 = 3.
	for _, sched := range []bool{false, true} {
		p := Panel{ID: "left-top", Title: "DSGD, no schedule", Scheduled: sched}
		if sched {
			p.ID, p.Title = "left-bottom", "DSGD, Eq. 1 schedule"
		}
		for _, s := range []float64{0.1, 1, 3} {
			c, err := figConfig(quartic(1), 3, gauss(0, s, nil), "dsgd", 0.01, 5000, sc.LeftPaths, seed)
			if err != nil {
				return nil, err
			}
			if sched {
				sch, err := theorems.AdmissibleSchedule(theorems.Thm4(), c, theorems.Options{}, c.Eta, nil)
				if err != nil {
					return nil, err
				}
				c.Schedule = sch
			}
			p.Series = append(p.Series, Series{Label: fmt.Sprintf("sigma=%g", s), Value: s, Config: c})
		}
		panels = append(panels, p)
	}
	// Centre: DCSGD on sum x_j^4/4, d = 1000, sigma = 0.1, eta = 0.1, rand-k
	// with k = round(d/(1+omega)), x0_j = 0.5, 2000 steps. The bottom row uses
	// Eq. 3 (Thm 5, bounded variance) with sigma^2 = 0.01 plugged in,
	// although the noise is affine (Thm 6's class): the figure as printed.
	for _, sched := range []bool{false, true} {
		p := Panel{ID: "centre-top", Title: "DCSGD (rand-k), no schedule", Scheduled: sched}
		if sched {
			p.ID, p.Title = "centre-bottom", "DCSGD (rand-k), Eq. 3 schedule"
		}
		for _, om := range []float64{1, 2, 4} {
			c, err := figConfig(quartic(sc.CentreDim), 0.5, gauss(0, 0.1, &model.CompressorSpec{Kind: "randk", Omega: om}), "dcsgd", 0.1, 2000, sc.CentrePaths, seed)
			if err != nil {
				return nil, err
			}
			if sched {
				run, err := c.Resolve()
				if err != nil {
					return nil, err
				}
				d := float64(sc.CentreDim)
				w := run.System.Agents[0].Compressor.(interface{ Omega(int) float64 }).Omega(sc.CentreDim)
				const s2, l0, l1, eps, n = 0.01, 3.0, 3.0, 0.5, 1.0
				// Eq. 3: eta_t = 2 N eps / (w L0 + d (s2 + s2 w) L1 + w L1 G_t).
				c.Schedule = model.ScheduleSpec{Kind: "normalized", Num: 2 * n * eps, A: w*l0 + d*(s2+s2*w)*l1, B: w * l1, Reading: "ensemble"}
			}
			p.Series = append(p.Series, Series{Label: fmt.Sprintf("omega=%g", om), Value: om, Config: c})
		}
		panels = append(panels, p)
	}
	// Right: DSignSGD on x^4/4, Cauchy noise of scale sigma, eta = 0.1,
	// x0 = 2, 5000 steps; bottom: eta_k = 1/sqrt(k+1).
	for _, sched := range []bool{false, true} {
		p := Panel{ID: "right-top", Title: "DSignSGD (Cauchy), constant step", Scheduled: sched}
		if sched {
			p.ID, p.Title = "right-bottom", "DSignSGD (Cauchy), 1/sqrt(k+1)"
		}
		for _, s := range []float64{0.25, 0.5, 1, 2, 8, 16} {
			c, err := figConfig(quartic(1), 2, studentT(1, s), "dsignsgd", 0.1, 5000, sc.RightPaths, seed)
			if err != nil {
				return nil, err
			}
			if sched {
				c.Schedule = model.ScheduleSpec{Kind: "inv-sqrt"}
			}
			p.Series = append(p.Series, Series{Label: fmt.Sprintf("sigma=%g", s), Value: s, Config: c})
		}
		panels = append(panels, p)
	}
	return panels, nil
}

// figureSDE is the SDE used for Figure 1's overlays: Euler-Maruyama with one
// substep refined adaptively (stiffness 0.1, at most 1000 substeps).
var figureSDE = model.ModelSpec{Kind: "sde", Scheme: "em", Substeps: 1, Stiffness: 0.1, MaxSubsteps: 1000}

// Figure1 runs the six panels and decides the claims.
func Figure1(sc Scale, o Figure1Options) (*Figure1Result, error) {
	if o.Alpha == 0 {
		o.Alpha = 1e-3
	}
	panels, err := Figure1Panels(sc, o.Seed)
	if err != nil {
		return nil, err
	}
	for pi := range panels {
		for si := range panels[pi].Series {
			s := &panels[pi].Series[si]
			cfg := s.Config
			run, err := cfg.Resolve()
			if err != nil {
				return nil, err
			}
			run.Workers = o.Workers
			t0 := time.Now()
			if s.Discrete, err = mc.Simulate(run); err != nil {
				return nil, err
			}
			s.DiscreteTime = time.Since(t0)
			if o.NoSDE {
				continue
			}
			if err := theorems.SDERun(&run, figureSDE); err != nil {
				return nil, err
			}
			// Refined twins estimate the integrator's bias of E f(X_T)
			// (mc.Run.Coupled) where a number rests on it: the bottom row's
			// claims, and every series that ExactChecks compares with its
			// exact law (the one-dimensional panels'). The run's own
			// statistics, and so the claims, are the same to the bit.
			run.Coupled = strings.HasSuffix(panels[pi].ID, "-bottom") || isExactPanel(panels[pi].ID)
			run.CoupledPaths = max(10, run.Paths/8) // an eighth of the paths: 1.25x the cost, not 3x
			if s.SDE, err = mc.Simulate(run); err != nil {
				return nil, err
			}
			if run.System.F.Dim() == 1 && run.Schedule.Reads() != model.ReadsPath {
				tl, err := exact.Classify(run.System, run.Eta, nil)
				if err != nil {
					return nil, err
				}
				s.SDETails = &tl
			}
		}
	}
	if !o.NoExact {
		if err := Figure1Exact(panels, o.Workers, o.ExactForward); err != nil {
			return nil, err
		}
	}
	res := &Figure1Result{Scale: sc.Name, Seed: o.Seed, Panels: panels}
	targets := []string{"discrete"}
	if !o.NoSDE {
		targets = append(targets, "sde")
	}
	// Claims: left-top 1, left-bottom 3, centre-top 1, centre-bottom 3,
	// right-top 1 (5 pairs + 6 plateaus), right-bottom 6: decisions are
	// split evenly (Bonferroni) over 15 claims per target.
	alpha := o.Alpha / float64(15*len(targets))
	for _, t := range targets {
		pick := func(s Series) *mc.Result {
			if t == "sde" {
				return s.SDE
			}
			return s.Discrete
		}
		for _, p := range panels {
			switch p.ID {
			case "left-top":
				res.Claims = append(res.Claims, divergesClaim(p, p.Series[2], pick, t, alpha, "without a schedule, sigma = 3 diverges (a few percent of paths overflow)"))
			case "centre-top":
				res.Claims = append(res.Claims, divergesClaim(p, p.Series[2], pick, t, alpha, "without a schedule, the largest omega (4) diverges"))
			case "left-bottom", "centre-bottom":
				for _, s := range p.Series {
					res.Claims = append(res.Claims, convergesClaim(p, s, pick, t, alpha, fmt.Sprintf("with the schedule, %s converges", s.Label)))
				}
			case "right-top":
				res.Claims = append(res.Claims, plateauClaim(p, pick, t, alpha))
			case "right-bottom":
				top := panels[len(panels)-2]
				for i, s := range p.Series {
					c := convergesClaim(p, s, pick, t, alpha, fmt.Sprintf("with eta_k = 1/sqrt(k+1), %s converges below the constant step's plateau", s.Label))
					c.Kind = "converges-below"
					if c.Outcome == theorems.Pass {
						a, b := final(pick(s)), final(pick(top.Series[i]))
						z := (b.F.Mean - a.F.Mean) / math.Hypot(a.F.SE, b.F.SE)
						c.Evidence += fmt.Sprintf("; constant-step level %.4g (se %.2g), z = %.1f", b.F.Mean, b.F.SE, z)
						if !(z > mc.ZCrit(2*alpha)) {
							c.Outcome = theorems.Inconclusive
							if z < -mc.ZCrit(2*alpha) {
								c.Outcome = theorems.Fail
							}
						}
					}
					res.Claims = append(res.Claims, c)
				}
			}
		}
	}
	res.Exact = ExactChecks(res, o.Alpha)
	return res, nil
}

func final(r *mc.Result) mc.Checkpoint { return r.Checkpoints[len(r.Checkpoints)-1] }

// divergesClaim: PASS when the Clopper-Pearson interval of the diverged
// fraction excludes 0, FAIL when its upper limit is below 1% (the paper's
// "a few percent"), INCONCLUSIVE otherwise. On the SDE the claim is decided
// analytically where the mathematics allows: PASS when the SDE provably
// explodes (exact.RadialExplosion), FAIL when it provably stays below the
// threshold (exact.EscapeBound); otherwise paths that hit the integrator's
// substep floor make the claim INCONCLUSIVE.
func divergesClaim(p Panel, s Series, pick func(Series) *mc.Result, target string, alpha float64, stmt string) Claim {
	r := pick(s)
	n := s.Config.Paths
	lo, hi := mc.ClopperPearson(r.Diverged, n, alpha)
	c := Claim{Panel: p.ID, Statement: stmt, Kind: "diverges", Target: target, Alpha: alpha,
		Evidence: fmt.Sprintf("%s: %d of %d paths diverged (%s, interval [%s, %s])", s.Label, r.Diverged, n, percent(float64(r.Diverged)/float64(n)), percent(lo), percent(hi))}
	if s.Exact != nil {
		cv, what := s.Exact.Discrete, "a path leaves [-%g, %g] (and diverges)"
		if target == "sde" {
			cv, what = s.Exact.SDE, "the SDE leaves [-%g, %g]"
		}
		e := cv.EscapeAt()
		c.Evidence += fmt.Sprintf("; exact engine: the probability that "+what+" by the horizon is %.4g%% (numerical error %.2g%%)", s.Exact.Radius, s.Exact.Radius, 100*e.Value, 100*e.Err)
	}
	if target == "sde" {
		if why, ok := explodes(s); ok {
			c.Outcome = theorems.Pass
			c.Evidence += "; decided analytically: " + why
			if r.Substeps != nil && r.Substeps.CappedPaths > 0 {
				c.Evidence += fmt.Sprintf(" (the %d paths at the integrator's substep floor were on their way to the explosion)", r.Substeps.CappedPaths)
			}
			if p.ID == "centre-top" {
				c.Evidence += centreTopCaveat
			}
			return c
		}
		if bound, why, ok := escapeBound(s); ok && bound < 0.01 {
			c.Outcome, c.Finding = theorems.Fail, FindingFig1SDEDivergence.ID
			c.Evidence += "; decided analytically: " + why
			if r.Substeps != nil && r.Substeps.CappedPaths > 0 {
				c.Evidence += fmt.Sprintf(" (the %d paths at the integrator's substep floor were numerical trouble, not divergence)", r.Substeps.CappedPaths)
			}
			return c
		}
	}
	switch {
	case r.Substeps != nil && r.Substeps.CappedPaths > 0:
		c.Outcome = theorems.Inconclusive
		c.Evidence += fmt.Sprintf("; the SDE integrator hit its substep floor on %d paths (unresolved)", r.Substeps.CappedPaths)
	case lo > 0:
		c.Outcome = theorems.Pass
	case hi < 0.01:
		c.Outcome = theorems.Fail
	default:
		c.Outcome = theorems.Inconclusive
	}
	return c
}

// convergesClaim: PASS when no path diverged and E[f(x_T) - f*] fell
// significantly below f(x0) - f* (upper one-sided confidence limit of the
// ratio below 1); FAIL when a path diverged or the lower limit is at or
// above 1; INCONCLUSIVE otherwise.
func convergesClaim(p Panel, s Series, pick func(Series) *mc.Result, target string, alpha float64, stmt string) Claim {
	r := pick(s)
	f0 := r.Checkpoints[0].F.Mean
	last := final(r)
	z := mc.ZCrit(2 * alpha)
	ratio, se := last.F.Mean/f0, last.F.SE/f0
	c := Claim{Panel: p.ID, Statement: stmt, Kind: "converges", Target: target, Alpha: alpha,
		Evidence: fmt.Sprintf("%s: E[f(x_T) - f*] = %.4g (se %.2g) from %.4g, ratio %.3g; %d of %d paths diverged", s.Label, last.F.Mean, last.F.SE, f0, ratio, r.Diverged, s.Config.Paths)}
	switch {
	case r.Substeps != nil && r.Substeps.CappedPaths > 0:
		c.Outcome = theorems.Inconclusive
		c.Evidence += fmt.Sprintf("; the SDE integrator hit its substep floor on %d paths (unresolved)", r.Substeps.CappedPaths)
	case r.Diverged > 0 || ratio-z*se >= 1:
		c.Outcome = theorems.Fail
	case ratio+z*se < 1:
		c.Outcome = theorems.Pass
	default:
		c.Outcome = theorems.Inconclusive
	}
	if target == "sde" && r.Diverged == 0 {
		finite(&c, s)
		integratorError(&c, last, f0, z)
	}
	return c
}

// integratorError adds the SDE's estimated integrator bias of E f(X_T)
// (Coupled.Bias, from the refined twins) to a converges claim, and turns a
// PASS that a bias of that bound (|b| + 2 se) could reverse into
// INCONCLUSIVE.
func integratorError(c *Claim, last mc.Checkpoint, f0, z float64) {
	if last.Coupled == nil {
		return
	}
	b := last.Coupled.Bias().F
	bound := math.Abs(b.Mean) + 2*b.SE
	c.Evidence += fmt.Sprintf("; integrator bias %.2g (se %.1g)", b.Mean, b.SE)
	if c.Outcome == theorems.Pass && (last.F.Mean+bound)/f0+z*last.F.SE/f0 >= 1 {
		c.Outcome = theorems.Inconclusive
		c.Evidence += ": the claim does not survive a bias of that size"
	}
}

// finite applies the SDE's moment classification to a claim decided on the
// normal interval of E f(X_T): an infinite E f makes a "converges" claim
// FAIL; a variance of f(X_T) that is not established finite leaves no basis
// for the interval (INCONCLUSIVE). In d > 1 finiteness is not yet decided
// and the claim is left as the interval says (docs/math.md section 8).
func finite(c *Claim, s Series) {
	if s.SDETails == nil {
		return
	}
	run, err := s.Config.Resolve()
	if err != nil {
		return
	}
	f := func(x float64) float64 { return run.System.F.Value([]float64{x}) - run.System.F.Inf() }
	st, why := s.SDETails.Moment(f)
	switch st {
	case exact.Infinite:
		c.Outcome, c.Evidence = theorems.Fail, c.Evidence+"; E f(X_T) is infinite (analytical): "+why
		return
	case exact.Unknown:
		c.Outcome, c.Evidence = theorems.Worse(c.Outcome, theorems.Inconclusive), c.Evidence+"; finiteness of E f(X_T) not established: "+why
		return
	}
	st, why = s.SDETails.Moment(func(x float64) float64 { v := f(x); return v * v })
	if st != exact.Finite {
		if c.Outcome != theorems.Inconclusive {
			c.Evidence += fmt.Sprintf("; the interval says %s, but", c.Outcome)
		}
		c.Outcome = theorems.Inconclusive
		c.Evidence += " E f(X_T) is finite while its variance is " + map[bool]string{true: "infinite", false: "not established"}[st == exact.Infinite] + " (" + why + "): the normal interval has no basis"
		return
	}
	c.Evidence += "; E f(X_T) and its variance are finite (" + s.SDETails.Plus.Kind + " boundaries)"
}

// escapeBound bounds the probability that a path of the series' SDE
// reaches the divergence threshold within the horizon (exact.EscapeBound);
// ok is false when the series is not one-dimensional with a constant
// schedule or no certificate applies.
func escapeBound(s Series) (float64, string, bool) {
	run, err := s.Config.Resolve()
	if err != nil || run.System.F.Dim() != 1 {
		return 1, "", false
	}
	cs, ok := run.Schedule.(model.ConstantRater)
	if !ok {
		return 1, "", false
	}
	thresh := run.DivergeAt
	if thresh == 0 {
		thresh = mc.DefaultDivergeAt
	}
	b, why, err := exact.EscapeBound(run.System, run.Eta, cs.ConstantRate(), run.X0[0], float64(run.Steps)*run.Eta, thresh)
	if err != nil || b >= 1 {
		return 1, why, false
	}
	return b, why, true
}

// centreTopCaveat says what the explosion certificate of the centre
// panel's SDE does and does not show (issue 27; docs/math.md section 9):
// the certificate is driven by d sigma1^2, not by omega, and rests on the
// per-coordinate reading of Definition 2; stability.CentreTopExplosion
// (`sdeverify report -stability paper`) turns it into a probability per
// omega and reading.
const centreTopCaveat = "; what this shows: the certificate holds as well for omega = 1 and 2 and for uncompressed DSGD at this d (it is driven by d sigma1^2, not by omega) and rests on the per-coordinate reading of Definition 2's variance, so by itself it is no evidence that compression is what destabilises the SDE; " +
	"quantified by report -stability paper (docs/math.md section 9, 200 paths, Clopper-Pearson at 1e-3): P(explosion by T) per-coordinate omega = 4 in [0.87, 1], omega = 2 in [0.67, 0.92], omega = 1 and DSGD at most 3.7%; with sigma1^2 ||grad f||^2 as the total variance at most 3.7% for every omega, which gives the claim no support"

// explodes reports whether the series' SDE provably explodes before its
// horizon with positive probability (exact.RadialExplosion), and why.
func explodes(s Series) (string, bool) {
	run, err := s.Config.Resolve()
	if err != nil {
		return "", false
	}
	cs, ok := run.Schedule.(model.ConstantRater)
	if !ok {
		return "", false
	}
	ex, ok := exact.RadialExplosion(run.System, run.Eta, cs.ConstantRate(), run.X0, float64(run.Steps)*run.Eta)
	return ex.Why, ok
}

// plateauClaim: with a constant step, E f settles (its values at T/2 and T
// differ by less than 25% of the level or not significantly) at a level
// that grows with sigma (each consecutive pair significantly increasing).
func plateauClaim(p Panel, pick func(Series) *mc.Result, target string, alpha float64) Claim {
	z := mc.ZCrit(2 * alpha)
	c := Claim{Panel: p.ID, Statement: "a constant step plateaus at a level that grows with sigma", Kind: "plateau-grows", Target: target, Alpha: alpha, Outcome: theorems.Pass}
	var ev string
	var prev *mc.Checkpoint
	for i, s := range p.Series {
		r := pick(s)
		last := final(r)
		mid := r.Checkpoints[0]
		for _, cp := range r.Checkpoints {
			if cp.Step <= s.Config.Steps/2 {
				mid = cp
			}
		}
		ev += fmt.Sprintf("%s: level %.4g (se %.2g); ", s.Label, last.F.Mean, last.F.SE)
		d := math.Abs(last.F.Mean - mid.F.Mean)
		if d > 0.25*last.F.Mean && d > z*math.Hypot(last.F.SE, mid.F.SE) {
			c.Outcome = theorems.Worse(c.Outcome, theorems.Inconclusive)
			ev += fmt.Sprintf("(not settled: %.4g at T/2) ", mid.F.Mean)
		}
		if i > 0 {
			zz := (last.F.Mean - prev.F.Mean) / math.Hypot(last.F.SE, prev.F.SE)
			switch {
			case zz < -z:
				c.Outcome = theorems.Fail
			case zz <= z:
				c.Outcome = theorems.Worse(c.Outcome, theorems.Inconclusive)
			}
		}
		prev = &last
	}
	c.Evidence = ev
	return c
}

// percent formats a proportion as a percentage with two significant digits,
// without an exponent (100%, 76%, 0.26%).
func percent(p float64) string {
	v := 100 * p
	switch {
	case v == 0 || v >= 10:
		return fmt.Sprintf("%.0f%%", v)
	case v >= 1:
		return fmt.Sprintf("%.1f%%", v)
	}
	return fmt.Sprintf("%.2g%%", v)
}
