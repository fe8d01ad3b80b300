package reports

import (
	"fmt"
	"github.com/sdeverify/sdeverify/model/mc"
	"io"
	"math"
	"strings"

	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/theorems"
	"github.com/sdeverify/sdeverify/theorems/studies"
	"github.com/sdeverify/sdeverify/theorems/weak"
)

// num is Num, the report's measured values (format.go).
func num(x float64) string { return Num(x) }

// maxRatio returns a target's largest estimate/bound ratio over horizons
// whose verdict is not VACUOUS.
func maxRatio(r *theorems.Report, target string) (float64, bool) {
	m, ok := math.Inf(-1), false
	for _, v := range r.Verdicts {
		if v.Target == target && v.Outcome != theorems.Vacuous && v.Outcome != "" {
			m, ok = math.Max(m, v.Ratio), true
		}
	}
	return m, ok
}

// sdeEvidence summarises a report's SDE verdicts for a table row: the
// largest estimated integrator bias in standard errors, and the tails'
// status (analytical in d = 1, else the largest Pareto k).
func sdeEvidence(r *theorems.Report) (bias, tails string) {
	bias, tails = "-", "-"
	worst, kmax := -1.0, math.Inf(-1)
	for _, v := range r.Verdicts {
		if v.Target != "sde" || v.Outcome == "" {
			continue
		}
		if b := v.IntegrationBias; b != nil && v.SE > 0 && !math.IsNaN(b.Mean) {
			worst = math.Max(worst, math.Abs(b.Mean)/v.SE)
		}
		if v.TailK != nil {
			kmax = math.Max(kmax, *v.TailK)
		}
	}
	if worst >= 0 {
		bias = Num2(worst) + " se"
	}
	switch {
	case r.Finiteness != nil:
		tails = fmt.Sprintf("mean %s, variance %s", r.Finiteness.LHS, r.Finiteness.Variance)
	case !math.IsInf(kmax, -1):
		tails = "k ≤ " + Fixed(kmax, 2)
	}
	return bias, tails
}

// ExactSDEText renders how an SDE target was decided from its law.
func ExactSDEText(e *theorems.ExactSDE) string {
	return fmt.Sprintf("in d = 1 the exact engine carries the SDE's law forward by finite differences (here %d nodes on a sinh map of scale %s, reflecting edges at ±%s): no sampling and no integrator bias; its verdicts are deterministic, each LHS with its numerical error", e.Nodes, num(e.Map), num(e.Radius))
}

// verdictLine is one verdict for people (theorems.Verdict.String, in
// this package's formatter).
func verdictLine(v theorems.Verdict) string { return v.String() }

// biasText is a verdict's estimated integrator bias, "b ± e (z se)".
func biasText(v theorems.Verdict) string { return v.BiasText() }

// tailText is the evidence on a verdict's tails: the analytical status
// (d = 1, SDE) or the Pareto tail shape k.
func tailText(v theorems.Verdict, f *theorems.MomentFiniteness) string { return v.TailText(f) }

// seCell is a verdict's uncertainty: the Monte Carlo standard error, or
// the exact engine's numerical error.
func seCell(v theorems.Verdict) string {
	if v.Engine == mc.EngineExact {
		if math.IsInf(v.Estimate, 0) {
			return "-" // infinite analytically: no error to give
		}
		return "±" + Num2(v.NumErr) + " (numerical)"
	}
	return Num2(v.SE)
}

// pathsCell is a verdict's paths ("exact" for the exact engine).
func pathsCell(v theorems.Verdict) string {
	if v.Engine == mc.EngineExact {
		return "exact"
	}
	return fmt.Sprint(v.Paths)
}

// alphaCell is a verdict's false-FAIL probability ("-": deterministic).
func alphaCell(v theorems.Verdict) string {
	if v.Engine == mc.EngineExact {
		return "-"
	}
	return Num2(v.Alpha)
}

// ResolutionText renders a check's SDE integrator record for people.
func ResolutionText(rs *theorems.Resolution) string {
	s := fmt.Sprintf("%d substeps (at most %d in one step), %d paths capped", rs.Substeps.Total, rs.Substeps.MaxPerStep, rs.Substeps.CappedPaths)
	if rs.Refined {
		s += fmt.Sprintf("; refined twins at %d substeps per step, coarse-fine difference up to %s se", rs.RefineSubsteps, Num2(rs.MaxZ))
	}
	if rs.Resolved {
		return s + "; resolved"
	}
	return s + "; UNRESOLVED: " + rs.Reason
}

