package model_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/objective"
)

// TestPowerSum: the objectives that are power sums say so, with a and r
// written by hand (c h(s x) of x^4/4 is c s^4 x^4/4), and the others do
// not.
func TestPowerSum(t *testing.T) {
	t.Parallel()
	for i, c := range []struct {
		f    model.Objective
		a, r float64
		ok   bool
	}{
		{objective.Homogeneous{Atom: objective.Quartic{}, D: 3}, 1, 3, true},
		{objective.Homogeneous{Atom: objective.Power{P: 3.5}, D: 1}, 1, 2.5, true},
		{objective.Homogeneous{Atom: objective.Power{P: 2}, D: 1}, 0, 0, false},
		{objective.Homogeneous{Atom: model.Scaled{Atom: objective.Quartic{}, C: 2, A: -0.5}, D: 1}, 0.125, 3, true},
		{objective.Homogeneous{Atom: model.Scaled{Atom: objective.Quartic{}, C: -2, A: 1}, D: 1}, 0, 0, false},
		{objective.Homogeneous{Atom: objective.LogCosh{}, D: 1}, 0, 0, false},
		{objective.Separable{Atoms: []model.Atom{objective.Quartic{}, objective.Quartic{L0: 5}}}, 1, 3, true},
		{objective.Separable{Atoms: []model.Atom{objective.Quartic{}, objective.Power{P: 4}}}, 1, 3, true}, // |x|^4/4 is x^4/4
		{objective.Separable{Atoms: []model.Atom{objective.Quartic{}, objective.Power{P: 5}}}, 0, 0, false},
		{objective.Separable{Atoms: []model.Atom{objective.Quartic{}, objective.Square{}}}, 0, 0, false},
	} {
		ps, ok := c.f.(model.PowerSummer)
		require.True(t, ok, "case %d", i)
		a, r, ok := ps.PowerSum()
		require.Equal(t, c.ok, ok, "case %d", i)
		if c.ok {
			require.Equal(t, c.a, a, "case %d: a", i)
			require.Equal(t, c.r, r, "case %d: r", i)
		}
	}
}
