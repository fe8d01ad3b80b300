package mc

import "github.com/sdeverify/sdeverify/model"

// StreamSeed returns the seed of stream (seed, path).
func StreamSeed(seed uint64, path int) uint64 {
	return model.SplitMix64(seed ^ model.SplitMix64(uint64(path)+0x632be59bd9b4e019))
}

// Stream returns the random stream of path p of a run with the given seed:
// a model.Rand (xoshiro256++) seeded from (seed, p) alone.
func Stream(seed uint64, path int) *model.Rand {
	return model.NewRand(StreamSeed(seed, path))
}
