package retrieval

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Stats counts what a store holds, in each of its three places. In a
// healthy store Chunks == LexicalRows, and VectorDocs == Chunks less the
// chunks whose embedding is all zeros (a text with no words, which
// nothing can be similar to and the vector index leaves out).
type Stats struct {
	// Articles and Chunks are rows of the durable store.
	Articles int `json:"articles"`
	Chunks   int `json:"chunks"`
	// LexicalRows is the number of documents the FTS5 index itself
	// records (not its content table, which is the chunks table).
	LexicalRows int `json:"lexical_rows"`
	// VectorDocs is the number of vectors in the in-memory index, over
	// all scopes; 0 while the store is opened with another embedder.
	VectorDocs int `json:"vector_docs"`
}

// Stats returns the counts of the store, taken under the same lock as a
// commit, so the four numbers describe one moment.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkOpen(); err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	var st Stats
	if err := s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM chunks)`).Scan(&st.Articles, &st.Chunks); err != nil {
		return Stats{}, fmt.Errorf("stats: %w", s.fileError(err))
	}
	n, err := lexicalRows(ctx, s.db)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", s.fileError(err))
	}
	st.LexicalRows = n
	if s.index != nil {
		st.VectorDocs = s.index.total()
	}
	return st, nil
}

// lexicalRows reads the number of documents from the FTS5 index's
// "averages" record (row 1 of chunks_fts_data: a varint row count followed
// by one varint token total per column). Counting chunks_fts itself would
// count the content table, the chunks, and prove nothing about the index.
func lexicalRows(ctx context.Context, q querier) (int, error) {
	var blob []byte
	err := q.QueryRowContext(ctx, `SELECT block FROM chunks_fts_data WHERE id = 1`).Scan(&blob)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && len(blob) == 0) {
		return 0, nil // nothing ever indexed
	}
	if err != nil {
		return 0, err
	}
	n, ok := sqliteVarint(blob)
	if !ok {
		return 0, fmt.Errorf("lexical index: unreadable row count record (%d bytes)", len(blob))
	}
	return int(n), nil
}

// sqliteVarint decodes SQLite's big-endian variable-length integer: up to
// eight bytes of seven bits (high bit set: more follow), then a ninth of
// eight bits.
func sqliteVarint(b []byte) (uint64, bool) {
	var v uint64
	for i := 0; i < 9 && i < len(b); i++ {
		if i == 8 {
			return v<<8 | uint64(b[i]), true
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i]&0x80 == 0 {
			return v, true
		}
	}
	return 0, false
}

// total returns the number of vectors over all scopes.
func (x *vectorIndex) total() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := 0
	for _, c := range x.db.ListCollections() {
		n += c.Count()
	}
	return n
}
