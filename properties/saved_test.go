package properties

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems"
)

// TestSavedCounterexamples replays every saved counterexample as a pinned
// test: the SDE's outcome must still be the one it was saved with (a FAIL
// that stops reproducing is a change to explain, not to ignore).
func TestSavedCounterexamples(t *testing.T) {
	metas, err := filepath.Glob(filepath.Join(CounterexampleDir, "*.meta.json"))
	require.NoError(t, err)
	if len(metas) == 0 {
		t.Skip("no saved counterexamples")
	}
	for _, mp := range metas {
		t.Run(filepath.Base(mp), func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(mp)
			require.NoError(t, err)
			var m Meta
			require.NoError(t, json.Unmarshal(b, &m))
			f, err := os.Open(strings.TrimSuffix(mp, ".meta.json") + ".json")
			require.NoError(t, err)
			defer f.Close()
			cfg, err := mc.DecodeConfig(f)
			require.NoError(t, err, "the saved configuration must stay a valid experiment (sdeverify simulate -config accepts it)")
			th, err := theorems.ByID(m.Theorem)
			require.NoError(t, err)
			rep, err := theorems.Check(th, cfg, theorems.Options{Reading: m.Reading, Alpha: 1e-6})
			require.NoError(t, err)
			require.Equal(t, m.Outcome, rep.TargetOutcome("sde"), "%s no longer reproduces; replay: %v", m.Property, m.Replay)
		})
	}
}
