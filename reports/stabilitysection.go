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
