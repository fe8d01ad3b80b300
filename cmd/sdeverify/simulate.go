package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/reports"
)

// SimulateOutput is the JSON that 'sdeverify simulate -json' writes. The
// exact engine (-engine exact or auto, d = 1) writes the same fields (see
// SimCheckpoint for what its checkpoints hold) plus each checkpoint's
// escape probability and num_err, and exact_grid; its live is null and its
// result's diverged 0.
type SimulateOutput struct {
	Version int `json:"version"`
	// Engine is the engine that computed the result: "montecarlo" or
	// "exact".
	Engine mc.Engine `json:"engine"`
	// ExactUnavailable says why -engine auto ran Monte Carlo: the exact
	// engine does not apply (d > 1, a noise it does not cover, a law its
	// grid cannot resolve).
	ExactUnavailable string        `json:"exact_unavailable,omitempty"`
	ExactGrid        *ExactGrid    `json:"exact_grid,omitempty"`
	Config           mc.Config     `json:"config"` // resolved: every default filled in
	Resolved         ResolvedModel `json:"resolved"`
	Seed             uint64        `json:"seed"`
	Result           *SimResult    `json:"result"`
	// Per step: the ensemble mean of ||grad f|| (null once every path has
	// diverged), the live paths, and the schedule value used (the exact
	// engine: the mean of |f'| over the law that stayed in its grid, no
	// live paths, and null where the rate is each path's own).
	EnsembleGradNorm []*float64 `json:"ensemble_grad_norm"`
	Live             []int      `json:"live"`
	Rate             []*float64 `json:"rate"`
	// The SDE's integration error: the levels run and whether the bias
	// estimate met its allowance (each checkpoint's "coupled" holds the
	// refined twins); absent for the discrete method and with -no-refine.
	Integration *mc.Integration `json:"integration,omitempty"`
	WallSeconds float64         `json:"wall_seconds"`
	Workers     int             `json:"workers"`
	Replay      string          `json:"replay"`
}

// ResolvedModel records the derived quantities the run actually used.
type ResolvedModel struct {
	Dim         int               `json:"dim"`
	Certificate model.Certificate `json:"certificate"`
	FStar       float64           `json:"fstar"`
	Agents      int               `json:"agents"`
	Omega       []float64         `json:"omega,omitempty"` // per agent, DCSGD
}

