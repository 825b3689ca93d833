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
	xs, err := s.rlockScopes(ctx, scopes)
	if err != nil {
		return nil, fmt.Errorf("term counts: %w", err)
	}
	defer s.mu.RUnlock()
	return termCounts(lexOf(xs), terms), nil
}
