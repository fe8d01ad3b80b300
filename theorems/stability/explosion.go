package stability

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/objective"
)

// ExplosionRow quantifies the explosion of Figure 1 centre-top's SDE
// (DCSGD with rand-k, or DSGD, on sum_j x_j^4/4 in d dimensions, x0_j =
// 0.5, eta = 0.1, T = 200) at one omega and one reading of Definition 2.
//
// Explosion implies that max_j |X_j| passes every level a before the
// explosion time, so P(explode by T) <= P(max_j |X_j| reaches a by T)
// (Upper, the Clopper-Pearson upper end). Where exact.RadialExplosion
// certifies explosion from the sphere |x|^2 = R1 (probability at least
// Lower from there within T/2), a = sqrt(R1) and max_j |X_j| >= a implies
// |X|^2 >= R1, so by the strong Markov property
//
//	P(explode by T) >= P(max_j |X_j| reaches a by T/2) Lower,
//
// whose Clopper-Pearson lower end times Lower is LowerBound. Both hitting
// probabilities are Monte Carlo estimates of the SDE by its integrator
// (Euler-Maruyama with adaptive substeps, Figure 1's): their intervals
// carry the sampling error, not the integrator's bias.
type ExplosionRow struct {
	Omega   float64 `json:"omega"`   // 0: DSGD (no compressor)
	Reading string  `json:"reading"` // per-coordinate or total
	Sigma1  float64 `json:"sigma1"`  // the per-coordinate sigma1 the reading gives
	// Certified: RadialExplosion's certificate holds (theta > 0); R0, R1,
	// P and C are its constants and Lower its probability from R1 within
	// T/2. Why says why (or why not).
	Certified bool    `json:"certified"`
	R0        float64 `json:"r0,omitempty"`
	R1        float64 `json:"r1,omitempty"`
	Lower     float64 `json:"lower,omitempty"`
	Why       string  `json:"why"`
	// Level is a: sqrt(R1) where certified, else 10 (20 times x0).
	Level float64 `json:"level"`
	Paths int     `json:"paths"`
	// HitHalf and Hit count the paths whose max_j |X_j| reached Level by
	// T/2 and by T.
	HitHalf int `json:"hit_half"`
	Hit     int `json:"hit"`
	// LowerBound and UpperBound bracket P(explode by T) as above, each at
	// confidence 1 - Alpha/2 (0 where nothing is certified).
	LowerBound float64 `json:"lower_bound"`
	UpperBound float64 `json:"upper_bound"`
	Alpha      float64 `json:"alpha"`
	Seed       uint64  `json:"seed"`
}

// CentreTopExplosion quantifies the centre-top SDE's explosion for omega
// in {0 (DSGD), 1, 2, 4} and both readings of Definition 2's variance:
// per-coordinate (each coordinate's noise has variance sigma1^2
// ||grad f||^2, the suite's Gaussian noise, total d sigma1^2 ||grad f||^2)
// and total (the total variance is sigma1^2 ||grad f||^2: per coordinate
// sigma1/sqrt(d)), with sigma1 = 0.1, in dimension d (Figure 1: 1000),
// paths Monte Carlo paths per row (stream seed), two-sided intervals at
// level alpha each.
func CentreTopExplosion(d, paths int, seed uint64, alpha float64, workers int) ([]ExplosionRow, error) {
	if d < 1 {
		return nil, model.Invalid("d", d, "must be >= 1")
	}
	if paths < 2 {
		return nil, model.Invalid("paths", paths, "must be >= 2")
	}
	if !(alpha > 0 && alpha < 1) {
		return nil, model.Invalid("alpha", alpha, "must be in (0, 1)")
	}
	const eta, steps, x0, sigma1 = 0.1, 2000, 0.5, 0.1
	T := eta * steps
	var out []ExplosionRow
	for _, om := range []float64{0, 1, 2, 4} {
		for _, reading := range []string{"per-coordinate", "total"} {
			s1 := sigma1
			if reading == "total" {
				s1 = sigma1 / math.Sqrt(float64(d))
			}
			agent := model.AgentSpec{Noise: model.NoiseSpec{Kind: "gaussian", Sigma1: s1}, Compressor: &model.CompressorSpec{Kind: "randk", Omega: om}}
			method := "dcsgd"
			if om == 0 {
				agent.Compressor, method = nil, "dsgd"
			}
			c := mc.Config{Objective: objective.Spec{Kind: "separable", Dim: d, Atom: &model.AtomSpec{Kind: "quartic"}}, X0: []float64{x0},
				Agents: []model.AgentSpec{agent}, Method: method, Model: model.ModelSpec{Kind: "sde", Scheme: "em", Substeps: 1, Stiffness: 0.1, MaxSubsteps: 1000},
				Eta: eta, Schedule: model.ScheduleSpec{Kind: "constant"}, Steps: steps, Paths: paths, Seed: seed, Checkpoints: mc.CheckpointSpec{At: []int{steps}}}
			run, err := c.Resolve()
			if err != nil {
				return nil, err
			}
			run.Workers = workers
			row := ExplosionRow{Omega: om, Reading: reading, Sigma1: s1, Paths: paths, Alpha: alpha, Seed: seed, Level: 20 * x0}
			ex, ok := exact.RadialExplosion(run.System, eta, 1, run.X0, T/2)
			row.Why = ex.Why
			if ok {
				row.Certified, row.R0, row.R1, row.Lower = true, ex.R0, ex.R1, ex.Lower
				row.Level = math.Sqrt(ex.R1)
			} else if row.Why == "" {
				row.Why = "no certificate: theta <= 0 for every p tried"
			}
			run.DivergeAt = row.Level
			res, err := mc.Simulate(run)
			if err != nil {
				return nil, err
			}
			row.HitHalf, row.Hit = paths-res.Live[steps/2], paths-res.Live[steps]
			lo, _ := mc.ClopperPearson(row.HitHalf, paths, alpha)
			_, hi := mc.ClopperPearson(row.Hit, paths, alpha)
			if row.Certified {
				row.LowerBound = lo * row.Lower
			}
			row.UpperBound = hi
			out = append(out, row)
		}
	}
	return out, nil
}
