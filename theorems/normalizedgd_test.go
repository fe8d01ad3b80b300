package theorems

import (
	"testing"

	"github.com/sdeverify/sdeverify/model/update"
	"github.com/stretchr/testify/require"
)

// TestNormalizedGDTight: x^2/2, beta = 10, eta = 10 (eta L0/beta = 1, the
// condition's edge), x_0 = 0.01: at K = 1 min M = G_0^2/(G_0 + beta) and
// 2 F0/eta = G_0^2/beta, so the ratio is beta/(G_0 + beta) = 10/10.01.
func TestNormalizedGDTight(t *testing.T) {
	r := mustCheck(t, NormalizedGD{}, tightCases()["normalized-gd"])
	require.Equal(t, Holds, r.Outcome, r.String())
	require.Equal(t, 1, r.WorstK)
	require.InDelta(t, 10/10.01, r.WorstRatio, 1e-8) // the ratio is to the bound plus its allowance (relative 1e-9)
}

// TestNormalizedGDBetaZero: beta = 0 is outside the bound.
func TestNormalizedGDBetaZero(t *testing.T) {
	r := mustCheck(t, NormalizedGD{}, ruleCfg("cosh", 2, 1, "normalized-sgd", update.NormalizedSGD{}, 0.1, 3, 0))
	require.Equal(t, NoClaim, r.Outcome)
	require.Contains(t, r.Reason, "beta > 0")
}
