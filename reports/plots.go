package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems"
	"github.com/sdeverify/sdeverify/theorems/studies"
	"github.com/sdeverify/sdeverify/theorems/weak"
)

// Figure is one rendered figure.
type Figure struct {
	Name  string // file stem
	Title string
	SVG   []byte
	PNG   []byte
}

type drawCanvas = draw.Canvas

// render draws with fn onto an SVG and a PNG canvas of the given size.
func render(name, title string, w, h vg.Length, fn func(dc draw.Canvas)) (Figure, error) {
	f := Figure{Name: name, Title: title}
	sc := vgsvg.New(w, h)
	fn(draw.New(sc))
	var b bytes.Buffer
	if _, err := sc.WriteTo(&b); err != nil {
		return f, fmt.Errorf("figure %s: %w", name, err)
	}
	f.SVG = b.Bytes()
	pc := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(96), vgimg.UseBackgroundColor(color.White))}
	fn(draw.New(pc))
	var p bytes.Buffer
	if _, err := pc.WriteTo(&p); err != nil {
		return f, fmt.Errorf("figure %s: %w", name, err)
	}
	f.PNG = p.Bytes()
	return f, nil
}

// palette is a colour-blind-safe qualitative palette (Okabe-Ito).
var palette = []color.RGBA{
	{0, 114, 178, 255}, {213, 94, 0, 255}, {0, 158, 115, 255}, {204, 121, 167, 255},
	{230, 159, 0, 255}, {86, 180, 233, 255}, {0, 0, 0, 255},
}

// fade returns c with opacity a (non-premultiplied: color.RGBA is
// alpha-premultiplied, and {R, G, B, a} with R > a is not a colour).
func fade(c color.RGBA, a uint8) color.NRGBA { return color.NRGBA{c.R, c.G, c.B, a} }

// Curve is a line with an optional band [Lo, Hi].
type Curve struct {
	Label  string
	X, Y   []float64
	Lo, Hi []float64 // nil: no band
	Color  color.RGBA
	Dashed bool
	Dotted bool // thin and dotted: an exact law beside sampled curves
	// LegendOnly: no data, only a legend entry with this line's style (a
	// key for a style shared by several curves).
	LegendOnly bool
}

// style returns the curve's line style.
func (c Curve) style() draw.LineStyle {
	ls := draw.LineStyle{Color: c.Color, Width: vg.Points(1.2)}
	if c.Dashed {
		ls.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
	}
	if c.Dotted {
		ls.Width = vg.Points(1.6)
		ls.Dashes = []vg.Length{vg.Points(1), vg.Points(2.5)}
	}
	return ls
}

