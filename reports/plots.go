package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
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
// When fewer than two powers of ten fall inside the range, it also labels
// 2 and 5 times them, so that a narrow axis still reads.
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
	if inside < 2 {
		mantissas = []float64{1, 2, 5}
	}
	step := max(1, (hi-lo+6)/7)
	var ts []plot.Tick
	for e := lo; e <= hi; e++ {
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
	p.Title.TextStyle.Font.Size = vg.Points(10)
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
			if poly := band(c.X, c.Y, c.Lo, c.Hi, lo, hi, logX); poly != nil {
				poly.Color = fade(c.Color, 60)
				poly.LineStyle.Width = 0
				p.Add(poly)
				if c.Label != "" && len(positive(c.X, c.Y, lo, hi)) == 0 {
					p.Legend.Add(c.Label, poly) // a band without a line
				}
			}
		}
	}
	for _, c := range curves {
		xy := positive(c.X, c.Y, lo, hi)
		if logX {
			xy = dropNonPositiveX(xy)
		}
		if len(xy) == 0 {
			continue
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			continue
		}
		l.Color = c.Color
		l.Width = vg.Points(1.2)
		if c.Dashed {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		}
		p.Add(l)
		if c.Label != "" {
			p.Legend.Add(c.Label, l)
		}
	}
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(7)
	return p
}

func dropNonPositiveX(xy plotter.XYs) plotter.XYs {
	var out plotter.XYs
	for _, v := range xy {
		if v.X > 0 {
			out = append(out, v)
		}
	}
	return out
}

// band returns the polygon between lo and hi, clamped to [floor, ceil],
// with the lower edge at least y/100 where y is the curve (a log axis
// cannot show an interval that reaches 0), or nil.
func band(x, y, lo, hi []float64, floor, ceil float64, logX bool) *plotter.Polygon {
	var top, bot plotter.XYs
	for i := range x {
		if math.IsNaN(lo[i]) || math.IsNaN(hi[i]) || math.IsInf(hi[i], 0) || (logX && !(x[i] > 0)) {
			continue
		}
		l := lo[i]
		if !math.IsNaN(y[i]) && y[i] > 0 {
			l = math.Max(l, y[i]/100)
		}
		clamp := func(v float64) float64 { return math.Min(math.Max(v, floor), ceil) }
		top = append(top, plotter.XY{X: x[i], Y: clamp(hi[i])})
		bot = append(bot, plotter.XY{X: x[i], Y: clamp(l)})
	}
	if len(top) < 2 {
		return nil
	}
	ring := append(plotter.XYs{}, top...)
	for i := len(bot) - 1; i >= 0; i-- {
		ring = append(ring, bot[i])
	}
	poly, err := plotter.NewPolygon(ring)
	if err != nil {
		return nil
	}
	return poly
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
const Figure1Caption = "Figure 1: mean of f - f* over the live paths for the discrete methods (solid) and their SDEs (dashed), with 95% bands " +
	"(lower edges floored at a hundredth of the mean where the interval reaches 0; values above 1e6 times the initial level drawn at the top edge); " +
	"the legend gives the fraction of paths that diverged."

// Figure1Figure renders Figure 1's six panels like the paper's: one row
// without a schedule, one with; each series' discrete method (solid) and SDE
// (dashed) with 95% bands; the legend gives the diverged fraction.
func Figure1Figure(r *studies.Figure1Result) (Figure, error) {
	order := []string{"left-top", "centre-top", "right-top", "left-bottom", "centre-bottom", "right-bottom"}
	byID := map[string]studies.Panel{}
	for _, p := range r.Panels {
		byID[p.ID] = p
	}
	plots := [][]*plot.Plot{make([]*plot.Plot, 3), make([]*plot.Plot, 3)}
	for i, id := range order {
		pn, ok := byID[id]
		if !ok {
			continue
		}
		var cs []Curve
		maxY := 0.0
		for si, s := range pn.Series {
			maxY = math.Max(maxY, 1e6*s.Discrete.Checkpoints[0].F.Mean)
			col := palette[si%len(palette)]
			lab := s.Label
			if s.Discrete.Diverged > 0 {
				lab += fmt.Sprintf(" (%.1f%% div.)", 100*float64(s.Discrete.Diverged)/float64(s.Config.Paths))
			}
			cs = append(cs, statCurve(lab, s.Discrete, col, false))
			if s.SDE != nil {
				cs = append(cs, statCurve("", s.SDE, col, true))
			}
		}
		plots[i/3][i%3] = curvePlot(pn.Title, "step", "E[f - f*]", cs, true, maxY)
	}
	return render("figure1", Figure1Caption, 30*vg.Centimeter, 18*vg.Centimeter, func(dc draw.Canvas) {
		t := draw.Tiles{Rows: 2, Cols: 3, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
		cv := plot.Align(plots, t, dc)
		for i := range plots {
			for j := range plots[i] {
				if plots[i][j] != nil {
					plots[i][j].Draw(cv[i][j])
				}
			}
		}
	})
}

// BoundFigure renders a check's left-hand side over time with its 95% band
// against the bound, per target.
func BoundFigure(name string, r *theorems.Report) (Figure, error) {
	var cs []Curve
	for ti, target := range []string{"sde", "discrete"} {
		est, bnd := Curve{Label: target + ": left-hand side", Color: palette[ti]}, Curve{Label: target + ": bound", Color: palette[ti], Dashed: true}
		for _, v := range r.Verdicts {
			if v.Target != target || math.IsNaN(v.Estimate) {
				continue
			}
			est.X, est.Y = append(est.X, v.Time), append(est.Y, v.Estimate)
			est.Lo, est.Hi = append(est.Lo, v.Estimate-z95*v.SE), append(est.Hi, v.Estimate+z95*v.SE)
			bnd.X, bnd.Y = append(bnd.X, v.Time), append(bnd.Y, v.Bound)
		}
		if len(est.X) > 0 {
			cs = append(cs, est, bnd)
		}
	}
	p := curvePlot(fmt.Sprintf("%s: left-hand side against the bound", r.Theorem), "time t", "value", cs, true, 0)
	return render(name, p.Title.Text, 16*vg.Centimeter, 11*vg.Centimeter, func(dc draw.Canvas) { p.Draw(dc) })
}

// FanFigure renders the quantile fan of f - f* over time (5-95% and
// 25-75% bands, median) for each target of a check.
func FanFigure(name string, r *theorems.Report) (Figure, error) {
	var cs []Curve
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
			cs = append(cs, outer, inner, med)
		}
	}
	p := curvePlot(fmt.Sprintf("%s: quantiles of f - f* over the paths", r.Theorem), "time t", "f - f*", cs, true, 0)
	return render(name, p.Title.Text, 16*vg.Centimeter, 11*vg.Centimeter, func(dc draw.Canvas) { p.Draw(dc) })
}

