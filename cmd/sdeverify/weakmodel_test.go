package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model/exact"
)

// TestWeakModelFlag (deterministic): -model's help lists every registered
// SDE model (exact.ModelNames); an unknown model and a model the Monte
// Carlo engine does not simulate with -engine mc are usage errors (exit 2,
// one line naming the flag), before any computation.
func TestWeakModelFlag(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join("..", "..", "examples", "weak-dsgd-sigma1-0.1.json")
	var stdout, stderr bytes.Buffer
	run([]string{"weak", "-h"}, &stdout, &stderr)
	for _, n := range exact.ModelNames() {
		require.Contains(t, stderr.String(), n)
	}
	for i, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-model", "bogus"}, `-model = "bogus": want ` + exact.ModelList()},
		{[]string{"-model", exact.ModelSecondOrder, "-engine", "mc"}, "-model second-order: the exact engine only"},
	} {
		stdout.Reset()
		stderr.Reset()
		code := run(append([]string{"weak", "-config", cfg, "-q"}, c.args...), &stdout, &stderr)
		require.Equalf(t, 2, code, "case %d: %s", i, stderr.String())
		require.Containsf(t, stderr.String(), c.want, "case %d", i)
		require.Equalf(t, 1, strings.Count(strings.TrimSpace(stderr.String()), "\n")+1, "case %d: %q", i, stderr.String())
	}
}
