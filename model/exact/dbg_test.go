package exact_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/sdeverify/sdeverify/model/exact"
)

func TestDbgEscape(t *testing.T) {
	p := problem(t, `{"kind":"separable","dim":1,"atom":{"kind":"quartic"}}`, `[{"noise":{"kind":"gaussian","sigma1":3}}]`, "dsgd", 3, 0.01, 5000)
	one := func(float64) float64 { return 1 }
	f := func(x float64) float64 { return x * x * x * x / 4 }
	for _, r := range []float64{100, 1000} {
		for _, n := range []int{1200, 2400} {
			t0 := time.Now()
			d, err := exact.Discrete(p, []func(float64) float64{one, f}, exact.Settings{Nodes: n, Radius: r, Map: 0.05, Absorb: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range []int{10, 100, 1000, 5000} {
				fmt.Printf("R %g n %d k %d escape %.6g (err %.2g)  live mean f %.6g\n", r, n, k, 1-d[0][k].Value, d[0][k].Err, d[1][k].Value/d[0][k].Value)
			}
			fmt.Println(time.Since(t0))
		}
	}
}
