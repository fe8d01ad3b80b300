package theorems

import (
	"fmt"
	"math"
	"slices"

	"github.com/sdeverify/sdeverify/internal/format"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/schedule"
)

// Options set how a theorem is checked. The zero value means: eps 0.5,
// ell_nu = 2 Xi_nu(1), the ensemble reading, a family-wise false-FAIL
// probability of 1e-3 for the whole check, no path extension, the SDE by
// Euler-Maruyama with 4 substeps and stiffness 0.1 (at most 4000 substeps per
// step) with a refinement check, both targets.
type Options struct {
	Eps      float64 // Thms 4-6: eps in (0,1); 0 means 0.5
	Ell      float64 // Thm 7: ell_nu; 0 means 2 Xi_nu(1)
	Reading  Reading // admissibility reading: Ensemble (default) or Pathwise
	Alpha    float64 // family-wise probability of a false FAIL in this check; 0 means 1e-3
	MaxPaths int     // INCONCLUSIVE verdicts double the paths up to this many (0: never)
	SDE      *model.ModelSpec
	NoRefine bool // skip the SDE refinement (resolution) check
	// SDEEngine decides the SDE target: "" (in d = 1 its law wherever
	// the exact engine applies, Monte Carlo where the law's numerical
	// error leaves a verdict INCONCLUSIVE; elsewhere Monte Carlo),
	// mc.EngineExact (the law alone where it applies) or mc.EngineMonteCarlo
	// (never the law). See checker.exactSDE.
	SDEEngine mc.Engine
	Targets   []string // "sde", "discrete"; nil means both
	Workers   int
	Replay    string // the command that replays this check, recorded in the report
	// Horizons are the steps where verdicts are decided (nil: every
	// checkpoint after 0); the other checkpoints get undecided verdicts
	// (empty Outcome) that only draw the left-hand side over time.
	Horizons []int
}

// FanQuantiles are the quantiles of f - f* every check records, for plots.
var FanQuantiles = []float64{0.05, 0.25, 0.5, 0.75, 0.95}

func (o Options) withDefaults() Options {
	if o.Eps == 0 {
		o.Eps = 0.5
	}
	if o.Reading == "" {
		o.Reading = Ensemble
	}
	if o.Alpha == 0 {
		o.Alpha = 1e-3
	}
	if o.SDE == nil {
		o.SDE = &model.ModelSpec{Kind: "sde", Scheme: "em", Substeps: 4, Stiffness: 0.1, MaxSubsteps: 4000}
	}
	if o.Targets == nil {
		o.Targets = []string{"sde", "discrete"}
	}
	return o
}

// Resolution records the SDE integrator's check. Every path has a refined
// twin on the same Brownian path, each substep halved (mc.Run.Coupled). For
// a first-order scheme Y_coarse ~ Y + b and Y_fine ~ Y + b/2, so the SDE's
// decision uses the Richardson extrapolation 2 Y_fine - Y_coarse, path by
// path, free of the first-order bias; its standard error is that of the
// per-path extrapolations, close to a single level's because the twins are
// coupled. Each SDE verdict reports b (Verdict.IntegrationBias), and a
// PASS or FAIL must hold with the extrapolation moved by the refined
// level's bias bound |b/2| + 2 se either way (otherwise INCONCLUSIVE). A
// run whose paths hit the substep floor is unresolved and gives no verdict.
type Resolution struct {
	Substeps       mc.Substeps `json:"substeps"`
	Refined        bool        `json:"refined"`
	RefineSubsteps int         `json:"refine_substeps,omitempty"`
	// The largest |z| of the paired coarse-fine difference over the
	// horizons: how visible the integrator's own error is (for
	// information; coupling makes it visible at a small bias).
	MaxZ     float64 `json:"max_coarse_fine_z,omitempty"`
	Resolved bool    `json:"resolved"`
	Reason   string  `json:"reason,omitempty"`
	coupled  bool
}

