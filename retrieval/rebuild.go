package retrieval

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// lexRow is a chunk's text on its way to the lexical index.
type lexRow struct {
	id          int64
	title, text string
}

// buildScope builds the indexes of scope from its chunks, read by one
// statement (so they are one state of the store), the lexical index
// beside the vector one (one core each). Loading decodes every row once
// and keeps most of it: a caller that minds its peak memory runs the
// garbage collector more often meanwhile (Options.Loading: cmd/citebot
// sets GOGC 20). Articles with damaged passages are left out (excludeDamaged).
func (s *Store) buildScope(ctx context.Context, scope string) (*scopeIndex, error) {
	vec, err := newVecScope(s.emb, scope)
	if err != nil {
		return nil, err
	}
	x := &scopeIndex{name: scope, lex: newLexScope(), vec: vec}
	rows, err := s.db.QueryContext(ctx, `SELECT id, title, text, embedding FROM chunks WHERE scope = ? ORDER BY id`, scope)
	if err != nil {
		return nil, s.fileError(err)
	}
	defer rows.Close()
	var (
		batches = make(chan []lexRow, 4)
		withNUL []int64
		lexDone sync.WaitGroup
	)
	lexDone.Go(func() {
		term := x.lex.cachedWordTerm()
		var d lexDoc
		for b := range batches {
			for _, r := range b {
				if strings.IndexByte(r.text, 0) >= 0 || strings.IndexByte(r.title, 0) >= 0 {
					withNUL = append(withNUL, r.id)
					continue
				}
				d.tokenize(r.title, r.text, term)
				x.lex.add(r.id, &d)
			}
		}
	})
	var (
		zeros []int64
		batch []lexRow
	)
	err = func() error {
		defer func() {
			if len(batch) > 0 {
				batches <- batch
			}
			close(batches)
			lexDone.Wait()
		}()
		for rows.Next() {
			var (
				r    lexRow
				blob sql.RawBytes
			)
			if err := rows.Scan(&r.id, &r.title, &r.text, &blob); err != nil {
				return s.fileError(err)
			}
			if batch = append(batch, r); len(batch) == 256 {
				batches <- batch
				batch = nil
			}
			if len(blob) == 4*vec.dims && zeroVector(blob) {
				zeros = append(zeros, r.id)
				continue
			}
			if err := vec.addEncoded(r.id, blob); err != nil {
				return s.damaged(fmt.Errorf("chunk %d: %w", r.id, err))
			}
		}
		return s.fileErrorOrNil(rows.Err())
	}()
	if err != nil {
		return nil, err
	}
	if len(withNUL)+len(zeros) > 0 {
		if x.damaged, err = s.excludeDamaged(ctx, x, withNUL, zeros); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// loadVectors adds the vectors of scope stored as q sees them to vec.
// Each is decoded straight from the row into the place in the scope's
// slab that the index keeps (see addEncoded), so loading holds no second
// copy. Zero
// vectors (a text without words has one, so has a zeroed page) are left
// out.
func (s *Store) loadVectors(ctx context.Context, q querier, vec *vecScope, scope string) error {
	rows, err := q.QueryContext(ctx, `SELECT id, embedding FROM chunks WHERE scope = ?`, scope)
	if err != nil {
		return s.fileError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id   int64
			blob sql.RawBytes
		)
		if err := rows.Scan(&id, &blob); err != nil {
			return s.fileError(err)
		}
		if len(blob) == 4*vec.dims && zeroVector(blob) {
			continue
		}
		if err := vec.addEncoded(id, blob); err != nil {
			return s.damaged(fmt.Errorf("chunk %d: %w", id, err))
		}
	}
	return s.fileErrorOrNil(rows.Err())
}

// Refresh brings the loaded scopes' indexes in step with writes another
// process made to the store (citebot ingest beside citebot serve): when
// the store's write generation moved, each loaded scope whose own
// generation moved is read again (from its snapshot or its chunks); it
// reports whether one was. Scopes not loaded need nothing: they read the
// committed rows when they are. Searches go on with the old indexes
// meanwhile; this process's own writes wait. Cheap when nothing changed:
// one query. When the other process re-embedded the store with another
// embedder (citebot reindex), the indexes are kept and adds refused: see
// noteSwitch.
func (s *Store) Refresh(ctx context.Context) (bool, error) {
	fail := func(err error) (bool, error) { return false, fmt.Errorf("refresh %s: %w", s.path, err) }
	s.mu.RLock()
	known, err := s.gen, s.checkOpen()
	if err == nil && s.noIndexes {
		err = ErrNoIndexes
	}
	s.mu.RUnlock()
	if err != nil {
		return fail(err)
	}
	cur, err := generation(ctx, s.db)
	if err != nil {
		return fail(s.fileError(err))
	}
	if cur == known {
		return false, nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if cur, err = generation(ctx, s.db); err != nil {
		return fail(s.fileError(err))
	}
	if err := s.checkEmbedder(ctx); err != nil {
		if !errors.Is(err, ErrEmbedderMismatch) {
			return fail(err)
		}
		return s.noteSwitch(ctx, fail)
	}
	s.mu.RLock()
	loaded := s.loadedScopes()
	gens := make([]int64, len(loaded))
	for i, x := range loaded {
		gens[i] = x.gen
	}
	s.mu.RUnlock()
	var fresh []*scopeIndex
	for i, x := range loaded {
		g, _, err := scopeGeneration(ctx, s.db, x.name)
		if err != nil {
			return fail(s.fileError(err))
		}
		if g == gens[i] {
			continue
		}
		nx, err := s.readScope(ctx, x.name)
		if err != nil {
			return fail(err)
		}
		fresh = append(fresh, nx)
	}
	s.mu.Lock()
	for _, nx := range fresh {
		s.loaded[nx.name] = nx
	}
	s.gen, s.mismatch, s.switched = cur, nil, nil
	s.mu.Unlock()
	for _, nx := range fresh {
		if !nx.saved && !nx.damaged {
			s.bg.Go(func() { s.saveSnapshot(nx) })
		}
		s.log.Info("store changed by another process; scope index read again", "file", s.path, "scope", nx.name, "generation", nx.gen)
	}
	return len(fresh) > 0, nil
}

// noteSwitch handles a store that another process re-embedded with
// another embedder (citebot reindex): the indexes stay as they are, since
// this process's embedder still embeds questions in their space, and adds
// are refused from now on. Only the first time is reported (an error
// wrapping ErrEmbedderSwitched), so a caller that logs it logs it once;
// later Refreshes return (false, nil) until the store's embedder is this
// process's again. Callers hold s.writeMu.
func (s *Store) noteSwitch(ctx context.Context, fail func(error) (bool, error)) (bool, error) {
	name, dims, err := s.storedEmbedder(ctx)
	if err != nil {
		return fail(err)
	}
	sw := &switchedError{
		path:   s.path,
		stored: fmt.Sprintf("%s (%s dimensions)", name, dims),
		ours:   fmt.Sprintf("%s (%d dimensions)", s.emb.Name(), s.emb.Dimensions()),
	}
	s.mu.Lock()
	first := s.switched == nil && s.mismatch == nil
	if s.mismatch == nil {
		s.switched = sw
	}
	s.mu.Unlock()
	if !first {
		return false, nil
	}
	changed, err := fail(sw)
	if s.onSwitch != nil {
		s.onSwitch(err)
	}
	return changed, err
}

// repairScope rebuilds the vector index of x from the store after an
// index update failed; the store is the truth. Callers hold s.mu
// exclusively.
func (s *Store) repairScope(ctx context.Context, x *scopeIndex, cause error) {
	s.log.Error("vector index update failed; rebuilding the scope from the store", "scope", x.name, "err", cause)
	vec, err := newVecScope(s.emb, x.name)
	if err == nil {
		err = s.loadVectors(context.WithoutCancel(ctx), s.db, vec, x.name)
	}
	if err != nil {
		s.log.Error("vector index repair failed", "scope", x.name, "err", err)
		return
	}
	x.vec, x.saved = vec, false
}