// logRange returns limits for a log axis over the finite positive values,
// or ok = false when there are none. Log axes in gonum/plot panic on
// non-positive values and on degenerate ranges, so the caller sets these
// limits explicitly and drops non-positive points.
func logRange(vals ...[]float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, vs := range vals {
		for _, v := range vs {
			if v > 0 && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if !(lo <= hi) {
		return 0, 0, false
	}
	if hi/lo < 10 {
		m := math.Sqrt(hi * lo)
		lo, hi = m/4, m*4
	}
	return lo / 1.5, hi * 1.5, true
}

// positive returns the points with finite y > 0, clamped to [floor, ceil].
func positive(x, y []float64, floor, ceil float64) plotter.XYs {
	var xy plotter.XYs
	for i := range x {
		if y[i] > 0 && !math.IsInf(y[i], 0) && !math.IsNaN(x[i]) {
			xy = append(xy, plotter.XY{X: x[i], Y: math.Min(math.Max(y[i], floor), ceil)})
		}
	}
	return xy
}

// decades ticks a log axis at powers of ten, labelling at most 7 of them.
// When fewer than three powers of ten fall inside the range, it also labels
// 2 and 5 times them, so that a narrow axis still reads. Over more than 14
// decades only the labelled ones are ticked: a tick per decade over 1e0 to
// 1e250 drew a solid black bar.
type decades struct{}

// Ticks implements plot.Ticker.
func (decades) Ticks(vmin, vmax float64) []plot.Tick {
	lo, hi := int(math.Floor(math.Log10(vmin))), int(math.Ceil(math.Log10(vmax)))
	inside := 0
	for e := lo; e <= hi; e++ {
		if v := math.Pow(10, float64(e)); v >= vmin && v <= vmax {
			inside++
		}
	}
	mantissas := []float64{1}
	if inside < 3 {
		mantissas = []float64{1, 2, 5}
	}
	step := max(1, (hi-lo+6)/7)
	var ts []plot.Tick
	for e := lo; e <= hi; e++ {
		if hi-lo > 14 && (e-lo)%step != 0 {
			continue
		}
		for _, m := range mantissas {
			v := m * math.Pow(10, float64(e))
			if v < vmin || v > vmax {
				continue
			}
			t := plot.Tick{Value: v}
			if (e-lo)%step == 0 {
				if e >= -3 && e <= 3 {
					t.Label = strconv.FormatFloat(v, 'g', -1, 64)
				} else {
					t.Label = fmt.Sprintf("%ge%d", m, e)
				}
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// curvePlot builds a plot of curves with a log y axis (linear when no value
// is positive) and optional log x axis. Values above maxY (0: no cap) are
// drawn at the top edge. A band's lower edge is floored at a hundredth of
// its curve where the interval reaches 0, which a log axis cannot show.
func curvePlot(title, xlabel, ylabel string, curves []Curve, logX bool, maxY float64) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = xlabel, ylabel
	var ys [][]float64
	for _, c := range curves {
		ys = append(ys, c.Y, c.Lo, c.Hi)
	}
	lo, hi, ok := logRange(ys...)
	if !ok {
		p.Title.Text += " (no positive values)"
		p.Y.Min, p.Y.Max = 0, 1
		return p
	}
	if maxY > 0 && hi > maxY {
		hi = maxY
		if lo >= hi {
			lo = hi / 1e3
		}
	}
	p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, decades{}
	p.Y.Min, p.Y.Max = lo, hi
	if logX {
		var xs [][]float64
		for _, c := range curves {
			xs = append(xs, c.X)
		}
		if xl, xh, ok := logRange(xs...); ok {
			p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, decades{}
			p.X.Min, p.X.Max = xl, xh
		}
	}
	for _, c := range curves {
		if c.Lo != nil {
			polys := band(c.X, c.Y, c.Lo, c.Hi, lo, hi, logX)
			for i, poly := range polys {
				poly.Color = fade(c.Color, 60)
				poly.LineStyle.Width = 0
				p.Add(poly)
				if i == 0 && c.Label != "" && len(positive(c.X, c.Y, lo, hi)) == 0 {
					p.Legend.Add(c.Label, poly) // a band without a line
				}
			}
		}
	}
	var off offScale
	for _, c := range curves {
		if c.LegendOnly {
			p.Legend.Add(c.Label, &plotter.Line{LineStyle: c.style()})
			continue
		}
		runs, above := segments(c.X, c.Y, lo, hi, logX)
		off.add(c.Y, hi)
		labelled := false
		for _, run := range runs {
			if len(run) == 1 { // an isolated point: a dot, not an invisible line
				if sc, err := plotter.NewScatter(run); err == nil {
					sc.GlyphStyle = draw.GlyphStyle{Color: c.Color, Radius: vg.Points(1.8), Shape: draw.CircleGlyph{}}
					p.Add(sc)
				}
			}
			l, err := plotter.NewLine(run)
			if err != nil {
				continue
			}
			l.LineStyle = c.style()
			p.Add(l)
			if c.Label != "" && !labelled {
				p.Legend.Add(c.Label, l)
				labelled = true
			}
		}
		if len(above) > 0 {
			p.Add(topMarkers(above, c.Color))
		}
	}
	off.legend(p)
	p.Legend.Top = true
	setFonts(p)
	return p
}

// setFonts sets every text of p at a size that reads at the report's
// column width: figures are 30 cm wide, which the page draws at about its
// 1200 px column (1 pt is then about 1.4 px), so that 10.5 pt tick labels
// and legends come out at about 14 px, above the 13 px of the report's
// tables.
func setFonts(p *plot.Plot) {
	p.Title.TextStyle.Font.Size = vg.Points(12)
	p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = vg.Points(11.5), vg.Points(11.5)
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = vg.Points(10.5), vg.Points(10.5)
	p.Legend.TextStyle.Font.Size = vg.Points(10.5)
}

// segments splits a curve into the runs drawn as lines, between points
// that cannot be drawn (NaN; y <= 0 on a log axis), and the points above
// the axis (infinite, or beyond hi), drawn as markers at the top edge
// instead of spikes to it.
func segments(x, y []float64, lo, hi float64, logX bool) (runs []plotter.XYs, above plotter.XYs) {
	var run plotter.XYs
	flush := func() {
		if len(run) > 0 {
			runs = append(runs, run)
		}
		run = nil
	}
	for i := range x {
		switch {
		case math.IsNaN(x[i]) || (logX && !(x[i] > 0)):
			continue
		case math.IsNaN(y[i]) || !(y[i] > 0):
			flush()
		case y[i] > hi:
			flush()
			above = append(above, plotter.XY{X: x[i], Y: hi})
		default:
			run = append(run, plotter.XY{X: x[i], Y: math.Max(y[i], lo)})
		}
	}
	flush()
	return runs, above
}

// topMarkers draws the points above a plot's top edge as filled triangles
// on the edge, in the curve's colour.
func topMarkers(pts plotter.XYs, c color.Color) *plotter.Scatter {
	sc, _ := plotter.NewScatter(pts)
	sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(4), Shape: draw.PyramidGlyph{}}
	return sc
}

// offScale records whether a plot drew markers at its top edge for
// infinite values, for finite values beyond the axis, or both, to say so
// in the legend.
type offScale struct{ inf, clipped bool }

func (o *offScale) add(y []float64, hi float64) {
	for _, v := range y {
		switch {
		case math.IsInf(v, 1):
			o.inf = true
		case v > hi:
			o.clipped = true
		}
	}
}

// legend adds the markers' key to p's legend.
func (o offScale) legend(p *plot.Plot) {
	var what string
	switch {
	case o.inf && o.clipped:
		what = "on the top edge: infinite or above the axis"
	case o.inf:
		what = "on the top edge: infinite"
	case o.clipped:
		what = "on the top edge: above the axis"
	default:
		return
	}
	p.Legend.Add(what, topMarkers(plotter.XYs{{X: 1, Y: 1}}, color.Gray{Y: 90}))
}

// panel is a plot with its legend, drawn in a strip at the plot's right,
// outside the data.
type panel struct {
	p   *plot.Plot
	leg plot.Legend
}

// legendWidth is the strip each panel's legend gets.
const legendWidth = 5.8 * vg.Centimeter

// newPanel moves p's legend out of the plot.
func newPanel(p *plot.Plot) panel {
	leg := p.Legend
	p.Legend = plot.NewLegend()
	leg.Top, leg.Left = true, true
	leg.TextStyle.Font.Size = vg.Points(10.5)
	leg.ThumbnailWidth = vg.Points(18)
	return panel{p: p, leg: leg}
}

// drawPanels draws rows of panels on dc, each row across the whole width
// (a row of one panel spans it), the plots of a row aligned, each legend to
// its plot's right; a panel with a nil plot leaves its place empty.
func drawPanels(dc draw.Canvas, rows [][]panel) {
	h := (dc.Max.Y - dc.Min.Y) / vg.Length(len(rows))
	for i, r := range rows {
		// Row i from the top.
		rc := draw.Crop(dc, 0, 0, vg.Length(len(rows)-1-i)*h, -vg.Length(i)*h)
		plots := [][]*plot.Plot{make([]*plot.Plot, len(r))}
		for j, pn := range r {
			plots[0][j] = pn.p
		}
		t := draw.Tiles{Rows: 1, Cols: len(r), PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 6,
			PadTop: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
		cv := plot.Align(plots, t, rc)
		for j, pn := range r {
			if pn.p == nil {
				continue
			}
			c := cv[0][j]
			w := c.Max.X - c.Min.X
			pn.p.Draw(draw.Crop(c, 0, -legendWidth, 0, 0))
			pn.leg.Draw(draw.Crop(c, w-legendWidth+vg.Millimeter*3, 0, 0, -vg.Millimeter*2))
		}
	}
}

// band returns the polygons between lo and hi, clamped to [floor, ceil],
// with the lower edge at least y/100 where y is the curve (a log axis
// cannot show an interval that reaches 0), split where an end is missing
// or infinite or the curve is above the axis (no band across a gap, and
// none up to the clip where the curve is a marker).
func band(x, y, lo, hi []float64, floor, ceil float64, logX bool) []*plotter.Polygon {
	var out []*plotter.Polygon
	var top, bot plotter.XYs
	flush := func() {
		if len(top) >= 2 {
			ring := append(plotter.XYs{}, top...)
			for i := len(bot) - 1; i >= 0; i-- {
				ring = append(ring, bot[i])
			}
			if poly, err := plotter.NewPolygon(ring); err == nil {
				out = append(out, poly)
			}
		}
		top, bot = nil, nil
	}
	clamp := func(v float64) float64 { return math.Min(math.Max(v, floor), ceil) }
	for i := range x {
		if logX && !(x[i] > 0) {
			continue
		}
		if math.IsNaN(lo[i]) || math.IsNaN(hi[i]) || math.IsInf(hi[i], 0) || math.IsInf(lo[i], 0) || math.IsInf(y[i], 0) || y[i] > ceil {
			flush()
			continue
		}
		l := lo[i]
		if !math.IsNaN(y[i]) && y[i] > 0 {
			l = math.Max(l, y[i]/100)
		}
		top = append(top, plotter.XY{X: x[i], Y: clamp(hi[i])})
		bot = append(bot, plotter.XY{X: x[i], Y: clamp(l)})
	}
	flush()
	return out
}

// z95 is the two-sided 95% normal quantile used for every band.
var z95 = mc.ZCrit(0.05)

// statCurve turns a run's checkpoints into the curve of E[f - f*] with a
// 95% band.
func statCurve(label string, r *mc.Result, c color.RGBA, dashed bool) Curve {
	cv := Curve{Label: label, Color: c, Dashed: dashed}
	for _, cp := range r.Checkpoints {
		cv.X = append(cv.X, float64(cp.Step))
		cv.Y = append(cv.Y, cp.F.Mean)
		cv.Lo = append(cv.Lo, cp.F.Mean-z95*cp.F.SE)
		cv.Hi = append(cv.Hi, cp.F.Mean+z95*cp.F.SE)
	}
	return cv
}

// Figure1Caption describes Figure1Figure.
const Figure1Caption = "Figure 1, one row per method (the paper's columns: DSGD, DCSGD, DSignSGD), without a schedule on the left and with one on " +
	"the right (the paper's rows): mean of f - f* over the live paths for the discrete methods (solid) and their SDEs (dashed), with 95% bands " +
	"(lower edges floored at a hundredth of the mean where the interval reaches 0); a mean above 1e6 times the initial level is a triangle " +
	"on the top edge, not a line; the legend gives the fraction of paths that diverged. In the DSGD and DSignSGD panels the black dots are the " +
	"exact laws of both (model/exact: the mean over the paths still in the engine's grid, no sampling)."

// Figure1Figure renders Figure 1's six panels like the paper's: one row
// without a schedule, one with; each series' discrete method (solid) and SDE
// (dashed) with 95% bands; the legend gives the diverged fraction.
func Figure1Figure(r *studies.Figure1Result) (Figure, error) {
	// The paper's 2 x 3 grid, transposed: a row per method, so that each
	// panel and its legend get half the width.
	order := []string{"left-top", "left-bottom", "centre-top", "centre-bottom", "right-top", "right-bottom"}
	byID := map[string]studies.Panel{}
	for _, p := range r.Panels {
		byID[p.ID] = p
	}
	rows := [][]panel{make([]panel, 2), make([]panel, 2), make([]panel, 2)}
	for i, id := range order {
		pn, ok := byID[id]
		if !ok {
			continue
		}
		var cs []Curve
		maxY := 0.0
		hasExact := false
		for si, s := range pn.Series {
			maxY = math.Max(maxY, 1e6*s.Discrete.Checkpoints[0].F.Mean)
			col := palette[si%len(palette)]
			lab := s.Label
			if s.Discrete.Diverged > 0 {
				lab += fmt.Sprintf(" (%s div.)", Percent(s.Discrete.Diverged, s.Config.Paths))
			}
			cs = append(cs, statCurve(lab, s.Discrete, col, false))
			if s.SDE != nil {
				cs = append(cs, statCurve("", s.SDE, col, true))
			}
			if s.Exact != nil {
				hasExact = true
				for _, cv := range []studies.ExactCurve{s.Exact.Discrete, s.Exact.SDE} {
					ex := Curve{Color: palette[6], Dotted: true}
					for k, step := range cv.Steps {
						ex.X, ex.Y = append(ex.X, float64(step)), append(ex.Y, cv.Mean[k].Value)
					}
					cs = append(cs, ex)
				}
			}
		}
		if len(pn.Series) > 0 && pn.Series[0].SDE != nil {
			cs = append(cs, Curve{Label: "SDE (dashed)", Color: color.RGBA{120, 120, 120, 255}, Dashed: true, LegendOnly: true})
		}
		if hasExact {
			cs = append(cs, Curve{Label: "exact laws (dots)", Color: palette[6], Dotted: true, LegendOnly: true})
		}
		rows[i/2][i%2] = newPanel(curvePlot(pn.Title, "step", "E[f - f*]", cs, true, maxY))
	}
	return render("figure1", Figure1Caption, 30*vg.Centimeter, 30*vg.Centimeter, func(dc draw.Canvas) { drawPanels(dc, rows) })
}

// ratioCap is the top of the LHS/bound panel's linear axis: ratios above it
// are drawn at the edge and marked clipped.
const ratioCap = 4

// separateScales reports whether two targets' values differ by more than
// three orders of magnitude (their largest finite positive values), so that
// one log axis would flatten the smaller into a line.
func separateScales(a, b []float64) bool {
	top := func(vs []float64) float64 {
		m := 0.0
		for _, v := range vs {
			if v > m && !math.IsInf(v, 0) {
				m = v
			}
		}
		return m
	}
	ta, tb := top(a), top(b)
	if ta == 0 || tb == 0 {
		return false
	}
	return math.Abs(math.Log10(ta/tb)) > 3
}

// BoundFigure renders a check over time: LHS/bound of each target with
// its 95% band on a linear axis with the line at 1 (a FAIL is a band above
// it), then the left-hand side against the bound, the SDE and the
// discrete method on panels of their own when their scales differ by more
// than three orders of magnitude (a discrete blow-up to 1e80 flattened the
// SDE's violation into a line).
func BoundFigure(name string, r *theorems.Report) (Figure, error) {
	var ratios, lhs [][]Curve
	var raw [][]float64
	var targets []string
	for ti, target := range []string{"sde", "discrete"} {
		rt := Curve{Label: target, Color: palette[ti]}
		est, bnd := Curve{Label: target + ": left-hand side", Color: palette[ti]}, Curve{Label: target + ": bound", Color: palette[ti], Dashed: true}
		for _, v := range r.Verdicts {
			if v.Target != target || math.IsNaN(v.Estimate) {
				continue
			}
			lo, hi := verdictBand(v)
			est.X, est.Y = append(est.X, v.Time), append(est.Y, v.Estimate)
			est.Lo, est.Hi = append(est.Lo, lo), append(est.Hi, hi)
			bnd.X, bnd.Y = append(bnd.X, v.Time), append(bnd.Y, v.Bound)
			if v.Bound > 0 {
				rt.X, rt.Y = append(rt.X, v.Time), append(rt.Y, v.Estimate/v.Bound)
				rt.Lo, rt.Hi = append(rt.Lo, lo/v.Bound), append(rt.Hi, hi/v.Bound)
			}
		}
		if len(est.X) > 0 {
			targets = append(targets, target)
			ratios = append(ratios, []Curve{rt})
			lhs = append(lhs, []Curve{est, bnd})
			raw = append(raw, append(append([]float64{}, est.Hi...), bnd.Y...))
		}
	}
	var allRatios []Curve
	for _, c := range ratios {
		allRatios = append(allRatios, c...)
	}
	top := []panel{newPanel(ratioPlot(fmt.Sprintf("%s: LHS / bound, FAIL above 1 (bands, where wider than the line: %s)", r.Theorem, bandWords(r)), allRatios))}
	bottom := targetPanels(targets, lhs, raw, "left-hand side and bound", "value")
	title := fmt.Sprintf("%s: the left-hand side against the bound", r.Theorem)
	return render(name, title, 30*vg.Centimeter, 20*vg.Centimeter, func(dc draw.Canvas) { drawPanels(dc, [][]panel{top, bottom}) })
}

// bandWords says what the bound figure's shaded bands are: 95% intervals
// of Monte Carlo estimates, the exact engine's numerical error, or both.
func bandWords(r *theorems.Report) string {
	mcarlo, ex := false, false
	for _, v := range r.Verdicts {
		if v.Engine == mc.EngineExact {
			ex = true
		} else {
			mcarlo = true
		}
	}
	switch {
	case mcarlo && ex:
		return "95% intervals or numerical error"
	case ex:
		return "numerical error"
	}
	return "95% intervals"
}

// verdictBand is the band drawn around a verdict's left-hand side: the 95%
// normal interval of a Monte Carlo estimate, the numerical error of the
// exact engine's, and the value itself where it is infinite (diverged
// paths, or infinite analytically: no interval).
func verdictBand(v theorems.Verdict) (lo, hi float64) {
	switch {
	case math.IsInf(v.Estimate, 0) || math.IsNaN(v.SE):
		return v.Estimate, v.Estimate
	case v.Engine == mc.EngineExact:
		return v.Estimate - v.NumErr, v.Estimate + v.NumErr
	}
	return v.Estimate - z95*v.SE, v.Estimate + z95*v.SE
}

// targetPanels plots each target's curves on a panel of its own when two
// targets' scales differ by more than three orders of magnitude (raw holds
// each target's values), else all of them on one panel.
func targetPanels(targets []string, groups [][]Curve, raw [][]float64, title, ylabel string) []panel {
	if len(groups) == 2 && separateScales(raw[0], raw[1]) {
		var out []panel
		for i, cs := range groups {
			out = append(out, newPanel(curvePlot(targets[i]+": "+title, "time t", ylabel, cs, true, 0)))
		}
		return out
	}
	var cs []Curve
	for _, g := range groups {
		cs = append(cs, g...)
	}
	return []panel{newPanel(curvePlot(title, "time t", ylabel, cs, true, 0))}
}

// ratioPlot plots ratios on a linear axis from 0 to at most ratioCap with
// the line at 1; values above the cap are drawn at the top edge and their
// curves marked clipped; the time axis is logarithmic.
func ratioPlot(title string, curves []Curve) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = "time t", "LHS / bound"
	hi := 1.5
	var xs [][]float64
	for _, c := range curves {
		xs = append(xs, c.X)
		for _, v := range c.Hi {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				hi = math.Max(hi, math.Min(v*1.05, ratioCap))
			}
		}
	}
	p.Y.Min, p.Y.Max = 0, hi
	if xl, xh, ok := logRange(xs...); ok {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, decades{}
		p.X.Min, p.X.Max = xl, xh
	}
	one, _ := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: 1}, {X: p.X.Max, Y: 1}})
	if one != nil {
		one.Color, one.Width = color.Black, vg.Points(0.8)
		p.Add(one)
		p.Legend.Add("bound (= 1)", one)
	}
	clamp := func(v float64) float64 { return math.Min(math.Max(v, 0), hi) }
	var off offScale
	for _, c := range curves {
		// Bands and lines run between the points that can be drawn; a
		// ratio above the cap or infinite is a marker on the top edge.
		var top, bot, line plotter.XYs
		var above plotter.XYs
		labelled := false
		flush := func() {
			if len(top) > 1 {
				ring := append(plotter.XYs{}, top...)
				for i := len(bot) - 1; i >= 0; i-- {
					ring = append(ring, bot[i])
				}
				if poly, err := plotter.NewPolygon(ring); err == nil {
					poly.Color = fade(c.Color, 60)
					poly.LineStyle.Width = 0
					p.Add(poly)
				}
			}
			if len(line) > 0 {
				if l, err := plotter.NewLine(line); err == nil {
					l.LineStyle = c.style()
					p.Add(l)
					if !labelled {
						p.Legend.Add(c.Label, l)
						labelled = true
					}
				}
			}
			top, bot, line = nil, nil, nil
		}
		for i := range c.X {
			switch {
			case !(c.X[i] > 0):
				continue
			case math.IsNaN(c.Y[i]):
				flush()
			case c.Y[i] > hi:
				flush()
				above = append(above, plotter.XY{X: c.X[i], Y: hi})
			default:
				line = append(line, plotter.XY{X: c.X[i], Y: clamp(c.Y[i])})
				if !math.IsNaN(c.Lo[i]) && !math.IsNaN(c.Hi[i]) && !math.IsInf(c.Hi[i], 0) {
					top = append(top, plotter.XY{X: c.X[i], Y: clamp(c.Hi[i])})
					bot = append(bot, plotter.XY{X: c.X[i], Y: clamp(c.Lo[i])})
				}
			}
		}
		flush()
		off.add(c.Y, hi)
		if len(above) > 0 {
			p.Add(topMarkers(above, c.Color))
			if !labelled {
				p.Legend.Add(c.Label, topMarkers(plotter.XYs{{X: 1, Y: 1}}, c.Color))
			}
		}
	}
	off.legend(p)
	setFonts(p)
	return p
}

