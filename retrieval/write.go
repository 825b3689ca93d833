package retrieval

import (
	"context"
	"database/sql"
	"strconv"
)

// commit bumps the store's write generation and that of scope (unless
// scope is "": the caller bumped those it changed) in tx, commits it and
// runs apply (the index updates) with the scope's index (nil when the
// scope is not loaded: it will read the committed rows) while holding
// s.mu exclusively, so that no search sees the store and the indexes
// disagree. check runs first, under the lock; if it fails, tx is left to
// the caller's rollback. When another process wrote since the indexes were
// last in step, the generations stay behind, so that Refresh still reads
// them again.
func (s *Store) commit(ctx context.Context, tx *sql.Tx, scope string, check func() error, apply func(x *scopeIndex)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := check(); err != nil {
		return err
	}
	prev, err := generation(ctx, tx)
	if err != nil {
		return s.fileError(err)
	}
	if err := setMeta(ctx, tx, metaGeneration, strconv.FormatInt(prev+1, 10)); err != nil {
		return s.fileError(err)
	}
	var sgen int64
	if scope != "" {
		if sgen, err = bumpScopeGeneration(ctx, tx, scope); err != nil {
			return s.fileError(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return s.fileError(err)
	}
	x := s.loaded[scope]
	apply(x)
	if x != nil {
		x.saved = false
		if x.gen == sgen-1 {
			x.gen = sgen
		}
	}
	if scope != "" {
		// A load of the scope that read an older generation missed this
		// commit: it reads again (loadScope).
		s.committed[scope] = sgen
	}
	if prev == s.gen {
		s.gen = prev + 1
	}
	return nil
}

// chunkRows are the row IDs, titles and texts of some chunks.
type chunkRows struct {
	ids           []int64
	titles, texts []string
}

// storedChunks returns the chunks of (scope, articleID): the indexes
// need their row IDs, and the lexical index their words, to remove them.
func storedChunks(ctx context.Context, q querier, scope, articleID string) (chunkRows, error) {
	return scanChunkRows(q.QueryContext(ctx, `SELECT id, title, text FROM chunks WHERE scope = ? AND article_id = ?`, scope, articleID))
}

// scanChunkRows reads the result of a query for (id, title, text) rows,
// and closes it.
func scanChunkRows(rows *sql.Rows, err error) (chunkRows, error) {
	var out chunkRows
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id          int64
			title, text string
		)
		if err := rows.Scan(&id, &title, &text); err != nil {
			return out, err
		}
		out.ids, out.titles, out.texts = append(out.ids, id), append(out.titles, title), append(out.texts, text)
	}
	return out, rows.Err()
}

// unindex removes old from both indexes of x. Callers hold s.mu
// exclusively.
func (s *Store) unindex(ctx context.Context, x *scopeIndex, old chunkRows) {
	for i, id := range old.ids {
		x.lex.removeChunk(id, old.titles[i], old.texts[i])
	}
	if err := x.vec.remove(ctx, old.ids); err != nil {
		s.repairScope(ctx, x, err)
	}
}
