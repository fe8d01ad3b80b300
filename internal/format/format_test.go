package format

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRoundSig: step*eta recorded to 12 significant digits is the decimal
// configured, rounding again changes nothing, and values that are not
// float noise keep their 12 digits. The expected values are decimals
// written by hand.
func TestRoundSig(t *testing.T) {
	t.Parallel()
	for i, c := range []struct{ got, want float64 }{
		{RoundSig(3*0.1, 12), 0.3},
		{RoundSig(3*0.05, 12), 0.15},
		{RoundSig(7*0.1, 12), 0.7},
		{RoundSig(0.15971150269820245, 12), 0.159711502698},
		{RoundSig(1234567.891234567, 12), 1234567.89123},
		{RoundSig(1e-300*3, 12), 3e-300},
		{RoundSig(0, 12), 0},
		{RoundSig(math.Inf(1), 12), math.Inf(1)},
	} {
		require.Equalf(t, c.want, c.got, "case %d", i)
	}
	require.True(t, math.IsNaN(RoundSig(math.NaN(), 12)))
	for _, x := range []float64{0.30000000000000004, 0.15971150269820245, 1.0 / 3, 2.0 / 3 * 1e-7} {
		r := RoundSig(x, 12)
		require.Equal(t, r, RoundSig(r, 12), "RoundSig(%v) twice", x)
	}
}

// TestSig: the formatter's rules for a measured value at any precision.
func TestSig(t *testing.T) {
	t.Parallel()
	for i, c := range []struct{ got, want string }{
		{Sig(math.Copysign(0, -1), 3), "0"},
		{Sig(-0.0004, 1), "-0.0004"},
		{Sig(math.NaN(), 3), Missing},
		{Sig(math.Inf(1), 3), "∞"},
		{Sig(1.059e4, 4), "1.059e4"},
		{Sig(2.5e-5, 2), "2.5e-5"},
	} {
		require.Equalf(t, c.want, c.got, "case %d", i)
	}
}
