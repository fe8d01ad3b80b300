package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/sdeverify/sdeverify/internal/atomicfile"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/reports"
	"github.com/sdeverify/sdeverify/theorems"
	"github.com/sdeverify/sdeverify/theorems/studies"
)

func loadConfig(path string) (mc.Config, error) {
	b, err := readConfig(path)
	if err != nil {
		return mc.Config{}, err
	}
	c, err := mc.ParseConfig(b)
	if err == nil {
		err = configZeros(b)
	}
	if err != nil {
		return mc.Config{}, usageErr("%s: %v", path, err)
	}
	return c, nil
}

func cmdCheck(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", "check -theorem ID -config FILE [-reading ensemble|pathwise] [-margin M [-decay inv-sqrt|inv]] [-sde-engine auto|exact|montecarlo] [-json OUT]", stderr)
	thID := fs.String("theorem", "", "the theorem: "+theoremIDs())
	cfgPath := fs.String("config", "", "experiment configuration (JSON)")
	reading := fs.String("reading", "ensemble", "admissibility reading: ensemble (G_t = ensemble mean) or pathwise")
	eps := fs.Float64("eps", 0.5, "eps in (0,1) of Thms 4-6")
	ell := fs.Float64("ell", 0, "ell_nu of Thm 7, in (0, 2 Xi_nu(1)]: the slope of a line under 2 Xi_nu on [0, 1] (docs/math.md section 3; 0: 2 Xi_nu(1), the largest)")
	alpha := fs.Float64("alpha", 1e-3, "probability of a false FAIL over the whole check, in (0, 1)")
	margin := fs.Float64("margin", 0, "if > 0, replace the schedule by the theorem's admissible one with eta eta_t = margin x threshold (0: the config's schedule)")
	decay := fs.String("decay", "", "with -margin: multiply by a clock decay (inv-sqrt or inv)")
	maxPaths := fs.Int("max-paths", 0, "double the paths of INCONCLUSIVE verdicts up to this many (0: never)")
	out := fs.String("json", "", "write the report as JSON")
	workers := fs.Int("workers", 0, "goroutines (0: all cores)")
	quiet := fs.Bool("q", false, "no progress on stderr (shown only on a terminal)")
	engine := fs.String("sde-engine", "auto", "the SDE's: auto (in d = 1 its law by the exact engine, Monte Carlo where that leaves a verdict INCONCLUSIVE; Monte Carlo elsewhere), exact (the law alone where it applies) or montecarlo")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *thID == "" || *cfgPath == "" {
		return usageErr("-theorem and -config are required (see -h)")
	}
	sdeEngine := map[string]mc.Engine{"auto": "", "exact": mc.EngineExact, "montecarlo": mc.EngineMonteCarlo}
	if _, ok := sdeEngine[*engine]; !ok {
		return usageErr("-sde-engine = %q: want auto, exact or montecarlo", *engine)
	}
	th, err := theorems.ByID(*thID)
	if err != nil {
		return usageErr("-theorem: %v", err)
	}
	switch {
	case !(*eps > 0 && *eps < 1):
		return usageErr("-eps = %v: must be in (0, 1)", *eps)
	case !(*alpha > 0 && *alpha < 1):
		return usageErr("-alpha = %v: must be in (0, 1)", *alpha)
	case !(*ell >= 0) || math.IsInf(*ell, 0):
		return usageErr("-ell = %v: must be > 0 (or 0 for 2 Xi_nu(1))", *ell)
	case *ell != 0 && !th.UsesEll:
		return usageErr("-ell = %v: ell_nu is Thm 7's (thm7), not %s's", *ell, th.ID)
	case !(*margin >= 0) || math.IsInf(*margin, 0):
		return usageErr("-margin = %v: must be > 0 (or 0 for the config's schedule)", *margin)
	case *decay != "" && *margin == 0:
		return usageErr("-decay = %q: needs -margin", *decay)
	case *maxPaths < 0:
		return usageErr("-max-paths = %d: must be >= 0 (0: never double)", *maxPaths)
	case *workers < 0:
		return usageErr("-workers = %d: must be >= 0 (0: all cores)", *workers)
	}
	if err := checkOutFile("-json", *out); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	// Both targets, each with refined twins (an SDE's substeps at least
	// the check's 4), the paths doubled up to -max-paths (twice the last
	// level in all).
	size := newRunSize(*cfgPath, cfg, 2)
	size.runs, size.substeps, size.pathValues = 2, max(size.substeps, 4), true
	if *maxPaths > cfg.Paths {
		size.paths, size.pathsName, size.runs = float64(*maxPaths), "-max-paths", 4
	}
	if err := checkNeed(size); err != nil {
		return err
	}
	if *ell != 0 {
		if err := checkEll(*cfgPath, cfg, *ell); err != nil {
			return err
		}
	}
	replay := "sdeverify check " + strings.Join(args, " ")
	o := theorems.Options{Eps: *eps, Ell: *ell, Reading: theorems.Reading(*reading), Alpha: *alpha, MaxPaths: *maxPaths, Workers: *workers, Replay: replay, SDEEngine: sdeEngine[*engine]}
	if *margin > 0 {
		var d *model.ScheduleSpec
		switch *decay {
		case "":
		case "inv-sqrt", "inv":
			d = &model.ScheduleSpec{Kind: *decay}
		default:
			return usageErr("-decay = %q: want inv-sqrt or inv", *decay)
		}
		s, err := theorems.AdmissibleSchedule(th, cfg, o, *margin, d)
		if err != nil {
			return usageErr("%v", err)
		}
		cfg.Schedule = s
	}
	p := newProgress(stderr, *quiet)
	sdeHow := "with refined twins"
	if cfg.Objective.Dimension() == 1 && *engine != "montecarlo" {
		sdeHow = "in d = 1 by its law where the exact engine applies"
	}
	p.printf("checking %s (%s reading) on the SDE (%s) and the discrete method, %d paths ...", th.ID, *reading, sdeHow, cfg.Paths)
	rep, err := theorems.Check(th, cfg, o)
	if err != nil {
		return usageErr("%v", err)
	}
	p.printf("done: %s", rep.Outcome)
	var b bytes.Buffer
	reports.ReportMarkdown(&b, rep)
	stdout.Write(reports.Plain(b.Bytes()))
	if *out != "" {
		if err := writeJSON(*out, rep); err != nil {
			return err
		}
	}
	if rep.Outcome == theorems.Fail {
		return &exitError{code: 1, err: fmt.Errorf("%s FAILS on %s (replay: %s)", th.ID, *cfgPath, replay)}
	}
	return nil
}

