package studies_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/theorems"
	"github.com/sdeverify/sdeverify/theorems/studies"
)

// TestCampaignCaseIsTheShardsCase: a case run alone (as a resumed
// campaign runs it) is the case a shard runs, and its replay line names
// -paths when the campaign's paths are not the default.
func TestCampaignCaseIsTheShardsCase(t *testing.T) {
	t.Parallel()
	size := studies.CaseSize{Paths: 40}
	o := theorems.Options{Alpha: 1e-3}
	shard, err := studies.Campaign(4, 7, 1, 2, size, o)
	require.NoError(t, err)
	require.Len(t, shard, 2)
	for i, j := range []int{1, 3} {
		one, err := studies.CampaignCase(4, 7, j, size, o)
		require.NoError(t, err)
		require.Equal(t, j, one.Index)
		require.Equal(t, shard[i].Case, one.Case, "case %d", j)
		require.Equal(t, shard[i].Replay, one.Replay)
		require.Equal(t, "sdeverify verify -seed 7 -n 4 -only "+string(rune('0'+j))+" -paths 40", one.Replay)
		if one.Report != nil {
			require.Equal(t, shard[i].Report.Verdicts, one.Report.Verdicts, "case %d", j)
		}
	}
	one, err := studies.CampaignCase(4, 7, 0, studies.CaseSize{Paths: 400, MaxSteps: 20}, o)
	require.NoError(t, err)
	require.False(t, strings.Contains(one.Replay, "-paths"), one.Replay)
	_, err = studies.CampaignCase(4, 7, 4, size, o)
	require.ErrorContains(t, err, "case 4: want 0 <= j < n = 4")
}
