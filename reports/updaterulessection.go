package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/sdeverify/sdeverify/internal/format"
	"github.com/sdeverify/sdeverify/theorems"
	"github.com/sdeverify/sdeverify/theorems/studies"
)

// UpdateRules is the report's section "Update rules beyond the paper"
// (issue 26 item 6): per bound of clipped, normalised and (L0,L1)-step
// gradient descent, its statement, grade and hypotheses, the pinned
// cases' verdicts and a random counterexample search; and clipping's bias
// in d = 1.
type UpdateRules struct {
	Bounds   []UpdateRuleBound   `json:"bounds"`
	ClipBias []theorems.ClipBias `json:"clip_bias"`
	// ExactBias says where the exact-law version of the bias stands.
	ExactBias string `json:"exact_bias"`
}

// UpdateRuleBound is one bound's table.
type UpdateRuleBound struct {
	Info   theorems.RuleInfo    `json:"info"`
	Pinned []studies.RuleResult `json:"pinned"`
	Search theorems.RuleSearch  `json:"search"`
}

// UpdateRulesExactBias is the section's note on the exact-law version of
// clipping's bias.
const UpdateRulesExactBias = "The long-run law of clipped SGD under the asymmetric noise (where E x_k settles, and its O(eta) distance to x*) " +
	"needs clipped SGD's one-step kernel in the exact engine, which it does not have yet (it refuses methods other than dsgd, dcsgd and dsignsgd); " +
	"the rows above are the mean update's zeros, not the law."

// ComputeUpdateRules runs every pinned rule case and, per bound, a search
// of runs random configurations from seed (theorems.SearchRule; 0 runs:
// none), and the clipping-bias studies. Deterministic for a seed; each
// check is one path (BENCHMARKS.md gives its cost).
func ComputeUpdateRules(runs int, seed uint64) (*UpdateRules, error) {
	pinned, err := studies.RunPinnedRules()
	if err != nil {
		return nil, err
	}
	u := &UpdateRules{ExactBias: UpdateRulesExactBias}
	for i, b := range theorems.RuleBounds() {
		e := UpdateRuleBound{Info: b.Info()}
		for _, p := range pinned {
			if p.Bound == e.Info.ID {
				e.Pinned = append(e.Pinned, p)
			}
		}
		if runs > 0 {
			if e.Search, err = theorems.SearchRule(b, runs, seed+uint64(i)); err != nil {
				return nil, err
			}
		}
		u.Bounds = append(u.Bounds, e)
	}
	if u.ClipBias, err = theorems.ClipBiasStudies(); err != nil {
		return nil, err
	}
	return u, nil
}

// UpdateRulesCaption says what the section decides.
const UpdateRulesCaption = "Clipped SGD (clipped-sgd), normalised SGD (normalized-sgd) and the (L0,L1)-GD step (l0l1-gd) are methods of the suite " +
	"beyond the paper. Their published theorems could not be read in full (docs/literature.md), so the bounds checked here are the suite's own " +
	"derivations (grade: ours, proofs in docs/literature.md) and one secondary restatement (Vankov et al.'s progress inequality, not checked against the paper). " +
	"Each is deterministic (exact gradients): a verdict runs the method's own step on one path and compares min_{k<K} M(G_k) with F0/W_K at every K, " +
	"HOLDS or VIOLATED up to a stated rounding allowance (theorems.RuleAllowance), VACUOUS when a hypothesis fails. " +
	"The search draws random certified objectives (d in 1..8), starts, parameters and steps inside the hypotheses, and checks the bound and the bound divided by 4 (a mutation it must flag)."

