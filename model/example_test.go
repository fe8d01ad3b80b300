package model_test

import (
	"fmt"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/schedule"
)

// Build Figure 1's centre objective, sum of x_j^4/4 over 1000 coordinates,
// with the (3,3) certificate docs/math.md uses.
func ExampleObjectiveSpec_Build() {
	spec := model.ObjectiveSpec{
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
		fmt.Printf("%+v\n", model.Quartic{L0: l0}.Certificate())
	}
	// Output:
	// {L0:0.25 L1:4}
	// {L0:1 L1:2}
	// {L0:4 L1:1}
}

// Xi_nu and the Phase-3 constant ell_nu of Thm 7.
func ExampleXi() {
	fmt.Printf("Xi_1(1) = %.4f, ell_1 = %.4f, ell_3 = %.4f\n", model.Xi(1, 1), model.EllNu(1), model.EllNu(3))
	// Output: Xi_1(1) = 0.2500, ell_1 = 0.5000, ell_3 = 0.6090
}

// Rand-k with d = 1000 and k = 500 has omega = 1; its error covariance is
// (omega + b) diag(v^2) - b v v^T.
func ExampleRandK() {
	c := model.RandK{K: 500}
	a, _, _ := c.Linear(1000)
	v := make([]float64, 1000)
	for j := range v {
		v[j] = 1
	}
	out := make([]float64, 1000)
	c.Compress(out, v, mc.Stream(1, 0))
	kept, value := 0, 0.0
	for _, o := range out {
		if o != 0 {
			kept, value = kept+1, o
		}
	}
	fmt.Printf("omega=%v alpha=%.6f kept=%d value=%v\n", c.Omega(1000), a, kept, value)
	// Output: omega=1 alpha=1.001001 kept=500 value=2
}

func ExampleNormalized() {
	// Thm 4's admissible schedule for sigma1 = 1, sigma0 = 0, N = 1, d = 1,
	// L0 = L1 = 3, eps = 0.5: eta_t = 2 N eps / (d (sigma1^2 L0 + sigma1^2 L1 G_t)).
	s := schedule.Normalized{Num: 1, A: 3, B: 3, Reading: model.ReadsEnsemble}
	fmt.Printf("%.4f %.4f\n", s.Rate(model.StepInfo{Ensemble: 0}), s.Rate(model.StepInfo{Ensemble: 27}))
	// Output: 0.3333 0.0119
}

// The registered kinds of a sort, as the configuration names them (a
// package that registers more, imported blank, adds to the list).
func ExampleKinds() {
	for _, k := range model.Kinds("noise") {
		fmt.Printf("%s %v\n", k.Name, k.Params())
	}
	// Output:
	// gaussian [sigma0 sigma1]
	// student-t [nu scale]
}
