package weak

import (
	"fmt"
	"math"
)

// A weak order is a statement about eta -> 0. A fit over a grid that has
// not reached the asymptotic regime, where err = C eta^p (1 + O(eta)), can
// return a confident interval that excludes the true order (a DCSGD study
// on 0.1 ... 0.0125 reported 0.879 [0.80, 0.96]; on 0.1 ... 0.003125 it
// is 1.017 [0.964, 1.071]). Two rules keep a grid from fooling the study:
//
//   - the interval is fitted over the asymptotic end of the grid, the
//     fitWindow smallest etas above the noise;
//   - the regime is checked: the local slopes between consecutive points
//     at that end, s_i = log(e_i/e_{i+1}) / log(eta_i/eta_{i+1}), must agree
//     within the interval reported (or within their own statistical noise,
//     z times the standard error of their difference). Otherwise the fit
//     reports no interval (Fit.Asymptotic false, with the slopes in its
//     note).
//
// The exact engine, whose small etas cost only time, extends the grid
// downwards (halving the smallest eta) until the study's first test
// function passes the check with an interval of half-width at most
// Options.OrderTol, or until maxExtraHalvings or maxSteps stop it, and then
// says so (Exact).

// fitWindow is the number of smallest resolved etas the order is fitted
// over (the exact engine's studies; Monte Carlo ones fit all points).
const fitWindow = 4

// maxExtraHalvings and maxSteps bound the exact engine's extension of the
// grid: at most 6 halvings below the smallest eta asked for, and no eta
// whose horizon takes more than 40000 steps.
const (
	maxExtraHalvings = 6
	maxSteps         = 40000
)

// localSlopes returns the local slopes between consecutive points (x the
// log etas, decreasing; y the log errors) and the standard error of each
// (delta method: the relative standard errors of the two errors, rel).
func localSlopes(x, y, rel []float64) (s, se []float64) {
	for i := 0; i+1 < len(x); i++ {
		dx := x[i] - x[i+1]
		s = append(s, (y[i]-y[i+1])/dx)
		se = append(se, math.Hypot(rel[i], rel[i+1])/math.Abs(dx))
	}
	return s, se
}

// checkAsymptotic sets f.Asymptotic from the last two local slopes over
// the used points: they must differ by at most the interval's half-width,
// or by at most z times their difference's standard error (noise). With
// fewer than three points there is nothing to check: no interval.
func checkAsymptotic(f *Fit, x, y, rel []float64, z float64) {
	if len(x) < 3 {
		f.Asymptotic = false
		f.Note = joinNote(f.Note, fmt.Sprintf("asymptotic regime not checked (%d points above the noise; three are needed): no interval", len(x)))
		f.Lo, f.Hi = math.NaN(), math.NaN()
		f.CI = []float64{math.NaN(), math.NaN()}
		return
	}
	s, se := localSlopes(x, y, rel)
	n := len(s)
	d := math.Abs(s[n-1] - s[n-2])
	half := (f.Hi - f.Lo) / 2
	noise := z * math.Hypot(se[n-1], se[n-2])
	f.LastSlopes = []float64{s[n-2], s[n-1]}
	if d <= half || d <= noise {
		f.Asymptotic = true
		return
	}
	f.Asymptotic = false
	f.Note = joinNote(f.Note, fmt.Sprintf("asymptotic regime not reached: the local slopes at the smallest etas, %s and %s, differ by %s, more than the interval's half-width %s: no interval",
		fmtSlope(s[n-2]), fmtSlope(s[n-1]), fmtSlope(d), fmtSlope(half)))
	f.Lo, f.Hi = math.NaN(), math.NaN()
	f.CI = []float64{math.NaN(), math.NaN()}
}

func fmtSlope(v float64) string { return fmt.Sprintf("%.3g", v) }

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// settled reports whether fit f is asymptotic with a half-width of at most
// tol: the exact engine's stopping rule.
func settled(f Fit, tol float64) bool {
	return f.Asymptotic && (f.Hi-f.Lo)/2 <= tol
}
