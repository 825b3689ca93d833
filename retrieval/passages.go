package retrieval

import (
	"context"
	"fmt"
	"strconv"
)

// ArticlePassages returns the passages of one article in their order in
// it, from the first of scopes that holds it (SearchScopes puts a guild's
// own scope before shared, so its own article wins an ID both hold). Scores
// and coverages are zero. A missing article wraps ErrNotFound.
func (s *Store) ArticlePassages(ctx context.Context, scopes []string, articleID string) ([]Passage, error) {
	scopes, err := checkScopes(scopes)
	if err != nil {
		return nil, fmt.Errorf("passages of %s: %w", articleID, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkOpen(); err != nil {
		return nil, fmt.Errorf("passages of %s: %w", articleID, err)
	}
	for _, scope := range scopes {
		rows, err := s.db.QueryContext(ctx, `SELECT c.position, c.text, c.title, a.source, a.url, a.published
			FROM chunks c JOIN articles a ON a.scope = c.scope AND a.id = c.article_id
			WHERE c.scope = ? AND c.article_id = ? ORDER BY c.position`, scope, articleID)
		if err != nil {
			return nil, fmt.Errorf("passages of %s: %w", articleID, s.fileError(err))
		}
		var out []Passage
		for rows.Next() {
			p := Passage{ArticleID: articleID, Scope: scope}
			var published string
			if err := rows.Scan(&p.Position, &p.Text, &p.Title, &p.Source, &p.URL, &published); err != nil {
				rows.Close()
				return nil, fmt.Errorf("passages of %s: %w", articleID, s.fileError(err))
			}
			p.Published, _ = parseTime(published)
			p.ChunkID = articleID + "#" + strconv.Itoa(p.Position)
			out = append(out, p)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("passages of %s: %w", articleID, s.fileError(err))
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return nil, fmt.Errorf("passages of %s: %w", articleID, ErrNotFound)
}
