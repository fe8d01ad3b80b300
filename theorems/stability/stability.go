package stability

import (
	"encoding/json"
	"fmt"
	"github.com/sdeverify/sdeverify/internal/format"
	"math"
	"slices"
	"strings"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
)

// DefaultLevel is the divergence level q of the critical step when
// Spec.Level is 0.
const DefaultLevel = 0.01

// Axes are the noise or compression parameters a map can vary
// (Spec.Axis), each set on every agent: the Gaussian noise's sigma0 or
// sigma1, the Student-t noise's scale, or the compression variance omega
// of a Bernoulli compressor (keep probability 1/(1 + omega); in d = 1
// rand-k and QSGD are the identity, so DCSGD compresses by Bernoulli).
var Axes = []string{"sigma0", "sigma1", "scale", "omega"}

// Spec is a stability map to compute: one method and its models in d = 1,
// over a grid of step sizes, thresholds and (optionally) the values of a
// noise or compression parameter.
type Spec struct {
	// Config is a one-dimensional experiment with a constant schedule:
	// its objective, agents, method, x0 and schedule value. Its eta and
	// steps are replaced by Etas and Horizon; its model kind is ignored.
	Config mc.Config
	// Etas are the base step sizes eta (each > 0, finite; sorted here).
	Etas []float64
	// Horizon is the time T = k eta of the map: eta runs round(T/eta)
	// steps (at least 1) of size eta times the schedule value.
	Horizon float64
	// Radii are the thresholds R (each > 0): p(eta, R) is the probability
	// of reaching |x| >= R by the horizon. Each must exceed |x0|.
	Radii []float64
	// Level is the divergence level q of the critical step (0: 0.01).
	Level float64
	// Axis, if set, is one of Axes, with Values its values (one curve
	// each); empty: the config's own noise, one curve.
	Axis   string
	Values []float64
	// Models are the names of the models to draw (nil: every one of
	// Models).
	Models []string
	// Refine is the number of log-bisection rounds on each critical
	// step's bracket (0: the grid's bracket only).
	Refine int
	// Nodes overrides the exact engine's grid nodes (0: gridFor's).
	Nodes int
	// Factor is how close a model's critical step must be to the
	// discrete method's to capture its step-size restriction: within a
	// factor Factor either way (0: 2).
	Factor float64
	// Workers bounds the goroutines (0: GOMAXPROCS). The numbers do not
	// depend on it.
	Workers int
}

// Map is a computed stability map.
type Map struct {
	Method  string  `json:"method"`
	X0      float64 `json:"x0"`
	Rate    float64 `json:"rate"` // the constant schedule value
	Horizon float64 `json:"horizon"`
	Level   float64 `json:"level"`
	Factor  float64 `json:"factor"`
	// Objective and Noise describe the configuration (its JSON).
	Objective string    `json:"objective"`
	Noise     string    `json:"noise"`
	Axis      string    `json:"axis,omitempty"`
	Values    []float64 `json:"values,omitempty"`
	Radii     []float64 `json:"radii"`
	Etas      []float64 `json:"etas"`
	Models    []string  `json:"models"`
	// Skipped lists the registered models left out because the exact
	// engine does not derive them for this configuration (for instance the
	// second-order SDE for a method other than DSGD), with the reason;
	// only when Spec.Models is nil (a model asked for by name is an error).
	Skipped []string `json:"skipped,omitempty"`
	Curves  []Curve  `json:"curves"`
	// Radius compares each curve with the same curve at the next larger
	// threshold: where p(eta, R) has converged in R and where it keeps
	// falling.
	Radius []RadiusCheck `json:"radius"`
	// Verdicts compare each SDE model's critical step with the discrete
	// method's, per axis value and threshold.
	Verdicts []Verdict `json:"verdicts"`
}

