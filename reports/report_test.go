package reports

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/properties"
	"github.com/sdeverify/sdeverify/theorems"
	"github.com/sdeverify/sdeverify/theorems/studies"
	"github.com/sdeverify/sdeverify/theorems/weak"
)

// sampleReport builds a small report from a tiny simulation and synthetic
// verdicts: a Figure 1 panel, a pinned FAIL with a failure report, a
// campaign row, a weak-error study and a power table.
func sampleReport(t *testing.T) *Report {
	t.Helper()
	cfg, err := mc.ParseConfig([]byte(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"}},"x0":[2],
		"agents":[{"noise":{"kind":"gaussian","sigma1":1}}],"method":"dsgd","model":{"kind":"discrete"},
		"eta":0.01,"schedule":{"kind":"constant"},"steps":200,"paths":64,"seed":1,"checkpoints":{"count":20}}`))
	require.NoError(t, err)
	run, err := cfg.Resolve()
	require.NoError(t, err)
	res, err := mc.Simulate(run)
	require.NoError(t, err)
	f1 := &studies.Figure1Result{Scale: "test", Seed: 1, Panels: []studies.Panel{{ID: "left-top", Title: "DSGD", Series: []studies.Series{{Label: "sigma=1", Config: cfg, Discrete: res, SDE: res}}}},
		Claims: []studies.Claim{{Panel: "left-top", Target: "discrete", Statement: "a claim <with markup>", Outcome: theorems.Pass, Evidence: "e & f"}}}
	rep := &theorems.Report{Theorem: "thm7", Name: "Thm 7", Ref: "eq. 7", Reading: "ensemble", Config: cfg, Outcome: theorems.Fail}
	for i, tm := range []float64{0.1, 1, 10} {
		for _, tg := range []string{"sde", "discrete"} {
			o := theorems.Outcome("")
			if i == 2 {
				o = theorems.Fail
			}
			rep.Verdicts = append(rep.Verdicts, theorems.Verdict{Theorem: "thm7", Target: tg, Time: tm, Estimate: 3 / (1 + tm), SE: 0.01, Bound: 1.5 / (1 + tm), Ratio: 2,
				Paths: 64, Outcome: o, Quantiles: []float64{0.1, 0.5, 1, 2, 4}})
		}
	}
	w := &weak.Result{Method: "dsgd", Coupled: "coupled", Paths: 64, Fits: []weak.Fit{{Test: "f - f*", Slope: 1}}}
	for _, eta := range []float64{0.1, 0.05} {
		w.Points = append(w.Points, weak.Point{Eta: eta, Tests: []weak.Err{{Test: "f - f*", Err: eta, SE: eta / 10, Resolved: true}}, ODE: []weak.Err{{Test: "f - f*", Err: eta / 2, SE: eta / 10, Resolved: true}}})
	}
	power, _ := json.Marshal(properties.PowerTable{Command: "go test ./properties", Rows: []properties.PowerRow{{Name: "OU", Kind: "false alarm", Runs: 100, Flagged: 0, Required: "<= 0.01", OK: true}}})
	return &Report{Command: "sdeverify report -test", Figure1: f1,
		Pinned:   []studies.PinnedResult{{Case: "thm7-case", Theorem: "thm7", Reading: "ensemble", Want: map[string]theorems.Outcome{"sde": theorems.Fail}, Got: map[string]theorems.Outcome{"sde": theorems.Fail}, Report: rep, Replay: "go test ./theorems -run X", AsWanted: true, Finding: studies.FindingThm7Phases}},
		Campaign: []studies.CampaignResult{{Index: 0, Case: studies.Case{Name: "campaign-1-0", Theorem: "thm4", Reading: "pathwise"}, Report: &theorems.Report{Config: cfg}, Replay: "sdeverify verify -only 0"}},
		Weak:     []*weak.Result{w}, Power: power, Findings: []studies.Finding{*studies.FindingThm7Phases}}
}

// requireAnchors checks a report page's navigation: a table of contents
// linking every section, a summary listing each finding with a link to its
// section and to its failure reports, the pinned table's FAIL linked to its
// failure report, and every in-page link landing on an element.
func requireAnchors(t *testing.T, page string) {
	t.Helper()
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`id="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		ids[m[1]] = true
	}
	links := regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(page, -1)
	require.NotEmpty(t, links)
	for _, m := range links {
		require.Truef(t, ids[m[1]], "link to #%s, which is not on the page", m[1])
	}
	toc := page[strings.Index(page, `<nav id="contents">`):]
	toc = toc[:strings.Index(toc, "</nav>")]
	for _, sec := range []string{"figure1", "pinned", "campaign", "weak-0", "power", "findings", "fail-thm7-case"} {
		require.Containsf(t, toc, `href="#`+sec+`"`, "the contents do not link %s", sec)
	}
	sum := page[strings.Index(page, `<h2 id="summary">`):]
	sum = sum[:strings.Index(sum, "</ul>")]
	require.Contains(t, sum, `href="#finding-`+studies.FindingThm7Phases.ID+`"`)
	require.Contains(t, sum, `href="#fail-thm7-case"`, "the summary does not link the finding's failure report")
	require.Contains(t, page, `<a href="#fail-thm7-case">thm7-case</a>`, "the pinned table does not link its failure report")
}

