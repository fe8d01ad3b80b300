package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems/stability"
)

// TestReportStabilitySection: a report with a stability map writes it in
// every format: its figure (SVG and PNG), its section and tables in
// report.md, the same tables as HTML in index.html (with the contents
// entry), and the map in report.json.
func TestReportStabilitySection(t *testing.T) {
	t.Parallel()
	cfg, err := mc.ParseConfig([]byte(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"}},"x0":[3],
		"agents":[{"noise":{"kind":"gaussian","sigma1":3}}],"method":"dsgd","schedule":{"kind":"constant"},"eta":0.01,"steps":100}`))
	if err != nil {
		t.Fatal(err)
	}
	m, err := stability.Compute(stability.Spec{Config: cfg, Etas: []float64{0.005, 0.01, 0.02}, Horizon: 1, Radii: []float64{100}})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "out")
	r := &Report{Command: "test", Stability: []StabilityEntry{{ID: "stability-test", Title: "DSGD on x^4/4 <test>", Map: m}}}
	if err := Write(dir, r); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"figures/stability-test.svg", "figures/stability-test.png"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: missing or empty (%v)", f, err)
		}
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	for _, want := range []string{"## The revised paper's claim: step-size restrictions", "## Stability maps", "### DSGD on x^4/4 <test>", "![stability map](figures/stability-test.png)", "| discrete method | - | 100 |"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	page, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	for _, want := range []string{`<a href="#stability-test">`, `<h2 id="stability-test">Stability map: DSGD on x^4/4 &lt;test&gt;</h2>`, "<th>critical step eta*</th>", "<td>discrete method</td>"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	if bytes.Contains(page, []byte("| model |")) {
		t.Errorf("index.html has a Markdown table left unconverted")
	}
	var back struct {
		Stability []struct {
			ID  string `json:"id"`
			Map struct {
				Method string `json:"method"`
			} `json:"map"`
		} `json:"stability"`
	}
	js, _ := os.ReadFile(filepath.Join(dir, "report.json"))
	if err := json.Unmarshal(js, &back); err != nil || len(back.Stability) != 1 || back.Stability[0].ID != "stability-test" || !strings.EqualFold(back.Stability[0].Map.Method, "dsgd") {
		t.Errorf("report.json's stability: %+v (%v)", back.Stability, err)
	}
}

// TestStabilityClaims: the revised paper's claim per map and model is
// read at the map's largest threshold only: confirmed when every axis
// value misses, refuted when one captures, not applicable when the
// discrete method has no restriction on the grid, undecided otherwise.
func TestStabilityClaims(t *testing.T) {
	t.Parallel()
	v := func(model string, value, radius float64, outcome string) stability.Verdict {
		return stability.Verdict{Model: model, Value: value, Radius: radius, Outcome: outcome, RatioLo: 3, RatioHi: 9}
	}
	r := &Report{Stability: []StabilityEntry{
		{Title: "a", Map: &stability.Map{Axis: "sigma1", Radii: []float64{100, 1000}, Verdicts: []stability.Verdict{
			v("sde", 1, 100, "captures"), v("sde", 1, 1000, "misses"), v("sde", 3, 1000, "misses"),
			v("sde2", 1, 1000, "misses"), v("sde2", 3, 1000, "captures"),
		}}},
		{Title: "b", Map: &stability.Map{Radii: []float64{6}, Verdicts: []stability.Verdict{v("sde", 0, 6, "no restriction on the grid")}}},
		{Title: "c", Map: &stability.Map{Radii: []float64{6}, Verdicts: []stability.Verdict{v("sde", 0, 6, "misses"), v("sde", 1, 6, "undecided")}}},
	}}
	got := map[string]string{}
	for _, c := range r.StabilityClaims() {
		got[c.Map+"/"+c.Model] = c.Outcome
	}
	want := map[string]string{"a/first-order SDE": "confirmed", "a/second-order SDE": "refuted",
		"b/first-order SDE": "does not apply (no step-size restriction on the grid)", "c/first-order SDE": "undecided"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d claims, want %d: %v", len(got), len(want), got)
	}
}
