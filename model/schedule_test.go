package model_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/schedule"
)

func TestPhi(t *testing.T) {
	t.Parallel()
	const eta = 0.1
	cases := []struct {
		s          model.Schedule
		steps      int
		phi1, phi2 float64 // by hand
	}{
		{schedule.Constant{}, 10, 1, 0.1 * 10},
		{schedule.Constant{Value: 2}, 5, 0.1 * 2 * 5, 0.1 * 4 * 5},
		{schedule.InvSqrt{}, 3, 0.1 * (1 + 1/math.Sqrt2 + 1/math.Sqrt(3)), 0.1 * (1 + 0.5 + 1.0/3)},
		{schedule.Inv{}, 3, 0.1 * (1 + 0.5 + 1.0/3), 0.1 * (1 + 0.25 + 1.0/9)},
		{schedule.Inv{Clock: model.Time}, 2, 0.1 * (1 + 1/1.1), 0.1 * (1 + 1/1.21)},
	}
	for i, c := range cases {
		p1, p2, err := model.Phi(c.s, eta, c.steps)
		require.NoError(t, err)
		require.InDelta(t, c.phi1, p1, 1e-14, "case %d: phi1", i)
		require.InDelta(t, c.phi2, p2, 1e-14, "case %d: phi2", i)
	}
	_, _, err := model.Phi(schedule.Normalized{Num: 1, A: 1, Reading: model.ReadsEnsemble}, eta, 3)
	require.Error(t, err)
}

func TestRobbinsMonro(t *testing.T) {
	t.Parallel()
	require.False(t, schedule.Constant{}.RobbinsMonro())
	require.True(t, schedule.InvSqrt{}.RobbinsMonro())
	require.True(t, schedule.Inv{}.RobbinsMonro())
	n := schedule.Normalized{Num: 1, A: 2, B: 1, Reading: model.ReadsEnsemble}
	require.False(t, n.RobbinsMonro())
	n.Decay = schedule.InvSqrt{}
	require.True(t, n.RobbinsMonro())
	// Numerically: phi2/phi1 falls for 1/sqrt(1+k) and stays put for a constant.
	for _, s := range []model.Schedule{schedule.InvSqrt{}, schedule.Constant{}} {
		a1, a2, _ := model.Phi(s, 0.1, 100)
		b1, b2, _ := model.Phi(s, 0.1, 100000)
		require.Equal(t, s.RobbinsMonro(), b2/b1 < 0.2*a2/a1, "%T", s)
	}
}

func TestNormalizedRate(t *testing.T) {
	t.Parallel()
	n := schedule.Normalized{Num: 6, A: 1, B: 2, Reading: model.ReadsEnsemble}
	require.InDelta(t, 6.0/(1+2*2.5), n.Rate(model.StepInfo{Ensemble: 2.5, Path: 100}), 1e-15)
	n.Reading = model.ReadsPath
	require.InDelta(t, 6.0/(1+2*100), n.Rate(model.StepInfo{Ensemble: 2.5, Path: 100}), 1e-15)
	n.Cap, n.Reading = 1, model.ReadsEnsemble
	require.Equal(t, 1.0, n.Rate(model.StepInfo{Ensemble: 0}))
	n.Decay = schedule.InvSqrt{}
	n.Cap = 0
	require.InDelta(t, 6.0/(1+2*2.5)/2, n.Rate(model.StepInfo{K: 3, Ensemble: 2.5}), 1e-15)
}
