package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sdeverify/sdeverify/examples"
	"github.com/sdeverify/sdeverify/internal/parallel"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/reports"
	"github.com/sdeverify/sdeverify/theorems"
	"github.com/sdeverify/sdeverify/theorems/studies"
	"github.com/sdeverify/sdeverify/theorems/weak"
)

// progress prints to stderr when it is a terminal and -q is not set.
type progress struct {
	w     io.Writer
	on    bool
	start time.Time
}

func newProgress(stderr io.Writer, quiet bool) *progress {
	on := false
	if f, ok := stderr.(*os.File); ok && !quiet {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			on = true
		}
	}
	return &progress{w: stderr, on: on, start: time.Now()}
}

func (p *progress) Write(b []byte) (int, error) {
	if p.on {
		fmt.Fprintf(p.w, "[%6.1fs] %s", time.Since(p.start).Seconds(), b)
	}
	return len(b), nil
}

func (p *progress) printf(format string, a ...any) { fmt.Fprintf(p, format+"\n", a...) }

// reportTask is one independent task of the report, run on workers
// goroutines.
type reportTask struct {
	name string
	run  func(workers int) error
}

// weakExactAlpha is the family-wise false-alarm probability of the
// comparisons of the report's Monte Carlo weak studies with the exact
// engine's (weak.Result.CheckExact), split evenly over the studies: the
// level of Figure 1's comparisons with its exact laws.
const weakExactAlpha = 1e-3

// mcWeakExamples are the examples whose weak-error study the report also
// runs by Monte Carlo, beside the exact engine's.
var mcWeakExamples = []string{"weak-dsgd-sigma1-0.1.json", "weak-dsgd-sigma1-1.json"}

