package reports_test

import (
	"os"

	"github.com/sdeverify/sdeverify/reports"
	"github.com/sdeverify/sdeverify/theorems"
	"github.com/sdeverify/sdeverify/theorems/studies"
)

// ExamplePinnedMarkdown renders one recorded pinned case: its outcomes per
// target, the largest decided LHS/bound of each (0.5 = 1/2 and 1.5 = 3/2
// here, by construction) and whether the outcomes are the expected ones.
func ExamplePinnedMarkdown() {
	rep := &theorems.Report{Verdicts: []theorems.Verdict{
		{Target: "sde", Outcome: theorems.Pass, Estimate: 1, Bound: 2, Ratio: 0.5},
		{Target: "discrete", Outcome: theorems.Fail, Estimate: 3, Bound: 2, Ratio: 1.5},
	}}
	want := map[string]theorems.Outcome{"sde": theorems.Pass, "discrete": theorems.Fail}
	reports.PinnedMarkdown(os.Stdout, []studies.PinnedResult{{Case: "example", Theorem: "thm4", Reading: "pathwise",
		Want: want, Got: want, Report: rep, AsWanted: true}})
	// Output:
	// | case | theorem | reading | SDE | discrete | max LHS/bound (SDE, discrete) | as expected |
	// |---|---|---|---|---|---|---|
	// | example | thm4 | pathwise | PASS | FAIL | 0.5, 1.5 | yes |
}