// Curve is p(eta, R) and E[f - f* | stayed] at the horizon of one model,
// at one axis value and one threshold R, with its critical step.
type Curve struct {
	Model  string  `json:"model"`
	Label  string  `json:"label"`
	SDE    bool    `json:"sde"`
	Value  float64 `json:"value"` // the axis value (0 without an axis)
	Radius float64 `json:"radius"`
	// Nodes and Map are the exact engine's grid (Map: the sinh map's
	// scale, 0 for a uniform grid).
	Nodes    int      `json:"nodes"`
	Map      float64  `json:"map,omitempty"`
	Points   []Point  `json:"points"`
	Critical Critical `json:"critical"`
	// Tails, for a model that states it (Model.Tails: the first-order
	// SDE), is Feller's classification of +inf at the grid's largest eta
	// (exact.Classify): an entrance boundary is never reached, so
	// p(eta, R) -> 0 as R -> inf.
	Tails string `json:"tails,omitempty"`
}

// Point is one step size of a curve.
type Point struct {
	Eta   float64 `json:"eta"`
	Steps int     `json:"steps"`
	// Escape is p(eta, R) = 1 - P(|x_k| < R for every k <= Steps), with
	// the exact engine's error estimate.
	Escape exact.Value `json:"escape"`
	// Mean is E[f(x_K) - f* | the path stayed in (-R, R)], K = Steps.
	Mean exact.Value `json:"mean"`
	// Bound, for a model with one (Model.Bound: the first-order SDE), is
	// an upper bound on p(eta, R): Ville's (exact.EscapeBound; 1 when it
	// does not apply). 0 for the others.
	Bound float64 `json:"bound,omitempty"`
	// Refined marks a step added by bisection of the critical bracket.
	Refined bool `json:"refined,omitempty"`
	// Note says why the point has no value (the engine refused it).
	Note string `json:"note,omitempty"`
}

// RadiusCheck compares p(eta, R1) and p(eta, R2), R1 < R2, of one model at
// one axis value over the points both curves have (the grid's etas).
type RadiusCheck struct {
	Model  string  `json:"model"`
	Value  float64 `json:"value"`
	R1     float64 `json:"r1"`
	R2     float64 `json:"r2"`
	Points int     `json:"points"` // etas where both p exceed their errors
	// Converged: at every eta |p(R2) - p(R1)| <= err1 + err2.
	Converged bool `json:"converged"`
	// MaxDiff is the largest |p(R2) - p(R1)| - (err1 + err2) (<= 0 when
	// converged), MinRatio and MaxRatio the range of p(R2)/p(R1) over the
	// etas where p(R1) is above its error (NaN when there are none).
	MaxDiff  float64 `json:"max_diff"`
	MinRatio float64 `json:"min_ratio"`
	MaxRatio float64 `json:"max_ratio"`
}

// Verdict compares an SDE model's critical step with the discrete
// method's at one axis value and one threshold: the ratio of the two lies
// in [RatioLo, RatioHi] (from their brackets). The model captures the
// step-size restriction when that interval lies within [1/Factor, Factor],
// misses it when the interval lies outside, and the verdict is undecided
// otherwise; where neither reaches the level on the grid there is no
// restriction to capture there.
type Verdict struct {
	Model    string   `json:"model"`
	Value    float64  `json:"value"`
	Radius   float64  `json:"radius"`
	Discrete Critical `json:"discrete"`
	Critical Critical `json:"critical"`
	RatioLo  float64  `json:"ratio_lo"`
	RatioHi  float64  `json:"ratio_hi"`
	Outcome  string   `json:"outcome"` // captures, misses, undecided
}

