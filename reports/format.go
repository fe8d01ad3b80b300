package reports

import "github.com/sdeverify/sdeverify/internal/format"

// The formatter for every number people read is internal/format (the
// theorems' texts use it too); these are its names in this package. One
// rule per kind of value:
//
//   - a measured value (an estimate, an error bar, a ratio): 4 significant
//     digits ([Num]); an error bar or a shape parameter: 2 ([Num2]);
//   - a configured value (eta, a time, sigma): up to 6 significant
//     digits, without the float noise of its arithmetic ([Param]:
//     0.15000000000000002 is 0.15);
//   - infinity is "∞" (or "-∞"); a missing value (NaN: no estimate, no
//     error bar, no interval) is [Missing];
//   - a value with its error bar is "v ± e" ([PlusMinus]), an interval
//     "[lo, hi]" ([Interval]), a list "a, b, c" ([List]); a missing part
//     drops the brackets rather than print "[NaN, NaN]" or "[]".

// Missing is what a missing value (no estimate, no error bar, no
// interval) prints as.
const Missing = format.Missing

// Num formats a measured value with 4 significant digits.
func Num(x float64) string { return format.Num(x) }

// Num2 formats an error bar or a diagnostic with 2 significant digits.
func Num2(x float64) string { return format.Num2(x) }

func sig(x float64, digits int) string { return format.Sig(x, digits) }

// Param formats a configured value (a step size, a time, a scale): x
// rounded to 6 significant digits, written as briefly as that allows, so
// that the float noise of step*eta does not show (0.15000000000000002 is
// 0.15) and a grid's etas keep their digits (0.00078125).
func Param(x float64) string { return format.Param(x) }

// Fixed formats x with the given decimals, without a negative zero
// ("-0.00" is "0.00").
func Fixed(x float64, decimals int) string { return format.Fixed(x, decimals) }

// PlusMinus formats a value with its error bar, "v ± e"; without an error
// bar (NaN, or an infinite value) the value alone.
func PlusMinus(v, e float64) string { return format.PlusMinus(v, e) }

// WithErr formats a value with its error bar in parentheses, "v (e)";
// without one, the value alone.
func WithErr(v, e float64) string { return format.WithErr(v, e) }

// Interval formats [lo, hi]; Missing when either end is missing.
func Interval(lo, hi float64) string { return format.Interval(lo, hi) }

// List formats configured values as "a, b, c" (Missing when empty).
func List(xs []float64) string { return format.List(xs) }

// Words joins names as "a, b, c" (Missing when empty).
func Words(xs []string) string { return format.Words(xs) }

// Outcomes formats a map of outcomes by target, "sde FAIL, discrete PASS"
// (the SDE first, then the others by name), instead of Go's map syntax.
func Outcomes[V ~string](m map[string]V) string { return format.Outcomes(m) }

// Percent formats a fraction k/n as a percentage with 3 significant
// digits ("3%", "0.0188%"); Missing when n is 0.
func Percent(k, n int) string { return format.Percent(k, n) }
