package exact

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/model"
)

// Finiteness says whether an expectation is finite.
type Finiteness int

const (
	// Unknown: the classification does not decide it (say why).
	Unknown Finiteness = iota
	// Finite: E g(X_t) < infinity for every t in the horizon.
	Finite
	// Infinite: E g(X_t) = infinity for every t > 0.
	Infinite
)

func (f Finiteness) String() string {
	switch f {
	case Finite:
		return "finite"
	case Infinite:
		return "infinite"
	}
	return "unknown"
}

// MarshalText makes a Finiteness a JSON string.
func (f Finiteness) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText reads what MarshalText writes.
func (f *Finiteness) UnmarshalText(b []byte) error {
	switch string(b) {
	case "finite":
		*f = Finite
	case "infinite":
		*f = Infinite
	case "unknown":
		*f = Unknown
	default:
		return fmt.Errorf("finiteness %q: want finite, infinite or unknown", b)
	}
	return nil
}

// Boundary is the classification of one end (+inf or -inf) of a
// one-dimensional SDE dX = mu(X) dt + s(X) dW (docs/math.md section 8).
type Boundary struct {
	Side string `json:"side"` // "+inf" or "-inf"
	// Kind is Feller's class: natural, entrance (the process comes down from
	// infinity, never reaches it), or "" when undecided.
	Kind string `json:"kind"`
	// Attainable: infinity is reached in finite time (explosion). Only
	// meaningful when Kind is set.
	Attainable bool `json:"attainable"`
	// DriftPower and DiffusionPower are the exponents a and s of
	// |mu(y)| ~ A |y|^a (mu pointing inwards) and s(y)^2 ~ B |y|^s as |y|
	// grows; MomentBound is the supremum of the q with E|X_t|^q finite
	// (+Inf: every moment).
	DriftPower     float64 `json:"drift_power"`
	DiffusionPower float64 `json:"diffusion_power"`
	MomentBound    float64 `json:"moment_bound"`
	// SubGaussian: the coefficients are bounded, so X_t has sub-Gaussian
	// tails and E g(X_t) is finite for every g of at most exponential growth.
	SubGaussian bool   `json:"sub_gaussian,omitempty"`
	Reason      string `json:"reason"`
}

// MarshalJSON writes the exponents and the moment bound as numbers, +Inf
// as the string "+Inf" and NaN (undecided) as null.
func (b Boundary) MarshalJSON() ([]byte, error) {
	type plain Boundary
	num := func(v float64) any {
		switch {
		case math.IsInf(v, 1):
			return "+Inf"
		case math.IsNaN(v) || math.IsInf(v, 0):
			return nil
		}
		return v
	}
	return json.Marshal(struct {
		plain
		DriftPower     any `json:"drift_power"`
		DiffusionPower any `json:"diffusion_power"`
		MomentBound    any `json:"moment_bound"`
	}{plain(b), num(b.DriftPower), num(b.DiffusionPower), num(b.MomentBound)})
}