// Report is the result of checking one theorem on one configuration.
type Report struct {
	Theorem    string       `json:"theorem"`
	Name       string       `json:"name"`
	Ref        string       `json:"ref"`
	Reading    Reading      `json:"reading"`
	Config     mc.Config    `json:"config"`
	Constants  Constants    `json:"constants"`
	Hypotheses []Hypothesis `json:"hypotheses"`
	Verdicts   []Verdict    `json:"verdicts"`
	Resolution *Resolution  `json:"resolution,omitempty"`
	// Finiteness of the SDE's left-hand side and of its variance (d = 1;
	// see MomentFiniteness).
	Finiteness *MomentFiniteness `json:"finiteness,omitempty"`
	// ExactSDE: the SDE target was decided from its law (d = 1).
	ExactSDE *ExactSDE `json:"exact_sde,omitempty"`
	// ExactUndecided says why Monte Carlo decided an SDE target whose law
	// the exact engine computed.
	ExactUndecided string  `json:"exact_undecided,omitempty"`
	Outcome        Outcome `json:"outcome"` // the worst verdict: FAIL > INCONCLUSIVE > PASS > VACUOUS
	Replay         string  `json:"replay"`
	Delta          float64 `json:"delta"` // f(X0) - f*
}

// Outcome of target ("sde" or "discrete"), the worst over its horizons.
func (r *Report) TargetOutcome(target string) Outcome {
	var o Outcome
	for _, v := range r.Verdicts {
		if v.Target == target {
			o = Worse(o, v.Outcome)
		}
	}
	return o
}

// AdmissibleSchedule returns a schedule for cfg under th in the given
// reading with eta eta_t = margin * Num/(A + B G_t) times an optional clock
// decay (nil: none). Figure 1 sets eta_t to the threshold itself, which is
// margin = eta. Where the threshold is infinite (no noise, or L1 = 0 for
// Thm 7) the schedule is the decay alone (or constant 1).
func AdmissibleSchedule(th Theorem, cfg mc.Config, o Options, margin float64, decay *model.ScheduleSpec) (model.ScheduleSpec, error) {
	o = o.withDefaults()
	c := cfg
	run, err := c.Resolve()
	if err != nil {
		return model.ScheduleSpec{}, err
	}
	k, h := th.class(inputs(run, o))
	if !h.Held {
		return model.ScheduleSpec{}, fmt.Errorf("%s: %s", th.ID, h.Detail)
	}
	if k.A == 0 && k.B == 0 {
		if decay != nil {
			return *decay, nil
		}
		return model.ScheduleSpec{Kind: "constant"}, nil
	}
	return model.ScheduleSpec{Kind: "normalized", Num: margin * k.Num / run.Eta, A: k.A, B: k.B, Reading: string(o.Reading), Decay: decay}, nil
}

func inputs(run mc.Run, o Options) Inputs {
	return Inputs{System: run.System, Cert: run.System.F.Certificate(), Eta: run.Eta, Eps: o.Eps, Ell: o.Ell}
}

// Check checks theorem th on the configuration cfg (whose schedule is used
// as given) and returns its report. The targets ignore cfg.Model: "discrete"
// is the discrete method and "sde" the SDE integrated as opt.SDE says, so an
// sde configuration and its discrete twin give the same verdicts.
func Check(th Theorem, cfg mc.Config, opt Options) (*Report, error) {
	o := opt.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	run, err := cfg.Resolve()
	if err != nil {
		return nil, err
	}
	rep := &Report{Theorem: th.ID, Name: th.Name, Ref: th.Ref, Reading: o.Reading, Config: cfg, Replay: o.Replay}
	fx0, fstar := run.System.F.Value(run.X0), run.System.F.Inf()
	rep.Delta = fx0 - fstar
	k, ok := hypotheses(th, run, o, rep)
	if !ok {
		rep.vacuous(o.Targets, run)
		return rep, nil
	}
	c := checker{th: th, k: k, o: o, delta: rep.Delta, firstBad: -1,
		// Rounding of f(X0) - f* is relative to |f(X0)| + |f*| (cosh near
		// its minimiser: cosh(x0) - 1 cancels to 0 while int sinh^2 is ~1e-30).
		fscale: math.Abs(fx0) + math.Abs(fstar), decided: map[int]bool{}}
	for _, cp := range run.Checkpoints {
		if cp > 0 && (o.Horizons == nil || slices.Contains(o.Horizons, cp)) {
			c.decided[cp] = true
		}
	}
	looks := 1
	for p := run.Paths; p < o.MaxPaths; p *= 2 {
		looks++
	}
	c.alpha = o.Alpha / float64(len(o.Targets)*max(1, len(c.decided))*looks)
	// Admissibility is a property of each target's own paths (and, for
	// the SDE, of every substep: a rate read at a step's start is held
	// over the step).
	for _, target := range o.Targets {
		c.firstBad = -1
		vs, err := c.target(target, run, rep)
		if err != nil {
			return nil, err
		}
		rep.Verdicts = append(rep.Verdicts, vs...)
		name := "admissible schedule (" + target + ")"
		if c.firstBad >= 0 {
			rep.Hypotheses = append(rep.Hypotheses, failed(name, "eta eta_t exceeded the %s bound first at step %d (verdicts after it are VACUOUS)", o.Reading, c.firstBad))
		} else {
			where := "every step of every path"
			if target == "sde" {
				where = "every substep of every path"
				if rep.ExactSDE != nil {
					where = "every step of the SDE's law (exact engine)"
				}
			}
			rep.Hypotheses = append(rep.Hypotheses, held(name, "eta eta_t within the %s bound at %s", o.Reading, where))
		}
	}
	for _, v := range rep.Verdicts {
		rep.Outcome = Worse(rep.Outcome, v.Outcome)
	}
	return rep, nil
}

