package retrieval

import (
	"context"
	"errors"
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
	name, dims, err := s.storedEmbedder(ctx)
	if err != nil {
		return err
	}
	want, wantDims := s.emb.Name(), strconv.Itoa(s.emb.Dimensions())
	if name == want && dims == wantDims {
		return nil
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM chunks LIMIT 1) x`).Scan(&n); err != nil {
		return s.fileError(err)
	}
	if name == "" || n == 0 { // new or empty store: nothing to re-embed
		return s.recordEmbedder(ctx, s.db)
	}
	return fmt.Errorf("store %s was built with embedder %s (%s dimensions) but %s (%s dimensions) is configured: %w; "+
		"configure the embedder it was built with, or run `citebot reindex` to re-embed it with this one",
		s.path, name, dims, want, wantDims, ErrEmbedderMismatch)
}

// storedEmbedder returns the name and dimensions the store records.
func (s *Store) storedEmbedder(ctx context.Context) (name, dims string, err error) {
	if name, err = getMeta(ctx, s.db, metaEmbedder); err != nil {
		return "", "", s.fileError(err)
	}
	if dims, err = getMeta(ctx, s.db, metaDims); err != nil {
		return "", "", s.fileError(err)
	}
	return name, dims, nil
}

// ErrEmbedderSwitched: another process (citebot reindex) re-embedded the
// store with another embedder while this one had it open. Errors that
// wrap it also wrap ErrEmbedderMismatch.
var ErrEmbedderSwitched = errors.New("store was re-embedded by another process")

// switchedError is what Refresh reports, and Add refuses with, once the
// store's vectors belong to another embedder than this process's: the
// indexes it loaded still answer (its embedder embeds questions in their
// space), but new articles could only be embedded in the wrong one.
type switchedError struct {
	path, stored, ours string
}

func (e *switchedError) Error() string {
	return fmt.Sprintf("store %s was re-embedded with %s by another process (citebot reindex), but this process embeds with %s: "+
		"it keeps answering from the search indexes it loaded and refuses new articles; restart citebot with the new embedder settings",
		e.path, e.stored, e.ours)
}

func (e *switchedError) Unwrap() []error { return []error{ErrEmbedderSwitched, ErrEmbedderMismatch} }

// UserMessage is what a person whose article is refused reads (see
// bot.UserMessage).
func (e *switchedError) UserMessage() string {
	return "I can't add articles until the bot is restarted: its store was re-indexed with another embedding model."
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
