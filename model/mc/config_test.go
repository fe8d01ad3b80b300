package mc_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/objective"
)

const goodConfig = `{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"},"certificate":{"l0":3,"l1":3}},
 "x0":[3],"agents":[{"noise":{"kind":"gaussian","sigma1":1}}],"method":"dsgd","model":{"kind":"discrete"},
 "eta":0.01,"schedule":{"kind":"constant"},"steps":100,"paths":100,"seed":1,"checkpoints":{"every":10}}`

// TestConfigErrors: every bad configuration is refused with an error that
// names the field and the value.
func TestConfigErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ from, to, want string }{
		{`"steps":100`, `"steps":100,"bogus":1`, `unknown field "bogus"`},
		{`"kind":"quartic"`, `"kind":"sextic"`, `objective.atom.kind = "sextic"`},
		{`"sigma1":1`, `"sigma1":-1`, `agents[0].noise.sigma1 = -1`},
		{`"sigma1":1`, `"nu":3`, `agents[0].noise.nu = 3`},
		{`{"kind":"gaussian","sigma1":1}`, `{"kind":"student-t","nu":0,"scale":[1]}`, `agents[0].noise.nu = 0`},
		{`"method":"dsgd"`, `"method":"adam"`, `method = "adam"`},
		{`"method":"dsgd"`, `"method":"dcsgd"`, `agents[0].compressor`},
		{`"sigma1":1}}`, `"sigma1":1},"compressor":{"kind":"randk","k":5}}`, `agents[0].compressor`},
		{`"x0":[3]`, `"x0":[3,4]`, `x0 = length 2`},
		{`"eta":0.01`, `"eta":0`, `eta = 0`},
		{`"eta":0.01`, `"eta":-1`, `eta = -1`},
		{`"steps":100`, `"steps":0`, `steps = 0`},
		{`"paths":100`, `"paths":1`, `paths = 1`},
		{`{"kind":"discrete"}`, `{"kind":"ode"}`, `model.kind = "ode"`},
		{`{"kind":"discrete"}`, `{"kind":"sde","scheme":"rk4"}`, `model.scheme = "rk4"`},
		{`{"kind":"discrete"}`, `{"kind":"discrete","substeps":3}`, `model = discrete`},
		{`{"kind":"constant"}`, `{"kind":"cyclic"}`, `schedule.kind = "cyclic"`},
		{`{"kind":"constant"}`, `{"kind":"inv","clock":"wall"}`, `schedule.clock = "wall"`},
		{`{"kind":"constant"}`, `{"kind":"normalized","num":1,"a":1,"reading":"both"}`, `schedule.reading = "both"`},
		{`{"every":10}`, `{"at":[5,3]}`, `checkpoints.at[1] = 3`},
		{`{"every":10}`, `{"every":10,"count":3}`, `checkpoints.at`},
		{`"l1":3`, `"l1":1`, `objective.certificate.l1 = 1`},
		// A written-out 0 where the kind's zero means its default (the
		// constant schedule's zero tag), at any depth of decay, however
		// the field's name and the number are spelt.
		{`{"kind":"constant"}`, `{"kind":"constant","value":0}`, `schedule.value = 0: must be > 0 (omit it for 1)`},
		{`{"kind":"constant"}`, `{"kind":"constant","Value":0.0}`, `schedule.value = 0: must be > 0 (omit it for 1)`},
		{`{"kind":"constant"}`, `{"kind":"inv","decay":{"kind":"constant","value":-0e3}}`, `schedule.decay.value = 0: must be > 0 (omit it for 1)`},
	}
	for i, c := range cases {
		require.Contains(t, goodConfig, c.from, "case %d: bad test", i)
		cfg, err := mc.ParseConfig([]byte(strings.Replace(goodConfig, c.from, c.to, 1)))
		if err == nil {
			_, err = cfg.Resolve()
		}
		require.Error(t, err, "case %d", i)
		require.Contains(t, err.Error(), c.want, "case %d", i)
	}
}

func TestConfigSDEStudentTNeedsVariance(t *testing.T) {
	t.Parallel()
	s := strings.Replace(goodConfig, `{"kind":"gaussian","sigma1":1}`, `{"kind":"student-t","nu":1,"scale":[1]}`, 1)
	s = strings.Replace(s, `{"kind":"discrete"}`, `{"kind":"sde"}`, 1)
	cfg, err := mc.ParseConfig([]byte(s))
	require.NoError(t, err)
	_, err = cfg.Resolve()
	require.ErrorContains(t, err, "agents[0].noise.nu = 1: the dsgd SDE needs finite noise variance")
}

func TestConfigResolveFillsDefaults(t *testing.T) {
	t.Parallel()
	s := strings.Replace(goodConfig, `{"kind":"discrete"}`, `{"kind":"sde"}`, 1)
	s = strings.Replace(s, `"method":"dsgd"`, `"method":"dcsgd"`, 1)
	s = strings.Replace(s, `"sigma1":1}}`, `"sigma1":1},"compressor":{"kind":"randk","omega":1},"count":3}`, 1)
	cfg, err := mc.ParseConfig([]byte(s))
	require.NoError(t, err)
	run, err := cfg.Resolve()
	require.NoError(t, err)
	require.Equal(t, model.ModelSpec{Kind: "sde", Scheme: "tamed", Substeps: 1, Stiffness: 0.1, MaxSubsteps: 1000}, cfg.Model)
	require.Len(t, run.System.Agents, 3)
	require.Equal(t, []int{0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, cfg.Checkpoints.At)
	require.Equal(t, 3.0, run.System.F.Certificate().L1)
}

// TestConfigValidate: Validate refuses what Resolve refuses, with the same
// error, and leaves a typed configuration as it was (Resolve fills the
// agents' count through the shared slice, the model's defaults and the
// checkpoints).
func TestConfigValidate(t *testing.T) {
	t.Parallel()
	cfg := mc.Config{
		Objective: objective.Spec{Kind: "separable", Dim: 2, Atom: &model.AtomSpec{Kind: "logcosh"}},
		X0:        []float64{1}, Agents: []model.AgentSpec{{Noise: model.NoiseSpec{Kind: "gaussian", Sigma0: 1}}},
		Method: "dsgd", Model: model.ModelSpec{Kind: "sde"}, Eta: 0.1, Schedule: model.ScheduleSpec{Kind: "constant"},
		Steps: 10, Paths: 4, Checkpoints: mc.CheckpointSpec{Every: 5},
	}
	before := cfg
	before.Agents = append([]model.AgentSpec(nil), cfg.Agents...)
	require.NoError(t, cfg.Validate())
	require.Equal(t, before, cfg)
	for i, bad := range []func(c *mc.Config){
		func(c *mc.Config) { c.Eta = -1 },
		func(c *mc.Config) {
			c.Agents = []model.AgentSpec{{Noise: model.NoiseSpec{Kind: "gaussian", Sigma0: -1}}}
		},
		func(c *mc.Config) { c.Schedule.Kind = "cyclic" },
	} {
		c := before
		c.Agents = append([]model.AgentSpec(nil), before.Agents...)
		bad(&c)
		want := c
		want.Agents = append([]model.AgentSpec(nil), c.Agents...)
		_, rerr := want.Resolve()
		require.Error(t, rerr, "case %d", i)
		require.EqualError(t, c.Validate(), rerr.Error(), "case %d", i)
	}
}
