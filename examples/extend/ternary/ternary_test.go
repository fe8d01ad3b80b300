package ternary_test

import (
	"math"
	"strings"
	"testing"

	"pgregory.net/rapid"

	_ "github.com/sdeverify/sdeverify/examples/extend/ternary"
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
	if !strings.Contains(string(schema), `"const": "ternary"`) {
		t.Fatal("ternary is not in the schema")
	}
	if n := properties.DrawnKinds(400)["compressor"]["ternary"]; n == 0 {
		t.Fatal("the generators never drew ternary in 400 examples")
	}
}

// TestUnbiased: the suite's compressor property (E C(v) = v and the
// omega bound, z tests at properties.KindAlpha, rapid's 100 cases: false
// alarm < 1e-6) on this kind.
func TestUnbiased(t *testing.T) { rapid.Check(t, properties.CompressorProperty("ternary")) }

// TestConfig: a configuration names the kind, a field it does not take is
// refused by name, and DCSGD on f = |x|^2/2 in d = 3 with Gaussian noise
// (sigma0) stays between the bounds its second moment m_k = E|x_k|^2 obeys:
// with g = x + Z and E C(g) = g,
//
//	m_{k+1} = (1 - 2 eta) m_k + eta^2 E|C(g)|^2,
//	E|g|^2 <= E|C(g)|^2 = E ||g||_inf ||g||_1 <= sqrt(d) E|g|^2,
//
// E|g|^2 = m_k + d sigma0^2, iterated from m_0 for a lower and an upper
// sequence; E f_10 = m_10/2 is tested against each (one-sided z tests at
// 1e-6, 20000 paths). The lower bound is that of DSGD (identity), the
// upper that of the worst compressor with this omega: the test fails if
// the ternary compressor is biased or exceeds its omega.
func TestConfig(t *testing.T) {
	const cfg = `{"objective":{"kind":"separable","dim":3,"atom":{"kind":"square"}},"x0":[1.5],
	  "agents":[{"noise":{"kind":"gaussian","sigma0":0.5},"compressor":{"kind":"ternary"}}],
	  "method":"dcsgd","model":{"kind":"discrete"},"eta":0.1,"schedule":{"kind":"constant"},
	  "steps":10,"paths":20000,"seed":5,"checkpoints":{"at":[10]}}`
	bad, err := mc.ParseConfig([]byte(strings.Replace(cfg, `{"kind":"ternary"}`, `{"kind":"ternary","k":2}`, 1)))
	if err == nil {
		_, err = bad.Resolve()
	}
	if err == nil || !strings.Contains(err.Error(), "agents[0].compressor.k") {
		t.Fatalf("k on ternary: got %v, want an error naming agents[0].compressor.k", err)
	}
	const eta, d, s2 = 0.1, 3.0, 0.25
	lo, hi := d*1.5*1.5, d*1.5*1.5
	for range 10 {
		lo = (1-2*eta)*lo + eta*eta*(lo+d*s2)
		hi = (1-2*eta)*hi + eta*eta*math.Sqrt(d)*(hi+d*s2)
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
	f := res.Checkpoints[len(res.Checkpoints)-1].F
	if z := mc.ZTestSE(f.Mean, f.SE, f.N, lo/2, 2e-6); z.Z < -z.Crit {
		t.Errorf("E f_10 = %v below DSGD's %v: %v", f.Mean, lo/2, z)
	}
	if z := mc.ZTestSE(f.Mean, f.SE, f.N, hi/2, 2e-6); z.Z > z.Crit {
		t.Errorf("E f_10 = %v above the omega bound %v: %v", f.Mean, hi/2, z)
	}
	t.Logf("E f_10 = %v +- %v in [%v, %v]", f.Mean, f.SE, lo/2, hi/2)
}

// TestMain fixes rapid's seed unless one is given, so that go test ./...
// is deterministic (-rapid.seed=N explores other inputs).
func TestMain(m *testing.M) { properties.Main(m) }
