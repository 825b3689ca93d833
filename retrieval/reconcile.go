package retrieval

import (
	"context"
	"database/sql"
	"fmt"
)

// reconcile makes the store agree with itself before it is used, and logs
// every repair at warn level. In one transaction it removes
//   - chunks whose article is gone (foreign keys normally prevent them;
//     a tool writing the file without them could leave some), and
//   - articles with no chunks (Add never writes one; nothing could be
//     answered from it),
//
// The indexes, vector and lexical, need no check: they are built from the
// chunks (or from snapshots of the scope generations, which a repair
// moves on) when first searched. A repair that fails leaves
// the store as it was and is an error naming the file.
//
// Only a SQLite store is reconciled (see open): in PostgreSQL the server
// enforces the chunks' foreign key, and every article is written with its
// chunks in one transaction, while both checks read the whole chunks
// table (2.4 s at a million passages) at every start of every shard.
func (s *Store) reconcile(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.fileError(err)
	}
	defer tx.Rollback()
	changed := false

	// Found through the chunks' (scope, article_id, position) index, which
	// holds the row IDs: scanning the table itself would read every
	// passage's text and vector, the whole file, at every start.
	orphans, err := scanIDs(tx.QueryContext(ctx, `SELECT c.id FROM chunks c WHERE NOT EXISTS
		(SELECT 1 FROM articles a WHERE a.scope = c.scope AND a.id = c.article_id)`))
	if err != nil {
		return s.fileError(fmt.Errorf("find orphan chunks: %w", err))
	}
	if len(orphans) > 0 {
		for _, id := range orphans {
			if _, err := tx.ExecContext(ctx, `DELETE FROM chunks WHERE id = ?`, id); err != nil {
				return s.fileError(fmt.Errorf("remove orphan chunk %d: %w", id, err))
			}
		}
		s.log.Warn("store repair: removed chunks whose article was missing", "file", s.path, "chunks", len(orphans))
		changed = true
		// Their scopes' index snapshots held them.
		if _, err := tx.ExecContext(ctx, `UPDATE scope_generations SET generation = generation + 1, snapshot = ''`); err != nil {
			return s.fileError(fmt.Errorf("forget the index snapshots: %w", err))
		}
	}

	empty, err := articlesWithoutChunks(ctx, tx)
	if err != nil {
		return s.fileError(fmt.Errorf("find articles without chunks: %w", err))
	}
	for _, a := range empty {
		if _, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE scope = ? AND id = ?`, a.Scope, a.ID); err != nil {
			return s.fileError(fmt.Errorf("remove article %s without chunks: %w", a.ID, err))
		}
		s.log.Warn("store repair: removed an article that had no passages; ingest it again to restore it",
			"file", s.path, "scope", a.Scope, "id", a.ID, "title", a.Title)
		changed = true
	}

	if !changed {
		return nil
	}
	if err := tx.Commit(); err != nil {
		return s.fileError(err)
	}
	s.log.Warn("store repaired", "file", s.path)
	return nil
}

// scanIDs reads the result of a query for one integer column, and closes
// it.
func scanIDs(rows *sql.Rows, err error) ([]int64, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// articlesWithoutChunks lists the articles that have no chunk.
func articlesWithoutChunks(ctx context.Context, tx *sql.Tx) ([]ArticleInfo, error) {
	rows, err := tx.QueryContext(ctx, `SELECT scope, id, title FROM articles a WHERE NOT EXISTS
		(SELECT 1 FROM chunks c WHERE c.scope = a.scope AND c.article_id = a.id)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ArticleInfo
	for rows.Next() {
		var a ArticleInfo
		if err := rows.Scan(&a.Scope, &a.ID, &a.Title); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
