package retrieval

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// buildIndexes builds the lexical index and, when vectors is true (the
// stored vectors are the configured embedder's), the vector index from the
// chunks, side by side (one core each). Loading decodes every row once and
// keeps most of it: a caller that minds its peak memory runs the garbage
// collector more often meanwhile (cmd/citebot sets GOGC 20 around Open and
// Refresh).
func (s *Store) buildIndexes(ctx context.Context, vectors bool) (*lexIndex, *vectorIndex, error) {
	var (
		lex    *lexIndex
		lexErr error
		built  sync.WaitGroup
	)
	built.Go(func() { lex, lexErr = s.buildLexIndex(ctx) })
	var (
		idx *vectorIndex
		err error
	)
	if vectors {
		idx, err = s.buildIndex(ctx)
	}
	built.Wait()
	return lex, idx, cmp.Or(err, lexErr)
}

// buildLexIndex reads every chunk's title and text and returns a fresh
// lexical index.
func (s *Store) buildLexIndex(ctx context.Context) (*lexIndex, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, scope, title, text FROM chunks ORDER BY scope, id`)
	if err != nil {
		return nil, s.fileError(err)
	}
	defer rows.Close()
	x := newLexIndex()
	term := x.cachedWordTerm()
	var d lexDoc
	for rows.Next() {
		var (
			id                 int64
			scope, title, text string
		)
		if err := rows.Scan(&id, &scope, &title, &text); err != nil {
			return nil, s.fileError(err)
		}
		d.tokenize(title, text, term)
		x.add(scope, id, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fileError(err)
	}
	return x, nil
}

// buildIndex reads every chunk's embedding and returns a fresh index.
func (s *Store) buildIndex(ctx context.Context) (*vectorIndex, error) {
	idx := newVectorIndex(s.emb)
	if err := s.loadVectors(ctx, idx, ""); err != nil {
		return nil, err
	}
	return idx, nil
}

// loadVectors adds the stored vectors of scope (all scopes when "") to idx.
// Each is decoded straight from the row into a slice of its own that the
// index keeps (see addEncoded), so loading holds no second copy.
func (s *Store) loadVectors(ctx context.Context, idx *vectorIndex, scope string) error {
	q := `SELECT id, scope, embedding FROM chunks`
	var args []any
	if scope != "" {
		q = `SELECT id, scope, embedding FROM chunks WHERE scope = ?`
		args = append(args, scope)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return s.fileError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id   int64
			sc   string
			blob sql.RawBytes
		)
		if err := rows.Scan(&id, &sc, &blob); err != nil {
			return s.fileError(err)
		}
		if err := idx.addEncoded(sc, id, blob); err != nil {
			return s.damaged(fmt.Errorf("chunk %d: %w", id, err))
		}
	}
	return s.fileErrorOrNil(rows.Err())
}

// Refresh brings the in-memory indexes in step with writes another
// process made to the store (citebot ingest beside citebot serve), by
// rebuilding them from the file when its write generation moved; it
// reports whether it did. Searches go on with the old indexes meanwhile;
// this process's own writes wait. Cheap when nothing changed: one query.
func (s *Store) Refresh(ctx context.Context) (bool, error) {
	fail := func(err error) (bool, error) { return false, fmt.Errorf("refresh %s: %w", s.path, err) }
	s.mu.RLock()
	known, err := s.gen, s.checkOpen()
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
		// Reindexed with another embedder by the other process.
		s.mu.Lock()
		s.mismatch = err
		s.mu.Unlock()
		return fail(err)
	}
	lex, idx, err := s.buildIndexes(ctx, true)
	if err != nil {
		return fail(err)
	}
	s.mu.Lock()
	s.lex, s.index, s.gen, s.mismatch = lex, idx, cur, nil
	s.mu.Unlock()
	s.log.Info("store changed by another process; search indexes rebuilt", "file", s.path, "generation", cur)
	return true, nil
}

// repairScope rebuilds the index collection of scope from the store after
// an index update failed; the store is the truth.
func (s *Store) repairScope(ctx context.Context, scope string, cause error) {
	s.log.Error("vector index update failed; rebuilding the scope from the store", "scope", scope, "err", cause)
	if err := s.index.dropScope(scope); err != nil {
		s.log.Error("vector index repair failed", "scope", scope, "err", err)
		return
	}
	if err := s.loadVectors(context.WithoutCancel(ctx), s.index, scope); err != nil {
		s.log.Error("vector index repair failed", "scope", scope, "err", err)
	}
}
