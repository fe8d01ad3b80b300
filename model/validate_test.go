package model_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/compress"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
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
		{noise.Gaussian{Sigma0: -1}.Validate(3), "sigma0 = -1"},
		{noise.Gaussian{Sigma1: nan}.Validate(3), "sigma1 = NaN"},
		{noise.StudentT{Nu: 0, Scale: []float64{1}}.Validate(3), "nu = 0"},
		{noise.StudentT{Nu: -2, Scale: []float64{1}}.Validate(3), "nu = -2"},
		{noise.StudentT{Nu: 1, Scale: []float64{1, 2}}.Validate(3), "scale = length 2"},
		{noise.StudentT{Nu: 1, Scale: []float64{1, -2, 1}}.Validate(3), "scale[1] = -2"},
		{noise.StudentT{Nu: inf, Scale: []float64{1}}.Validate(3), "nu = +Inf"},
		{compress.Bernoulli{P: 0}.Validate(3), "p = 0"},
		{compress.Bernoulli{P: 1.5}.Validate(3), "p = 1.5"},
		{compress.Bernoulli{P: nan}.Validate(3), "p = NaN"},
		{compress.RandK{K: 0}.Validate(3), "k = 0"},
		{compress.RandK{K: 4}.Validate(3), "k = 4"},
		{compress.QSGD{S: 0}.Validate(3), "s = 0"},
		{objective.Power{P: 2}.Validate(), "p = 2"},
		{objective.Quartic{L0: -1}.Validate(), "l0 = -1"},
		{model.Scaled{Atom: objective.Cosh{}, C: -1, A: 1}.Validate(), "c = -1"},
		{model.Scaled{Atom: objective.Cosh{}, C: 1, A: 0}.Validate(), "a = 0"},
		{objective.Homogeneous{Atom: objective.Quartic{}, D: 0}.Validate(), "dim = 0"},
		{objective.Shifted{F: objective.Homogeneous{Atom: objective.Quartic{}, D: 2}, Center: []float64{1}}.Validate(), "shift = 1"},
		{objective.Shifted{F: objective.Homogeneous{Atom: objective.Quartic{}, D: 2}, Center: []float64{1, nan}}.Validate(), "shift[1] = NaN"},
		{model.Certificate{L0: -1}.Validate(), "l0 = -1"},
		{schedule.Constant{Value: -1}.Validate(), "value = -1"},
		{schedule.Normalized{Num: 0, A: 1, Reading: model.ReadsEnsemble}.Validate(), "num = 0"},
		{schedule.Normalized{Num: 1, A: 1, Reading: model.ReadsClock}.Validate(), "reading = clock"},
		{schedule.Normalized{Num: 1, A: 1, Reading: model.ReadsPath, Decay: schedule.Normalized{Num: 1, A: 1, Reading: model.ReadsEnsemble}}.Validate(), "decay = ensemble"},
		{schedule.InvSqrt{Clock: 7}.Validate(), "clock = 7"},
		{buildErr(objective.Spec{Kind: "cubic"}), `kind = "cubic"`},
		{buildErr(objective.Spec{Kind: "separable", Atom: &model.AtomSpec{Kind: "quartic"}}), "dim = 0"},
		{buildErr(objective.Spec{Kind: "separable", Dim: 2, Atom: &model.AtomSpec{Kind: "power", P: 1.5}}), "atom.p = 1.5"},
		{buildErr(objective.Spec{Kind: "separable", Atoms: []model.AtomSpec{{Kind: "cosh"}, {Kind: "cosh", P: 3}}}), "atoms[1].p = 3"},
		{buildErr(objective.Spec{Kind: "quadratic", Matrix: [][]float64{{1, 2}, {3, 1}}}), "matrix[0][1] = 2"},
		{buildErr(objective.Spec{Kind: "quadratic", Matrix: [][]float64{{1, 0}, {0, -1}}}), "positive semidefinite"},
		{buildErr(objective.Spec{Kind: "quadratic", Matrix: [][]float64{{1, 0}, {0}}}), "matrix[1] = 1"},
		{buildErr(objective.Spec{Kind: "separable", Dim: 1, Atom: &model.AtomSpec{Kind: "quartic"}, Certificate: &model.Certificate{L0: 3, L1: 1}}), "certificate.l1 = 1"},
	}
	for i, c := range cases {
		require.Error(t, c.err, "case %d", i)
		require.Contains(t, c.err.Error(), c.want, "case %d", i)
	}
}

func buildErr(s objective.Spec) error {
	_, err := s.Build()
	return err
}
