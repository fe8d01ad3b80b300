package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/sdeverify/sdeverify/internal/jsonfinite"
	"github.com/sdeverify/sdeverify/internal/parallel"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/properties"
	"github.com/sdeverify/sdeverify/theorems"
	"github.com/sdeverify/sdeverify/theorems/stability"
	"github.com/sdeverify/sdeverify/theorems/studies"
	"github.com/sdeverify/sdeverify/theorems/weak"
)

// SchemaVersion is the version of report.json's schema (see SCHEMA.md).
const SchemaVersion = 1

// Report is everything a verification report shows, as recorded by the runs
// that produced it. Rendering it never simulates.
type Report struct {
	Schema   int                      `json:"schema"`
	Command  string                   `json:"command"`  // the command that produced it
	Settings map[string]any           `json:"settings"` // scale, seeds, sizes
	Figure1  *studies.Figure1Result   `json:"figure1,omitempty"`
	Pinned   []studies.PinnedResult   `json:"pinned,omitempty"`
	Campaign []studies.CampaignResult `json:"campaign,omitempty"`
	Weak     []*weak.Result           `json:"weak,omitempty"`
	Power    json.RawMessage          `json:"power,omitempty"` // the false-alarm and detection table, as the properties tests wrote it
	Findings []studies.Finding        `json:"findings,omitempty"`
	// Stability holds the stability maps (issue 27: where each method and
	// its SDE models part ways) and Explosion Figure 1 centre-top's SDE
	// explosion probability per omega and reading (paper scale only).
	Stability []StabilityEntry         `json:"stability,omitempty"`
	Explosion []stability.ExplosionRow `json:"explosion,omitempty"`
	// UpdateRules: the bounds of the update rules beyond the paper and
	// clipping's bias (updaterulessection.go).
	UpdateRules *UpdateRules `json:"update_rules,omitempty"`
	Summary     Summary      `json:"summary"`
}

// Summary counts the report's outcomes.
type Summary struct {
	Verdicts         map[string]int `json:"verdicts"` // decided verdicts by outcome
	Figure1Claims    map[string]int `json:"figure1_claims"`
	PinnedMismatches []string       `json:"pinned_mismatches"`
	NewViolations    []string       `json:"new_violations"` // campaign cases with an SDE FAIL outside every documented finding
	// ExactDisagreements names the Figure 1 series whose Monte Carlo run
	// disagrees with its exact law (studies.ExactCheck).
	ExactDisagreements []string `json:"exact_disagreements"`
	// WeakExactDisagreements names the weak errors of the Monte Carlo weak
	// studies that disagree with the exact engine's (weak.ExactCheck).
	WeakExactDisagreements []string `json:"weak_exact_disagreements"`
	Fails                  int      `json:"fails"` // failure reports included
	// Checks counts the theorem checks (one per pinned or campaign
	// configuration; Verdicts counts their checkpoints), CheckOutcomes
	// them by target ("sde", "discrete") and outcome.
	Checks        int                       `json:"checks"`
	CheckOutcomes map[string]map[string]int `json:"check_outcomes"`
	// UnexplainedFails names the FAILs (theorem checks, Figure 1 claims)
	// that no documented finding explains.
	UnexplainedFails []string `json:"unexplained_fails"`
}

// OK reports whether every outcome is as expected: no pinned case changed,
// no new violation, and Monte Carlo agrees with every exact law (Figure 1's
// and the weak studies').
func (r *Report) OK() bool {
	return len(r.Summary.PinnedMismatches) == 0 && len(r.Summary.NewViolations) == 0 && r.OffExact() == 0
}

// OffExact counts the Monte Carlo results that disagree with the exact
// engine: Figure 1's series and the weak studies' errors.
func (r *Report) OffExact() int {
	return len(r.Summary.ExactDisagreements) + len(r.Summary.WeakExactDisagreements)
}

// Summarize fills r.Summary from the recorded results.
func (r *Report) Summarize() {
	s := Summary{Verdicts: map[string]int{}, Figure1Claims: map[string]int{}, PinnedMismatches: []string{}, NewViolations: []string{}, ExactDisagreements: []string{}, WeakExactDisagreements: []string{}}
	count := func(rep *theorems.Report) {
		for _, v := range rep.Verdicts {
			if v.Outcome != "" {
				s.Verdicts[string(v.Outcome)]++
			}
		}
	}
	for _, p := range r.Pinned {
		count(p.Report)
		if !p.AsWanted {
			s.PinnedMismatches = append(s.PinnedMismatches, p.Case)
		}
	}
	for _, c := range r.Campaign {
		if c.Report != nil {
			count(c.Report)
		}
		if c.New {
			s.NewViolations = append(s.NewViolations, c.Case.Name)
		}
	}
	if r.Figure1 != nil {
		for _, c := range r.Figure1.Claims {
			s.Figure1Claims[string(c.Outcome)]++
		}
		for _, c := range r.Figure1.Exact {
			if !c.Agree {
				s.ExactDisagreements = append(s.ExactDisagreements, c.Panel+" "+c.Series+" "+c.Target)
			}
		}
	}
	for _, w := range r.Weak {
		for _, c := range w.Disagreements() {
			s.WeakExactDisagreements = append(s.WeakExactDisagreements, fmt.Sprintf("%s: eta %s, %s", weakTitle(w), Param(c.Eta), weakQuantity(c)))
		}
	}
	r.summarizeUpdateRules(&s)
	s.Fails = len(r.failures())
	s.Checks, s.CheckOutcomes = r.checkOutcomes()
	s.UnexplainedFails = append([]string{}, r.unexplained()...)
	r.Summary = s
	// Every finding the report shows evidence of, in order (F1, F2, ...),
	// in report.json as in report.md and index.html.
	fs := r.findings()
	r.Findings = nil
	for _, f := range fs {
		r.Findings = append(r.Findings, f.Finding)
	}
}

