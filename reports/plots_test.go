package reports

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems"
	"github.com/sdeverify/sdeverify/theorems/studies"
	"github.com/sdeverify/sdeverify/theorems/weak"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot/cmpimg"
)

// update regenerates the golden images: go test ./reports -run Golden -update
// (gonum's cmpimg flag -regen does the same).
var update = flag.Bool("update", false, "rewrite the golden images under testdata/")

// regenerate reports whether -update (or gonum cmpimg's -regen) was given.
func regenerate() bool {
	f := flag.Lookup("regen")
	return *update || (f != nil && f.Value.String() == "true")
}

// golden compares a rendered PNG with testdata/NAME.png (within gonum's
// approximate image comparison, delta 0.02, for anti-aliasing), or writes
// it with -regen.
func golden(t *testing.T, name string, png []byte) {
	t.Helper()
	p := filepath.Join("testdata", name+".png")
	if regenerate() {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(p, png, 0o644))
		return
	}
	want, err := os.ReadFile(p)
	require.NoError(t, err, "missing golden image; run go test ./reports -run Golden -update")
	ok, err := cmpimg.EqualApprox("png", png, want, 0.02)
	require.NoError(t, err)
	if !ok {
		dir := filepath.Join(os.TempDir(), "sdeverify-golden")
		require.NoError(t, os.MkdirAll(dir, 0o755))
		got := filepath.Join(dir, name+".png")
		require.NoError(t, os.WriteFile(got, png, 0o644))
		t.Fatalf("%s differs from its golden image; see %s (go test ./reports -run Golden -update after checking it)", name, got)
	}
}

// TestGoldenCurves draws curves with zero, negative, NaN and infinite
// values and bands that cross zero on log axes (gonum/plot panics on
// non-positive values on log axes): no panic, and the picture is pinned.
// An infinite value is a triangle on the top edge, named in the legend,
// with the line broken around it (not a spike to the edge); an isolated
// point is a dot.
func TestGoldenCurves(t *testing.T) {
	x := []float64{0, 1, 2, 5, 10, 20, 50, 100}
	y := []float64{3, 2, 1, 0.3, 0, -1, math.NaN(), 1e-3}
	lo := []float64{2, 1, -1, -1, -1, -1, math.NaN(), 1e-4}
	hi := []float64{4, 3, 3, 1, 1, math.Inf(1), math.NaN(), 1e-2}
	cs := []Curve{
		{Label: "with band", X: x, Y: y, Lo: lo, Hi: hi, Color: palette[0]},
		{Label: "dashed", X: x, Y: []float64{1, 1, 1, 1, 1, 1, 1, 1}, Color: palette[1], Dashed: true},
		{Label: "infinite at 3 points", X: x, Y: []float64{0.01, 0.02, math.Inf(1), 0.03, math.Inf(1), 0.02, math.Inf(1), 0.01}, Color: palette[2]},
	}
	p := curvePlot("log axes with bad values", "x", "y", cs, true, 10)
	pn := newPanel(p)
	f, err := render("curves", "", 560, 220, func(dc drawCanvas) { drawPanels(dc, [][]panel{{pn}}) })
	require.NoError(t, err)
	golden(t, "curves", f.PNG)
	// No positive value at all: a linear axis and a note, no panic.
	q := curvePlot("nothing positive", "x", "y", []Curve{{X: x, Y: make([]float64, len(x)), Color: palette[0]}}, true, 0)
	require.Contains(t, q.Title.Text, "no positive values")
}

// TestGoldenWeak pins the weak-error figure of a fixed result: its eta
// axis labelled at the study's etas, the order and its interval in the
// title.
func TestGoldenWeak(t *testing.T) {
	r := &weak.Result{Method: "dsgd", Fits: []weak.Fit{{Test: "f - f*", Slope: 1.01, Lo: 0.98, Hi: 1.04}}}
	for i, eta := range []float64{0.1, 0.05, 0.025, 0.0125} {
		e := 0.05 * eta * (1 + 0.1*float64(i%2))
		r.Points = append(r.Points, weak.Point{Eta: eta,
			Tests: []weak.Err{{Test: "f - f*", Err: e, SE: e / 20, Resolved: true}},
			ODE:   []weak.Err{{Test: "f - f*", Err: e / 2, SE: e / 40, Resolved: true}}})
	}
	f, err := WeakFigure("weak", r)
	require.NoError(t, err)
	golden(t, "weak", f.PNG)
}

// TestGoldenBound pins the failure report's figure on the shape of finding
// F5: the SDE 1.45 times over its bound while the discrete method blows up
// to 1e80. The ratio panel (linear, the line at 1) shows the SDE's band
// above 1 and the discrete ratio clipped; the two left-hand sides get
// panels of their own (their scales differ by 77 orders of magnitude).
func TestGoldenBound(t *testing.T) {
	r := &theorems.Report{Theorem: "thm6"}
	for i := 1; i <= 12; i++ {
		tm := 0.02 * float64(i)
		r.Verdicts = append(r.Verdicts,
			theorems.Verdict{Target: "sde", Time: tm, Estimate: 1.45 * (2 + tm), SE: 0.02, Bound: 2 + tm},
			theorems.Verdict{Target: "discrete", Time: tm, Estimate: math.Pow(10, float64(7*i)), SE: math.Pow(10, float64(7*i-1)), Bound: 2 + tm})
	}
	require.True(t, separateScales([]float64{3, 4}, []float64{1e80}))
	require.False(t, separateScales([]float64{3, 4}, []float64{30}))
	f, err := BoundFigure("bound", r)
	require.NoError(t, err)
	golden(t, "bound", f.PNG)
}