// updateRulesMarkdown writes the section.
func (r *Report) updateRulesMarkdown(w io.Writer) {
	u := r.UpdateRules
	if u == nil {
		return
	}
	fmt.Fprintf(w, "\n## Update rules beyond the paper\n\n%s\n", UpdateRulesCaption)
	fmt.Fprintln(w, "\n| bound | method | grade | verdicts (pinned) | search | as expected |\n|---|---|---|---|---|---|")
	for _, b := range u.Bounds {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", cell(b.Info.Name), b.Info.Method, b.Info.Grade, cell(rulePinnedCounts(b.Pinned)), cell(ruleSearchText(b.Search)), yesNo(ruleBoundOK(b)))
	}
	for _, b := range u.Bounds {
		fmt.Fprintf(w, "\n### %s\n\n| | |\n|---|---|\n", b.Info.Name)
		fmt.Fprintf(w, "| statement | %s |\n| grade | %s |\n| hypotheses | %s |\n| source | %s |\n| counterexample search | %s |\n",
			cell(b.Info.Statement), b.Info.Grade, cell(b.Info.Hypotheses), cell(b.Info.Ref), cell(ruleSearchDetail(b.Search)))
		if len(b.Pinned) > 0 {
			fmt.Fprintln(w, "\n| pinned case | expected | verdict | worst K | min M | bound | ratio | as expected | why |\n|---|---|---|---|---|---|---|---|---|")
			for _, p := range b.Pinned {
				k, lhs, bound, ratio := "-", "-", "-", "-"
				if p.Got != theorems.NoClaim {
					k, lhs, bound, ratio = fmt.Sprint(p.Report.WorstK), Num(p.Report.WorstLHS), Num(p.Report.WorstBound), format.Sig(p.Report.WorstRatio, 4)
				}
				why := p.Why
				if p.Got != theorems.Holds {
					why += " [" + p.Report.Reason + "]"
				}
				fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", p.Case, p.Want, p.Got, k, lhs, bound, ratio, yesNo(p.AsWanted), cell(why))
			}
		}
	}
	if len(u.ClipBias) > 0 {
		fmt.Fprintln(w, "\n### Clipping's bias (d = 1, f = x^2/2, c = 1)")
		fmt.Fprintln(w, "\nThe mean clipped update m(x) = E clip_c(f'(x) + Z) is the first-order SDE's drift (with a minus sign): its zeros are where the model, and the method for small steps, settles (docs/math.md section 11).")
		fmt.Fprintln(w, "\n| noise | symmetric | m from | m(0) | zero of m | sign mismatches (grid) | verdict |\n|---|---|---|---|---|---|---|")
		for _, b := range u.ClipBias {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %d of %d | %s |\n", cell(b.Noise), map[bool]string{true: "yes", false: "no"}[b.Symmetric], cell(b.Source), format.Sig(b.M0, 6), format.Sig(b.Zero, 6), b.SignMismatches, b.GridPoints, cell(b.Verdict))
		}
		if u.ExactBias != "" {
			fmt.Fprintf(w, "\n%s\n", u.ExactBias)
		}
	}
}

// rulePinnedCounts counts a bound's pinned verdicts: "3 HOLDS, 1 VACUOUS".
func rulePinnedCounts(ps []studies.RuleResult) string {
	m := map[string]int{}
	for _, p := range ps {
		m[string(p.Got)]++
	}
	return Counts(m)
}

func ruleSearchText(s theorems.RuleSearch) string {
	if s.Runs == 0 {
		return "not run"
	}
	return fmt.Sprintf("%d HOLDS, %d VIOLATED of %d; max ratio %s; bound / %s flagged on %d", s.Holds, s.Violated, s.Runs, format.Sig(s.MaxRatio, 4), Param(s.MutantFactor), s.MutantViolated)
}

func ruleSearchDetail(s theorems.RuleSearch) string {
	if s.Runs == 0 {
		return "not run"
	}
	t := fmt.Sprintf("%d random configurations (seed %d): %d HOLDS, %d VIOLATED, %d VACUOUS; largest ratio min M/(bound + allowance) %s; the bound divided by %s is VIOLATED on %d (the check's power)",
		s.Runs, s.Seed, s.Holds, s.Violated, s.Vacuous, format.Sig(s.MaxRatio, 6), Param(s.MutantFactor), s.MutantViolated)
	if s.FirstViolation != nil {
		t += "; first violation: " + s.FirstViolation.String() + "; config " + cfgText(s.FirstViolation)
	} else if s.MaxRatioConfig != "" {
		t += "; largest ratio at " + s.MaxRatioConfig
	}
	return t
}

func cfgText(r *theorems.RuleReport) string {
	b, err := json.Marshal(r.Config)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return string(b)
}

// ruleBoundOK: every pinned case as expected, no violation in the search.
func ruleBoundOK(b UpdateRuleBound) bool {
	for _, p := range b.Pinned {
		if !p.AsWanted {
			return false
		}
	}
	return b.Search.Violated == 0
}

// summarizeUpdateRules adds the rule cases not as expected to the pinned
// mismatches and the search's violations to the new violations.
func (r *Report) summarizeUpdateRules(s *Summary) {
	if r.UpdateRules == nil {
		return
	}
	for _, b := range r.UpdateRules.Bounds {
		for _, p := range b.Pinned {
			if !p.AsWanted {
				s.PinnedMismatches = append(s.PinnedMismatches, p.Case)
			}
		}
		if b.Search.Violated > 0 {
			s.NewViolations = append(s.NewViolations, fmt.Sprintf("%s: %d random configurations", b.Info.ID, b.Search.Violated))
		}
	}
}

// updateRulesHTML renders the section as HTML: its tables and paragraphs
// as markdownHTML renders them, its subsections as h3 (the h2 is the
// template's).
func updateRulesHTML(r *Report) template.HTML {
	var md bytes.Buffer
	r.updateRulesMarkdown(&md)
	var out, chunk strings.Builder
	flush := func() {
		out.WriteString(string(markdownHTML(chunk.String())))
		chunk.Reset()
	}
	for _, line := range strings.Split(md.String(), "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
		case strings.HasPrefix(line, "### "):
			flush()
			out.WriteString("<h3>" + template.HTMLEscapeString(strings.TrimPrefix(line, "### ")) + "</h3>")
		default:
			chunk.WriteString(line + "\n")
		}
	}
	flush()
	return template.HTML(out.String()) // every piece escaped above or by markdownHTML
}
