package story

import "math/bits"

// MinHash over word shingles estimates how much of their wording two items
// share (Broder, 1997): the share of positions where their signatures
// agree is an unbiased estimate of the Jaccard similarity of their sets of
// three-word shingles. It finds the same wire story run by two outlets,
// lightly edited, in one language.
//
// It is written here, in a few lines, because the Go module proxy has no
// well-kept implementation: the MinHash and SimHash modules there are
// unmaintained for years and bring LSH indexes this package does not need
// (a digest compares tens of items, not millions).

const (
	sigSize   = 64
	shingleOf = 3
)

// shingles hashes every run of shingleOf words once: each word is hashed
// (FNV-1a) once, and a shingle's hash mixes its words' hashes in order.
func shingles(words []string) []uint64 {
	if len(words) < shingleOf {
		return nil
	}
	wh := make([]uint64, len(words))
	for i, w := range words {
		h := uint64(14695981039346656037)
		for j := 0; j < len(w); j++ {
			h ^= uint64(w[j])
			h *= 1099511628211
		}
		wh[i] = h
	}
	out := make([]uint64, 0, len(words)-shingleOf+1)
	for i := 0; i+shingleOf <= len(words); i++ {
		out = append(out, mix(wh[i]^bits.RotateLeft64(wh[i+1], 21)^bits.RotateLeft64(wh[i+2], 42)))
	}
	return out
}

// minhash returns the signature of a set of shingle hashes: for each of
// sigSize hash functions, the smallest value over the set, of which the
// signature keeps the low 16 bits (see Signature). The functions
// are h·a+b with odd multipliers a, the high half kept: the multiply-shift
// family, as good as independent permutations for MinHash on well-mixed
// input, at a multiply and an add each.
func minhash(hs []uint64) Signature {
	if len(hs) == 0 {
		return nil
	}
	var mins [sigSize]uint32
	for i := range mins {
		mins[i] = ^uint32(0)
	}
	for _, h := range hs {
		for i := range mins {
			if v := uint32((h*seeds[i][0] + seeds[i][1]) >> 32); v < mins[i] {
				mins[i] = v
			}
		}
	}
	sig := make(Signature, sigSize)
	for i, v := range mins {
		sig[i] = uint16(v)
	}
	return sig
}

// seeds are fixed, so signatures stored by one run compare with the next.
var seeds = func() [sigSize][2]uint64 {
	var s [sigSize][2]uint64
	x := uint64(0x9e3779b97f4a7c15)
	for i := range s {
		x = mix(x + uint64(i))
		s[i][0] = x | 1
		x = mix(x)
		s[i][1] = x
	}
	return s
}()

// mix is the finaliser of SplitMix64: a cheap, well-distributed 64-bit mix.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// resemblance estimates the Jaccard similarity of the wording of a and b,
// or returns 0 when either has no signature.
func resemblance(a, b Signature) float64 {
	if len(a) != sigSize || len(b) != sigSize {
		return 0
	}
	same := 0
	for i := range a {
		if a[i] == b[i] {
			same++
		}
	}
	return float64(same) / sigSize
}