// FanFigure renders the quantile fan of f - f* over time (5-95% and
// 25-75% bands, median) for each target of a check, on panels of their own
// when the targets' scales differ by more than three orders of magnitude.
func FanFigure(name string, r *theorems.Report) (Figure, error) {
	var fans [][]Curve
	var raw [][]float64
	var targets []string
	for ti, target := range []string{"sde", "discrete"} {
		outer := Curve{Label: target + ": 5-95%", Color: palette[ti]}
		inner := Curve{Label: target + ": 25-75%", Color: palette[ti]}
		med := Curve{Label: target + ": median", Color: palette[ti], Dashed: target == "discrete"}
		for _, v := range r.Verdicts {
			if v.Target != target || len(v.Quantiles) != 5 {
				continue
			}
			q := v.Quantiles
			outer.X, outer.Lo, outer.Hi = append(outer.X, v.Time), append(outer.Lo, q[0]), append(outer.Hi, q[4])
			inner.X, inner.Lo, inner.Hi = append(inner.X, v.Time), append(inner.Lo, q[1]), append(inner.Hi, q[3])
			outer.Y, inner.Y = append(outer.Y, math.NaN()), append(inner.Y, math.NaN())
			med.X, med.Y = append(med.X, v.Time), append(med.Y, q[2])
		}
		if len(med.X) > 0 {
			targets = append(targets, target)
			fans = append(fans, []Curve{outer, inner, med})
			raw = append(raw, med.Y)
		}
	}
	row := targetPanels(targets, fans, raw, "quantiles of f - f*", "f - f*")
	title := fmt.Sprintf("%s: quantiles of f - f* over the paths", r.Theorem)
	return render(name, title, 30*vg.Centimeter, 11*vg.Centimeter, func(dc draw.Canvas) { drawPanels(dc, [][]panel{row}) })
}

