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

// TestAddRefined: the refined block sums equal Sums.Add observation by
// observation (a, a - c - 2 (f - c), c - f), to the bit, from empty sums and
// from sums already holding values.
func TestAddRefined(t *testing.T) {
	a := []float64{1.5, -2.25, 3.125, 0.1, 7, -0.3}
	c := []float64{0.5, 0.25, -1, 0.2, 6.5, -0.35}
	f := []float64{0.55, 0.2, -0.9, 0.25, 6.4, -0.3}
	var dis, diff, cf, wantDis, wantDiff, wantCF mc.Sums
	for round := range 2 {
		addRefined(&dis, &diff, &cf, a, c, f)
		for p := range a {
			wantDis.Add(a[p])
			wantDiff.Add(refined(a[p], c[p], f[p], 2))
			wantCF.Add(c[p] - f[p])
		}
		if dis != wantDis || diff != wantDiff || cf != wantCF {
			t.Fatalf("round %d: got %+v %+v %+v, want %+v %+v %+v", round, dis, diff, cf, wantDis, wantDiff, wantCF)
		}
	}
}
