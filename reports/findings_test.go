package reports

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/theorems/studies"
)

// TestUnpinnedFindingsMarkdown: the findings without a pinned case (F7,
// Figure 1's claim; F8, the weak studies) are listed with their evidence,
// and a finding a pinned case reproduces is left to the pinned section.
func TestUnpinnedFindingsMarkdown(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	UnpinnedFindingsMarkdown(&b, nil)
	require.Contains(t, b.String(), "### "+studies.FindingFig1SDEDivergence.ID+": ")
	require.Contains(t, b.String(), "### "+studies.FindingWeakDivergence.ID+": ")
	require.Contains(t, b.String(), "Evidence (no pinned case reproduces it): exact.Divergence")
	b.Reset()
	UnpinnedFindingsMarkdown(&b, []studies.PinnedResult{{Finding: studies.FindingWeakDivergence}})
	require.NotContains(t, b.String(), studies.FindingWeakDivergence.ID)
	require.NotContains(t, b.String(), studies.FindingHeavyTails.ID, "no Evidence: F6 is reproduced by pinned cases")
}