// failure is one check with a FAIL verdict, for a failure report.
type failure struct {
	ID, Title, Replay, Config, Why string
	Regime                         string
	Finding                        string // the finding that explains it ("": none)
	Report                         *theorems.Report
}

// FindingEntry is one finding as the report lists it: the finding and the
// failure reports that are its evidence.
type FindingEntry struct {
	studies.Finding
	Failures []string // failure report IDs
}

// findings returns every finding the report shows evidence of (pinned
// cases, Figure 1's claims, the campaign's regimes), in the order of their
// numbers (F1, F2, ...), each with its failure reports.
func (r *Report) findings() []FindingEntry {
	ids := map[string]bool{}
	for _, f := range r.Findings {
		ids[f.ID] = true
	}
	if r.Figure1 != nil {
		for _, c := range r.Figure1.Claims {
			if c.Finding != "" {
				ids[c.Finding] = true
			}
		}
	}
	fails := r.failures()
	var out []FindingEntry
	for _, f := range studies.Findings {
		var evid []string
		for _, fl := range fails {
			if fl.Finding == f.ID {
				evid = append(evid, fl.ID)
			}
		}
		if ids[f.ID] || len(evid) > 0 {
			out = append(out, FindingEntry{Finding: *f, Failures: evid})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return findingNumber(out[i].ID) < findingNumber(out[j].ID) })
	return out
}

// findingNumber is n of an ID "Fn-...".
func findingNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(strings.SplitN(id, "-", 2)[0], "F"))
	return n
}

// weakTitle is a weak-error study's heading.
func weakTitle(w *weak.Result) string {
	t := w.Method
	if w.Label != "" {
		t = w.Label
	}
	if otherModel(w.Model) {
		t += ", against the " + w.Model + " SDE model"
	}
	return t
}

// otherModel reports whether a weak study's SDE model (its registered
// name; "" is the default) is one other than the method's own SDE, which
// the texts then name: a model the registry marks as the method's SDE
// (exact.Simulated) is not, and a name this binary does not know is.
func otherModel(name string) bool {
	if name == "" {
		return false
	}
	m, ok := exact.LookupModel(name)
	return !ok || !exact.Simulated(m)
}

func (r *Report) failures() []failure {
	var out []failure
	for _, p := range r.Pinned {
		if p.Report.Outcome == theorems.Fail {
			why, fid := p.Why, ""
			if p.Finding != nil {
				fid = p.Finding.ID
			}
			out = append(out, failure{ID: p.Case, Title: p.Report.Name, Replay: p.Replay, Config: cfgJSON(p.Report), Why: why, Finding: fid, Report: p.Report})
		}
	}
	for _, c := range r.Campaign {
		if c.Report != nil && c.Report.Outcome == theorems.Fail {
			out = append(out, failure{ID: c.Case.Name, Title: c.Report.Name, Replay: c.Replay, Config: cfgJSON(c.Report), Why: campaignWhy(c), Regime: campaignRegime(c), Finding: campaignRegime(c), Report: c.Report})
		}
	}
	return out
}

// campaignRegime is the documented finding a campaign case is filed
// under, the same in its table row and its failure report: the regime the
// campaign expected, or F4 when only the discrete method fails while the
// SDE's estimate stays below its bound (F4: the SDE bound holds and does
// not transfer to the discrete method), decided (PASS) or not
// (INCONCLUSIVE below the bound, which the failure report says). A
// discrete FAIL beside an SDE whose estimate reaches the bound (paths at
// the integrator's floor, an infinite estimate) is no finding ("").
func campaignRegime(c studies.CampaignResult) string {
	if c.Regime != "" {
		return string(c.Regime)
	}
	if c.Report != nil && c.Report.TargetOutcome("discrete") == theorems.Fail && c.Report.TargetOutcome("sde") != theorems.Fail && sdeBelowBound(c.Report) {
		return FindingDiscreteID
	}
	return ""
}

// CampaignFinding is the finding a campaign case is filed under, as the
// report files it ("" for none): the regime the campaign expected, or F4
// for a discrete FAIL beside an SDE below its bound. A command's own table
// of the campaign should use it, so that it agrees with the report.
func CampaignFinding(c studies.CampaignResult) string { return campaignRegime(c) }

