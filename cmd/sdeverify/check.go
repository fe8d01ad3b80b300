package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sdeverify/sdeverify/internal/atomicfile"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/reports"
	"github.com/sdeverify/sdeverify/theorems"
	"github.com/sdeverify/sdeverify/theorems/studies"
)

func loadConfig(path string) (mc.Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return mc.Config{}, usageErr("%v", err)
	}
	defer f.Close()
	c, err := mc.DecodeConfig(f)
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
	ell := fs.Float64("ell", 0, "ell_nu of Thm 7 (0: 2 Xi_nu(1))")
	alpha := fs.Float64("alpha", 1e-3, "probability of a false FAIL over the whole check")
	margin := fs.Float64("margin", 0, "if > 0, replace the schedule by the theorem's admissible one with eta eta_t = margin x threshold")
	decay := fs.String("decay", "", "with -margin: multiply by a clock decay (inv-sqrt or inv)")
	maxPaths := fs.Int("max-paths", 0, "double the paths of INCONCLUSIVE verdicts up to this many")
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
	sdeEngine := map[string]string{"auto": "", "exact": theorems.EngineExact, "montecarlo": theorems.EngineMonteCarlo}
	if _, ok := sdeEngine[*engine]; !ok {
		return usageErr("-sde-engine = %q: want auto, exact or montecarlo", *engine)
	}
	th, err := theorems.ByID(*thID)
	if err != nil {
		return usageErr("-theorem: %v", err)
	}
	if err := checkOutFile("-json", *out); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if err := checkMemory(*cfgPath, cfg, 2); err != nil {
		return err
	}
	replay := "sdeverify check " + strings.Join(args, " ")
	o := theorems.Options{Eps: *eps, Ell: *ell, Reading: *reading, Alpha: *alpha, MaxPaths: *maxPaths, Workers: *workers, Replay: replay, SDEEngine: sdeEngine[*engine]}
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
			return &exitError{code: 1, err: fmt.Errorf("case %s: got %v, want %v (replay: %s)", r.Case, r.Got, r.Want, r.Replay)}
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
