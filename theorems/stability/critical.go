package stability

import (
	"math"

	"github.com/sdeverify/sdeverify/internal/format"
)

// Critical is a model's critical step eta*(q) = min {eta : p(eta, R) >= q}
// on a curve, with its uncertainty.
//
// The bracket uses the engine's error bars and no interpolation: a grid
// step with p + err < q is certainly below the level, one with p - err >= q
// certainly above it, and Lo is the largest step certainly below that lies
// under Hi, the smallest certainly above. If p increases with eta (Monotone
// says whether the points are consistent with that within their bars),
// eta* lies in (Lo, Hi]. Lo = 0 when no step below Hi is certainly below
// the level; Hi = +Inf when none is certainly above it.
//
// Eta is the interpolated estimate: between the first grid step whose p
// reaches q and the one before it, log p is taken linear in log eta (p
// linear in log eta where the lower p is not positive). ILo and IHi are
// the same interpolation of p + err and p - err: the engine's bars carried
// through the interpolation, which adds its own error (the curvature of
// log p between the nodes); the bracket does not depend on it.
type Critical struct {
	Level float64 `json:"level"`
	// Status: bracketed (0 < Lo < Hi < inf), above-grid (no step certainly
	// reaches q: eta* > Lo), below-grid (the smallest step is not certainly
	// below q: eta* <= Hi), or unresolved.
	Status   string  `json:"status"`
	Eta      float64 `json:"eta"`
	Lo       float64 `json:"lo"`
	Hi       float64 `json:"hi"`
	ILo      float64 `json:"ilo"`
	IHi      float64 `json:"ihi"`
	Monotone bool    `json:"monotone"`
}

// CriticalStep returns the critical step at level q from the points of a
// curve (sorted by eta; points with a note are skipped).
func CriticalStep(pts []Point, q float64) Critical {
	var eta, p, e []float64
	for _, pt := range pts {
		if pt.Note != "" || math.IsNaN(pt.Escape.Value) {
			continue
		}
		eta, p, e = append(eta, pt.Eta), append(p, pt.Escape.Value), append(e, pt.Escape.Err)
	}
	c := Critical{Level: q, Lo: 0, Hi: math.Inf(1), Eta: math.NaN(), ILo: math.NaN(), IHi: math.NaN(), Monotone: true}
	for i := range p {
		for j := i + 1; j < len(p); j++ {
			if p[i]-e[i] > p[j]+e[j] {
				c.Monotone = false
			}
		}
	}
	hi := len(p)
	for i := range p {
		if p[i]-e[i] >= q {
			hi = i
			c.Hi = eta[i]
			break
		}
	}
	for i := 0; i < hi; i++ {
		if p[i]+e[i] < q {
			c.Lo = eta[i]
		}
	}
	switch {
	case len(p) == 0:
		c.Status = "unresolved"
	case c.Lo > 0 && !math.IsInf(c.Hi, 1):
		c.Status = "bracketed"
	case c.Lo > 0:
		c.Status = "above-grid"
	case !math.IsInf(c.Hi, 1):
		c.Status = "below-grid"
	default:
		c.Status = "unresolved"
	}
	shift := func(s float64) []float64 {
		out := make([]float64, len(p))
		for i := range p {
			out[i] = p[i] + s*e[i]
		}
		return out
	}
	c.Eta = crossing(eta, p, q)
	c.ILo = crossing(eta, shift(1), q)
	c.IHi = crossing(eta, shift(-1), q)
	// The three crossings can interpolate differently (log p where the
	// curve's lower value is positive, p otherwise), which can put the
	// estimate outside the interval or reverse it where p rises steeply
	// from a value its bar does not exclude from 0: the interval is the
	// hull of the three.
	if !math.IsNaN(c.Eta) {
		if !math.IsNaN(c.ILo) {
			c.ILo = math.Min(c.ILo, c.Eta)
		}
		if !math.IsNaN(c.IHi) {
			c.IHi = math.Max(c.IHi, c.Eta)
		}
	}
	if !math.IsNaN(c.ILo) && !math.IsNaN(c.IHi) && c.ILo > c.IHi {
		c.ILo, c.IHi = c.IHi, c.ILo
	}
	if len(p) > 0 {
		switch {
		case p[0]+e[0] >= q:
			c.ILo = 0 // the upper curve is at q from the grid's first step
		case math.IsNaN(c.ILo):
			c.ILo = eta[len(eta)-1] // nor does the upper curve reach q on the grid
		}
		switch {
		case p[0]-e[0] >= q:
			c.IHi = eta[0]
		case math.IsNaN(c.IHi):
			c.IHi = math.Inf(1) // the lower curve never reaches q on the grid
		}
	}
	return c
}

// crossing interpolates the first crossing of level q by the sampled
// curve p(eta): NaN when p never reaches q or already does at the first
// step.
func crossing(eta, p []float64, q float64) float64 {
	for i := range p {
		if p[i] < q {
			continue
		}
		if i == 0 {
			return math.NaN()
		}
		x0, x1 := math.Log(eta[i-1]), math.Log(eta[i])
		if p[i-1] > 0 {
			y0, y1 := math.Log(p[i-1]), math.Log(p[i])
			return math.Exp(x0 + (x1-x0)*(math.Log(q)-y0)/(y1-y0))
		}
		return math.Exp(x0 + (x1-x0)*(q-p[i-1])/(p[i]-p[i-1]))
	}
	return math.NaN()
}

// bisect returns the geometric midpoint of the widest gap of a bracket to
// compute next, or false when the bracket is not finite or every gap is
// within 1%. The gaps are between Lo, the points inside the bracket (whose
// bars straddle the level) and Hi: bisecting the first gap can raise Lo,
// the last lower Hi; a bracket whose gaps are all narrow is limited by the
// engine's resolution, not the grid's.
func bisect(c Critical, pts []Point) (float64, bool) {
	if c.Status != "bracketed" {
		return 0, false
	}
	edges := []float64{c.Lo}
	for _, p := range pts {
		if p.Eta > c.Lo && p.Eta < c.Hi {
			edges = append(edges, p.Eta)
		}
	}
	edges = append(edges, c.Hi)
	best, at := 1.01, -1
	for _, i := range []int{0, len(edges) - 2} {
		if r := edges[i+1] / edges[i]; r > best {
			best, at = r, i
		}
	}
	if at < 0 {
		return 0, false
	}
	return format.RoundSig(math.Sqrt(edges[at]*edges[at+1]), 12), true
}