// campaignWhy explains a campaign FAIL's filing for its failure report.
func campaignWhy(c studies.CampaignResult) string {
	r := c.Report
	sde, disc := r.TargetOutcome("sde"), r.TargetOutcome("discrete")
	switch {
	case c.Regime != "":
		return fmt.Sprintf("The campaign expected this case in the regime of %s.", ShortID(string(c.Regime)))
	case sde == theorems.Fail:
		return "The SDE fails outside every documented finding: a new violation."
	case disc != theorems.Fail:
		return ""
	case campaignRegime(c) == "":
		return fmt.Sprintf("The discrete method fails (up to %s times the bound) while the SDE is %s with its estimate up to %s times the bound: "+
			"no documented finding explains it (F4 needs the SDE below its bound). Not a violation of the theorems, which bound the SDE.",
			Num(maxTargetRatio(r, "discrete")), sde, Num(maxTargetRatio(r, "sde")))
	case sde == theorems.Pass:
		return fmt.Sprintf("The discrete method fails (up to %s times the bound) while the SDE passes (up to %s times): %s.",
			Num(maxTargetRatio(r, "discrete")), Num(maxTargetRatio(r, "sde")), ShortID(FindingDiscreteID))
	}
	return fmt.Sprintf("The discrete method fails (up to %s times the bound) while the SDE's estimate stays below the bound (up to %s times; %s: "+
		"not decided at the check's level): %s, the discrete method's own O(eta) term, with the SDE's side of it not established here.",
		Num(maxTargetRatio(r, "discrete")), Num(maxTargetRatio(r, "sde")), sde, ShortID(FindingDiscreteID))
}

// FindingDiscreteID is the finding that covers FAILs of the discrete
// methods, which the theorems do not claim to bound.
var FindingDiscreteID = studies.FindingDiscreteBoundary.ID

func cfgJSON(r *theorems.Report) string {
	b, _ := json.MarshalIndent(r.Config, "", "  ")
	return string(b)
}

