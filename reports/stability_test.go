package reports

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems/stability"
)

// TestStabilityRender renders a small stability map (DSGD on x^4/4 from
// x0 = 3, sigma1 in {1, 3}, two thresholds) as Markdown and as a figure:
// every curve has its row, the verdicts and threshold comparisons their
// tables, and the PNG decodes at the figure's size. With
// SDEVERIFY_FIGURES=DIR the PNG is written there to be looked at.
func TestStabilityRender(t *testing.T) {
	cfg, err := mc.ParseConfig([]byte(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"}},"x0":[3],
		"agents":[{"noise":{"kind":"gaussian","sigma1":3}}],"method":"dsgd","schedule":{"kind":"constant"},"eta":0.01,"steps":100}`))
	if err != nil {
		t.Fatal(err)
	}
	m, err := stability.Compute(stability.Spec{Config: cfg, Etas: []float64{0.0025, 0.005, 0.01, 0.02, 0.04}, Horizon: 1,
		Radii: []float64{100, 1000}, Axis: "sigma1", Values: []float64{1, 3}})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	StabilityMarkdown(&b, m)
	md := b.String()
	for _, want := range []string{"| model | axis | R | critical step eta*", "captures the discrete step-size restriction",
		"| discrete method | sigma1 = 3 | 100 |", "| first-order SDE | sigma1 = 1 | 1000 |", "R1 -> R2", "sigma1 = 3: p(eta, R)"} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, md)
		}
	}
	if n := strings.Count(md, "\n| discrete method | sigma1"); n != 4 {
		t.Errorf("got %d rows of the discrete method's critical steps, want 4 (2 values x 2 thresholds)", n)
	}
	f, err := StabilityFigure("stability-dsgd", m)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(f.PNG))
	if err != nil {
		t.Fatalf("PNG: %v", err)
	}
	if w := img.Bounds().Dx(); w < 1000 {
		t.Errorf("got a PNG %d pixels wide, want the figure's 30 cm at 96 dpi (1134)", w)
	}
	if len(f.SVG) == 0 || !bytes.Contains(f.SVG, []byte("<svg")) {
		t.Errorf("no SVG")
	}
	if dir := os.Getenv("SDEVERIFY_FIGURES"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, f.Name+".png"), f.PNG, 0o644); err != nil {
			t.Error(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name+".md"), b.Bytes(), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// TestExplosionMarkdown renders recorded rows: one table row each.
func TestExplosionMarkdown(t *testing.T) {
	rows := []stability.ExplosionRow{
		{Omega: 4, Reading: "per-coordinate", Sigma1: 0.1, Certified: true, R1: 10586, Lower: 0.9, Level: 102.9, Paths: 200, HitHalf: 200, Hit: 200, LowerBound: 0.8664, UpperBound: 1, Alpha: 1e-3, Seed: 7},
		{Omega: 0, Reading: "total", Sigma1: 0.00316, Level: 10, Paths: 200, UpperBound: 0.0373, Alpha: 1e-3, Seed: 7},
	}
	var b bytes.Buffer
	ExplosionMarkdown(&b, rows)
	md := b.String()
	for _, want := range []string{"| 4 | per-coordinate | 0.1 | from \\|x\\|^2 >= 1.059e4: >= 0.9 within T/2 | 102.9 | 200, 200 of 200 | [0.8664, 1] |",
		"| 0 (DSGD) | total | 0.00316 | none (theta <= 0) | 10 | 0, 0 of 200 | [0, 0.0373] |"} {
		if !strings.Contains(md, want) {
			t.Errorf("the table lacks %q:\n%s", want, md)
		}
	}
}

// TestStabilityModelStyle: the maps' figures tell the models apart by the
// registry (stability.Model's SDE and MethodSDE), not by their names: the
// discrete method black, bold and solid; the method's own SDE ("sde", the
// first-order model) dashed as dashes[1] in the escape plot; any other
// model, registered ("sde2") or not, dashes[2]; and the claims' label is
// the registered one, or the name itself. Deterministic.
func TestStabilityModelStyle(t *testing.T) {
	t.Parallel()
	m := &stability.Map{Models: []string{"discrete", "sde", "sde2"}}
	black := modelColor(m, "discrete")
	if black.R != 0 || black.G != 0 || black.B != 0 {
		t.Errorf("discrete: colour %v, want black", black)
	}
	if st := modelStyle("discrete", 1, black); st.Dashes != nil || st.Width != vg.Points(3) {
		t.Errorf("discrete: style %+v, want solid, 3 points", st)
	}
	for i, c := range []struct {
		name   string
		dashes []vg.Length
		label  string
	}{{"sde", dashes[1], "first-order SDE"}, {"sde2", dashes[2], "second-order SDE"}, {"not-registered", dashes[2], "not-registered"}} {
		md := stabModel(c.name)
		if !md.SDE {
			t.Errorf("case %d: %s is not an SDE model", i, c.name)
		}
		if got := modelColor(m, c.name); got == black {
			t.Errorf("case %d: %s drawn black", i, c.name)
		}
		if st := modelStyle(c.name, 1, black); st.Dashes == nil || st.Width == vg.Points(3) {
			t.Errorf("case %d: %s styled as the discrete method", i, c.name)
		}
		got := dashes[2]
		if md.MethodSDE {
			got = dashes[1]
		}
		if !slices.Equal(got, c.dashes) {
			t.Errorf("case %d: %s escape-plot dashes %v, want %v", i, c.name, got, c.dashes)
		}
		if l := modelLabel(c.name); l != c.label {
			t.Errorf("case %d: label %q, want %q", i, l, c.label)
		}
	}
}
