package studies

import (
	"fmt"
	"math"
	"slices"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/gen"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems"
)

// CaseSize bounds a generated case. The zero value means 400 paths, up to
// 200 steps, dimensions up to 5 and up to 4 agents, any theorem and reading.
type CaseSize struct {
	Paths, MaxSteps, MaxDim, MaxAgents int
	Theorem                            string           // force thm4, thm5, thm6-eta, thm6-printed or thm7 ("": drawn)
	Reading                            theorems.Reading // force ensemble or pathwise ("": drawn)
	// AvoidFindings keeps generated cases out of the documented finding
	// regimes (Thm 7: every agent's scales at least the largest
	// |d_j f(x0)|, so the start is in Phase 3).
	AvoidFindings bool
}

// WithDefaults returns s with its zero fields set to their defaults: the
// sizes a campaign's cases are drawn under, which a campaign's identity
// records.
func (s CaseSize) WithDefaults() CaseSize {
	if s.Paths == 0 {
		s.Paths = 400
	}
	if s.MaxSteps == 0 {
		s.MaxSteps = 200
	}
	if s.MaxDim == 0 {
		s.MaxDim = 5
	}
	if s.MaxAgents == 0 {
		s.MaxAgents = 4
	}
	return s
}

// GenerateCase draws a random theorem check whose hypotheses hold by
// construction: the theorem matching the method and the noise class, and
// the theorem's admissible schedule at a random margin in (0, 1] (times
// 1/sqrt(1+k) for Thm 7, which needs Robbins-Monro), in a random reading.
// Every random choice goes through dr, so that rapid can shrink a failing
// case.
func GenerateCase(dr gen.Drawer, size CaseSize) (Case, error) {
	size = size.WithDefaults()
	obj := gen.Objective(dr, gen.Options{MaxDim: size.MaxDim, MaxRotateDim: size.MaxDim})
	f, err := obj.Build()
	if err != nil {
		return Case{}, err
	}
	d := f.Dim()
	method := []string{"dsgd", "dcsgd", "dsignsgd"}[dr.Int("method", 0, 2)]
	if size.Theorem != "" {
		t, err := theorems.ByID(size.Theorem) // the forced theorem's method
		if err != nil {
			return Case{}, fmt.Errorf("theorem %q: unknown", size.Theorem)
		}
		method = t.Method.String()
	}
	m, err := model.ParseMethod(method)
	if err != nil {
		return Case{}, err
	}
	// The method's theorems say which noise class to draw: Student-t
	// scales for a theorem with ell_nu (Thm 7), the variance class
	// otherwise; a method that NeedsCompressor gets compressors.
	compressed, tClass := model.NeedsCompressor(m), false
	for _, t := range theorems.All() {
		tClass = tClass || (t.Method == m && t.UsesEll)
	}
	n := dr.Int("agents", 1, size.MaxAgents)
	var th string
	var agents []model.AgentSpec
	switch {
	case !tClass:
		bounded := compressed && dr.Int("bounded variance", 0, 1) == 0
		if size.Theorem != "" {
			bounded = size.Theorem == "thm5"
		}
		for i := range n {
			var a model.AgentSpec
			if dr.Int(fmt.Sprintf("agent %d student", i), 0, 3) == 0 && !(size.AvoidFindings && (size.Theorem == "thm6-eta" || size.Theorem == "thm6-printed")) {
				a.Noise = model.NoiseSpec{Kind: "student-t", Nu: dr.Float("nu", 2.5, 10), Scale: []float64{gen.LogUniform(dr, "scale", 0.01, 2)}}
			} else {
				a.Noise = model.NoiseSpec{Kind: "gaussian"}
				if dr.Int("sigma0 zero", 0, 3) > 0 {
					a.Noise.Sigma0 = gen.LogUniform(dr, "sigma0", 0.01, 3)
				}
				if !bounded && dr.Int("sigma1 zero", 0, 3) > 0 {
					a.Noise.Sigma1 = gen.LogUniform(dr, "sigma1", 0.01, 3)
				}
				if size.AvoidFindings && (size.Theorem == "thm6-eta" || size.Theorem == "thm6-printed") {
					a.Noise.Sigma0 = 0 // F5: eq. 6 lacks L0 B6, which sigma0 > 0 makes positive
				}
			}
			if compressed {
				switch dr.Int("compressor", 0, 3) {
				case 0:
					a.Compressor = &model.CompressorSpec{Kind: "identity"}
				case 1:
					a.Compressor = &model.CompressorSpec{Kind: "bernoulli", P: dr.Float("p", 0.2, 1)}
				case 2:
					a.Compressor = &model.CompressorSpec{Kind: "randk", K: dr.Int("k", 1, d)}
				default:
					a.Compressor = &model.CompressorSpec{Kind: "qsgd", S: dr.Int("s", 1, 8)}
				}
			}
			agents = append(agents, a)
		}
		th = "thm4"
		if compressed {
			th = []string{"thm6-eta", "thm6-printed"}[dr.Int("thm6 reading", 0, 1)]
			if bounded {
				th = "thm5"
			}
			if size.Theorem != "" {
				th = size.Theorem
			}
		}
	default:
		th = "thm7"
		nu := []float64{1, 1.5, 1, 2, 3, 5, 10}[dr.Int("nu", 0, 6)] // nu < 2 (no variance, heavy tails) in 3 of 7
		for i := range n {
			sc := []float64{gen.LogUniform(dr, fmt.Sprintf("agent %d scale", i), 0.05, 10)}
			if d > 1 && dr.Int("per-coordinate scales", 0, 2) == 0 {
				sc = make([]float64, d)
				for j := range sc {
					sc[j] = gen.LogUniform(dr, "scale", 0.05, 10)
				}
			}
			agents = append(agents, model.AgentSpec{Noise: model.NoiseSpec{Kind: "student-t", Nu: nu, Scale: sc}})
		}
	}
	x0 := make([]float64, d)
	f.Minimizer(x0)
	r := gen.LogUniform(dr, "x0 radius", 0.1, 3)
	for j := range x0 {
		x0[j] += r * dr.Norm("x0") / math.Sqrt(float64(d))
	}
	steps := dr.Int("steps", 20, size.MaxSteps)
	eta := gen.LogUniform(dr, "eta", 0.01, 0.3)
	margin := dr.Float("margin", 0.05, 1)
	if dr.Int("margin at the boundary", 0, 4) == 0 {
		margin = 1
	}
	if th == "thm7" {
		margin = math.Min(margin, 0.99) // Thm 7's condition is strict
	}
	if th == "thm7" && size.AvoidFindings {
		margin = keepPhase3(f, x0, agents, n, margin, steps)
	}
	cfg := mc.Config{
		Objective: obj, X0: x0, Agents: agents, Method: method, Model: model.ModelSpec{Kind: "discrete"},
		Eta: eta, Schedule: model.ScheduleSpec{Kind: "constant"},
		Steps: steps, Paths: size.Paths, Seed: dr.Uint64("seed"),
		Checkpoints: mc.CheckpointSpec{At: uniqueSteps(max(1, steps/10), max(1, steps/2), steps)},
	}
	c := Case{Name: "generated", Theorem: th, Reading: []theorems.Reading{theorems.Ensemble, theorems.Pathwise}[dr.Int("reading", 0, 1)], Config: cfg}
	if size.Reading != "" {
		c.Reading = size.Reading
	}
	c.Margin = margin
	if th == "thm7" {
		c.Decay = &model.ScheduleSpec{Kind: "inv-sqrt"}
	} else if dr.Int("decay", 0, 1) == 0 {
		c.Decay = &model.ScheduleSpec{Kind: "inv-sqrt"}
	}
	return c, nil
}

