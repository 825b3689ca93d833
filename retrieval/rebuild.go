package retrieval

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// buildIndexes builds the lexical index and, when vectors is true (the
// stored vectors are the configured embedder's), the vector index from the
// chunks, side by side (one core each). Loading decodes every row once and
// keeps most of it: a caller that minds its peak memory runs the garbage
// collector more often meanwhile (cmd/citebot sets GOGC 20 around Open and
// Refresh). Articles with damaged passages are left out (excludeDamaged).
func (s *Store) buildIndexes(ctx context.Context, vectors bool) (*lexIndex, *vectorIndex, error) {
	var (
		lex     *lexIndex
		withNUL []int64
		lexErr  error
		built   sync.WaitGroup
	)
	built.Go(func() { lex, withNUL, lexErr = s.buildLexIndex(ctx) })
	var (
		idx   *vectorIndex
		zeros []int64
		err   error
	)
	if vectors {
		idx, zeros, err = s.buildIndex(ctx)
	}
	built.Wait()
	if err = cmp.Or(err, lexErr); err != nil {
		return nil, nil, err
	}
	if len(withNUL)+len(zeros) > 0 {
		if err := s.excludeDamaged(ctx, lex, idx, withNUL, zeros); err != nil {
			return nil, nil, err
		}
	}
	return lex, idx, nil
}

// buildLexIndex reads every chunk's title and text and returns a fresh
// lexical index, without the chunks whose text holds NUL bytes (which
// text never does: such a chunk was overwritten), whose IDs it returns.
func (s *Store) buildLexIndex(ctx context.Context) (*lexIndex, []int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, scope, title, text FROM chunks ORDER BY scope, id`)
	if err != nil {
		return nil, nil, s.fileError(err)
	}
	defer rows.Close()
	x := newLexIndex()
	term := x.cachedWordTerm()
	var (
		d       lexDoc
		withNUL []int64
	)
	for rows.Next() {
		var (
			id                 int64
			scope, title, text string
		)
		if err := rows.Scan(&id, &scope, &title, &text); err != nil {
			return nil, nil, s.fileError(err)
		}
		if strings.IndexByte(text, 0) >= 0 || strings.IndexByte(title, 0) >= 0 {
			withNUL = append(withNUL, id)
			continue
		}
		d.tokenize(title, text, term)
		x.add(scope, id, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, s.fileError(err)
	}
	return x, withNUL, nil
}

// buildIndex reads every chunk's embedding and returns a fresh index,
// and the IDs of the chunks whose vector is zero.
func (s *Store) buildIndex(ctx context.Context) (*vectorIndex, []int64, error) {
	idx := newVectorIndex(s.emb)
	zeros, err := s.loadVectors(ctx, s.db, idx, "")
	if err != nil {
		return nil, nil, err
	}
	return idx, zeros, nil
}

// loadVectors adds the vectors of scope (all scopes when "") stored as q
// sees them to idx.
// Each is decoded straight from the row into a slice of its own that the
// index keeps (see addEncoded), so loading holds no second copy. Zero
// vectors (a text without words has one, so has a zeroed page) are left
// out and their chunks' IDs returned.
func (s *Store) loadVectors(ctx context.Context, q querier, idx *vectorIndex, scope string) ([]int64, error) {
	query := `SELECT id, scope, embedding FROM chunks`
	var args []any
	if scope != "" {
		query = `SELECT id, scope, embedding FROM chunks WHERE scope = ?`
		args = append(args, scope)
	}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.fileError(err)
	}
	defer rows.Close()
	var zeros []int64
	for rows.Next() {
		var (
			id   int64
			sc   string
			blob sql.RawBytes
		)
		if err := rows.Scan(&id, &sc, &blob); err != nil {
			return nil, s.fileError(err)
		}
		if len(blob) == 4*idx.dims && zeroVector(blob) {
			zeros = append(zeros, id)
			continue
		}
		if err := idx.addEncoded(sc, id, blob); err != nil {
			return nil, s.damaged(fmt.Errorf("chunk %d: %w", id, err))
		}
	}
	return zeros, s.fileErrorOrNil(rows.Err())
}

// Refresh brings the in-memory indexes in step with writes another
// process made to the store (citebot ingest beside citebot serve), by
// rebuilding them from the file when its write generation moved; it
// reports whether it did. Searches go on with the old indexes meanwhile;
// this process's own writes wait. Cheap when nothing changed: one query.
// When the other process re-embedded the store with another embedder
// (citebot reindex), the indexes are kept and adds refused: see
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
	lex, idx, err := s.buildIndexes(ctx, true)
	if err != nil {
		return fail(err)
	}
	s.mu.Lock()
	s.lex, s.index, s.gen, s.mismatch, s.switched = lex, idx, cur, nil, nil
	s.mu.Unlock()
	s.log.Info("store changed by another process; search indexes rebuilt", "file", s.path, "generation", cur)
	return true, nil
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
	return fail(sw)
}

// repairScope rebuilds the index collection of scope from the store after
// an index update failed; the store is the truth.
func (s *Store) repairScope(ctx context.Context, scope string, cause error) {
	s.log.Error("vector index update failed; rebuilding the scope from the store", "scope", scope, "err", cause)
	if err := s.index.dropScope(scope); err != nil {
		s.log.Error("vector index repair failed", "scope", scope, "err", err)
		return
	}
	if _, err := s.loadVectors(context.WithoutCancel(ctx), s.db, s.index, scope); err != nil {
		s.log.Error("vector index repair failed", "scope", scope, "err", err)
	}
}
