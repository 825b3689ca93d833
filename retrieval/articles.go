package retrieval

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/citebot/citebot/internal/text"
)

// Articles lists the articles stored in scopes (shared only when scopes is
// empty), newest first — by publication date, or by ingest date for an
// article that has none — each with its chunk count. Invalid scopes
// are an error.
func (s *Store) Articles(ctx context.Context, scopes []string) ([]ArticleInfo, error) {
	scopes, err := checkScopes(scopes)
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	q := `SELECT a.scope, a.id, a.title, a.source, a.url, a.published, a.ingested,
			(SELECT count(*) FROM chunks c WHERE c.scope = a.scope AND c.article_id = a.id)
		FROM articles a WHERE a.scope IN (` + placeholders(len(scopes)) + `)
		ORDER BY a.ingested DESC, a.scope, a.id`
	rows, err := s.db.QueryContext(ctx, q, anys(scopes)...)
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", s.fileError(err))
	}
	defer rows.Close()
	var out []ArticleInfo
	for rows.Next() {
		var (
			ai                  ArticleInfo
			published, ingested string
		)
		if err := rows.Scan(&ai.Scope, &ai.ID, &ai.Title, &ai.Source, &ai.URL, &published, &ingested, &ai.Chunks); err != nil {
			return nil, fmt.Errorf("list articles: %w", s.fileError(err))
		}
		if ai.Published, err = parseTime(published); err != nil {
			return nil, fmt.Errorf("list articles: %s: %w", ai.ID, s.damaged(err))
		}
		if ai.Ingested, err = parseTime(ingested); err != nil {
			return nil, fmt.Errorf("list articles: %s: %w", ai.ID, s.damaged(err))
		}
		out = append(out, ai)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list articles: %w", s.fileError(err))
	}
	slices.SortStableFunc(out, func(a, b ArticleInfo) int { return b.Newest().Compare(a.Newest()) })
	return out, nil
}

// Newest is when the article is from: its publication date, else when it
// was ingested.
func (a ArticleInfo) Newest() time.Time {
	if !a.Published.IsZero() {
		return a.Published
	}
	return a.Ingested
}

// checkScopes validates scopes, drops repeats, and defaults to shared.
func checkScopes(scopes []string) ([]string, error) {
	if len(scopes) == 0 {
		return []string{SharedScope}, nil
	}
	out := make([]string, 0, len(scopes))
	for _, sc := range scopes {
		if !ValidScope(sc) {
			return nil, fmt.Errorf("invalid scope %q", sc)
		}
		out = append(out, sc)
	}
	return text.Distinct(out), nil
}

// placeholders returns "?, ?, ..." with n marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
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
