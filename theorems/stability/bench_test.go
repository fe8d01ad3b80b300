package stability

import "testing"

// BenchmarkStabilityMap is issue 27's speed target: a d = 1 map of one
// method and two models over 12 step sizes in at most 30 s on 2 cores.
// DSGD on x^4/4 from x0 = 3 with sigma1 = 3 (Figure 1's left-top panel),
// the discrete method and its first-order SDE, eta on a log grid from
// 0.001 to 0.3 to the horizon T = 5 (5000 to 17 steps), R = 1000.
func BenchmarkStabilityMap(b *testing.B) {
	s := Spec{Config: quarticConfig(b, 3, 3), Etas: logGrid(0.001, 0.3, 12), Horizon: 5, Radii: []float64{1000},
		Models: []string{"discrete", "sde"}}
	for b.Loop() {
		if _, err := Compute(s); err != nil {
			b.Fatal(err)
		}
	}
}
