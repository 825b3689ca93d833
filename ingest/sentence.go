package ingest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sentences splits text into sentences and returns their byte spans
// [start, end) in text, in order. A span starts at the sentence's first
// non-space character and ends after its terminal punctuation and any
// closing quotes or brackets; white space between sentences belongs to no
// span, and every other byte of text belongs to exactly one span.
//
// A sentence ends at '.', '!', '?' or '…' followed by white space (or the
// end of the text), unless the next word starts with a lower-case letter
// or the period belongs to an abbreviation: titles (Mr., Dr., Prof.),
// Latin short forms (e.g., i.e.), initials and initialisms (J., U.S.,
// a.m.), which end a sentence only before a typical sentence opener such
// as "The" or "He", and reference forms (No., Fig., Jan.) before a number.
// Periods inside tokens (3.5, example.com) never end a sentence. A blank
// line (two or more line breaks) always ends one, and CJK full stops end
// one without needing a following space. Invalid UTF-8 is tolerated: bad
// bytes are treated as ordinary characters.
func Sentences(text string) [][2]int {
	var spans [][2]int
	start := -1   // first byte of the current sentence, -1 between sentences
	lastEnd := -1 // end of the last non-space rune seen
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			j, newlines := skipSpace(text, i)
			if newlines >= 2 && start >= 0 {
				spans = append(spans, [2]int{start, lastEnd})
				start = -1
			}
			i = j
			continue
		}
		if start < 0 {
			start = i
		}
		if !isTerminal(r) {
			i += size
			lastEnd = i
			continue
		}
		// A run of terminals ("?!", "...") followed by closers ('"', ')').
		j := i + size
		for j < len(text) {
			r2, s2 := utf8.DecodeRuneInString(text[j:])
			if !isTerminal(r2) {
				break
			}
			j += s2
		}
		termEnd := j
		for j < len(text) {
			r2, s2 := utf8.DecodeRuneInString(text[j:])
			if !isCloser(r2) {
				break
			}
			j += s2
		}
		lastEnd = j
		if endsSentence(text, start, i, termEnd, j) {
			spans = append(spans, [2]int{start, j})
			start = -1
		}
		i = j
	}
	if start >= 0 {
		spans = append(spans, [2]int{start, lastEnd})
	}
	return spans
}

// skipSpace returns the end of the run of white space starting at i and
// the number of line breaks in it.
func skipSpace(text string, i int) (int, int) {
	newlines := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsSpace(r) {
			break
		}
		if r == '\n' {
			newlines++
		}
		i += size
	}
	return i, newlines
}

func isTerminal(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '。', '！', '？':
		return true
	}
	return false
}

func isCJKTerminal(r rune) bool { return r == '。' || r == '！' || r == '？' }

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', '»', ')', ']', '}', '」', '』':
		return true
	}
	return false
}

func isOpener(r rune) bool {
	switch r {
	case '"', '\'', '“', '‘', '«', '(', '[', '{', '「', '『', '¿', '¡':
		return true
	}
	return false
}

// endsSentence decides whether the terminal run text[term:termEnd],
// followed by closers up to end, ends the sentence that started at start.
func endsSentence(text string, start, term, termEnd, end int) bool {
	first, _ := utf8.DecodeRuneInString(text[term:])
	if isCJKTerminal(first) {
		return true
	}
	if end == len(text) {
		return true
	}
	if r, _ := utf8.DecodeRuneInString(text[end:]); !unicode.IsSpace(r) {
		return false // 3.5, U.S.A, example.com, "?!abc"
	}
	next := nextWord(text, end)
	if startsLower(next) {
		return false
	}
	// Only a bare single period can belong to an abbreviation.
	if text[term:termEnd] != "." || termEnd != end {
		return true
	}
	tokStart := term
	for tokStart > start && term-tokStart < 64 {
		r, size := utf8.DecodeLastRuneInString(text[:tokStart])
		if unicode.IsSpace(r) {
			break
		}
		tokStart -= size
	}
	tok := strings.TrimLeftFunc(text[tokStart:term], isOpener)
	if tok == "" {
		return true
	}
	low := strings.ToLower(tok)
	switch {
	case isDigits(tok) && tokStart == start:
		return false // a list number: "1. First"
	case neverFinal[low]:
		return false
	case beforeNumber[low] && startsDigit(next):
		return false
	case ambiguous[low] || isInitialism(tok):
		return sentenceOpeners[strings.ToLower(strings.TrimRightFunc(next, unicode.IsPunct))]
	}
	return true
}

// nextWord returns the word after the white space at i, without leading
// opening quotes or brackets.
func nextWord(text string, i int) string {
	i, _ = skipSpace(text, i)
	j := i
	for j < len(text) && j-i < 64 {
		r, size := utf8.DecodeRuneInString(text[j:])
		if unicode.IsSpace(r) {
			break
		}
		j += size
	}
	return strings.TrimLeftFunc(text[i:j], isOpener)
}

func startsLower(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsLower(r)
}

func startsDigit(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsDigit(r)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isInitialism reports whether tok (without its final period) is a single
// letter ("J") or letters separated by periods ("U.S", "a.m", "Ph.D").
func isInitialism(tok string) bool {
	n := 0
	for _, part := range strings.Split(tok, ".") {
		if part == "" || utf8.RuneCountInString(part) > 2 {
			return false
		}
		for _, r := range part {
			if !unicode.IsLetter(r) {
				return false
			}
		}
		n++
	}
	return n > 1 || utf8.RuneCountInString(tok) == 1
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// neverFinal abbreviations almost never end a sentence.
var neverFinal = set("mr", "mrs", "ms", "mx", "dr", "prof", "sen", "rep", "gov", "gen",
	"lt", "col", "maj", "sgt", "capt", "cmdr", "adm", "rev", "hon", "pres", "supt", "insp",
	"st", "mt", "ft", "vs", "e.g", "i.e", "cf", "approx", "ca", "viz", "al", "messrs", "mme", "mlle")

// beforeNumber abbreviations do not end a sentence when a number follows.
var beforeNumber = set("no", "nos", "fig", "figs", "vol", "vols", "p", "pp", "art", "sec",
	"ch", "para", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "ed")

// ambiguous abbreviations end a sentence only before a typical opener.
var ambiguous = set("inc", "ltd", "co", "corp", "jr", "sr", "bros", "llc", "plc", "etc",
	"esq", "dept", "univ", "assn", "est", "ave", "blvd", "rd", "hwy", "govt", "intl", "natl")

// sentenceOpeners are words that typically begin a sentence; after an
// initialism or ambiguous abbreviation they signal a sentence break.
var sentenceOpeners = set("the", "a", "an", "he", "she", "it", "they", "we", "i", "you",
	"but", "and", "or", "so", "yet", "in", "on", "at", "for", "this", "that", "these", "those",
	"there", "his", "her", "its", "their", "our", "my", "as", "after", "before", "when",
	"while", "if", "however", "meanwhile", "still", "then", "now", "officials", "police",
	"no", "not", "what", "why", "how", "who", "where", "some", "many", "most", "one", "two")
