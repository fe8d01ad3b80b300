package model_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/compress"
	"github.com/sdeverify/sdeverify/model/gen"
	"github.com/sdeverify/sdeverify/model/noise"
)

// TestKindsRegistered: the built-in kinds of each sort, by name.
func TestKindsRegistered(t *testing.T) {
	t.Parallel()
	want := map[string]string{
		"noise":      "gaussian student-t",
		"compressor": "bernoulli identity qsgd randk",
		"atom":       "cosh explinear logcosh power quartic square",
		"schedule":   "constant inv inv-sqrt normalized",
		"method":     "clipped-sgd dcsgd dsgd dsignsgd l0l1-gd normalized-sgd",
	}
	for sort, names := range want {
		var got []string
		for _, k := range model.Kinds(sort) {
			got = append(got, k.Name)
			require.NotEmpty(t, k.Doc, "%s kind %s has no documentation", sort, k.Name)
			require.True(t, k.Drawable, "%s kind %s cannot be drawn", sort, k.Name)
		}
		require.Equal(t, names, strings.Join(got, " "), sort)
	}
	require.Nil(t, model.Kinds("bogus"))
}

// TestKindsRoundTrip: for every built-in kind, 50 drawn parameter sets
// build, and the spec's JSON decodes to a spec that encodes to the same
// bytes and builds the same value (every parameter survives JSON exactly).
func TestKindsRoundTrip(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	dr := gen.RandDrawer{R: rng}
	for _, sort := range []string{"noise", "compressor", "atom", "schedule"} {
		for _, k := range model.Kinds(sort) {
			for i := range 50 {
				params, ok := k.Draw(dr, model.DrawOptions{Dim: 4, Moments: 2 * (i % 3)})
				require.True(t, ok)
				obj := fmt.Sprintf(`{"kind":%q}`, k.Name)
				if string(params) != "{}" {
					obj = fmt.Sprintf(`{"kind":%q,%s`, k.Name, params[1:])
				}
				built := func(b []byte) (string, []byte) {
					var v any
					var err error
					var enc []byte
					switch sort {
					case "noise":
						var s model.NoiseSpec
						require.NoError(t, json.Unmarshal(b, &s), obj)
						v, err = s.Build()
						enc, _ = json.Marshal(s)
					case "compressor":
						var s model.CompressorSpec
						require.NoError(t, json.Unmarshal(b, &s), obj)
						v, err = s.Build(4)
						enc, _ = json.Marshal(s)
					case "atom":
						var s model.AtomSpec
						require.NoError(t, json.Unmarshal(b, &s), obj)
						v, err = s.Build()
						enc, _ = json.Marshal(s)
					case "schedule":
						var s model.ScheduleSpec
						require.NoError(t, json.Unmarshal(b, &s), obj)
						v, err = s.Build()
						enc, _ = json.Marshal(s)
					}
					require.NoError(t, err, obj)
					return fmt.Sprintf("%#v", v), enc
				}
				v1, enc := built([]byte(obj))
				v2, enc2 := built(enc)
				require.Equal(t, v1, v2, obj)
				require.Equal(t, string(enc), string(enc2), obj)
			}
		}
	}
}

