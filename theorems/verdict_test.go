package theorems

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestVerdictJSONNonFinite: non-finite numbers encode as null and decode as
// NaN, so a report of diverged paths still writes.
func TestVerdictJSONNonFinite(t *testing.T) {
	v := Verdict{Theorem: "thm4", Estimate: math.Inf(1), SE: math.NaN(), Bound: 2, Ratio: math.NaN(), Alpha: 1e-3, Time: 1,
		Quantiles: []float64{math.NaN(), 1}, Outcome: Fail}
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var back Verdict
	require.NoError(t, json.Unmarshal(b, &back))
	require.True(t, math.IsNaN(back.Estimate) && math.IsNaN(back.SE) && math.IsNaN(back.Quantiles[0]))
	require.Equal(t, 2.0, back.Bound)
	require.Equal(t, 1.0, back.Quantiles[1])
	require.Equal(t, Fail, back.Outcome)
}
