package reports

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/sdeverify/sdeverify/theorems"
)

// ClaimRow is one row of the report's table of the paper's claims: a
// theorem in one reading (over every pinned and campaign check of it) or
// one Figure 1 claim, with the verdict on the SDE and on the discrete
// method and the findings that explain its FAILs.
type ClaimRow struct {
	Claim    string `json:"claim"`
	Checks   int    `json:"checks"` // theorem checks (configurations) behind the row; 0 for a Figure 1 claim
	SDE      string `json:"sde"`
	Discrete string `json:"discrete"`
	// Findings names the documented findings of the row's checks, with how
	// many checks each covers; a FAIL that no finding explains is listed
	// as "no finding: CASE".
	Findings string `json:"findings"`
	Fail     bool   `json:"fail"` // some check or claim of the row FAILs
}

// check is one theorem check of the report: a pinned case or a campaign
// case, with the finding it is filed under ("" for none).
type check struct {
	Name, Theorem string
	Reading       theorems.Reading
	Report        *theorems.Report
	Finding       string
}

// checks returns the report's theorem checks (pinned, then campaign; the
// skipped campaign cases left out).
func (r *Report) checks() []check {
	var out []check
	for _, p := range r.Pinned {
		f := ""
		if p.Finding != nil {
			f = p.Finding.ID
		}
		out = append(out, check{Name: p.Case, Theorem: p.Theorem, Reading: p.Reading, Report: p.Report, Finding: f})
	}
	for _, c := range r.Campaign {
		if c.Report == nil {
			continue
		}
		out = append(out, check{Name: c.Case.Name, Theorem: c.Case.Theorem, Reading: c.Case.Reading, Report: c.Report, Finding: campaignRegime(c)})
	}
	return out
}

// theoremOrder is the order of the theorem rows: the paper's.
var theoremOrder = []string{"thm4", "thm5", "thm6-printed", "thm6-eta", "thm6-corrected", "thm7"}

func theoremRank(id string) int {
	if i := slices.Index(theoremOrder, id); i >= 0 {
		return i
	}
	return len(theoremOrder)
}

// ShortID is a finding's number, "F4" of "F4-discrete-methods-...".
func ShortID(id string) string { return strings.SplitN(id, "-", 2)[0] }

// TheoremClaims is the claims table's theorem part: one row per theorem
// and reading, in the paper's order, over the report's pinned and
// campaign checks.
func (r *Report) TheoremClaims() []ClaimRow {
	type key struct {
		th string
		rd theorems.Reading
	}
	groups := map[key][]check{}
	var keys []key
	for _, c := range r.checks() {
		k := key{c.Theorem, c.Reading}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], c)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if a, b := theoremRank(keys[i].th), theoremRank(keys[j].th); a != b {
			return a < b
		}
		return keys[i].rd < keys[j].rd
	})
	var rows []ClaimRow
	for _, k := range keys {
		cs := groups[k]
		sde, disc := map[string]int{}, map[string]int{}
		var order []string
		count := map[string]int{}
		var unexplained []string
		fail := false
		for _, c := range cs {
			sde[string(c.Report.TargetOutcome("sde"))]++
			disc[string(c.Report.TargetOutcome("discrete"))]++
			if c.Report.Outcome == theorems.Fail {
				fail = true
				if c.Finding == "" {
					unexplained = append(unexplained, c.Name)
				}
			}
			if c.Finding != "" {
				id := ShortID(c.Finding)
				if count[id] == 0 {
					order = append(order, id)
				}
				count[id]++
			}
		}
		sort.Slice(order, func(i, j int) bool { return findingNumber(order[i]) < findingNumber(order[j]) })
		var fs []string
		for _, id := range order {
			fs = append(fs, fmt.Sprintf("%s (%d)", id, count[id]))
		}
		if len(unexplained) > 0 {
			fs = append(fs, "no finding: "+strings.Join(unexplained, ", "))
		}
		name := k.th
		if len(cs) > 0 && cs[0].Report.Name != "" {
			name = cs[0].Report.Name
		}
		rows = append(rows, ClaimRow{Claim: fmt.Sprintf("%s, %s reading", name, k.rd), Checks: len(cs),
			SDE: outcomeCounts(sde), Discrete: outcomeCounts(disc), Findings: Words(fs), Fail: fail})
	}
	return rows
}

// outcomeCounts renders a row's outcomes: the outcome alone when every
// check has it, else the counts ("2 FAIL, 3 PASS"); a missing outcome
// (a target the check does not decide) counts as "-".
func outcomeCounts(m map[string]int) string {
	if v, ok := m[""]; ok {
		delete(m, "")
		m[Missing] = v
	}
	if len(m) == 1 {
		for k := range m {
			return k
		}
	}
	return Counts(m)
}

// Figure1Claims is the claims table's Figure 1 part: one row per claim,
// its verdict on the SDE and on the discrete method side by side.
func (r *Report) Figure1Claims() []ClaimRow {
	if r.Figure1 == nil {
		return nil
	}
	type key struct{ panel, st string }
	idx := map[key]int{}
	var rows []ClaimRow
	for _, c := range r.Figure1.Claims {
		k := key{c.Panel, c.Statement}
		i, ok := idx[k]
		if !ok {
			i = len(rows)
			idx[k] = i
			rows = append(rows, ClaimRow{Claim: c.Panel + ": " + c.Statement, SDE: Missing, Discrete: Missing, Findings: Missing})
		}
		row := &rows[i]
		switch c.Target {
		case "sde":
			row.SDE = string(c.Outcome)
		default:
			row.Discrete = string(c.Outcome)
		}
		if c.Outcome == theorems.Fail {
			row.Fail = true
			if c.Finding == "" {
				row.Findings = joinFinding(row.Findings, "no finding ("+c.Target+")")
			}
		}
		if c.Finding != "" {
			row.Findings = joinFinding(row.Findings, ShortID(c.Finding))
		}
	}
	return rows
}

