package exact_test

import (
	"testing"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/schedule"
	"github.com/sdeverify/sdeverify/model/update"
)

// The forward computation's benchmarks (BENCHMARKS.md): the discrete
// method's law and the SDE's (finite differences, held and pathwise
// reading) on x^4/4 with Gaussian noise, one worker, the settings'
// default runs, 40 steps (three for the discrete method, six or seven for the SDE).
func benchForward(b *testing.B, sched model.Schedule, sde bool, st exact.Settings) {
	sys := model.System{F: objective.Homogeneous{Atom: objective.Quartic{}, D: 1}, Method: update.DSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma0: 0.7, Sigma1: 1}}}}
	sp := exact.Scheduled{System: sys, X0: 1.2, Eta: 0.05, Schedule: sched, Steps: 40, Integrals: true}
	gs := []func(float64) float64{func(x float64) float64 { return x * x * x * x / 4 }, func(float64) float64 { return 1 }}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := exact.Forward(sp, gs, st, sde, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkForwardDiscrete(b *testing.B) {
	benchForward(b, schedule.Normalized{Num: 1, A: 1, B: 1, Reading: model.ReadsEnsemble}, false, exact.Settings{Nodes: 600})
}

func BenchmarkForwardSDE(b *testing.B) {
	benchForward(b, schedule.Normalized{Num: 1, A: 1, B: 1, Reading: model.ReadsEnsemble}, true, exact.Settings{Nodes: 1200, Radius: 4, Reflect: true})
}

func BenchmarkForwardSDEPathwise(b *testing.B) {
	benchForward(b, schedule.Normalized{Num: 1, A: 1, B: 2, Reading: model.ReadsPath}, true, exact.Settings{Nodes: 1200, Radius: 4, Reflect: true})
}