func cmdSimulate(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("simulate", "simulate -config FILE [-engine mc|exact|auto] [-json OUT] [-workers N]", stderr)
	cfgPath := fs.String("config", "", "experiment configuration (JSON; see model/mc.Config)")
	out := fs.String("json", "", "write the resolved configuration and results as JSON to this file")
	workers := fs.Int("workers", 0, "goroutines (0: all cores); results do not depend on it")
	frac := fs.Float64("bias-fraction", 0.25, "SDE: refine the integrator until every estimated bias bound (|bias| + 2 se) is at most this fraction of its standard error")
	noRefine := fs.Bool("no-refine", false, "SDE: run the configured integrator once, without the coupled bias estimate")
	quiet := fs.Bool("q", false, "no progress on stderr (shown only on a terminal)")
	engine := fs.String("engine", "mc", "mc, exact or auto. mc: Monte Carlo (the default: auto would turn the output of d = 1 configs into the exact engine's). "+
		"exact: in d = 1, the law by the exact engine instead of paths: at each checkpoint E g conditional on having stayed in its grid [-R, R] "+
		"(R = 64 (1 + |x0|) or diverge_at if nearer; dsignsgd: the farthest its law reaches) and the escape probability, of having left it, "+
		"each with its numerical error (JSON: engine, exact_grid, and per checkpoint escape and num_err; se and n are 0, live, i1 and i2 null); "+
		"exit 2 where the engine does not apply (d > 1, a noise or schedule it does not cover, a law its grid cannot resolve). "+
		"auto: exact where it applies, else Monte Carlo, with the reason in the output and in the JSON's exact_unavailable")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *engine != "mc" && *engine != "exact" && *engine != "auto" {
		return usageErr("-engine = %q: want mc, exact or auto", *engine)
	}
	if *cfgPath == "" {
		return usageErr("-config is required (see -h)")
	}
	if *workers < 0 {
		return usageErr("-workers = %d: must be >= 0", *workers)
	}
	if !(*frac > 0) || math.IsInf(*frac, 0) {
		return usageErr("-bias-fraction = %v: must be finite and > 0", *frac)
	}
	if err := checkOutFile("-json", *out); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	factor := 1.0
	if cfg.SimulatesSDE() && !*noRefine {
		factor = 2 // the refined twins
	}
	size := newRunSize(*cfgPath, cfg, factor)
	if *engine != "mc" {
		// The exact engine's law: no paths (a Monte Carlo fallback is
		// checked again), at most 4800 nodes (exactSettings) and, for an
		// SDE, 4 + 8 + 16 substeps a step.
		size.paths, size.nodes = 0, 4800
		if cfg.SimulatesSDE() {
			size.substeps = 28
		}
	}
	if err := checkNeed(size); err != nil {
		return err
	}
	run, err := cfg.Resolve()
	if err != nil {
		return usageErr("%s: %v", *cfgPath, err)
	}
	run.Workers = *workers
	start := time.Now()
	p := newProgress(stderr, *quiet)
	o := SimulateOutput{
		Version: 1, Engine: mc.EngineMonteCarlo, Config: cfg, Seed: cfg.Seed,
		Resolved: ResolvedModel{
			Dim: run.System.F.Dim(), Certificate: run.System.F.Certificate(),
			FStar: run.System.F.Inf(), Agents: len(run.System.Agents),
		},
		Workers: *workers,
		Replay:  fmt.Sprintf("sdeverify simulate -config %s", *cfgPath),
	}
	if *engine != "mc" {
		p.printf("computing the law of %s (%s) by the exact engine, %d steps ...", cfg.Method, run.Model, run.Steps)
		er, err := runExact(run, *workers)
		switch {
		case err == nil:
			res, grad := er.result(run)
			o.Engine, o.ExactGrid, o.Result = mc.EngineExact, &er.grid, res
			o.EnsembleGradNorm, o.Rate = mc.Finites(grad), mc.Finites(er.rate)
		case *engine == "exact":
			return usageErr("%s: -engine exact: the exact engine does not apply: %v", *cfgPath, err)
		default:
			o.ExactUnavailable = fmt.Sprintf("the exact engine does not apply (%v), so Monte Carlo", err)
			p.printf("%s", o.ExactUnavailable)
			if err := checkNeed(newRunSize(*cfgPath, cfg, factor)); err != nil {
				return err
			}
		}
	}
	if o.Engine == mc.EngineMonteCarlo {
		var res *mc.Result
		p.printf("simulating %s (%s), %d paths x %d steps ...", cfg.Method, run.Model, run.Paths, run.Steps)
		if run.Model == mc.SDE && !*noRefine {
			res, o.Integration, err = mc.IntegrationError(run, mc.Refinement{Fraction: *frac, Progress: func(l mc.Level) {
				p.printf("integrator level %d (%d substeps per step): bias bound %s x its allowance (%s)", l.Level, l.Substeps, reports.Num(l.Worst), l.Where)
			}})
			if err == nil {
				last := o.Integration.Levels[len(o.Integration.Levels)-1]
				run.Integrator.Substeps, run.Integrator.Stiffness, run.Integrator.MaxSubsteps = last.Substeps, last.Stiffness, last.MaxSubsteps
			}
		} else {
			res, err = mc.Simulate(run)
		}
		if err != nil {
			return usageErr("%s: %v", *cfgPath, err)
		}
		o.Result = &SimResult{Result: res}
		for _, c := range res.Checkpoints {
			o.Result.Checkpoints = append(o.Result.Checkpoints, SimCheckpoint{Checkpoint: c})
		}
		o.EnsembleGradNorm, o.Live, o.Rate = mc.Finites(res.EnsembleGradNorm), res.Live, mc.Finites(res.Rate)
	}
	o.WallSeconds = time.Since(start).Seconds()
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if model.NeedsCompressor(run.System.Method) {
		for _, a := range run.System.Agents {
			if u, ok := a.Compressor.(model.Unbiased); ok {
				o.Resolved.Omega = append(o.Resolved.Omega, u.Omega(run.System.F.Dim()))
			}
		}
	}
	if o.Engine == mc.EngineExact {
		printExactTable(stdout, &o, run)
	} else {
		printTable(stdout, &o, run)
	}
	if *out != "" {
		return writeJSON(*out, o)
	}
	return nil
}