// PinnedMarkdown writes the pinned set's summary table and its findings,
// each with its explanation and the verdicts of the cases that reproduce
// it (FINDINGS.md).
func PinnedMarkdown(w io.Writer, rs []studies.PinnedResult) {
	PinnedTable(w, rs)
	pinnedFindings(w, rs)
}

// PinnedTable writes the pinned set's summary table.
func PinnedTable(w io.Writer, rs []studies.PinnedResult) {
	fmt.Fprintln(w, "| case | theorem | reading | SDE | discrete | max LHS/bound (SDE, discrete) | SDE integrator bias (max) | SDE tails | as expected |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for _, r := range rs {
		ratio := func(t string) string {
			if m, ok := maxRatio(r.Report, t); ok {
				return num(m)
			}
			return "-"
		}
		ok := "yes"
		if !r.AsWanted {
			ok = "**NO**"
		}
		bias, tails := sdeEvidence(r.Report)
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s, %s | %s | %s | %s |\n", r.Case, r.Theorem, r.Reading, outcomeCell(r.Got["sde"]), outcomeCell(r.Got["discrete"]), ratio("sde"), ratio("discrete"), bias, tails, ok)
	}
}

// outcomeCell is an outcome for a table cell (Missing for none: a target
// the check does not decide).
func outcomeCell(o theorems.Outcome) string {
	if o == "" {
		return Missing
	}
	return string(o)
}

// pinnedFindings writes each finding of the pinned set with the verdicts
// of the cases that reproduce it.
func pinnedFindings(w io.Writer, rs []studies.PinnedResult) {
	seen := map[string]bool{}
	for _, r := range rs {
		if r.Finding == nil || seen[r.Finding.ID] {
			continue
		}
		seen[r.Finding.ID] = true
		fmt.Fprintf(w, "\n### %s: %s\n\n%s\n\nEvidence:\n\n", r.Finding.ID, r.Finding.Title, r.Finding.Explanation)
		for _, r2 := range rs {
			if r2.Finding == nil || r2.Finding.ID != r.Finding.ID {
				continue
			}
			fmt.Fprintf(w, "- `%s` (replay: `%s`):\n", r2.Case, r2.Replay)
			for _, v := range r2.Report.Verdicts {
				if v.Outcome != "" {
					fmt.Fprintf(w, "  - %s\n", verdictLine(v))
				}
			}
		}
	}
}

