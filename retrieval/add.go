package retrieval

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/citebot/citebot/ingest"
)

// embedBatch is the number of texts per Embedder.Embed call.
const embedBatch = 256

// Add stores article a with its chunks in scope, replacing any earlier
// version of the same (scope, a.ID). The chunks are embedded first
// (batched); if that fails nothing is written. The article and its chunks
// are then written in one transaction, and the vector and lexical indexes
// are updated after the commit, under the same exclusive lock. Identical
// content (same ContentHash) already stored returns Unchanged without
// embedding or writing anything. Errors: invalid scope or article, chunks
// of another article, no chunks, ErrEmbedderMismatch, or the store's own.
// AddBatch does the same for several articles with one embedding pass.
func (s *Store) Add(ctx context.Context, scope string, a ingest.Article, chunks []ingest.Chunk) (AddStatus, error) {
	r := s.AddBatch(ctx, scope, []Item{{Article: a, Chunks: chunks}})[0]
	return r.Status, r.Err
}

func validateAdd(scope string, a ingest.Article, chunks []ingest.Chunk) error {
	if !ValidScope(scope) {
		return fmt.Errorf("add %s: invalid scope %q", a.ID, scope)
	}
	if a.ID == "" {
		return fmt.Errorf("add %q: article has no ID", a.Title)
	}
	if len(chunks) == 0 {
		return fmt.Errorf("add %s: article has no chunks", a.ID)
	}
	for _, c := range chunks {
		if c.ArticleID != "" && c.ArticleID != a.ID {
			return fmt.Errorf("add %s: chunk %d belongs to article %s", a.ID, c.Position, c.ArticleID)
		}
	}
	return nil
}

// embedText is what gets embedded for a chunk: the article title gives
// every passage its topic.
func embedText(title, text string) string {
	if title == "" {
		return text
	}
	return title + "\n\n" + text
}

func chunkTitle(a ingest.Article, c ingest.Chunk) string {
	if c.Title != "" {
		return c.Title
	}
	return a.Title
}

// embedAll embeds texts in batches of embedBatch and checks what the
// embedder returns. This is where vectors enter from the embedder: each
// is copied (the embedder may keep or share what it returns, and the
// vector index keeps what it is given) and normalised, once; callers may
// hand the vectors to vectorIndex.add as they are.
func (s *Store) embedAll(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	dims := s.emb.Dimensions()
	for start := 0; start < len(texts); start += embedBatch {
		batch := texts[start:min(start+embedBatch, len(texts))]
		vecs, err := s.emb.Embed(ctx, batch)
		if err != nil {
			return nil, fmt.Errorf("embed with %s: %w", s.emb.Name(), err)
		}
		if len(vecs) != len(batch) {
			return nil, fmt.Errorf("embed with %s: %d vectors for %d texts", s.emb.Name(), len(vecs), len(batch))
		}
		for _, v := range vecs {
			if len(v) != dims {
				return nil, fmt.Errorf("embed with %s: vector of %d dimensions, want %d", s.emb.Name(), len(v), dims)
			}
			out = append(out, normalizedCopy(v))
		}
	}
	return out, nil
}

// storedHash returns the content hash of (scope, id), "" when absent.
func (s *Store) storedHash(ctx context.Context, q querier, scope, id string) (string, error) {
	var h string
	err := q.QueryRowContext(ctx, `SELECT content_hash FROM articles WHERE scope = ? AND id = ?`, scope, id).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return h, err
}

// write replaces (scope, a.ID) in one transaction, then updates the index.
func (s *Store) write(ctx context.Context, scope string, a ingest.Article, hash string, chunks []ingest.Chunk, vecs [][]float32) (AddStatus, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	fail := func(err error) (AddStatus, error) { return 0, fmt.Errorf("add %s: %w", a.ID, s.fileError(err)) }
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	old, err := s.storedHash(ctx, tx, scope, a.ID)
	if err != nil {
		return fail(err)
	}
	if old == hash { // written meanwhile by another Add
		return Unchanged, nil
	}
	oldChunks, err := storedChunks(ctx, tx, scope, a.ID)
	if err != nil {
		return fail(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM chunks WHERE scope = ? AND article_id = ?`, scope, a.ID); err != nil {
		return fail(err)
	}
	if err := upsertArticle(ctx, tx, scope, a, hash); err != nil {
		return fail(err)
	}
	newIDs, err := insertChunks(ctx, tx, scope, a, chunks, vecs)
	if err != nil {
		return fail(err)
	}

	err = s.commit(ctx, tx, scope, s.writable, func(x *scopeIndex) {
		if x == nil {
			return
		}
		// Committed: the index must follow even if ctx ends now.
		ctx := context.WithoutCancel(ctx)
		s.unindex(ctx, x, oldChunks)
		if err := x.vec.add(ctx, newIDs, vecs); err != nil {
			s.repairScope(ctx, x, err)
		}
		for i, c := range chunks {
			x.lex.addChunk(newIDs[i], chunkTitle(a, c), c.Text)
		}
	})
	if err != nil {
		return 0, fmt.Errorf("add %s: %w", a.ID, err)
	}
	if old == "" {
		return Added, nil
	}
	return Updated, nil
}

func upsertArticle(ctx context.Context, tx *sql.Tx, scope string, a ingest.Article, hash string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO articles
		(scope, id, title, source, url, author, language, published, ingested, content_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (scope, id) DO UPDATE SET
			title = excluded.title, source = excluded.source, url = excluded.url,
			author = excluded.author, language = excluded.language,
			published = excluded.published, ingested = excluded.ingested,
			content_hash = excluded.content_hash`,
		scope, a.ID, a.Title, a.Source, a.URL, a.Author, a.Language,
		formatPublished(a.Published), formatTime(time.Now()), hash)
	return err
}

func insertChunks(ctx context.Context, tx *sql.Tx, scope string, a ingest.Article, chunks []ingest.Chunk, vecs [][]float32) ([]int64, error) {
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO chunks
		(scope, article_id, position, start_byte, end_byte, text, title, embedding)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	ids := make([]int64, len(chunks))
	for i, c := range chunks {
		err := stmt.QueryRowContext(ctx, scope, a.ID, c.Position, c.Start, c.End, c.Text, chunkTitle(a, c), encodeVector(vecs[i])).Scan(&ids[i])
		if err != nil {
			return nil, fmt.Errorf("chunk %d: %w", c.Position, err)
		}
	}
	return ids, nil
}

// AddStatus says what Store.Add did.
type AddStatus int

const (
	Added     AddStatus = iota // a new article
	Updated                    // an article with the same ID was replaced
	Unchanged                  // identical content was already stored; nothing written
)

// String says what Add did in the words the CLI prints.
func (s AddStatus) String() string {
	switch s {
	case Added:
		return "added"
	case Updated:
		return "updated"
	case Unchanged:
		return "already ingested"
	}
	return "unknown"
}
