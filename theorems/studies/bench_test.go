package studies_test

import (
	"testing"

	"github.com/sdeverify/sdeverify/theorems/studies"
)

// BenchmarkFigure1Exact is the exact laws of Figure 1's left and right
// top panels (BenchmarkFigure1ExactForward adds the bottom row's) at the paper's horizons (DSGD: 3 sigmas, 5000 steps; DSignSGD:
// 6 sigmas, 5000 steps; the discrete method and the SDE each, with every
// refinement of the error estimates), on both cores. Target: 10 s.
func BenchmarkFigure1Exact(b *testing.B) { benchFigure1Exact(b, false) }

func benchFigure1Exact(b *testing.B, forward bool) {
	for b.Loop() {
		ps, err := studies.Figure1Panels(studies.SmallScale, 1)
		if err != nil {
			b.Fatal(err)
		}
		if err := studies.Figure1Exact(ps, 0, forward); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFigure1ExactForward is BenchmarkFigure1Exact with the bottom
// row's schedules (the ensemble reading of Eq. 1; 1/sqrt(k+1)), carried
// forward in time.
func BenchmarkFigure1ExactForward(b *testing.B) { benchFigure1Exact(b, true) }
