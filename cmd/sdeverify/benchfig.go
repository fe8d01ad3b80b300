package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"syscall"
	"time"

	"github.com/sdeverify/sdeverify/internal/atomicfile"
	"github.com/sdeverify/sdeverify/internal/rng"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems/studies"
)

// drawCost measures the time of one standard normal and of one uniform
// index (below 1000, as rand-k's selection draws them) from the engine's
// streams on this machine, now, in nanoseconds, with the generator inline
// as the step kernels run it (rng.FloorNormals, rng.FloorIndices).
func drawCost() (normal, index float64) {
	const n = 1000
	const reps = 20_000
	r := mc.Stream(99, 0)
	var sink uint64
	t0 := time.Now()
	for range reps {
		sink ^= rng.FloorNormals(r, n)
	}
	normal = float64(time.Since(t0).Nanoseconds()) / (reps * n)
	var isink uint64
	t0 = time.Now()
	for range reps {
		isink ^= rng.FloorIndices(r, n/2, n)
	}
	index = float64(time.Since(t0).Nanoseconds()) / (reps * n / 2)
	if sink == 42 && isink == 42 {
		fmt.Print("")
	}
	return normal, index
}

// seriesFloor returns the CPU time to draw only the random numbers one
// series' discrete run needed: per live path-step, the normals and indices
// of its step (model.System.StepDraws: one normal for DSGD with Gaussian
// noise in d = 1, two for DSignSGD with Cauchy noise as a ratio of
// normals, k indices and k normals for DCSGD with rand-k and Gaussian
// noise, drawn only for the kept coordinates), or 0 where it has no count.
func seriesFloor(s studies.Series, normal, index float64) time.Duration {
	var live int64
	for _, l := range s.Discrete.Live[:len(s.Discrete.Live)-1] {
		live += int64(l)
	}
	c := s.Config
	run, err := c.Resolve()
	if err != nil {
		return 0
	}
	normals, indices, ok := run.System.StepDraws()
	if !ok {
		return 0
	}
	ns := float64(live) * (float64(normals)*normal + float64(indices)*index)
	return time.Duration(ns)
}

func maxRSS() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}

// benchFigure1 times Figure 1 (discrete methods) runs times and compares
// each run with its random-number floor (measured right after it), then the
// heaviest panel on one worker and on two. With several runs it ends with
// the range of the ratios: the machine's noise is part of the measurement.
func benchFigure1(sc studies.Scale, seed uint64, workers, runs int, stdout io.Writer) error {
	w := workers
	if w == 0 {
		w = runtime.GOMAXPROCS(0)
	}
	var ratios []float64
	for i := range runs {
		start := time.Now()
		f1, err := studies.Figure1(sc, studies.Figure1Options{Seed: seed, Workers: workers, NoSDE: true, NoExact: true})
		if err != nil {
			return err
		}
		wall := time.Since(start)
		normal, index := drawCost()
		var fl time.Duration
		fmt.Fprintf(stdout, "Figure 1, %s scale, discrete methods, %d workers (seed %d), run %d of %d:\n", sc.Name, w, seed, i+1, runs)
		fmt.Fprintf(stdout, "  %-14s %8s %10s %6s\n", "panel", "wall", "floor/w", "ratio")
		for _, p := range f1.Panels {
			var pw, pf time.Duration
			for _, s := range p.Series {
				pw += s.DiscreteTime
				pf += seriesFloor(s, normal, index)
			}
			fl += pf
			pfw := pf.Seconds() / float64(w)
			fmt.Fprintf(stdout, "  %-14s %7.1fs %9.2fs %6.2f\n", p.ID, pw.Seconds(), pfw, pw.Seconds()/pfw)
		}
		ratio := wall.Seconds() / (fl.Seconds() / float64(w))
		ratios = append(ratios, ratio)
		fmt.Fprintf(stdout, "  wall time        %.1f s (all panels and the claims)\n", wall.Seconds())
		fmt.Fprintf(stdout, "  peak memory      %.0f MB (max RSS of the process so far)\n", maxRSS())
		fmt.Fprintf(stdout, "  random floor     %.1f s of CPU = %.1f s on %d workers (normal %.2f ns, index %.2f ns, generator inline, measured now)\n", fl.Seconds(), fl.Seconds()/float64(w), w, normal, index)
		fmt.Fprintf(stdout, "  ratio to floor   %.2f\n", ratio)
	}
	if runs > 1 {
		slices.Sort(ratios)
		fmt.Fprintf(stdout, "ratio to floor over %d runs: %.2f (best) to %.2f (worst), median %.2f\n", runs, ratios[0], ratios[runs-1], ratios[runs/2])
	}
	// Parallel speed-up on the heaviest panel (centre-bottom, omega = 1).
	panels, err := studies.Figure1Panels(sc, seed)
	if err != nil {
		return err
	}
	c := panels[3].Series[0].Config
	run, err := c.Resolve()
	if err != nil {
		return err
	}
	var t [2]time.Duration
	for i, nw := range []int{1, 2} {
		run.Workers = nw
		t0 := time.Now()
		if _, err := mc.Simulate(run); err != nil {
			return err
		}
		t[i] = time.Since(t0)
	}
	fmt.Fprintf(stdout, "1 -> 2 workers: %.2fx (centre-bottom, omega = 1: %.1f s -> %.1f s)\n", t[0].Seconds()/t[1].Seconds(), t[0].Seconds(), t[1].Seconds())
	return nil
}

// startCPUProfile starts a CPU profile into path and returns the function
// that stops it and writes the file (whole or not at all).
func startCPUProfile(path string) (stop func(), err error) {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		return nil, fmt.Errorf("-cpuprofile %q: %w", path, err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := atomicfile.Write(path, buf.Bytes()); err != nil {
			fmt.Fprintf(os.Stderr, "sdeverify: -cpuprofile: %v\n", err)
		}
	}, nil
}
