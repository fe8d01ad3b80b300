// Package format writes numbers, errors, intervals, lists and missing
// values for people: the one formatter of every text sdeverify prints
// (the report, the command line's tables and messages, the theorems'
// verdicts and hypotheses, the figures' legends). The reports package
// re-exports it (reports.Num, reports.Param, ...).
package format

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// One rule per kind of value:
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
const Missing = "-"

// Num formats a measured value with 4 significant digits.
func Num(x float64) string { return Sig(x, 4) }

// Num2 formats an error bar or a diagnostic with 2 significant digits.
func Num2(x float64) string { return Sig(x, 2) }

// Sig formats x with the given significant digits, under the same rules
// as Num: "∞", Missing for NaN, no "-0", a short exponent.
func Sig(x float64, digits int) string {
	switch {
	case math.IsNaN(x):
		return Missing
	case math.IsInf(x, 1):
		return "∞"
	case math.IsInf(x, -1):
		return "-∞"
	case x == 0:
		return "0" // no "-0"
	}
	s := strconv.FormatFloat(x, 'g', digits, 64)
	if s == "-0" {
		return "0"
	}
	return shortExp(s)
}

// shortExp writes an exponent without its plus sign and leading zeros,
// "1.779e+04" as "1.779e4" and "5e-07" as "5e-7", as the figures' axes do.
func shortExp(s string) string {
	i := strings.IndexByte(s, 'e')
	if i < 0 {
		return s
	}
	mant, exp := s[:i], s[i+1:]
	sign := ""
	switch exp[0] {
	case '-':
		sign, exp = "-", exp[1:]
	case '+':
		exp = exp[1:]
	}
	return mant + "e" + sign + strings.TrimLeft(exp[:len(exp)-1], "0") + exp[len(exp)-1:]
}

// Param formats a configured value (a step size, a time, a scale): x
// rounded to 6 significant digits, written as briefly as that allows, so
// that the float noise of step*eta does not show (0.15000000000000002 is
// 0.15) and a grid's etas keep their digits (0.00078125).
func Param(x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return Sig(x, 4)
	case x == 0:
		return "0"
	}
	return shortExp(strconv.FormatFloat(RoundSig(x, 6), 'g', -1, 64))
}

// RoundSig returns x rounded to the given significant digits: the float
// nearest the decimal they write. A time computed as step*eta and
// recorded as RoundSig(step*eta, 12) is the decimal the user configured
// (0.3, not 0.30000000000000004) wherever it is printed, JSON included;
// rounding again changes nothing. NaN and infinities are returned as they
// are.
func RoundSig(x float64, digits int) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 {
		return x
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', digits, 64), 64)
	if err != nil {
		return x
	}
	return r
}

// Fixed formats x with the given decimals, without a negative zero
// ("-0.00" is "0.00").
func Fixed(x float64, decimals int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return Sig(x, 4)
	}
	s := strconv.FormatFloat(x, 'f', decimals, 64)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	return s
}

// PlusMinus formats a value with its error bar, "v ± e"; without an error
// bar (NaN, or an infinite value) the value alone.
func PlusMinus(v, e float64) string {
	if math.IsNaN(e) || math.IsInf(v, 0) || math.IsNaN(v) {
		return Num(v)
	}
	return Num(v) + " ± " + Num2(e)
}

// WithErr formats a value with its error bar in parentheses, "v (e)";
// without one, the value alone.
func WithErr(v, e float64) string {
	if math.IsNaN(e) || math.IsInf(v, 0) || math.IsNaN(v) {
		return Num(v)
	}
	return Num(v) + " (" + Num2(e) + ")"
}

// Interval formats [lo, hi]; Missing when either end is missing.
func Interval(lo, hi float64) string {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return Missing
	}
	return "[" + Num(lo) + ", " + Num(hi) + "]"
}

// List formats configured values as "a, b, c" (Missing when empty).
func List(xs []float64) string {
	if len(xs) == 0 {
		return Missing
	}
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = Param(x)
	}
	return strings.Join(parts, ", ")
}

// Words joins names as "a, b, c" (Missing when empty).
func Words(xs []string) string {
	if len(xs) == 0 {
		return Missing
	}
	return strings.Join(xs, ", ")
}

// Outcomes formats a map of outcomes by target, "sde FAIL, discrete PASS"
// (the SDE first, then the others by name), instead of Go's map syntax.
func Outcomes[V ~string](m map[string]V) string {
	if len(m) == 0 {
		return Missing
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == "sde") != (keys[j] == "sde") {
			return keys[i] == "sde"
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %s", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// Percent formats a fraction k/n as a percentage with 3 significant
// digits ("3%", "0.0188%"); Missing when n is 0.
func Percent(k, n int) string {
	if n == 0 {
		return Missing
	}
	return Sig(100*float64(k)/float64(n), 3) + "%"
}
