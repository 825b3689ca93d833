package retrieval

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// vectorIndex is the in-memory nearest-neighbour index: per scope, the
// chunks' row IDs and their normalised embeddings in one contiguous
// []float32, searched exactly by a dot-product scan (two goroutines on a
// large scope). It is derived data, rebuilt from SQLite at Open. Safe for
// concurrent use.
//
// It replaced chromem-go (v0.7.0) collections, measured at 100k chunks of
// 512 dimensions on 2 cores: chromem-go's query took 61 ms median against
// 36 ms for this scan, and kept each vector in its own allocation behind a
// Document with a string ID (more memory, and a copy of every vector at
// Open). See README.md.
type vectorIndex struct {
	mu     sync.RWMutex
	dims   int
	scopes map[string]*vecScope
}

// vecScope holds the vectors of one scope: row i of vecs belongs to
// ids[i]; pos maps a row ID back to its row.
type vecScope struct {
	ids  []int64
	vecs []float32
	pos  map[int64]int
}

func newVectorIndex(e Embedder) *vectorIndex {
	return &vectorIndex{dims: e.Dimensions(), scopes: make(map[string]*vecScope)}
}

// scope returns the vectors of name, created with room for n more rows
// when missing. Callers hold x.mu exclusively.
func (x *vectorIndex) scope(name string, n int) *vecScope {
	sc := x.scopes[name]
	if sc == nil {
		sc = &vecScope{ids: make([]int64, 0, n), vecs: make([]float32, 0, n*x.dims), pos: make(map[int64]int, n)}
		x.scopes[name] = sc
	}
	return sc
}

// reserve makes room for n more vectors in scope, so that loading a store
// allocates each scope's vectors once.
func (x *vectorIndex) reserve(scope string, n int) {
	x.mu.Lock()
	defer x.mu.Unlock()
	sc := x.scope(scope, n)
	sc.ids = slices.Grow(sc.ids, n)
	sc.vecs = slices.Grow(sc.vecs, n*x.dims)
}

// put appends (or overwrites) the vector of id, written by fill into the
// row it is given. A vector that fill leaves all zeros is not kept:
// nothing is similar to a text without words. Callers hold x.mu
// exclusively.
func (sc *vecScope) put(id int64, dims int, fill func(row []float32) error) error {
	if i, ok := sc.pos[id]; ok {
		sc.removeRow(i)
	}
	n := len(sc.ids)
	sc.vecs = slices.Grow(sc.vecs, dims)[:(n+1)*dims]
	row := sc.vecs[n*dims : (n+1)*dims : (n+1)*dims]
	if err := fill(row); err != nil {
		sc.vecs = sc.vecs[:n*dims]
		return err
	}
	if isZero(row) {
		sc.vecs = sc.vecs[:n*dims]
		return nil
	}
	sc.ids = append(sc.ids, id)
	sc.pos[id] = n
	return nil
}

// removeRow deletes row i by moving the last row into its place.
func (sc *vecScope) removeRow(i int) {
	last := len(sc.ids) - 1
	dims := len(sc.vecs) / len(sc.ids)
	delete(sc.pos, sc.ids[i])
	if i != last {
		copy(sc.vecs[i*dims:(i+1)*dims], sc.vecs[last*dims:])
		sc.ids[i] = sc.ids[last]
		sc.pos[sc.ids[i]] = i
	}
	sc.ids = sc.ids[:last]
	sc.vecs = sc.vecs[:last*dims]
}

