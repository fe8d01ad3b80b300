package objective_test

import (
	"fmt"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/objective"
)

// Build Figure 1's centre objective, sum of x_j^4/4 over 1000 coordinates,
// with the (3,3) certificate docs/math.md uses.
func ExampleSpec_Build() {
	spec := objective.Spec{
		Kind:        "separable",
		Dim:         1000,
		Atom:        &model.AtomSpec{Kind: "quartic"},
		Certificate: &model.Certificate{L0: 3, L1: 3},
	}
	f, err := spec.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	x := make([]float64, f.Dim())
	for j := range x {
		x[j] = 0.5
	}
	g := make([]float64, f.Dim())
	f.Grad(g, x)
	fmt.Printf("d=%d f=%.4f g_0=%.3f ||H||=%.2f f*=%v cert=%+v\n", f.Dim(), f.Value(x), g[0], f.HessNorm(x), f.Inf(), f.Certificate())
	// Output: d=1000 f=15.6250 g_0=0.125 ||H||=0.75 f*=0 cert={L0:3 L1:3}
}

// The quartic's certificate trades L0 against L1: L1 = 2/sqrt(L0).
func ExampleQuartic_Certificate() {
	for _, l0 := range []float64{0.25, 1, 4} {
		fmt.Printf("%+v\n", objective.Quartic{L0: l0}.Certificate())
	}
	// Output:
	// {L0:0.25 L1:4}
	// {L0:1 L1:2}
	// {L0:4 L1:1}
}
