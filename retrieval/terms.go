package retrieval

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Terms returns the informative terms of text in order of appearance,
// repeats included: words (runs of Unicode letters and digits) lower-cased,
// stop words removed, and stemmed with the Porter algorithm (the stemmer of
// the lexical index). It is the vocabulary of Passage.Coverage and is safe
// for concurrent use.
func Terms(text string) []string {
	var out []string
	forEachWord(text, func(w string) {
		if !isStopWord(w) {
			out = append(out, stem(w))
		}
	})
	return out
}

// words returns the lower-cased words of text, stop words included.
func words(text string) []string {
	var out []string
	forEachWord(text, func(w string) { out = append(out, w) })
	return out
}

// forEachWord calls fn with each maximal run of letters and digits in text,
// lower-cased. Apostrophes inside a word end it ("don't" gives "don", "t"),
// as in FTS5's unicode61 tokenizer.
func forEachWord(text string, fn func(string)) {
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
			emitWord(text[start:i], lower, fn)
			start = -1
		}
	}
	if start >= 0 {
		emitWord(text[start:], lower, fn)
	}
}

func emitWord(w string, lower bool, fn func(string)) {
	if !lower {
		w = strings.ToLower(w)
	}
	fn(w)
}

// termSet returns the distinct terms of text.
func termSet(text string) map[string]struct{} {
	set := make(map[string]struct{})
	for _, t := range Terms(text) {
		set[t] = struct{}{}
	}
	return set
}

// distinct returns terms without repeats, in order of first appearance.
func distinct(terms []string) []string {
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

func isStopWord(w string) bool {
	_, ok := stopWords[w]
	return ok
}

// stopWords are common English function words that carry no topic.
var stopWords = func() map[string]struct{} {
	list := `a about above after again against all am an and any are aren as at
	be because been before being below between both but by can cannot could
	couldn did didn do does doesn doing don down during each few for from further
	had hadn has hasn have haven having he her here hers herself him himself his
	how i if in into is isn it its itself just let me more most mustn my myself
	no nor not of off on once only or other ought our ours ourselves out over own
	same shan she should shouldn so some such than that the their theirs them
	themselves then there these they this those through to too under until up
	very was wasn we were weren what when where which while who whom why will
	with won would wouldn you your yours yourself yourselves s t d ll m re ve
	also did does tell told says said say may might must shall yet via per`
	m := make(map[string]struct{})
	for _, w := range strings.Fields(list) {
		m[w] = struct{}{}
	}
	return m
}()
