package main

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/reports"
	"github.com/sdeverify/sdeverify/theorems/weak"
)

func cmdWeak(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("weak", "weak -config FILE [-engine auto|exact|mc] [-etas 0.1,0.05,...] [-horizon T] [-paths N] [-substeps M] [-json OUT]", stderr)
	cfgPath := fs.String("config", "", "experiment configuration (JSON): objective, agents, method, x0, a clock schedule")
	etas := fs.String("etas", "0.1,0.05,0.025,0.0125", "comma-separated eta grid")
	horizon := fs.Float64("horizon", 2, "time horizon T")
	paths := fs.Int("paths", 10000, "Monte Carlo paths per eta")
	substeps := fs.Int("substeps", 10, "SDE reference substeps per optimiser step")
	seed := fs.Uint64("seed", 1, "seed")
	independent := fs.Bool("independent", false, "do not couple the discrete and SDE noise")
	out := fs.String("json", "", "write the result as JSON")
	engine := fs.String("engine", "auto", "exact (one dimension, constant schedule: no Monte Carlo), mc (Monte Carlo), or auto: exact where it applies")
	workers := fs.Int("workers", 0, "goroutines (0: all cores)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *cfgPath == "" {
		return usageErr("-config is required (see -h)")
	}
	var grid []float64
	for _, s := range strings.Split(*etas, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || !(v > 0) {
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
	if !(*horizon > 0) {
		return usageErr("-horizon = %v: must be > 0", *horizon)
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	o := weak.Options{Etas: grid, Horizon: *horizon, Paths: *paths, Seed: *seed,
		Substeps: *substeps, Independent: *independent, Workers: *workers}
	var res *weak.Result
	switch *engine {
	case "exact":
		res, err = weak.Exact(cfg, o, exact.Settings{})
	case "mc":
		res, err = weak.Estimate(cfg, o)
	case "auto":
		if res, err = weak.Exact(cfg, o, exact.Settings{}); err != nil {
			fmt.Fprintf(stderr, "the exact engine does not apply (%v): Monte Carlo\n", err)
			res, err = weak.Estimate(cfg, o)
		}
	default:
		return usageErr("-engine = %q: want auto, exact or mc", *engine)
	}
	if err != nil {
		return usageErr("%s: %v", *cfgPath, err)
	}
	var b bytes.Buffer
	reports.WeakMarkdown(&b, res)
	stdout.Write(b.Bytes())
	if *out != "" {
		return writeJSON(*out, res)
	}
	return nil
}