func uniqueSteps(a ...int) []int {
	var out []int
	for _, v := range a {
		if len(out) == 0 || v > out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

// Regime names the documented finding whose regime a case lies in, or "".
// A FAIL on the SDE outside every documented regime is a new violation.
type Regime string

// Expect returns the finding regime of a built case: Thm 7 with some
// agent's signal-to-noise ratio |d_j f(x0)|/scale_ij above 1 at the start
// lies in F1; Thm 6 in eq. 6's reading (printed or with eta) with some
// agent's sigma0^2 > 0 in its variance class (so that L0 B6 > 0), or a
// noise outside the class, lies in F5; a one-dimensional case whose
// SDE has an infinite left-hand side (theorems.SDEFiniteness) lies in F6.
// (The discrete methods are outside every theorem, F4.)
func Expect(c Case) (Regime, error) {
	cfg := c.Config
	cfg.Agents = slices.Clone(cfg.Agents) // Resolve fills the count; the case stays as generated
	if full, _, _, err := c.Build(); err == nil {
		if run, err := full.Resolve(); err == nil && run.System.F.Dim() == 1 {
			if fin := theorems.SDEFiniteness(run, c.Reading == theorems.Pathwise); fin != nil && fin.LHS == exact.Infinite {
				return Regime(FindingHeavyTails.ID), nil
			}
		}
	}
	if c.Theorem != "thm6-eta" && c.Theorem != "thm6-printed" && c.Theorem != "thm7" {
		return "", nil
	}
	run, err := cfg.Resolve()
	if err != nil {
		return "", err
	}
	if c.Theorem != "thm7" {
		// sigma0^2 > 0 in the (sigma0,sigma1)-variance class, or no
		// variance bound (B6 is then infinite or undefined).
		for _, a := range run.System.Agents {
			vb, ok := a.Noise.(model.VarianceBounder)
			if !ok {
				return Regime(FindingThm6Constant.ID), nil
			}
			if s0, _, ok := vb.VarianceBound(); !ok || s0 > 0 {
				return Regime(FindingThm6Constant.ID), nil
			}
		}
		return "", nil
	}
	g := make([]float64, run.System.F.Dim())
	run.System.F.Grad(g, run.X0)
	for _, a := range run.System.Agents {
		t, ok := a.Noise.(model.TScaler)
		if !ok {
			continue // Thm 7's noise-class hypothesis fails: not F1's regime
		}
		_, scale := t.TScale()
		for j, gj := range g {
			sc := scale[0]
			if len(scale) > 1 {
				sc = scale[j]
			}
			if math.Abs(gj) > sc {
				return Regime(FindingThm7Phases.ID), nil
			}
		}
	}
	return "", nil
}

// CampaignResult is one generated case's check.
type CampaignResult struct {
	Index   int              `json:"index"`
	Case    Case             `json:"case"`
	Regime  Regime           `json:"regime,omitempty"`
	Report  *theorems.Report `json:"report"`
	New     bool             `json:"new_violation"` // SDE FAIL outside every documented regime
	Replay  string           `json:"replay"`
	Skipped string           `json:"skipped,omitempty"`
}

// Campaign checks the generated cases j = shard, shard+shards, ... below n;
// case j draws from the stream (seed, j), so shards are deterministic and
// disjoint, and their union is the unsharded campaign.
func Campaign(n int, seed uint64, shard, shards int, size CaseSize, o theorems.Options) ([]CampaignResult, error) {
	if shards < 1 || shard < 0 || shard >= shards {
		return nil, fmt.Errorf("shard %d/%d: want 0 <= i < n", shard, shards)
	}
	var out []CampaignResult
	for j := shard; j < n; j += shards {
		res, err := CampaignCase(n, seed, j, size, o)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, nil
}

// CampaignCase checks case j of the campaign of n cases from seed: it
// draws from the stream (seed, j) alone, so that a case's result does not
// depend on the shard that runs it or on which cases ran before it (a
// resumed campaign equals an uninterrupted one).
func CampaignCase(n int, seed uint64, j int, size CaseSize, o theorems.Options) (CampaignResult, error) {
	if j < 0 || j >= n {
		return CampaignResult{}, fmt.Errorf("case %d: want 0 <= j < n = %d", j, n)
	}
	c, err := GenerateCase(gen.RandDrawer{R: mc.Stream(seed, j)}, size)
	if err != nil {
		return CampaignResult{}, fmt.Errorf("case %d: %w", j, err)
	}
	c.Name = fmt.Sprintf("campaign-%d-%d", seed, j)
	replay := fmt.Sprintf("sdeverify verify -seed %d -n %d -only %d", seed, n, j)
	if p := size.Paths; p != 0 && p != (CaseSize{}).WithDefaults().Paths {
		replay += fmt.Sprintf(" -paths %d", p)
	}
	res := CampaignResult{Index: j, Case: c, Replay: replay}
	if res.Regime, err = Expect(c); err != nil {
		return CampaignResult{}, fmt.Errorf("case %d: %w", j, err)
	}
	cfg, co, th, err := c.Build()
	if err != nil {
		res.Skipped = err.Error()
		return res, nil
	}
	co.Alpha, co.Workers, co.NoRefine, co.Replay = o.Alpha, o.Workers, o.NoRefine, res.Replay
	if res.Report, err = theorems.Check(th, cfg, co); err != nil {
		return CampaignResult{}, fmt.Errorf("case %d: %w", j, err)
	}
	res.New = res.Report.TargetOutcome("sde") == theorems.Fail && res.Regime == ""
	return res, nil
}

// keepPhase3 raises the agents' scales so that every agent stays in Phase 3
// (|d_j f(x)| <= scale_ij) along the whole run, keeping Thm 7's property
// out of finding F1. A DSignSGD step moves each coordinate by at most
// eta eta_k, so a path stays within R = sum_k eta eta_k of x0 in every
// coordinate; Thm 7's admissible schedule at margin m with 1/sqrt(1+k) has
// eta eta_k = m 2N ell/(sigma_H L1 d)/sqrt(1+k). For an (L0,L1)-smooth f the
// gradient norm grows at most to (G0 + L0/L1) e^(L1 r) - L0/L1 over a
// distance r (G0 + L0 r if L1 = 0). Scales at least that bound at
// r = 2 R sqrt(d) (a factor 2 for the SDE's Gaussian increments) keep every
// agent in Phase 3; since larger scales shrink the admissible step, a few
// fixed-point iterations settle it. Where the bound exceeds 1e6 (a
// steep objective far out) the margin is divided by 10 instead; it returns
// the margin used.
func keepPhase3(f model.Objective, x0 []float64, agents []model.AgentSpec, n int, margin float64, steps int) float64 {
	d := float64(f.Dim())
	g := make([]float64, f.Dim())
	f.Grad(g, x0)
	var g0 float64
	for _, v := range g {
		g0 += v * v
	}
	g0 = math.Sqrt(g0)
	cert := f.Certificate()
	ell := 0.5 // ell_nu >= ell_1 = 1/2 for nu >= 1 (Xi_nu grows with nu)
	var sumDecay float64
	for k := range steps {
		sumDecay += 1 / math.Sqrt(1+float64(k))
	}
	for range 40 {
		var inv float64
		for _, a := range agents {
			m := 0.0
			for _, v := range a.Noise.Scale {
				m = math.Max(m, v)
			}
			inv += 1 / m
		}
		sigmaH := float64(n) / inv
		step := math.Inf(1)
		if cert.L1 > 0 {
			step = margin * 2 * float64(n) * ell / (sigmaH * cert.L1 * d)
		}
		r := 2 * step * sumDecay * math.Sqrt(d)
		bound := g0 + cert.L0*r
		if cert.L1 > 0 {
			bound = (g0+cert.L0/cert.L1)*math.Exp(math.Min(cert.L1*r, 700)) - cert.L0/cert.L1
		}
		if !(bound <= 1e6) {
			margin /= 10
			continue
		}
		changed := false
		for i := range agents {
			for j, v := range agents[i].Noise.Scale {
				if v < bound {
					agents[i].Noise.Scale[j] = 1.01 * bound
					changed = true
				}
			}
		}
		if !changed {
			break
		}
	}
	// At the least the start is in Phase 3.
	for i := range agents {
		for j, v := range agents[i].Noise.Scale {
			agents[i].Noise.Scale[j] = math.Max(v, 1.01*g0)
		}
	}
	return margin
}