// Validate checks the spec, naming the field at fault.
func (s Spec) Validate() error {
	if len(s.Etas) == 0 {
		return model.Invalid("etas", s.Etas, "at least one step size")
	}
	for _, e := range s.Etas {
		if !(e > 0) || math.IsInf(e, 0) {
			return model.Invalid("etas", e, "every step size must be finite and > 0")
		}
	}
	if !(s.Horizon > 0) || math.IsInf(s.Horizon, 0) {
		return model.Invalid("horizon", s.Horizon, "must be finite and > 0")
	}
	for _, e := range s.Etas {
		if k := s.Horizon / e; k > 1e7 {
			return model.Invalid("horizon", s.Horizon, fmt.Sprintf("horizon/eta = %.3g steps at eta = %g: at most 1e7", k, e))
		}
	}
	if len(s.Radii) == 0 {
		return model.Invalid("radii", s.Radii, "at least one threshold R")
	}
	for _, r := range s.Radii {
		if !(r > 0) || math.IsInf(r, 0) {
			return model.Invalid("radii", r, "every threshold must be finite and > 0")
		}
	}
	if !(s.Level >= 0 && s.Level < 1) {
		return model.Invalid("level", s.Level, "must be in (0, 1) (0: the default 0.01)")
	}
	if s.Factor != 0 && !(s.Factor > 1) || math.IsInf(s.Factor, 0) {
		return model.Invalid("factor", s.Factor, "must be finite and > 1 (0: the default 2)")
	}
	if s.Axis != "" && !slices.Contains(Axes, s.Axis) {
		return model.Invalid("axis", s.Axis, fmt.Sprintf("want one of %v", Axes))
	}
	if s.Axis == "" && len(s.Values) > 0 {
		return model.Invalid("values", s.Values, "values need an axis")
	}
	if s.Axis != "" && len(s.Values) == 0 {
		return model.Invalid("values", s.Values, "the axis "+s.Axis+" needs at least one value")
	}
	for _, v := range s.Values {
		if !(v >= 0) || math.IsInf(v, 0) || (s.Axis == "scale" && v == 0) {
			return model.Invalid("values", v, "every value must be finite and >= 0 (a Student-t scale > 0)")
		}
	}
	for _, m := range s.Models {
		if _, ok := ModelByName(m); !ok {
			return model.Invalid("models", m, fmt.Sprintf("want one of %v", ModelNames()))
		}
	}
	if s.Refine < 0 || s.Refine > 20 {
		return model.Invalid("refine", s.Refine, "must be in 0..20")
	}
	if s.Nodes != 0 && (s.Nodes < 16 || s.Nodes > 40000) {
		return model.Invalid("nodes", s.Nodes, "must be in 16..40000 (0: the default)")
	}
	if s.Workers < 0 {
		return model.Invalid("workers", s.Workers, "must be >= 0 (0: all cores)")
	}
	return nil
}

// withAxis returns the config with the axis parameter set to v on every
// agent. sigma0, sigma1 and scale need a noise law with a parameter of
// that name (the registry's KindInfo.Params) and set the spec's field
// (scale as a one-element list, Student-t's form: a law whose scale has
// another form is refused, by field, when the configuration is resolved);
// omega needs a method that applies compressors and sets a Bernoulli
// compressor with p = 1/(1 + omega).
func withAxis(c mc.Config, axis string, v float64) (mc.Config, error) {
	c.Agents = slices.Clone(c.Agents)
	for i := range c.Agents {
		a := &c.Agents[i]
		if axis != "omega" && !noiseHasParam(a.Noise.Kind, axis) {
			return c, model.Invalid(fmt.Sprintf("agents[%d].noise.kind", i), a.Noise.Kind, fmt.Sprintf("the axis %s needs a noise law with the parameter %s (%s)", axis, axis, strings.Join(noiseLawsWith(axis), ", ")))
		}
		switch axis {
		case "sigma0":
			a.Noise.Sigma0 = v
		case "sigma1":
			a.Noise.Sigma1 = v
		case "scale":
			a.Noise.Scale = []float64{v}
		case "omega":
			if m, err := model.ParseMethod(c.Method); err != nil || !model.NeedsCompressor(m) {
				return c, model.Invalid("method", c.Method, "the axis omega needs a method that applies the agents' compressors (model.NeedsCompressor: dcsgd)")
			}
			a.Compressor = &model.CompressorSpec{Kind: "bernoulli", P: 1 / (1 + v)}
		}
	}
	return c, nil
}

// noiseHasParam reports whether the registered noise law called kind has
// the parameter name (model.KindInfo.Params).
func noiseHasParam(kind, name string) bool {
	return slices.Contains(noiseLawsWith(name), kind)
}

