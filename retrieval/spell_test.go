package retrieval

import (
	"maps"
	"testing"
)

func TestRespellings(t *testing.T) {
	forBackends(t, testRespellings)
}

func testRespellings(t *testing.T, b backend) {
	s := b.openStore(t, b.place(t))
	mustAdd(t, s, SharedScope, article("Circuit switching explained", "Net Weekly",
		"Circuit switching is characterized by a fee per unit of connection time.",
		"The Bendigo exchange and the Geelong exchange switched to packets in 1990.",
		"Packet switching won; Gospić kept its old exchange."))
	mustAdd(t, s, GuildScope("1"), article("Harbour ferry", "Coast News", "The Wirrabara ferry crosses the harbour."))
	mustAdd(t, s, GuildScope("2"), article("Pact signed", "World Desk",
		"The pact includes a mutual defence clause, Putin said at the civic centre.",
		"The leaders organised talks on the colour of the flags, a general matter.",
		"The pact is the basis for co-operation; Kim was re-elected, and the band recorded a song.",
		"The striker re-signed with the club.",
		"The émigrés met Rély and Kücükdeveci in Montreal."))

	tests := []struct {
		name   string
		scopes []string
		words  []string
		want   map[string]string
	}{
		{"a letter changed", nil, []string{"how", "is", "circuit", "switching", "charecterized"}, map[string]string{"charecterized": "characterized"}},
		{"a letter dropped, a name", nil, []string{"bedigo"}, map[string]string{"bedigo": "bendigo"}},
		{"a letter added", nil, []string{"geeelong"}, map[string]string{"geeelong": "geelong"}},
		{"two letters swapped", nil, []string{"exhcange"}, map[string]string{"exhcange": "exchange"}},
		{"without the accent", nil, []string{"gospic"}, map[string]string{"gospic": "gospić"}},
		{"spelt as the articles spell it", nil, []string{"characterized", "bendigo"}, nil},
		{"an English word is never read as another", nil, []string{"bought", "fought", "marker"}, nil},
		{"too short to tell", nil, []string{"bedig", "gospc", "feee"}, nil},
		{"two letters off", nil, []string{"chaercterised"}, nil},
		{"stop words alone", nil, []string{"the", "which", "between"}, nil},
		{"a word with a digit", nil, []string{"bendigo2", "geelong1"}, nil},
		{"another guild's articles are never read", nil, []string{"wirabara"}, nil},
		{"a guild's own articles are", SearchScopes(GuildScope("1")), []string{"wirabara", "bedigo"}, map[string]string{"wirabara": "wirrabara", "bedigo": "bendigo"}},
		{"American spellings read as the articles' British ones", SearchScopes(GuildScope("2")),
			[]string{"defense", "center", "organized", "colors"},
			map[string]string{"defense": "defence", "center": "centre", "organized": "organised", "colors": "colours"}},
		{"British spellings read as the articles' American ones", nil, []string{"characterised"}, map[string]string{"characterised": "characterized"}},
		{"a variant's stem shared by another word is not its spelling", SearchScopes(GuildScope("2")), []string{"genre"}, nil},
		{"a spelling the articles use is left alone", SearchScopes(GuildScope("2")), []string{"defence", "centre"}, nil},
		{"another guild's spellings are never read", nil, []string{"defense"}, nil},
		{"a word the passages write with a hyphen after its prefix", SearchScopes(GuildScope("2")),
			[]string{"cooperation", "reelected", "recorded", "corded", "resigned"},
			map[string]string{"cooperation": "co-operation", "reelected": "re-elected"}},
		{"a word the passages write with accents, or without them", SearchScopes(GuildScope("2")),
			[]string{"emigres", "kucukdeveci", "montréal", "rely", "montreal"},
			map[string]string{"emigres": "émigrés", "kucukdeveci": "kücükdeveci", "montréal": "montreal"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.Respellings(t.Context(), tt.scopes, tt.words)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("Respellings(%v) = %v, want %v", tt.words, got, tt.want)
			}
		})
	}
	if _, err := s.Respellings(t.Context(), []string{"no such scope!"}, []string{"bedigo"}); err == nil {
		t.Error("Respellings of an invalid scope: no error")
	}
}

func TestOneEdit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"charecter", "character", true},
		{"bedigo", "bendigo", true},
		{"bendigo", "bedigo", true},
		{"exhcange", "exchange", true},
		{"gospic", "gospić", true},
		{"abc", "abc", false},
		{"abcd", "abdc", true},
		{"abcd", "bacd", true},
		{"abcd", "badc", false},
		{"abc", "abcde", false},
		{"abc", "xyz", false},
		{"", "a", true},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := oneEdit(tt.a, tt.b); got != tt.want {
			t.Errorf("oneEdit(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestRespell(t *testing.T) {
	t.Parallel()
	s := openStore(t, t.TempDir())
	mustAdd(t, s, SharedScope, article("Circuit switching explained", "Net Weekly",
		"Circuit switching is characterized by a fee per unit of connection time.",
		"The Bendigo exchange switched to packets in 1990, in co-operation with Geelong."))
	tests := []respellCase{
		{nil, "How is circuit switching charecterized?", "How is circuit switching characterized?"},
		{nil, "What did the Bedigo exhcange do in 1990?", "What did the Bendigo exchange do in 1990?"},
		{nil, "BEDIGO, then bedigo!", "Bendigo, then bendigo!"},
		{nil, "What did the Bendigo exchange do?", "What did the Bendigo exchange do?"},
		{nil, "Who bought the exchange?", "Who bought the exchange?"},
		{nil, "Is BeDIGO the bedigo exchange?", "Is BeDIGO the bendigo exchange?"},
		{nil, "Is BEdigo or iBedigo the exhcange?", "Is BEdigo or iBedigo the exchange?"},
		{nil, "What is Exchange2 or exhcange?", "What is Exchange2 or exchange?"},
		{nil, "Which exchange was the basis for cooperation?", "Which exchange was the basis for co-operation?"},
		{nil, "Cooperation or coexchange?", "Co-operation or coexchange?"},
	}
	checkRespells(t, s, tests)
}

// TestOddWordsCoverCompounds: Respellings looks for two words in every
// word of minFoldRunes letters or more, so no prefix and the letters after
// it may make fewer.
func TestOddWordsCoverCompounds(t *testing.T) {
	t.Parallel()
	for _, p := range compoundPrefixes {
		if n := len(p) + minCompoundRest; n < minFoldRunes {
			t.Errorf("prefix %q + %d letters = %d, under minFoldRunes %d", p, minCompoundRest, n, minFoldRunes)
		}
	}
}
