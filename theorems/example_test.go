package theorems_test

import (
	"fmt"

	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems"
)

// Figure 1's left panel, sigma = 1: Eq. 1 sets eta_t = 2 N eps / (d (sigma1^2 L0
// + sigma1^2 L1 G_t)) = 1/(3 + 3 G_t) with N = d = 1, eps = 1/2, L0 = L1 = 3;
// at margin eta the schedule's numerator is 2 N eps = 1.
func ExampleAdmissibleSchedule() {
	cfg, _ := mc.ParseConfig([]byte(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"},"certificate":{"l0":3,"l1":3}},
		"x0":[3],"agents":[{"noise":{"kind":"gaussian","sigma1":1}}],"method":"dsgd","model":{"kind":"discrete"},
		"eta":0.01,"schedule":{"kind":"constant"},"steps":10,"paths":10,"seed":1,"checkpoints":{"at":[10]}}`))
	s, err := theorems.AdmissibleSchedule(theorems.Thm4(), cfg, theorems.Options{}, cfg.Eta, nil)
	fmt.Println(s.Kind, s.Num, s.A, s.B, s.Reading, err)
	// Output: normalized 1 3 3 ensemble <nil>
}

// Thm 5 assumes bounded variance; Figure 1's centre panel has affine noise,
// so the theorem says nothing there: VACUOUS, with the reason.
func ExampleCheck() {
	cfg, _ := mc.ParseConfig([]byte(`{"objective":{"kind":"separable","dim":10,"atom":{"kind":"quartic"}},"x0":[0.5],
		"agents":[{"noise":{"kind":"gaussian","sigma1":0.1},"compressor":{"kind":"randk","omega":4}}],"method":"dcsgd",
		"model":{"kind":"discrete"},"eta":0.1,"schedule":{"kind":"constant"},"steps":10,"paths":10,"seed":1,"checkpoints":{"at":[10]}}`))
	rep, err := theorems.Check(theorems.Thm5(), cfg, theorems.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Outcome)
	for _, h := range rep.Hypotheses {
		if !h.Held {
			fmt.Println(h.Name+":", h.Detail)
		}
	}
	// Output:
	// VACUOUS
	// noise class: bounded variance needs sigma1 = 0 on every agent, mean sigma1^2 = 0.01 (affine noise is Thm 6's class)
}
