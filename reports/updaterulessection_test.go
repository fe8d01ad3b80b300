package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/theorems"
)

// TestReportUpdateRulesSection: the section is in every format the
// report has (report.md, its plain-text rendering, index.html with its
// contents entry, report.json), with every bound's table, the pinned
// verdicts and the clipping bias; a pinned rule case not as expected and
// a search violation reach the summary and make the report not OK.
func TestReportUpdateRulesSection(t *testing.T) {
	t.Parallel()
	u, err := ComputeUpdateRules(30, 1)
	require.NoError(t, err)
	require.Len(t, u.Bounds, len(theorems.RuleBounds()))
	dir := filepath.Join(t.TempDir(), "out")
	r := &Report{Command: "test", UpdateRules: u}
	require.NoError(t, Write(dir, r))
	require.True(t, r.OK(), "%+v", r.Summary)
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	require.NoError(t, err)
	for _, want := range []string{"## Update rules beyond the paper", "### Clipped GD: descent bound", "| clipped-square-tight | HOLDS | HOLDS | 1 |",
		"| normalized-beta0 | VACUOUS | VACUOUS |", "### Vankov et al. 2024, simplified step: progress summed (secondary)", "| secondary |",
		"### Clipping's bias (d = 1, f = x^2/2, c = 1)", "0.158594", "-0.135335", "does not have yet"} {
		require.Contains(t, string(md), want)
	}
	require.Contains(t, string(Plain(md)), "Update rules beyond the paper")
	page, err := os.ReadFile(filepath.Join(dir, "index.html"))
	require.NoError(t, err)
	for _, want := range []string{`<a href="#update-rules">`, `<h2 id="update-rules">Update rules beyond the paper</h2>`, "<h3>Clipped GD: descent bound</h3>", "<td>clipped-square-tight</td>", "<th>pinned case</th>"} {
		require.Contains(t, string(page), want)
	}
	require.False(t, bytes.Contains(page, []byte("|---|")), "index.html has a Markdown table left unconverted")
	var back struct {
		UpdateRules struct {
			Bounds []struct {
				Info   theorems.RuleInfo `json:"info"`
				Search struct {
					Runs int `json:"runs"`
				} `json:"search"`
			} `json:"bounds"`
			ClipBias []theorems.ClipBias `json:"clip_bias"`
		} `json:"update_rules"`
	}
	js, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(js, &back))
	require.Len(t, back.UpdateRules.Bounds, len(theorems.RuleBounds()))
	require.Equal(t, "clipped-gd", back.UpdateRules.Bounds[0].Info.ID)
	require.Equal(t, 30, back.UpdateRules.Bounds[0].Search.Runs)
	require.Len(t, back.UpdateRules.ClipBias, 3)

	// Mutations: a pinned case not as expected, a violation in a search.
	u.Bounds[0].Pinned[0].AsWanted = false
	u.Bounds[1].Search.Violated = 2
	r = &Report{Command: "test", UpdateRules: u}
	r.Summarize()
	require.False(t, r.OK())
	require.Contains(t, r.Summary.PinnedMismatches, u.Bounds[0].Pinned[0].Case)
	require.Contains(t, r.Summary.NewViolations, "normalized-gd: 2 random configurations")
}