// noiseLawsWith lists the registered noise laws with the parameter name.
func noiseLawsWith(name string) []string {
	var out []string
	for _, k := range model.Kinds("noise") {
		if slices.Contains(k.Params(), name) {
			out = append(out, k.Name)
		}
	}
	return out
}

// problems resolves the spec's configuration at each axis value.
func (s Spec) problems() ([]exact.Problem, []float64, error) {
	values := s.Values
	if s.Axis == "" {
		values = []float64{0}
	}
	var out []exact.Problem
	for _, v := range values {
		// A deep copy: Problem writes the defaults back into the config's
		// slices and pointers, which the caller's spec shares.
		c, err := copyConfig(s.Config)
		if err != nil {
			return nil, nil, err
		}
		if s.Axis != "" {
			var err error
			if c, err = withAxis(c, s.Axis, v); err != nil {
				return nil, nil, err
			}
		}
		run, err := c.Problem() // the map chooses its own etas and horizons
		if err != nil {
			return nil, nil, err
		}
		if run.System.F.Dim() != 1 {
			return nil, nil, model.Invalid("objective.dim", run.System.F.Dim(), "a stability map is one-dimensional (the exact engine)")
		}
		cr, ok := run.Schedule.(model.ConstantRater)
		if !ok {
			return nil, nil, model.Invalid("schedule.kind", c.Schedule.Kind, "a stability map needs a constant schedule (the exact engine's backward iteration)")
		}
		p := exact.Problem{System: run.System, X0: run.X0[0], Rate: cr.ConstantRate()}
		for _, r := range s.Radii {
			if r <= math.Abs(p.X0) {
				return nil, nil, model.Invalid("radii", r, fmt.Sprintf("every threshold must exceed |x0| = %g", math.Abs(p.X0)))
			}
		}
		out = append(out, p)
	}
	return out, values, nil
}

// job is one point of one curve to compute.
type job struct {
	curve int
	eta   float64
}