// TestWriteReport: the folder holds every file, the JSON is versioned, the
// HTML inlines every figure and escapes text, and rewriting replaces the
// folder whole.
func TestWriteReport(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	r := sampleReport(t)
	require.NoError(t, Write(dir, r))
	for _, f := range []string{"index.html", "report.md", "report.json", "figures/figure1.svg", "figures/figure1.png", "figures/weak-0.png",
		"figures/fail-thm7-case-bound.svg", "figures/fail-thm7-case-fan.png"} {
		st, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err, f)
		require.Greater(t, st.Size(), int64(100), f)
	}
	var back map[string]any
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, float64(SchemaVersion), back["schema"])
	html, err := os.ReadFile(filepath.Join(dir, "index.html"))
	require.NoError(t, err)
	page := string(html)
	require.Equal(t, 4, strings.Count(page, `<figure class="plot"`))
	require.Equal(t, 4, strings.Count(page, "<svg"), "every figure inline as SVG")
	require.Contains(t, page, "a claim &lt;with markup&gt;")
	require.Contains(t, page, "Failure report: thm7-case")
	require.Contains(t, page, "F1-thm7-outside-phase-3")
	requireAnchors(t, page)
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	require.NoError(t, err)
	require.Contains(t, string(md), "- **"+studies.FindingThm7Phases.ID+"**: ")
	require.True(t, r.OK())
	// Rewriting replaces the folder; no temporary folder remains.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stale.txt"), []byte("x"), 0o644))
	require.NoError(t, Write(dir, r))
	_, err = os.Stat(filepath.Join(dir, "stale.txt"))
	require.True(t, os.IsNotExist(err))
	ents, err := os.ReadDir(filepath.Dir(dir))
	require.NoError(t, err)
	require.Len(t, ents, 1)
	// A folder that cannot be written leaves nothing half-written.
	require.Error(t, Write("/proc/no/such/report", r))
}

// TestCampaignRegime: a campaign case is filed under a finding the same way
// in its table row and its failure report: the regime the campaign expected;
// F4 when only the discrete method fails and the SDE's estimate stays below
// its bound (F4 says the SDE bounds hold: decided, PASS, or not,
// INCONCLUSIVE under the bound, which the failure report says); nothing when
// the SDE's estimate reaches the bound (the case the issue found filed under
// F4 with every SDE path at the substep floor, LHS 1e50), which the failure
// report calls no finding.
func TestCampaignRegime(t *testing.T) {
	rep := func(sde, disc theorems.Outcome, sdeRatio float64) *theorems.Report {
		return &theorems.Report{Outcome: theorems.Worse(sde, disc), Verdicts: []theorems.Verdict{{Target: "sde", Outcome: sde, Ratio: sdeRatio}, {Target: "discrete", Outcome: disc, Ratio: 1.13}}}
	}
	require.Equal(t, FindingDiscreteID, campaignRegime(studies.CampaignResult{Report: rep(theorems.Pass, theorems.Fail, 0.5)}))
	require.Equal(t, FindingDiscreteID, campaignRegime(studies.CampaignResult{Report: rep(theorems.Inconclusive, theorems.Fail, 0.86)}))
	require.Equal(t, "", campaignRegime(studies.CampaignResult{Report: rep(theorems.Inconclusive, theorems.Fail, 1e50)}))
	require.Equal(t, "", campaignRegime(studies.CampaignResult{Report: rep(theorems.Inconclusive, theorems.Fail, math.Inf(1))}))
	require.Equal(t, "F6", campaignRegime(studies.CampaignResult{Regime: "F6", Report: rep(theorems.Fail, theorems.Fail, math.Inf(1))}))
	r := &Report{Campaign: []studies.CampaignResult{
		{Case: studies.Case{Name: "c0"}, Report: rep(theorems.Inconclusive, theorems.Fail, 1e50)},
		{Case: studies.Case{Name: "c1"}, Report: rep(theorems.Inconclusive, theorems.Fail, 0.86)},
	}}
	fs := r.failures()
	require.Len(t, fs, 2)
	require.Equal(t, "", fs[0].Finding)
	require.Contains(t, fs[0].Why, "no documented finding explains it")
	require.Equal(t, FindingDiscreteID, fs[1].Finding)
	require.Contains(t, fs[1].Why, "up to 1.13 times the bound")
	require.Contains(t, fs[1].Why, "not established here")
	// The unexplained FAIL is named in the summary and the status line.
	r.Summarize()
	require.Equal(t, []string{"c0"}, r.Summary.UnexplainedFails)
	require.Contains(t, r.StatusLine(), "FAILs no finding explains")
	require.Contains(t, r.StatusLine(), "c0")
}