func joinFinding(have, add string) string {
	if have == Missing {
		return add
	}
	return have + ", " + add
}

// checkOutcomes counts the report's theorem checks by target and outcome.
func (r *Report) checkOutcomes() (n int, by map[string]map[string]int) {
	by = map[string]map[string]int{"sde": {}, "discrete": {}}
	for _, c := range r.checks() {
		n++
		for t, m := range by {
			if o := c.Report.TargetOutcome(t); o != "" {
				m[string(o)]++
			}
		}
	}
	return n, by
}

// unexplained lists the FAILs no finding explains: theorem checks and
// Figure 1 claims.
func (r *Report) unexplained() []string {
	var out []string
	for _, c := range r.checks() {
		if c.Report.Outcome == theorems.Fail && c.Finding == "" {
			out = append(out, c.Name)
		}
	}
	if r.Figure1 != nil {
		for _, c := range r.Figure1.Claims {
			if c.Outcome == theorems.Fail && c.Finding == "" {
				out = append(out, "Figure 1 "+c.Panel+" ("+c.Target+"): "+c.Statement)
			}
		}
	}
	return out
}

// StatusLine is the report's first line for people: whether every outcome
// is as expected, the new violations apart from the documented findings,
// and what the counts count (theorem checks, one per configuration, and
// Figure 1's claims; not the checkpoints inside a check).
func (r *Report) StatusLine() string {
	var b strings.Builder
	if r.OK() {
		b.WriteString("every outcome as expected: no new violation, no pinned outcome changed, every Monte Carlo run agrees with its exact law.")
	} else {
		fmt.Fprintf(&b, "NOT as expected: %s, %s, %s.", plural(len(r.Summary.NewViolations), "new violation", "new violations"),
			plural(len(r.Summary.PinnedMismatches), "pinned outcome changed", "pinned outcomes changed"),
			plural(r.OffExact(), "Monte Carlo run off its exact law", "Monte Carlo runs off their exact laws"))
	}
	s := r.Summary
	if s.Checks > 0 {
		fails := 0
		var ids []string
		seen := map[string]bool{}
		for _, c := range r.checks() {
			if c.Report.Outcome != theorems.Fail {
				continue
			}
			fails++
			if c.Finding != "" && !seen[ShortID(c.Finding)] {
				seen[ShortID(c.Finding)] = true
				ids = append(ids, ShortID(c.Finding))
			}
		}
		sort.Slice(ids, func(i, j int) bool { return findingNumber(ids[i]) < findingNumber(ids[j]) })
		fmt.Fprintf(&b, " Theorem checks (one per configuration, each deciding the SDE and the discrete method at every checkpoint; a check FAILs when either does at some checkpoint): %d, of which %d FAIL", s.Checks, fails)
		if fails > 0 {
			n := fails - len(s.UnexplainedFails)
			for _, u := range s.UnexplainedFails {
				if strings.HasPrefix(u, "Figure 1 ") {
					n++
				}
			}
			fmt.Fprintf(&b, " (%s: %s", plural(n, "explained by a documented finding", "explained by documented findings"), Words(ids))
			if k := fails - n; k > 0 {
				fmt.Fprintf(&b, "; %d explained by no finding", k)
			}
			b.WriteString(")")
		}
		fmt.Fprintf(&b, "; SDE: %s; discrete: %s.", Counts(s.CheckOutcomes["sde"]), Counts(s.CheckOutcomes["discrete"]))
	}
	if r.Figure1 != nil {
		fmt.Fprintf(&b, " Figure 1 claims (each on the SDE or the discrete method): %s.", Counts(s.Figure1Claims))
	}
	if len(s.UnexplainedFails) > 0 {
		fmt.Fprintf(&b, " FAILs no finding explains (new results, not violations of the theorems, which bound the SDE): %s.", strings.Join(s.UnexplainedFails, "; "))
	}
	return b.String()
}

// plural is "1 thing" or "n things" (many: the plural form).
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// maxTargetRatio is a target's largest finite LHS/bound over its decided
// verdicts (NaN when none).
func maxTargetRatio(r *theorems.Report, target string) float64 {
	m := math.NaN()
	for _, v := range r.Verdicts {
		if v.Target == target && v.Outcome != "" && v.Outcome != theorems.Vacuous {
			if math.IsNaN(m) || v.Ratio > m {
				m = v.Ratio
			}
		}
	}
	return m
}

// sdeBelowBound reports whether a check's SDE verdicts keep the estimate
// below the bound: every decided SDE verdict a PASS or an INCONCLUSIVE
// whose estimate is finite and under the bound (the SDE's side of F4,
// not decided at the check's level).
func sdeBelowBound(r *theorems.Report) bool {
	n := 0
	for _, v := range r.Verdicts {
		if v.Target != "sde" || v.Outcome == "" {
			continue
		}
		n++
		switch {
		case v.Outcome == theorems.Pass:
		case v.Outcome == theorems.Inconclusive && !math.IsNaN(v.Ratio) && !math.IsInf(v.Ratio, 0) && v.Ratio < 1:
		default:
			return false
		}
	}
	return n > 0
}
