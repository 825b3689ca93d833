package retrieval

import (
	"context"
	"fmt"
)

// TermCounts returns how many passages of scopes hold each of terms (as
// text.Terms makes them), in their text or their article title. A term no
// passage holds is absent from the map. Only the given scopes are
// counted: another guild's articles never are.
func (s *Store) TermCounts(ctx context.Context, scopes []string, terms []string) (map[string]int, error) {
	scopes, err := checkScopes(scopes)
	if err != nil {
		return nil, fmt.Errorf("term counts: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.usable(); err != nil {
		return nil, fmt.Errorf("term counts: %w", err)
	}
	return s.lex.counts(scopes, terms), nil
}
