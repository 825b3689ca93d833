package text

import (
	_ "embed"
	"strings"
	"sync"
)

//go:embed synonyms.txt.gz
var synonymTable []byte

// synonyms maps a term to the terms of words that can stand for it.
var synonyms = sync.OnceValue(func() map[string][]string {
	out := make(map[string][]string, 12000)
	readTable("synonym table", synonymTable, func(line string) {
		if f := strings.Fields(line); len(f) > 1 {
			out[f[0]] = f[1:]
		}
	})
	return out
})

// Synonyms returns the terms of words that WordNet gives for the
// commonest senses of term's word ("attack": "aggress", "assail",
// "assault", …; "loan": "lend"), as Terms makes them: nil for a word it
// does not know. See synonyms.md.
func Synonyms(term string) []string {
	return synonyms()[term]
}

// HasSynonym reports whether have holds a synonym of t (Synonyms).
func HasSynonym[V any](t string, have map[string]V) bool {
	for _, s := range synonyms()[t] {
		if _, ok := have[s]; ok {
			return true
		}
	}
	return false
}
