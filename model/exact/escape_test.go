package exact_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
)

// TestFigure1LeftTopEscape: Figure 1's left-top discrete escape
// probability at sigma = 3, the one that is not 0 (DSGD on x^4/4, noise
// sigma |f'|, x0 = 3, eta = 0.01,
// 5000 steps, escape = leaving [-1000, 1000]) against an independent
// Monte Carlo written here: 300,000 paths of the recursion
// x <- x - eta (x^3 + sigma |x^3| Z), each stopped when it leaves the grid
// or enters |x| < 1, from which no path escapes (the step's standard
// deviation there is below eta sigma = 0.03, and escaping needs
// |x| > sqrt(2/eta) = 14). The exact value must lie within its error bar
// plus z(1e-6) standard errors (false-alarm probability 1e-6),
// and its error bar must be within 2% of the value.
// With the old 24-point Gauss-Hermite rule sigma = 3 gave 4.243% +-
// 0.077% against 3.91%: 12 standard errors here. Streams: PCG seeded by
// (sigma index, worker); two workers.
func TestFigure1LeftTopEscape(t *testing.T) {
	t.Parallel()
	const paths = 300000
	for si, sigma := range []float64{3} {
		c, err := mc.ParseConfig([]byte(fmt.Sprintf(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"},"certificate":{"l0":3,"l1":3}},"x0":[3],"agents":[{"noise":{"kind":"gaussian","sigma1":%g}}],"method":"dsgd","model":{"kind":"discrete"},
			"eta":0.01,"schedule":{"kind":"constant"},"steps":5000,"paths":10,"seed":1}`, sigma)))
		require.NoError(t, err)
		run, err := c.Resolve()
		require.NoError(t, err)
		prob, err := run.ExactProblem()
		require.NoError(t, err)
		out, err := exact.Discrete(prob, []func(float64) float64{func(float64) float64 { return 1 }}, exact.Settings{Nodes: 1200, Radius: 1000, Map: 0.05, Absorb: true})
		require.NoError(t, err)
		v := out[0][5000]
		esc, escErr := 1-v.Value, v.Err

		var mu sync.Mutex
		var wg sync.WaitGroup
		hits := 0
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(si), uint64(w)))
				n := 0
				for p := w; p < paths; p += 2 {
					x := 3.0
					for range 5000 {
						g := x * x * x
						x -= 0.01 * (g + sigma*math.Abs(g)*r.NormFloat64())
						if math.Abs(x) > 1000 {
							n++
							break
						}
						if math.Abs(x) < 1 {
							break
						}
					}
				}
				mu.Lock()
				hits += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		pm := float64(hits) / paths
		se := math.Sqrt(pm * (1 - pm) / paths)
		t.Logf("sigma = %g: exact %.6f +- %.2g, Monte Carlo %.6f +- %.2g", sigma, esc, escErr, pm, se)
		require.LessOrEqualf(t, math.Abs(esc-pm), escErr+mc.ZCrit(1e-6)*se, "sigma = %g: exact %.6f +- %.2g, Monte Carlo %.6f (se %.2g)", sigma, esc, escErr, pm, se)
		require.LessOrEqualf(t, escErr, 0.02*esc, "sigma = %g: error bar %.2g above 2%% of %.4g", sigma, escErr, esc)
	}
}
