package retrieval

import (
	"context"
	"database/sql"
	"strconv"
)

// commit bumps the store's write generation in tx, commits it and runs
// apply (the index updates) while holding s.mu exclusively, so that no
// search sees the store and the indexes disagree. check runs first, under
// the lock; if it fails, tx is left to the caller's rollback. When another
// process wrote since the indexes were last in step, the generation stays
// behind, so that Refresh still rebuilds them.
func (s *Store) commit(ctx context.Context, tx *sql.Tx, check func() error, apply func()) error {
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
	if err := tx.Commit(); err != nil {
		return s.fileError(err)
	}
	apply()
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

// unindexLexical removes old from the lexical index. Callers hold s.mu
// exclusively.
func (s *Store) unindexLexical(scope string, old chunkRows) {
	if s.lex == nil { // opened WithoutIndexes
		return
	}
	for i, id := range old.ids {
		s.lex.removeChunk(scope, id, old.titles[i], old.texts[i])
	}
}
