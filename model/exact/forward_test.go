package exact_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
)

// TestForwardIsAdjoint: with a constant schedule the forward computation
// (the law carried step by step) gives the backward one's numbers, the
// discrete method's and the finite-difference SDE's, valued or absorbed,
// on a uniform and a sinh-mapped grid: each forward step is the exact
// adjoint of the backward step, so the two differ by rounding only.
func TestForwardIsAdjoint(t *testing.T) {
	t.Parallel()
	quartic := `{"kind":"separable","dim":1,"atom":{"kind":"quartic"}}`
	for _, c := range []struct{ agents, method string }{
		{`[{"noise":{"kind":"gaussian","sigma1":1}}]`, "dsgd"},
		{`[{"noise":{"kind":"gaussian","sigma0":0.5},"compressor":{"kind":"bernoulli","p":0.5}}]`, "dcsgd"},
		{`[{"noise":{"kind":"student-t","nu":1,"scale":[1]}}]`, "dsignsgd"},
	} {
		p := problem(t, quartic, c.agents, c.method, 1, 0.05, 40)
		sp := exact.Scheduled{System: p.System, X0: p.X0, Eta: p.Eta, Schedule: model.Constant{}, Steps: p.Steps}
		gs := []func(float64) float64{func(x float64) float64 { return x * x * x * x / 4 }, func(float64) float64 { return 1 }}
		settings := []exact.Settings{{Nodes: 600}, {Nodes: 600, Absorb: true, Radius: 2.5}}
		if c.method != "dsignsgd" {
			settings = append(settings, exact.Settings{Nodes: 600, Map: 0.3, Radius: 30, Absorb: true})
		}
		for _, st := range settings {
			bd, err := exact.Discrete(p, gs, st)
			require.NoError(t, err)
			fd, err := exact.Forward(sp, gs, st, false, 0)
			require.NoError(t, err)
			st.Scheme = exact.SchemeFD
			bs, err := exact.SDE(p, gs, st)
			require.NoError(t, err)
			fs, err := exact.Forward(sp, gs, st, true, 0)
			require.NoError(t, err)
			for f := range gs {
				for k := range bd[f] {
					require.InDeltaf(t, bd[f][k].Value, fd.Tests[f][k].Value, 1e-12*(1+math.Abs(bd[f][k].Value)), "%s %+v discrete test %d step %d", c.method, st, f, k)
					require.InDeltaf(t, bs[f][k].Value, fs.Tests[f][k].Value, 1e-12*(1+math.Abs(bs[f][k].Value)), "%s %+v sde test %d step %d", c.method, st, f, k)
				}
			}
			if st.Absorb {
				// g = 1: the probability of staying, against the escaped mass.
				k := len(bd[1]) - 1
				require.InDelta(t, 1-bd[1][k].Value, fd.Escaped[k].Value, 1e-12)
			}
		}
	}
}

// TestForwardAgreesWithMonteCarlo: schedules that change the step every
// step, time-only (eta_k = 1/sqrt(k+1)), the ensemble reading (from the
// mean of |f'| over the live paths) and, for the discrete method, the
// pathwise reading: the Monte Carlo engine's E f(x_k) - f* at five
// checkpoints lies within z(1e-6) standard errors of the forward
// computation, widened by its numerical error (per comparison 1e-6: at
// most 5 x 8 x 1e-6 = 4e-5 false-alarm probability for the test;
// deterministic for its seeds). The SDE's Monte Carlo carries its
// integrator's bias, so the SDE is compared only where the integrator is
// refined to a quarter of its standard error (mc.IntegrationError).
func TestForwardAgreesWithMonteCarlo(t *testing.T) {
	t.Parallel()
	quartic := `{"kind":"separable","dim":1,"atom":{"kind":"quartic"}}`
	for _, c := range []struct{ agents, method, schedule string }{
		{`[{"noise":{"kind":"gaussian","sigma1":1}}]`, "dsgd", `{"kind":"inv-sqrt","clock":"step"}`},
		{`[{"noise":{"kind":"gaussian","sigma1":1}}]`, "dsgd", `{"kind":"normalized","num":1,"a":1,"b":1,"reading":"ensemble"}`},
		{`[{"noise":{"kind":"gaussian","sigma1":1}}]`, "dsgd", `{"kind":"normalized","num":1,"a":1,"b":1,"reading":"pathwise"}`},
		{`[{"noise":{"kind":"student-t","nu":1,"scale":[1]}}]`, "dsignsgd", `{"kind":"inv-sqrt","clock":"step"}`},
		{`[{"noise":{"kind":"gaussian","sigma0":0.5},"compressor":{"kind":"bernoulli","p":0.5}}]`, "dcsgd", `{"kind":"normalized","num":1,"a":1,"b":2,"reading":"ensemble"}`},
	} {
		cfg := fmt.Sprintf(`{"objective":%s,"x0":[1],"agents":%s,"method":%q,"model":{"kind":"discrete"},
			"eta":0.1,"schedule":%s,"steps":40,"paths":20000,"seed":11,"checkpoints":{"at":[5,10,20,30,40]}}`, quartic, c.agents, c.method, c.schedule)
		mcfg, err := mc.ParseConfig([]byte(cfg))
		require.NoError(t, err)
		run, err := mcfg.Resolve()
		require.NoError(t, err)
		res, err := mc.Simulate(run)
		require.NoError(t, err)
		sp, err := exact.ScheduledFromConfig(run)
		require.NoError(t, err)
		ex, err := exact.Forward(sp, []func(float64) float64{func(x float64) float64 { return x * x * x * x / 4 }}, exact.Settings{Nodes: 1200}, false, 0)
		require.NoError(t, err)
		z := mc.ZCrit(1e-6)
		for _, cp := range res.Checkpoints[1:] {
			e := ex.Tests[0][cp.Step]
			require.LessOrEqualf(t, math.Abs(cp.F.Mean-e.Value), z*cp.F.SE+e.Err, "%s %s, step %d: Monte Carlo %.6g (se %.2g), exact %.6g (err %.2g)", c.method, c.schedule, cp.Step, cp.F.Mean, cp.F.SE, e.Value, e.Err)
		}
		k := len(ex.Tests[0]) - 1
		t.Logf("%s %s: E f(x_40) Monte Carlo %.6g (se %.2g), exact %.6g (err %.2g)", c.method, c.schedule, res.Checkpoints[len(res.Checkpoints)-1].F.Mean, res.Checkpoints[len(res.Checkpoints)-1].F.SE, ex.Tests[0][k].Value, ex.Tests[0][k].Err)
	}
}
