package mc

import "github.com/sdeverify/sdeverify/model"

// splitmix64 is the finaliser of Steele, Lea and Flood's SplitMix64: a
// bijective 64-bit mixer, used to derive independent stream seeds.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// StreamSeed returns the seed of stream (seed, path).
func StreamSeed(seed uint64, path int) uint64 {
	return splitmix64(seed ^ splitmix64(uint64(path)+0x632be59bd9b4e019))
}

// Stream returns the random stream of path p of a run with the given seed:
// a model.Rand (xoshiro256++) seeded from (seed, p) alone.
func Stream(seed uint64, path int) *model.Rand {
	return model.NewRand(StreamSeed(seed, path))
}
