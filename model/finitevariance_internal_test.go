package model

import (
	"errors"
	"testing"
)

// heavyNoise is a law outside the variance class that is not Student-t.
type heavyNoise struct{ Gaussian }

func (heavyNoise) VarianceBound() (float64, float64, bool) { return 0, 0, false }

// TestFiniteVarianceByCapability: the SDE of DSGD and DCSGD refuses a law
// whose VarianceBound has no finite variance, naming nu for a Student-t
// law and the noise otherwise, and takes the others.
func TestFiniteVarianceByCapability(t *testing.T) {
	t.Parallel()
	f := Homogeneous{Atom: Square{}, D: 1}
	cases := []struct {
		noise Noise
		field string // "" for accepted
	}{
		{StudentT{Nu: 1.5, Scale: []float64{1}}, "agents[0].noise.nu"},
		{StudentT{Nu: 3, Scale: []float64{1}}, ""},
		{heavyNoise{}, "agents[0].noise"},
		{Gaussian{Sigma0: 1}, ""},
	}
	for i, c := range cases {
		err := System{F: f, Method: DSGD, Agents: []Agent{{Noise: c.noise}}}.ValidateSDE()
		var fe *FieldError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("case %d: got %v, want nil", i, err)
		case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field):
			t.Errorf("case %d: got %v, want a FieldError on %s", i, err, c.field)
		}
	}
}
