package mc_test

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/schedule"
	"github.com/sdeverify/sdeverify/model/update"
)

// Ornstein-Uhlenbeck through the engine: f = a x^2/2 with additive noise.
// The ensemble mean of the discrete method is (1 - eta a)^k x0 in closed
// form; the estimate is within 3 standard errors of it.
func ExampleSimulate() {
	run := mc.Run{
		System: model.System{F: objective.DiagonalQuadratic([]float64{1.5}), Method: update.DSGD,
			Agents: []model.Agent{{Noise: noise.Gaussian{Sigma0: 1}}}},
		Eta: 0.1, Schedule: schedule.Constant{}, X0: []float64{1}, Steps: 10, Paths: 20000, Seed: 1,
		Checkpoints: []int{10},
	}
	res, err := mc.Simulate(run)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := res.Checkpoints[0]
	exact := math.Pow(1-0.1*1.5, 10)
	fmt.Printf("closed form %.4f; estimate within 3 se: %v; %d paths live\n", exact, math.Abs(c.X.Mean-exact) < 3*c.X.SE, c.Live)
	// Output: closed form 0.1969; estimate within 3 se: true; 20000 paths live
}

// A configuration in JSON: unknown fields are errors naming the field.
func ExampleParseConfig() {
	_, err := mc.ParseConfig([]byte(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"}},"etta":0.1}`))
	fmt.Println(err)
	// Output: config: json: unknown field "etta"
}
