package text

import (
	"slices"
	"testing"
)

func TestSynonyms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		word, synonym string
		want          bool
	}{
		{"attacked", "aggression", true}, // "attack, aggress" and the stem of "aggression"
		{"loan", "lending", true},
		{"country", "nation", true},
		{"happened", "occurred", true},
		{"attacked", "country", false},
		{"loan", "bank", false},
		{"qxzvbtw", "aggression", false}, // a word WordNet lacks
	}
	for _, tt := range tests {
		term, syn := Terms(tt.word)[0], Terms(tt.synonym)[0]
		have := map[string]struct{}{syn: {}}
		if got := HasSynonym(term, have); got != tt.want {
			t.Errorf("HasSynonym(%q, {%q}) = %v, want %v (Synonyms: %q)", term, syn, got, tt.want, Synonyms(term))
		}
	}
}

func TestSynonymTable(t *testing.T) {
	t.Parallel()
	table := synonyms()
	if len(table) < 5000 {
		t.Fatalf("synonym table holds %d terms, want over 5,000", len(table))
	}
	for term, syns := range table {
		if !Known(term) {
			t.Fatalf("term %q is not among the words Known ranks", term)
		}
		if !slices.IsSorted(syns) || slices.Contains(syns, term) {
			t.Fatalf("synonyms of %q = %q: want them sorted, without the term itself", term, syns)
		}
		for _, s := range syns {
			if SameStem(s, term) || !Known(s) {
				t.Fatalf("synonym %q of %q: the same stem or a word Known lacks", s, term)
			}
		}
	}
}
