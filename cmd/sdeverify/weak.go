package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/reports"
	"github.com/sdeverify/sdeverify/theorems/weak"
)

// weakGrid is the weak study a config asks for: the etas eta, eta/2,
// eta/4, eta/8 to the horizon eta x steps.
func weakGrid(cfg mc.Config) (etas []float64, horizon float64) {
	return []float64{cfg.Eta, cfg.Eta / 2, cfg.Eta / 4, cfg.Eta / 8}, cfg.Eta * float64(cfg.Steps)
}

func cmdWeak(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("weak", "weak -config FILE [-engine auto|exact|mc] [-model "+strings.Join(exact.ModelNames(), "|")+"] [-etas 0.1,0.05,...] [-horizon T] [-paths N] [-substeps M] [-json OUT]", stderr)
	cfgPath := fs.String("config", "", "experiment configuration (JSON): objective, agents, method, x0, a clock schedule")
	etas := fs.String("etas", "", "comma-separated eta grid (default: the config's eta, halved three times)")
	horizon := fs.Float64("horizon", 0, "time horizon T (default: the config's eta x steps)")
	paths := fs.Int("paths", 0, "Monte Carlo paths per eta (default: the config's paths, at least 40)")
	substeps := fs.Int("substeps", 10, "SDE reference substeps per optimiser step")
	seed := fs.Uint64("seed", 0, "seed (default: the config's)")
	independent := fs.Bool("independent", false, "do not couple the discrete and SDE noise")
	out := fs.String("json", "", "write the result as JSON")
	engine := fs.String("engine", "auto", "exact (one dimension, constant schedule: no Monte Carlo), mc (Monte Carlo), or auto: exact where it applies")
	workers := fs.Int("workers", 0, "goroutines (0: all cores)")
	quiet := fs.Bool("q", false, "no progress on stderr (shown only on a terminal)")
	sdeModel := fs.String("model", "", "SDE model: "+modelHelp())
	nodes := fs.Int("nodes", 2400, "exact engine: grid nodes (a minimum; more where DSignSGD's noise scale needs them). 2400 keeps the interpolation floor below the weak errors of eta >= 0.00625")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *cfgPath == "" {
		return usageErr("-config is required (see -h)")
	}
	if err := checkOutFile("-json", *out); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	// The config's eta, steps, paths and seed are the study's unless a
	// flag overrides them: eta the largest of the grid (halved three
	// times), eta x steps the horizon.
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["etas"] {
		if !(cfg.Eta > 0) {
			return usageErr("%s: eta = %v: the weak study's grid starts at the config's eta, which must be > 0 (or give -etas)", *cfgPath, cfg.Eta)
		}
		g, _ := weakGrid(cfg)
		*etas = fmt.Sprintf("%g,%g,%g,%g", g[0], g[1], g[2], g[3])
	}
	if !set["horizon"] {
		_, *horizon = weakGrid(cfg)
		if !(*horizon > 0) {
			return usageErr("%s: eta x steps = %v: the weak study's horizon must be > 0 (or give -horizon)", *cfgPath, *horizon)
		}
	}
	if *nodes < 16 {
		return usageErr("-nodes = %d: must be >= 16", *nodes)
	}
	if *workers < 0 {
		return usageErr("-workers = %d: must be >= 0 (0: all cores)", *workers)
	}
	if !set["paths"] {
		*paths = cfg.Paths
		if *paths < 40 {
			return usageErr("%s: paths = %d: a weak study needs at least 40 (give -paths)", *cfgPath, cfg.Paths)
		}
	}
	if !set["seed"] {
		*seed = cfg.Seed
	}
	var grid []float64
	for _, s := range strings.Split(*etas, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return usageErr("-etas: %q is not a positive number", s)
		}
		grid = append(grid, v)
	}
	if *paths < 40 {
		return usageErr("-paths = %d: need at least 40", *paths)
	}
	if *substeps < 1 {
		return usageErr("-substeps = %d: must be >= 1", *substeps)
	}
	if !(*horizon > 0) || math.IsInf(*horizon, 0) {
		return usageErr("-horizon = %v: must be finite and > 0", *horizon)
	}
	switch *engine {
	case "exact", "mc", "auto":
	default:
		return usageErr("-engine = %q: want auto, exact or mc", *engine)
	}
	if err := checkWeakNeed(*cfgPath, cfg, grid, *horizon, *paths, *substeps, *nodes, *engine, set); err != nil {
		return err
	}
	sm, ok := exact.LookupModel(*sdeModel)
	if !ok {
		return usageErr("-model = %q: want %s", *sdeModel, exact.ModelList())
	}
	if !exact.Simulated(sm) && *engine == "mc" {
		return usageErr("-model %s: the exact engine only (-engine exact or auto)", *sdeModel)
	}
	o := weak.Options{Etas: grid, Horizon: *horizon, Paths: *paths, Seed: *seed,
		Substeps: *substeps, Independent: *independent, Workers: *workers, Model: *sdeModel}
	var res *weak.Result
	p := newProgress(stderr, *quiet)
	p.printf("weak error of %s on %d etas (%s) to T = %g ...", cfg.Method, len(grid), *etas, *horizon)
	switch *engine {
	case "exact":
		res, err = weak.Exact(cfg, o, exact.Settings{Nodes: *nodes})
	case "mc":
		res, err = weak.Estimate(cfg, o)
	case "auto":
		if res, err = weak.Exact(cfg, o, exact.Settings{Nodes: *nodes}); err != nil && exact.Simulated(sm) {
			fmt.Fprintf(stderr, "the exact engine does not apply (%v): Monte Carlo\n", err)
			res, err = weak.Estimate(cfg, o)
		}
	}
	if err != nil {
		return usageErr("%s: %v", *cfgPath, err)
	}
	var b bytes.Buffer
	reports.WeakMarkdown(&b, res)
	stdout.Write(reports.Plain(b.Bytes()))
	if res.Model != "" {
		fmt.Fprintf(stdout, "SDE model: %s (docs/math.md 7.3 and 7.4: the SDE models of the exact engine)\n", res.Model)
	}
	for _, u := range res.Unresolved {
		fmt.Fprintf(stdout, "left out, the exact engine could not bound it: %s\n", u)
	}
	if *out != "" {
		return writeJSON(*out, res)
	}
	return nil
}

