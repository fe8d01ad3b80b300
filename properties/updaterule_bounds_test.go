package properties

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/sdeverify/sdeverify/theorems"
)

// TestRuleBoundsHold: on random certified objectives (d in 1..8), starts,
// agents, method parameters and steps within each bound's step condition
// (theorems.DrawRuleConfig), every update rule's deterministic bound
// HOLDS: the hypotheses hold by construction, so VACUOUS is a generator
// error and VIOLATED a counterexample (rapid shrinks it). Deterministic
// paths: no false-alarm probability beyond the stated rounding allowance
// (theorems.RuleAllowance). The mutation test (theorems,
// TestRuleMutationFlagged) shows the same check flags a bound divided by 4.
func TestRuleBoundsHold(t *testing.T) {
	for _, b := range theorems.RuleBounds() {
		t.Run(b.Info().ID, func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				cfg, err := theorems.DrawRuleConfig(b, Drawer{rt})
				if err != nil {
					rt.Fatalf("draw: %v", err)
				}
				r, err := theorems.CheckRule(b, cfg)
				if err != nil {
					rt.Fatalf("check: %v", err)
				}
				if r.Outcome != theorems.Holds {
					rt.Fatalf("%s", r.String())
				}
			})
		})
	}
}
