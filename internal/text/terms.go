// Package text is the text analysis that retrieval and the extractive
// answerer share, so that they agree on what a word is: tokenising into
// words, stop words, Porter stemming, informative terms (Terms), stems the
// stemmer missed (SameStem) and the weight of everyday English words
// (GeneralWeight). Everything here is deterministic and safe for
// concurrent use.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Terms returns the informative terms of text in order of appearance,
// repeats included: words (runs of Unicode letters and digits) lower-cased,
// stop words removed, and stemmed with the Porter algorithm (the stemmer of
// retrieval's lexical index). It is the vocabulary of retrieval's
// Passage.Coverage and of the extractive answerer.
func Terms(text string) []string {
	var out []string
	ForEachTermWord(text, func(w string) {
		if !IsStopWord(w) {
			out = append(out, Stem(w))
		}
	})
	return out
}

// ForEachWord calls fn with each maximal run of letters and digits in text,
// lower-cased. Apostrophes inside a word end it ("don't" gives "don", "t"),
// as in FTS5's unicode61 tokenizer.
func ForEachWord(text string, fn func(string)) {
	ForEachWordAt(text, func(_, _ int, w string) { fn(w) })
}

// ForEachWordAt is ForEachWord that also gives each word's byte offsets in
// text: text[start:end] is the word as written.
func ForEachWordAt(text string, fn func(start, end int, word string)) {
	start := -1
	lower := true
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start, lower = i, true
			}
			if r >= utf8.RuneSelf || (r >= 'A' && r <= 'Z') {
				lower = false
			}
			continue
		}
		if start >= 0 {
			fn(start, i, lowerWord(text[start:i], lower))
			start = -1
		}
	}
	if start >= 0 {
		fn(start, len(text), lowerWord(text[start:], lower))
	}
}

func lowerWord(w string, lower bool) string {
	if !lower {
		return strings.ToLower(w)
	}
	return w
}

// ForEachTermWord is ForEachWord for words that become terms: the word
// before the "n't" of a negative contraction whose first part is also a
// word of its own ("won't", "don't", "shan't") comes as "not", the stop
// word it means, so that "won" stays the past of "win" ("Who won the
// election?"), "Don" a name and "Shan" a people. Retrieval's lexical
// index and Terms read words through it.
func ForEachTermWord(text string, fn func(string)) {
	ForEachWordAt(text, func(_, end int, w string) {
		if Contracted(w, text[end:]) {
			w = "not"
		}
		fn(w)
	})
}

// Contracted reports whether the lower-case word w, followed by rest, is
// the first part of "won't", "don't" or "shan't": not the word it spells.
func Contracted(w, rest string) bool {
	return ContractionPart(w) && negationFollows(rest)
}

// ContractionPart reports whether the lower-case word w is "won", "don"
// or "shan": a word of its own that also starts "won't", "don't" or
// "shan't" (Contracted tells which one it is).
func ContractionPart(w string) bool { return negativeContractions[w] }

// negativeContractions are the first parts of "won't", "don't" and
// "shan't" that are words in their own right. The others ("didn",
// "isn", "couldn", …) are stop words whatever follows them.
var negativeContractions = map[string]bool{"won": true, "don": true, "shan": true}

// negationFollows reports whether rest, the text after a word, opens with
// an apostrophe (straight or curly) and the "t" of "n't", ending there.
func negationFollows(rest string) bool {
	r, n := utf8.DecodeRuneInString(rest)
	if r != '\'' && r != '’' {
		return false
	}
	rest = rest[n:]
	if rest == "" || (rest[0] != 't' && rest[0] != 'T') {
		return false
	}
	r, _ = utf8.DecodeRuneInString(rest[1:])
	return len(rest) == 1 || !(unicode.IsLetter(r) || unicode.IsDigit(r))
}

// TermSet returns the distinct terms of text (as Terms returns them).
func TermSet(text string) map[string]struct{} {
	set := make(map[string]struct{})
	for _, t := range Terms(text) {
		set[t] = struct{}{}
	}
	return set
}

// Distinct returns terms without repeats, in order of first appearance,
// in a new slice (empty, not nil, when terms is empty).
func Distinct(terms []string) []string {
	seen := make(map[string]struct{}, len(terms))
	out := terms[:0:0]
	for _, t := range terms {
		if _, ok := seen[t]; !ok {
			seen[t] = struct{}{}
			out = append(out, t)
		}
	}
	return out
}

// IsStopWord reports whether the lower-case word w is a stop word: a
// common English function word that carries no topic, left out of Terms.
// "won", "don" and "shan" are not: Terms leaves them out only as parts of
// "won't", "don't" and "shan't" (ForEachTermWord).
func IsStopWord(w string) bool {
	_, ok := stopWords[w]
	return ok
}

// stopWords are common English function words that carry no topic.
var stopWords = func() map[string]struct{} {
	list := `a about above after again against all am an and any are aren as at
	be because been before being below between both but by can cannot could
	couldn did didn do does doesn doing down during each few for from further
	had hadn has hasn have haven having he her here hers herself him himself his
	how i if in into is isn it its itself just let me more most mustn my myself
	no nor not of off on once only or other ought our ours ourselves out over own
	same she should shouldn so some such than that the their theirs them
	themselves then there these they this those through to too under until up
	very was wasn we were weren what when where which while who whom why will
	with would wouldn you your yours yourself yourselves s t d ll m re ve
	also did does tell told says said say may might must shall yet via per`
	m := make(map[string]struct{})
	for _, w := range strings.Fields(list) {
		m[w] = struct{}{}
	}
	return m
}()
