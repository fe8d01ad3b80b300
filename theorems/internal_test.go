package theorems

import (
	"testing"

	"github.com/sdeverify/sdeverify/model/mc"
)

// TestPercent: proportions print as plain percentages, never with an
// exponent (a 40 of 40 divergence once printed as 1e+02%).
func TestPercent(t *testing.T) {
	for p, want := range map[float64]string{1: "100%", 0.76: "76%", 0.03: "3.0%", 0.0026: "0.26%", 0: "0%", 0.000012: "0.0012%"} {
		if got := percent(p); got != want {
			t.Errorf("percent(%v) = %q, want %q", p, got, want)
		}
	}
}

// TestAddPaired: the block sums equal Sums.Add observation by observation,
// to the bit, from empty sums and from sums already holding values.
func TestAddPaired(t *testing.T) {
	a := []float64{1.5, -2.25, 3.125, 0.1, 7, -0.3}
	c := []float64{0.5, 0.25, -1, 0.2, 6.5, -0.35}
	var dis, diff, wantDis, wantDiff mc.Sums
	for round := range 2 {
		addPaired(&dis, &diff, a, c)
		for p := range a {
			wantDis.Add(a[p])
			wantDiff.Add(a[p] - c[p])
		}
		if dis != wantDis || diff != wantDiff {
			t.Fatalf("round %d: got %+v %+v, want %+v %+v", round, dis, diff, wantDis, wantDiff)
		}
	}
}
