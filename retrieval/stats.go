package retrieval

import (
	"context"
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
	// LexicalRows is the number of chunks in the in-memory lexical
	// index, over all scopes; 0 before it is built.
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
	if s.lex != nil {
		st.LexicalRows = s.lex.docs
	}
	if s.index != nil {
		st.VectorDocs = s.index.total()
	}
	return st, nil
}
