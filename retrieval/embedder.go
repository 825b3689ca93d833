package retrieval

import (
	"context"
	"fmt"
	"strconv"
)

// Embedder turns texts into vectors. Implementations must be safe for
// concurrent use and must return L2-normalised vectors of Dimensions()
// length, in the order of texts.
type Embedder interface {
	// Name identifies the model and its version, e.g. "local-ngram-v1" or
	// "openai:text-embedding-3-small". A store refuses an embedder whose
	// Name or Dimensions differ from the ones it was built with.
	Name() string
	Dimensions() int
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// checkEmbedder records the embedder in a new or empty store and compares
// it with the recorded one otherwise.
func (s *Store) checkEmbedder(ctx context.Context) error {
	name, err := getMeta(ctx, s.db, metaEmbedder)
	if err != nil {
		return s.fileError(err)
	}
	dims, err := getMeta(ctx, s.db, metaDims)
	if err != nil {
		return s.fileError(err)
	}
	want, wantDims := s.emb.Name(), strconv.Itoa(s.emb.Dimensions())
	if name == want && dims == wantDims {
		return nil
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM chunks LIMIT 1)`).Scan(&n); err != nil {
		return s.fileError(err)
	}
	if name == "" || n == 0 { // new or empty store: nothing to re-embed
		return s.recordEmbedder(ctx, s.db)
	}
	return fmt.Errorf("store %s was built with embedder %s (%s dimensions) but %s (%s dimensions) is configured: %w; run `citebot reindex` to re-embed it",
		s.path, name, dims, want, wantDims, ErrEmbedderMismatch)
}

func (s *Store) recordEmbedder(ctx context.Context, q querier) error {
	if err := setMeta(ctx, q, metaEmbedder, s.emb.Name()); err != nil {
		return s.fileError(err)
	}
	if err := setMeta(ctx, q, metaDims, strconv.Itoa(s.emb.Dimensions())); err != nil {
		return s.fileError(err)
	}
	return nil
}
