package exact

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
)

// TestCellRuleIntegratesInterpolant: the cell rule (every node, qres = 0)
// against the integral of the grid's interpolant times the normal density
// computed independently, cell by cell with 32 pieces of 12-point
// Gauss-Legendre each, on uniform and sinh-mapped grids, absorbing and
// not, for normals from 1.5 to 300 spacings wide and node values that are
// smooth, rough (independent uniform draws: features of one node) and a
// step. Tolerance 1e-13 of the largest |u|: the rule's analytic bound is
// 5e-16 (glPoints) plus the recurrence's 7e-15 (fullCell) plus rounding.
func TestCellRuleIntegratesInterpolant(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	one := func(float64) float64 { return 1 }
	for _, gc := range []struct {
		n         int
		r, c      float64
		absorbing bool
	}{{200, 3, 0, false}, {200, 3, 0, true}, {300, 100, 0.1, false}, {300, 100, 0.1, true}} {
		gr := newMappedGrid(gc.n, gc.r, gc.c, gc.absorbing, []func(float64) float64{func(x float64) float64 { return 1 + x*x/100 }})
		for trial := range 60 {
			u := make([]float64, gc.n)
			for i, x := range gr.x {
				switch trial % 3 {
				case 0:
					u[i] = math.Sin(x) + x*x/100
				case 1:
					u[i] = rng.Float64()
				default:
					if x > 0.3 {
						u[i] = 1
					}
				}
			}
			i := 1 + rng.IntN(gc.n-2)
			m := gr.x[i] + (rng.Float64()-0.5)*gr.spacing(gr.x[i])
			sd := gr.spacing(m) * []float64{1.5, 10, 300}[rng.IntN(3)]
			row := rowAcc{v: make([]float64, gc.n)}
			row.reset()
			gr.cellRule(&row, m, sd, 1)
			var got, umax float64
			for j := row.lo; j <= row.hi; j++ {
				got += row.v[j] * u[j]
			}
			for e, y := range row.oy {
				got += row.ow[e] * gr.outside(0, y)
			}
			for _, v := range u {
				umax = math.Max(umax, math.Abs(v))
			}
			// The reference: the interpolant (grid.at) over each cell, the
			// test function beyond the grid (0 when absorbing).
			dens := func(y float64) float64 {
				z := (y - m) / sd
				return math.Exp(-z*z/2) / (sd * math.Sqrt(2*math.Pi))
			}
			interp := func(y float64) float64 {
				if y < gr.x[0] || y > gr.x[gc.n-1] {
					return gr.outside(0, y)
				}
				return gr.at(u, 0, y)
			}
			var want float64
			lo, hi := m-12*sd, m+12*sd
			edges := []float64{lo}
			for _, x := range gr.x {
				if x > lo && x < hi {
					edges = append(edges, x)
				}
			}
			edges = append(edges, hi)
			for e := 1; e < len(edges); e++ {
				a, b := edges[e-1], edges[e]
				for p := range 32 {
					pa, pb := a+(b-a)*float64(p)/32, a+(b-a)*float64(p+1)/32
					want += quad.Fixed(func(y float64) float64 { return interp(y) * dens(y) }, pa, pb, 12, quad.Legendre{}, 0)
				}
			}
			_ = one
			if gc.absorbing {
				umax = math.Max(umax, 1)
			} else {
				umax = math.Max(umax, gr.outside(0, math.Max(math.Abs(lo), math.Abs(hi))))
			}
			if d := math.Abs(got - want); d > 1e-13*umax {
				t.Fatalf("grid %+v trial %d (m %g, sd %g): cell rule %.17g, reference %.17g, off by %.3g (> 1e-13 of %g)", gc, trial, m, sd, got, want, d, umax)
			}
		}
	}
}