func (o Options) validate() error {
	if o.SDEEngine != "" && o.SDEEngine != mc.EngineExact && o.SDEEngine != mc.EngineMonteCarlo {
		return fmt.Errorf("sde engine = %q: must be empty, %s or %s", o.SDEEngine, mc.EngineExact, mc.EngineMonteCarlo)
	}
	if err := o.Reading.Validate(); err != nil {
		return err
	}
	if !(o.Eps > 0 && o.Eps < 1) {
		return fmt.Errorf("eps = %v: must be in (0, 1)", o.Eps)
	}
	if !(o.Alpha > 0 && o.Alpha < 1) {
		return fmt.Errorf("alpha = %v: must be in (0, 1)", o.Alpha)
	}
	for _, t := range o.Targets {
		if t != "sde" && t != "discrete" {
			return fmt.Errorf("target = %q: must be sde or discrete", t)
		}
	}
	return nil
}

// hypotheses records the hypotheses that can be decided before simulating
// (method, certificate, noise class, Robbins-Monro, eps) and returns the
// theorem's constants, or false when one failed.
func hypotheses(th Theorem, run mc.Run, o Options, rep *Report) (Constants, bool) {
	if run.System.Method != th.Method {
		rep.Hypotheses = append(rep.Hypotheses, failed("method", "the configuration runs %s; %s is about %s", run.System.Method, th.ID, th.Method))
		return Constants{}, false
	}
	rep.Hypotheses = append(rep.Hypotheses, held("method", "%s", th.Method))
	cert := run.System.F.Certificate()
	rep.Hypotheses = append(rep.Hypotheses, held("(L0,L1)-smooth", "certified (L0, L1) = (%s, %s)", format.Num(cert.L0), format.Num(cert.L1)))
	k, ch := th.class(inputs(run, o))
	rep.Constants = k
	rep.Hypotheses = append(rep.Hypotheses, ch)
	if !ch.Held {
		return k, false
	}
	if th.RobbinsMonro {
		if !run.Schedule.RobbinsMonro() {
			rep.Hypotheses = append(rep.Hypotheses, failed("Robbins-Monro", "the schedule is not Robbins-Monro"))
			return k, false
		}
		rep.Hypotheses = append(rep.Hypotheses, held("Robbins-Monro", "the schedule satisfies phi1 -> inf, phi2/phi1 -> 0"))
	} else {
		rep.Hypotheses = append(rep.Hypotheses, held("eps", "eps = %s in (0, 1)", format.Param(o.Eps)))
	}
	if th.RobbinsMonroLimit {
		h := held("Robbins-Monro (limit)", "the schedule satisfies phi1 -> inf, phi2/phi1 -> 0, which the appendix theorem assumes for its bound's limit t -> inf (the finite-T bound's proof does not use it)")
		if !run.Schedule.RobbinsMonro() {
			h = failed("Robbins-Monro (limit)", "the schedule is not Robbins-Monro: the bound's limit t -> inf (which the appendix theorem states under it) is outside the hypotheses; the finite-T bound, whose proof does not use it, is checked")
		}
		h.Limit = true
		rep.Hypotheses = append(rep.Hypotheses, h)
	}
	return k, true
}