// add inserts (or replaces) vectors under ids in scope. The vectors are
// copied and normalised.
func (x *vectorIndex) add(_ context.Context, scope string, ids []int64, vecs [][]float32) error {
	if len(ids) != len(vecs) {
		return fmt.Errorf("index %s: %d ids for %d vectors", scope, len(ids), len(vecs))
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	sc := x.scope(scope, len(ids))
	for i, id := range ids {
		if len(vecs[i]) != x.dims {
			return fmt.Errorf("index %s: chunk %d has %d dimensions, want %d", scope, id, len(vecs[i]), x.dims)
		}
		_ = sc.put(id, x.dims, func(row []float32) error {
			copy(row, vecs[i])
			normalize(row)
			return nil
		})
	}
	x.dropIfEmpty(scope)
	return nil
}

// addEncoded inserts the vector of id stored as little-endian float32
// bytes (as encodeVector writes them), decoding it straight into the
// scope's rows: no copy of the vector is made on the way.
func (x *vectorIndex) addEncoded(scope string, id int64, blob []byte) error {
	if len(blob) != 4*x.dims {
		return fmt.Errorf("embedding of %d bytes, want %d (%d dimensions)", len(blob), 4*x.dims, x.dims)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	err := x.scope(scope, 0).put(id, x.dims, func(row []float32) error {
		decodeInto(row, blob)
		normalize(row)
		return nil
	})
	x.dropIfEmpty(scope)
	return err
}

// dropIfEmpty forgets a scope with no vectors. Callers hold x.mu.
func (x *vectorIndex) dropIfEmpty(scope string) {
	if sc := x.scopes[scope]; sc != nil && len(sc.ids) == 0 {
		delete(x.scopes, scope)
	}
}

// remove deletes ids from scope; unknown ids are ignored.
func (x *vectorIndex) remove(_ context.Context, scope string, ids []int64) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	sc := x.scopes[scope]
	if sc == nil {
		return nil
	}
	for _, id := range ids {
		if i, ok := sc.pos[id]; ok {
			sc.removeRow(i)
		}
	}
	x.dropIfEmpty(scope)
	return nil
}

// dropScope removes the vectors of scope.
func (x *vectorIndex) dropScope(scope string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	delete(x.scopes, scope)
	return nil
}

// count returns the number of vectors in scope.
func (x *vectorIndex) count(scope string) int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if sc := x.scopes[scope]; sc != nil {
		return len(sc.ids)
	}
	return 0
}

// total returns the number of vectors over all scopes.
func (x *vectorIndex) total() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := 0
	for _, sc := range x.scopes {
		n += len(sc.ids)
	}
	return n
}

// parallelRows is the scope size from which a query scans with two
// goroutines; below it, starting one costs more than it saves.
const parallelRows = 8192

// query returns up to n nearest neighbours of q (normalised) over scopes,
// most similar first (ties by row ID).
func (x *vectorIndex) query(ctx context.Context, scopes []string, q []float32, n int) ([]hit, error) {
	if len(q) != x.dims {
		return nil, fmt.Errorf("query vector has %d dimensions, want %d", len(q), x.dims)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("vector query: %w", err)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	best := make(topHits, 0, n+1)
	for _, scope := range scopes {
		sc := x.scopes[scope]
		if sc == nil || n <= 0 {
			continue
		}
		rows := len(sc.ids)
		if rows < parallelRows {
			best = scanRows(sc, q, 0, rows, n, best)
			continue
		}
		var other topHits
		var wg sync.WaitGroup
		wg.Go(func() { other = scanRows(sc, q, rows/2, rows, n, nil) })
		best = scanRows(sc, q, 0, rows/2, n, best)
		wg.Wait()
		for _, h := range other {
			best = best.offer(h, n)
		}
	}
	return best.sorted(), nil
}

// scanRows offers rows [lo, hi) of sc, scored by dot product with q, to
// the n best kept in h.
func scanRows(sc *vecScope, q []float32, lo, hi, n int, h topHits) topHits {
	dims := len(q)
	for r := lo; r < hi; r++ {
		row := sc.vecs[r*dims : (r+1)*dims : (r+1)*dims]
		var s0, s1, s2, s3 float32
		i := 0
		for ; i+3 < len(row); i += 4 {
			s0 += row[i] * q[i]
			s1 += row[i+1] * q[i+1]
			s2 += row[i+2] * q[i+2]
			s3 += row[i+3] * q[i+3]
		}
		for ; i < len(row); i++ {
			s0 += row[i] * q[i]
		}
		h = h.offer(hit{ID: sc.ids[r], Score: s0 + s1 + s2 + s3}, n)
	}
	return h
}

func isZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}
