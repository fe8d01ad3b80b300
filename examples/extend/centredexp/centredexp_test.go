package centredexp_test

import (
	"strings"
	"testing"

	"pgregory.net/rapid"

	_ "github.com/sdeverify/sdeverify/examples/extend/centredexp"
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
	if !strings.Contains(string(schema), `"const": "centred-exp"`) {
		t.Fatal("centred-exp is not in the schema")
	}
	if n := properties.DrawnKinds(400)["noise"]["centred-exp"]; n == 0 {
		t.Fatal("the generators never drew centred-exp in 400 examples")
	}
}

// TestNoiseLaw: the suite's noise-law property (samples against the law's
// stated mean, variance and E sign; each z test at properties.KindAlpha,
// rapid's 100 cases: false alarm < 1e-6) on this kind alone.
func TestNoiseLaw(t *testing.T) { rapid.Check(t, properties.NoiseLawProperty("centred-exp")) }

// TestConfig: a configuration names the kind, a field it does not take is
// refused by name, and DSGD on f = x^2/2 with this noise has the moments
// the recursion x+ = (1 - eta) x - eta Z gives exactly:
//
//	E x_k = (1 - eta)^k x0,  E x_{k+1}^2 = (1 - eta)^2 E x_k^2 + eta^2 scale^2.
//
// Two z tests at 1e-6 each (20000 paths).
func TestConfig(t *testing.T) {
	const cfg = `{"objective":{"kind":"separable","dim":1,"atom":{"kind":"square"}},"x0":[2],
	  "agents":[{"noise":{"kind":"centred-exp","scale":0.5}}],
	  "method":"dsgd","model":{"kind":"discrete"},"eta":0.1,"schedule":{"kind":"constant"},
	  "steps":20,"paths":20000,"seed":11,"checkpoints":{"at":[20]}}`
	bad, err := mc.ParseConfig([]byte(strings.Replace(cfg, `"scale":0.5`, `"scale":0.5,"nu":3`, 1)))
	if err == nil {
		_, err = bad.Resolve()
	}
	if err == nil || !strings.Contains(err.Error(), "agents[0].noise.nu") {
		t.Fatalf("a field centred-exp does not take: got %v, want an error naming agents[0].noise.nu", err)
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
	last := res.Checkpoints[len(res.Checkpoints)-1]
	const eta, scale, x0 = 0.1, 0.5, 2.0
	mean, m2 := x0, x0*x0
	for range 20 {
		mean *= 1 - eta
		m2 = (1-eta)*(1-eta)*m2 + eta*eta*scale*scale
	}
	if z := mc.ZTestSE(last.X.Mean, last.X.SE, last.X.N, mean, 1e-6); z.Reject {
		t.Errorf("E x_20: %v", z)
	}
	if z := mc.ZTestSE(last.F.Mean, last.F.SE, last.F.N, m2/2, 1e-6); z.Reject {
		t.Errorf("E f(x_20): %v", z)
	}
}

// TestMain fixes rapid's seed unless one is given, so that go test ./...
// is deterministic (-rapid.seed=N explores other inputs).
func TestMain(m *testing.M) { properties.Main(m) }