// vacuous gives every target one VACUOUS verdict at the horizon.
func (rep *Report) vacuous(targets []string, run mc.Run) {
	for _, t := range targets {
		rep.Verdicts = append(rep.Verdicts, Verdict{Theorem: rep.Theorem, Reading: rep.Reading, Target: t, Step: run.Steps,
			Time: stepTime(run.Steps, run.Eta), Seed: run.Seed, Paths: run.Paths, Outcome: Vacuous, Reason: "hypothesis failed",
			Estimate: math.NaN(), SE: math.NaN(), Bound: math.NaN(), Ratio: math.NaN()})
	}
	rep.Outcome = Vacuous
}

// checker holds what one check decides with: the theorem and its
// constants, the options, f(X0) - f* and its rounding scale, each
// verdict's level, the decided steps and the first step at which the
// schedule left the admissible region (-1: never).
type checker struct {
	th            Theorem
	k             Constants
	o             Options
	delta, fscale float64
	alpha         float64
	decided       map[int]bool
	firstBad      int
}

// target runs one target (doubling the paths of INCONCLUSIVE verdicts up
// to o.MaxPaths) and returns its verdicts.
func (c *checker) target(target string, run mc.Run, rep *Report) ([]Verdict, error) {
	pathwise := c.o.Reading == Pathwise
	r := run
	r.KeepPathValues, r.Workers, r.Quantiles = true, c.o.Workers, FanQuantiles
	r.Check = func(s model.StepInfo, rate float64) bool {
		g := s.Ensemble
		if pathwise {
			g = s.Path
		}
		return c.k.Admissible(rate, g)
	}
	// Only overflow counts as divergence in a theorem check: a position
	// threshold is arbitrary where the admissible step is huge (a nearly
	// flat objective allows eta eta_t ~ 1e9), and a path past it still
	// has a finite left-hand side.
	r.DivergeAt = math.MaxFloat64
	var fin *MomentFiniteness
	if target == "discrete" {
		// The discrete target is the discrete method whatever the
		// configuration's model says: an "sde" configuration copied as is
		// would decide the SDE (with the configuration's integrator) twice.
		r.Model, r.Integrator, r.Coupled, r.CoupledPaths = mc.Discrete, model.Integrator{}, false, 0
	}
	if target == "sde" {
		if err := SDERun(&r, *c.o.SDE); err != nil {
			return nil, err
		}
		fin = SDEFiniteness(run, pathwise)
		rep.Finiteness = fin
		if c.o.SDEEngine != mc.EngineMonteCarlo && exactApplies(run, c.k, c.o.Reading) {
			vs, ev, err := c.exactSDE(run, fin)
			switch {
			case err != nil && c.o.SDEEngine == mc.EngineExact:
				return nil, err
			case err != nil:
				// The engine refuses what it cannot compute (a grid it cannot
				// resolve, a configuration outside its coverage): Monte
				// Carlo decides, and the report says why.
				rep.ExactUndecided = fmt.Sprintf("the exact engine cannot compute this law (%v), so Monte Carlo decides", err)
			case decisive(vs) || c.o.SDEEngine == mc.EngineExact:
				rep.ExactSDE = ev
				return vs, nil
			default:
				rep.ExactUndecided = fmt.Sprintf("the law (exact engine, %d nodes to radius %s) left a verdict INCONCLUSIVE within its numerical error, so Monte Carlo decides", ev.Nodes, format.Num(ev.Radius))
			}
			c.firstBad = -1
		}
		r.Coupled = !c.o.NoRefine
	}
	// When neither the schedule nor the admissibility condition reads
	// ||grad f|| (a clock schedule, or Normalized, with B = 0), the paths
	// are independent of one another and the first inadmissible step is the
	// same on all of them, which makes a pilot decisive: an integrator that
	// hits its substep floor on the first pilotPaths paths hits it on the
	// same paths of the full run, which is then INCONCLUSIVE whatever the
	// others do (a full run would spend seconds finding that out:
	// BENCHMARKS.md).
	independent := c.k.B == 0 && !schedule.ReadsGradient(r.Schedule)
	if target == "sde" && independent && r.Paths > pilotPaths {
		pr := r
		pr.Paths = pilotPaths
		res, err := mc.Simulate(pr)
		if err != nil {
			return nil, err
		}
		if res.Substeps.CappedPaths > 0 {
			vs, _ := c.evaluate(target, pr, res, fin, rep)
			for i := range vs {
				if vs[i].Outcome == Inconclusive {
					vs[i].Reason += fmt.Sprintf(" of the first %d (the same paths of a run of %d: paths are independent under this schedule, so it was not run)", pilotPaths, r.Paths)
				}
			}
			return vs, nil
		}
	}
	for {
		res, err := mc.Simulate(r)
		if err != nil {
			return nil, err
		}
		vs, capped := c.evaluate(target, r, res, fin, rep)
		again := false
		for _, v := range vs {
			again = again || v.Outcome == Inconclusive
		}
		// More paths cannot resolve an integrator that hit its substep
		// floor when the paths are independent: paths 0..M-1 are unchanged
		// when the paths double, so the capped ones stay capped and the
		// verdict INCONCLUSIVE; the doubled runs (each twice the last, at
		// the floor's cost per step) would be wasted. (When the schedule or
		// the admissibility reads the gradient, more paths change the
		// ensemble's schedule or may find an earlier inadmissible step.)
		if !again || (capped && independent) || r.Paths*2 > c.o.MaxPaths {
			return vs, nil
		}
		r.Paths *= 2 // paths 0..M-1 are unchanged: streams depend on (seed, path) only
	}
}