// ReportMarkdown writes one theorem check's hypotheses and verdicts.
func ReportMarkdown(w io.Writer, r *theorems.Report) {
	fmt.Fprintf(w, "**%s** (%s), %s reading: **%s**\n\n", r.Name, r.Ref, r.Reading, r.Outcome)
	for _, h := range r.Hypotheses {
		mark := "held"
		switch {
		case !h.Held && h.Limit:
			mark = "did not hold (a hypothesis of the limit only)"
		case !h.Held:
			mark = "**did not hold**"
		}
		fmt.Fprintf(w, "- hypothesis %s %s: %s\n", h.Name, mark, h.Detail)
	}
	if r.Resolution != nil {
		fmt.Fprintf(w, "- SDE integrator: %s\n", ResolutionText(r.Resolution))
	}
	if f := r.Finiteness; f != nil {
		fmt.Fprintf(w, "- SDE finiteness (analytical): mean %s, variance %s: %s\n", f.LHS, f.Variance, f.Why)
	}
	if e := r.ExactSDE; e != nil {
		fmt.Fprintf(w, "- SDE decided from its law: %s\n", ExactSDEText(e))
	}
	if r.ExactUndecided != "" {
		fmt.Fprintf(w, "- SDE by Monte Carlo: %s\n", r.ExactUndecided)
	}
	fmt.Fprintln(w, "\n| target | t | outcome | LHS | se | bound | ratio | integrator bias | tails | paths | diverged | alpha |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, v := range r.Verdicts {
		if v.Outcome == "" {
			continue // plotted, not decided
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s |\n", v.Target, Param(v.Time), v.Outcome, num(v.Estimate), seCell(v), num(v.Bound), num(v.Ratio), biasText(v), tailText(v, r.Finiteness), pathsCell(v), v.Diverged, alphaCell(v))
	}
	if r.Replay != "" {
		fmt.Fprintf(w, "\nReplay: `%s`\n", r.Replay)
	}
}

// WeakMarkdown writes a weak-error study: one row per eta with each test
// function's error, the gradient flow's error as a baseline, and the
// relative error of the variance (which only the noise sets); then the
// fitted orders.
func WeakMarkdown(w io.Writer, r *weak.Result) {
	sde := "its SDE"
	if otherModel(r.Model) {
		sde = "its " + r.Model + " SDE model"
	}
	fmt.Fprintf(w, "Weak error of %s against %s, %s, horizon T = %s; %s.", r.Method, sde, weakSource(r), Param(r.Horizon), r.Coupled)
	if r.Reference != "" {
		fmt.Fprintf(w, " Reference: %s.", r.Reference)
	}
	fmt.Fprint(w, "\n\n")
	se := weakSE(r)
	fmt.Fprint(w, "| eta | steps |")
	for _, t := range r.Points[0].Tests {
		fmt.Fprintf(w, " err %s (%s) | gradient flow: err %s (%s) |", cell(t.Test), se, cell(t.Test), se)
	}
	fmt.Fprintf(w, " Var relative error (%s) |\n", weakVarSE(r))
	fmt.Fprint(w, "|---|---|")
	for range r.Points[0].Tests {
		fmt.Fprint(w, "---|---|")
	}
	fmt.Fprintln(w, "---|")
	for _, p := range r.Points {
		fmt.Fprintf(w, "| %s | %d |", Param(p.Eta), p.Steps)
		for i, t := range p.Tests {
			o := p.ODE[i]
			fmt.Fprintf(w, " %s%s | %s%s |", errCell(t), mark(t.Resolved), errCell(o), mark(o.Resolved))
		}
		fmt.Fprintf(w, " %s |\n", WithErr(p.VarRel, p.VarRelSE))
	}
	if anyUnresolved(r) {
		fmt.Fprintf(w, "\n(* within %s, left out of the fit)\n", r.Noise())
	}
	if len(r.Unresolved) > 0 {
		fmt.Fprintf(w, "\nLeft out of every fit, the exact engine could not bound their values: %s.\n", Words(r.Unresolved))
	}
	if r.Functional != "" {
		fmt.Fprintf(w, "\n%s\n", r.Functional)
	}
	fmt.Fprintln(w, "\n| quantity | order | interval | systematic part | local slope | etas used | note |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, f := range append(append([]weak.Fit{}, r.Fits...), r.ODEFits...) {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", cell(f.Test), num(f.Slope), Interval(f.Lo, f.Hi), systematicCell(f), num(f.Local), List(f.Used), cell(f.Note))
	}
	if r.Extended != "" {
		fmt.Fprintf(w, "\nGrid: %s.\n", r.Extended)
	}
	if r.ExactRef != nil {
		fmt.Fprintf(w, "\n%s\n", ExactRefText(r))
	}
	if len(r.ExactChecks) > 0 {
		fmt.Fprintf(w, "\nMonte Carlo against the exact engine: %s\n\n| eta | quantity | Monte Carlo err (se; bias) | exact (numerical error) | z | agree |\n|---|---|---|---|---|---|\n", WeakExactCaption)
		for _, c := range r.ExactChecks {
			fmt.Fprintf(w, "| %s | %s | %s (%s; %s) | %s | %s | %s |\n", Param(c.Eta), cell(weakQuantity(c)), num(c.Err), Num2(c.SE), Num2(c.Bias), WithErr(c.Exact, c.ExactErr), Num2(c.Z), yesNo(c.Agree))
		}
	}
}

// errCell formats a weak error with its error bar: the standard error (or
// numerical error) and, where the reference has one, its integrator bias
// allowance.
func errCell(e weak.Err) string {
	if e.Bias > 0 {
		return fmt.Sprintf("%s (%s; bias %s)", num(e.Err), Num2(e.SE), Num2(e.Bias))
	}
	return WithErr(e.Err, e.SE)
}

// weakQuantity names what a weak study's comparison with the exact engine
// compares: a test function's weak error or its gradient-flow baseline's.
func weakQuantity(c weak.ExactCheck) string {
	if c.GradientFlow {
		return "gradient flow: " + c.Test
	}
	return c.Test
}

// WeakExactCaption describes the comparison of a Monte Carlo weak study
// with the exact engine's.
const WeakExactCaption = "each weak error of the Monte Carlo study (its error bar: the standard error and the SDE reference's " +
	"estimated integrator bias) against the exact engine's at the same eta (no sampling; with its numerical error). They agree " +
	"when |err - exact| <= z se + bias + numerical error: a two-sided z test, Bonferroni over the study's comparisons; " +
	"the report's Monte Carlo studies share a family-wise level of 1e-3, and a disagreement makes the report's status not as expected."

