package model

import "testing"

// TestStepDraws: System.StepDraws counts the generator outputs one
// discrete step actually consumes on Figure 1's three configurations
// (deterministic: the stream's state after Step is found by advancing a
// copy output by output; a ziggurat or Lemire slow path would consume more,
// which these seeds do not hit), and refuses the steps without a fixed count.
func TestStepDraws(t *testing.T) {
	t.Parallel()
	quartic := func(d int) Objective { return Homogeneous{Atom: Quartic{}, D: d} }
	cases := []struct {
		sys              System
		normals, indices int
	}{
		{System{F: quartic(1), Method: DSGD, Agents: []Agent{{Noise: Gaussian{Sigma1: 0.5}}}}, 1, 0},
		{System{F: quartic(3), Method: DSGD, Agents: []Agent{{Noise: Gaussian{Sigma1: 0.5}}, {Noise: Gaussian{Sigma0: 1}}}}, 3, 0},
		{System{F: quartic(1), Method: DSignSGD, Agents: []Agent{{Noise: StudentT{Nu: 1, Scale: []float64{0.3}}}}}, 2, 0},
		{System{F: quartic(4), Method: DSignSGD, Agents: []Agent{{Noise: Gaussian{Sigma0: 1}}}}, 4, 0},
		{System{F: quartic(50), Method: DCSGD, Agents: []Agent{{Noise: Gaussian{Sigma1: 0.1}, Compressor: RandK{K: 10}}}}, 10, 10},
	}
	for i, c := range cases {
		n, k, ok := c.sys.StepDraws()
		if !ok || n != c.normals || k != c.indices {
			t.Errorf("case %d: got %d, %d, %v, want %d, %d, true", i, n, k, ok, c.normals, c.indices)
			continue
		}
		d := c.sys.F.Dim()
		x, g := make([]float64, d), make([]float64, d)
		for j := range x {
			x[j] = 0.7
		}
		c.sys.F.Grad(g, x)
		r := NewRand(uint64(i) + 5)
		ref := *r
		c.sys.DiscreteStep(x, g, 1, 0.01, NewWorkspace(d), r)
		used := 0
		for ; used < 1000 && ref != *r; used++ {
			ref.Uint64()
		}
		if used != n+k {
			t.Errorf("case %d: the step used %d outputs, StepDraws says %d", i, used, n+k)
		}
	}
	for i, s := range []System{
		{F: quartic(1), Method: DSignSGD, Agents: []Agent{{Noise: Gaussian{Sigma0: 1}}, {Noise: Gaussian{Sigma0: 1}}}},
		{F: quartic(1), Method: DSignSGD, Agents: []Agent{{Noise: StudentT{Nu: 3, Scale: []float64{1}}}}},
		{F: quartic(1), Method: DSGD, Agents: []Agent{{Noise: StudentT{Nu: 3, Scale: []float64{1}}}}},
		{F: quartic(4), Method: DCSGD, Agents: []Agent{{Noise: Gaussian{Sigma0: 1}, Compressor: Bernoulli{P: 0.5}}}},
		{F: quartic(1), Method: ClippedSGD{Clip: 1}, Agents: []Agent{{Noise: Gaussian{Sigma0: 1}}}},
	} {
		if n, k, ok := s.StepDraws(); ok {
			t.Errorf("case %d: got %d, %d, true, want no count", i, n, k)
		}
	}
}
