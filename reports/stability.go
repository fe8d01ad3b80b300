package reports

import (
	"fmt"
	"github.com/sdeverify/sdeverify/internal/format"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/sdeverify/sdeverify/theorems/stability"
)

// stabNum formats a probability or a step with 4 significant digits.
func stabNum(x float64) string { return format.Num(x) }

// stabValue formats a value and its error estimate.
func stabValue(v, e float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return format.Num(v) + " ± " + format.Num2(e)
}

// criticalCell states a critical step: the interpolated estimate and the
// bracket (Lo, Hi] from the engine's bars.
func criticalCell(c stability.Critical) string {
	switch c.Status {
	case "bracketed":
		return fmt.Sprintf("%s in (%s, %s]", stabNum(c.Eta), stabNum(c.Lo), stabNum(c.Hi))
	case "above-grid":
		return "> " + stabNum(c.Lo) + " (above the grid)"
	case "below-grid":
		return "<= " + stabNum(c.Hi) + " (below the grid)"
	}
	return "unresolved"
}

func axisCell(m *stability.Map, v float64) string {
	if m.Axis == "" {
		return "-"
	}
	return m.Axis + " = " + stabNum(v)
}

// StabilityMarkdown writes a stability map as Markdown: what was
// computed, the critical steps per model, axis value and threshold, the
// verdicts (does each SDE model's critical step come within the map's
// factor of the discrete method's), the threshold comparisons and, per
// axis value, p(eta, R) at every step of the grid.
func StabilityMarkdown(w io.Writer, m *stability.Map) {
	fmt.Fprintf(w, "Stability map of %s on %s, noise %s, x0 = %s, constant schedule value %s, horizon T = %s (each eta runs T/eta steps); "+
		"p(eta, R) is the probability of reaching |x| >= R by the horizon, from the exact engine with its error estimate; "+
		"the critical step is the smallest eta with p >= %s.\n\n",
		m.Method, m.Objective, m.Noise, stabNum(m.X0), stabNum(rateOf(m.Rate)), stabNum(m.Horizon), stabNum(m.Level))
	fmt.Fprintln(w, "| model | axis | R | critical step eta* | interpolated interval | p monotone in eta | Feller's +inf |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, c := range m.Curves {
		cr := c.Critical
		iv := "-"
		if cr.Status == "bracketed" || cr.Status == "below-grid" {
			iv = "[" + stabNum(cr.ILo) + ", " + stabNum(cr.IHi) + "]"
		}
		tails := "-"
		if c.Tails != "" {
			tails = stabCell(c.Tails)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", c.Label, axisCell(m, c.Value), stabNum(c.Radius), criticalCell(cr), iv, stabYesNo(cr.Monotone), tails)
	}
	fmt.Fprintf(w, "\nThe bracket (lo, hi] holds eta* if p increases with eta: p + err < q at lo, p - err >= q at hi (bisection narrows it until a point's bar straddles q). "+
		"The estimate interpolates log p linearly in log eta; its interval is the same interpolation of p + err and p - err.\n\n")
	if len(m.Verdicts) > 0 {
		fmt.Fprintf(w, "| model | axis | R | eta*(model) / eta*(discrete) | captures the discrete step-size restriction (within a factor %s)? |\n", stabNum(m.Factor))
		fmt.Fprintln(w, "|---|---|---|---|---|")
		for _, v := range m.Verdicts {
			fmt.Fprintf(w, "| %s | %s | %s | [%s, %s] | %s |\n", v.Model, axisCell(m, v.Value), stabNum(v.Radius), stabNum(v.RatioLo), stabNum(v.RatioHi), v.Outcome)
		}
		fmt.Fprintln(w)
	}
	if len(m.Radius) > 0 {
		fmt.Fprintln(w, "| model | axis | R1 -> R2 | p(eta, R2) = p(eta, R1) within the bars at every eta | p(R2)/p(R1) over the etas where p(R1) > its error |")
		fmt.Fprintln(w, "|---|---|---|---|---|")
		for _, r := range m.Radius {
			ratio := "-"
			if r.Points > 0 {
				ratio = "[" + stabNum(r.MinRatio) + ", " + stabNum(r.MaxRatio) + "] (" + strconv.Itoa(r.Points) + " " + map[bool]string{true: "eta", false: "etas"}[r.Points == 1] + ")"
			}
			fmt.Fprintf(w, "| %s | %s | %s -> %s | %s | %s |\n", r.Model, axisCell(m, r.Value), stabNum(r.R1), stabNum(r.R2), stabYesNo(r.Converged), ratio)
		}
		fmt.Fprintln(w)
	}
	for _, v := range axisValues(m) {
		var cs []stability.Curve
		for _, c := range m.Curves {
			if c.Value == v {
				cs = append(cs, c)
			}
		}
		if m.Axis != "" {
			fmt.Fprintf(w, "%s: p(eta, R) ± its error; E[f - f*] given that the path stayed, at the largest R.\n\n", axisCell(m, v))
		} else {
			fmt.Fprintf(w, "p(eta, R) ± its error; E[f - f*] given that the path stayed, at the largest R.\n\n")
		}
		head := []string{"eta", "steps"}
		for _, c := range cs {
			head = append(head, fmt.Sprintf("p, %s, R = %s", c.Label, stabNum(c.Radius)))
		}
		rmax := m.Radii[len(m.Radii)-1]
		for _, c := range cs {
			if c.Radius == rmax {
				head = append(head, "E[f - f*] given stayed, "+c.Label)
			}
		}
		fmt.Fprintln(w, "| "+strings.Join(head, " | ")+" |")
		fmt.Fprintln(w, "|"+strings.Repeat("---|", len(head)))
		for _, eta := range etasOf(cs) {
			row := []string{stabNum(eta), "-"}
			for _, c := range cs {
				p, ok := pointAt(c, eta)
				row = append(row, pointCell(p, ok, false))
				if ok {
					row[1] = strconv.Itoa(p.Steps)
				}
			}
			for _, c := range cs {
				if c.Radius == rmax {
					p, ok := pointAt(c, eta)
					row = append(row, pointCell(p, ok, true))
				}
			}
			fmt.Fprintln(w, "| "+strings.Join(row, " | ")+" |")
		}
		fmt.Fprintln(w)
	}
}

// stabCell escapes the pipes of free text in a table cell.
func stabCell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

func rateOf(r float64) float64 {
	if r == 0 {
		return 1
	}
	return r
}

func stabYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func pointCell(p stability.Point, ok, mean bool) string {
	switch {
	case !ok:
		return ""
	case p.Note != "":
		return "refused: " + stabCell(p.Note)
	case mean:
		return stabValue(p.Mean.Value, p.Mean.Err)
	}
	s := stabValue(p.Escape.Value, p.Escape.Err)
	if p.Refined {
		s += " (bisection)"
	}
	return s
}

func pointAt(c stability.Curve, eta float64) (stability.Point, bool) {
	for _, p := range c.Points {
		if p.Eta == eta {
			return p, true
		}
	}
	return stability.Point{}, false
}

func etasOf(cs []stability.Curve) []float64 {
	var out []float64
	for _, c := range cs {
		for _, p := range c.Points {
			out = append(out, p.Eta)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func axisValues(m *stability.Map) []float64 {
	var out []float64
	for _, c := range m.Curves {
		if !slices.Contains(out, c.Value) {
			out = append(out, c.Value)
		}
	}
	return out
}

// dashes are the line styles of the thresholds, the largest R solid.
var dashes = [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)}, {vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)}}

// StabilityFigure draws a stability map in two panels, one above the
// other, each with its legend to its right. Top: the critical step
// eta*(q) against the axis value, one curve per model (the discrete
// method's bold and black, at the largest threshold, where it has
// converged in R; each SDE model in its colour, dashed by threshold, the
// largest R solid), the bracket (lo, hi] as a vertical bar and a triangle
// at lo where eta* lies above the grid. Bottom: p(eta, R) against eta at
// the largest threshold, one colour per axis value, the discrete method
// bold and solid, the first-order SDE dashed, other models dotted, the
// engine's error bars as bands, and the level q.
func StabilityFigure(name string, m *stability.Map) (Figure, error) {
	top, err := criticalPlot(m)
	if err != nil {
		return Figure{Name: name}, err
	}
	bottom, err := escapePlot(m)
	if err != nil {
		return Figure{Name: name}, err
	}
	title := fmt.Sprintf("Stability map: %s, critical step at p = %s and p(eta, R)", m.Method, stabNum(m.Level))
	const legendWidth = 8.5 * vg.Centimeter
	return render(name, title, 30*vg.Centimeter, 24*vg.Centimeter, func(dc draw.Canvas) {
		t := draw.Tiles{Rows: 2, Cols: 1, PadY: vg.Millimeter * 8, PadTop: vg.Millimeter * 3, PadBottom: vg.Millimeter * 3,
			PadLeft: vg.Millimeter * 2, PadRight: legendWidth}
		cv := plot.Align([][]*plot.Plot{{top}, {bottom}}, t, dc)
		for i, p := range []*plot.Plot{top, bottom} {
			c := cv[i][0]
			leg := p.Legend
			p.Legend = plot.NewLegend()
			p.Draw(c)
			p.Legend = leg
			leg.Top, leg.Left = true, true
			leg.Draw(draw.Crop(c, c.Max.X-c.Min.X+vg.Millimeter*4, legendWidth-vg.Millimeter*2, 0, 0))
		}
	})
}

func stabFonts(p *plot.Plot) {
	p.Title.TextStyle.Font.Size = vg.Points(12)
	p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = vg.Points(11.5), vg.Points(11.5)
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = vg.Points(10.5), vg.Points(10.5)
	p.Legend.TextStyle.Font.Size = vg.Points(10)
}

// stabModel is what the stability maps' registry says of a recorded
// model's name (the discrete method, the method's own SDE or another SDE
// model); a name this binary does not know is an SDE model other than the
// method's own.
func stabModel(name string) stability.Model {
	if md, ok := stability.ModelByName(name); ok {
		return md
	}
	return stability.Model{Name: name, Label: name, SDE: true}
}

// modelStyle is a model's line: the discrete method bold and solid, the
// others thin, in their own colour, dashed by threshold index ri (0: the
// largest R).
func modelStyle(model string, ri int, c color.Color) draw.LineStyle {
	if !stabModel(model).SDE {
		return draw.LineStyle{Color: c, Width: vg.Points(3)}
	}
	return draw.LineStyle{Color: c, Width: vg.Points(1.2), Dashes: dashes[min(ri, len(dashes)-1)]}
}

func modelColor(m *stability.Map, model string) color.RGBA {
	i := slices.Index(m.Models, model)
	if i < 0 {
		i = len(palette) - 1
	}
	if !stabModel(model).SDE {
		return color.RGBA{0, 0, 0, 255}
	}
	return palette[i%(len(palette)-1)]
}

func criticalPlot(m *stability.Map) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("critical step eta*(%s)", stabNum(m.Level))
	p.X.Label.Text = m.Axis
	if m.Axis == "" {
		p.X.Label.Text = "(the configuration's noise)"
	}
	p.Y.Label.Text = "eta*"
	vals := axisValues(m)
	logX := m.Axis != "" && slices.Min(vals) > 0 && slices.Max(vals) > slices.Min(vals)
	xlo, xhi := slices.Min(vals), slices.Max(vals)
	if logX {
		p.X.Scale = plot.LogScale{}
		p.X.Min, p.X.Max = xlo/1.3, xhi*1.3
	} else {
		pad := math.Max((xhi-xlo)*0.08, 0.5)
		p.X.Min, p.X.Max = xlo-pad, xhi+pad
	}
	var ticks []plot.Tick
	for _, v := range vals {
		ticks = append(ticks, plot.Tick{Value: v, Label: stabNum(v)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	ylo, yhi := m.Etas[0], m.Etas[len(m.Etas)-1]
	p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, decades{}
	p.Y.Min, p.Y.Max = ylo/1.5, yhi*2
	nr := len(m.Radii)
	for _, model := range m.Models {
		col := modelColor(m, model)
		sde := stabModel(model).SDE
		for ri := nr - 1; ri >= 0; ri-- {
			R := m.Radii[ri]
			if !sde && ri < nr-1 {
				continue // converged in R: see the map's threshold table
			}
			var line plotter.XYs
			var above plotter.XYs
			for _, c := range m.Curves {
				if c.Model != model || c.Radius != R {
					continue
				}
				cr := c.Critical
				switch cr.Status {
				case "bracketed", "below-grid":
					lo := math.Max(cr.Lo, p.Y.Min)
					est := cr.Eta
					if math.IsNaN(est) {
						est = cr.Hi
					}
					line = append(line, plotter.XY{X: c.Value, Y: est})
					bar, err := plotter.NewLine(plotter.XYs{{X: c.Value, Y: lo}, {X: c.Value, Y: cr.Hi}})
					if err == nil {
						bar.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(1.5)}
						p.Add(bar)
					}
				case "above-grid":
					above = append(above, plotter.XY{X: c.Value, Y: cr.Lo})
				}
			}
			label := labelOf(m, model) + ", R = " + stabNum(R)
			st := modelStyle(model, nr-1-ri, col)
			if len(line) > 0 {
				l, err := plotter.NewLine(line)
				if err != nil {
					return nil, err
				}
				l.LineStyle = st
				p.Add(l)
				sc, err := plotter.NewScatter(line)
				if err != nil {
					return nil, err
				}
				sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
				p.Add(sc)
				p.Legend.Add(label, l)
			}
			if len(above) > 0 {
				sc, err := plotter.NewScatter(above)
				if err != nil {
					return nil, err
				}
				sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(4), Shape: draw.TriangleGlyph{}}
				p.Add(sc)
				if len(line) == 0 {
					p.Legend.Add(label+": above the grid", sc)
				}
			}
		}
	}
	p.Legend.Top, p.Legend.Left = true, true
	stabFonts(p)
	return p, nil
}

func labelOf(m *stability.Map, model string) string {
	for _, c := range m.Curves {
		if c.Model == model {
			return c.Label
		}
	}
	return model
}

func escapePlot(m *stability.Map) (*plot.Plot, error) {
	p := plot.New()
	rmax := m.Radii[len(m.Radii)-1]
	p.Title.Text = fmt.Sprintf("p(eta, R = %s) by T = %s", stabNum(rmax), stabNum(m.Horizon))
	p.X.Label.Text, p.Y.Label.Text = "eta", "p(eta, R)"
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, decades{}
	p.X.Min, p.X.Max = m.Etas[0], m.Etas[len(m.Etas)-1]
	if p.X.Max <= p.X.Min {
		p.X.Min, p.X.Max = p.X.Min/2, p.X.Max*2
	}
	// The y range: the positive values down to 1e-10 of the largest, at
	// most, and the level q.
	ymax, ymin := m.Level, m.Level
	for _, c := range m.Curves {
		for _, pt := range c.Points {
			if v := pt.Escape.Value; v > pt.Escape.Err && v > 0 {
				ymax, ymin = math.Max(ymax, v), math.Min(ymin, v)
			}
		}
	}
	ymin = math.Max(ymin/2, ymax*1e-10)
	p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, decades{}
	p.Y.Min, p.Y.Max = ymin, math.Min(1, ymax*2)
	clamp := func(y float64) float64 { return math.Min(math.Max(y, p.Y.Min), p.Y.Max) }
	vals := axisValues(m)
	for vi, v := range vals {
		col := palette[vi%(len(palette)-1)]
		if len(vals) == 1 {
			col = color.RGBA{0, 0, 0, 255}
		}
		for _, c := range m.Curves {
			if c.Value != v || c.Radius != rmax {
				continue
			}
			var line, upper, lower plotter.XYs
			for _, pt := range c.Points {
				if pt.Note != "" || math.IsNaN(pt.Escape.Value) {
					continue
				}
				upper = append(upper, plotter.XY{X: pt.Eta, Y: clamp(pt.Escape.Value + pt.Escape.Err)})
				lower = append(lower, plotter.XY{X: pt.Eta, Y: clamp(pt.Escape.Value - pt.Escape.Err)})
				if pt.Escape.Value > 0 && pt.Escape.Value >= p.Y.Min {
					line = append(line, plotter.XY{X: pt.Eta, Y: math.Min(pt.Escape.Value, p.Y.Max)})
				}
			}
			if len(upper) > 1 {
				poly := append(slices.Clone(upper), reverse(lower)...)
				if pg, err := plotter.NewPolygon(poly); err == nil {
					pg.Color = fade(col, 50)
					pg.LineStyle.Width = 0
					p.Add(pg)
				}
			}
			if len(line) == 0 {
				continue
			}
			l, err := plotter.NewLine(line)
			if err != nil {
				return nil, err
			}
			l.LineStyle = modelStyle(c.Model, 1, col)
			switch md := stabModel(c.Model); {
			case !md.SDE:
				l.LineStyle.Dashes = nil
			case md.MethodSDE:
			default:
				l.LineStyle.Dashes = dashes[2]
			}
			p.Add(l)
			label := c.Label
			if m.Axis != "" {
				label += ", " + m.Axis + " = " + stabNum(v)
			}
			p.Legend.Add(label, l)
		}
	}
	q, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: m.Level}, {X: p.X.Max, Y: m.Level}})
	if err != nil {
		return nil, err
	}
	q.LineStyle = draw.LineStyle{Color: color.RGBA{120, 120, 120, 255}, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(1), vg.Points(2)}}
	p.Add(q)
	p.Legend.Add("level q = "+stabNum(m.Level), q)
	p.Legend.Top, p.Legend.Left = true, false
	stabFonts(p)
	return p, nil
}