// ExactRefText states the exact engine's result beside a Monte Carlo
// weak study: the order of E f with its interval and err(eta) per eta.
func ExactRefText(r *weak.Result) string {
	x := r.ExactRef
	if x == nil || len(x.Fits) == 0 {
		return ""
	}
	var errs []string
	for _, p := range x.Points {
		if len(p.Tests) > 0 {
			errs = append(errs, fmt.Sprintf("%s: %s", Param(p.Eta), WithErr(p.Tests[0].Err, p.Tests[0].SE)))
		}
	}
	f := x.Fits[0]
	return fmt.Sprintf("The same study by the exact engine (no sampling): order of E[%s] %s, interval %s; err(eta) (numerical error) at eta = %s.",
		f.Test, num(f.Slope), Interval(f.Lo, f.Hi), strings.Join(errs, ", "))
}

// weakSource says where a weak study's numbers come from: the paths and
// seed of a Monte Carlo study, or the exact engine.
func weakSource(r *weak.Result) string {
	if r.Engine == mc.EngineExact {
		return "exact engine"
	}
	return fmt.Sprintf("%d paths, seed %d", r.Paths, r.Seed)
}

// weakSE names a weak study's error bars: standard errors (and the SDE
// reference's integrator bias, where it has one), or the exact engine's
// numerical error estimates.
func weakSE(r *weak.Result) string {
	if r.Engine == mc.EngineExact {
		return "numerical error"
	}
	for _, p := range r.Points {
		for _, e := range p.Tests {
			if e.Bias > 0 {
				return "se; bias"
			}
		}
	}
	return "se"
}

// weakVarSE names the error bars of a weak study's relative error of the
// variance: no bias allowance there (its extrapolated values at 10, 40 and
// 160 substeps agree within their standard errors on the DSGD example).
func weakVarSE(r *weak.Result) string {
	if r.Engine == mc.EngineExact {
		return "numerical error"
	}
	return "se"
}

// cell escapes the pipes of a Markdown table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

// systematicCell is a fit's systematic part, missing when there is no fit.
func systematicCell(f weak.Fit) string {
	if math.IsNaN(f.Slope) {
		return Missing
	}
	return Num2(f.Systematic)
}

// anyUnresolved reports whether a weak study has an error within its
// noise (starred in its table, with a footnote).
func anyUnresolved(r *weak.Result) bool {
	for _, p := range r.Points {
		for i, t := range p.Tests {
			if !t.Resolved || !p.ODE[i].Resolved {
				return true
			}
		}
	}
	return false
}

func mark(resolved bool) string {
	if resolved {
		return ""
	}
	return "*"
}

// ExactCaption describes the table of Monte Carlo runs against the exact
// laws of Figure 1's one-dimensional panels.
const ExactCaption = "Each Monte Carlo series of Figure 1's one-dimensional panels (left and right, both rows) against its law computed by the exact engine " +
	"(no sampling; each exact value with its numerical error): the fraction of paths that diverged against the probability of leaving " +
	"the engine's grid (the discrete method; left: [-1000, 1000], past which a DSGD path does not come back), and the mean of f - f* over " +
	"the live paths at the horizon against the exact conditional mean. \"agree\" is the test at the claims' family-wise level: the " +
	"fraction's Clopper-Pearson interval and the mean's normal interval meet the exact values' intervals. An SDE series is Euler-Maruyama, " +
	"off the SDE by its integrator bias b (O(eta)), estimated by refined twins: its mean is compared as the Richardson extrapolation mean - b, " +
	"with the refined level's bias bound |b/2| + se(b) as an allowance (report.json: bias, extrapolated, bias_allowance). The exact curves are the " +
	"dotted lines of the figure."

// diverged formats a check's diverged fraction (the discrete method's; a
// Monte Carlo SDE path diverges at 1e10, not at the grid's edge).
func diverged(c studies.ExactCheck) string {
	if c.Target != "discrete" {
		return "-"
	}
	return fmt.Sprintf("%d of %d (%s)", c.Diverged, c.Paths, Percent(c.Diverged, c.Paths))
}

// exactValue formats an exact value with its numerical error.
func exactValue(v exact.Value) string {
	return PlusMinus(v.Value, v.Err)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "**NO**"
}
