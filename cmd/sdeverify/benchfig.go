package main

import (
	"fmt"
	"io"
	"runtime"
	"syscall"
	"time"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems"
)

// drawCost measures the time of one standard normal and of one uniform
// index (IntN) from the engine's streams on this machine, now.
func drawCost() (normal, index time.Duration) {
	const n = 20_000_000
	r := mc.Stream(99, 0)
	var sink float64
	t0 := time.Now()
	for range n {
		sink += r.NormFloat64()
	}
	normal = time.Since(t0) / n
	var isink int
	t0 = time.Now()
	for i := range n {
		isink += r.IntN(1000 - i%500)
	}
	index = time.Since(t0) / n
	if sink == 42 && isink == 42 {
		fmt.Print("")
	}
	return normal, index
}

// floor returns the CPU time to draw only the random numbers the Figure 1
// run needed: per live path-step, one normal (DSGD, Gaussian noise), two
// normals (DSignSGD, Cauchy noise as a ratio of normals), or k indices and
// k normals (DCSGD with rand-k and Gaussian noise, noise drawn only for the
// kept coordinates).
func floor(f1 *theorems.Figure1Result, normal, index time.Duration) time.Duration {
	var total time.Duration
	for _, p := range f1.Panels {
		for _, s := range p.Series {
			var live int64
			for _, l := range s.Discrete.Live[:len(s.Discrete.Live)-1] {
				live += int64(l)
			}
			c := s.Config
			run, err := c.Resolve()
			if err != nil {
				continue
			}
			switch run.System.Method {
			case model.DSGD:
				total += time.Duration(live) * normal
			case model.DSignSGD:
				total += time.Duration(live) * 2 * normal
			case model.DCSGD:
				k := run.System.Agents[0].Compressor.(model.RandK).K
				total += time.Duration(live*int64(k)) * (normal + index)
			}
		}
	}
	return total
}

func maxRSS() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // kilobytes on Linux
}

// benchFigure1 times Figure 1 (discrete methods) and compares it with its
// random-number floor and with one worker on the heaviest panel.
func benchFigure1(sc theorems.Scale, seed uint64, workers int, stdout io.Writer) error {
	start := time.Now()
	f1, err := theorems.Figure1(sc, theorems.Figure1Options{Seed: seed, Workers: workers, NoSDE: true})
	if err != nil {
		return err
	}
	wall := time.Since(start)
	w := workers
	if w == 0 {
		w = runtime.GOMAXPROCS(0)
	}
	normal, index := drawCost()
	fl := floor(f1, normal, index)
	fmt.Fprintf(stdout, "Figure 1, %s scale, discrete methods, %d workers:\n", sc.Name, w)
	fmt.Fprintf(stdout, "  wall time        %.1f s\n", wall.Seconds())
	fmt.Fprintf(stdout, "  peak memory      %.0f MB (max RSS)\n", maxRSS())
	fmt.Fprintf(stdout, "  random floor     %.1f s of CPU = %.1f s on %d workers (normal %.2f ns, index %.2f ns, measured now)\n", fl.Seconds(), fl.Seconds()/float64(w), w, float64(normal), float64(index))
	fmt.Fprintf(stdout, "  ratio to floor   %.2f\n", wall.Seconds()/(fl.Seconds()/float64(w)))
	// Parallel speed-up on the heaviest panel (centre-bottom, omega = 1).
	panels, err := theorems.Figure1Panels(sc, seed)
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
	fmt.Fprintf(stdout, "  1 -> 2 workers   %.2fx (centre-bottom, omega = 1: %.1f s -> %.1f s)\n", t[0].Seconds()/t[1].Seconds(), t[0].Seconds(), t[1].Seconds())
	return nil
}