// TestGoldenBoundInfinite pins the failure report's figure on the shape of
// finding F6: the SDE's left-hand side is infinite (analytically, by the
// exact engine) at the decided times and finite at the checkpoints between,
// the discrete method's finite with a Monte Carlo band. The infinite
// ratios are triangles on the top edge, said in the legend, not spikes
// that drop back between them.
func TestGoldenBoundInfinite(t *testing.T) {
	r := &theorems.Report{Theorem: "thm4"}
	for i := 1; i <= 16; i++ {
		tm := 0.01 * math.Pow(1.5, float64(i))
		sde := theorems.Verdict{Target: "sde", Time: tm, Estimate: 700 / (1 + tm), SE: 5, Bound: 3000 / (1 + tm*tm)}
		if i%5 == 0 {
			sde = theorems.Verdict{Target: "sde", Time: tm, Estimate: math.Inf(1), SE: math.NaN(), Bound: sde.Bound, Engine: mc.EngineExact, Outcome: theorems.Fail}
		}
		r.Verdicts = append(r.Verdicts, sde,
			theorems.Verdict{Target: "discrete", Time: tm, Estimate: 690 / (1 + tm), SE: 20, Bound: 3000 / (1 + tm*tm)})
	}
	f, err := BoundFigure("bound-infinite", r)
	require.NoError(t, err)
	golden(t, "bound-infinite", f.PNG)
}

// TestGoldenFigure1 pins Figure 1's layout: a row per method (the paper's
// columns), without and with a schedule side by side, each legend in a
// strip at its panel's right. The runs are synthetic (no simulation, so
// that the picture does not move with the engine): in each panel a series
// that converges and one whose mean blows past the clip (triangles on the
// top edge, said in the legend) with 3% of its paths diverged.
func TestGoldenFigure1(t *testing.T) {
	run := func(f func(k int) float64, se float64) *mc.Result {
		r := &mc.Result{}
		for _, k := range []int{0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000} {
			r.Checkpoints = append(r.Checkpoints, mc.Checkpoint{Step: k, F: mc.Stat{Mean: f(k), SE: se * f(k)}})
		}
		return r
	}
	conv := func(k int) float64 { return 10 / (1 + float64(k)) }
	blow := func(k int) float64 {
		if k >= 8 && k <= 64 {
			return 1e9
		}
		return 12 / (1 + float64(k))
	}
	f1 := &studies.Figure1Result{}
	for _, id := range []string{"left-top", "left-bottom", "centre-top", "centre-bottom", "right-top", "right-bottom"} {
		bad := run(blow, 0.2)
		bad.Diverged = 6
		f1.Panels = append(f1.Panels, studies.Panel{ID: id, Title: id, Series: []studies.Series{
			{Label: "sigma=1", Config: mc.Config{Paths: 200}, Discrete: run(conv, 0.05), SDE: run(func(k int) float64 { return 1.1 * conv(k) }, 0.05)},
			{Label: "sigma=3", Config: mc.Config{Paths: 200}, Discrete: bad, SDE: run(func(k int) float64 { return 1.2 * conv(k) }, 0.05)},
		}})
	}
	f, err := Figure1Figure(f1)
	require.NoError(t, err)
	golden(t, "figure1", f.PNG)
}

// TestFiguresReadAtColumnWidth: every figure of a report, drawn at the
// page's text column (index.html: body max-width 1200px, figures at 100%
// of it), has no text smaller than the 13 px of the report's tables, its
// small print. The SVG's font sizes are in its viewBox's units; the page
// scales the viewBox's width to the column.
func TestFiguresReadAtColumnWidth(t *testing.T) {
	t.Parallel()
	const column, smallPrint = 1200.0, 13.0
	r := sampleReport(t)
	r.Summarize()
	figs, err := r.figures()
	require.NoError(t, err)
	require.NotEmpty(t, figs)
	size := regexp.MustCompile(`font-size:([0-9.]+)px`)
	width := regexp.MustCompile(`viewBox="0 0 ([0-9.]+) `)
	for _, f := range figs {
		svg := string(f.SVG)
		m := width.FindStringSubmatch(svg)
		require.NotNil(t, m, f.Name)
		w, err := strconv.ParseFloat(m[1], 64)
		require.NoError(t, err)
		smallest := math.Inf(1)
		for _, s := range size.FindAllStringSubmatch(svg, -1) {
			v, err := strconv.ParseFloat(s[1], 64)
			require.NoError(t, err)
			smallest = math.Min(smallest, v)
		}
		require.Falsef(t, math.IsInf(smallest, 1), "%s has no text", f.Name)
		require.GreaterOrEqualf(t, smallest*column/w, smallPrint, "%s: its smallest text is %.1f px at the column's width", f.Name, smallest*column/w)
	}
}
