package update

import (
	"errors"
	"testing"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
)

// heavyNoise is a law outside the variance class that is not Student-t.
type heavyNoise struct{ noise.Gaussian }

func (heavyNoise) VarianceBound() (float64, float64, bool) { return 0, 0, false }

// TestFiniteVarianceByCapability: the SDE of DSGD and DCSGD refuses a law
// whose VarianceBound has no finite variance, naming nu for a Student-t
// law and the noise otherwise, and takes the others.
func TestFiniteVarianceByCapability(t *testing.T) {
	t.Parallel()
	f := objective.Homogeneous{Atom: objective.Square{}, D: 1}
	cases := []struct {
		noise model.Noise
		field string // "" for accepted
	}{
		{noise.StudentT{Nu: 1.5, Scale: []float64{1}}, "agents[0].noise.nu"},
		{noise.StudentT{Nu: 3, Scale: []float64{1}}, ""},
		{heavyNoise{}, "agents[0].noise"},
		{noise.Gaussian{Sigma0: 1}, ""},
	}
	for i, c := range cases {
		err := model.System{F: f, Method: DSGD, Agents: []model.Agent{{Noise: c.noise}}}.ValidateSDE()
		var fe *model.FieldError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("case %d: got %v, want nil", i, err)
		case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field):
			t.Errorf("case %d: got %v, want a FieldError on %s", i, err, c.field)
		}
	}
}
