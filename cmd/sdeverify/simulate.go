package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"text/tabwriter"
	"time"

	"github.com/sdeverify/sdeverify/internal/atomicfile"
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
	WallSeconds      float64    `json:"wall_seconds"`
	Workers          int        `json:"workers"`
	Replay           string     `json:"replay"`
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
	if err := fs.parse(args); err != nil {
		return err
	}
	if *cfgPath == "" {
		return usageErr("-config is required (see -h)")
	}
	if *workers < 0 {
		return usageErr("-workers = %d: must be >= 0", *workers)
	}
	f, err := os.Open(*cfgPath)
	if err != nil {
		return usageErr("%v", err)
	}
	cfg, err := mc.DecodeConfig(f)
	f.Close()
	if err != nil {
		return usageErr("%s: %v", *cfgPath, err)
	}
	run, err := cfg.Resolve()
	if err != nil {
		return usageErr("%s: %v", *cfgPath, err)
	}
	run.Workers = *workers
	start := time.Now()
	res, err := mc.Simulate(run)
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
		WallSeconds: wall.Seconds(), Workers: *workers,
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
		b, err := json.MarshalIndent(o, "", "  ")
		if err != nil {
			return fmt.Errorf("encode results: %w", err)
		}
		if err := atomicfile.Write(*out, append(b, '\n')); err != nil {
			return err
		}
	}
	return nil
}

func printTable(w io.Writer, o *SimulateOutput, run mc.Run) {
	model := run.Model.String()
	if run.Model == mc.SDE {
		model += fmt.Sprintf(" (%s, substeps %d, stiffness %g, max %d)", o.Config.Model.Scheme, run.Integrator.Substeps, run.Integrator.Stiffness, run.Integrator.MaxSubsteps)
	}
	fmt.Fprintf(w, "%s on d=%d, N=%d agents, %s; eta=%g, %d steps, %d paths, seed %d\n",
		o.Config.Method, o.Resolved.Dim, o.Resolved.Agents, model, run.Eta, run.Steps, run.Paths, o.Seed)
	fmt.Fprintf(w, "certificate (L0, L1) = (%g, %g), f* = %g\n\n", o.Resolved.Certificate.L0, o.Resolved.Certificate.L1, o.Resolved.FStar)
	tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "step\ttime\tlive\tdiverged\tE[f-f*]\t±se\tE||g||^2\t±se\tE||x-x*||^2\t±se\tphi1\t")
	for _, c := range o.Result.Checkpoints {
		fmt.Fprintf(tw, "%d\t%.4g\t%d\t%d\t%.4g\t%.2g\t%.4g\t%.2g\t%.4g\t%.2g\t%.4g\t\n",
			c.Step, c.Time, c.Live, c.Diverged, c.F.Mean, c.F.SE, c.GradNorm2.Mean, c.GradNorm2.SE, c.Dist2.Mean, c.Dist2.SE, c.Phi1.Mean)
	}
	tw.Flush()
	if s := o.Result.Substeps; s != nil {
		fmt.Fprintf(w, "\nSDE substeps: %d in all, at most %d in one step, %d paths hit the floor (unresolved)\n", s.Total, s.MaxPerStep, s.CappedPaths)
	}
	fmt.Fprintf(w, "\n%d of %d paths diverged; wall time %.3fs on %d workers\n", o.Result.Diverged, run.Paths, o.WallSeconds, o.Workers)
}
