package theorems

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/compress"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/update"
)

// unregistered is a noise law no kind registers (and outside the
// (sigma0,sigma1)-variance class: it states no variance bound).
type unregistered struct{}

func (unregistered) Sample(dst, _ []float64, _ float64, _ *model.Rand) { clear(dst) }
func (unregistered) AddVariance(_, _ []float64, _ float64) bool        { return false }
func (unregistered) AddSignMean(_, _ []float64, _ float64)             {}
func (unregistered) AddSignVar(_, _ []float64, _ float64)              {}
func (unregistered) Validate(int) error                                { return nil }

// TestNoiseClassInWords: a failed noise-class hypothesis names the law as
// its configuration writes it (kind and parameters), never by its Go type.
func TestNoiseClassInWords(t *testing.T) {
	t.Parallel()
	f, err := objective.Spec{Kind: "separable", Dim: 1, Atom: &model.AtomSpec{Kind: "quartic"}}.Build()
	require.NoError(t, err)
	in := func(noise ...model.Noise) Inputs {
		sys := model.System{F: f, Method: update.DSGD}
		for _, n := range noise {
			sys.Agents = append(sys.Agents, model.Agent{Noise: n, Compressor: compress.Identity{}})
		}
		return Inputs{System: sys, Cert: f.Certificate(), Eta: 0.1, Eps: 0.5}
	}
	cauchy := noise.StudentT{Nu: 1.5, Scale: []float64{1}}
	gauss := noise.Gaussian{Sigma1: 1}
	for i, c := range []struct {
		th   Theorem
		in   Inputs
		want string
	}{
		{Thm4(), in(gauss, cauchy), `agent 1's noise {"kind":"student-t","nu":1.5,"scale":[1]} has no finite variance bound: not (sigma0,sigma1)-variance (paper Def. 2)`},
		{Thm5(), in(cauchy), `agent 0's noise {"kind":"student-t","nu":1.5,"scale":[1]} has no finite variance bound: not (sigma0,sigma1)-variance (paper Def. 2)`},
		{Thm6Eta(), in(unregistered{}), `agent 0's noise (of no registered kind) has no finite variance bound: not (sigma0,sigma1)-variance (paper Def. 2)`},
		{Thm7(), in(cauchy, gauss), `agent 1's noise {"kind":"gaussian","sigma1":1} is not student-t`},
		{Thm7(), in(unregistered{}), `agent 0's noise (of no registered kind) is not student-t`},
		{Thm7(), in(cauchy, noise.StudentT{Nu: 3, Scale: []float64{1}}), `agents have different nu (1.5 and 3); the theorem has one nu`},
	} {
		_, h := c.th.class(c.in)
		require.Falsef(t, h.Held, "case %d", i)
		require.Equalf(t, c.want, h.Detail, "case %d", i)
	}
}
