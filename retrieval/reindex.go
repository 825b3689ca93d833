package retrieval

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// DefaultReindexBatch is the number of passages Reindex embeds and saves
// per transaction when ReindexOptions.BatchSize is 0.
const DefaultReindexBatch = 512

// ReindexOptions tune Store.ReindexWith; the zero value is fine.
type ReindexOptions struct {
	// BatchSize is the number of passages embedded and saved together:
	// what an interruption can lose. 0 means DefaultReindexBatch.
	BatchSize int
	// Progress, when set, is called before the first batch and after each
	// with the passages re-embedded so far (those of an interrupted run
	// included) and the total.
	Progress func(done, total int)
}

// Reindex is ReindexWith with the default options.
func (s *Store) Reindex(ctx context.Context) error {
	return s.ReindexWith(ctx, ReindexOptions{})
}

// ReindexWith re-embeds every stored chunk with the configured embedder
// and switches the store over to it. It is how a store built with another
// embedder (opened with Options.AllowMismatch) becomes usable again.
//
// The new vectors are written in batches, each in its own transaction, to
// a side table (reindex_vectors) keyed by the new embedder; the chunks
// keep their old vectors, and other processes (citebot serve) keep
// searching with them, until the switch: one transaction that copies the
// new vectors over and records the new embedder. An interrupted run (ctx
// cancelled, the process killed) loses at most the batch in flight; the
// next run with the same embedder continues where it stopped. Passages
// another process adds meanwhile are embedded before the switch. Other
// writers of this process wait while it runs. If it fails, the store
// still uses its old embedder.
func (s *Store) ReindexWith(ctx context.Context, opt ReindexOptions) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	fail := func(err error) error { return fmt.Errorf("reindex %s: %w", s.path, err) }
	batch := opt.BatchSize
	if batch <= 0 {
		batch = DefaultReindexBatch
	}
	progress := opt.Progress
	if progress == nil {
		progress = func(int, int) {}
	}
	key := s.emb.Name() + "\n" + strconv.Itoa(s.emb.Dimensions())
	if err := s.startReindex(ctx, key); err != nil {
		return fail(err)
	}
	done, total, err := s.reindexCounts(ctx)
	if err != nil {
		return fail(err)
	}
	progress(done, total)
	var after int64 // the pass goes up the chunk IDs, then once more from 0 for chunks added below
	for {
		todo, err := unembedded(ctx, s.db, after, batch)
		if err != nil {
			return fail(s.fileError(err))
		}
		if len(todo.ids) == 0 {
			if after == 0 {
				break
			}
			after = 0
			continue
		}
		if err := s.embedAndSave(ctx, key, todo); err != nil {
			return fail(err)
		}
		after = todo.ids[len(todo.ids)-1]
		done += len(todo.ids)
		total = max(total, done)
		progress(done, total)
	}
	n, err := s.switchEmbedder(ctx, key)
	if err != nil {
		return fail(err)
	}
	s.log.Info("reindexed", "file", s.path, "embedder", s.emb.Name(), "chunks", n)
	return nil
}

// startReindex empties the side table unless it holds the vectors of the
// embedder named by key (an interrupted run to resume), and records key.
func (s *Store) startReindex(ctx context.Context, key string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.fileError(err)
	}
	defer tx.Rollback()
	cur, err := getMeta(ctx, tx, metaReindex)
	if err != nil {
		return s.fileError(err)
	}
	if cur == key {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM reindex_vectors`); err != nil {
		return s.fileError(err)
	}
	if err := setMeta(ctx, tx, metaReindex, key); err != nil {
		return s.fileError(err)
	}
	return s.fileErrorOrNil(tx.Commit())
}

// reindexCounts returns the chunks that have a new vector and all chunks.
func (s *Store) reindexCounts(ctx context.Context) (done, total int, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM reindex_vectors), (SELECT count(*) FROM chunks)`).Scan(&done, &total)
	return done, total, s.fileErrorOrNil(err)
}

// unembedded returns up to limit chunks (all when limit is 0) with an ID
// above after and no new vector yet, in ID order.
func unembedded(ctx context.Context, q querier, after int64, limit int) (chunkRows, error) {
	query := `SELECT c.id, c.title, c.text FROM chunks c
		WHERE c.id > ? AND NOT EXISTS (SELECT 1 FROM reindex_vectors r WHERE r.chunk_id = c.id)
		ORDER BY c.id`
	args := []any{after}
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	return scanChunkRows(q.QueryContext(ctx, query, args...))
}

