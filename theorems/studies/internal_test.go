package studies

import (
	"testing"
)

// TestPercent: proportions print as plain percentages, never with an
// exponent (a 40 of 40 divergence once printed as 1e+02%).
func TestPercent(t *testing.T) {
	for p, want := range map[float64]string{1: "100%", 0.76: "76%", 0.03: "3.0%", 0.0026: "0.26%", 0: "0%", 0.000012: "0.0012%"} {
		if got := percent(p); got != want {
			t.Errorf("percent(%v) = %q, want %q", p, got, want)
		}
	}
}