// biasCell renders an estimated bias with its standard error.
func biasCell(s mc.Stat) string {
	if s.N == 0 {
		return "-"
	}
	return reports.Num2(s.Mean) + "±" + reports.Num2(s.SE)
}

func printTable(w io.Writer, o *SimulateOutput, run mc.Run) {
	model := run.Model.String()
	if run.Model == mc.SDE {
		model += fmt.Sprintf(" (%s, substeps %d, stiffness %s, max %d)", o.Config.Model.Scheme, run.Integrator.Substeps, reports.Param(run.Integrator.Stiffness), run.Integrator.MaxSubsteps)
	}
	agents := "1 agent"
	if o.Resolved.Agents != 1 {
		agents = fmt.Sprintf("%d agents", o.Resolved.Agents)
	}
	fmt.Fprintf(w, "%s on d = %d, %s, %s; eta = %s, %d steps, %d paths, seed %d\n",
		o.Config.Method, o.Resolved.Dim, agents, model, reports.Param(run.Eta), run.Steps, run.Paths, o.Seed)
	fmt.Fprintf(w, "certificate (L0, L1) = (%s, %s), f* = %s\n", reports.Num(o.Resolved.Certificate.L0), reports.Num(o.Resolved.Certificate.L1), reports.Num(o.Resolved.FStar))
	if o.ExactUnavailable != "" {
		fmt.Fprintf(w, "engine: %s\n", o.ExactUnavailable)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', tabwriter.AlignRight)
	if o.Integration == nil {
		fmt.Fprintln(tw, "step\ttime\tlive\tdiverged\tE[f-f*]\t±se\tE||g||^2\t±se\tE||x-x*||^2\t±se\tphi1\t")
		for _, c := range o.Result.Checkpoints {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
				c.Step, reports.Param(c.Time), c.Live, c.Diverged, reports.Num(c.F.Mean), reports.Num2(c.F.SE), reports.Num(c.GradNorm2.Mean), reports.Num2(c.GradNorm2.SE),
				reports.Num(c.Dist2.Mean), reports.Num2(c.Dist2.SE), reports.Num(c.Phi1.Mean))
		}
	} else {
		// Each SDE value with its estimated integrator bias ("bias"), to
		// be read against its standard error.
		fmt.Fprintln(tw, "step\ttime\tlive\tdiverged\tE[f-f*]\t±se\tbias\tE||g||^2\t±se\tbias\tE||x-x*||^2\t±se\tbias\tphi1\t")
		for _, c := range o.Result.Checkpoints {
			var b mc.Levels
			if c.Coupled != nil {
				b = c.Coupled.Bias()
			}
			fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
				c.Step, reports.Param(c.Time), c.Live, c.Diverged, reports.Num(c.F.Mean), reports.Num2(c.F.SE), biasCell(b.F), reports.Num(c.GradNorm2.Mean), reports.Num2(c.GradNorm2.SE), biasCell(b.GradNorm2),
				reports.Num(c.Dist2.Mean), reports.Num2(c.Dist2.SE), biasCell(b.Dist2), reports.Num(c.Phi1.Mean))
		}
	}
	tw.Flush()
	if in := o.Integration; in != nil {
		fmt.Fprintf(w, "\nintegration error (bias = 2 x mean(coarse - refined twin), weak order 1; allowance: |bias| + %s se(bias) <= %s se):\n", reports.Param(in.Z), reports.Param(in.Fraction))
		for _, l := range in.Levels {
			fmt.Fprintf(w, "  level %d: substeps %d, stiffness %s, max %d: worst %s of the allowance (%s)\n", l.Level, l.Substeps, reports.Param(l.Stiffness), l.MaxSubsteps, reports.Num(l.Worst), l.Where)
		}
		if in.Resolved {
			fmt.Fprintf(w, "  resolved: every bias bound is within its allowance at level %d\n", in.Levels[len(in.Levels)-1].Level)
		} else {
			fmt.Fprintf(w, "  UNRESOLVED: %s; the values above carry an integrator bias comparable to their standard error or larger\n", in.Reason)
		}
	}
	if s := o.Result.Substeps; s != nil {
		fmt.Fprintf(w, "\nSDE substeps: %d in all, at most %d in one step, %d paths hit the floor (unresolved)\n", s.Total, s.MaxPerStep, s.CappedPaths)
	}
	fmt.Fprintf(w, "\n%d of %d paths diverged; wall time %.3fs on %d workers\n", o.Result.Diverged, run.Paths, o.WallSeconds, o.Workers)
}