// decisive reports whether no decided verdict of vs is INCONCLUSIVE.
func decisive(vs []Verdict) bool {
	for _, v := range vs {
		if v.Outcome == Inconclusive {
			return false
		}
	}
	return true
}

// pilotPaths is the size of the SDE's pilot run (see checker.target).
const pilotPaths = 16

// evaluate decides the verdicts of one simulation of target, records the
// first inadmissible step and the SDE's resolution, and reports whether
// the integrator hit its substep floor.
func (c *checker) evaluate(target string, r mc.Run, res *mc.Result, fin *MomentFiniteness, rep *Report) ([]Verdict, bool) {
	if res.FirstCheckFailure >= 0 && (c.firstBad < 0 || res.FirstCheckFailure < c.firstBad) {
		c.firstBad = res.FirstCheckFailure
	}
	in := evidence{target: target, run: r, res: res, resolved: true, fin: fin}
	capped := false
	if target == "sde" {
		rs := &Resolution{Substeps: *res.Substeps, Resolved: true}
		if res.Substeps.CappedPaths > 0 {
			capped = true
			rs.Resolved, rs.Reason = false, fmt.Sprintf("%d paths hit the substep floor", res.Substeps.CappedPaths)
		} else if r.Coupled {
			refined(rs, r, res, c.k)
		}
		rep.Resolution = rs
		in.resolved, in.why, in.coupled = rs.Resolved, rs.Reason, rs.coupled
	}
	return c.decide(in), capped
}

// evidence is one simulation of a target: the run, its result, whether it
// has refined twins (the SDE unless refinement is off) and whether the
// integrator resolved it (and why not).
type evidence struct {
	target   string
	run      mc.Run
	res      *mc.Result
	coupled  bool
	resolved bool
	why      string
	fin      *MomentFiniteness // SDE only
}

// SDERun switches r to the SDE model integrated as spec says (see
// model.ModelSpec.Integrator).
func SDERun(r *mc.Run, spec model.ModelSpec) error {
	in, err := spec.Integrator()
	if err != nil {
		return model.Prefix("options.sde", err)
	}
	r.Model, r.Integrator = mc.SDE, in
	return nil
}

