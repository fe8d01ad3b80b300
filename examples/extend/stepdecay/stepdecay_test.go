package stepdecay_test

import (
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/sdeverify/sdeverify/examples/extend/stepdecay"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/properties"
)

// TestRegistered: the kind is in the JSON Schema and the generators draw
// it, with nothing outside this folder edited.
func TestRegistered(t *testing.T) {
	schema, err := mc.ConfigSchema()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(schema), `"const": "step-decay"`) {
		t.Fatal("step-decay is not in the schema")
	}
	if n := properties.DrawnKinds(400)["schedule"]["step-decay"]; n == 0 {
		t.Fatal("the generators never drew step-decay in 400 examples")
	}
}

// TestSchedule: the suite's schedule property (deterministic) on this kind.
func TestSchedule(t *testing.T) { rapid.Check(t, properties.ScheduleProperty("step-decay")) }

// TestConfig (deterministic): a configuration names the kind, a bad
// parameter is refused by name, and DSGD on f = x^2/2 without noise follows
// x_{k+1} = (1 - eta gamma^floor(k/every)) x_k, computed here, to 1e-12
// (the floor 1e-6 is not reached), and the rate stops at its floor.
func TestConfig(t *testing.T) {
	const cfg = `{"objective":{"kind":"separable","dim":1,"atom":{"kind":"square"}},"x0":[3],
	  "agents":[{"noise":{"kind":"gaussian"}}],
	  "method":"dsgd","model":{"kind":"discrete"},"eta":0.2,"schedule":{"kind":"step-decay","gamma":0.5,"every":7},
	  "steps":30,"paths":4,"seed":1,"checkpoints":{"at":[30]}}`
	bad, err := mc.ParseConfig([]byte(strings.Replace(cfg, `"gamma":0.5`, `"gamma":1.5`, 1)))
	if err == nil {
		_, err = bad.Resolve()
	}
	if err == nil || !strings.Contains(err.Error(), "schedule.gamma") {
		t.Fatalf("gamma 1.5: got %v, want an error naming schedule.gamma", err)
	}
	c, err := mc.ParseConfig([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	run, err := c.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	res, err := mc.Simulate(run)
	if err != nil {
		t.Fatal(err)
	}
	x, rate := 3.0, 1.0
	for k := range 30 {
		if k > 0 && k%7 == 0 {
			rate /= 2
		}
		x -= 0.2 * rate * x
	}
	last := res.Checkpoints[len(res.Checkpoints)-1]
	if got := last.X.Mean; !(abs(got-x) <= 1e-12*abs(x)) {
		t.Fatalf("x_30: got %v, want %v", got, x)
	}
}

// TestFloor (deterministic): 0.25^538 underflows to 0; the rate stops at
// its floor instead.
func TestFloor(t *testing.T) {
	s := stepdecay.StepDecay{Gamma: 0.25, Every: 1}
	if got := s.Rate(model.StepInfo{K: 538}); got != stepdecay.DefaultMin {
		t.Fatalf("rate at k = 538: got %v, want %v", got, stepdecay.DefaultMin)
	}
	s.Min = 0.01
	if got := s.Rate(model.StepInfo{K: 3}); got != 0.015625 {
		t.Fatalf("rate at k = 3: got %v, want 0.25^3 = 0.015625", got)
	}
	if got := s.Rate(model.StepInfo{K: 4}); got != 0.01 {
		t.Fatalf("rate at k = 4: got %v, want the floor 0.01", got)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestMain fixes rapid's seed unless one is given, so that go test ./...
// is deterministic (-rapid.seed=N explores other inputs).
func TestMain(m *testing.M) { properties.Main(m) }
