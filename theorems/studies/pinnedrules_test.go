package studies

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/theorems"
)

// TestPinnedRules: every pinned rule case gets the verdict it wants (a
// deterministic check: no false-alarm probability), every bound has a
// HOLDS and a VACUOUS case, and no case is VIOLATED.
func TestPinnedRules(t *testing.T) {
	rs, err := RunPinnedRules()
	require.NoError(t, err)
	seen := map[string]map[theorems.RuleOutcome]bool{}
	names := map[string]bool{}
	for _, r := range rs {
		require.True(t, r.AsWanted, "%s: want %s, got %s", r.Case, r.Want, r.Report.String())
		require.False(t, names[r.Case], "duplicate case %s", r.Case)
		names[r.Case] = true
		if seen[r.Bound] == nil {
			seen[r.Bound] = map[theorems.RuleOutcome]bool{}
		}
		seen[r.Bound][r.Got] = true
	}
	for _, b := range theorems.RuleBounds() {
		id := b.Info().ID
		require.True(t, seen[id][theorems.Holds], "%s has no HOLDS case", id)
		require.True(t, seen[id][theorems.NoClaim], "%s has no VACUOUS case", id)
	}
}