// modelHelp describes the registered SDE models for -model's help: each
// name and label, the default, and which ones only the exact engine
// computes.
func modelHelp() string {
	def, _ := exact.LookupModel("")
	var parts []string
	for _, m := range exact.Models() {
		p := m.Name() + " (" + m.Label()
		if !exact.Simulated(m) {
			p += ", exact engine only"
		}
		if m.Name() == def.Name() {
			p += ", the default"
		}
		parts = append(parts, p+")")
	}
	return strings.Join(parts, ", ") + "; docs/math.md 7.3 and 7.4"
}

// checkWeakNeed is checkNeed for a weak study: each eta of the grid runs
// horizon/eta steps, by Monte Carlo (paths, the discrete method and the
// SDE at substeps and twice as many: 1 + 3 substeps a step) or by the
// exact engine (nodes, at the same substeps).
func checkWeakNeed(cfgPath string, cfg mc.Config, grid []float64, horizon float64, paths, substeps, nodes int, engine string, set map[string]bool) error {
	var steps float64
	for _, eta := range grid {
		k := horizon / eta
		if k > math.MaxInt32 {
			name := "the config's eta x steps"
			if set["horizon"] {
				name = "-horizon"
			}
			return usageErr("%s = %g over eta = %g (-etas) is %.3g steps: more than %d", name, horizon, eta, k, math.MaxInt32)
		}
		steps += k
	}
	size := newRunSize(cfgPath, cfg, 3)
	size.steps, size.stepsName = steps, "horizon/eta summed over the etas"
	if set["etas"] || set["horizon"] {
		size.stepsName = "-horizon/-etas summed"
	}
	size.paths, size.substeps = float64(paths), float64(1+3*substeps)
	if set["paths"] {
		size.pathsName = "-paths"
	}
	size.cfg.Checkpoints = mc.CheckpointSpec{At: []int{0}}
	if engine != "mc" {
		size.nodes, size.nodesName = float64(nodes), "-nodes"
	}
	if engine == "exact" {
		size.paths = 0
	}
	return checkNeed(size)
}
