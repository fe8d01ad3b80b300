package theorems

import (
	"testing"

	"github.com/sdeverify/sdeverify/model/update"
	"github.com/stretchr/testify/require"
)

// TestClippedGDTight: x^2/2 (L0 = 1, L1 = 0), c = 10 never clips, eta = 1:
// rho = 1, x_1 = 0; at K = 1 min M = G_0^2 = 1 and 2 F0/eta = 1: equality.
func TestClippedGDTight(t *testing.T) {
	r := mustCheck(t, ClippedGD{}, tightCases()["clipped-gd"])
	require.Equal(t, Holds, r.Outcome, r.String())
	require.Equal(t, 1, r.WorstK)
	require.InDelta(t, 1, r.WorstLHS, 1e-15)
	require.InDelta(t, 1, r.WorstBound, 1e-15)
}

// TestClippedGDClipping: x^2/2, c = 0.5, x_0 = 4, eta = 1: every step
// moves 0.5 toward 0 while |x| > 0.5, so G_k = 4 - k/2, min M over k < 3
// is c G_2 = 1.5 against 2 F0/(3 eta) = 16/3.
func TestClippedGDClipping(t *testing.T) {
	r := mustCheck(t, ClippedGD{}, ruleCfg("square", 1, 4, "clipped-sgd", update.ClippedSGD{Clip: 0.5}, 1, 3, 0))
	require.Equal(t, Holds, r.Outcome, r.String())
	require.InDelta(t, 1.5, r.FinalLHS, 1e-14)
	require.InDelta(t, 16.0/3, r.FinalBound, 1e-14)
}

// TestClippedGDStepCondition: eta = 1.01 on x^2/2 with c = 10 gives
// rho = 1.01 > 1: VACUOUS, naming the step condition.
func TestClippedGDStepCondition(t *testing.T) {
	r := mustCheck(t, ClippedGD{}, ruleCfg("square", 1, 1, "clipped-sgd", update.ClippedSGD{Clip: 10}, 1.01, 3, 0))
	require.Equal(t, NoClaim, r.Outcome)
	require.Contains(t, r.Reason, "step condition")
}
