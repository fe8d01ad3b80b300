package weak

import (
	"testing"

	"github.com/sdeverify/sdeverify/model/mc"
)

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