// Compute computes the map: every model's p(eta, R) and conditional mean
// at the horizon on the grid, each threshold and axis value, then Refine
// rounds of bisection of every critical bracket, the radius comparisons
// and the verdicts.
func Compute(s Spec) (*Map, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	probs, values, err := s.problems()
	if err != nil {
		return nil, err
	}
	if s.Level == 0 {
		s.Level = DefaultLevel
	}
	if s.Factor == 0 {
		s.Factor = 2
	}
	names := s.Models
	if len(names) == 0 {
		names = ModelNames()
	}
	etas := slices.Clone(s.Etas)
	for i, e := range etas {
		etas[i] = format.RoundSig(e, 12) // a log grid's 0.009999999999999998 is the 0.01 it means
	}
	slices.Sort(etas)
	etas = slices.Compact(etas)
	radii := slices.Clone(s.Radii)
	slices.Sort(radii)
	radii = slices.Compact(radii)
	m := &Map{Method: s.Config.Method, X0: probs[0].X0, Rate: probs[0].Rate, Horizon: s.Horizon, Level: s.Level,
		Factor: s.Factor, Objective: jsonOf(s.Config.Objective), Noise: jsonOf(s.Config.Agents), Axis: s.Axis,
		Radii: radii, Etas: etas, Models: names}
	if s.Axis != "" {
		m.Values = values
	}
	type curveIn struct {
		prob  exact.Problem
		model Model
	}
	var ins []curveIn
	// The models the engine derives for this configuration.
	var kept []string
	for _, name := range names {
		md, _ := ModelByName(name)
		p := probs[0]
		p.Eta, p.Steps = etas[0], 1
		if md.Prepare != nil {
			md.Prepare(&p)
		}
		err := p.Validate()
		if md.SDE {
			err = p.ValidateSDE()
		}
		switch {
		case err == nil:
			kept = append(kept, name)
		case len(s.Models) == 0:
			m.Skipped = append(m.Skipped, name+": "+err.Error())
		default:
			return nil, model.Invalid("models", name, err.Error())
		}
	}
	m.Models = kept
	for vi, v := range values {
		for _, name := range kept {
			md, _ := ModelByName(name)
			for _, r := range radii {
				st := gridFor(probs[vi].System, probs[vi].X0, r, md.SDE, s.Nodes)
				c := Curve{Model: md.Name, Label: md.Label, SDE: md.SDE, Value: v, Radius: r, Nodes: st.Nodes, Map: st.Map}
				if md.Tails != nil {
					c.Tails = md.Tails(probs[vi].System, etas[len(etas)-1], probs[vi].Rate)
				}
				m.Curves = append(m.Curves, c)
				ins = append(ins, curveIn{probs[vi], md})
			}
		}
	}
	run := func(todo []job) {
		jobs := make([]exact.Job, len(todo))
		for i, t := range todo {
			jobs[i] = s.jobFor(ins[t.curve].prob, ins[t.curve].model, m.Curves[t.curve].Radius, t.eta)
		}
		pts := computeJobs(jobs, s.Workers)
		for i, t := range todo {
			c := &m.Curves[t.curve]
			p := pts[i]
			p.Eta, p.Steps = t.eta, jobs[i].Problem.Steps
			if md := ins[t.curve].model; md.Bound != nil && p.Note == "" {
				p.Bound = md.Bound(jobs[i].Problem, c.Radius)
			}
			c.Points = append(c.Points, p)
			slices.SortFunc(c.Points, func(a, b Point) int { return cmpFloat(a.Eta, b.Eta) })
		}
	}
	var todo []job
	for ci := range m.Curves {
		for _, e := range etas {
			todo = append(todo, job{ci, e})
		}
	}
	run(todo)
	for ci := range m.Curves {
		m.Curves[ci].Critical = CriticalStep(m.Curves[ci].Points, s.Level)
	}
	for round := 0; round < s.Refine; round++ {
		todo = todo[:0]
		for ci := range m.Curves {
			c := &m.Curves[ci]
			if mid, ok := bisect(c.Critical, c.Points); ok {
				todo = append(todo, job{ci, mid})
			}
		}
		if len(todo) == 0 {
			break
		}
		run(todo)
		for _, t := range todo {
			c := &m.Curves[t.curve]
			for i := range c.Points {
				if c.Points[i].Eta == t.eta {
					c.Points[i].Refined = true
				}
			}
			c.Critical = CriticalStep(c.Points, s.Level)
		}
	}
	m.Radius = radiusChecks(m.Curves)
	m.Verdicts = verdicts(m.Curves, s.Factor)
	return m, nil
}

// jobFor is the exact engine's job for one point: the problem at step eta
// over the horizon, the test functions 1 and f - f*, the model's grid at
// threshold R with absorption.
func (s Spec) jobFor(base exact.Problem, md Model, R, eta float64) exact.Job {
	p := base
	p.Eta = eta
	p.Steps = max(1, int(math.Round(s.Horizon/eta)))
	if md.Prepare != nil {
		md.Prepare(&p)
	}
	f := p.System.F
	fs := f.Inf()
	tests := []func(float64) float64{
		func(float64) float64 { return 1 },
		func(x float64) float64 { return f.Value([]float64{x}) - fs },
	}
	return exact.Job{Problem: p, Tests: tests, Settings: gridFor(p.System, p.X0, R, md.SDE, s.Nodes), SDE: md.SDE}
}

// computeJobs runs the jobs in one batch; when the batch fails (a job the
// engine refuses), each job alone, so that the refusal is the point's note
// and the other points keep their values.
func computeJobs(jobs []exact.Job, workers int) []Point {
	out := make([]Point, len(jobs))
	res, err := exact.Batch(jobs, workers)
	if err != nil {
		for i, j := range jobs {
			r, err := exact.Batch([]exact.Job{j}, workers)
			if err != nil {
				out[i] = Point{Escape: nan(), Mean: nan(), Note: err.Error()}
				continue
			}
			out[i] = pointOf(r[0])
		}
		return out
	}
	for i := range jobs {
		out[i] = pointOf(res[i])
	}
	return out
}

func nan() exact.Value { return exact.Value{Value: math.NaN(), Err: math.NaN()} }

