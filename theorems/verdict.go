package theorems

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/internal/format"
	"github.com/sdeverify/sdeverify/model/mc"
)

// Outcome is a verdict's decision.
type Outcome string

const (
	Pass         Outcome = "PASS"         // the upper confidence limit is below the bound
	Fail         Outcome = "FAIL"         // the lower confidence limit is above the bound
	Inconclusive Outcome = "INCONCLUSIVE" // neither; more paths may decide it
	Vacuous      Outcome = "VACUOUS"      // a hypothesis did not hold: the theorem says nothing
)

// Verdict is the evidence and decision of one bound check at one horizon.
type Verdict struct {
	Theorem  string  `json:"theorem"`
	Reading  Reading `json:"reading"` // admissibility reading: ensemble or pathwise
	Target   string  `json:"target"`  // sde or discrete
	Step     int     `json:"step"`
	Time     float64 `json:"time"`     // step x eta to 12 significant digits (stepTime)
	Estimate float64 `json:"estimate"` // the left-hand side
	SE       float64 `json:"se"`       // standard error of estimate - bound
	Bound    float64 `json:"bound"`
	Ratio    float64 `json:"ratio"` // estimate / bound
	Paths    int     `json:"paths"`
	Diverged int     `json:"diverged"`
	Seed     uint64  `json:"seed"`
	Alpha    float64 `json:"alpha"`   // probability of a false FAIL for this verdict
	Outcome  Outcome `json:"outcome"` // empty: a plotted point, not a decision
	Reason   string  `json:"reason,omitempty"`
	// Quantiles of f - f* over the live paths at FanQuantiles.
	Quantiles []float64 `json:"quantiles,omitempty"`
	// SDE: the integrator's estimated bias of the left-hand side at the
	// run's own grid (twice the mean difference from the refined twins,
	// weak order 1), with its standard error. The decision uses the
	// Richardson extrapolation, which removes this first-order term.
	IntegrationBias *mc.Stat `json:"integration_bias,omitempty"`
	// Where finiteness is not decided analytically (every discrete
	// verdict; the SDE in d > 1): the Pareto tail shape of the per-path
	// left-hand sides (mc.ParetoKHat) over the TailM largest. At 1/2 or
	// more the variance may be infinite and the verdict is INCONCLUSIVE.
	TailK *float64 `json:"tail_k,omitempty"`
	TailM int      `json:"tail_m,omitempty"`
	// Engine is mc.EngineExact for an SDE verdict decided from the law in
	// d = 1 (Report.ExactSDE): Estimate is then E[LHS] with the numerical
	// error bound NumErr, SE, Paths and Alpha are 0, and the decision is
	// deterministic. Empty: Monte Carlo.
	Engine mc.Engine `json:"engine,omitempty"`
	NumErr float64   `json:"num_err,omitempty"`
}

// timeDigits are the significant digits of a verdict's time: step x eta
// carries float noise in its last digits (3 x 0.1 is 0.30000000000000004),
// which rounding to 12 removes, so that the time reads as the decimal the
// user configured in every output, report.json included. No decision uses
// the time.
const timeDigits = 12

// stepTime is the time of a step of size eta as a verdict records it.
func stepTime(step int, eta float64) float64 {
	return format.RoundSig(float64(step)*eta, timeDigits)
}

// String is the verdict for people: the check, the target, the time, the
// outcome, the left-hand side with its error bar against the bound, and
// the reason, in the formatter's conventions (internal/format: "∞" for an
// infinite value, no error bar where there is none, no float noise in
// the time).
func (v Verdict) String() string {
	how := ""
	switch {
	case v.Engine == mc.EngineExact && math.IsInf(v.Estimate, 0):
		how = " (exact engine)"
	case v.Engine == mc.EngineExact:
		how = " (numerical error " + format.Num2(v.NumErr) + ", exact engine)"
	case !math.IsNaN(v.SE) && !math.IsInf(v.Estimate, 0):
		how = " (se " + format.Num2(v.SE) + ")"
	}
	s := fmt.Sprintf("%s %s/%s t=%s: %s, LHS %s%s vs bound %s, ratio %s", v.Theorem, v.Reading, v.Target, format.Param(v.Time), v.Outcome,
		format.Num(v.Estimate), how, format.Num(v.Bound), format.Sig(v.Ratio, 3))
	if v.Engine != mc.EngineExact {
		s += fmt.Sprintf(", %d paths (%d diverged), alpha %s", v.Paths, v.Diverged, format.Num2(v.Alpha))
	}
	if v.Reason != "" {
		s += ": " + v.Reason
	}
	return s
}