// pathY returns the per-path statistic Y = A1 I1 + A2 I2 - C phi2 (+Inf for
// a diverged path, whose integral of ||grad f||^2 is unbounded) and the
// means of phi1, phi2 over the live paths.
func pathY(k Constants, cp mc.Checkpoint) (y mc.Moments, phi1, phi2 float64, diverged int) {
	var p1, p2 mc.Moments
	for _, v := range cp.Paths {
		if math.IsNaN(v.I1) {
			diverged++
			y.Add(math.Inf(1))
			continue
		}
		y.Add(k.A1*v.I1 + k.A2*v.I2 - k.C*v.Phi2)
		p1.Add(v.Phi1)
		p2.Add(v.Phi2)
	}
	return y, p1.Mean, p2.Mean, diverged
}

// decide returns a verdict at every checkpoint after step 0 (undecided
// where the step is not a horizon).
func (c *checker) decide(in evidence) []Verdict {
	th, k, o, target, r, res := c.th, c.k, c.o, in.target, in.run, in.res
	delta, fscale, alpha, firstBad, resolved, why, decided, fin := c.delta, c.fscale, c.alpha, c.firstBad, in.resolved, in.why, c.decided, in.fin
	var out []Verdict
	for _, cp := range res.Checkpoints {
		if cp.Step == 0 {
			continue
		}
		y, phi1, phi2, div := pathY(k, cp)
		ym, yse := y.Mean, y.SE()
		var bias *mc.Stat
		ib := 0.0 // the extrapolation's allowance for the integrator's error
		if in.coupled {
			ext, diff, df := pairY(k, cp)
			div = df
			ym, yse = ext.Mean, ext.SE()
			bias = &mc.Stat{Mean: 2 * diff.Mean, SE: 2 * diff.SE(), N: diff.N}
			ib = math.Abs(diff.Mean) + 2*diff.SE()
		}
		den := k.A1*phi1 + k.A2*phi2
		v := Verdict{Theorem: th.ID, Reading: o.Reading, Target: target, Step: cp.Step, Time: format.RoundSig(cp.Time, timeDigits),
			Paths: r.Paths, Diverged: div, Seed: r.Seed, Alpha: alpha, Quantiles: cp.Quantiles}
		v.Bound = (delta + k.C*phi2) / den
		v.Estimate = (ym + k.C*phi2) / den
		v.SE = math.Abs(yse / den)
		v.Ratio = v.Estimate / v.Bound
		if bias != nil && den > 0 {
			v.IntegrationBias = &mc.Stat{Mean: bias.Mean / den, SE: bias.SE / den, N: bias.N}
		}
		if div > 0 {
			v.Estimate, v.Ratio, v.SE = math.Inf(1), math.Inf(1), math.NaN()
		}
		switch {
		case !decided[cp.Step]:
			v.Outcome, v.Alpha = "", 0 // plotted, not decided
		case firstBad >= 0 && firstBad < cp.Step:
			v.Outcome, v.Reason = Vacuous, fmt.Sprintf("the schedule left the admissible region at step %d", firstBad)
		case fin != nil && fin.LHS == exact.Infinite:
			v.Estimate, v.Ratio, v.SE = math.Inf(1), math.Inf(1), math.NaN()
			v.Outcome, v.Reason = Fail, "the SDE's left-hand side is infinite (analytical): "+fin.Why
		case !resolved && target == "sde":
			v.Outcome, v.Reason = Inconclusive, "SDE integrator unresolved: "+why
		case div > 0:
			v.Outcome, v.Reason = Fail, fmt.Sprintf("%d of %d paths diverged: the left-hand side is unbounded", div, r.Paths)
		case !(den > 0):
			v.Outcome, v.Reason = Vacuous, "the bound's denominator is not positive"
		default:
			// Differences below 1e-9 of the magnitudes involved (f's values,
			// the phi2 term, the estimate; or 1e-100) are rounding, not
			// evidence: a noiseless run started at a minimiser has
			// delta = 0 and a left-hand side of ~1e-143.
			tol := 1e-9*(fscale+math.Abs(k.C*phi2)+math.Abs(ym)) + 1e-100
			v.Outcome = BoundTest(ym, yse, delta, alpha, tol)
			// The extrapolation's residual error is allowed up to the
			// refined level's own estimated bias, |mean(Y_coarse -
			// Y_fine)| + 2 se: a decision that such an error could
			// reverse is not made.
			if ib > 0 && v.Outcome != Inconclusive {
				if lo, hi := BoundTest(ym-ib, yse, delta, alpha, tol), BoundTest(ym+ib, yse, delta, alpha, tol); lo != hi {
					v.Reason = fmt.Sprintf("the Monte Carlo says %s, but not beyond the integrator's error: the refined level's estimated bias bound is %s in the left-hand side", v.Outcome, format.Sig(ib/den, 3))
					v.Outcome = Inconclusive
				}
			}
			if fin != nil && fin.Variance != exact.Finite && v.Outcome != Inconclusive {
				v.Reason = fmt.Sprintf("the Monte Carlo says %s, but the variance of the left-hand side is not established finite, so its normal interval has no basis: %s", v.Outcome, fin.Why)
				v.Outcome = Inconclusive
			}
			if fin == nil {
				k, m := tailShape(k, cp)
				if !math.IsNaN(k) {
					v.TailK, v.TailM = &k, m
				}
				if k >= TailKLimit && v.Outcome != Inconclusive {
					v.Reason = fmt.Sprintf("the Monte Carlo says %s, but the per-path left-hand sides have a heavy upper tail (Pareto k = %s >= %s on the %d largest of %d): the variance may be infinite, so the normal interval has no basis", v.Outcome, format.Fixed(k, 2), format.Param(TailKLimit), m, r.Paths)
					v.Outcome = Inconclusive
				}
			}
		}
		out = append(out, v)
	}
	return out
}

