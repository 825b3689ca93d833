package retrieval

import (
	"context"
	"fmt"
)

// Forget removes the article (scope, articleID) with its chunks, in one
// transaction, then from the vector index. A missing article gives an
// error wrapping ErrNotFound.
func (s *Store) Forget(ctx context.Context, scope, articleID string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	fail := func(err error) error { return fmt.Errorf("forget %s in %s: %w", articleID, scope, err) }
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(s.fileError(err))
	}
	defer tx.Rollback()
	old, err := storedChunks(ctx, tx, scope, articleID)
	if err != nil {
		return fail(s.fileError(err))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM chunks WHERE scope = ? AND article_id = ?`, scope, articleID); err != nil {
		return fail(s.fileError(err))
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE scope = ? AND id = ?`, scope, articleID)
	if err != nil {
		return fail(s.fileError(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fail(s.fileError(err))
	} else if n == 0 {
		return fail(ErrNotFound)
	}

	err = s.commit(ctx, tx, scope, s.checkOpen, func(x *scopeIndex) {
		if x != nil {
			s.unindex(context.WithoutCancel(ctx), x, old)
		}
	})
	if err != nil {
		return fail(err)
	}
	return nil
}
