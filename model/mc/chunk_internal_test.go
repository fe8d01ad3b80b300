package mc

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestChunkedMatchesLockstep: a run whose schedule reads only the clock
// takes chunked passes (several steps per pass); its result is the same to
// the bit as with lockstep passes (maxChunk = 1), on 1 and 2 workers, for
// the batched one-dimensional steps, the fused rand-k kernel and the general
// step, with paths diverging inside chunks, checkpoints, quantiles and path
// values.
func TestChunkedMatchesLockstep(t *testing.T) {
	cfgs := []string{
		`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"},"certificate":{"l0":3,"l1":3}},"x0":[2],
		  "agents":[{"noise":{"kind":"student-t","nu":1,"scale":[1]}}],
		  "method":"dsignsgd","model":{"kind":"discrete"},"eta":0.1,"schedule":{"kind":"inv-sqrt"},
		  "steps":300,"paths":200,"seed":7,"checkpoints":{"count":7},"quantiles":[0.1,0.9]}`,
		`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"}},"x0":[3],
		  "agents":[{"noise":{"kind":"gaussian","sigma1":3}}],
		  "method":"dsgd","model":{"kind":"discrete"},"eta":0.01,"schedule":{"kind":"constant"},
		  "steps":500,"paths":300,"seed":3,"checkpoints":{"every":100}}`,
		`{"objective":{"kind":"separable","dim":50,"atom":{"kind":"quartic"},"certificate":{"l0":3,"l1":3}},"x0":[0.9],
		  "agents":[{"noise":{"kind":"gaussian","sigma1":0.3},"compressor":{"kind":"randk","omega":4}}],
		  "method":"dcsgd","model":{"kind":"discrete"},"eta":0.05,"schedule":{"kind":"constant"},
		  "steps":200,"paths":150,"seed":8,"checkpoints":{"count":3}}`,
		`{"objective":{"kind":"separable","dim":5,"atom":{"kind":"cosh"}},"x0":[1.5],
		  "agents":[{"noise":{"kind":"gaussian","sigma1":1}},{"noise":{"kind":"student-t","nu":3,"scale":[0.5]}}],
		  "method":"dsgd","model":{"kind":"discrete"},"eta":0.05,"schedule":{"kind":"inv"},
		  "steps":150,"paths":130,"seed":4,"checkpoints":{"at":[0,7,150]}}`,
	}
	old := maxChunk
	defer func() { maxChunk = old }()
	diverged := 0
	for i, cfg := range cfgs {
		var outs []string
		for _, chunk := range []int{1, 64, 5} {
			maxChunk = chunk
			for _, w := range []int{1, 2} {
				c, err := ParseConfig([]byte(cfg))
				require.NoError(t, err, "case %d", i)
				run, err := c.Resolve()
				require.NoError(t, err, "case %d", i)
				run.Workers = w
				run.KeepPathValues = true
				res, err := Simulate(run)
				require.NoError(t, err, "case %d", i)
				outs = append(outs, fingerprint(t, res))
				diverged += res.Diverged
			}
		}
		for j := 1; j < len(outs); j++ {
			require.Equal(t, outs[0], outs[j], "case %d: run %d (chunk/workers) differs from lockstep on 1 worker", i, j)
		}
	}
	require.Positive(t, diverged, "some paths diverge inside chunks")
}

// fingerprint encodes every number of a result by its bits (NaN-safe).
func fingerprint(t *testing.T, res *Result) string {
	bitsOf := func(v []float64) []uint64 {
		u := make([]uint64, len(v))
		for i, f := range v {
			u[i] = math.Float64bits(f)
		}
		return u
	}
	var pv [][]uint64
	for _, c := range res.Checkpoints {
		for _, p := range c.Paths {
			pv = append(pv, bitsOf([]float64{p.F, p.GradNorm2, p.I1, p.I2, p.Phi1, p.Phi2}))
		}
		pv = append(pv, bitsOf([]float64{c.F.Mean, c.F.SE, c.GradNorm2.Mean, c.GradNorm.Mean, c.Dist2.Mean, c.I1.Mean, c.I2.Mean, c.Phi1.Mean, c.Phi2.Mean}), bitsOf(c.Quantiles))
	}
	b, err := json.Marshal(struct {
		G, K []uint64
		L    []int
		D    int
		P    [][]uint64
	}{bitsOf(res.EnsembleGradNorm), bitsOf(res.Rate), res.Live, res.Diverged, pv})
	require.NoError(t, err)
	return string(b)
}