// embedAndSave embeds todo and saves the vectors in the side table, in
// one transaction. The write generation does not move: the chunks
// themselves are unchanged, and other processes have nothing to reload.
func (s *Store) embedAndSave(ctx context.Context, key string, todo chunkRows) error {
	vecs, err := s.embedChunks(ctx, todo)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.fileError(err)
	}
	defer tx.Rollback()
	if err := s.saveVectors(ctx, tx, key, todo, vecs); err != nil {
		return err
	}
	return s.fileErrorOrNil(tx.Commit())
}

func (s *Store) embedChunks(ctx context.Context, todo chunkRows) ([][]float32, error) {
	texts := make([]string, len(todo.ids))
	for i := range todo.ids {
		texts[i] = embedText(todo.titles[i], todo.texts[i])
	}
	return s.embedAll(ctx, texts)
}

// saveVectors writes the new vectors of todo to the side table in tx. A
// chunk removed or replaced since it was read gets none (a replacement is
// embedded later).
func (s *Store) saveVectors(ctx context.Context, tx *sql.Tx, key string, todo chunkRows, vecs [][]float32) error {
	// Another reindex, with another embedder, may have started meanwhile.
	if cur, err := getMeta(ctx, tx, metaReindex); err != nil {
		return s.fileError(err)
	} else if cur != key {
		return errors.New("another citebot reindex started meanwhile with another embedder: run one at a time")
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO reindex_vectors (chunk_id, embedding)
		SELECT ?, ? WHERE EXISTS (SELECT 1 FROM chunks WHERE id = ? AND title = ? AND text = ?)
		ON CONFLICT (chunk_id) DO UPDATE SET embedding = excluded.embedding`)
	if err != nil {
		return s.fileError(err)
	}
	defer stmt.Close()
	for i, id := range todo.ids {
		if _, err := stmt.ExecContext(ctx, id, encodeVector(vecs[i]), id, todo.titles[i], todo.texts[i]); err != nil {
			return s.fileError(err)
		}
	}
	return nil
}

// switchEmbedder, in one transaction, embeds the chunks still without a
// new vector (added by another process since the last pass: usually
// none), copies the new vectors over the old ones, records the embedder,
// empties the side table and bumps the write generations; this process's
// scopes load again, with the new vectors, when next searched. It returns
// the number of chunks.
func (s *Store) switchEmbedder(ctx context.Context, key string) (int, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.fileError(err)
	}
	defer tx.Rollback()
	late, err := unembedded(ctx, tx, 0, 0)
	if err != nil {
		return 0, s.fileError(err)
	}
	if len(late.ids) > 0 {
		vecs, err := s.embedChunks(ctx, late)
		if err != nil {
			return 0, err
		}
		if err := s.saveVectors(ctx, tx, key, late, vecs); err != nil {
			return 0, err
		}
	} else if cur, err := getMeta(ctx, tx, metaReindex); err != nil {
		return 0, s.fileError(err)
	} else if cur != key {
		return 0, errors.New("another citebot reindex started meanwhile with another embedder: run one at a time")
	}
	res, err := tx.ExecContext(ctx, `UPDATE chunks SET embedding =
		(SELECT r.embedding FROM reindex_vectors r WHERE r.chunk_id = chunks.id)`)
	if err != nil {
		return 0, s.fileError(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.fileError(err)
	}
	if err := s.recordEmbedder(ctx, tx); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM reindex_vectors`); err != nil {
		return 0, s.fileError(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM meta WHERE key = ?`, metaReindex); err != nil {
		return 0, s.fileError(err)
	}
	// Every scope's vectors changed: their snapshots no longer hold them.
	if _, err := tx.ExecContext(ctx, `INSERT INTO scope_generations (scope, generation, snapshot)
		SELECT DISTINCT scope, 0, '' FROM chunks WHERE true
		ON CONFLICT (scope) DO NOTHING`); err != nil {
		return 0, s.fileError(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE scope_generations SET generation = generation + 1, snapshot = ''`); err != nil {
		return 0, s.fileError(err)
	}
	err = s.commit(ctx, tx, "", s.checkOpen, func(*scopeIndex) {
		s.mismatch, s.switched = nil, nil
		// The loaded scopes hold the old vectors: they load again, with
		// the new ones, when next searched; loads under way start over.
		clear(s.loaded)
		s.epoch++
	})
	return int(n), err
}

func (s *Store) fileErrorOrNil(err error) error {
	if err == nil {
		return nil
	}
	return s.fileError(err)
}