// Write renders r into dir: index.html (self-contained, figures inline as
// SVG), report.md, report.json and figures/*.svg, *.png. The folder is
// built beside dir and swapped in at the end, so dir holds a whole report or
// the previous one.
func Write(dir string, r *Report) error {
	r.Schema = SchemaVersion
	r.Summarize()
	figs, err := r.figures()
	if err != nil {
		return err
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Mkdir(filepath.Join(tmp, "figures"), 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, f := range figs {
		if err := os.WriteFile(filepath.Join(tmp, "figures", f.Name+".svg"), f.SVG, 0o644); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		if err := os.WriteFile(filepath.Join(tmp, "figures", f.Name+".png"), f.PNG, 0o644); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	js, err := jsonfinite.MarshalIndent(r, "", " ")
	if err != nil {
		return fmt.Errorf("report: encode: %w", err)
	}
	var md, page bytes.Buffer
	r.markdown(&md)
	if err := r.html(&page, figs); err != nil {
		return err
	}
	for name, b := range map[string][]byte{"report.json": append(js, '\n'), "report.md": md.Bytes(), "index.html": page.Bytes()} {
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o644); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	old := tmp + ".old"
	if _, err := os.Stat(dir); err == nil {
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return os.RemoveAll(old)
}

// figures renders the report's figures, on all cores (each figure is
// independent; the order is fixed).
func (r *Report) figures() ([]Figure, error) {
	var jobs []func() (Figure, error)
	if r.Figure1 != nil {
		jobs = append(jobs, func() (Figure, error) { return Figure1Figure(r.Figure1) })
	}
	for i, w := range r.Weak {
		jobs = append(jobs, func() (Figure, error) { return WeakFigure(fmt.Sprintf("weak-%d", i), w) })
	}
	for _, e := range r.Stability {
		jobs = append(jobs, func() (Figure, error) { return StabilityFigure(e.ID, e.Map) })
	}
	for _, f := range r.failures() {
		jobs = append(jobs,
			func() (Figure, error) { return BoundFigure("fail-"+f.ID+"-bound", f.Report) },
			func() (Figure, error) { return FanFigure("fail-"+f.ID+"-fan", f.Report) })
	}
	figs := make([]Figure, len(jobs))
	errs := make([]error, len(jobs))
	parallel.ForEach(len(jobs), 0, func(i int) { figs[i], errs[i] = jobs[i]() })
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return figs, nil
}

func (r *Report) markdown(w *bytes.Buffer) {
	fmt.Fprintf(w, "# sdeverify verification report\n\n`%s`\n\n", r.Command)
	status := r.StatusLine()
	if !r.OK() {
		status = "**" + strings.Replace(status, ".", ".**", 1)
	}
	fmt.Fprintf(w, "Status: %s\n\n", status)
	if th, f1 := r.TheoremClaims(), r.Figure1Claims(); len(th)+len(f1) > 0 {
		fmt.Fprintf(w, "## The paper's claims\n\n%s\n", ClaimsCaption)
		if len(th) > 0 {
			fmt.Fprintln(w, "\n| theorem, reading | checks | SDE | discrete | findings |\n|---|---|---|---|---|")
			for _, c := range th {
				fmt.Fprintf(w, "| %s | %d | %s | %s | %s |\n", cell(c.Claim), c.Checks, c.SDE, c.Discrete, cell(c.Findings))
			}
		}
		if len(f1) > 0 {
			fmt.Fprintln(w, "\n| Figure 1 claim | SDE | discrete | findings |\n|---|---|---|---|")
			for _, c := range f1 {
				fmt.Fprintf(w, "| %s | %s | %s | %s |\n", cell(c.Claim), c.SDE, c.Discrete, cell(c.Findings))
			}
		}
		fmt.Fprintln(w)
	}
	if len(r.StabilityClaims()) > 0 {
		fmt.Fprintln(w, "## The revised paper's claim: step-size restrictions")
		r.stabilityClaimsMarkdown(w)
		fmt.Fprintln(w)
	}
	if fs := r.findings(); len(fs) > 0 {
		fmt.Fprintln(w, "## Findings")
		fmt.Fprintln(w)
		for _, f := range fs {
			fmt.Fprintf(w, "- **%s**: %s", f.ID, f.Title)
			if len(f.Failures) > 0 {
				fmt.Fprintf(w, " (failure reports: %s)", strings.Join(f.Failures, ", "))
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, "\nEach finding in full is at the end of this report, after the details.")
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "# Details")
	fmt.Fprintln(w)
	if r.Figure1 != nil {
		fmt.Fprintf(w, "## Figure 1 (%s scale, seed %d)\n\n![Figure 1](figures/figure1.png)\n\n| panel | target | outcome | claim | evidence |\n|---|---|---|---|---|\n", r.Figure1.Scale, r.Figure1.Seed)
		for _, c := range r.Figure1.Claims {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", c.Panel, c.Target, c.Outcome, cell(c.Statement), cell(c.Evidence))
		}
		if len(r.Figure1.Exact) > 0 {
			fmt.Fprintf(w, "\n### Monte Carlo against the exact laws\n\n%s\n\n| panel | series | target | diverged | exact escape | mean at T (se) | exact mean | agree |\n|---|---|---|---|---|---|---|---|\n", ExactCaption)
			for _, c := range r.Figure1.Exact {
				fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s (%s) | %s | %s |\n", c.Panel, c.Series, c.Target, diverged(c), exactValue(c.Escape), num(c.Mean), Num2(c.SE), exactValue(c.Exact), yesNo(c.Agree))
			}
		}
	}
	if len(r.Pinned) > 0 {
		fmt.Fprintln(w, "\n## Theorem verdicts: the pinned set")
		fmt.Fprintln(w)
		PinnedTable(w, r.Pinned) // the findings in full and each FAIL's verdicts follow, in their sections
	}
	if len(r.Campaign) > 0 {
		fmt.Fprintln(w, "\n## Theorem verdicts: a random campaign")
		fmt.Fprintln(w, "\n| case | theorem | reading | SDE | discrete | SDE integrator bias (max) | SDE tails | finding | new violation | replay |\n|---|---|---|---|---|---|---|---|---|---|")
		for _, c := range r.Campaign {
			if c.Report == nil {
				fmt.Fprintf(w, "| %s | %s | %s | skipped: %s | | | | | | |\n", c.Case.Name, c.Case.Theorem, c.Case.Reading, cell(c.Skipped))
				continue
			}
			isNew := "no"
			if c.New {
				isNew = "**yes**"
			}
			bias, tails := sdeEvidence(c.Report)
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | `%s` |\n", c.Case.Name, c.Case.Theorem, c.Case.Reading, outcomeCell(c.Report.TargetOutcome("sde")), outcomeCell(c.Report.TargetOutcome("discrete")), bias, tails, Words(nonEmpty(campaignRegime(c))), isNew, c.Replay)
		}
	}
	for i, wk := range r.Weak {
		fmt.Fprintf(w, "\n## Weak error: %s\n\n![weak error](figures/weak-%d.png)\n\n", weakTitle(wk), i)
		WeakMarkdown(w, wk)
	}
	r.stabilityMarkdown(w)
	r.updateRulesMarkdown(w)
	if len(r.Power) > 0 {
		fmt.Fprintln(w, "\n## False alarms and detection (testing the tests)")
		fmt.Fprintln(w)
		powerMarkdown(w, r.Power)
	}
	if fs := r.findings(); len(fs) > 0 {
		fmt.Fprintln(w, "\n## Findings in full")
		for _, f := range fs {
			fmt.Fprintf(w, "\n### %s\n\n**%s**\n\n%s\n", f.ID, f.Title, f.Explanation)
			if f.Evidence != "" {
				fmt.Fprintf(w, "\nWhere: %s\n", f.Evidence)
			}
			if len(f.Failures) > 0 {
				fmt.Fprintf(w, "\nFailure reports: %s.\n", strings.Join(f.Failures, ", "))
			}
		}
	}
	for _, f := range r.failures() {
		fmt.Fprintf(w, "\n## Failure report: %s\n\n%s.", f.ID, f.Title)
		if f.Why != "" {
			fmt.Fprintf(w, " %s", f.Why)
		}
		if f.Finding != "" {
			fmt.Fprintf(w, " Finding: %s.", f.Finding)
		} else {
			fmt.Fprint(w, " Finding: none.")
		}
		fmt.Fprintf(w, "\n\n![bound](figures/fail-%s-bound.png) ![fan](figures/fail-%s-fan.png)\n\n", f.ID, f.ID)
		ReportMarkdown(w, f.Report)
		if f.Report.Replay == "" {
			fmt.Fprintf(w, "\nReplay: `%s`\n", f.Replay)
		}
	}
}

// worstOutcome is the worst outcome a claims cell names ("2 FAIL, 1
// PASS" is FAIL), for its colour.
func worstOutcome(cell string) string {
	for _, o := range []theorems.Outcome{theorems.Fail, theorems.Inconclusive, theorems.Pass, theorems.Vacuous} {
		if strings.Contains(cell, string(o)) {
			return string(o)
		}
	}
	return ""
}

// nonEmpty is the one-element list of s, or none when s is empty.
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// statusRest is the status line after its first words ("every outcome
// as expected" or "NOT as expected"), which the page styles.
func statusRest(r *Report) string {
	st := r.StatusLine()
	if i := strings.Index(st, ": "); i >= 0 {
		return st[i+2:]
	}
	return st
}

// ClaimsCaption explains the table of the paper's claims.
const ClaimsCaption = "Each theorem in each reading over every check of it in this report (a check: one configuration, pinned or from the " +
	"random campaign, deciding the SDE and the discrete method at every checkpoint; its verdict is its worst), and each Figure 1 claim. " +
	"A cell gives the outcome when every check agrees, else the number of checks with each outcome. \"findings\" names the documented " +
	"findings of the row's checks (with how many checks each covers); a FAIL no finding explains says \"no finding\". The theorems bound the " +
	"SDE; a discrete FAIL is not a violation of the paper."

// Counts renders outcome counts for people: "3 PASS, 1 FAIL" ("none").
func Counts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var parts []string
	for _, k := range ks {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}

func powerMarkdown(w *bytes.Buffer, raw json.RawMessage) {
	var t properties.PowerTable
	if err := json.Unmarshal(raw, &t); err != nil {
		fmt.Fprintf(w, "(unreadable power table: %v)\n", err)
		return
	}
	fmt.Fprintf(w, "Measured by `%s`.\n\n| check | kind | runs | flagged | rate | 95%% interval | required | met |\n|---|---|---|---|---|---|---|---|\n", t.Command)
	for _, r := range t.Rows {
		fmt.Fprintf(w, "| %s | %s | %d | %d | %s | %s | %s | %s |\n", r.Name, r.Kind, r.Runs, r.Flagged, sig(r.Rate, 3), Interval(r.Lo, r.Hi), r.Required, yesNo(r.OK))
	}
}

func (r *Report) html(w *bytes.Buffer, figs []Figure) error {
	svg := map[string]template.HTML{}
	for _, f := range figs {
		s := string(f.SVG)
		if i := strings.Index(s, "<svg"); i > 0 {
			s = s[i:] // drop the XML prolog so the SVG can be inlined
		}
		svg[f.Name] = template.HTML(s) // produced by gonum/plot from our own data
	}
	var md bytes.Buffer
	r.markdown(&md)
	data := struct {
		R        *Report
		SVG      map[string]template.HTML
		Failures []failure
		Findings []FindingEntry
		Theorems []ClaimRow
		Fig1     []ClaimRow
		JSON     string
		Power    *properties.PowerTable
	}{R: r, SVG: svg, Failures: r.failures(), Findings: r.findings(), Theorems: r.TheoremClaims(), Fig1: r.Figure1Claims()}
	if len(r.Power) > 0 {
		var t properties.PowerTable
		if json.Unmarshal(r.Power, &t) == nil {
			data.Power = &t
		}
	}
	return page.Execute(w, data)
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"num":        num,
	"num2":       Num2,
	"param":      Param,
	"interval":   Interval,
	"list":       List,
	"words":      Words,
	"witherr":    WithErr,
	"biastext":   biasText,
	"tailtext":   tailText,
	"unresolved": anyUnresolved,
	"ratio": func(r *theorems.Report, t string) string {
		if m, ok := maxRatio(r, t); ok {
			return num(m)
		}
		return "-"
	},
	"counts":          Counts,
	"status":          statusRest,
	"worst":           worstOutcome,
	"systematic":      systematicCell,
	"claimscaption":   func() string { return ClaimsCaption },
	"weaktitle":       weakTitle,
	"weaksource":      weakSource,
	"weakse":          weakSE,
	"exactref":        ExactRefText,
	"errcell":         errCell,
	"varse":           weakVarSE,
	"weakquantity":    weakQuantity,
	"weakcaption":     func() string { return WeakExactCaption },
	"regime":          campaignRegime,
	"sdebias":         func(r *theorems.Report) string { b, _ := sdeEvidence(r); return b },
	"sdetails":        func(r *theorems.Report) string { _, t := sdeEvidence(r); return t },
	"resolution":      ResolutionText,
	"exactsde":        ExactSDEText,
	"secell":          seCell,
	"pathscell":       pathsCell,
	"alphacell":       alphaCell,
	"figcaption":      func() string { return Figure1Caption },
	"exactcaption":    func() string { return ExactCaption },
	"diverged":        diverged,
	"exactvalue":      exactValue,
	"stabilityhtml":   stabilityHTML,
	"stabilityclaims": stabilityClaimsHTML,
	"explosionhtml":   explosionHTML,
	"updaterules":     updateRulesHTML,
	"id":              func(s string) string { return strings.NewReplacer(" ", "-", "/", "-").Replace(s) },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>sdeverify verification report</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#f3f3f3}.PASS{color:#05772f}.FAIL{color:#b00020;font-weight:bold}.INCONCLUSIVE{color:#a15c00}.VACUOUS{color:#666}
figure{margin:1em 0}summary{cursor:pointer;margin:.5em 0;color:#0645ad}.small{font-size:13px}figure svg{width:100%;height:auto}pre{background:#f7f7f7;padding:.5em;overflow:auto;font-size:12px}
code{background:#f3f3f3}.ok{color:#05772f}.bad{color:#b00020;font-weight:bold}
</style></head><body>
<h1>sdeverify verification report</h1>
<p><code>{{.R.Command}}</code></p>
<p id="status">Status: {{if .R.OK}}<span class="ok">every outcome as expected</span>{{else}}<span class="bad">NOT as expected</span>{{end}}: {{status .R}}</p>
{{if or .Theorems .Fig1}}<h2 id="claims">The paper's claims</h2><p class="small">{{claimscaption}}</p>
{{with .Theorems}}<table><tr><th>theorem, reading</th><th>checks</th><th>SDE</th><th>discrete</th><th>findings</th></tr>
{{range .}}<tr><td>{{.Claim}}</td><td>{{.Checks}}</td><td class="{{worst .SDE}}">{{.SDE}}</td><td class="{{worst .Discrete}}">{{.Discrete}}</td><td>{{.Findings}}</td></tr>{{end}}</table>{{end}}
{{with .Fig1}}<table><tr><th>Figure 1 claim</th><th>SDE</th><th>discrete</th><th>findings</th></tr>
{{range .}}<tr><td>{{.Claim}}</td><td class="{{worst .SDE}}">{{.SDE}}</td><td class="{{worst .Discrete}}">{{.Discrete}}</td><td>{{.Findings}}</td></tr>{{end}}</table>{{end}}{{end}}
{{with .R.StabilityClaims}}<h2 id="stability-claims">The revised paper's claim: step-size restrictions</h2>{{stabilityclaims $.R}}{{end}}
{{with .Findings}}<h2 id="summary">Findings in brief</h2><ul>{{range .}}<li><a href="#finding-{{.ID}}"><b>{{.ID}}</b></a>: {{.Title}}{{if .Failures}} (failure reports: {{range $i, $f := .Failures}}{{if $i}}, {{end}}<a href="#fail-{{id $f}}">{{$f}}</a>{{end}}){{end}}</li>{{end}}</ul>{{end}}
<nav id="contents"><h2>Contents</h2><ol>
{{if or .Theorems .Fig1}}<li><a href="#claims">The paper's claims</a></li>{{end}}
{{if .R.Figure1}}<li><a href="#figure1">Figure 1</a></li>{{end}}
{{if .R.Pinned}}<li><a href="#pinned">Theorem verdicts: the pinned set</a></li>{{end}}
{{if .R.Campaign}}<li><a href="#campaign">Theorem verdicts: a random campaign</a></li>{{end}}
{{range $i, $w := .R.Weak}}<li><a href="#weak-{{$i}}">Weak error: {{weaktitle $w}}</a></li>{{end}}
{{range .R.Stability}}<li><a href="#{{.ID}}">Stability map: {{.Title}}</a></li>{{end}}
{{if .R.Explosion}}<li><a href="#explosion">Figure 1 centre-top: the SDE's explosion probability</a></li>{{end}}
{{if .R.UpdateRules}}<li><a href="#update-rules">Update rules beyond the paper</a></li>{{end}}
{{if .Power}}<li><a href="#power">False alarms and detection</a></li>{{end}}
{{if .Findings}}<li><a href="#findings">Findings</a></li>{{end}}
{{range .Failures}}<li><a href="#fail-{{id .ID}}">Failure report: {{.ID}}</a></li>{{end}}
</ol></nav>
{{with .R.Figure1}}
<h2 id="figure1">Figure 1 ({{.Scale}} scale, seed {{.Seed}})</h2>
<figure class="plot" data-name="figure1">{{index $.SVG "figure1"}}<figcaption>{{figcaption}}</figcaption></figure>
<details><summary>The claims' evidence ({{len .Claims}} rows)</summary>
<table><tr><th>panel</th><th>target</th><th>outcome</th><th>claim</th><th>evidence</th></tr>
{{range .Claims}}<tr><td>{{.Panel}}</td><td>{{.Target}}</td><td class="{{.Outcome}}">{{.Outcome}}</td><td>{{.Statement}}</td><td>{{.Evidence}}</td></tr>{{end}}</table></details>
{{if .Exact}}<details id="figure1-exact"><summary>Monte Carlo against the exact laws ({{len .Exact}} rows)</summary><p>{{exactcaption}}</p>
<table><tr><th>panel</th><th>series</th><th>target</th><th>diverged</th><th>exact escape</th><th>mean at T (se)</th><th>exact mean</th><th>agree</th></tr>
{{range .Exact}}<tr><td>{{.Panel}}</td><td>{{.Series}}</td><td>{{.Target}}</td><td>{{diverged .}}</td><td>{{exactvalue .Escape}}</td><td>{{witherr .Mean .SE}}</td><td>{{exactvalue .Exact}}</td><td>{{if .Agree}}<span class="ok">yes</span>{{else}}<span class="bad">NO</span>{{end}}</td></tr>{{end}}</table></details>{{end}}
{{end}}
{{if .R.Pinned}}<h2 id="pinned">Theorem verdicts: the pinned set</h2>
<details><summary>{{len .R.Pinned}} pinned checks, each against its expected outcome</summary>
<table><tr><th>case</th><th>theorem</th><th>reading</th><th>SDE</th><th>discrete</th><th>max LHS/bound (SDE, discrete)</th><th>SDE integrator bias (max)</th><th>SDE tails</th><th>as expected</th><th>why</th></tr>
{{range .R.Pinned}}<tr><td>{{if eq .Report.Outcome "FAIL"}}<a href="#fail-{{id .Case}}">{{.Case}}</a>{{else}}{{.Case}}{{end}}</td><td>{{.Theorem}}</td><td>{{.Reading}}</td><td class="{{index .Got "sde"}}">{{index .Got "sde"}}</td><td class="{{index .Got "discrete"}}">{{index .Got "discrete"}}</td><td>{{ratio .Report "sde"}}, {{ratio .Report "discrete"}}</td><td>{{sdebias .Report}}</td><td>{{sdetails .Report}}</td><td>{{if .AsWanted}}yes{{else}}<span class="bad">NO</span>{{end}}</td><td>{{.Why}}</td></tr>{{end}}</table></details>{{end}}
{{if .R.Campaign}}<h2 id="campaign">Theorem verdicts: a random campaign</h2>
<details><summary>{{len .R.Campaign}} random cases</summary>
<table><tr><th>case</th><th>theorem</th><th>reading</th><th>SDE</th><th>discrete</th><th>SDE integrator bias (max)</th><th>SDE tails</th><th>finding</th><th>new violation</th><th>replay</th></tr>
{{range .R.Campaign}}<tr><td>{{if and .Report (eq .Report.Outcome "FAIL")}}<a href="#fail-{{id .Case.Name}}">{{.Case.Name}}</a>{{else}}{{.Case.Name}}{{end}}</td><td>{{.Case.Theorem}}</td><td>{{.Case.Reading}}</td>{{if .Report}}<td class="{{.Report.TargetOutcome "sde"}}">{{.Report.TargetOutcome "sde"}}</td><td class="{{.Report.TargetOutcome "discrete"}}">{{.Report.TargetOutcome "discrete"}}</td><td>{{sdebias .Report}}</td><td>{{sdetails .Report}}</td>{{else}}<td colspan="4">skipped: {{.Skipped}}</td>{{end}}<td>{{with regime .}}{{.}}{{else}}-{{end}}</td><td>{{if .New}}<span class="bad">yes</span>{{else}}no{{end}}</td><td><code>{{.Replay}}</code></td></tr>{{end}}</table></details>{{end}}
{{range $i, $w := .R.Weak}}<h2 id="weak-{{$i}}">Weak error: {{weaktitle $w}}</h2>
<p>{{weaksource $w}}, horizon T = {{param $w.Horizon}}; {{$w.Coupled}}.{{with $w.Reference}} Reference: {{.}}.{{end}}</p>
<figure class="plot" data-name="weak-{{$i}}">{{index $.SVG (printf "weak-%d" $i)}}</figure>
<details><summary>Errors, fitted orders{{if $w.ExactChecks}} and the comparison with the exact engine{{end}}</summary>
<table><tr><th>eta</th><th>steps</th>{{range (index $w.Points 0).Tests}}<th>err {{.Test}} ({{weakse $w}})</th><th>gradient flow: err {{.Test}} ({{weakse $w}})</th>{{end}}<th>Var relative error ({{varse $w}})</th></tr>
{{range $p := $w.Points}}<tr><td>{{param $p.Eta}}</td><td>{{$p.Steps}}</td>{{range $k, $t := $p.Tests}}{{$o := index $p.ODE $k}}<td>{{errcell $t}}{{if not $t.Resolved}}*{{end}}</td><td>{{errcell $o}}{{if not $o.Resolved}}*{{end}}</td>{{end}}<td>{{witherr $p.VarRel $p.VarRelSE}}</td></tr>{{end}}</table>{{if unresolved $w}}<p>* within {{$w.Noise}}, left out of the fit</p>{{end}}
{{with $w.Unresolved}}<p>Left out of every fit, the exact engine could not bound their values: {{words .}}.</p>{{end}}
{{with $w.Functional}}<p>{{.}}</p>{{end}}
<table><tr><th>quantity</th><th>order</th><th>interval</th><th>systematic part</th><th>local slope</th><th>etas used</th><th>note</th></tr>
{{range $w.Fits}}<tr><td>{{.Test}}</td><td>{{num .Slope}}</td><td>{{interval .Lo .Hi}}</td><td>{{systematic .}}</td><td>{{num .Local}}</td><td>{{list .Used}}</td><td>{{.Note}}</td></tr>{{end}}
{{range $w.ODEFits}}<tr><td>{{.Test}}</td><td>{{num .Slope}}</td><td>{{interval .Lo .Hi}}</td><td>{{systematic .}}</td><td>{{num .Local}}</td><td>{{list .Used}}</td><td>{{.Note}}</td></tr>{{end}}</table>
{{with exactref $w}}<p>{{.}}</p>{{end}}
{{with $w.ExactChecks}}<h3>Monte Carlo against the exact engine</h3><p>{{weakcaption}}</p>
<table><tr><th>eta</th><th>quantity</th><th>Monte Carlo err (se; bias)</th><th>exact (numerical error)</th><th>z</th><th>agree</th></tr>
{{range .}}<tr><td>{{param .Eta}}</td><td>{{weakquantity .}}</td><td>{{num .Err}} ({{num2 .SE}}; {{num2 .Bias}})</td><td>{{witherr .Exact .ExactErr}}</td><td>{{num2 .Z}}</td><td>{{if .Agree}}<span class="ok">yes</span>{{else}}<span class="bad">NO</span>{{end}}</td></tr>{{end}}</table>{{end}}
</details>
{{end}}
{{range .R.Stability}}<h2 id="{{.ID}}">Stability map: {{.Title}}</h2>
<figure class="plot" data-name="{{.ID}}">{{index $.SVG .ID}}</figure>
{{stabilityhtml .}}{{end}}
{{with .R.Explosion}}<h2 id="explosion">Figure 1 centre-top: the SDE's explosion probability</h2>{{explosionhtml .}}{{end}}
{{if .R.UpdateRules}}<h2 id="update-rules">Update rules beyond the paper</h2>{{updaterules .R}}{{end}}
{{with .Power}}<h2 id="power">False alarms and detection (testing the tests)</h2><details><summary>{{len .Rows}} rows, measured by <code>{{.Command}}</code></summary>
<table><tr><th>check</th><th>kind</th><th>runs</th><th>flagged</th><th>rate</th><th>95% interval</th><th>required</th><th>met</th></tr>
{{range .Rows}}<tr><td>{{.Name}}</td><td>{{.Kind}}</td><td>{{.Runs}}</td><td>{{.Flagged}}</td><td>{{num .Rate}}</td><td>{{interval .Lo .Hi}}</td><td>{{.Required}}</td><td>{{if .OK}}yes{{else}}<span class="bad">NO</span>{{end}}</td></tr>{{end}}</table></details>{{end}}
{{if .Findings}}<h2 id="findings">Findings</h2>{{range .Findings}}<h3 id="finding-{{.ID}}">{{.ID}}</h3><p><b>{{.Title}}</b></p><p>{{.Explanation}}</p>{{with .Evidence}}<p>Where: {{.}}</p>{{end}}{{if .Failures}}<p>Evidence: {{range $i, $f := .Failures}}{{if $i}}, {{end}}<a href="#fail-{{id $f}}">{{$f}}</a>{{end}}.</p>{{end}}<p><a href="#summary">back to the summary</a></p>{{end}}{{end}}
{{range .Failures}}<h2 id="fail-{{id .ID}}">Failure report: {{.ID}}</h2><p><a href="#contents">contents</a> · <a href="#pinned">pinned set</a></p>
<p>{{.Title}} ({{.Report.Ref}}), {{.Report.Reading}} reading: <span class="FAIL">{{.Report.Outcome}}</span>. {{.Why}} Finding: {{if .Finding}}<a href="#finding-{{.Finding}}">{{.Finding}}</a>{{else}}none{{end}}.</p>
<p>Replay: <code>{{.Replay}}</code></p>
<details><summary>Figures, hypotheses and verdicts</summary>
<figure class="plot" data-name="fail-{{.ID}}-bound">{{index $.SVG (printf "fail-%s-bound" .ID)}}</figure>
<figure class="plot" data-name="fail-{{.ID}}-fan">{{index $.SVG (printf "fail-%s-fan" .ID)}}</figure>
<ul>{{range .Report.Hypotheses}}<li>hypothesis {{.Name}}: {{if .Held}}held{{else if .Limit}}did not hold (a hypothesis of the limit only){{else}}<b>did not hold</b>{{end}} ({{.Detail}})</li>{{end}}</ul>
{{with .Report.Resolution}}<p>SDE integrator: {{resolution .}}</p>{{end}}
{{with .Report.Finiteness}}<p>SDE finiteness (analytical): mean {{.LHS}}, variance {{.Variance}}: {{.Why}}</p>{{end}}
{{with .Report.ExactSDE}}<p>SDE decided from its law: {{exactsde .}}</p>{{end}}
{{with .Report.ExactUndecided}}<p>SDE by Monte Carlo: {{.}}</p>{{end}}
{{$fin := .Report.Finiteness}}<table><tr><th>target</th><th>t</th><th>outcome</th><th>LHS</th><th>se</th><th>bound</th><th>ratio</th><th>integrator bias</th><th>tails</th><th>paths</th><th>diverged</th><th>alpha</th><th>seed</th></tr>
{{range .Report.Verdicts}}{{if .Outcome}}<tr><td>{{.Target}}</td><td>{{param .Time}}</td><td class="{{.Outcome}}">{{.Outcome}}</td><td>{{num .Estimate}}</td><td>{{secell .}}</td><td>{{num .Bound}}</td><td>{{num .Ratio}}</td><td>{{biastext .}}</td><td>{{tailtext . $fin}}</td><td>{{pathscell .}}</td><td>{{.Diverged}}</td><td>{{alphacell .}}</td><td>{{.Seed}}</td></tr>{{end}}{{end}}</table>
<details><summary>configuration</summary><pre>{{.Config}}</pre></details>
</details>
{{end}}
<p>Machine-readable: <a href="report.json">report.json</a> (schema {{.R.Schema}}); figures in <a href="figures/">figures/</a> as SVG and PNG.</p>
</body></html>
`))