// verdictJSON is a Verdict's JSON form: non-finite numbers as null.
type verdictJSON struct {
	plainVerdict
	Estimate  *float64   `json:"estimate"`
	SE        *float64   `json:"se"`
	Bound     *float64   `json:"bound"`
	Ratio     *float64   `json:"ratio"`
	Alpha     *float64   `json:"alpha"`
	Time      *float64   `json:"time"`
	Quantiles []*float64 `json:"quantiles,omitempty"`
	TailK     any        `json:"tail_k,omitempty"`
	NumErr    any        `json:"num_err,omitempty"`
}

// plainVerdict has Verdict's fields without its methods.
type plainVerdict Verdict

// MarshalJSON writes non-finite numbers as null.
func (v Verdict) MarshalJSON() ([]byte, error) {
	o := verdictJSON{plainVerdict: plainVerdict(v), Estimate: mc.Finite(v.Estimate), SE: mc.Finite(v.SE), Bound: mc.Finite(v.Bound),
		Ratio: mc.Finite(v.Ratio), Alpha: mc.Finite(v.Alpha), Time: mc.Finite(v.Time)}
	for _, q := range v.Quantiles {
		o.Quantiles = append(o.Quantiles, mc.Finite(q))
	}
	orNull := func(x float64) any {
		if p := mc.Finite(x); p != nil {
			return *p
		}
		return json.RawMessage("null")
	}
	if v.TailK != nil {
		o.TailK = orNull(*v.TailK)
	}
	if v.NumErr != 0 {
		o.NumErr = orNull(v.NumErr)
	}
	return json.Marshal(o)
}

// UnmarshalJSON reads null as NaN.
func (v *Verdict) UnmarshalJSON(b []byte) error {
	var in struct {
		verdictJSON
		TailK  json.RawMessage `json:"tail_k"`
		NumErr json.RawMessage `json:"num_err"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*v = Verdict(in.plainVerdict)
	v.Estimate, v.SE, v.Bound, v.Ratio, v.Alpha, v.Time = mc.OrNaN(in.Estimate), mc.OrNaN(in.SE), mc.OrNaN(in.Bound), mc.OrNaN(in.Ratio), mc.OrNaN(in.Alpha), mc.OrNaN(in.Time)
	v.Quantiles = nil
	for _, q := range in.Quantiles {
		v.Quantiles = append(v.Quantiles, mc.OrNaN(q))
	}
	// tail_k and num_err: absent is none (nil, 0), null non-finite (NaN).
	num := func(raw json.RawMessage) (*float64, error) {
		if raw == nil {
			return nil, nil
		}
		var p *float64
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, err
		}
		x := mc.OrNaN(p)
		return &x, nil
	}
	var err error
	if v.TailK, err = num(in.TailK); err != nil {
		return err
	}
	p, err := num(in.NumErr)
	if p != nil {
		v.NumErr = *p
	}
	return err
}

// Worse returns the worse of two outcomes: FAIL > INCONCLUSIVE > PASS >
// VACUOUS > "" (undecided).
func Worse(a, b Outcome) Outcome {
	rank := map[Outcome]int{Vacuous: 0, Pass: 1, Inconclusive: 2, Fail: 3, "": -1}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// BiasText renders the integrator's estimated bias of an SDE verdict's
// left-hand side, "b ± e (z se)" (format.Missing without one).
func (v Verdict) BiasText() string {
	b := v.IntegrationBias
	if b == nil || math.IsNaN(b.Mean) {
		return format.Missing
	}
	s := format.Num2(b.Mean) + " ± " + format.Sig(b.SE, 1)
	if v.SE > 0 {
		s += " (" + format.Num2(math.Abs(b.Mean)/v.SE) + " se)"
	}
	return s
}

// TailText renders the evidence on the left-hand side's tails: the
// analytical status (d = 1, SDE) or the Pareto tail shape k; else, for a
// VACUOUS verdict, which no values decided, nothing (format.Missing).
func (v Verdict) TailText(f *MomentFiniteness) string {
	switch {
	case v.Target == "sde" && f != nil:
		return fmt.Sprintf("mean %s, variance %s (analytical)", f.LHS, f.Variance)
	case v.Outcome == Vacuous && v.TailK == nil:
		return format.Missing
	case v.TailK != nil && *v.TailK >= TailKLimit:
		return fmt.Sprintf("heavy tail: k = %s (variance may be infinite)", format.Fixed(*v.TailK, 2))
	case v.TailK != nil:
		return fmt.Sprintf("k = %s < %s", format.Fixed(*v.TailK, 2), format.Param(TailKLimit))
	}
	return "no tail (flat or few values)"
}
