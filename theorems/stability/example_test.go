package stability_test

import (
	"fmt"

	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems/stability"
)

// The critical step of DSGD on x^4/4 from x0 = 3 (Figure 1's left panel,
// sigma1 = 3) and of its SDE models: the discrete method reaches |x| >= 100
// with probability 1% at a step about 0.006, the SDEs not below 0.02 on
// this grid.
func ExampleCompute() {
	cfg, err := mc.ParseConfig([]byte(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"}},"x0":[3],
		"agents":[{"noise":{"kind":"gaussian","sigma1":3}}],"method":"dsgd","schedule":{"kind":"constant"},"eta":0.01,"steps":100}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := stability.Compute(stability.Spec{Config: cfg, Etas: []float64{0.0025, 0.005, 0.01, 0.02}, Horizon: 1,
		Radii: []float64{100}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range m.Curves {
		cr := c.Critical
		fmt.Printf("%s: %s, eta* in (%g, %g]\n", c.Label, cr.Status, cr.Lo, cr.Hi)
	}
	// Output:
	// discrete method: bracketed, eta* in (0.005, 0.01]
	// first-order SDE: above-grid, eta* in (0.02, +Inf]
	// second-order SDE: above-grid, eta* in (0.02, +Inf]
}
