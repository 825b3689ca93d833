package retrieval

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/internal/text"
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

// nearestTermScan and foldedTermScan are nearestTerm and foldedTerm as
// they were before their lookups: a pass over every term of every scope.
// They are the reference the lookups must agree with.
func nearestTermScan(scopes []*lexScope, t string) (string, int32) {
	n := utf8.RuneCountInString(t)
	dfs := make(map[string]int32)
	for _, x := range scopes {
		for term, i := range x.term {
			if x.df[i] == 0 {
				continue
			}
			if m := utf8.RuneCountInString(term); m < n-1 || m > n+1 {
				continue
			}
			if oneEdit(t, term) {
				dfs[term] += x.df[i]
			}
		}
	}
	var best string
	var most int32
	for term, df := range dfs {
		if df > most || df == most && term < best {
			best, most = term, df
		}
	}
	return best, most
}

func foldedTermScan(scopes []*lexScope, w string) string {
	want := text.Stem(text.Fold(w))
	if text.Fold(w) != w {
		if dfOf(scopes, want) > 0 {
			return want
		}
		return ""
	}
	var best string
	var most int32
	for _, x := range scopes {
		for term, i := range x.term {
			if x.df[i] == 0 || text.Fold(term) == term || text.Stem(text.Fold(term)) != want {
				continue
			}
			if df := dfOf(scopes, term); df > most || df == most && term < best {
				best, most = term, df
			}
		}
	}
	return best
}

// randomScopes builds scopes of n random terms each: letters with now and
// then an accented one, a digit, a hyphen or a letter of another script,
// and document counts of which some are zero (chunks forgotten).
func randomScopes(r *rand.Rand, scopes, n int) []*lexScope {
	letters := []string{"a", "b", "c", "d", "e", "i", "n", "o", "r", "s", "t", "u", "é", "ü", "ç", "ø", "9", "-", "ж", "ß"}
	var out []*lexScope
	for range scopes {
		x := newLexScope()
		for range n {
			var b strings.Builder
			for range 2 + r.IntN(8) {
				if r.IntN(12) == 0 {
					b.WriteString(letters[12+r.IntN(len(letters)-12)])
				} else {
					b.WriteString(letters[r.IntN(12)])
				}
			}
			i := x.intern(b.String())
			x.df[i] = int32(r.IntN(4))
		}
		out = append(out, x)
	}
	return out
}

// TestNearestAndFoldedTermLookups: the lookups give what a pass over every
// term gives, for ASCII words and others, misspelt or not.
func TestNearestAndFoldedTermLookups(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 11))
	for round := range 20 {
		scopes := randomScopes(r, 1+round%3, 300)
		var terms []string
		for _, x := range scopes {
			for term := range x.term {
				terms = append(terms, term)
			}
		}
		slices.Sort(terms)
		for range 200 {
			w := []rune(terms[r.IntN(len(terms))])
			switch r.IntN(4) { // one edit, or two, from a held term
			case 0:
				i := r.IntN(len(w))
				w = append(w[:i:i], w[i+1:]...)
			case 1:
				i := r.IntN(len(w) + 1)
				w = append(w[:i:i], append([]rune{rune("aeioué"[r.IntN(5)])}, w[i:]...)...)
			case 2:
				w[r.IntN(len(w))] = 'z'
			case 3:
				if len(w) > 1 {
					i := r.IntN(len(w) - 1)
					w[i], w[i+1] = w[i+1], w[i]
				}
			}
			word := string(w)
			gotTerm, gotDF := nearestTerm(scopes, word)
			wantTerm, wantDF := nearestTermScan(scopes, word)
			if gotTerm != wantTerm || gotDF != wantDF {
				t.Fatalf("nearestTerm(%q) = %q, %d; a pass over every term: %q, %d", word, gotTerm, gotDF, wantTerm, wantDF)
			}
			if got, want := foldedTerm(scopes, word), foldedTermScan(scopes, word); got != want {
				t.Fatalf("foldedTerm(%q) = %q; a pass over every term: %q", word, got, want)
			}
		}
	}
}

// TestFoldedTermAfterNewTerms: the accentless stems, worked out when first
// needed, cover the terms numbered after that too.
func TestFoldedTermAfterNewTerms(t *testing.T) {
	t.Parallel()
	x := newLexScope()
	x.df[x.intern("café")] = 1
	scopes := []*lexScope{x}
	if got := foldedTerm(scopes, "cafe"); got != "café" {
		t.Fatalf("foldedTerm(cafe) = %q, want café", got)
	}
	x.df[x.intern(text.Stem("émigrés"))] = 2
	if got, want := foldedTerm(scopes, "emigres"), text.Stem("émigrés"); got != want {
		t.Errorf("foldedTerm(emigres) after a new term = %q, want %q", got, want)
	}
}

// BenchmarkNearestTerm looks up a misspelt word ("harbuor") and one with
// accents ("gospić") in a scope of 100,000 terms, one in fifty of them
// with a letter outside ASCII, as an English store has: by the lookups in
// use and by a pass over every term (before them).
func BenchmarkNearestTerm(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	x := newLexScope()
	for x.docs = 0; len(x.term) < 100_000; {
		var w strings.Builder
		for range 3 + r.IntN(9) {
			w.WriteByte("abcdefghijklmnopqrstuvwxyz"[r.IntN(26)])
		}
		if r.IntN(50) == 0 {
			w.WriteString("é")
		}
		x.df[x.intern(w.String())] = 1
	}
	scopes := []*lexScope{x}
	for _, w := range []string{"harbuor", "gospić"} {
		b.Run(w+"/lookup", func(b *testing.B) {
			for b.Loop() {
				nearestTerm(scopes, w)
				foldedTerm(scopes, w)
			}
			b.ReportMetric(float64(len(x.term)), "terms")
		})
		b.Run(w+"/scan", func(b *testing.B) {
			for b.Loop() {
				nearestTermScan(scopes, w)
				foldedTermScan(scopes, w)
			}
			b.ReportMetric(float64(len(x.term)), "terms")
		})
	}
}