// UnmarshalJSON reads what MarshalJSON writes ("+Inf", null as NaN).
func (b *Boundary) UnmarshalJSON(data []byte) error {
	type plain Boundary
	var v struct {
		plain
		DriftPower     any `json:"drift_power"`
		DiffusionPower any `json:"diffusion_power"`
		MomentBound    any `json:"moment_bound"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	num := func(name string, x any) (float64, error) {
		switch t := x.(type) {
		case nil:
			return math.NaN(), nil
		case float64:
			return t, nil
		case string:
			if t == "+Inf" {
				return math.Inf(1), nil
			}
		}
		return 0, fmt.Errorf("boundary %s: %v is not a number, \"+Inf\" or null", name, x)
	}
	*b = Boundary(v.plain)
	var err error
	if b.DriftPower, err = num("drift_power", v.DriftPower); err != nil {
		return err
	}
	if b.DiffusionPower, err = num("diffusion_power", v.DiffusionPower); err != nil {
		return err
	}
	b.MomentBound, err = num("moment_bound", v.MomentBound)
	return err
}

// Tails is the classification of both ends of the SDE of a one-dimensional
// system.
type Tails struct {
	Plus  Boundary `json:"plus"`
	Minus Boundary `json:"minus"`
}

// Classify decides, for the SDE of the one-dimensional system sys at base
// step eta, whether +inf and -inf are attainable (explosion) and which
// moments of the time-t law are finite. rate is the schedule's value as a
// function of the state (nil: a schedule that does not read the state; a
// deterministic schedule, bounded away from 0 and infinity on the horizon,
// changes no exponent below and so no conclusion).
//
// Method (docs/math.md section 8). With mu ~ -A y^a (inwards) and
// s^2 ~ B y^s as y -> +inf, estimated as log-log slopes over [1e4, 1e8]
// and accepted only when the slopes over [1e4, 1e6] and [1e6, 1e8] agree:
//
//   - a - s > -1, or s <= 2: V = 1 + |y|^q has LV <= C V for every q, so
//     every moment is finite (Gronwall) and infinity is not attainable
//     (natural boundary);
//   - a - s = -1 and s > 2: the scale density grows like y^(2A/B) and +inf
//     is an entrance boundary with E|X_t|^q finite exactly when
//     q < s - 1 + 2A/B (A/B estimated as |mu| y / s^2 at 1e6 and 1e8);
//   - a - s < -1 and s > 2: the scale density tends to a positive constant
//     and N(+inf) = int S m < inf, so +inf is an entrance boundary: never
//     reached, and since the transition density with respect to the speed
//     measure m ~ y^-s extends continuously and positively to an entrance
//     boundary, E|X_t|^q < inf exactly when q < s - 1.
//
// A method with a bounded update (model.UpdateBounder: DSignSGD, |U| <= 1)
// has bounded coefficients (|mu| <= B rate, s^2 <= B^2 rate^2 eta/N), so
// its every moment is finite. Anything else (outward drift, growth that
// is not a power of y, non-finite coefficients) is left undecided.
func Classify(sys model.System, eta float64, rate func(x float64) float64) (Tails, error) {
	if d := sys.F.Dim(); d != 1 {
		return Tails{}, model.Invalid("objective.dim", d, "the tail classification is one-dimensional")
	}
	if err := sys.ValidateSDE(); err != nil {
		return Tails{}, err
	}
	if !(eta > 0) || math.IsInf(eta, 0) {
		return Tails{}, model.Invalid("eta", eta, "must be finite and > 0")
	}
	n := float64(len(sys.Agents))
	coef := func(x float64) (mu, s2 float64) {
		b, sig := Coefficients(sys, x)
		r := 1.0
		if rate != nil {
			r = rate(x)
		}
		return -r * b, r * r * eta * sig / n
	}
	if ub, ok := sys.Method.(model.UpdateBounder); ok && rate == nil && !math.IsInf(ub.UpdateBound(sys), 1) {
		reason := fmt.Sprintf("%s's update is bounded (|U| <= %g), so are its SDE's drift and diffusion: X_t - x0 is a bounded drift plus a martingale of bounded quadratic variation: sub-Gaussian tails, no explosion", sys.Method, ub.UpdateBound(sys))
		all := func(side string) Boundary {
			return Boundary{Side: side, Kind: "natural", MomentBound: math.Inf(1), SubGaussian: true, Reason: reason}
		}
		return Tails{Plus: all("+inf"), Minus: all("-inf")}, nil
	}
	return Tails{Plus: classifySide(coef, 1), Minus: classifySide(coef, -1)}, nil
}

// slope is the log-log slope of |h| between y1 and y2 (NaN if either value
// is zero or not finite).
func slope(h func(float64) float64, y1, y2 float64) float64 {
	a, b := math.Abs(h(y1)), math.Abs(h(y2))
	if !(a > 0) || !(b > 0) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return math.NaN()
	}
	return (math.Log(b) - math.Log(a)) / (math.Log(y2) - math.Log(y1))
}

// power returns the growth exponent of |h| at infinity along direction dir,
// and whether it is a power law (stable slopes).
func power(h func(float64) float64, dir float64) (float64, bool) {
	g := func(y float64) float64 { return h(dir * y) }
	p1, p2 := slope(g, 1e4, 1e6), slope(g, 1e6, 1e8)
	if math.IsNaN(p1) || math.IsNaN(p2) || math.Abs(p1-p2) > 1e-2*math.Max(1, math.Abs(p2)) {
		return math.NaN(), false
	}
	return roundPower(p2), true
}

// roundPower snaps an estimated exponent to a multiple of 1e-3 when it is
// that close (lower-order terms leave ~1e-8 at y = 1e8), so that the
// borderline comparisons below (q < s - 1) are decided on the exponent.
func roundPower(p float64) float64 {
	if r := math.Round(p*1000) / 1000; math.Abs(r-p) < 1e-4 {
		return r
	}
	return p
}

func classifySide(coef func(float64) (float64, float64), dir float64) Boundary {
	bd := Boundary{Side: "+inf", MomentBound: math.NaN(), DriftPower: math.NaN(), DiffusionPower: math.NaN()}
	if dir < 0 {
		bd.Side = "-inf"
	}
	// Inward drift at every probe point.
	for _, y := range []float64{1e4, 1e5, 1e6, 1e7, 1e8} {
		mu, _ := coef(dir * y)
		if !(mu*dir < 0) {
			bd.Reason = fmt.Sprintf("the drift does not point inwards at %g (mu = %g): not decided", dir*y, mu)
			return bd
		}
	}
	a, okA := power(func(x float64) float64 { mu, _ := coef(x); return mu }, dir)
	s, okS := power(func(x float64) float64 { _, s2 := coef(x); return s2 }, dir)
	if !okA || !okS {
		bd.Reason = "the drift or the diffusion does not grow like a power of |x| over [1e4, 1e8] (or overflows): not decided"
		return bd
	}
	bd.DriftPower, bd.DiffusionPower = a, s
	// A/B, the ratio of the leading constants (needed only when a - s = -1).
	ratio := func(y float64) float64 { mu, s2 := coef(dir * y); return math.Abs(mu) * y / s2 }
	switch {
	case a-s > -1 || s <= 2:
		bd.Kind, bd.MomentBound = "natural", math.Inf(1)
		bd.Reason = fmt.Sprintf("|mu| ~ |x|^%g inwards, s^2 ~ |x|^%g: V = 1 + |x|^q has LV <= C V for every q, so every moment is finite and infinity is not attainable", a, s)
	case a-s == -1:
		r1, r2 := ratio(1e6), ratio(1e8)
		if !(r2 > 0) || math.Abs(r1-r2) > 1e-3*r2 {
			bd.Reason = fmt.Sprintf("|mu| ~ |x|^%g, s^2 ~ |x|^%g, but the ratio of their constants is not stable (%g, %g): not decided", a, s, r1, r2)
			return bd
		}
		bd.Kind, bd.MomentBound = "entrance", s-1+2*r2
		bd.Reason = fmt.Sprintf("|mu| ~ A |x|^%g inwards, s^2 ~ B |x|^%g with 2A/B = %.4g: the speed density decays like |x|^-%.4g, so %s is an entrance boundary (never reached) and E|X_t|^q is finite exactly when q < %.4g", a, s, 2*r2, s+2*r2, bd.Side, bd.MomentBound)
	default:
		bd.Kind, bd.MomentBound = "entrance", s-1
		bd.Reason = fmt.Sprintf("|mu| ~ |x|^%g inwards, s^2 ~ |x|^%g: the scale density tends to a constant and the speed density decays like |x|^-%g, so %s is an entrance boundary (never reached) and E|X_t|^q is finite exactly when q < %g", a, s, s, bd.Side, s-1)
	}
	return bd
}

// Moment says whether E g(X_t) is finite for a test function g, from the
// growth of |g| at both ends: g ~ |x|^k is finite at an end exactly when
// k < MomentBound there. A g that does not grow like a power is unknown.
func (t Tails) Moment(g func(float64) float64) (Finiteness, string) {
	out, why := Finite, ""
	for _, b := range []Boundary{t.Plus, t.Minus} {
		dir := 1.0
		if b.Side == "-inf" {
			dir = -1
		}
		if b.Kind == "" {
			return Unknown, b.Reason
		}
		if b.SubGaussian && atMostExponential(g, dir) {
			continue
		}
		if math.IsInf(b.MomentBound, 1) {
			// Every polynomial moment is finite; g must grow at most like one.
			if k, ok := power(g, dir); ok && !math.IsNaN(k) {
				continue
			}
			if math.Abs(g(dir*1e8)) <= 1 {
				continue
			}
			return Unknown, fmt.Sprintf("the test function does not grow like a power of |x| at %s", b.Side)
		}
		k, ok := power(g, dir)
		if !ok {
			if math.Abs(g(dir*1e8)) <= 1 {
				continue
			}
			return Unknown, fmt.Sprintf("the test function does not grow like a power of |x| at %s", b.Side)
		}
		if k >= b.MomentBound {
			return Infinite, fmt.Sprintf("g grows like |x|^%g at %s and E|X_t|^q is finite only for q < %g there (%s)", k, b.Side, b.MomentBound, b.Reason)
		}
		why = fmt.Sprintf("g grows like |x|^%g at %s, below the moment bound %g", k, b.Side, b.MomentBound)
	}
	if why == "" {
		why = "every moment of X_t is finite at both ends"
		if t.Plus.SubGaussian && t.Minus.SubGaussian {
			why = "X_t has sub-Gaussian tails and g grows at most exponentially"
		}
	}
	return out, why
}

// EscapeBound bounds the probability that the SDE of the one-dimensional
// system sys, at base step eta and constant schedule value rate (0 means
// 1), started at x0, reaches |X_t| >= R at some t <= T. It returns 1 (no
// information) with the reason when the certificate below does not apply.
//
// Certificate (docs/math.md section 8): V(x) = sqrt(1 + x^2) has
// LV = mu x / V + s^2 / (2 V^3). If LV <= c for all x, then
// V(X_t) + c (T - t) is a nonnegative supermartingale on [0, T] (localised
// at the exits of [-n, n], which also shows that X does not explode), and
// Ville's maximal inequality gives
//
//	P(sup_{t<=T} |X_t| >= R) <= (V(x0) + c T) / V(R).
//
// c is the largest LV on a grid of 2 x 4000 points, geometric in |x| over
// [1e-6, 1e8], plus 10% of its size; beyond 1e8, LV must decrease along
// the grid's last decades (the drift's power a >= the diffusion's s - 3,
// with LV negative there). This is a numerical certificate: a sup taken on
// a fine grid of a smooth function, not an interval-arithmetic proof.
func EscapeBound(sys model.System, eta, rate, x0, T, R float64) (float64, string, error) {
	if d := sys.F.Dim(); d != 1 {
		return 1, "", model.Invalid("objective.dim", d, "the escape bound is one-dimensional")
	}
	if err := sys.ValidateSDE(); err != nil {
		return 1, "", err
	}
	if rate == 0 {
		rate = 1
	}
	n := float64(len(sys.Agents))
	lv := func(x float64) float64 {
		b, sig := Coefficients(sys, x)
		mu, s2 := -rate*b, rate*rate*eta*sig/n
		v := math.Sqrt(1 + x*x)
		return mu*x/v + s2/(2*v*v*v)
	}
	c := lv(0)
	const perSide = 4000
	for _, dir := range []float64{1, -1} {
		for i := range perSide {
			x := dir * math.Pow(10, -6+14*float64(i)/(perSide-1))
			l := lv(x)
			if math.IsNaN(l) {
				return 1, fmt.Sprintf("LV is not finite at x = %g", x), nil
			}
			c = math.Max(c, l)
		}
		// The tail: LV negative and decreasing over the last two decades.
		prev := math.Inf(1)
		for _, y := range []float64{1e6, 1e7, 1e8} {
			l := lv(dir * y)
			if !(l < 0) || !(l < prev) {
				return 1, fmt.Sprintf("LV does not decrease to -infinity at %s (LV(%g) = %g): the diffusion outgrows the drift, no certificate", map[bool]string{true: "+inf", false: "-inf"}[dir > 0], dir*y, l), nil
			}
			prev = l
		}
	}
	c = math.Max(0, c*1.1)
	v0 := math.Sqrt(1 + x0*x0)
	bound := math.Min(1, (v0+c*T)/math.Sqrt(1+R*R))
	why := fmt.Sprintf("V = sqrt(1+x^2) has LV <= c = %.4g on the whole line, so P(sup_{t<=%g} |X_t| >= %g) <= (V(x0) + c T)/V(R) = %.3g (Ville's inequality; the SDE does not explode)", c, T, R, bound)
	return bound, why, nil
}

// atMostExponential reports whether log|g| grows at most linearly along
// direction dir: finite at |y| = 10, 20, 40 (low enough that e^(4|y|), a
// cosh-like g squared twice, stays finite), with the slope of log|g| over
// [20, 40] not above its slope over [10, 20] (1% tolerance).
func atMostExponential(g func(float64) float64, dir float64) bool {
	var l [3]float64
	for i, y := range []float64{10, 20, 40} {
		v := math.Abs(g(dir * y))
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return false
		}
		l[i] = math.Log(math.Max(v, 1))
	}
	s1, s2 := (l[1]-l[0])/10, (l[2]-l[1])/20
	return s2 <= math.Abs(s1)*1.01+1e-9
}
