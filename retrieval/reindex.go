package retrieval

import (
	"context"
	"fmt"
)

// Reindex re-embeds every stored chunk with the configured embedder,
// writes the vectors and the embedder's name and dimensions in one
// transaction, and rebuilds the vector index. It is how a store built
// with another embedder (opened with Options.AllowMismatch) becomes
// usable again. Other writers wait while it runs; searches continue on
// the old vectors until the commit (or fail with ErrEmbedderMismatch).
// If it fails, the store is unchanged.
func (s *Store) Reindex(ctx context.Context) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	fail := func(err error) error { return fmt.Errorf("reindex %s: %w", s.path, err) }

	ids, scopes, texts, err := s.allChunkTexts(ctx)
	if err != nil {
		return fail(err)
	}
	vecs, err := s.embedAll(ctx, texts)
	if err != nil {
		return fail(err)
	}
	idx := newVectorIndex(s.emb)
	for i, id := range ids {
		if err := idx.add(ctx, scopes[i], []int64{id}, vecs[i:i+1]); err != nil {
			return fail(err)
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(s.fileError(err))
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `UPDATE chunks SET embedding = ? WHERE id = ?`)
	if err != nil {
		return fail(s.fileError(err))
	}
	defer stmt.Close()
	for i, id := range ids {
		if _, err := stmt.ExecContext(ctx, encodeVector(vecs[i]), id); err != nil {
			return fail(s.fileError(err))
		}
	}
	if err := s.recordEmbedder(ctx, tx); err != nil {
		return fail(err)
	}

	err = s.commit(ctx, tx, s.checkOpen, func() {
		s.mismatch = nil
		s.index = idx
	})
	if err != nil {
		return fail(err)
	}
	s.log.Info("reindexed", "file", s.path, "embedder", s.emb.Name(), "chunks", len(ids))
	return nil
}

// allChunkTexts returns every chunk's row ID, scope and embedding text.
func (s *Store) allChunkTexts(ctx context.Context) (ids []int64, scopes, texts []string, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, scope, title, text FROM chunks ORDER BY id`)
	if err != nil {
		return nil, nil, nil, s.fileError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id                 int64
			scope, title, text string
		)
		if err := rows.Scan(&id, &scope, &title, &text); err != nil {
			return nil, nil, nil, s.fileError(err)
		}
		ids = append(ids, id)
		scopes = append(scopes, scope)
		texts = append(texts, embedText(title, text))
	}
	return ids, scopes, texts, s.fileErrorOrNil(rows.Err())
}

func (s *Store) fileErrorOrNil(err error) error {
	if err == nil {
		return nil
	}
	return s.fileError(err)
}
