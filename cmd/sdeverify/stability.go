package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/reports"
	"github.com/sdeverify/sdeverify/theorems/stability"
)

// stabilityFlagOf names the flag behind a field of stability.Spec.
var stabilityFlagOf = map[string]string{
	"etas": "-etas", "horizon": "-horizon", "radii": "-radius", "level": "-level", "factor": "-factor",
	"axis": "-axis", "values": "-values", "models": "-models", "refine": "-refine", "nodes": "-nodes", "workers": "-workers",
}

func cmdStability(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("stability", "stability -config FILE [-etas LO:HI:N|E1,E2,...] [-level Q] [-radius R1,R2,...] [-horizon T] [-axis sigma0|sigma1|scale|omega -values V1,V2,...] [-models discrete,sde] [-refine N] [-json OUT]", stderr)
	cfgPath := fs.String("config", "", "one-dimensional experiment configuration (JSON) with a constant schedule: objective, agents, method, x0")
	etas := fs.String("etas", "", "step sizes: LO:HI:N (N steps log-spaced from LO to HI) or a comma-separated list (default: the config's eta/10 to 10 eta, 12 steps)")
	level := fs.Float64("level", stability.DefaultLevel, "the divergence level q in (0, 1) of the critical step eta*(q) = min {eta : p(eta, R) >= q}")
	radius := fs.String("radius", "100,1000", "comma-separated thresholds R: p(eta, R) is the probability of reaching |x| >= R by the horizon")
	horizon := fs.Float64("horizon", 0, "time horizon T: each eta runs round(T/eta) steps (default: the config's eta x steps)")
	axis := fs.String("axis", "", "a parameter to vary on every agent: sigma0, sigma1 (Gaussian noise), scale (Student-t) or omega (Bernoulli compression, dcsgd)")
	values := fs.String("values", "", "comma-separated values of -axis")
	models := fs.String("models", "", "comma-separated models (default: every one the exact engine derives for the configuration, the others listed as skipped): "+strings.Join(stability.ModelNames(), ", "))
	refine := fs.Int("refine", 4, "log-bisection rounds on each critical step's bracket")
	factor := fs.Float64("factor", 2, "an SDE model captures the discrete method's step-size restriction when its critical step is within this factor of the discrete method's")
	nodes := fs.Int("nodes", 0, "exact engine's grid nodes (0: 1200 per asinh(1000/0.05) of a sinh map; DSignSGD's uniform grid as the engine resolves it)")
	workers := fs.Int("workers", 0, "goroutines (0: all cores)")
	out := fs.String("json", "", "write the map as JSON")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *cfgPath == "" {
		return usageErr("-config is required (see -h)")
	}
	if err := checkOutFile("-json", *out); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !(*level > 0 && *level < 1) {
		return usageErr("-level = %v: must be in (0, 1)", *level)
	}
	if !(*factor > 1) || math.IsInf(*factor, 0) {
		return usageErr("-factor = %v: must be finite and > 1", *factor)
	}
	if set["horizon"] && (!(*horizon > 0) || math.IsInf(*horizon, 0)) {
		return usageErr("-horizon = %v: must be finite and > 0", *horizon)
	}
	if *refine < 0 || *refine > 20 {
		return usageErr("-refine = %d: must be in 0..20", *refine)
	}
	if *nodes != 0 && (*nodes < 16 || *nodes > 40000) {
		return usageErr("-nodes = %d: must be in 16..40000 (0: the default)", *nodes)
	}
	if *workers < 0 {
		return usageErr("-workers = %d: must be >= 0 (0: all cores)", *workers)
	}
	radii, err := floatList("-radius", *radius, false)
	if err != nil {
		return err
	}
	var vals []float64
	if *axis != "" || *values != "" {
		if *axis == "" {
			return usageErr("-values needs -axis")
		}
		if *values == "" {
			return usageErr("-axis %s needs -values", *axis)
		}
		if vals, err = floatList("-values", *values, true); err != nil {
			return err
		}
	}
	var ms []string
	for _, m := range strings.Split(*models, ",") {
		if *models == "" {
			break
		}
		m = strings.TrimSpace(m)
		if _, ok := stability.ModelByName(m); !ok {
			return usageErr("-models: %q is not a model (want %s)", m, strings.Join(stability.ModelNames(), ", "))
		}
		ms = append(ms, m)
	}
	var grid []float64
	if set["etas"] {
		if grid, err = etaGrid(*etas); err != nil {
			return err
		}
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if !set["etas"] {
		if !(cfg.Eta > 0) || math.IsInf(cfg.Eta, 0) {
			return usageErr("%s: eta = %v: the default grid is eta/10 to 10 eta, which needs eta > 0 (or give -etas)", *cfgPath, cfg.Eta)
		}
		grid = logSpaced(cfg.Eta/10, cfg.Eta*10, 12)
	}
	if !set["horizon"] {
		*horizon = cfg.Eta * float64(cfg.Steps)
		if !(*horizon > 0) || math.IsInf(*horizon, 0) {
			return usageErr("%s: eta x steps = %v: the default horizon must be > 0 (or give -horizon)", *cfgPath, *horizon)
		}
	}
	spec := stability.Spec{Config: cfg, Etas: grid, Horizon: *horizon, Radii: radii, Level: *level, Factor: *factor,
		Axis: *axis, Values: vals, Models: ms, Refine: *refine, Nodes: *nodes, Workers: *workers}
	if err := spec.Validate(); err != nil {
		var fe *model.FieldError
		if errors.As(err, &fe) && stabilityFlagOf[fe.Field] != "" {
			return usageErr("%s = %v: %s", stabilityFlagOf[fe.Field], fe.Value, fe.Rule)
		}
		return usageErr("%v", err)
	}
	m, err := stability.Compute(spec)
	if err != nil {
		return usageErr("%s: %v", *cfgPath, err)
	}
	var b bytes.Buffer
	reports.StabilityMarkdown(&b, m)
	stdout.Write(reports.Plain(b.Bytes()))
	if *out != "" {
		return writeJSON(*out, m)
	}
	return nil
}

// floatList parses a comma-separated list of finite numbers, > 0 (or >= 0
// when zero is allowed), naming the flag in its error.
func floatList(name, s string, zero bool) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || (v == 0 && !zero) {
			want := "a positive number"
			if zero {
				want = "a number >= 0"
			}
			return nil, usageErr("%s: %q is not %s", name, f, want)
		}
		out = append(out, v)
	}
	return out, nil
}

// etaGrid parses -etas: LO:HI:N, N >= 2 log-spaced steps from LO to HI,
// or a comma-separated list.
func etaGrid(s string) ([]float64, error) {
	parts := strings.Split(s, ":")
	if len(parts) == 1 {
		return floatList("-etas", s, false)
	}
	if len(parts) != 3 {
		return nil, usageErr("-etas = %q: want LO:HI:N or a comma-separated list", s)
	}
	lohi, err := floatList("-etas", parts[0]+","+parts[1], false)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(parts[2]))
	if err != nil || n < 2 || n > 200 {
		return nil, usageErr("-etas = %q: N = %q must be an integer in 2..200", s, parts[2])
	}
	if !(lohi[1] > lohi[0]) {
		return nil, usageErr("-etas = %q: HI must exceed LO", s)
	}
	return logSpaced(lohi[0], lohi[1], n), nil
}

func logSpaced(lo, hi float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = lo * math.Pow(hi/lo, float64(i)/float64(n-1))
	}
	return out
}

func init() { commands["stability"] = cmdStability }
