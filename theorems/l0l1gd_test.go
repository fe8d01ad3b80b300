package theorems

import (
	"math"
	"testing"

	"github.com/sdeverify/sdeverify/model/update"
	"github.com/stretchr/testify/require"
)

// TestL0L1GDUnit: x^2/2 with (l0, l1) = (1, 0) and h = 1 lands on 0 in
// one step; at K = 1 min M = G_0^2/l0 = 1 and F0/(3 - e) = 1/(2 (3 - e)),
// ratio 2 (3 - e) = 0.5634.
func TestL0L1GDUnit(t *testing.T) {
	r := mustCheck(t, L0L1GDBound{}, tightCases()["l0l1-gd"])
	require.Equal(t, Holds, r.Outcome, r.String())
	require.Equal(t, 1, r.WorstK)
	require.InDelta(t, 2*(3-math.E), r.WorstRatio, 1e-8) // the ratio is to the bound plus its allowance (relative 1e-9)
}

// TestL0L1GDHypotheses: constants below the certificate, and h > 1, are
// outside the bound.
func TestL0L1GDHypotheses(t *testing.T) {
	r := mustCheck(t, L0L1GDBound{}, ruleCfg("cosh", 2, 1, "l0l1-gd", update.L0L1GD{L0: 1, L1: 0.5}, 1, 3, 0))
	require.Equal(t, NoClaim, r.Outcome)
	require.Contains(t, r.Reason, "dominate")
	r = mustCheck(t, L0L1GDBound{}, ruleCfg("cosh", 2, 1, "l0l1-gd", update.L0L1GD{L0: 1, L1: 1}, 1.5, 3, 0))
	require.Equal(t, NoClaim, r.Outcome)
	require.Contains(t, r.Reason, "step condition")
}
