package stability

import (
	"math"
	"testing"

	"github.com/sdeverify/sdeverify/model/exact"
)

// powerPoints samples p(eta) = min(1, (eta/a)^3) on a log grid, with
// relative error bars rel: a curve whose first crossing of q is known in
// closed form, eta* = a q^(1/3), and on which the log-log interpolation is
// exact.
func powerPoints(a, rel float64, etas []float64) []Point {
	var pts []Point
	for _, e := range etas {
		p := math.Min(1, math.Pow(e/a, 3))
		pts = append(pts, Point{Eta: e, Escape: exact.Value{Value: p, Err: rel * p}})
	}
	return pts
}

func TestCriticalStepPowerLaw(t *testing.T) {
	t.Parallel()
	const a, q = 0.1, 0.01
	want := a * math.Cbrt(q) // 0.02154
	etas := logGrid(0.001, 0.1, 12)
	c := CriticalStep(powerPoints(a, 0, etas), q)
	if c.Status != "bracketed" || !c.Monotone {
		t.Fatalf("got status %q monotone %v, want bracketed and monotone", c.Status, c.Monotone)
	}
	// The log-log interpolation of a power law is exact (rounding only).
	if math.Abs(c.Eta-want) > 1e-12*want {
		t.Errorf("got eta* %.15g, want %.15g", c.Eta, want)
	}
	if !(c.Lo < want && want <= c.Hi) {
		t.Errorf("bracket (%g, %g] does not contain %g", c.Lo, c.Hi, want)
	}
	// Neighbours on the grid: the bracket is one grid cell.
	if r := c.Hi / c.Lo; math.Abs(r-math.Pow(100, 1.0/11)) > 1e-9 {
		t.Errorf("got bracket ratio %g, want one grid cell %g", r, math.Pow(100, 1.0/11))
	}
	// Bars of 10%: the interpolated interval is the crossings of 1.1 p
	// and 0.9 p, a (q/1.1)^(1/3) and a (q/0.9)^(1/3).
	c = CriticalStep(powerPoints(a, 0.1, etas), q)
	if lo, hi := a*math.Cbrt(q/1.1), a*math.Cbrt(q/0.9); math.Abs(c.ILo-lo) > 1e-12 || math.Abs(c.IHi-hi) > 1e-12 {
		t.Errorf("got interpolated interval [%.15g, %.15g], want [%.15g, %.15g]", c.ILo, c.IHi, lo, hi)
	}
	if !(c.Lo <= c.ILo && c.IHi <= c.Hi) {
		t.Errorf("interpolated interval [%g, %g] outside the bracket (%g, %g]", c.ILo, c.IHi, c.Lo, c.Hi)
	}
}

func TestCriticalStepOffGrid(t *testing.T) {
	t.Parallel()
	etas := logGrid(0.001, 0.01, 5)
	cases := []struct {
		a      float64
		status string
		lo, hi float64
	}{
		{1, "above-grid", 0.01, math.Inf(1)},   // p < q everywhere: eta* > 0.01
		{0.0001, "below-grid", 0, 0.001},       // p = 1 from the first step
		{0.005, "bracketed", etas[0], etas[1]}, // eta* = 0.005 q^(1/3) = 0.00108
	}
	for i, tc := range cases {
		c := CriticalStep(powerPoints(tc.a, 0, etas), 0.01)
		if c.Status != tc.status || c.Lo != tc.lo || c.Hi != tc.hi {
			t.Errorf("case %d: got %s (%g, %g], want %s (%g, %g]", i, c.Status, c.Lo, c.Hi, tc.status, tc.lo, tc.hi)
		}
	}
	// A decreasing curve is flagged.
	pts := powerPoints(0.005, 0, etas)
	pts[4].Escape.Value = 0
	if c := CriticalStep(pts, 0.01); c.Monotone {
		t.Errorf("got monotone for a curve that falls from %g to 0", pts[3].Escape.Value)
	}
}

func TestBisect(t *testing.T) {
	t.Parallel()
	c := Critical{Status: "bracketed", Lo: 0.01, Hi: 0.04}
	if mid, ok := bisect(c, nil); !ok || math.Abs(mid-0.02) > 1e-15 {
		t.Errorf("got %g %v, want 0.02 true", mid, ok)
	}
	// An undecided point at 0.039 inside: the widest gap is (0.01, 0.039);
	// the midpoint is recorded to 12 significant digits.
	if mid, ok := bisect(c, []Point{{Eta: 0.039}}); !ok || math.Abs(mid-math.Sqrt(0.01*0.039)) > 1e-13 {
		t.Errorf("got %g %v, want %g true", mid, ok, math.Sqrt(0.01*0.039))
	}
	c.Hi = 0.01009
	if _, ok := bisect(c, nil); ok {
		t.Errorf("bisected a bracket within 1%%")
	}
}

// TestCriticalStepSteepRise: where p rises steeply from a value its bar
// does not exclude from 0 (the report's DSGD map at sigma1 = 0.1: p - err
// <= 0 at the step below the crossing), the lower curve's crossing is
// interpolated linearly in p and the others in log p; the interval must
// still be ordered and hold the estimate.
func TestCriticalStepSteepRise(t *testing.T) {
	t.Parallel()
	pts := []Point{
		{Eta: 0.1, Escape: exact.Value{Value: 1e-9, Err: 2e-9}},
		{Eta: 0.1778, Escape: exact.Value{Value: 2e-4, Err: 3e-4}},
		{Eta: 0.2371, Escape: exact.Value{Value: 0.6, Err: 0.01}},
		{Eta: 0.3162, Escape: exact.Value{Value: 1, Err: 0}},
	}
	c := CriticalStep(pts, 0.01)
	if c.Status != "bracketed" || c.Lo != 0.1778 || c.Hi != 0.2371 {
		t.Fatalf("got %q (%g, %g], want bracketed (0.1778, 0.2371]", c.Status, c.Lo, c.Hi)
	}
	if !(c.ILo <= c.Eta && c.Eta <= c.IHi) {
		t.Errorf("interpolated interval [%g, %g] does not hold the estimate %g", c.ILo, c.IHi, c.Eta)
	}
	if !(c.Lo <= c.ILo && c.IHi <= c.Hi) {
		t.Errorf("interpolated interval [%g, %g] outside the bracket (%g, %g]", c.ILo, c.IHi, c.Lo, c.Hi)
	}
}
