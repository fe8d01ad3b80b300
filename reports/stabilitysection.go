package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/sdeverify/sdeverify/theorems/stability"
)

// StabilityEntry is one stability map of the report: its file stem (the
// figure's name and the HTML anchor), what it shows, and the map.
type StabilityEntry struct {
	ID    string         `json:"id"`
	Title string         `json:"title"`
	Map   *stability.Map `json:"map"`
}

// StabilityCaption says what the report's stability section decides.
const StabilityCaption = "Where each method and its SDE models part ways (issue 27; docs/math.md section 9). " +
	"For each step eta the exact engine gives p(eta, R), the probability of reaching |x| >= R by the horizon, with its numerical error; " +
	"the critical step eta* is the smallest eta with p >= q. The discrete method's p converges in R (a diverging path does not come back); " +
	"an SDE whose boundary at infinity is an entrance has p -> 0 as R grows: reaching a level is not diverging. " +
	"An SDE model captures the discrete step-size restriction if its eta* lies within the stated factor of the discrete method's; " +
	"the revised paper's claim is that the first- and second-order modified equations do not."

// stabilityMarkdown writes the stability maps and the explosion table.
func (r *Report) stabilityMarkdown(w io.Writer) {
	if len(r.Stability) > 0 {
		fmt.Fprintf(w, "\n## Stability maps\n\n%s\n", StabilityCaption)
		for _, e := range r.Stability {
			fmt.Fprintf(w, "\n### %s\n\n![stability map](figures/%s.png)\n\n", e.Title, e.ID)
			StabilityMarkdown(w, e.Map)
		}
	}
	if len(r.Explosion) > 0 {
		fmt.Fprintln(w, "\n## Figure 1 centre-top: the SDE's explosion probability")
		fmt.Fprintln(w)
		ExplosionMarkdown(w, r.Explosion)
	}
}

// stabilityHTML renders a map's tables (StabilityMarkdown) as HTML,
// folded below the figure.
func stabilityHTML(e StabilityEntry) template.HTML {
	var md bytes.Buffer
	StabilityMarkdown(&md, e.Map)
	return template.HTML("<p class=\"small\">" + template.HTMLEscapeString(StabilityCaption) + "</p><details><summary>critical steps, verdicts and p(eta, R)</summary>" + string(markdownHTML(md.String())) + "</details>")
}

// explosionHTML renders ExplosionMarkdown as HTML.
func explosionHTML(rows []stability.ExplosionRow) template.HTML {
	var md bytes.Buffer
	ExplosionMarkdown(&md, rows)
	return markdownHTML(md.String())
}

// markdownHTML converts the Markdown the table writers produce
// (paragraphs and pipe tables, split as Plain splits them) into HTML,
// escaping every cell.
func markdownHTML(md string) template.HTML {
	var b strings.Builder
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case line == "":
		case isRow(line):
			b.WriteString("<table>")
			head := true
			for ; i < len(lines) && isRow(lines[i]); i++ {
				cells := splitRow(lines[i])
				if isRule(cells) {
					continue
				}
				tag := "td"
				if head {
					tag = "th"
				}
				b.WriteString("<tr>")
				for _, c := range cells {
					fmt.Fprintf(&b, "<%s>%s</%s>", tag, template.HTMLEscapeString(c), tag)
				}
				b.WriteString("</tr>")
				head = false
			}
			i--
			b.WriteString("</table>")
		default:
			fmt.Fprintf(&b, "<p class=\"small\">%s</p>", template.HTMLEscapeString(line))
		}
	}
	return template.HTML(b.String()) // every piece of text escaped above
}

// StabilityClaim is the revised paper's claim read off one stability
// map: do the SDE models capture the discrete method's step-size
// restriction, at the map's largest threshold R (where the discrete
// method's p has converged and the SDEs' has fallen the most)?
type StabilityClaim struct {
	Map     string // the map's title
	Model   string // the SDE model
	Outcome string // confirmed (misses everywhere), refuted (captures somewhere), does not apply, undecided
	Detail  string // per axis value: the ratio interval of the critical steps
}

// StabilityClaims reads the revised paper's claim ("first- and
// second-order modified equations miss the discrete method's step-size
// restriction") off each map, per SDE model, at its largest threshold:
// confirmed where every axis value's verdict is "misses", refuted where
// one "captures", "does not apply" where the discrete method never
// reaches the level on the grid, undecided otherwise.
func (r *Report) StabilityClaims() []StabilityClaim {
	var out []StabilityClaim
	for _, e := range r.Stability {
		m := e.Map
		if m == nil || len(m.Radii) == 0 {
			continue
		}
		rmax := m.Radii[len(m.Radii)-1]
		var models []string
		by := map[string][]stability.Verdict{}
		for _, v := range m.Verdicts {
			if v.Radius != rmax {
				continue
			}
			if _, ok := by[v.Model]; !ok {
				models = append(models, v.Model)
			}
			by[v.Model] = append(by[v.Model], v)
		}
		for _, md := range models {
			vs := by[md]
			count := map[string]int{}
			var parts []string
			for _, v := range vs {
				o := v.Outcome
				if strings.HasPrefix(o, "undecided") {
					o = "undecided"
				}
				count[o]++
				part := axisCell(m, v.Value) + ": " + v.Outcome
				if o == "misses" || o == "captures" {
					part += " (eta* ratio in [" + stabNum(v.RatioLo) + ", " + stabNum(v.RatioHi) + "])"
				}
				parts = append(parts, part)
			}
			outcome := "undecided"
			switch {
			case count["captures"] > 0:
				outcome = "refuted"
			case count["misses"] == len(vs):
				outcome = "confirmed"
			case count["no restriction on the grid"] == len(vs):
				outcome = "does not apply (no step-size restriction on the grid)"
			}
			out = append(out, StabilityClaim{Map: e.Title, Model: modelLabel(md), Outcome: outcome,
				Detail: "R = " + stabNum(rmax) + "; " + strings.Join(parts, "; ")})
		}
	}
	return out
}

// modelLabel names an SDE model of the stability maps for readers: its
// registered label, or the name itself for a model this binary does not
// know.
func modelLabel(name string) string { return stabModel(name).Label }

// StabilityClaimsCaption says what the claims table of the maps decides.
const StabilityClaimsCaption = "The revised paper's claim, read off the stability maps below: " +
	"the first- and second-order modified equations do not capture the discrete method's step-size restriction " +
	"(confirmed: every noise level's critical step of the model lies beyond a factor 2 of the discrete method's, with the engine's error bars; " +
	"refuted: one lies within it)."

// stabilityClaimsMarkdown writes StabilityClaims as a table.
func (r *Report) stabilityClaimsMarkdown(w io.Writer) {
	cs := r.StabilityClaims()
	if len(cs) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n\n| stability map | SDE model | the claim | evidence |\n|---|---|---|---|\n", StabilityClaimsCaption)
	for _, c := range cs {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", stabCell(c.Map), c.Model, c.Outcome, stabCell(c.Detail))
	}
}

// stabilityClaimsHTML renders stabilityClaimsMarkdown as HTML.
func stabilityClaimsHTML(r *Report) template.HTML {
	var md bytes.Buffer
	r.stabilityClaimsMarkdown(&md)
	return markdownHTML(md.String())
}
