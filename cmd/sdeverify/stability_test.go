package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/theorems/stability"
)

const stabilityConfig = `{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"}},"x0":[3],
 "agents":[{"noise":{"kind":"gaussian","sigma1":3}}],"method":"dsgd","model":{"kind":"discrete"},
 "eta":0.01,"schedule":{"kind":"constant"},"steps":100,"paths":100,"seed":1}`

func TestStabilityCommand(t *testing.T) {
	t.Parallel()
	cfg := writeTemp(t, "c.json", stabilityConfig)
	out := filepath.Join(t.TempDir(), "map.json")
	var stdout, stderr bytes.Buffer
	code := run([]string{"stability", "-config", cfg, "-etas", "0.0025,0.005,0.01,0.02", "-radius", "100", "-refine", "0", "-json", out}, &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	require.Contains(t, stdout.String(), "discrete method")
	require.Contains(t, stdout.String(), "(0.005, 0.01]")
	var m stability.Map
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &m))
	require.Len(t, m.Curves, 3) // discrete, first- and second-order SDE
	require.Equal(t, []string{"discrete", "sde", "sde2"}, m.Models)
	require.Equal(t, "bracketed", m.Curves[0].Critical.Status)
	require.Equal(t, 0.005, m.Curves[0].Critical.Lo)
}

// TestStabilityBadFlags: exit 2 and one line on stderr naming the flag,
// before any computation, and no output file.
func TestStabilityBadFlags(t *testing.T) {
	t.Parallel()
	cfg := writeTemp(t, "c.json", stabilityConfig)
	d2 := writeTemp(t, "d2.json", strings.Replace(stabilityConfig, `"dim":1`, `"dim":2`, 1))
	cases := []struct {
		args []string
		want string
	}{
		{[]string{}, "-config is required"},
		{[]string{"-config", cfg, "-etas", "0.1:0.01:5"}, "-etas"},
		{[]string{"-config", cfg, "-etas", "0.01:0.1:1"}, "-etas"},
		{[]string{"-config", cfg, "-etas", "0.01,-1"}, "-etas"},
		{[]string{"-config", cfg, "-etas", "a:b"}, "-etas"},
		{[]string{"-config", cfg, "-level", "1.5"}, "-level"},
		{[]string{"-config", cfg, "-level", "NaN"}, "-level"},
		{[]string{"-config", cfg, "-radius", "0"}, "-radius"},
		{[]string{"-config", cfg, "-radius", "2"}, "radii"},
		{[]string{"-config", cfg, "-horizon", "-1"}, "-horizon"},
		{[]string{"-config", cfg, "-horizon", "1e9"}, "-horizon"},
		{[]string{"-config", cfg, "-axis", "sigma1"}, "-values"},
		{[]string{"-config", cfg, "-values", "1"}, "-axis"},
		{[]string{"-config", cfg, "-axis", "nu", "-values", "1"}, "-axis"},
		{[]string{"-config", cfg, "-axis", "sigma1", "-values", "1,x"}, "-values"},
		{[]string{"-config", cfg, "-models", "discrete,sde7"}, "-models"},
		{[]string{"-config", cfg, "-refine", "-1"}, "-refine"},
		{[]string{"-config", cfg, "-factor", "1"}, "-factor"},
		{[]string{"-config", cfg, "-nodes", "5"}, "-nodes"},
		{[]string{"-config", cfg, "-workers", "-1"}, "-workers"},
		{[]string{"-config", d2}, "objective.dim"},
	}
	for i, tc := range cases {
		out := filepath.Join(t.TempDir(), "out.json")
		var stdout, stderr bytes.Buffer
		code := run(append(append([]string{"stability"}, tc.args...), "-json", out), &stdout, &stderr)
		msg := stderr.String()
		if code != 2 || !strings.Contains(msg, tc.want) || strings.Count(msg, "\n") != 1 {
			t.Errorf("case %d (%v): got exit %d, stderr %q; want exit 2 and one line naming %s", i, tc.args, code, msg, tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("case %d: an output file was written", i)
		}
	}
}
