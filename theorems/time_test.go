package theorems_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems"
)

// TestVerdictTimeIsConfiguredDecimal: at eta = 0.1 a verdict at step k
// records the time k/10 as the decimal the user wrote (0.3, not the
// 0.30000000000000004 of 3 x 0.1), for the Monte Carlo targets and the
// exact engine's alike, and its JSON says so. The expected times are
// decimals written by hand.
func TestVerdictTimeIsConfiguredDecimal(t *testing.T) {
	t.Parallel()
	cfg, err := mc.ParseConfig([]byte(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"},"certificate":{"l0":3,"l1":3}},
		"x0":[1],"agents":[{"noise":{"kind":"gaussian","sigma1":1}}],"method":"dsgd","model":{"kind":"discrete"},
		"eta":0.1,"schedule":{"kind":"constant"},"steps":10,"paths":16,"seed":1,"checkpoints":{"at":[3,6,7,10]}}`))
	require.NoError(t, err)
	s, err := theorems.AdmissibleSchedule(theorems.Thm4(), cfg, theorems.Options{}, 0.5, nil)
	require.NoError(t, err)
	cfg.Schedule = s
	decimal := map[int]string{3: "0.3", 6: "0.6", 7: "0.7", 10: "1"} // step: the time as written
	engines := map[string]bool{}
	for _, engine := range []mc.Engine{mc.EngineExact, mc.EngineMonteCarlo} {
		rep, err := theorems.Check(theorems.Thm4(), cfg, theorems.Options{SDEEngine: engine})
		require.NoError(t, err)
		n := 0
		for _, v := range rep.Verdicts {
			if v.Outcome == "" {
				continue
			}
			text, ok := decimal[v.Step]
			require.Truef(t, ok, "a verdict at step %d", v.Step)
			want, err := strconv.ParseFloat(text, 64)
			require.NoError(t, err)
			require.Equalf(t, want, v.Time, "%s step %d", v.Target, v.Step)
			b, err := json.Marshal(v)
			require.NoError(t, err)
			require.Containsf(t, string(b), `"time":`+text+",", "%s step %d", v.Target, v.Step)
			engines[v.Target+" "+string(v.Engine)] = true
			n++
		}
		require.Positive(t, n)
	}
	require.True(t, engines["sde "+string(mc.EngineExact)], "the exact engine's verdicts are covered: %v", engines)
	require.True(t, engines["discrete "], "the discrete method's verdicts are covered: %v", engines)
}
