package retrieval

import (
	"context"
	"fmt"
)

// Stats counts what a store holds, in each of its three places. In a
// healthy store with every scope loaded Chunks == LexicalRows (always
// LoadedChunks == LexicalRows), and VectorDocs == that less the
// chunks whose embedding is all zeros (a text with no words, which
// nothing can be similar to and the vector index leaves out).
type Stats struct {
	// Articles and Chunks are rows of the durable store.
	Articles int `json:"articles"`
	Chunks   int `json:"chunks"`
	// LexicalRows is the number of chunks in the in-memory lexical
	// indexes of the loaded scopes; 0 before any is loaded.
	LexicalRows int `json:"lexical_rows"`
	// VectorDocs is the number of vectors in the in-memory indexes of
	// the loaded scopes.
	VectorDocs int `json:"vector_docs"`
	// LoadedScopes is the number of scopes whose indexes are loaded (a
	// scope is loaded when first searched, or by Preload); LoadedChunks
	// the chunks of those scopes in the durable store, which a healthy
	// store's LexicalRows equals.
	LoadedScopes int `json:"loaded_scopes"`
	LoadedChunks int `json:"loaded_chunks"`
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
	var names []string
	for _, x := range s.loadedScopes() {
		st.LexicalRows += x.lex.docs
		st.VectorDocs += x.vec.count()
		names = append(names, x.name)
	}
	st.LoadedScopes = len(names)
	if len(names) > 0 {
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM chunks WHERE scope IN (`+placeholders(len(names))+`)`, anys(names)...).Scan(&st.LoadedChunks); err != nil {
			return Stats{}, fmt.Errorf("stats: %w", s.fileError(err))
		}
	}
	return st, nil
}
