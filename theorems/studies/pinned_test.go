package studies_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/theorems/studies"
)

// TestPinned checks every theorem on the pinned set and asserts each
// outcome against what the case says it should be, with the reason. Run it
// with -v for the verdict table.
func TestPinned(t *testing.T) {
	t.Parallel()
	for _, c := range studies.Pinned() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			if testing.Short() && !c.Short {
				t.Skip("long case; run without -short")
			}
			r, err := c.Run(0)
			require.NoError(t, err)
			rep := r.Report
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
			t.Logf("%s (%s, %s reading): %s\n%s", c.Name, rep.Name, c.Reading, rep.Outcome, b.String())
			for target, want := range c.Want {
				got := r.Got[target]
				require.Equal(t, want, got, "%s on %s: got %s, want %s because: %s\nreplay: %s", c.Name, target, got, want, c.Why, c.Replay())
			}
		})
	}
}