// sig6 formats an exact value with 6 significant digits (its numerical
// error is far below the 4 of a Monte Carlo mean), missing and infinite
// values as the report's formatter writes them.
func sig6(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return reports.Num(x)
	}
	return strconv.FormatFloat(x, 'g', 6, 64)
}

// printExactTable prints the exact engine's law: at each checkpoint the
// escape probability and the values conditional on not having escaped,
// each with its numerical error.
func printExactTable(w io.Writer, o *SimulateOutput, run mc.Run) {
	g := o.ExactGrid
	model := run.Model.String()
	if g.Scheme != "" {
		model += " (finite differences, extrapolated over 4, 8 and 16 substeps per step)"
	}
	agents := "1 agent"
	if o.Resolved.Agents != 1 {
		agents = fmt.Sprintf("%d agents", o.Resolved.Agents)
	}
	fmt.Fprintf(w, "%s on d = %d, %s, %s; eta = %s, %d steps; exact engine (%s), %d nodes on [-%s, %s]", o.Config.Method, o.Resolved.Dim, agents, model, reports.Param(run.Eta), run.Steps, g.Method, g.Nodes, reports.Param(g.Radius), reports.Param(g.Radius))
	if g.Map > 0 {
		fmt.Fprintf(w, " mapped by x = %s sinh(xi)", reports.Param(g.Map))
	}
	fmt.Fprintf(w, ", absorbing\ncertificate (L0, L1) = (%s, %s), f* = %s\n", reports.Num(o.Resolved.Certificate.L0), reports.Num(o.Resolved.Certificate.L1), reports.Num(o.Resolved.FStar))
	fmt.Fprintf(w, "values conditional on having stayed in the grid; escape: the probability of having left it; ±err: numerical error (no sampling)\n\n")
	tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "step\ttime\tescape\t±err\tE[f-f*]\t±err\tE||g||^2\t±err\tE||x-x*||^2\t±err\tphi1\t")
	for _, c := range o.Result.Checkpoints {
		e := c.NumErr
		phi1 := "-" // each path's own (the pathwise reading)
		if !math.IsNaN(c.Phi1.Mean) {
			phi1 = reports.Num(c.Phi1.Mean)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			c.Step, reports.Param(c.Time), reports.Num(*c.Escape), reports.Num2(e.Escape), sig6(c.F.Mean), reports.Num2(e.F), sig6(c.GradNorm2.Mean), reports.Num2(e.GradNorm2),
			sig6(c.Dist2.Mean), reports.Num2(e.Dist2), phi1)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nwall time %.3fs on %d workers\n", o.WallSeconds, o.Workers)
}