// checkEll refuses an ell_nu above 2 Xi_nu(1) for the config's nu: the
// largest l with 2 Xi_nu(y) >= l y on [0, 1] (docs/math.md section 3), so
// that a larger one is not a lower bound the proof can use and its
// verdicts would mean nothing.
func checkEll(cfgPath string, cfg mc.Config, ell float64) error {
	run, err := cfg.Resolve()
	if err != nil {
		return usageErr("%s: %v", cfgPath, err)
	}
	for _, a := range run.System.Agents {
		t, ok := a.Noise.(model.TScaler)
		if !ok {
			continue // Thm 7's noise-class hypothesis says why
		}
		nu, _ := t.TScale()
		if !(nu > 0) {
			continue
		}
		if top := noise.EllNu(nu); ell > top {
			return usageErr("-ell = %v: more than 2 Xi_nu(1) = %s for the config's nu = %s, the largest ell_nu with 2 Xi_nu(y) >= ell_nu y on [0, 1] (docs/math.md section 3)", ell, reports.Param(top), reports.Param(nu))
		}
	}
	return nil
}

// theoremIDs lists every theorem ID, for the flags' help.
func theoremIDs() string {
	var ids []string
	for _, t := range theorems.All() {
		ids = append(ids, t.ID)
	}
	return strings.Join(ids, ", ")
}

func cmdPinned(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("pinned", "pinned [-short] [-run SUBSTRING] [-md OUT] [-json OUT]", stderr)
	short := fs.Bool("short", false, "only the cases marked short")
	run := fs.String("run", "", "only cases whose name contains this")
	md := fs.String("md", "", "write the Markdown summary to this file")
	out := fs.String("json", "", "write the results as JSON")
	workers := fs.Int("workers", 0, "goroutines (0: all cores)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if err := checkOutFile("-md", *md); err != nil {
		return err
	}
	if err := checkOutFile("-json", *out); err != nil {
		return err
	}
	rs, err := runPinned(*short, *run, *workers, stderr)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	reports.PinnedMarkdown(&b, rs)
	if !*short && *run == "" {
		reports.UnpinnedFindingsMarkdown(&b, rs) // the whole set: also the findings no case reproduces (FINDINGS.md)
	}
	stdout.Write(reports.Plain(b.Bytes()))
	if *md != "" {
		if err := atomicfile.Write(*md, b.Bytes()); err != nil {
			return err
		}
	}
	if *out != "" {
		if err := writeJSON(*out, rs); err != nil {
			return err
		}
	}
	for _, r := range rs {
		if !r.AsWanted {
			return &exitError{code: 1, err: fmt.Errorf("case %s: got %s, want %s (replay: %s)", r.Case, reports.Outcomes(r.Got), reports.Outcomes(r.Want), r.Replay)}
		}
	}
	return nil
}

// runPinned checks the pinned set (each case at studies.PinnedAlpha, as
// the tests).
func runPinned(short bool, run string, workers int, progress io.Writer) ([]studies.PinnedResult, error) {
	var rs []studies.PinnedResult
	for _, c := range studies.Pinned() {
		if (short && !c.Short) || !strings.Contains(c.Name, run) {
			continue
		}
		fmt.Fprintf(progress, "checking %s ...\n", c.Name)
		r, err := c.Run(workers)
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, nil
}
