package retrieval

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	chromem "github.com/philippgille/chromem-go"
)

// vectorIndex is the in-memory nearest-neighbour index: one chromem-go
// collection per scope, holding chunk row IDs and their normalised
// embeddings only (no text, no metadata: the store has those). It is
// derived data, rebuilt from SQLite at Open. Safe for concurrent use.
//
// chromem-go traps handled here: collections always get our embedding
// function (a nil one would call OpenAI); vectors reach chromem-go already
// normalised (by Store.embedAll or addEncoded, where they enter), and each
// is a slice of its own that nothing writes afterwards (chromem-go keeps
// the slice it is given and reads it at every query); queries ask for at most
// Count() results; Delete is called with nil filters and explicit IDs (an
// empty non-nil filter deletes everything) under the write lock, since it
// races with queries.
type vectorIndex struct {
	mu    sync.RWMutex
	db    *chromem.DB
	embed chromem.EmbeddingFunc
	dims  int
}

func newVectorIndex(e Embedder) *vectorIndex {
	return &vectorIndex{db: chromem.NewDB(), embed: embeddingFunc(e), dims: e.Dimensions()}
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

// collection returns the collection of scope, creating it when create is
// true; it returns nil when it does not exist and create is false.
// Callers hold x.mu.
func (x *vectorIndex) collection(scope string, create bool) (*chromem.Collection, error) {
	if c := x.db.GetCollection(scope, x.embed); c != nil || !create {
		return c, nil
	}
	return x.db.CreateCollection(scope, nil, x.embed)
}

// put adds v (normalised, owned by the index from now on) under id.
// Callers hold x.mu exclusively.
func (x *vectorIndex) put(ctx context.Context, scope string, id int64, v []float32) error {
	if isZero(v) {
		// Nothing is similar to a text without words; chromem-go would
		// turn it into NaNs.
		return nil
	}
	c, err := x.collection(scope, true)
	if err != nil {
		return fmt.Errorf("index %s: %w", scope, err)
	}
	if err := c.AddDocument(ctx, chromem.Document{ID: strconv.FormatInt(id, 10), Embedding: v}); err != nil {
		return fmt.Errorf("index %s: chunk %d: %w", scope, id, err)
	}
	return nil
}

// add inserts (or replaces) vectors under ids in scope. The vectors must
// be normalised, as Store.embedAll returns them, and are the index's from
// now on: chromem-go keeps each slice, so nothing may write to them after
// (reading them, to store them, is fine).
func (x *vectorIndex) add(ctx context.Context, scope string, ids []int64, vecs [][]float32) error {
	if len(ids) != len(vecs) {
		return fmt.Errorf("index %s: %d ids for %d vectors", scope, len(ids), len(vecs))
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for i, id := range ids {
		if len(vecs[i]) != x.dims {
			return fmt.Errorf("index %s: chunk %d has %d dimensions, want %d", scope, id, len(vecs[i]), x.dims)
		}
		if err := x.put(ctx, scope, id, vecs[i]); err != nil {
			return err
		}
	}
	return nil
}

// addEncoded inserts the vector of id stored as little-endian float32
// bytes (as encodeVector writes them), decoded and normalised into a slice
// of its own that chromem-go keeps: no further copy.
func (x *vectorIndex) addEncoded(scope string, id int64, blob []byte) error {
	if len(blob) != 4*x.dims {
		return fmt.Errorf("embedding of %d bytes, want %d (%d dimensions)", len(blob), 4*x.dims, x.dims)
	}
	v := make([]float32, x.dims)
	decodeInto(v, blob)
	normalize(v)
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.put(context.Background(), scope, id, v)
}

// remove deletes ids from scope; unknown ids are ignored.
func (x *vectorIndex) remove(ctx context.Context, scope string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	c, err := x.collection(scope, false)
	if err != nil || c == nil {
		return err
	}
	strs := make([]string, len(ids))
	for i, id := range ids {
		strs[i] = strconv.FormatInt(id, 10)
	}
	if err := c.Delete(ctx, nil, nil, strs...); err != nil {
		return fmt.Errorf("index %s: delete: %w", scope, err)
	}
	return nil
}

// dropScope removes the collection of scope.
func (x *vectorIndex) dropScope(scope string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.db.DeleteCollection(scope); err != nil {
		return fmt.Errorf("index %s: drop: %w", scope, err)
	}
	return nil
}

// count returns the number of vectors in scope.
func (x *vectorIndex) count(scope string) int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	c, _ := x.collection(scope, false)
	if c == nil {
		return 0
	}
	return c.Count()
}

// total returns the number of vectors over all scopes.
func (x *vectorIndex) total() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := 0
	for _, c := range x.db.ListCollections() {
		n += c.Count()
	}
	return n
}

// query returns up to n nearest neighbours of q (normalised) over scopes,
// most similar first (ties by row ID).
func (x *vectorIndex) query(ctx context.Context, scopes []string, q []float32, n int) ([]hit, error) {
	if len(q) != x.dims {
		return nil, fmt.Errorf("query vector has %d dimensions, want %d", len(q), x.dims)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	var hits []hit
	for _, scope := range scopes {
		c, _ := x.collection(scope, false)
		if c == nil {
			continue
		}
		m := min(n, c.Count())
		if m <= 0 {
			continue
		}
		res, err := c.QueryEmbedding(ctx, q, m, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("vector query in %s: %w", scope, err)
		}
		for _, r := range res {
			id, err := strconv.ParseInt(r.ID, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("vector index %s: bad id %q", scope, r.ID)
			}
			hits = append(hits, hit{ID: id, Score: r.Similarity})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.ID, b.ID))
	})
	if len(hits) > n {
		hits = hits[:n]
	}
	return hits, nil
}
