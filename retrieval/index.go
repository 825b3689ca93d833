package retrieval

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"sync"

	chromem "github.com/philippgille/chromem-go"
)

// vecScope is the in-memory nearest-neighbour index of one scope: a
// chromem-go collection holding chunk row IDs and their normalised
// embeddings only (no text, no metadata: the store has those), and the
// same vectors by row ID (the same slices: no second copy) for writing
// the scope's snapshot. It is derived data, built from SQLite or read
// from a snapshot when the scope is first searched. Updates hold Store.mu
// exclusively, queries hold it shared; mu orders them too, since
// chromem-go's Delete races with queries.
//
// chromem-go traps handled here: collections always get our embedding
// function (a nil one would call OpenAI); vectors reach chromem-go already
// normalised (by Store.embedAll or decodeVectors, where they enter), and
// each is a slice (of its own, or of a block that vectors loaded together
// share) that nothing writes afterwards (chromem-go keeps the slice it is
// given and reads it at every query); queries ask for
// at most Count() results; Delete is called with nil filters and explicit
// IDs (an empty non-nil filter deletes everything).
type vecScope struct {
	mu   sync.RWMutex
	coll *chromem.Collection
	vecs map[int64][]float32
	dims int
	// slab is where addEncoded places the next vectors: blocks of up to
	// slabVectors (the first ones smaller, for small scopes), in mem, so
	// that vectors loaded together lie side by side in memory and a query
	// reads them in one sweep (see chromem-go's docsInMemoryOrder in
	// third_party). A block lives while its scope does: what forget frees
	// stays allocated until the scope is loaded again, never more than was
	// loaded.
	slab     []float32
	slabSize int
	mem      *vectorMemory
}

// slabVectors is the most vectors in one block of vecScope.slab (512 KiB
// at 512 dimensions). On 83,000 passages, loading from the chunks into
// blocks rather than one allocation per vector took the search p50 from
// 28.6 to 20.0 ms.
const slabVectors = 256

func newVecScope(e Embedder, scope string) (*vecScope, error) {
	c, err := chromem.NewDB().CreateCollection(scope, nil, embeddingFunc(e))
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", scope, err)
	}
	return &vecScope{coll: c, vecs: make(map[int64][]float32), dims: e.Dimensions(), mem: newVectorMemory()}, nil
}

// embeddingFunc adapts e to chromem-go. We always query with precomputed
// vectors; this exists so chromem-go never falls back to its default
// (OpenAI) and embeds any text it is handed with the store's embedder.
func embeddingFunc(e Embedder) chromem.EmbeddingFunc {
	return func(ctx context.Context, text string) ([]float32, error) {
		vs, err := e.Embed(ctx, []string{text})
		if err != nil {
			return nil, err
		}
		if len(vs) != 1 {
			return nil, fmt.Errorf("embedder %s returned %d vectors for 1 text", e.Name(), len(vs))
		}
		return normalizedCopy(vs[0]), nil
	}
}

// put adds v (normalised, owned by the index from now on) under id.
// Callers hold x.mu exclusively.
func (x *vecScope) put(ctx context.Context, id int64, v []float32) error {
	if len(v) != x.dims {
		return fmt.Errorf("chunk %d has %d dimensions, want %d", id, len(v), x.dims)
	}
	if isZero(v) {
		// Nothing is similar to a text without words; chromem-go would
		// turn it into NaNs.
		return nil
	}
	if err := x.coll.AddDocument(ctx, chromem.Document{ID: strconv.FormatInt(id, 10), Embedding: v}); err != nil {
		return fmt.Errorf("chunk %d: %w", id, err)
	}
	x.vecs[id] = v
	return nil
}

// add inserts (or replaces) vectors under ids. The vectors must be
// normalised, as Store.embedAll returns them, and are the index's from
// now on: chromem-go keeps each slice, so nothing may write to them after
// (reading them, to store them, is fine).
func (x *vecScope) add(ctx context.Context, ids []int64, vecs [][]float32) error {
	if len(ids) != len(vecs) {
		return fmt.Errorf("%d ids for %d vectors", len(ids), len(vecs))
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, id := range ids {
		if err := x.put(ctx, id, vecs[i]); err != nil {
			return err
		}
	}
	return nil
}

// addEncoded inserts the vector of id stored as little-endian float32
// bytes (as encodeVector writes them), decoded and normalised into the
// next place of the scope's slab, which chromem-go keeps: no further copy.
func (x *vecScope) addEncoded(id int64, blob []byte) error {
	if len(blob) != 4*x.dims {
		return fmt.Errorf("embedding of %d bytes, want %d (%d dimensions)", len(blob), 4*x.dims, x.dims)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.slab) < x.dims {
		x.slabSize = min(max(16, 2*x.slabSize), slabVectors)
		x.slab = x.mem.alloc(x.slabSize * x.dims)
	}
	v := x.slab[:x.dims:x.dims]
	x.slab = x.slab[x.dims:]
	decodeInto(v, blob)
	normalize(v)
	return x.put(context.Background(), id, v)
}

// remove deletes ids; unknown ids are ignored.
func (x *vecScope) remove(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	strs := make([]string, len(ids))
	for i, id := range ids {
		strs[i] = strconv.FormatInt(id, 10)
		delete(x.vecs, id)
	}
	if err := x.coll.Delete(ctx, nil, nil, strs...); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	return nil
}

// count returns the number of vectors.
func (x *vecScope) count() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.coll.Count()
}

// vectorQuery returns up to n nearest neighbours of q (normalised) over
// scopes, most similar first (ties by row ID).
func vectorQuery(ctx context.Context, scopes []*vecScope, names []string, q []float32, n int) ([]hit, error) {
	var hits []hit
	for i, x := range scopes {
		if len(q) != x.dims {
			return nil, fmt.Errorf("query vector has %d dimensions, want %d", len(q), x.dims)
		}
		res, err := x.query(ctx, q, n)
		if err != nil {
			return nil, fmt.Errorf("vector query in %s: %w", names[i], err)
		}
		hits = append(hits, res...)
	}
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.ID, b.ID))
	})
	if len(hits) > n {
		hits = hits[:n]
	}
	return hits, nil
}

func (x *vecScope) query(ctx context.Context, q []float32, n int) ([]hit, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	m := min(n, x.coll.Count())
	if m <= 0 {
		return nil, nil
	}
	res, err := x.coll.QueryEmbedding(ctx, q, m, nil, nil)
	if err != nil {
		return nil, err
	}
	hits := make([]hit, 0, len(res))
	for _, r := range res {
		id, err := strconv.ParseInt(r.ID, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("bad id %q", r.ID)
		}
		hits = append(hits, hit{ID: id, Score: r.Similarity})
	}
	// The collection read vectors in x.mem's blocks until here.
	runtime.KeepAlive(x.mem)
	return hits, nil
}
