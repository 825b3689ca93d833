package retrieval

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/citebot/citebot/internal/text"
)

// localEmbedderName is the Name of the embedder NewLocalEmbedder returns.
// Change it whenever the features or their weights change: stores built
// with another version then ask for `citebot reindex`.
const localEmbedderName = "local-ngram-v1"

// localDims is the vector length of the local embedder.
const localDims = 512

// Feature weights of the local embedder. Word features carry the topic;
// character n-grams let inflections and misspellings meet.
const (
	weightUnigram  = 1.0
	weightStopWord = 0.1
	weightBigram   = 0.6
	weightCharGram = 0.12
)

// localEmbedder hashes word unigrams and bigrams (stemmed) and character
// 3- to 5-grams of each word into localDims signed buckets ("feature
// hashing"), with sublinear term frequency, then L2-normalises.
type localEmbedder struct{}

// NewLocalEmbedder returns the offline default embedder: pure Go,
// deterministic, no model files, safe for concurrent use. Its vectors are
// L2-normalised and 512 long; its Name is "local-ngram-v1"
// (localEmbedderName).
func NewLocalEmbedder() Embedder { return localEmbedder{} }

func (localEmbedder) Name() string    { return localEmbedderName }
func (localEmbedder) Dimensions() int { return localDims }

// Embed returns one vector per text. It never fails except when ctx is
// done; an empty text gives the zero vector.
func (localEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	counts := make(map[uint64]feature)
	var keys []uint64
	for i, t := range texts {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("local embedder: %w", err)
			}
		}
		clear(counts)
		localFeatures(t, counts)
		out[i], keys = hashVector(counts, keys[:0])
	}
	return out, nil
}

// localFeatures adds the weighted features of s to counts, keyed by a
// 64-bit hash of the feature (kind byte + bytes).
func localFeatures(s string, counts map[uint64]feature) {
	var prev string // previous non-stop stem, for bigrams
	text.ForEachWord(s, func(w string) {
		// "won", "don" and "shan" were stop words before they became
		// terms (text.ContractionPart): the features stay as they were,
		// so that vectors stored before mean what new ones do.
		if text.IsStopWord(w) || text.ContractionPart(w) {
			add(counts, hashFeature('s', w, ""), weightStopWord)
			return
		}
		st := text.Porter(w)
		add(counts, hashFeature('u', st, ""), weightUnigram)
		if prev != "" {
			add(counts, hashFeature('b', prev, st), weightBigram)
		}
		prev = st
		addCharGrams(w, counts)
	})
}

// addCharGrams adds the 3- to 5-byte n-grams of "<w>" (word with boundary
// marks). Bytes, not runes: cheap, and deterministic for any script.
func addCharGrams(w string, counts map[uint64]feature) {
	var buf [64]byte
	b := buf[:0]
	b = append(b, '<')
	if len(w) > len(buf)-2 {
		w = w[:len(buf)-2]
	}
	b = append(b, w...)
	b = append(b, '>')
	for n := 3; n <= 5; n++ {
		for i := 0; i+n <= len(b); i++ {
			add(counts, hashBytes('c', b[i:i+n]), weightCharGram)
		}
	}
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashFeature(kind byte, a, b string) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(kind)) * fnvPrime
	for i := 0; i < len(a); i++ {
		h = (h ^ uint64(a[i])) * fnvPrime
	}
	if b != "" {
		h = (h ^ ' ') * fnvPrime
		for i := 0; i < len(b); i++ {
			h = (h ^ uint64(b[i])) * fnvPrime
		}
	}
	return h
}

func hashBytes(kind byte, a []byte) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(kind)) * fnvPrime
	for _, c := range a {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

// feature is one hashed feature of a text: its weight and how often it
// occurred.
type feature struct {
	weight float32
	n      float32
}

func add(counts map[uint64]feature, h uint64, weight float32) {
	f := counts[h]
	f.weight = weight
	f.n++
	counts[h] = f
}

// hashVector folds features into a signed, L2-normalised vector with
// sublinear term frequency: a feature seen n times adds weight·(1+ln n)
// to its bucket, with a sign taken from another bit of its hash so that
// collisions cancel out on average. Features are added in the order of
// their hashes, not the map's, so that one text always gives the same
// bits (float sums depend on their order). keys is a buffer for that
// order, returned for reuse.
func hashVector(counts map[uint64]feature, keys []uint64) ([]float32, []uint64) {
	v := make([]float32, localDims)
	for h := range counts {
		keys = append(keys, h)
	}
	slices.Sort(keys)
	for _, h := range keys {
		f := counts[h]
		// Mix the hash so bucket and sign use independent bits.
		h ^= h >> 29
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 32
		val := f.weight * (1 + float32(math.Log(float64(f.n))))
		if h&(1<<63) != 0 {
			val = -val
		}
		v[h%localDims] += val
	}
	normalize(v)
	return v, keys
}
