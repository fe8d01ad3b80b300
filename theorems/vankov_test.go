package theorems

import (
	"testing"

	"github.com/sdeverify/sdeverify/model/update"
	"github.com/stretchr/testify/require"
)

// TestVankovTight: x^2/2, (L0', L1') = (1, 0), h = 1: x_1 = 0; at K = 1
// min M = G_0^2/(2 L0') = 1/2 = F0: equality.
func TestVankovTight(t *testing.T) {
	r := mustCheck(t, VankovGD{}, tightCases()["vankov-si"])
	require.Equal(t, Holds, r.Outcome, r.String())
	require.InDelta(t, 0.5, r.WorstLHS, 1e-15)
	require.InDelta(t, 0.5, r.WorstBound, 1e-15)
}

// TestVankovHypotheses: h != 1, and l1 < 1.5 L1, are outside the bound.
func TestVankovHypotheses(t *testing.T) {
	r := mustCheck(t, VankovGD{}, ruleCfg("cosh", 2, 1, "l0l1-gd", update.L0L1GD{L0: 1, L1: 1.5}, 0.5, 3, 0))
	require.Equal(t, NoClaim, r.Outcome)
	require.Contains(t, r.Reason, "step condition")
	r = mustCheck(t, VankovGD{}, ruleCfg("cosh", 2, 1, "l0l1-gd", update.L0L1GD{L0: 1, L1: 1.2}, 1, 3, 0))
	require.Equal(t, NoClaim, r.Outcome)
	require.Contains(t, r.Reason, "dominate")
}
