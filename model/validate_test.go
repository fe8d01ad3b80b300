package model_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/schedule"
)

// TestValidateNamesFieldAndValue checks that bad parameters give an error
// naming the field and the value, never a panic.
func TestValidateNamesFieldAndValue(t *testing.T) {
	t.Parallel()
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		err  error
		want string
	}{
		{model.Gaussian{Sigma0: -1}.Validate(3), "sigma0 = -1"},
		{model.Gaussian{Sigma1: nan}.Validate(3), "sigma1 = NaN"},
		{model.StudentT{Nu: 0, Scale: []float64{1}}.Validate(3), "nu = 0"},
		{model.StudentT{Nu: -2, Scale: []float64{1}}.Validate(3), "nu = -2"},
		{model.StudentT{Nu: 1, Scale: []float64{1, 2}}.Validate(3), "scale = length 2"},
		{model.StudentT{Nu: 1, Scale: []float64{1, -2, 1}}.Validate(3), "scale[1] = -2"},
		{model.StudentT{Nu: inf, Scale: []float64{1}}.Validate(3), "nu = +Inf"},
		{model.Bernoulli{P: 0}.Validate(3), "p = 0"},
		{model.Bernoulli{P: 1.5}.Validate(3), "p = 1.5"},
		{model.Bernoulli{P: nan}.Validate(3), "p = NaN"},
		{model.RandK{K: 0}.Validate(3), "k = 0"},
		{model.RandK{K: 4}.Validate(3), "k = 4"},
		{model.QSGD{S: 0}.Validate(3), "s = 0"},
		{model.Power{P: 2}.Validate(), "p = 2"},
		{model.Quartic{L0: -1}.Validate(), "l0 = -1"},
		{model.Scaled{Atom: model.Cosh{}, C: -1, A: 1}.Validate(), "c = -1"},
		{model.Scaled{Atom: model.Cosh{}, C: 1, A: 0}.Validate(), "a = 0"},
		{model.Homogeneous{Atom: model.Quartic{}, D: 0}.Validate(), "dim = 0"},
		{model.Shifted{F: model.Homogeneous{Atom: model.Quartic{}, D: 2}, Center: []float64{1}}.Validate(), "shift = 1"},
		{model.Shifted{F: model.Homogeneous{Atom: model.Quartic{}, D: 2}, Center: []float64{1, nan}}.Validate(), "shift[1] = NaN"},
		{model.Certificate{L0: -1}.Validate(), "l0 = -1"},
		{schedule.Constant{Value: -1}.Validate(), "value = -1"},
		{schedule.Normalized{Num: 0, A: 1, Reading: model.ReadsEnsemble}.Validate(), "num = 0"},
		{schedule.Normalized{Num: 1, A: 1, Reading: model.ReadsClock}.Validate(), "reading = clock"},
		{schedule.Normalized{Num: 1, A: 1, Reading: model.ReadsPath, Decay: schedule.Normalized{Num: 1, A: 1, Reading: model.ReadsEnsemble}}.Validate(), "decay = ensemble"},
		{schedule.InvSqrt{Clock: 7}.Validate(), "clock = 7"},
		{buildErr(model.ObjectiveSpec{Kind: "cubic"}), `kind = "cubic"`},
		{buildErr(model.ObjectiveSpec{Kind: "separable", Atom: &model.AtomSpec{Kind: "quartic"}}), "dim = 0"},
		{buildErr(model.ObjectiveSpec{Kind: "separable", Dim: 2, Atom: &model.AtomSpec{Kind: "power", P: 1.5}}), "atom.p = 1.5"},
		{buildErr(model.ObjectiveSpec{Kind: "separable", Atoms: []model.AtomSpec{{Kind: "cosh"}, {Kind: "cosh", P: 3}}}), "atoms[1].p = 3"},
		{buildErr(model.ObjectiveSpec{Kind: "quadratic", Matrix: [][]float64{{1, 2}, {3, 1}}}), "matrix[0][1] = 2"},
		{buildErr(model.ObjectiveSpec{Kind: "quadratic", Matrix: [][]float64{{1, 0}, {0, -1}}}), "positive semidefinite"},
		{buildErr(model.ObjectiveSpec{Kind: "quadratic", Matrix: [][]float64{{1, 0}, {0}}}), "matrix[1] = 1"},
		{buildErr(model.ObjectiveSpec{Kind: "separable", Dim: 1, Atom: &model.AtomSpec{Kind: "quartic"}, Certificate: &model.Certificate{L0: 3, L1: 1}}), "certificate.l1 = 1"},
	}
	for i, c := range cases {
		require.Error(t, c.err, "case %d", i)
		require.Contains(t, c.err.Error(), c.want, "case %d", i)
	}
}

func buildErr(s model.ObjectiveSpec) error {
	_, err := s.Build()
	return err
}
