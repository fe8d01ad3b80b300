package pseudohuber_test

import (
	"math"
	"strings"
	"testing"

	"pgregory.net/rapid"

	_ "github.com/sdeverify/sdeverify/examples/extend/pseudohuber"
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
	if !strings.Contains(string(schema), `"const": "pseudo-huber"`) {
		t.Fatal("pseudo-huber is not in the schema")
	}
	if n := properties.DrawnKinds(400)["atom"]["pseudo-huber"]; n == 0 {
		t.Fatal("the generators never drew pseudo-huber in 400 examples")
	}
}

// TestAtom: the suite's atom property (derivatives against central
// differences, the certificate, the minimum; deterministic) on this kind.
func TestAtom(t *testing.T) { rapid.Check(t, properties.AtomProperty("pseudo-huber")) }

// TestConfig (deterministic): a configuration names the kind (scaled by c
// and a like every atom), a bad parameter is refused by name, and DSGD
// without noise on f(x) = c h(a x) follows x+ = x - eta c a h'(a x), with
// h'(u) = u/sqrt(1 + (u/delta)^2) written here, to 1e-12; f - f* is
// c h(a x) at the end.
func TestConfig(t *testing.T) {
	const cfg = `{"objective":{"kind":"separable","dim":1,"atom":{"kind":"pseudo-huber","delta":0.5,"c":2,"a":1.5}},"x0":[4],
	  "agents":[{"noise":{"kind":"gaussian"}}],
	  "method":"dsgd","model":{"kind":"discrete"},"eta":0.05,"schedule":{"kind":"constant"},
	  "steps":40,"paths":4,"seed":1,"checkpoints":{"at":[40]}}`
	bad, err := mc.ParseConfig([]byte(strings.Replace(cfg, `"delta":0.5`, `"delta":-1`, 1)))
	if err == nil {
		_, err = bad.Resolve()
	}
	if err == nil || !strings.Contains(err.Error(), "delta") {
		t.Fatalf("delta -1: got %v, want an error naming delta", err)
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
	const delta, cc, a, eta = 0.5, 2.0, 1.5, 0.05
	x := 4.0
	for range 40 {
		u := a * x
		x -= eta * cc * a * u / math.Sqrt(1+(u/delta)*(u/delta))
	}
	u := a * x
	f := cc * delta * delta * (math.Sqrt(1+(u/delta)*(u/delta)) - 1)
	last := res.Checkpoints[len(res.Checkpoints)-1]
	if got := last.X.Mean; math.Abs(got-x) > 1e-12*math.Abs(x) {
		t.Fatalf("x_40: got %v, want %v", got, x)
	}
	if got := last.F.Mean; math.Abs(got-f) > 1e-10*f {
		t.Fatalf("f(x_40): got %v, want %v", got, f)
	}
}

// TestMain fixes rapid's seed unless one is given, so that go test ./...
// is deterministic (-rapid.seed=N explores other inputs).
func TestMain(m *testing.M) { properties.Main(m) }