// TestWeakExactDisagreement: a Monte Carlo weak error off the exact
// engine's (weak.Result.CheckExact) is flagged like Figure 1's Monte Carlo
// runs off their exact laws: listed in the summary, counted in the status
// of report.md and index.html, shown in the study's comparison table, and
// the report is not OK. The same study in agreement leaves it OK.
func TestWeakExactDisagreement(t *testing.T) {
	t.Parallel()
	for _, off := range []bool{false, true} {
		r := sampleReport(t)
		w := r.Weak[0]
		x := &weak.Result{Method: w.Method, Engine: mc.EngineExact}
		for _, p := range w.Points {
			e := p.Tests[0].Err // Monte Carlo: err eta, se eta/10, bias 0
			if off && p.Eta == 0.05 {
				e *= 2 // 10 standard errors off
			}
			x.Points = append(x.Points, weak.Point{Eta: p.Eta, Tests: []weak.Err{{Test: "f - f*", Err: e, SE: 1e-9}}, ODE: []weak.Err{{Test: "f - f*", Err: p.ODE[0].Err, SE: 1e-9}}})
		}
		w.ExactRef = x
		w.CheckExact(1e-3)
		require.Len(t, w.ExactChecks, 4)
		dir := filepath.Join(t.TempDir(), "out")
		require.NoError(t, Write(dir, r))
		md, err := os.ReadFile(filepath.Join(dir, "report.md"))
		require.NoError(t, err)
		html, err := os.ReadFile(filepath.Join(dir, "index.html"))
		require.NoError(t, err)
		require.Contains(t, string(md), "Monte Carlo against the exact engine")
		if !off {
			require.True(t, r.OK())
			require.Empty(t, r.Summary.WeakExactDisagreements)
			continue
		}
		require.False(t, r.OK())
		require.Equal(t, []string{"dsgd: eta 0.05, f - f*"}, r.Summary.WeakExactDisagreements)
		require.Contains(t, string(md), "1 Monte Carlo run off its exact law")
		require.Contains(t, string(md), "| 0.05 | f - f* | 0.05 (0.005; 0) | 0.1 (1e-9) |")
		require.Contains(t, string(html), "1 Monte Carlo run off its exact law")
		require.Contains(t, string(html), `<span class="bad">NO</span>`)
	}
}

// TestFindingsInEveryFormat: every finding the report shows evidence of
// (a pinned case's, a Figure 1 claim's, one the command adds) is in
// report.json, report.md and index.html, in the order of their numbers,
// whatever order the report was given them in; the report reads top-down
// (the status, then the claims table, then the details); and the status
// counts checks, not checkpoints, saying so.
func TestFindingsInEveryFormat(t *testing.T) {
	t.Parallel()
	r := sampleReport(t)
	r.Findings = []studies.Finding{*studies.FindingWeakDivergence, *studies.FindingFig1RightAdmissibility}
	r.Figure1.Claims = append(r.Figure1.Claims, studies.Claim{Panel: "left-top", Target: "sde", Statement: "a claim <with markup>", Outcome: theorems.Fail, Finding: studies.FindingFig1SDEDivergence.ID})
	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, Write(dir, r))
	want := []string{studies.FindingThm7Phases.ID, studies.FindingFig1RightAdmissibility.ID, studies.FindingFig1SDEDivergence.ID, studies.FindingWeakDivergence.ID}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	var back struct {
		Findings []studies.Finding `json:"findings"`
		Summary  Summary           `json:"summary"`
	}
	require.NoError(t, json.Unmarshal(b, &back))
	var ids []string
	for _, f := range back.Findings {
		ids = append(ids, f.ID)
	}
	require.Equal(t, want, ids)
	require.Equal(t, 2, back.Summary.Checks, "a pinned and a campaign check")
	for _, name := range []string{"report.md", "index.html"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		page := string(b)
		last := -1
		for _, id := range want {
			i := strings.Index(page, id)
			require.Greaterf(t, i, last, "%s: %s missing or out of order", name, id)
			last = i
		}
		status := strings.Index(page, "every outcome as expected")
		claims := strings.Index(page, `<h2 id="claims">`)
		if name == "report.md" {
			claims = strings.Index(page, "## The paper's claims")
		}
		require.Truef(t, status >= 0 && claims > status && claims < strings.Index(page, "Figure 1 (test scale"), "%s: the status, then the claims, then the details", name)
		require.Contains(t, page, "Theorem checks (one per configuration")
		require.Contains(t, page, "F7")
	}
}