func reverse(xy plotter.XYs) plotter.XYs {
	out := slices.Clone(xy)
	slices.Reverse(out)
	return out
}

// ExplosionMarkdown writes the centre-top SDE's explosion, quantified per
// omega and reading of Definition 2 (stability.CentreTopExplosion), as a
// Markdown table.
func ExplosionMarkdown(w io.Writer, rows []stability.ExplosionRow) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "Figure 1 centre-top's SDE (sum_j x_j^4/4, x0_j = 0.5, eta = 0.1, T = 200): the probability of explosion by T, "+
		"bracketed by [P(max_j |X_j| reaches a by T/2) x (the certificate's probability from |x|^2 = R1), P(max_j |X_j| reaches a by T)], "+
		"a = sqrt(R1) where certified, else 10; Monte Carlo of the SDE by its integrator (%d paths, seed %d, Clopper-Pearson at %s each; the integrator's bias is not in the intervals).\n\n",
		rows[0].Paths, rows[0].Seed, stabNum(rows[0].Alpha))
	fmt.Fprintln(w, "| omega | reading of Def. 2 | sigma1 per coordinate | explosion certificate | a | paths reaching a by T/2, by T | P(explosion by T) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, r := range rows {
		cert := "none (theta <= 0)"
		if r.Certified {
			cert = stabCell(fmt.Sprintf("from |x|^2 >= %s: >= %s within T/2", stabNum(r.R1), stabNum(r.Lower)))
		}
		om := stabNum(r.Omega)
		if r.Omega == 0 {
			om = "0 (DSGD)"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %d, %d of %d | [%s, %s] |\n", om, r.Reading, stabNum(r.Sigma1), cert, stabNum(r.Level),
			r.HitHalf, r.Hit, r.Paths, stabNum(r.LowerBound), stabNum(r.UpperBound))
	}
	fmt.Fprintln(w)
}
