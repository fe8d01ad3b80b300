package jsonfinite

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

type inner struct {
	A float64 `json:"a"`
}

type outer struct {
	inner
	X    float64            `json:"x"`
	Y    []float64          `json:"y"`
	M    map[string]float64 `json:"m"`
	Skip float64            `json:"skip,omitempty"`
	P    *float64           `json:"p"`
	Raw  json.RawMessage    `json:"raw"`
}

// TestNonFiniteAsNull: NaN and +-Inf anywhere (fields, slices, maps,
// embedded structs, pointers) become null; the rest encodes as
// encoding/json would, tags and omitempty included; finite values take
// the fast path unchanged.
func TestNonFiniteAsNull(t *testing.T) {
	nan := math.NaN()
	v := outer{inner: inner{A: math.Inf(1)}, X: nan, Y: []float64{1, math.Inf(-1)}, M: map[string]float64{"k": nan}, P: &nan, Raw: json.RawMessage(`{"r":1}`)}
	b, err := MarshalIndent(v, "", "")
	require.NoError(t, err)
	require.JSONEq(t, `{"a":null,"x":null,"y":[1,null],"m":{"k":null},"p":null,"raw":{"r":1}}`, string(b))
	fin := outer{X: 2, Y: []float64{3}}
	want, _ := json.MarshalIndent(fin, "", "")
	got, err := MarshalIndent(fin, "", "")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
}
