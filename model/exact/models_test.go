package exact_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
)

// TestModelRegistry: the engine's two models are registered under their
// names, sorted; "" is the first-order model; an unknown name and a model
// that does not apply are refused with an error naming the field "model";
// a second registration of a name, an empty name and a name with a comma
// panic.
func TestModelRegistry(t *testing.T) {
	t.Parallel()
	names := exact.ModelNames()
	require.True(t, slices.IsSorted(names))
	require.Subset(t, names, []string{exact.ModelFirstOrder, exact.ModelSecondOrder})
	m, ok := exact.LookupModel("")
	require.True(t, ok)
	require.Equal(t, exact.ModelFirstOrder, m.Name())
	require.Len(t, exact.Models(), len(names))

	p := problem(t, `{"kind":"separable","dim":1,"atom":{"kind":"square"}}`, `[{"noise":{"kind":"gaussian","sigma0":1}}]`, "dsignsgd", 1, 0.1, 5)
	for _, name := range []string{"nope", exact.ModelSecondOrder} {
		p.Model = name
		err := p.ValidateSDE()
		var fe *model.FieldError
		require.Truef(t, errors.As(err, &fe), "model %q: got %v, want a field error", name, err)
		require.Equal(t, "model", fe.Field)
	}
	p.Model = "nope"
	require.ErrorContains(t, p.ValidateSDE(), exact.ModelList())

	require.Panics(t, func() { exact.RegisterModel(exact.FirstOrder) })
	require.Panics(t, func() { exact.RegisterModel(named("")) })
	require.Panics(t, func() { exact.RegisterModel(named("a,b")) })
}

// TestModelCoefficients: the first-order model's coefficients are the
// package-level Coefficients; the second-order model's drift on
// f = a x^2/2 is a (1 + eta rate a/2) x (docs/math.md 7.3: f' f” = a^2 x),
// computed here by hand, with the same Sigma.
func TestModelCoefficients(t *testing.T) {
	t.Parallel()
	const a, eta = 1.5, 0.05
	p := problem(t, `{"kind":"separable","dim":1,"atom":{"kind":"square","c":1.5}}`, `[{"noise":{"kind":"gaussian","sigma0":2,"sigma1":0.5},"count":3}]`, "dsgd", 1, eta, 5)
	p.Rate = 0.5
	c1, err := exact.FirstOrder.Coefficients(p)
	require.NoError(t, err)
	c2, err := exact.SecondOrder.Coefficients(p)
	require.NoError(t, err)
	for _, x := range []float64{-3, -0.5, 0, 0.25, 2} {
		b1, s1 := c1(x)
		wb, ws := exact.Coefficients(p.System, x)
		require.Equal(t, wb, b1)
		require.Equal(t, ws, s1)
		b2, s2 := c2(x)
		require.Equal(t, s1, s2)
		require.InDeltaf(t, a*x*(1+eta*p.Rate*a/2), b2, 1e-14*(1+math.Abs(x)), "x = %g", x)
	}
}

// named is an SDEModel with a given name (for the registry's panics).
type named string

func (n named) Name() string  { return string(n) }
func (n named) Label() string { return string(n) }
func (named) Coefficients(exact.Problem) (exact.Coefficients1D, error) {
	return func(float64) (float64, float64) { return 0, 0 }, nil
}
