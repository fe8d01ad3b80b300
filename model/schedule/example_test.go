package schedule_test

import (
	"fmt"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/schedule"
)

func ExampleNormalized() {
	// Thm 4's admissible schedule for sigma1 = 1, sigma0 = 0, N = 1, d = 1,
	// L0 = L1 = 3, eps = 0.5: eta_t = 2 N eps / (d (sigma1^2 L0 + sigma1^2 L1 G_t)).
	s := schedule.Normalized{Num: 1, A: 3, B: 3, Reading: model.ReadsEnsemble}
	fmt.Printf("%.4f %.4f\n", s.Rate(model.StepInfo{Ensemble: 0}), s.Rate(model.StepInfo{Ensemble: 27}))
	// Output: 0.3333 0.0119
}
