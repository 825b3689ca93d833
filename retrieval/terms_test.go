package retrieval

import (
	"maps"
	"testing"

	"github.com/citebot/citebot/internal/text"
)

func TestTermCountsStayInTheirScopes(t *testing.T) {
	t.Parallel()
	s := openStore(t, t.TempDir())
	mustAdd(t, s, SharedScope, article("Harbour ferry fares rise", "Coast News", "Ferry fares across the harbour rise by ten cents in May."))
	guildA := article("Lighthouse restored", "Island Times", "Volunteers restored the old lighthouse on Gull Island.", "The lighthouse ferry runs twice a day.")
	mustAdd(t, s, GuildScope("1"), guildA)
	mustAdd(t, s, GuildScope("2"), article("Secret orchard", "Valley Post", "An orchard of rare quince trees was found near the lighthouse road."))

	terms := text.Distinct(text.Terms("ferry lighthouse quince harbour"))
	tests := []struct {
		scopes []string
		want   map[string]int
	}{
		{[]string{SharedScope}, map[string]int{"ferri": 1, "harbour": 1}},
		{SearchScopes(GuildScope("1")), map[string]int{"ferri": 2, "harbour": 1, "lighthous": 2}}, // two passages, both under the title
		{SearchScopes(GuildScope("2")), map[string]int{"ferri": 1, "harbour": 1, "lighthous": 1, "quinc": 1}},
	}
	for _, tt := range tests {
		got, err := s.TermCounts(t.Context(), tt.scopes, terms)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, tt.want) {
			t.Errorf("%v: %v, want %v", tt.scopes, got, tt.want)
		}
	}
	// A forgotten article no longer counts.
	if err := s.Forget(t.Context(), GuildScope("1"), guildA.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.TermCounts(t.Context(), SearchScopes(GuildScope("1")), terms)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"ferri": 1, "harbour": 1}; !maps.Equal(got, want) {
		t.Errorf("after forget: %v, want %v", got, want)
	}
	if _, err := s.TermCounts(t.Context(), []string{"guild:"}, terms); err == nil {
		t.Error("an invalid scope was counted")
	}
}