// mcWeak is the report's Monte Carlo weak-error study of examples/name on
// the example's eta grid; with exactRef, the exact engine's study beside it
// as well (the report otherwise takes the one it runs for the example).
func mcWeak(name string, paths int, seed uint64, exactRef bool, workers int) (*weak.Result, error) {
	c, etas, horizon, err := weakExample(name)
	if err != nil {
		return nil, err
	}
	w, err := weak.Estimate(c, weak.Options{Etas: etas, Horizon: horizon, Paths: paths, Seed: seed, Workers: workers})
	if err != nil {
		return nil, fmt.Errorf("examples/%s: %w", name, err)
	}
	w.Label = fmt.Sprintf("%s, Monte Carlo, %d paths (examples/%s; exact engine dotted)", c.Method, paths, name)
	if exactRef {
		if w.ExactRef, err = exampleWeak(name, workers); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// weakExample reads examples/name and its weak study's eta grid and horizon.
func weakExample(name string) (c mc.Config, etas []float64, horizon float64, err error) {
	b, err := examples.Read(name)
	if err != nil {
		return c, nil, 0, err
	}
	if c, err = mc.ParseConfig(b); err != nil {
		return c, nil, 0, fmt.Errorf("examples/%s: %w", name, err)
	}
	etas, horizon = weakGrid(c)
	return c, etas, horizon, nil
}

// exampleWeak is the exact engine's weak-error study of examples/name.
func exampleWeak(name string, workers int) (*weak.Result, error) {
	c, etas, horizon, err := weakExample(name)
	if err != nil {
		return nil, err
	}
	w, err := weak.Exact(c, weak.Options{Etas: etas, Horizon: horizon, Workers: workers}, exact.Settings{Nodes: 2400})
	if err != nil {
		return nil, fmt.Errorf("examples/%s: %w", name, err)
	}
	w.Label = fmt.Sprintf("%s, exact engine (examples/%s)", c.Method, name)
	return w, nil
}

func parseScale(s string) (studies.Scale, error) {
	switch s {
	case "small":
		return studies.SmallScale, nil
	case "paper":
		return studies.PaperScale, nil
	}
	return studies.Scale{}, usageErr("-scale = %q: want small or paper", s)
}

func cmdReport(args []string, stdout, stderr io.Writer) error {
	o, err := parseReportFlags(args, stderr)
	if err != nil {
		return err
	}
	stabTasks, putStability, err := stabilityTasks(o.stability, o.seed)
	if err != nil {
		return err
	}
	if o.cpuprofile != "" {
		stop, err := startCPUProfile(o.cpuprofile)
		if err != nil {
			return err
		}
		defer stop()
	}
	p := newProgress(stderr, o.quiet)
	r := &reports.Report{Command: "sdeverify report " + strings.Join(args, " "),
		Settings: map[string]any{"scale": o.sc.Name, "seed": o.seed, "campaign": o.campaign, "pinned": o.pinned, "weak_paths": o.weakPaths, "stability": o.stability, "rule_search": o.ruleSearch}}
	rr := newReportRun(o, stabTasks)
	if err := rr.run(o, r, p); err != nil {
		return err
	}
	rr.assemble(r, putStability)
	if b, err := os.ReadFile(o.power); err == nil {
		r.Power = json.RawMessage(b)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	p.printf("writing %s ...", o.out)
	if err := reports.Write(o.out, r); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: index.html, report.md, report.json, figures/ (%s)\nStatus: %s\n", o.out, plural(r.Summary.Fails, "failure report"), r.StatusLine())
	if !r.OK() {
		return &exitError{code: 1, err: notAsExpected(r)}
	}
	return nil
}

// reportOptions is the report command's flags, validated.
type reportOptions struct {
	out, pinned, stability, power, cpuprofile string
	sc                                        studies.Scale
	seed                                      uint64
	campaign, weakPaths, ruleSearch, workers  int
	weakExact, exactForward, quiet            bool
}

// parseReportFlags parses and checks the report command's flags.
func parseReportFlags(args []string, stderr io.Writer) (*reportOptions, error) {
	fs := newFlags("report", "report [-out DIR] [-scale small|paper] [-seed N] [-campaign N] [-pinned all|short|none] [-stability small|paper|none] [-rule-search N] [-cpuprofile FILE] [-q]", stderr)
	out := fs.String("out", "reports/out", "output folder (index.html, report.md, report.json, figures/)")
	scaleName := fs.String("scale", "small", "Figure 1 scale: small or paper (App. B's paths)")
	seed := fs.Uint64("seed", 1, "seed of Figure 1, the campaign and the weak-error studies")
	campaign := fs.Int("campaign", 8, "random cases in the campaign (0: none)")
	pinned := fs.String("pinned", "all", "pinned set: all, short or none")
	weakPaths := fs.Int("weak-paths", 10000, "paths of each Monte Carlo weak-error study (0: none)")
	stabilityLevel := fs.String("stability", "small", "stability maps of the paper's methods in d = 1 by the exact engine: small (7 steps over [0.001, 1], the two smallest thresholds), paper (12 steps, every threshold, and Figure 1 centre-top's SDE explosion probability: several minutes more) or none")
	weakExact := fs.Bool("weak-exact", true, "the weak-error studies of examples/weak-*.json by the exact engine (all three methods)")
	exactForward := fs.Bool("exact-forward", true, "Figure 1: also the bottom row's exact laws, carried forward in time (-exact-forward=false skips them: a few seconds less on 2 cores)")
	power := fs.String("power", "properties/testdata/power.json", "the false-alarm and detection table written by the properties tests (missing: not shown)")
	ruleSearch := fs.Int("rule-search", 1000, "update rules beyond the paper: random configurations per bound in the counterexample search (0: the pinned cases only)")
	quiet := fs.Bool("q", false, "no progress on stderr")
	workers := fs.Int("workers", 0, "goroutines (0: all cores)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	if err := fs.parse(args); err != nil {
		return nil, err
	}
	sc, err := parseScale(*scaleName)
	if err != nil {
		return nil, err
	}
	if *pinned != "all" && *pinned != "short" && *pinned != "none" {
		return nil, usageErr("-pinned = %q: want all, short or none", *pinned)
	}
	if *campaign < 0 || *weakPaths < 0 {
		return nil, usageErr("-campaign and -weak-paths must be >= 0")
	}
	if *ruleSearch < 0 || *ruleSearch > 10_000_000 {
		return nil, usageErr("-rule-search = %d: must be in [0, 1e7] (0: the pinned cases only; each configuration takes about 0.2 ms per bound)", *ruleSearch)
	}
	if err := checkOutDir("-out", *out); err != nil {
		return nil, err
	}
	return &reportOptions{out: *out, pinned: *pinned, stability: *stabilityLevel, power: *power, cpuprofile: *cpuprofile, sc: sc, seed: *seed,
		campaign: *campaign, weakPaths: *weakPaths, ruleSearch: *ruleSearch, workers: *workers, weakExact: *weakExact, exactForward: *exactForward, quiet: *quiet}, nil
}

// reportRun is the report's tasks and the slots their results go to.
type reportRun struct {
	tasks       []reportTask
	exNames     []string // the exact engine's weak studies (examples/)
	exWeak      []*weak.Result
	mcNames     []string // the Monte Carlo weak studies
	mcRes       []*weak.Result
	pinnedRes   []studies.PinnedResult
	campaignRes [][]studies.CampaignResult
	updateRules *reports.UpdateRules
}

// newReportRun lists the report's tasks besides Figure 1, the longest
// kinds first: the stability maps, the weak studies, the pinned cases,
// the campaign cases and the update rules.
func newReportRun(o *reportOptions, stabTasks []reportTask) *reportRun {
	rr := &reportRun{tasks: stabTasks} // the longest tasks first
	if o.weakExact {
		rr.exNames = examples.Weak()
	}
	rr.exWeak = make([]*weak.Result, len(rr.exNames))
	for i, name := range rr.exNames {
		rr.tasks = append(rr.tasks, reportTask{"weak error, examples/" + name + ", exact engine", func(workers int) (err error) {
			rr.exWeak[i], err = exampleWeak(name, workers)
			return err
		}})
	}
	if o.weakPaths > 0 {
		rr.mcNames = mcWeakExamples
	}
	rr.mcRes = make([]*weak.Result, len(rr.mcNames))
	for i, name := range rr.mcNames {
		rr.tasks = append(rr.tasks, reportTask{"weak error, examples/" + name + ", Monte Carlo", func(workers int) (err error) {
			rr.mcRes[i], err = mcWeak(name, o.weakPaths, o.seed, !o.weakExact, workers)
			return err
		}})
	}
	var pinnedCases []studies.Case
	if o.pinned != "none" {
		for _, c := range studies.Pinned() {
			if o.pinned == "all" || c.Short {
				pinnedCases = append(pinnedCases, c)
			}
		}
	}
	rr.pinnedRes = make([]studies.PinnedResult, len(pinnedCases))
	for i, c := range pinnedCases {
		rr.tasks = append(rr.tasks, reportTask{"checking " + c.Name, func(workers int) (err error) {
			rr.pinnedRes[i], err = c.Run(workers)
			return err
		}})
	}
	rr.campaignRes = make([][]studies.CampaignResult, o.campaign)
	for j := range o.campaign {
		rr.tasks = append(rr.tasks, reportTask{fmt.Sprintf("campaign case %d of %d", j, o.campaign), func(workers int) (err error) {
			rr.campaignRes[j], err = studies.Campaign(o.campaign, o.seed, j, o.campaign, studies.CaseSize{}, theorems.Options{Alpha: 1e-3, Workers: workers})
			return err
		}})
	}
	rr.tasks = append(rr.tasks, reportTask{"update rules beyond the paper", func(int) (err error) {
		rr.updateRules, err = reports.ComputeUpdateRules(o.ruleSearch, o.seed)
		return err
	}})
	return rr
}

// run computes Figure 1 into r beside the pool of the other tasks.
//
// The stages are independent: Figure 1 (on all workers) runs beside a
// pool of the other tasks (weak studies, pinned cases, campaign cases),
// each on one worker and the longest kinds first, so that both cores
// stay busy through the short tasks' tails. Every task's numbers are
// independent of its worker count, and the results are assembled in
// their usual order: the report is the one a run stage by stage gives.
func (rr *reportRun) run(o *reportOptions, r *reports.Report, p *progress) error {
	var f1err error
	done := make(chan struct{})
	figure1 := func() {
		defer close(done)
		p.printf("Figure 1 at %s scale ...", o.sc.Name)
		r.Figure1, f1err = studies.Figure1(o.sc, studies.Figure1Options{Seed: o.seed, Workers: o.workers, ExactForward: o.exactForward})
		p.printf("Figure 1 at %s scale: done", o.sc.Name)
	}
	if o.workers == 1 {
		figure1() // one goroutine asked for: one thing at a time
	} else {
		go figure1()
	}
	errs := make([]error, len(rr.tasks))
	parallel.ForEach(len(rr.tasks), o.workers, func(i int) {
		p.printf("%s ...", rr.tasks[i].name)
		errs[i] = rr.tasks[i].run(1)
	})
	<-done
	return errors.Join(append([]error{f1err}, errs...)...)
}

// assemble puts the tasks' results into r in their usual order: the
// pinned cases, the update rules, the stability maps (putStability), the
// findings the pinned cases confirm, the campaign, the weak studies (each
// Monte Carlo one checked against the exact engine's where there is one).
func (rr *reportRun) assemble(r *reports.Report, putStability func(*reports.Report)) {
	r.Pinned = rr.pinnedRes
	r.UpdateRules = rr.updateRules
	putStability(r)
	seen := map[string]bool{}
	for _, c := range r.Pinned {
		if c.Finding != nil && !seen[c.Finding.ID] {
			seen[c.Finding.ID] = true
			r.Findings = append(r.Findings, *c.Finding)
		}
	}
	for _, cs := range rr.campaignRes {
		r.Campaign = append(r.Campaign, cs...)
	}
	for i, name := range rr.mcNames {
		if j := slices.Index(rr.exNames, name); j >= 0 {
			rr.mcRes[i].ExactRef = rr.exWeak[j] // the same study: computed once
		}
		rr.mcRes[i].CheckExact(weakExactAlpha / float64(len(rr.mcNames)))
	}
	r.Weak = append(append(r.Weak, rr.mcRes...), rr.exWeak...)
	if len(r.Weak) > 0 {
		r.Findings = append(r.Findings, *studies.FindingWeakDivergence) // each weak study states its truncated functional
	}
}

// notAsExpected is the error of a report whose outcomes are not as
// expected: what changed, by name.
func notAsExpected(r *reports.Report) error {
	s := r.Summary
	var parts []string
	add := func(what string, names []string) {
		if len(names) > 0 {
			parts = append(parts, what+": "+reports.Words(names))
		}
	}
	add("pinned outcomes changed", s.PinnedMismatches)
	add("new violations", s.NewViolations)
	add("Monte Carlo off the exact engine", append(append([]string{}, s.ExactDisagreements...), s.WeakExactDisagreements...))
	return errors.New(strings.Join(parts, "; "))
}

func cmdFigure1(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("figure1", "figure1 [-scale small|paper] [-seed N] [-out DIR] [-no-sde] [-exact-forward=false] [-bench [-runs N]] [-cpuprofile FILE] [-q]", stderr)
	scaleName := fs.String("scale", "paper", "small or paper (App. B's paths)")
	seed := fs.Uint64("seed", 1, "seed")
	out := fs.String("out", "", "write a report folder with the figure and the claims")
	noSDE := fs.Bool("no-sde", false, "discrete methods only")
	bench := fs.Bool("bench", false, "time the discrete methods: wall time, peak memory, the random-number floor, the ratio, the 1 -> 2 worker speed-up")
	quiet := fs.Bool("q", false, "no progress on stderr")
	workers := fs.Int("workers", 0, "goroutines (0: all cores)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	runs := fs.Int("runs", 1, "with -bench: how many timed runs (the range of their ratios is printed)")
	exactForward := fs.Bool("exact-forward", true, "also the bottom row's exact laws, carried forward in time (-exact-forward=false skips them: a few seconds less on 2 cores)")
	if err := fs.parse(args); err != nil {
		return err
	}
	sc, err := parseScale(*scaleName)
	if err != nil {
		return err
	}
	if *cpuprofile != "" {
		stop, err := startCPUProfile(*cpuprofile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if *runs < 1 {
		return usageErr("-runs %d: must be >= 1", *runs)
	}
	if *bench {
		return benchFigure1(sc, *seed, *workers, *runs, stdout)
	}
	if *out != "" {
		if err := checkOutDir("-out", *out); err != nil {
			return err
		}
	}
	p := newProgress(stderr, *quiet)
	p.printf("Figure 1 at %s scale ...", sc.Name)
	start := time.Now()
	f1, err := studies.Figure1(sc, studies.Figure1Options{Seed: *seed, Workers: *workers, NoSDE: *noSDE, ExactForward: *exactForward})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Figure 1 (%s scale, seed %d) in %.1fs:\n", sc.Name, *seed, time.Since(start).Seconds())
	bad := 0
	for _, c := range f1.Claims {
		fmt.Fprintf(stdout, "%-13s %-8s %-12s %s\n    %s\n", c.Panel, c.Target, c.Outcome, c.Statement, c.Evidence)
		if c.Outcome == theorems.Fail && c.Finding == "" {
			bad++
		}
	}
	if *out != "" {
		if err := reports.Write(*out, &reports.Report{Command: "sdeverify figure1 " + strings.Join(args, " "), Settings: map[string]any{"scale": sc.Name, "seed": *seed}, Figure1: f1}); err != nil {
			return err
		}
	}
	if bad > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of Figure 1's claims are contradicted by the data", bad)}
	}
	return nil
}

// shardFromEnv returns the shard i/n that a scheduler's job array gives
// this process: Slurm's SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of
// SLURM_ARRAY_TASK_COUNT, or a Kubernetes Indexed Job's
// JOB_COMPLETION_INDEX of SDEVERIFY_SHARDS (Kubernetes does not export the
// completion count: set it in the pod spec to .spec.completions); "0/1"
// when neither is set.
func shardFromEnv(getenv func(string) string) (string, error) {
	num := func(name string) (int, error) {
		v, err := strconv.Atoi(getenv(name))
		if err != nil {
			return 0, fmt.Errorf("%s = %q: not an integer", name, getenv(name))
		}
		return v, nil
	}
	if getenv("SLURM_ARRAY_TASK_ID") != "" {
		id, err := num("SLURM_ARRAY_TASK_ID")
		if err != nil {
			return "", err
		}
		n, err := num("SLURM_ARRAY_TASK_COUNT")
		if err != nil {
			return "", err
		}
		lo := 0
		if getenv("SLURM_ARRAY_TASK_MIN") != "" {
			if lo, err = num("SLURM_ARRAY_TASK_MIN"); err != nil {
				return "", err
			}
		}
		return fmt.Sprintf("%d/%d", id-lo, n), nil
	}
	if getenv("JOB_COMPLETION_INDEX") != "" {
		id, err := num("JOB_COMPLETION_INDEX")
		if err != nil {
			return "", err
		}
		n, err := num("SDEVERIFY_SHARDS")
		if err != nil {
			return "", fmt.Errorf("JOB_COMPLETION_INDEX is set but %v: set SDEVERIFY_SHARDS to the job's completions", err)
		}
		return fmt.Sprintf("%d/%d", id, n), nil
	}
	return "0/1", nil
}

// campaignAlpha is the false-alarm probability of each campaign case's
// check (theorems.Options.Alpha).
const campaignAlpha = 1e-3

// verifyAfterCase, when set (by tests), is called after each case that
// verify computes and saves, with the number of cases done so far; an
// error stops the run there, as an interruption would.
var verifyAfterCase func(done int) error

func cmdVerify(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify", "verify [-n N] [-seed S] [-paths P] [-shard i/n] [-json OUT [-resume]] [-only J [-out DIR]] [-q]", stderr)
	n := fs.Int("n", 20, "random cases in the campaign")
	seed := fs.Uint64("seed", 1, "campaign seed: case j draws from the stream (seed, j)")
	shard := fs.String("shard", "", "run the cases j with j mod n = i, as i/n (default: from a Slurm job array, SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT, or from a Kubernetes Indexed Job, JOB_COMPLETION_INDEX of SDEVERIFY_SHARDS; else 0/1)")
	only := &caseFlag{}
	fs.Var(only, "only", "run only case `J` (replay: prints its full verdict table)")
	outDir := fs.String("out", "", "with -only: write a report folder with the case (and its failure report with plots if it FAILs)")
	paths := fs.Int("paths", 400, "paths per case")
	out := fs.String("json", "", "write the shard as JSON, with the campaign's identity (input of 'sdeverify merge'); until it is written, each finished case is saved in OUT.cases")
	resume := fs.Bool("resume", false, "with -json OUT: continue an interrupted run from the cases saved in OUT.cases (refused if they are of another campaign or shard)")
	quiet := fs.Bool("q", false, "no progress on stderr")
	workers := fs.Int("workers", 0, "goroutines (0: all cores)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *shard == "" {
		s, err := shardFromEnv(os.Getenv)
		if err != nil {
			return usageErr("%v", err)
		}
		*shard = s
	}
	var i, k int
	if _, err := fmt.Sscanf(*shard, "%d/%d", &i, &k); err != nil || k < 1 || i < 0 || i >= k {
		return usageErr("-shard = %q: want i/n with 0 <= i < n", *shard)
	}
	if *n < 1 || *paths < 2 {
		return usageErr("-n and -paths must be positive")
	}
	if err := checkOutFile("-json", *out); err != nil {
		return err
	}
	if *resume && *out == "" {
		return usageErr("-resume needs -json OUT (the finished cases are saved in OUT.cases)")
	}
	if *resume && only.index() >= 0 {
		return usageErr("-resume continues a campaign; -only = %d replays one case", only.index())
	}
	if *outDir != "" {
		if only.index() < 0 {
			return usageErr("-out needs -only (a report of one replayed case; 'sdeverify merge' reports a campaign)")
		}
		if err := checkOutDir("-out", *outDir); err != nil {
			return err
		}
	}
	if only.index() >= *n {
		return usageErr("-only = %d: must be < -n = %d", only.index(), *n)
	}
	p := newProgress(stderr, *quiet)
	size := studies.CaseSize{Paths: *paths}
	opts := theorems.Options{Alpha: campaignAlpha, Workers: *workers}
	id := newCampaignID(*seed, *n, size, campaignAlpha)
	sh := shardID{Index: i, Count: k}
	var rs []studies.CampaignResult
	if only.index() >= 0 {
		sh = shardID{Only: only.j}
		r, err := studies.CampaignCase(*n, *seed, only.index(), size, opts)
		if err != nil {
			return err
		}
		rs = append(rs, r)
	} else {
		var st *caseState
		if *out != "" {
			var err error
			if st, err = openState(*out, id, sh, *resume, stderr); err != nil {
				return err
			}
		}
		total := (*n - i + k - 1) / k
		if st != nil && len(st.done) > 0 {
			p.printf("campaign: cases %d mod %d of %d: %d of %d saved in %s", i, k, *n, len(st.done), total, st.dir)
		} else {
			p.printf("campaign: cases %d mod %d of %d ...", i, k, *n)
		}
		for j := i; j < *n; j += k {
			if st != nil {
				if r, ok := st.done[j]; ok {
					rs = append(rs, r)
					continue
				}
			}
			r, err := studies.CampaignCase(*n, *seed, j, size, opts)
			if err != nil {
				return err
			}
			rs = append(rs, r)
			if st != nil {
				if err := st.save(id, sh, r); err != nil {
					return err
				}
			}
			p.printf("case %d: done (%d of %d)", j, len(rs), total)
			if verifyAfterCase != nil {
				if err := verifyAfterCase(len(rs)); err != nil {
					return err
				}
			}
		}
	}
	var newv []string
	fmt.Fprintf(stdout, "%4s %-14s %-9s %-12s %-12s %s\n", "case", "theorem", "reading", "SDE", "discrete", "finding")
	for _, r := range rs {
		if r.Report == nil {
			fmt.Fprintf(stdout, "%4d %-14s skipped: %s\n", r.Index, r.Case.Theorem, r.Skipped)
			continue
		}
		fmt.Fprintf(stdout, "%4d %-14s %-9s %-12s %-12s %s\n", r.Index, r.Case.Theorem, r.Case.Reading,
			outcomeText(r.Report.TargetOutcome("sde")), outcomeText(r.Report.TargetOutcome("discrete")), reports.Words(nonEmpty(reports.CampaignFinding(r))))
		if only.index() >= 0 {
			var b bytes.Buffer
			fmt.Fprintln(&b)
			reports.ReportMarkdown(&b, r.Report)
			stdout.Write(reports.Plain(b.Bytes()))
		}
		if r.New {
			newv = append(newv, fmt.Sprintf("%s (replay: %s)", r.Case.Name, r.Replay))
		}
	}
	status := &reports.Report{Campaign: rs}
	status.Summarize()
	fmt.Fprintf(stdout, "Status: %s\n", status.StatusLine())
	if *out != "" {
		if err := writeShard(*out, &shardFile{Campaign: id, Shard: sh, Cases: rs}); err != nil {
			return err
		}
		if only.index() < 0 {
			if err := os.RemoveAll(stateDir(*out)); err != nil {
				return err
			}
		}
	}
	if *outDir != "" {
		rep := &reports.Report{Command: "sdeverify verify " + strings.Join(args, " "), Settings: map[string]any{"n": *n, "seed": *seed, "only": only.index(), "paths": *paths}, Campaign: rs}
		if err := reports.Write(*outDir, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nwrote %s (index.html, report.md, report.json, figures/)\n", *outDir)
	}
	if len(newv) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("new violations: %s", strings.Join(newv, "; "))}
	}
	return nil
}

func cmdMerge(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("merge", "merge -out DIR [-partial] SHARD.json...", stderr)
	out := fs.String("out", "", "output folder (required: merge never writes over the main report by default)")
	partial := fs.Bool("partial", false, "merge even if some cases are missing (a shard not given); shards of different campaigns (seed, n, paths, case sizes, sdeverify build) are refused always")
	if err := fs.FlagSet.Parse(args); err != nil {
		return fs.parse(args) // the one-line error
	}
	files := fs.Args()
	if len(files) == 0 {
		return usageErr("give the shard files written by 'sdeverify verify -json' (see -h)")
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil && strings.HasPrefix(f, "-") {
			return usageErr("%s after the shard files: flags go first (see -h)", f)
		}
	}
	if *out == "" {
		return usageErr("-out is required (see -h)")
	}
	if err := checkOutDir("-out", *out); err != nil {
		return err
	}
	m, err := mergeShards(files)
	if err != nil {
		return usageErr("%v", err)
	}
	if len(m.missing) > 0 && !*partial {
		return usageErr("incomplete: %s (give every shard, or -partial)", m.missingText())
	}
	id := m.id
	r := &reports.Report{Command: "sdeverify merge " + strings.Join(args, " "),
		Settings: map[string]any{"seed": id.Seed, "n": id.N, "paths": id.Paths, "suite": id.Suite, "shards": len(files), "cases": len(m.cases)},
		Campaign: m.cases}
	if err := reports.Write(*out, r); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "merged %s from %s into %s", plural(len(m.cases), "case"), plural(len(files), "shard"), *out)
	if len(m.missing) > 0 {
		fmt.Fprintf(stdout, " (-partial: %s)", m.missingText())
	}
	fmt.Fprintf(stdout, "\nStatus: %s\n", r.StatusLine())
	if !r.OK() {
		return &exitError{code: 1, err: notAsExpected(r)}
	}
	return nil
}

// outcomeText is an outcome in a table: "-" for a target not decided.
func outcomeText(o theorems.Outcome) string {
	if o == "" {
		return "-"
	}
	return string(o)
}

// nonEmpty is the names that are not "".
func nonEmpty(names ...string) []string {
	var out []string
	for _, n := range names {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// plural is "1 case", "2 cases".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// mergedShards is the union of a campaign's shard files.
type mergedShards struct {
	id      campaignID
	cases   []studies.CampaignResult // by index
	missing []int                    // indices below n in no shard
	// shardsMissing names the shards i/k not given, when every file is a
	// shard of the same k.
	shardsMissing []string
}

func (m *mergedShards) missingText() string {
	var c []string
	for _, j := range m.missing {
		if len(c) == 10 {
			c = append(c, "...")
			break
		}
		c = append(c, strconv.Itoa(j))
	}
	t := fmt.Sprintf("%d of the campaign's %s missing (%s)", len(m.missing), plural(m.id.N, "case"), strings.Join(c, ", "))
	if len(m.shardsMissing) > 0 {
		t += fmt.Sprintf(": shard %s not given", strings.Join(m.shardsMissing, ", "))
	}
	return t
}

// mergeShards reads shard files and joins their cases. It refuses, in one
// line naming the field and the two values, shards of different
// campaigns (seed, n, paths, the case sizes, alpha, the suite's version);
// a file given twice, a shard given twice, and a case in two shards.
func mergeShards(files []string) (*mergedShards, error) {
	var m mergedShards
	var firstName string
	givenAs := map[string]string{} // absolute path: as given
	shardOf := map[string]string{} // shard: file
	caseIn := map[int]string{}     // case index: file
	counts := map[int]bool{}
	anyOnly := false
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		if prev, dup := givenAs[abs]; dup {
			if prev == f {
				return nil, fmt.Errorf("%s is given twice", f)
			}
			return nil, fmt.Errorf("%s and %s are the same file", prev, f)
		}
		givenAs[abs] = f
		sf, err := readShard(f)
		if err != nil {
			return nil, err
		}
		if firstName == "" {
			firstName, m.id = f, sf.Campaign
		} else if err := m.id.differ(firstName, sf.Campaign, f); err != nil {
			return nil, err
		}
		if prev, dup := shardOf[sf.Shard.String()]; dup {
			return nil, fmt.Errorf("%s and %s are both shard %s of the campaign (the same shard twice)", prev, f, sf.Shard)
		}
		shardOf[sf.Shard.String()] = f
		if sf.Shard.Only != nil {
			anyOnly = true
		} else {
			counts[sf.Shard.Count] = true
		}
		for _, r := range sf.Cases {
			if prev, dup := caseIn[r.Index]; dup {
				return nil, fmt.Errorf("case %d is in both %s and %s (overlapping shards)", r.Index, prev, f)
			}
			caseIn[r.Index] = f
			m.cases = append(m.cases, r)
		}
	}
	sort.Slice(m.cases, func(a, b int) bool { return m.cases[a].Index < m.cases[b].Index })
	for j := range m.id.N {
		if _, ok := caseIn[j]; !ok {
			m.missing = append(m.missing, j)
		}
	}
	if len(counts) == 1 && !anyOnly && len(m.missing) > 0 {
		for k := range counts {
			for i := range k {
				if s := (shardID{Index: i, Count: k}).String(); shardOf[s] == "" {
					m.shardsMissing = append(m.shardsMissing, s)
				}
			}
		}
	}
	return &m, nil
}
