package properties

import (
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/sdeverify/sdeverify/internal/testseed"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems"
	"github.com/sdeverify/sdeverify/theorems/studies"
)

// deep is the opt-in tier: more paths and longer horizons.
var deep = os.Getenv("SDEVERIFY_DEEP") != ""

// defaultChecks is rapid's number of checks per property in the default
// tier (rapid's own default, 100, is the deep tier's).
const defaultChecks = 8

// theoremAlpha is the false-FAIL probability of one theorem check inside a
// property; with 12 theorem properties of defaultChecks checks each, the
// family-wise probability of a false FAIL is at most 96 x 1e-7 ~ 1e-5.
const theoremAlpha = 1e-7

func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	shrink, seeded := false, false
	flag.Visit(func(f *flag.Flag) {
		shrink = shrink || f.Name == "rapid.shrinktime"
		seeded = seeded || f.Name == "rapid.seed"
	})
	if !seeded && os.Getenv("RAPID_SEED") == "" {
		// go test ./... is deterministic: a fixed seed unless one is given
		// (-rapid.seed=N explores; make fuzz searches further).
		flag.Set("rapid.seed", testseed.Seed)
	}
	if !set && os.Getenv("RAPID_CHECKS") == "" {
		flag.Set("rapid.checks", fmt.Sprint(defaultChecks))
	}
	if !shrink {
		flag.Set("rapid.shrinktime", "10s") // a theorem check takes up to a second
	}
	checks := flag.Lookup("rapid.checks").Value.String()
	fmt.Printf("properties: %s rapid checks per property, rapid seed %s (deep tier: %v); each theorem check at false-FAIL level %g,\n", checks, flag.Lookup("rapid.seed").Value, deep, theoremAlpha)
	fmt.Printf("  family-wise false-failure budget of this package: %s (see STATISTICS.md)\n", budget())
	code := m.Run()
	printCoverage()
	os.Exit(code)
}

func budget() string {
	n := 0
	fmt.Sscan(flag.Lookup("rapid.checks").Value.String(), &n)
	if testing.Short() {
		n /= 5
	}
	// otherMC is the sum of STATISTICS.md's other rows of this package
	// with small levels (components 3e-6, derived SDE moments 1.6e-7 and
	// 6.4e-7, Monte Carlo against the exact engine 2.4e-6, 2.7e-6 and
	// 4.8e-6); TestPower's nine false-alarm rows are at 1e-3 each.
	const otherMC, power = 1.37e-5, 9e-3
	if testing.Short() {
		return fmt.Sprintf("%.2g (theorem properties: 12 x %d checks x %g; other Monte Carlo properties: %g; TestPower skipped under -short)", 12*float64(n)*theoremAlpha+otherMC, n, theoremAlpha, otherMC)
	}
	return fmt.Sprintf("%.2g (theorem properties: 12 x %d checks x %g; other Monte Carlo properties: %g; TestPower's false-alarm rows: %g)", 12*float64(n)*theoremAlpha+otherMC+power, n, theoremAlpha, otherMC, power)
}

// coverage counts the regimes of the generated theorem checks.
var coverage = struct {
	sync.Mutex
	total int
	n     map[string]int
}{n: map[string]int{}}

func record(regimes ...string) {
	coverage.Lock()
	defer coverage.Unlock()
	coverage.total++
	for _, r := range regimes {
		coverage.n[r]++
	}
}

