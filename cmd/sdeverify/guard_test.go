package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// exampleWith is an example config with the first occurrence of old
// replaced by new, written to a temporary file.
func exampleWith(t *testing.T, name, old, new string) string {
	t.Helper()
	b, err := os.ReadFile("../../examples/" + name)
	require.NoError(t, err)
	s := string(b)
	require.Contains(t, s, old, name)
	return writeTemp(t, name, strings.Replace(s, old, new, 1))
}

// TestIssue24Refusals: the inputs of issue 24 that crashed, hung or were
// silently replaced by defaults are refused with exit 2, in one line
// naming the field or flag and the value, within a second, nothing on
// stdout.
func TestIssue24Refusals(t *testing.T) {
	t.Parallel()
	const gauss, weakEx, signT = "dsgd-discrete-gaussian.json", "../../examples/weak-dsgd-sigma1-0.1.json", "dsignsgd-discrete-student-t.json"
	steps := exampleWith(t, gauss, `"steps": 200`, `"steps": 1000000000000`)
	agents := exampleWith(t, gauss, `"count": 2`, `"count": 1000000000`)
	cps := exampleWith(t, gauss, `"count": 10`, `"count": 1000000000000`)
	every := exampleWith(t, gauss, `"count": 10`, `"every": 0`)
	zeroSched := exampleWith(t, "weak-dsgd-sigma1-0.1.json", `"kind": "constant"`, `"kind": "constant", "value": 0`)
	sign := "../../examples/" + signT
	for i, c := range []struct {
		args []string
		want string
	}{
		{[]string{"simulate", "-config", steps}, "steps = 1e+12"},
		{[]string{"check", "-theorem", "thm4", "-config", steps}, "steps = 1e+12"},
		{[]string{"simulate", "-engine", "exact", "-config", steps}, "steps = 1e+12"},
		{[]string{"weak", "-engine", "mc", "-etas", "1e-12", "-config", weakEx}, "eta = 1e-12 (-etas)"},
		{[]string{"weak", "-nodes", "1000000000", "-config", weakEx}, "-nodes = 1e+09"},
		{[]string{"weak", "-horizon", "1e12", "-config", weakEx}, "-horizon = 1e+12"},
		{[]string{"simulate", "-config", agents}, "agents 1e+09"},
		{[]string{"simulate", "-config", cps}, "checkpoints.count = 1000000000000: more checkpoints than steps (200)"},
		{[]string{"simulate", "-config", every}, "checkpoints.every = 0"},
		{[]string{"simulate", "-config", zeroSched}, "schedule.value = 0"},
		{[]string{"check", "-theorem", "thm7", "-config", sign, "-ell", "-1"}, "-ell = -1"},
		{[]string{"check", "-theorem", "thm7", "-config", sign, "-ell", "100"}, "-ell = 100: more than 2 Xi_nu(1)"},
		{[]string{"check", "-theorem", "thm4", "-config", sign, "-ell", "0.5"}, "-ell = 0.5: ell_nu is Thm 7's"},
		{[]string{"check", "-theorem", "thm7", "-config", sign, "-alpha", "0"}, "-alpha = 0"},
		{[]string{"check", "-theorem", "thm7", "-config", sign, "-eps", "0"}, "-eps = 0"},
		{[]string{"check", "-theorem", "thm7", "-config", sign, "-max-paths", "-5"}, "-max-paths = -5"},
		{[]string{"check", "-theorem", "thm7", "-config", sign, "-margin", "-1"}, "-margin = -1"},
		{[]string{"check", "-theorem", "thm7", "-config", sign, "-decay", "inv"}, `-decay = "inv": needs -margin`},
		{[]string{"verify", "-only", "-5"}, "-only = -5"},
		{[]string{"verify", "-shard", "1/2xyz"}, `-shard = "1/2xyz"`},
		{[]string{"verify", "-n", "1000000000000"}, "-n = 1000000000000"},
		{[]string{"verify", "-n", "0"}, "-n = 0"},
		{[]string{"figure1", "-workers", "-1"}, "-workers = -1"},
		{[]string{"weak", "-workers", "-1", "-config", weakEx}, "-workers = -1"},
	} {
		var stdout, stderr bytes.Buffer
		start := time.Now()
		code := run(append(c.args, "-q"), &stdout, &stderr)
		took := time.Since(start)
		require.Equal(t, 2, code, "case %d: %v: %s", i, c.args, stderr.String())
		require.Contains(t, stderr.String(), c.want, "case %d", i)
		require.Equal(t, 1, strings.Count(stderr.String(), "\n"), "case %d: want one line, got %q", i, stderr.String())
		require.Empty(t, stdout.String(), "case %d: work was done before the refusal", i)
		require.Less(t, took, time.Second, "case %d: refused after %v", i, took)
	}
}

// TestEllWithinCertificate: an -ell below 2 Xi_nu(1) is accepted and
// reported as the ell_nu the check used.
func TestEllWithinCertificate(t *testing.T) {
	t.Parallel()
	cfg := exampleWith(t, "dsignsgd-discrete-student-t.json", `"paths": 400`, `"paths": 64`)
	var stdout, stderr bytes.Buffer
	code := run([]string{"check", "-theorem", "thm7", "-config", cfg, "-ell", "0.25", "-q"}, &stdout, &stderr)
	require.Contains(t, []int{0, 1}, code, stderr.String())
	require.Contains(t, stdout.String(), "ell_nu = 0.25")
}
