// Package retrieval keeps articles, chunks and their embeddings in a durable
// SQLite store, derives in-memory vector and BM25 indexes from it (one per
// scope) and searches them with lexical and vector ranking fused by
// reciprocal rank.
package retrieval

import (
	"context"
	"strings"
	"time"
)

// SharedScope holds articles visible everywhere; it is the CLI default.
const SharedScope = "shared"

// GuildScope returns the scope of one Discord server.
func GuildScope(guildID string) string { return "guild:" + guildID }

// SearchScopes returns the scopes a search in scope may see: a guild sees
// itself and shared; shared sees only shared.
func SearchScopes(scope string) []string {
	if scope == "" || scope == SharedScope {
		return []string{SharedScope}
	}
	return []string{scope, SharedScope}
}

// ValidScope reports whether s is "shared" or "guild:<id>" with a non-empty id.
func ValidScope(s string) bool {
	if s == SharedScope {
		return true
	}
	id, ok := strings.CutPrefix(s, "guild:")
	return ok && id != "" && !strings.ContainsAny(id, " \t\n:")
}

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

// ArticleInfo describes one stored article.
type ArticleInfo struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Source    string    `json:"source"`
	URL       string    `json:"url"`
	Published time.Time `json:"published"`
	Ingested  time.Time `json:"ingested"`
	Chunks    int       `json:"chunks"`
	Scope     string    `json:"scope"`
}

// Passage is one search result.
type Passage struct {
	ChunkID   string
	ArticleID string
	Title     string
	Source    string
	URL       string
	Scope     string
	Position  int
	Text      string
	// Score is the fused ranking score; higher is better. Only its order
	// is meaningful.
	Score float64
	// Coverage is the share (0..1) of the query's informative terms that
	// occur in the passage or its article title; it does not depend on
	// corpus size, so it serves as a relevance threshold.
	Coverage float64
}

// AddStatus says what Store.Add did.
type AddStatus int

const (
	Added     AddStatus = iota // a new article
	Updated                    // an article with the same ID was replaced
	Unchanged                  // identical content was already stored; nothing written
)

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
