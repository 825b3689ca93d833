package text

import (
	"math"
	"strings"
	"testing"
	"unicode"
)

func TestRarity(t *testing.T) {
	t.Parallel()
	// In order of rarity: each word weighs more than the one before.
	words := []string{"year", "government", "strike", "subordinate", "qxzvbtw"}
	last := -1.0
	for _, w := range words {
		terms := Terms(w)
		if len(terms) != 1 {
			t.Fatalf("Terms(%q) = %q, want one term", w, terms)
		}
		r := Rarity(terms[0])
		if r <= last {
			t.Errorf("Rarity(%q) = %.3f, not above the commoner word's %.3f", w, r, last)
		}
		last = r
	}
	if year := Rarity("year"); year > 0.1 {
		t.Errorf("Rarity(year) = %.3f, want under 0.1", year)
	}
	// A word the table does not know weighs as the rarest it knows.
	if got, want := Rarity("qxzvbtw"), math.Log1p(RarityWords/rarityScale); math.Abs(got-want) > 1e-12 {
		t.Errorf("Rarity of an unknown word = %.6f, want %.6f", got, want)
	}
}

func TestRarityTable(t *testing.T) {
	t.Parallel()
	ranks := wordRanks()
	if len(ranks) < 30000 || len(ranks) > RarityWords {
		t.Fatalf("rarity table holds %d terms, want 30,000 to %d", len(ranks), RarityWords)
	}
	for term, r := range ranks {
		if r < 1 || r > RarityWords {
			t.Fatalf("term %q at rank %d, outside 1..%d", term, r, RarityWords)
		}
		if term != strings.ToLower(term) || strings.ContainsFunc(term, unicode.IsSpace) {
			t.Fatalf("term %q is not one term as Terms makes them", term)
		}
	}
}

func TestKnown(t *testing.T) {
	t.Parallel()
	for _, w := range []string{"bought", "marker", "characterized", "government"} {
		if term := Terms(w)[0]; !Known(term) {
			t.Errorf("Known(%q) = false for the English word %q", term, w)
		}
	}
	for _, w := range []string{"charecterized", "similair", "qxzvbtw"} {
		if term := Terms(w)[0]; Known(term) {
			t.Errorf("Known(%q) = true for the misspelling %q", term, w)
		}
	}
}
