package model_test

import (
	"testing"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/compress"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/update"
)

// TestStepDraws: System.StepDraws counts the generator outputs one
// discrete step actually consumes on Figure 1's three configurations
// (deterministic: the stream's state after Step is found by advancing a
// copy output by output; a ziggurat or Lemire slow path would consume more,
// which these seeds do not hit), and refuses the steps without a fixed count.
func TestStepDraws(t *testing.T) {
	t.Parallel()
	quartic := func(d int) model.Objective { return objective.Homogeneous{Atom: objective.Quartic{}, D: d} }
	cases := []struct {
		sys              model.System
		normals, indices int
	}{
		{model.System{F: quartic(1), Method: update.DSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma1: 0.5}}}}, 1, 0},
		{model.System{F: quartic(3), Method: update.DSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma1: 0.5}}, {Noise: noise.Gaussian{Sigma0: 1}}}}, 3, 0},
		{model.System{F: quartic(1), Method: update.DSignSGD, Agents: []model.Agent{{Noise: noise.StudentT{Nu: 1, Scale: []float64{0.3}}}}}, 2, 0},
		{model.System{F: quartic(4), Method: update.DSignSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma0: 1}}}}, 4, 0},
		{model.System{F: quartic(50), Method: update.DCSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma1: 0.1}, Compressor: compress.RandK{K: 10}}}}, 10, 10},
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
		r := model.NewRand(uint64(i) + 5)
		ref := *r
		c.sys.DiscreteStep(x, g, 1, 0.01, model.NewWorkspace(d), r)
		used := 0
		for ; used < 1000 && ref != *r; used++ {
			ref.Uint64()
		}
		if used != n+k {
			t.Errorf("case %d: the step used %d outputs, StepDraws says %d", i, used, n+k)
		}
	}
	for i, s := range []model.System{
		{F: quartic(1), Method: update.DSignSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma0: 1}}, {Noise: noise.Gaussian{Sigma0: 1}}}},
		{F: quartic(1), Method: update.DSignSGD, Agents: []model.Agent{{Noise: noise.StudentT{Nu: 3, Scale: []float64{1}}}}},
		{F: quartic(1), Method: update.DSGD, Agents: []model.Agent{{Noise: noise.StudentT{Nu: 3, Scale: []float64{1}}}}},
		{F: quartic(4), Method: update.DCSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma0: 1}, Compressor: compress.Bernoulli{P: 0.5}}}},
		{F: quartic(1), Method: update.ClippedSGD{Clip: 1}, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma0: 1}}}},
	} {
		if n, k, ok := s.StepDraws(); ok {
			t.Errorf("case %d: got %d, %d, true, want no count", i, n, k)
		}
	}
}
