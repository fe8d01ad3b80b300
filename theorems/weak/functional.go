package weak

import (
	"fmt"
	"math"
	"strings"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
)

// A study's Result.Functional states which expectation its E g(x_k) is.
// Def. 3 asks for E g(x_k) itself, for every g of polynomial growth; what
// an engine can compute is a truncation of it: the exact engine's chain
// stopped (or killed) where it leaves the grid, Monte Carlo's mean over
// the paths it drew. For DSignSGD (bounded steps) the two agree. For DSGD
// and DCSGD with unbounded noise on a superlinear gradient they do not:
// E f(x_{T/eta}) tends to infinity as eta -> 0 (exact.Divergence,
// docs/math.md section 7.2, finding F8), carried by escapes far too rare
// to be drawn or to survive the grid.

// exactFunctional is Result.Functional for a study by the exact engine
// under settings s.
func exactFunctional(run mc.Problem, s exact.Settings, pts []Point, horizon float64) string {
	x0 := run.X0[0]
	out := fmt.Sprintf("Measured: %s; the SDE's law on the same grid (its mass beyond R is in the error estimate, which includes the grid on 1.5 R).", s.Functional(x0))
	return out + " " + defThree(run, pts, horizon, s.GridRadius(x0), 0)
}

// mcFunctional is Result.Functional for a Monte Carlo study.
func mcFunctional(run mc.Problem, o Options, pts []Point) string {
	sde := fmt.Sprintf("Euler-Maruyama paths of the SDE at %d and %d substeps a step, extrapolated to zero substep (see the study's reference)", o.Substeps, 2*o.Substeps)
	if o.NoRefine {
		sde = fmt.Sprintf("Euler-Maruyama paths of the SDE (%d substeps a step)", o.Substeps)
	}
	out := fmt.Sprintf("Measured: the mean of g(x_k) over the %d paths drawn from the discrete method, and of g(X_{k eta}) over %d %s; a path that overflowed would make it non-finite.", o.Paths, o.Paths, sde)
	return out + " " + defThree(run, pts, o.Horizon, math.Inf(1), o.Paths)
}

// defThree says how the measured functional relates to Def. 3's
// E g(x_k): equal for a method whose update is bounded
// (model.UpdateBounder: DSignSGD), whose steps are bounded (within a grid
// of radius r; +Inf for Monte Carlo); for DSGD and DCSGD the lower bound
// on E f(x_{T/eta}) of exact.Divergence at each eta of the study.
// paths > 0: a Monte Carlo study.
func defThree(run mc.Problem, pts []Point, horizon, r float64, paths int) string {
	sys, x0 := run.System, run.X0[0]
	if sys.F.Dim() != 1 {
		return "Def. 3's E g(x_k) is this where no path escapes; no divergence bound is implemented in d > 1."
	}
	// A bounded update (|U| <= bound: DSignSGD's 1) keeps every path
	// within |x0| + bound eta sum_j eta_j.
	ub, bounded := sys.Method.(model.UpdateBounder)
	bound, by := 0.0, ""
	if bounded {
		bound = ub.UpdateBound(sys)
		if bound != 1 {
			by = fmt.Sprintf("%g ", bound)
		}
	}
	var parts []string
	launch, reach := math.Inf(-1), 0.0
	why := ""
	for _, p := range pts {
		k := int(math.Round(horizon / p.Eta))
		steps := make([]float64, k)
		re := math.Abs(x0)
		for j := range steps {
			steps[j] = p.Eta * run.Schedule.Rate(model.StepInfo{K: j, T: float64(j) * p.Eta})
			re += bound * steps[j]
		}
		reach = math.Max(reach, re)
		b, err := exact.Divergence(sys, x0, steps, exact.Growth{})
		if err != nil {
			return fmt.Sprintf("No divergence bound (%v).", err)
		}
		if !b.Applies {
			why = b.Why
			continue
		}
		parts = append(parts, fmt.Sprintf("%s at eta = %g", pow10(b), p.Eta))
		launch = math.Max(launch, b.Log10Launch)
	}
	switch {
	case len(parts) == 0 && bounded && paths > 0:
		return fmt.Sprintf("%s's steps are bounded: |x_k| <= |x0| + %seta sum_j eta_j <= %.4g, so every g(x_k) is bounded and this estimates Def. 3's E g(x_k) itself (immune to F8).", sys.Method, by, reach)
	case len(parts) == 0 && bounded && reach < r:
		return fmt.Sprintf("%s's steps are bounded: |x_k| <= |x0| + %seta sum_j eta_j <= %.4g < R, so nothing leaves the grid and this is Def. 3's E g(x_k) itself (immune to F8).", sys.Method, by, reach)
	case len(parts) == 0:
		return fmt.Sprintf("Where paths leave, this differs from Def. 3's E g(x_k); no divergence bound here: %s.", why)
	}
	out := "This is not Def. 3's E g(x_k), which escapes dominate: with unbounded noise the method leaves the stable region with a tiny positive probability and then grows doubly exponentially (|x_{k+1}| ~ eta |f'(x_k)|), and E f(x_{T/eta}) >= " +
		strings.Join(parts, ", ") + " (exact.Divergence, docs/math.md section 7.2; finding F8)"
	if paths > 0 && !math.IsInf(launch, 0) {
		out += fmt.Sprintf(". The escapes behind these bounds start with a launch of probability about 10^(%.3g) or less, never among %d paths", launch, paths)
	}
	return out + "."
}

// pow10 formats a divergence bound: 10^(x), or 10^(10^(y)) beyond
// float64's range, or "infinite".
func pow10(b exact.DivergenceBound) string {
	switch {
	case b.Infinite:
		return "+inf"
	case math.IsInf(b.Log10, 1):
		return fmt.Sprintf("10^(10^%.4g)", b.Log10Log10)
	}
	return fmt.Sprintf("10^(%.3g)", b.Log10)
}