// TestSpecErrors: bad specs are errors naming the field and the value.
func TestSpecErrors(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		build func() error
		want  string
	}{
		{func() error { _, err := model.NoiseSpec{Kind: "gaussian", Nu: 3}.Build(); return err }, `nu = 3: unknown field "nu": not a parameter of noise kind gaussian (its parameters: sigma0, sigma1)`},
		{func() error { _, err := model.NoiseSpec{Kind: "laplace"}.Build(); return err }, `kind = "laplace": must be one of gaussian or student-t`},
		{func() error { _, err := model.NoiseSpec{Kind: "gaussian", Sigma0: math.NaN()}.Build(); return err }, `sigma0 = NaN: must be finite`},
		{func() error {
			_, err := model.NoiseSpec{Kind: "student-t", Scale: []float64{1, math.Inf(1)}}.Build()
			return err
		}, `scale[1] = +Inf: must be finite`},
		{func() error {
			_, err := model.NoiseSpec{Kind: "gaussian", Sigma0: 1, Params: json.RawMessage(`{"sigma1":1}`)}.Build()
			return err
		}, `give the kind's parameters as fields or as Params, not both`},
		{func() error {
			_, err := model.NoiseSpec{Kind: "gaussian", Params: json.RawMessage(`{"sigma1":"x"}`)}.Build()
			return err
		}, `sigma1 = string: must be a JSON value for a Go float64 (noise kind gaussian)`},
		{func() error { _, err := model.CompressorSpec{Kind: "randk", K: 2, Omega: 1}.Build(4); return err }, `omega = 1: give k or omega, not both`},
		{func() error { _, err := model.AtomSpec{Kind: "cosh", P: 3}.Build(); return err }, `p = 3: unknown field "p": not a parameter of atom kind cosh (its parameters: none)`},
		{func() error { _, err := model.AtomSpec{Kind: "power", P: 1.5}.Build(); return err }, `p = 1.5: must be > 2`},
		{func() error {
			_, err := model.ScheduleSpec{Kind: "normalized", Num: 1, A: 1, Reading: "ensemble", Decay: &model.ScheduleSpec{Kind: "inv", Clock: "hour"}}.Build()
			return err
		}, `decay.clock = "hour": must be step or time`},
		{func() error {
			_, err := model.ScheduleSpec{Kind: "inv", Decay: &model.ScheduleSpec{Kind: "inv"}}.Build()
			return err
		}, `decay = {"kind":"inv"}: unknown field "decay"`},
	} {
		err := c.build()
		require.Error(t, err, "case %d", i)
		require.Contains(t, err.Error(), c.want, "case %d", i)
	}
}

// TestSpecParams: a spec of a kind whose parameters the spec's fields
// cannot hold keeps them in Params, through decoding and encoding.
func TestSpecParams(t *testing.T) {
	t.Parallel()
	var s model.NoiseSpec
	require.NoError(t, json.Unmarshal([]byte(`{"kind":"elsewhere","scale":2,"skew":1}`), &s))
	require.Equal(t, "elsewhere", s.Kind)
	require.JSONEq(t, `{"scale":2,"skew":1}`, string(s.Params))
	b, err := json.Marshal(s)
	require.NoError(t, err)
	require.JSONEq(t, `{"kind":"elsewhere","scale":2,"skew":1}`, string(b))
	// Parameters a built-in kind takes, given as Params, encode as fields.
	b, err = json.Marshal(model.NoiseSpec{Kind: "gaussian", Params: json.RawMessage(`{"sigma1":0.5}`)})
	require.NoError(t, err)
	require.Equal(t, `{"kind":"gaussian","sigma1":0.5}`, string(b))
	var a model.AtomSpec
	require.NoError(t, json.Unmarshal([]byte(`{"kind":"elsewhere","c":2,"a":3,"w":1}`), &a))
	require.Equal(t, model.AtomSpec{Kind: "elsewhere", C: 2, A: 3, Params: json.RawMessage(`{"w":1}`)}, a)
	b, err = json.Marshal(a)
	require.NoError(t, err)
	require.JSONEq(t, `{"kind":"elsewhere","c":2,"a":3,"w":1}`, string(b))
}

type badParams struct{ X float64 }

type nothing struct{}

type zeroTagged struct {
	Scale float64 `json:"scale,omitempty" zero:"must be > 0"`
}

// TestRegisterPanics: registering twice, without a name, or with
// parameters that are not the kind and no Build are programmer errors.
func TestRegisterPanics(t *testing.T) {
	t.Parallel()
	require.PanicsWithValue(t, `model: Register: noise kind "gaussian" registered twice`, func() {
		model.Register(model.Kind[noise.Gaussian, model.Noise]{Name: "gaussian"})
	})
	require.Panics(t, func() { model.Register(model.Kind[noise.Gaussian, model.Noise]{}) })
	require.Panics(t, func() { model.Register(model.Kind[badParams, model.Noise]{Name: "bad"}) })
	require.Panics(t, func() { model.Register(model.Kind[nothing, fmt.Stringer]{Name: "bad"}) })
	require.Panics(t, func() { model.Register(model.Kind[int, model.Noise]{Name: "bad"}) })
	// A zero tag outside a schedule: the decoder would not check it.
	require.PanicsWithValue(t, `model: Register "zero-tagged": a zero tag on a compressor kind's parameter, which the configuration's decoder does not check (schedules only)`, func() {
		model.Register(model.Kind[zeroTagged, model.Compressor]{Name: "zero-tagged", Build: func(zeroTagged, int) (model.Compressor, error) { return compress.Identity{}, nil }})
	})
}
