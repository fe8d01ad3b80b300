package exact

// The SDE's value: Euler-Maruyama on four levels of substeps,
// extrapolated to zero substep length, with its numerical error.

import "math"

// sdeValue combines a finite-difference SDE value's passes: e1, e2, e4 at
// m, 2m, 4m substeps per step on the main grid, sp on half the nodes and q
// on a quarter of the nodes (the radius term is radiusErr's, added by the
// caller). Three time levels remove c1/m and c2/m^2; two levels remove
// c1/m, and their difference is the time error (it can cancel: see
// emValue, which Euler-Maruyama uses).
//
// Richardson in the spacing h, u_h = u + C h^2 + ...: the correction from
// (h, 2h) is added. Its error: the change of the correction from (h, 2h)
// to (2h, 4h) scaled down to h, an eighth of the correction, and the
// difference to the correction of order 1, which is the scheme's order
// where it upwinds (a minimiser where noise proportional to the gradient
// vanishes: Figure 1's left SDE converged at order 1 from 1200 to 4800
// nodes). An order observed from the three grids was tried and was not
// reliable on smooth problems.
func sdeValue(e1, e2, e4, sp, q float64, nodes int) Value {
	ext := ext3(e1, e2, e4)
	ext2 := 2*e4 - e2
	r1 := spacing(nodes/2) / spacing(nodes)
	r2 := spacing(nodes/4) / spacing(nodes/2)
	d1, d2 := e1-sp, sp-q
	c1 := d1 / (r1*r1 - 1)
	c2 := d2 / (r2*r2 - 1)
	ext += c1
	space := math.Abs(c1-c2/(r1*r1)) + math.Abs(c1)/8 + math.Abs(d1/(r1-1)-c1)
	return Value{Value: ext, Err: math.Abs(ext3(e1, e2, e4)-ext2) + space}
}

// ext3 is Richardson's extrapolation over three levels of substep ratio 2
// (e1 the coarsest): a level's error c1/m + c2/m^2 + c3/m^3 + ... loses c1
// and c2, and c3/m^3 becomes c3/(8 m^3) (m the coarsest level's substeps).
func ext3(e1, e2, e4 float64) float64 { return (8*e4 - 6*e2 + e1) / 3 }

// emLevels are the Euler-Maruyama time levels for Settings.Substeps m:
// m/2, m, 2m and 4m substeps per step for an even m (the value is then
// extrapolated from m, 2m and 4m as with three levels, and the new level
// is the cheapest), otherwise m, 2m, 4m and 8m.
func emLevels(m int) [4]int {
	if m%2 == 0 {
		return [4]int{m / 2, m, 2 * m, 4 * m}
	}
	return [4]int{m, 2 * m, 4 * m, 8 * m}
}

// emValue combines the Euler-Maruyama levels (emLevels) on the main grid
// (full) and on half its nodes (half); the radius term is radiusErr's,
// added by the caller.
//
// Time. A level's error is c1/l + c2/l^2 + c3/l^3 + ... for l substeps per
// step. The value is ext3 of the three finest levels, whose error is
// c3/(64 l0^3) + O(l0^-4) (l0 the coarsest level). Three levels alone
// estimated it by the difference to the two-level extrapolation, about
// c2/(8 l^2) + 7 c3/(32 l^3) at the value's coarsest level l, which
// vanishes when c2 and c3 have opposite signs although the error does not
// (DSGD's SDE on x^2/2 with sigma1 = 1.5: 2.4 bars against the closed
// form). With four levels the estimate is the larger of two indicators:
// |ext3 of the coarsest three - ext3 of the finest three| = 7 |c3|/(64
// l0^3) + O(l0^-4) (seven times the error, free of c2) and |ext2 of the
// finest two - ext3 of the finest three| (c2 and c3 terms, free of the c3
// and c4 cancellation the first can have). Both vanish together only where
// c2, c3 and c4 satisfy two relations at once.
//
// Space. The same combination of the half-grid levels; the spatial error
// is the difference of the two combinations (a finer level takes more
// interpolated substeps, and its spatial error is larger: on the same
// GBM with sigma1 = 4, 1.8e-6 at 16 substeps where 4 substeps have 2e-8).
func emValue(full, half [4]float64) Value {
	ext := ext3(full[1], full[2], full[3])
	terr := math.Max(math.Abs(ext3(full[0], full[1], full[2])-ext), math.Abs(2*full[3]-full[2]-ext))
	space := math.Abs(ext - ext3(half[1], half[2], half[3]))
	return Value{Value: ext, Err: terr + space}
}

// maxTailRatio is the largest ratio of successive radius differences
// (radiusErr) for which the geometric tail is summed; above it the radius
// error is unresolved.
const maxTailRatio = 0.9

// radiusErr is the radius term of a value's error from its differences
// d1 = v(R) - v(1.5R) and d2 = v(1.5R) - v(2.25R) (d2 NaN: no third radius,
// on an absorbing grid, where moving the edge changes the functional
// itself and |d1| is the term), noise the size of the rounding and
// interpolation floor under which a difference says nothing.
//
// The error of v(R) is the sum of the differences over the radii 1.5^j R.
// Where mass keeps leaving a grid that holds it, the error decays like a
// power of R, R^-alpha (power-law tails), and the differences are
// geometric with ratio rho = 1.5^-alpha: the error is d1/(1 - rho), which
// |d1| alone underestimates by 1/(1 - rho) (DSGD on x^2/2 with sigma1 = 4:
// rho = 0.91, 7 bars). Tails that fall faster make the ratios shrink, and
// the sum with the first ratio bounds them. So: rho = d2/d1 in (0,
// maxTailRatio): |d1|/(1 - rho); rho <= 0 (not a monotone tail) or a
// difference within the noise: |d1| + |d2|; rho >= maxTailRatio (the
// differences are not converging: a radius that holds the law is too far
// to bound from three): +Inf, the value unresolved.
func radiusErr(d1, d2, noise float64) float64 {
	a, b := math.Abs(d1), math.Abs(d2)
	switch {
	case math.IsNaN(d2):
		return a
	case a <= noise || b <= noise:
		return a + b
	}
	rho := d2 / d1
	switch {
	case rho <= 0:
		return a + b
	case rho >= maxTailRatio:
		return math.Inf(1)
	}
	return a / (1 - rho)
}

// spacing is the grid step (in the grid coordinate) of n nodes over a
// fixed range, up to the common factor.
func spacing(n int) float64 { return 1 / float64(n-1) }
