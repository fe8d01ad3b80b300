package kit

// Workspace is per-worker scratch for the steps: reuse one per goroutine so
// that the per-step loop does not allocate.
type Workspace struct {
	Z, C, Acc, Diag, Tmp, DW []float64
	// The coupled step's normals (SDEStepCoupled): the coarse substep's,
	// the bridge's and a fine substep's.
	ZC, ZB, ZF []float64
	// Perturbation.StaleDrift: the drift at the step's start, of the path
	// and of its twin.
	Stale, StaleF []float64
	// stamp[j] == gen marks coordinate j selected in the current draw
	// (rand-k's selection without clearing a mask).
	Stamp []uint32
	Gen   uint32
	Sink  float64 // touch's results, kept so that its loads are not removed
	// The one-dimensional SDE path's per-step data (scalarSDEr): the
	// agents' (sigma0^2, sigma1^2) or their sign moments' capability.
	Aff []float64
	SM  []ScalarSignMomenter
}

// NextGen starts a new generation of stamp marks (rand-k's selection),
// resetting the stamps once every 2^32 draws when the counter wraps.
func (ws *Workspace) NextGen() {
	ws.Gen++
	if ws.Gen == 0 {
		clear(ws.Stamp)
		ws.Gen = 1
	}
}

// Touch reads one value per 64-byte cache line of v in order, so that the
// hardware prefetcher streams v into the cache before a kernel's random
// accesses (a path's state is in L3 between steps; random reads of it wait
// for each line in turn, a sequential pass does not). It returns a value
// the caller keeps. Figure 1's centre panels are faster with it
// (BENCHMARKS.md).
func Touch(v []float64) float64 {
	var s float64
	for j := 0; j < len(v); j += 8 {
		s += v[j]
	}
	return s
}

// NewWorkspace returns scratch for dimension d.
func NewWorkspace(d int) *Workspace {
	buf := make([]float64, 11*d)
	part := func(i int) []float64 { return buf[i*d : (i+1)*d : (i+1)*d] }
	return &Workspace{Z: part(0), C: part(1), Acc: part(2), Diag: part(3), Tmp: part(4), DW: part(5),
		ZC: part(6), ZB: part(7), ZF: part(8), Stale: part(9), StaleF: part(10), Stamp: make([]uint32, d)}
}
