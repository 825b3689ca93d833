package retrieval

import (
	"encoding/binary"
	"math"
)

// Vectors enter the store in two places, and are normalised there, once:
// from the embedder (Store.embedAll, and the embedding function chromem-go
// is given) and from the file (vectorIndex.addEncoded). From then on they
// are only read.

// normalize scales v to unit length in place; the zero vector stays zero.
func normalize(v []float32) {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range v {
		v[i] *= inv
	}
}

// normalizedCopy returns v normalised in a new slice; v is not changed.
func normalizedCopy(v []float32) []float32 {
	out := append([]float32(nil), v...)
	normalize(out)
	return out
}

// isZero reports whether every value of v is zero.
func isZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

// encodeVector returns v as little-endian float32 bytes.
func encodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// decodeInto parses len(v) little-endian float32 values of b into v.
func decodeInto(v []float32, b []byte) {
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
}
