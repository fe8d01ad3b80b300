package model_test

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/sdeverify/sdeverify/model/objective"
)

// FuzzObjectiveSpec feeds arbitrary JSON to ObjectiveSpec: decoding and
// Build must never panic, and every objective that builds must have finite
// values at its minimiser equal to f* and a certificate that holds at a
// point derived from the input.
func FuzzObjectiveSpec(f *testing.F) {
	for _, s := range []string{
		`{"kind":"separable","dim":3,"atom":{"kind":"quartic","l0":2}}`,
		`{"kind":"separable","atoms":[{"kind":"cosh","c":2,"a":-1},{"kind":"power","p":3.5}],"shift":[1,2]}`,
		`{"kind":"quadratic","matrix":[[2,1],[1,2]],"rotation_seed":9}`,
		`{"kind":"separable","dim":1,"atom":{"kind":"explinear","a":3},"certificate":{"l0":9,"l1":3}}`,
	} {
		f.Add([]byte(s), 0.5)
	}
	f.Fuzz(func(t *testing.T, data []byte, u float64) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		var s objective.Spec
		if dec.Decode(&s) != nil || s.Dim > 200 || len(s.Atoms) > 200 || len(s.Matrix) > 50 {
			return
		}
		obj, err := s.Build()
		if err != nil {
			return
		}
		d := obj.Dim()
		x := make([]float64, d)
		obj.Minimizer(x)
		if v := obj.Value(x); math.IsNaN(v) || math.Abs(v-obj.Inf()) > 1e-9*math.Max(1, math.Abs(v)) {
			t.Fatalf("f(x*) = %v, f* = %v", v, obj.Inf())
		}
		if math.IsNaN(u) || math.IsInf(u, 0) {
			return
		}
		u = math.Mod(u, 10)
		for j := range x {
			x[j] += u * float64(j%3-1)
		}
		g := make([]float64, d)
		obj.Grad(g, x)
		var gn float64
		for _, v := range g {
			gn += v * v
		}
		gn = math.Sqrt(gn)
		h := obj.HessNorm(x)
		if math.IsInf(h, 0) || math.IsInf(gn, 0) || math.IsNaN(h) || math.IsNaN(gn) {
			return
		}
		if !obj.Certificate().Holds(h, gn, 1e-9) {
			t.Fatalf("certificate %+v fails: ||H|| = %v, ||g|| = %v", obj.Certificate(), h, gn)
		}
	})
}
