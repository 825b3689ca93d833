package text

import "strings"

// Stem reduces a lower-case ASCII word to its stem: an irregular form
// ("began", "built", "children") is first read as its base form
// (irregularForms), then the Porter (1980) algorithm applies (as FTS5's
// "porter" tokenizer, which retrieval's lexical index used before it
// moved into memory). Terms and the lexical index share it, so they agree
// on what a word is. Words with non-ASCII letters or shorter than three
// bytes are returned unchanged. Safe for concurrent use.
func Stem(w string) string {
	if base, ok := irregularBase[w]; ok {
		w = base
	}
	return Porter(w)
}

// Porter is Stem without reading irregular forms as their base: the
// Porter algorithm alone. The local embedder's features use it, so that
// the vectors of stores written before Stem read irregular forms are
// still the vectors it makes.
func Porter(w string) string {
	if len(w) < 3 {
		return w
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < 'a' || c > 'z' {
			return w
		}
	}
	b := []byte(w)
	b = step1a(b)
	b = step1b(b)
	b = step1c(b)
	b = step2(b)
	b = step3(b)
	b = step4(b)
	b = step5(b)
	return string(b)
}

// isCons reports whether b[i] is a consonant in Porter's sense: not a vowel,
// and 'y' only when it follows a vowel or starts the word.
func isCons(b []byte, i int) bool {
	switch b[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return false
	case 'y':
		return i == 0 || !isCons(b, i-1)
	}
	return true
}

// measure returns m, the number of vowel-consonant sequences in b.
func measure(b []byte) int {
	n, i := 0, 0
	for i < len(b) && isCons(b, i) {
		i++
	}
	for i < len(b) {
		for i < len(b) && !isCons(b, i) {
			i++
		}
		if i >= len(b) {
			break
		}
		for i < len(b) && isCons(b, i) {
			i++
		}
		n++
	}
	return n
}

func hasVowel(b []byte) bool {
	for i := range b {
		if !isCons(b, i) {
			return true
		}
	}
	return false
}

// endsDoubleCons reports whether b ends with a double consonant.
func endsDoubleCons(b []byte) bool {
	n := len(b)
	return n >= 2 && b[n-1] == b[n-2] && isCons(b, n-1)
}

// endsCVC reports whether b ends consonant-vowel-consonant where the last
// consonant is not w, x or y.
func endsCVC(b []byte) bool {
	n := len(b)
	if n < 3 || !isCons(b, n-1) || isCons(b, n-2) || !isCons(b, n-3) {
		return false
	}
	c := b[n-1]
	return c != 'w' && c != 'x' && c != 'y'
}

func hasSuffix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[len(b)-len(s):]) == s
}

// replaceIf replaces suffix with repl when the stem before it has measure > m.
// It reports whether suffix matched (whether or not it was replaced).
func replaceIf(b *[]byte, suffix, repl string, m int) bool {
	if !hasSuffix(*b, suffix) {
		return false
	}
	base := (*b)[:len(*b)-len(suffix)]
	if measure(base) > m {
		*b = append(base, repl...)
	}
	return true
}

func step1a(b []byte) []byte {
	switch {
	case hasSuffix(b, "sses"), hasSuffix(b, "ies"):
		return b[:len(b)-2]
	case hasSuffix(b, "ss"):
		return b
	case hasSuffix(b, "s"):
		return b[:len(b)-1]
	}
	return b
}

func step1b(b []byte) []byte {
	if hasSuffix(b, "eed") {
		if measure(b[:len(b)-3]) > 0 {
			return b[:len(b)-1]
		}
		return b
	}
	var base []byte
	switch {
	case hasSuffix(b, "ed") && hasVowel(b[:len(b)-2]):
		base = b[:len(b)-2]
	case hasSuffix(b, "ing") && hasVowel(b[:len(b)-3]):
		base = b[:len(b)-3]
	default:
		return b
	}
	switch {
	case hasSuffix(base, "at"), hasSuffix(base, "bl"), hasSuffix(base, "iz"):
		return append(base, 'e')
	case endsDoubleCons(base):
		if c := base[len(base)-1]; c != 'l' && c != 's' && c != 'z' {
			return base[:len(base)-1]
		}
	case measure(base) == 1 && endsCVC(base):
		return append(base, 'e')
	}
	return base
}

func step1c(b []byte) []byte {
	if hasSuffix(b, "y") && hasVowel(b[:len(b)-1]) {
		b[len(b)-1] = 'i'
	}
	return b
}

var step2Rules = [][2]string{
	{"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"}, {"anci", "ance"},
	{"izer", "ize"}, {"bli", "ble"}, {"alli", "al"}, {"entli", "ent"}, {"eli", "e"},
	{"ousli", "ous"}, {"ization", "ize"}, {"ation", "ate"}, {"ator", "ate"},
	{"alism", "al"}, {"iveness", "ive"}, {"fulness", "ful"}, {"ousness", "ous"},
	{"aliti", "al"}, {"iviti", "ive"}, {"biliti", "ble"}, {"logi", "log"},
}

func step2(b []byte) []byte {
	for _, r := range step2Rules {
		if replaceIf(&b, r[0], r[1], 0) {
			return b
		}
	}
	return b
}

var step3Rules = [][2]string{
	{"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"},
	{"ical", "ic"}, {"ful", ""}, {"ness", ""},
}

func step3(b []byte) []byte {
	for _, r := range step3Rules {
		if replaceIf(&b, r[0], r[1], 0) {
			return b
		}
	}
	return b
}

var step4Suffixes = []string{
	"al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment",
	"ent", "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize",
}

func step4(b []byte) []byte {
	// Longest match first among suffixes sharing an ending.
	best := ""
	for _, s := range step4Suffixes {
		if hasSuffix(b, s) && len(s) > len(best) {
			best = s
		}
	}
	if best == "" {
		return b
	}
	base := b[:len(b)-len(best)]
	if measure(base) <= 1 {
		return b
	}
	if best == "ion" {
		if n := len(base); n == 0 || (base[n-1] != 's' && base[n-1] != 't') {
			return b
		}
	}
	return base
}

func step5(b []byte) []byte {
	if hasSuffix(b, "e") {
		base := b[:len(b)-1]
		m := measure(base)
		if m > 1 || (m == 1 && !endsCVC(base)) {
			b = base
		}
	}
	if measure(b) > 1 && endsDoubleCons(b) && b[len(b)-1] == 'l' {
		b = b[:len(b)-1]
	}
	return b
}

// SameStem reports whether two different terms (as Terms returns them)
// share a stem the stemmer missed: one is a prefix of the other and the
// shorter has at least 4 letters ("evacu" and "evacue").
func SameStem(a, b string) bool {
	if len(a) < 4 || len(b) < 4 || a == b {
		return false
	}
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}

// SharesStem reports whether a term (key) of have shares a stem with t
// in the sense of SameStem; equal terms do not count.
func SharesStem[V any](t string, have map[string]V) bool {
	for h := range have {
		if SameStem(t, h) {
			return true
		}
	}
	return false
}