// etaTicks labels a weak study's eta axis at its etas (every other one
// when there are more than six), so that the ticks span the data.
func etaTicks(r *weak.Result) plot.Ticker {
	var etas []float64
	for _, p := range r.Points {
		etas = append(etas, p.Eta)
	}
	if r.ExactRef != nil {
		for _, p := range r.ExactRef.Points {
			etas = append(etas, p.Eta)
		}
	}
	slices.Sort(etas)
	etas = slices.Compact(etas)
	step := 1
	if len(etas) > 6 {
		step = 2
	}
	var ts []plot.Tick
	for i, eta := range etas {
		t := plot.Tick{Value: eta}
		if i%step == 0 { // the smallest eta always labelled
			t.Label = Param(eta)
		}
		ts = append(ts, t)
	}
	return plot.ConstantTicks(ts)
}

// WeakFigure renders a weak-error study on log-log axes: err(eta) of each
// test function with +-(2 se + bias) bars (bias: the SDE reference's
// integrator bias allowance), the gradient flow's, a slope-1 guide and,
// beside a Monte Carlo study, the same study by the exact engine (black
// dots).
func WeakFigure(name string, r *weak.Result) (Figure, error) {
	var cs []Curve
	for ti := range r.Points[0].Tests {
		c := Curve{Label: "SDE: " + r.Points[0].Tests[ti].Test, Color: palette[ti]}
		o := Curve{Label: "gradient flow: " + r.Points[0].Tests[ti].Test, Color: palette[ti], Dashed: true}
		for _, p := range r.Points {
			e := p.Tests[ti]
			c.X, c.Y = append(c.X, p.Eta), append(c.Y, e.Err)
			c.Lo, c.Hi = append(c.Lo, e.Err-2*e.SE-e.Bias), append(c.Hi, e.Err+2*e.SE+e.Bias)
			o.X, o.Y = append(o.X, p.Eta), append(o.Y, p.ODE[ti].Err)
		}
		cs = append(cs, c, o)
	}
	if n := len(r.Points); n > 0 && len(cs) > 0 && cs[0].Y[n-1] > 0 {
		g := Curve{Label: "slope 1 (order 1)", Color: palette[6], Dashed: true}
		for _, p := range r.Points {
			g.X, g.Y = append(g.X, p.Eta), append(g.Y, cs[0].Y[n-1]*p.Eta/r.Points[n-1].Eta)
		}
		cs = append(cs, g)
	}
	if x := r.ExactRef; x != nil && len(x.Points) > 0 {
		for ti := range x.Points[0].Tests {
			c := Curve{Color: palette[6], Dotted: true}
			if ti == 0 {
				c.Label = "exact engine (dots)"
			}
			for _, p := range x.Points {
				c.X, c.Y = append(c.X, p.Eta), append(c.Y, p.Tests[ti].Err)
			}
			cs = append(cs, c)
		}
	}
	title := fmt.Sprintf("Weak error of %s against its SDE", r.Method)
	if len(r.Fits) > 0 {
		f := r.Fits[0]
		title += fmt.Sprintf(" (order of E[%s]: %s", f.Test, Fixed(f.Slope, 3))
		if !math.IsNaN(f.Lo) && !math.IsNaN(f.Hi) && f.Hi > f.Lo {
			title += ", interval [" + Fixed(f.Lo, 3) + ", " + Fixed(f.Hi, 3) + "]"
		}
		title += ")"
	}
	p := curvePlot(title, "eta", "err(eta)", cs, true, 0)
	p.X.Tick.Marker = etaTicks(r)
	pn := newPanel(p)
	return render(name, title, 30*vg.Centimeter, 12*vg.Centimeter, func(dc draw.Canvas) { drawPanels(dc, [][]panel{{pn}}) })
}
