package theorems_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/theorems"
)

// pinnedAlpha is each pinned check's family-wise probability of a false FAIL
// (split inside Check over targets and horizons). 16 cases: 1.6e-5 in all.
const pinnedAlpha = 1e-6

// TestPinned checks every theorem on the pinned set and asserts each
// outcome against what the case says it should be, with the reason. Run it
// with -v for the verdict table.
func TestPinned(t *testing.T) {
	t.Parallel()
	for _, c := range theorems.Pinned() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			if testing.Short() && !c.Short {
				t.Skip("long case; run without -short")
			}
			cfg, o, th, err := c.Build()
			require.NoError(t, err)
			o.Alpha = pinnedAlpha
			rep, err := theorems.Check(th, cfg, o)
			require.NoError(t, err)
			var b strings.Builder
			for _, h := range rep.Hypotheses {
				fmt.Fprintf(&b, "  hypothesis %-20s held=%v: %s\n", h.Name, h.Held, h.Detail)
			}
			for _, v := range rep.Verdicts {
				fmt.Fprintf(&b, "  %s\n", v)
			}
			if rep.Resolution != nil {
				fmt.Fprintf(&b, "  SDE: %d substeps, max %d per step, %d capped; coarse-fine max z %.2g\n", rep.Resolution.Substeps.Total, rep.Resolution.Substeps.MaxPerStep, rep.Resolution.Substeps.CappedPaths, rep.Resolution.MaxZ)
			}
			t.Logf("%s (%s, %s reading): %s\n%s", c.Name, th.Name, c.Reading, rep.Outcome, b.String())
			for target, want := range c.Want {
				got := rep.TargetOutcome(target)
				require.Equal(t, want, got, "%s on %s: got %s, want %s because: %s\nreplay: %s", c.Name, target, got, want, c.Why, c.Replay())
			}
		})
	}
}
