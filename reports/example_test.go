package reports_test

import (
	"fmt"
	"math"
	"os"

	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/reports"
	"github.com/sdeverify/sdeverify/theorems"
	"github.com/sdeverify/sdeverify/theorems/studies"
)

// ExamplePinnedMarkdown renders one recorded pinned case: its outcomes per
// target, the largest decided LHS/bound of each (0.5 = 1/2 and 1.5 = 3/2
// here, by construction), the SDE's largest integrator bias in standard
// errors (0.1/0.5 = 0.2) and its tails' evidence (the Pareto k), and whether
// the outcomes are the expected ones.
func ExamplePinnedMarkdown() {
	k := 0.12
	rep := &theorems.Report{Verdicts: []theorems.Verdict{
		{Target: "sde", Outcome: theorems.Pass, Estimate: 1, Bound: 2, Ratio: 0.5, SE: 0.5, IntegrationBias: &mc.Stat{Mean: -0.1, SE: 0.01, N: 100}, TailK: &k},
		{Target: "discrete", Outcome: theorems.Fail, Estimate: 3, Bound: 2, Ratio: 1.5},
	}}
	want := map[string]theorems.Outcome{"sde": theorems.Pass, "discrete": theorems.Fail}
	reports.PinnedMarkdown(os.Stdout, []studies.PinnedResult{{Case: "example", Theorem: "thm4", Reading: "pathwise",
		Want: want, Got: want, Report: rep, AsWanted: true}})
	// Output:
	// | case | theorem | reading | SDE | discrete | max LHS/bound (SDE, discrete) | SDE integrator bias (max) | SDE tails | as expected |
	// |---|---|---|---|---|---|---|---|---|
	// | example | thm4 | pathwise | PASS | FAIL | 0.5, 1.5 | 0.2 se | k ≤ 0.12 | yes |
}

// ExampleNum shows the formatter every output uses: measured values with 4
// significant digits and error bars with 2, configured values without
// float noise, infinity and missing values for people, intervals and lists
// without Go's syntax.
func ExampleNum() {
	inf, nan := math.Inf(1), math.NaN()
	fmt.Println(reports.Num(1.1547005383792517), reports.Num2(0.000123456), reports.Num(17790.4))
	fmt.Println(reports.Param(0.15000000000000002), reports.List([]float64{0.05, 0.025, 0.0125}))
	fmt.Println(reports.PlusMinus(3.9164, 0.0031), reports.WithErr(inf, nan), reports.Interval(nan, nan))
	// Output:
	// 1.155 0.00012 1.779e4
	// 0.15 0.05, 0.025, 0.0125
	// 3.916 ± 0.0031 ∞ -
}
