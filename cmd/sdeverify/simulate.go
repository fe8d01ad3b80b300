package main

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"text/tabwriter"
	"time"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
)

// SimulateOutput is the JSON that 'sdeverify simulate -json' writes.
type SimulateOutput struct {
	Version  int           `json:"version"`
	Config   mc.Config     `json:"config"` // resolved: every default filled in
	Resolved ResolvedModel `json:"resolved"`
	Seed     uint64        `json:"seed"`
	Result   *mc.Result    `json:"result"`
	// Per step: the ensemble mean of ||grad f|| (null once every path has
	// diverged), the live paths, and the schedule value used.
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
	fs := newFlags("simulate", "simulate -config FILE [-json OUT] [-workers N]", stderr)
	cfgPath := fs.String("config", "", "experiment configuration (JSON; see model/mc.Config)")
	out := fs.String("json", "", "write the resolved configuration and results as JSON to this file")
	workers := fs.Int("workers", 0, "goroutines (0: all cores); results do not depend on it")
	frac := fs.Float64("bias-fraction", 0.25, "SDE: refine the integrator until every estimated bias bound (|bias| + 2 se) is at most this fraction of its standard error")
	noRefine := fs.Bool("no-refine", false, "SDE: run the configured integrator once, without the coupled bias estimate")
	quiet := fs.Bool("q", false, "no progress on stderr (shown only on a terminal)")
	if err := fs.parse(args); err != nil {
		return err
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
	if cfg.Model.Kind == "sde" && !*noRefine {
		factor = 2 // the refined twins
	}
	if err := checkMemory(*cfgPath, cfg, factor); err != nil {
		return err
	}
	run, err := cfg.Resolve()
	if err != nil {
		return usageErr("%s: %v", *cfgPath, err)
	}
	run.Workers = *workers
	start := time.Now()
	var res *mc.Result
	var integ *mc.Integration
	p := newProgress(stderr, *quiet)
	p.printf("simulating %s (%s), %d paths x %d steps ...", cfg.Method, run.Model, run.Paths, run.Steps)
	if run.Model == mc.SDE && !*noRefine {
		res, integ, err = mc.IntegrationError(run, mc.Refinement{Fraction: *frac, Progress: func(l mc.Level) {
			p.printf("integrator level %d (%d substeps per step): bias bound %.3g x its allowance (%s)", l.Level, l.Substeps, l.Worst, l.Where)
		}})
		if err == nil {
			last := integ.Levels[len(integ.Levels)-1]
			run.Integrator.Substeps, run.Integrator.Stiffness, run.Integrator.MaxSubsteps = last.Substeps, last.Stiffness, last.MaxSubsteps
		}
	} else {
		res, err = mc.Simulate(run)
	}
	if err != nil {
		return usageErr("%s: %v", *cfgPath, err)
	}
	wall := time.Since(start)
	o := SimulateOutput{
		Version: 1, Config: cfg, Seed: cfg.Seed, Result: res,
		Resolved: ResolvedModel{
			Dim: run.System.F.Dim(), Certificate: run.System.F.Certificate(),
			FStar: run.System.F.Inf(), Agents: len(run.System.Agents),
		},
		EnsembleGradNorm: mc.Finites(res.EnsembleGradNorm), Live: res.Live, Rate: mc.Finites(res.Rate),
		Integration: integ, WallSeconds: wall.Seconds(), Workers: *workers,
		Replay: fmt.Sprintf("sdeverify simulate -config %s", *cfgPath),
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if run.System.Method == model.DCSGD {
		for _, a := range run.System.Agents {
			o.Resolved.Omega = append(o.Resolved.Omega, a.Compressor.(model.Unbiased).Omega(run.System.F.Dim()))
		}
	}
	printTable(stdout, &o, run)
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
	return fmt.Sprintf("%.2g±%.1g", s.Mean, s.SE)
}

func printTable(w io.Writer, o *SimulateOutput, run mc.Run) {
	model := run.Model.String()
	if run.Model == mc.SDE {
		model += fmt.Sprintf(" (%s, substeps %d, stiffness %g, max %d)", o.Config.Model.Scheme, run.Integrator.Substeps, run.Integrator.Stiffness, run.Integrator.MaxSubsteps)
	}
	agents := "1 agent"
	if o.Resolved.Agents != 1 {
		agents = fmt.Sprintf("%d agents", o.Resolved.Agents)
	}
	fmt.Fprintf(w, "%s on d = %d, %s, %s; eta = %g, %d steps, %d paths, seed %d\n",
		o.Config.Method, o.Resolved.Dim, agents, model, run.Eta, run.Steps, run.Paths, o.Seed)
	fmt.Fprintf(w, "certificate (L0, L1) = (%.4g, %.4g), f* = %.4g\n\n", o.Resolved.Certificate.L0, o.Resolved.Certificate.L1, o.Resolved.FStar)
	tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', tabwriter.AlignRight)
	if o.Integration == nil {
		fmt.Fprintln(tw, "step\ttime\tlive\tdiverged\tE[f-f*]\t±se\tE||g||^2\t±se\tE||x-x*||^2\t±se\tphi1\t")
		for _, c := range o.Result.Checkpoints {
			fmt.Fprintf(tw, "%d\t%.4g\t%d\t%d\t%.4g\t%.2g\t%.4g\t%.2g\t%.4g\t%.2g\t%.4g\t\n",
				c.Step, c.Time, c.Live, c.Diverged, c.F.Mean, c.F.SE, c.GradNorm2.Mean, c.GradNorm2.SE, c.Dist2.Mean, c.Dist2.SE, c.Phi1.Mean)
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
			fmt.Fprintf(tw, "%d\t%.4g\t%d\t%d\t%.4g\t%.2g\t%s\t%.4g\t%.2g\t%s\t%.4g\t%.2g\t%s\t%.4g\t\n",
				c.Step, c.Time, c.Live, c.Diverged, c.F.Mean, c.F.SE, biasCell(b.F), c.GradNorm2.Mean, c.GradNorm2.SE, biasCell(b.GradNorm2),
				c.Dist2.Mean, c.Dist2.SE, biasCell(b.Dist2), c.Phi1.Mean)
		}
	}
	tw.Flush()
	if in := o.Integration; in != nil {
		fmt.Fprintf(w, "\nintegration error (bias = 2 x mean(coarse - refined twin), weak order 1; allowance: |bias| + %g se(bias) <= %g se):\n", in.Z, in.Fraction)
		for _, l := range in.Levels {
			fmt.Fprintf(w, "  level %d: substeps %d, stiffness %g, max %d: worst %.3g of the allowance (%s)\n", l.Level, l.Substeps, l.Stiffness, l.MaxSubsteps, l.Worst, l.Where)
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
