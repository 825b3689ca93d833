package text

import (
	_ "embed"
	"math"
	"sync"
)

// RarityWords is how many of the most frequent English words the rarity
// table ranks; a rarer word, or one it does not know, ranks as the last.
const RarityWords = 50000

// rarityScale is the rank at which a word's rarity is ln 2: the words
// far more common than that weigh next to nothing, and the weight grows
// with the logarithm of the rank beyond it. Chosen on the SQuAD tune
// questions (retrieval/README.md, Answerability): 1,000 among 10 to
// 10,000.
const rarityScale = 1000

//go:embed wordrank.txt.gz
var wordRankTable []byte

var wordRanks = sync.OnceValue(func() map[string]int {
	ranks := make(map[string]int, RarityWords)
	i := 0
	readTable("rarity table", wordRankTable, func(t string) {
		i++
		if t != "" {
			ranks[t] = i
		}
	})
	return ranks
})

// Rarity is how telling a term (as Terms returns it) is by how rare its
// word is in English at large, whatever the corpus: ln(1 + rank/1000),
// where rank is the word's place among the 50,000 most frequent words of
// English text (Wikipedia and news, from the GloVe 6B vocabulary;
// scripts/wordrank). "year" weighs 0.06, "government" 0.07, "immune"
// 2.1, "subordinate" 2.8, and a word rarer than the 50,000th, or a name
// or number the table lacks, 3.9. Unlike a store's document frequencies it does not
// swing with the size of the store.
func Rarity(term string) float64 {
	r, ok := wordRanks()[term]
	if !ok {
		r = RarityWords
	}
	return math.Log1p(float64(r) / rarityScale)
}

// Known reports whether the rarity table ranks term (as Terms returns it):
// a word among the 50,000 most frequent of English text.
func Known(term string) bool {
	_, ok := wordRanks()[term]
	return ok
}
