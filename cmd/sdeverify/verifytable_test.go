package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestVerifyTableAgreesWithReport: verify's terminal table and status line
// say what the report of the same campaign (merged from verify's shard)
// says: each case's SDE and discrete outcomes and the finding it is filed
// under (campaign case 0 at seed 1 is a discrete FAIL filed under F4), and
// the report's status line word for word, counting theorem checks. The
// merge command prints the same status line.
func TestVerifyTableAgreesWithReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	shard, rep := filepath.Join(dir, "c.json"), filepath.Join(dir, "rep")
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"verify", "-n", "2", "-seed", "1", "-paths", "100", "-json", shard, "-q"}, &stdout, &stderr), stderr.String())
	table := stdout.String()
	var merged bytes.Buffer
	require.Equal(t, 0, run([]string{"merge", "-out", rep, shard}, &merged, &stderr), stderr.String())
	md, err := os.ReadFile(filepath.Join(rep, "report.md"))
	require.NoError(t, err)

	status := regexp.MustCompile(`(?m)^Status: .*$`)
	want := status.FindString(string(md))
	require.NotEmpty(t, want, "report.md has no status line")
	require.Contains(t, want, "Theorem checks (one per configuration")
	require.Equal(t, []string{want}, status.FindAllString(table, -1), "verify's status line")
	require.Equal(t, []string{want}, status.FindAllString(merged.String(), -1), "merge's status line")

	// The report's campaign table: | campaign-1-J | theorem | reading | SDE | discrete | bias | tails | finding | ...
	rows := regexp.MustCompile(`(?m)^\| campaign-1-(\d+) \| [^|]+ \| [^|]+ \| (\S+) \| (\S+) \| [^|]+ \| [^|]+ \| (\S+) \|`).FindAllStringSubmatch(string(md), -1)
	require.Len(t, rows, 2)
	filed := false
	for _, r := range rows {
		line := regexp.MustCompile(`(?m)^ *` + r[1] + ` .*$`).FindString(table)
		require.NotEmptyf(t, line, "case %s is not in verify's table:\n%s", r[1], table)
		f := strings.Fields(line)
		require.Equalf(t, []string{r[2], r[3], r[4]}, f[len(f)-3:], "case %s: verify's SDE, discrete and finding against the report's", r[1])
		filed = filed || strings.HasPrefix(r[4], "F4")
	}
	require.True(t, filed, "no case filed under F4: the test no longer covers a filed FAIL\n%s", table)
	require.NotContains(t, table, "[]")
}
