package properties

import (
	"math"
	"testing"

	"github.com/sdeverify/sdeverify/model/exact"
)

// stressPinned are TestExactStressPinned's cases: one per hard regime of
// TestExactStress, small enough for the default tier (about a second
// each on 2 cores), with fewer Monte Carlo paths than the deep tier's.
var stressPinned = []stressSpec{
	{
		// Figure 1 left-top's regime: noise proportional to the gradient
		// on x^4/4 (sd eta sigma1 |x|^3, wider than the grid's features
		// from |x| ~ 1), escape to a radius past which paths do not come
		// back, on a sinh map; the second grid is uniform.
		Family: "dsgd-wide", Kind: "discrete", Method: "dsgd", Atom: "quartic",
		Agents: []stressAgent{{Gaussian: true, Sigma1: 3, Keep: 1}},
		X0:     1.5, Eta: 0.05, Steps: 20, Schedule: "constant", Tests: []string{"1", "f"},
		Runs: []stressRun{
			{Name: "main", Settings: exact.Settings{Nodes: 600, Radius: 20, Absorb: true, Map: 0.1}},
			{Name: "second", Settings: exact.Settings{Nodes: 1200, Radius: 20, Absorb: true}},
		},
		Paths: 1 << 17, Seed: 1,
	},
	{
		// DSignSGD near its lattice: a Student-t agent (nu = 1.5) and a
		// Gaussian one on the interpolation grid, whose spacing (8/229)
		// is 0.7 times the lattice's eta/N; the lattice is the second
		// discretisation.
		Family: "dsignsgd", Kind: "discrete", Method: "dsignsgd", Atom: "logcosh",
		Agents: []stressAgent{{Nu: 1.5, Scale: 0.5, Keep: 1}, {Gaussian: true, Sigma0: 0.5, Sigma1: 0.5, Keep: 1}},
		X0:     1, Eta: 0.1, Steps: 20, Schedule: "constant", Tests: []string{"f", "x2"},
		Runs: []stressRun{
			{Name: "interpolation grid", Settings: exact.Settings{Nodes: 230, Interpolate: true}},
			{Name: "lattice", Settings: exact.Settings{}},
		},
		Paths: 1 << 17, Seed: 2,
	},
	{
		// DCSGD with Bernoulli compressors (p = 0.2: the kept gradient
		// jumps by 5 f') on the square, where E x^2 has a closed form.
		Family: "dcsgd-bernoulli", Kind: "discrete", Method: "dcsgd", Atom: "square",
		Agents: []stressAgent{{Gaussian: true, Sigma0: 0.5, Sigma1: 0.5, Keep: 0.2}, {Gaussian: true, Sigma0: 0.2, Keep: 1}},
		X0:     1, Eta: 0.05, Steps: 20, Schedule: "constant", Tests: []string{"f", "x"},
		Runs: []stressRun{
			{Name: "main", Settings: exact.Settings{Nodes: 600}},
			{Name: "second", Settings: exact.Settings{Nodes: 1800, Radius: 6}},
		},
		Paths: 1 << 17, Seed: 3,
	},
	{
		// A pathwise schedule (eta_k = 1/(1 + |f'(x_k)|)) with wide noise
		// on x^4/4: exact.Forward.
		Family: "forward", Kind: "forward", Method: "dsgd", Atom: "quartic",
		Agents: []stressAgent{{Gaussian: true, Sigma0: 0.2, Sigma1: 4, Keep: 1}},
		X0:     1.5, Eta: 0.05, Steps: 12, Schedule: "pathwise", B: 1, Tests: []string{"f", "x2"},
		Runs: []stressRun{
			{Name: "main", Settings: exact.Settings{Nodes: 600, Radius: 5}},
			{Name: "second", Settings: exact.Settings{Nodes: 1800, Radius: 7.5}},
		},
		Paths: 1 << 17, Seed: 4,
	},
	{
		// The SDE of DCSGD on the square (Euler-Maruyama, extrapolated)
		// against finite differences and its closed form.
		Family: "sde", Kind: "sde", Method: "dcsgd", Atom: "square",
		Agents: []stressAgent{{Gaussian: true, Sigma0: 0.5, Sigma1: 0.5, Keep: 0.5}},
		X0:     1, Eta: 0.1, Steps: 10, Schedule: "constant", Tests: []string{"f", "x"},
		Runs: []stressRun{
			{Name: "main", Settings: exact.Settings{Nodes: 600}},
			{Name: "second", Settings: exact.Settings{Nodes: 1200, Scheme: exact.SchemeFD}},
		},
	},
}

// TestExactStressPinned runs TestExactStress's comparisons on the pinned
// cases (the default tier's share of the measurement): no comparison may
// lie beyond three bars (Monte Carlo at z(1e-7) or Clopper-Pearson at
// 1e-7: at most about 40 Monte Carlo comparisons, 4e-6 in all; the others
// are deterministic). Coverage within one bar is logged.
func TestExactStressPinned(t *testing.T) {
	t.Parallel()
	compared, covered := 0, 0
	for i, sp := range stressPinned {
		c := sp.build()
		cmps, refused, err := c.run()
		if err != nil || refused != nil {
			t.Fatalf("case %d: %v %v\ncase %s", i, err, refused, c.describe())
		}
		worst := 0.0
		for _, cmp := range cmps {
			compared++
			if cmp.covered() {
				covered++
			}
			worst = math.Max(worst, cmp.excess(stressAlphaCover)/math.Max(cmp.Err, 1e-300))
			if cmp.beyond3() {
				t.Errorf("case %d: beyond three bars: %s\ncase %s", i, cmp, c.describe())
			}
		}
		t.Logf("case %d (%s): %d comparisons, worst excess over the reference's interval %.3g bars", i, c.Family, len(cmps), worst)
	}
	if compared == 0 {
		t.Fatal("no comparison was made")
	}
	t.Logf("coverage within one bar: %d of %d", covered, compared)
}