func printCoverage() {
	coverage.Lock()
	defer coverage.Unlock()
	if coverage.total == 0 {
		return
	}
	var ks []string
	for k := range coverage.n {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	fmt.Printf("coverage of %d generated theorem checks:\n", coverage.total)
	for _, k := range ks {
		fmt.Printf("  %-34s %5.1f%%\n", k, 100*float64(coverage.n[k])/float64(coverage.total))
	}
}

// regimes classifies a generated case for the coverage table.
func regimes(c studies.Case, cfg mc.Config) []string {
	var out []string
	run, err := cfg.Resolve()
	if err != nil {
		return nil
	}
	if run.System.F.Dim() > 1 {
		out = append(out, "d > 1")
	}
	if len(run.System.Agents) > 1 {
		out = append(out, "N > 1")
	}
	if c.Margin > 0.9 {
		out = append(out, "near the boundary (margin > 0.9)")
	}
	s1, om, nu := false, false, false
	for _, a := range cfg.Agents {
		s1 = s1 || a.Noise.Sigma1 > 0
		nu = nu || (a.Noise.Kind == "student-t" && a.Noise.Nu < 2)
		if a.Compressor != nil && a.Compressor.Kind != "identity" {
			om = true
		}
	}
	if s1 {
		out = append(out, "sigma1 > 0")
	}
	if om {
		out = append(out, "omega > 0")
	}
	if nu {
		out = append(out, "nu < 2")
	}
	return out
}

func caseSize() studies.CaseSize {
	if deep {
		return studies.CaseSize{Paths: 1000, MaxSteps: 400, MaxDim: 8, MaxAgents: 8}
	}
	return studies.CaseSize{Paths: 200, MaxSteps: 80, MaxDim: 3, MaxAgents: 3}
}

// theoremProperty is the property of one theorem in one reading: on every
// generated configuration that meets the hypotheses (by construction:
// the theorem's class and its admissible schedule), the SDE's verdict is not
// FAIL. Documented finding regimes are excluded by name: F1 (Thm 7 outside
// Phase 3: the generator keeps the start in Phase 3) and F5 (eq. 6 of Thm 6
// with sigma0 > 0: the generator sets sigma0 = 0 for those two readings;
// thm6-corrected has no exclusion). A FAIL is saved as a counterexample.
func theoremProperty(name, th string, reading theorems.Reading) func(*rapid.T) {
	return func(t *rapid.T) {
		size := caseSize()
		size.Theorem, size.Reading, size.AvoidFindings = th, reading, true
		c, err := studies.GenerateCase(Drawer{t}, size)
		if err != nil {
			t.Fatalf("generate: %v", err)
		}
		reg, err := studies.Expect(c)
		if err == nil && reg == studies.Regime(studies.FindingHeavyTails.ID) {
			// F6 is decided analytically (an infinite left-hand side), not
			// sampled; the pinned case thm4-fig1-left-sigma1 reproduces it.
			t.Skip("F6 regime: the SDE's left-hand side is infinite")
		}
		if err != nil || reg != "" {
			t.Fatalf("generated a case in a documented regime %q (%v): the generator should avoid it", reg, err)
		}
		cfg, o, thm, err := c.Build()
		if err != nil {
			t.Fatalf("build: %v", err)
		}
		record(regimes(c, cfg)...)
		o.Alpha = theoremAlpha
		if !deep && o.SDE == nil {
			// The default tier caps the SDE at 1000 substeps per step (the
			// checker's default is 4000): a generated schedule with a huge
			// rate near the optimum otherwise costs ~40 s for one check. A
			// path at the cap makes the SDE verdict INCONCLUSIVE
			// (unresolved), never PASS or FAIL, so the property loses
			// power on such cases, not soundness.
			o.SDE = &model.ModelSpec{Kind: "sde", Scheme: "em", Substeps: 4, Stiffness: 0.1, MaxSubsteps: 1000}
		}
		rep, err := theorems.Check(thm, cfg, o)
		if err != nil {
			t.Fatalf("check: %v", err)
		}
		if out := rep.TargetOutcome("sde"); out == theorems.Fail {
			p, serr := Save(name, th, reading, cfg, out)
			var worst theorems.Verdict
			for _, v := range rep.Verdicts {
				if v.Target == "sde" && v.Outcome == theorems.Fail {
					worst = v
				}
			}
			t.Fatalf("%s FAILS on the SDE under its hypotheses: %v\nsaved to %s (%v); replay: sdeverify check -theorem %s -reading %s -config properties/%s",
				th, worst, p, serr, th, reading, p)
		}
	}
}

func theoremProps() map[string]func(*rapid.T) {
	m := map[string]func(*rapid.T){}
	for _, th := range []string{"thm4", "thm5", "thm6-eta", "thm6-printed", "thm6-corrected", "thm7"} {
		for _, r := range []theorems.Reading{theorems.Ensemble, theorems.Pathwise} {
			name := fmt.Sprintf("TestTheorem/%s-%s", th, r)
			m[name] = theoremProperty(name, th, r)
		}
	}
	return m
}

func TestTheorem(t *testing.T) {
	props := theoremProps()
	var names []string
	for n := range props {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t.Run(n[len("TestTheorem/"):], func(t *testing.T) {
			t.Parallel()
			rapid.Check(t, props[n])
		})
	}
}

// TestCoverage asserts that the generator reaches every regime the
// properties must cover: over 600 generated cases (math/rand, cheap: no
// simulation) each regime has at least 10% of the cases.
func TestCoverage(t *testing.T) {
	t.Parallel()
	counts := map[string]int{}
	const n = 600
	for j := range n {
		c, err := studies.GenerateCase(drawerFor(uint64(j)), caseSize())
		if err != nil {
			t.Fatal(err)
		}
		cfg, _, _, err := c.Build()
		if err != nil {
			t.Fatalf("case %d: %v", j, err)
		}
		for _, r := range regimes(c, cfg) {
			counts[r]++
		}
	}
	for _, r := range []string{"d > 1", "N > 1", "near the boundary (margin > 0.9)", "sigma1 > 0", "omega > 0", "nu < 2"} {
		share := float64(counts[r]) / n
		t.Logf("%-34s %5.1f%%", r, 100*share)
		if share < 0.1 || math.IsNaN(share) {
			t.Errorf("regime %q has only %.1f%% of the generated cases (want >= 10%%)", r, 100*share)
		}
	}
}