// pointOf reads a point off the survival and E[f - f*; stayed] series at
// the horizon: p = 1 - S with the error of S, and the conditional mean A/S
// with the error (err A + |A/S| err S)/S.
func pointOf(v []exact.Series) Point {
	surv, a := v[0][len(v[0])-1], v[1][len(v[1])-1]
	p := Point{Escape: exact.Value{Value: 1 - surv.Value, Err: surv.Err}}
	if surv.Value > 0 {
		mean := a.Value / surv.Value
		p.Mean = exact.Value{Value: mean, Err: (a.Err + math.Abs(mean)*surv.Err) / surv.Value}
	} else {
		p.Mean = nan()
	}
	return p
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// radiusChecks compares each curve with the same model and value at the
// next larger threshold.
func radiusChecks(cs []Curve) []RadiusCheck {
	var out []RadiusCheck
	for i, a := range cs {
		for j := i + 1; j < len(cs); j++ {
			b := cs[j]
			if b.Model != a.Model || b.Value != a.Value || b.Radius <= a.Radius {
				continue
			}
			// the next larger radius only
			next := true
			for _, c := range cs {
				if c.Model == a.Model && c.Value == a.Value && c.Radius > a.Radius && c.Radius < b.Radius {
					next = false
				}
			}
			if !next {
				continue
			}
			rc := RadiusCheck{Model: a.Model, Value: a.Value, R1: a.Radius, R2: b.Radius, Converged: true,
				MaxDiff: math.Inf(-1), MinRatio: math.NaN(), MaxRatio: math.NaN()}
			for _, pa := range a.Points {
				for _, pb := range b.Points {
					if pa.Eta != pb.Eta || pa.Note != "" || pb.Note != "" {
						continue
					}
					d := math.Abs(pb.Escape.Value-pa.Escape.Value) - (pa.Escape.Err + pb.Escape.Err)
					rc.MaxDiff = math.Max(rc.MaxDiff, d)
					if d > 0 {
						rc.Converged = false
					}
					if pa.Escape.Value > pa.Escape.Err && pb.Escape.Value > pb.Escape.Err {
						rc.Points++
						r := pb.Escape.Value / pa.Escape.Value
						if math.IsNaN(rc.MinRatio) || r < rc.MinRatio {
							rc.MinRatio = r
						}
						if math.IsNaN(rc.MaxRatio) || r > rc.MaxRatio {
							rc.MaxRatio = r
						}
					}
				}
			}
			out = append(out, rc)
		}
	}
	return out
}

// verdicts compares every SDE curve's critical step with the discrete
// curve's at the same value and threshold.
func verdicts(cs []Curve, factor float64) []Verdict {
	var out []Verdict
	for _, d := range cs {
		if d.SDE {
			continue
		}
		for _, c := range cs {
			if !c.SDE || c.Value != d.Value || c.Radius != d.Radius {
				continue
			}
			v := Verdict{Model: c.Model, Value: c.Value, Radius: c.Radius, Discrete: d.Critical, Critical: c.Critical}
			// eta*_M in (Lo, Hi], so the ratio lies in (LoM/HiD, HiM/LoD).
			v.RatioLo = c.Critical.Lo / d.Critical.Hi
			v.RatioHi = c.Critical.Hi / d.Critical.Lo
			switch {
			case d.Critical.Status == "above-grid" && c.Critical.Status == "above-grid":
				v.Outcome = "no restriction on the grid"
			case math.IsNaN(v.RatioLo) || math.IsNaN(v.RatioHi):
				v.Outcome = "undecided"
			case v.RatioLo >= factor || v.RatioHi <= 1/factor:
				v.Outcome = "misses"
			case v.RatioLo >= 1/factor && v.RatioHi <= factor:
				v.Outcome = "captures"
			default:
				v.Outcome = "undecided"
			}
			out = append(out, v)
		}
	}
	return out
}

// copyConfig returns a deep copy of c (through its JSON form).
func copyConfig(c mc.Config) (mc.Config, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return c, err
	}
	return mc.ParseConfig(b)
}

// jsonOf is v's compact JSON, for the map's description.
func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
