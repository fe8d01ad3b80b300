package compress_test

import (
	"fmt"

	"github.com/sdeverify/sdeverify/model/compress"
	"github.com/sdeverify/sdeverify/model/mc"
)

// Rand-k with d = 1000 and k = 500 has omega = 1; its error covariance is
// (omega + b) diag(v^2) - b v v^T.
func ExampleRandK() {
	c := compress.RandK{K: 500}
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