// TailKLimit is the Pareto tail shape at which a verdict's normal interval
// is refused: k >= 1/2 is a tail whose variance may be infinite.
const TailKLimit = 0.5

// tailShape returns mc.ParetoKHat of the per-path Y at cp (live paths).
func tailShape(k Constants, cp mc.Checkpoint) (float64, int) {
	ys := make([]float64, 0, len(cp.Paths))
	for _, v := range cp.Paths {
		if !math.IsNaN(v.I1) {
			ys = append(ys, k.A1*v.I1+k.A2*v.I2-k.C*v.Phi2)
		}
	}
	return mc.ParetoKHat(ys)
}

// pairY returns, over the paths of checkpoint cp whose path and refined
// twin are both live, the Richardson extrapolations 2 Y_fine - Y_coarse and
// the differences Y_coarse - Y_fine, and the number of paths where either
// diverged (those whose twin diverged while the path did not count too: the
// left-hand side is unbounded on the finer grid).
func pairY(k Constants, cp mc.Checkpoint) (ext, diff mc.Moments, diverged int) {
	y := func(v mc.PathValue) float64 { return k.A1*v.I1 + k.A2*v.I2 - k.C*v.Phi2 }
	for p, v := range cp.Paths {
		f := cp.Coupled.Paths[p]
		if math.IsNaN(v.I1) || math.IsNaN(f.I1) {
			diverged++
			continue
		}
		yc, yf := y(v), y(f)
		ext.Add(2*yf - yc)
		diff.Add(yc - yf)
	}
	return ext, diff, diverged
}

// refined fills rs from a coupled run (see Resolution).
func refined(rs *Resolution, r mc.Run, res *mc.Result, k Constants) {
	rs.Refined, rs.RefineSubsteps, rs.coupled = true, 2*r.Integrator.Substeps, true
	for _, cp := range res.Checkpoints {
		if cp.Step == 0 || cp.Coupled == nil {
			continue
		}
		_, diff, div := pairY(k, cp)
		if div > 0 {
			continue
		}
		if se := diff.SE(); se > 0 {
			rs.MaxZ = math.Max(rs.MaxZ, math.Abs(diff.Mean)/se)
		}
	}
}

// BoundTest decides E[Y] <= delta from an estimate of E[Y] and its standard
// error: FAIL when the lower one-sided 1-alpha confidence limit is above
// delta by more than the rounding tolerance tol (probability at most alpha
// when E[Y] <= delta, asymptotically), PASS when the upper one is below
// delta + tol, INCONCLUSIVE otherwise.
func BoundTest(mean, se, delta, alpha, tol float64) Outcome {
	z := mc.ZCrit(2 * alpha)
	switch {
	case mean-z*se-tol > delta:
		return Fail
	case mean+z*se-tol < delta:
		return Pass
	}
	return Inconclusive
}