// WeakFigure renders a weak-error study on log-log axes: err(eta) of each
// test function with +-2 se bars, the gradient flow's, and a slope-1 guide.
func WeakFigure(name string, r *weak.Result) (Figure, error) {
	var cs []Curve
	for ti := range r.Points[0].Tests {
		c := Curve{Label: "SDE: " + r.Points[0].Tests[ti].Test, Color: palette[ti]}
		o := Curve{Label: "gradient flow: " + r.Points[0].Tests[ti].Test, Color: palette[ti], Dashed: true}
		for _, p := range r.Points {
			e := p.Tests[ti]
			c.X, c.Y = append(c.X, p.Eta), append(c.Y, e.Err)
			c.Lo, c.Hi = append(c.Lo, e.Err-2*e.SE), append(c.Hi, e.Err+2*e.SE)
			o.X, o.Y = append(o.X, p.Eta), append(o.Y, p.ODE[ti].Err)
		}
		cs = append(cs, c, o)
	}
	if n := len(r.Points); n > 0 && len(cs) > 0 && cs[0].Y[n-1] > 0 {
		g := Curve{Label: "slope 1", Color: palette[6], Dashed: true}
		for _, p := range r.Points {
			g.X, g.Y = append(g.X, p.Eta), append(g.Y, cs[0].Y[n-1]*p.Eta/r.Points[n-1].Eta)
		}
		cs = append(cs, g)
	}
	title := fmt.Sprintf("Weak error of %s (order of E f: %.3g)", r.Method, r.Fits[0].Slope)
	p := curvePlot(title, "eta", "err(eta)", cs, true, 0)
	return render(name, title, 16*vg.Centimeter, 11*vg.Centimeter, func(dc draw.Canvas) { p.Draw(dc) })
}
