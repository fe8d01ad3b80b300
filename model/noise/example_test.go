package noise_test

import (
	"fmt"

	"github.com/sdeverify/sdeverify/model/noise"
)

// Xi_nu and the Phase-3 constant ell_nu of Thm 7.
func ExampleXi() {
	fmt.Printf("Xi_1(1) = %.4f, ell_1 = %.4f, ell_3 = %.4f\n", noise.Xi(1, 1), noise.EllNu(1), noise.EllNu(3))
	// Output: Xi_1(1) = 0.2500, ell_1 = 0.5000, ell_3 = 0.6090
}
