package weak_test

import (
	"fmt"
	"testing"

	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems/weak"
)

// BenchmarkWeakDSGD is the DSGD weak-order experiment at the reference size
// of the weak-error issue: sigma in {0.1, 1}, eta in {0.1, 0.05, 0.025,
// 0.0125}, T = 2, 100000 paths, 10 substeps, x0 = 1 (a vectorised numpy
// version takes about 14 s on one core of the 2-core machine).
func BenchmarkWeakDSGD(b *testing.B) {
	for b.Loop() {
		for _, sigma := range []float64{0.1, 1} {
			c, err := mc.ParseConfig([]byte(fmt.Sprintf(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"}},"x0":[1],
				"agents":[{"noise":{"kind":"gaussian","sigma1":%g}}],"method":"dsgd","model":{"kind":"discrete"},
				"eta":0.1,"schedule":{"kind":"constant"},"steps":1,"paths":2,"seed":1,"checkpoints":{"at":[1]}}`, sigma)))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := weak.Estimate(c, weak.Options{Paths: 100000, Seed: 1}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkExactWeakDSGD is a one-dimensional exact weak-order study: DSGD
// on x^4/4, sigma1 = 0.1, four etas to T = 2, both cores.
func BenchmarkExactWeakDSGD(b *testing.B) {
	c, err := mc.ParseConfig([]byte(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"}},"x0":[1],
		"agents":[{"noise":{"kind":"gaussian","sigma1":0.1}}],"method":"dsgd","model":{"kind":"discrete"},
		"eta":0.1,"schedule":{"kind":"constant"},"steps":1,"paths":2,"seed":1}`))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := weak.Exact(c, weak.Options{}, exact.Settings{Nodes: 2400}); err != nil {
			b.Fatal(err)
		}
	}
}
