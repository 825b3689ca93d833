package text

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// An ending pair is one regular difference between American and British
// spelling at the end of a word, written American first.
type endingPair struct{ us, uk string }

// endingPairs are the regular differences, each followed in a word by one
// of its inflections ("colo[u]r" + "s", "organi[zs]ation" + "al").
var endingPairs = []struct {
	endingPair
	inflections []string
}{
	{endingPair{"or", "our"}, []string{"", "s", "ed", "ing", "ful", "less", "able", "ably", "ite", "ites", "ist", "ists", "er", "ers"}},
	{endingPair{"er", "re"}, []string{"", "s"}},
	{endingPair{"ered", "red"}, []string{""}},
	{endingPair{"ering", "ring"}, []string{""}},
	{endingPair{"ize", "ise"}, []string{"", "s", "d", "r", "rs"}},
	{endingPair{"izing", "ising"}, []string{""}},
	{endingPair{"ization", "isation"}, []string{"", "s", "al"}},
	{endingPair{"yze", "yse"}, []string{"", "s", "d", "r", "rs"}},
	{endingPair{"yzing", "ysing"}, []string{""}},
	{endingPair{"ense", "ence"}, []string{"", "s"}},
	{endingPair{"og", "ogue"}, []string{"", "s"}},
	{endingPair{"eled", "elled"}, []string{""}},
	{endingPair{"eling", "elling"}, []string{""}},
	{endingPair{"eler", "eller"}, []string{"", "s"}},
	{endingPair{"dgment", "dgement"}, []string{"", "s"}},
}

// minVariantStem is the fewest letters a word keeps before an ending pair
// for the pair to apply: "tor" is no "tour", "acre" no "acer".
const minVariantStem = 3

// beginningPairs are differences at the start of a word (the British "ae"
// and "oe" of Greek and Latin words), American first. They are listed, not
// derived, so that no name such as "Michael" is read as "Michel".
var beginningPairs = []endingPair{
	{"anes", "anaes"}, {"ped", "paed"}, {"orthoped", "orthopaed"}, {"hem", "haem"},
	{"leukem", "leukaem"}, {"estr", "oestr"}, {"esoph", "oesoph"},
	{"fet", "foet"}, {"encycloped", "encyclopaed"}, {"archeo", "archaeo"},
	{"mediev", "mediaev"}, {"gynec", "gynaec"}, {"maneuver", "manoeuvre"}, {"ces", "caes"},
	{"ameb", "amoeb"}, {"diarrhe", "diarrhoe"},
}

// wordPairs are the irregular differences, whole words, American first.
var wordPairs = []endingPair{
	{"gray", "grey"}, {"grays", "greys"}, {"aluminum", "aluminium"}, {"tire", "tyre"}, {"tires", "tyres"},
	{"plow", "plough"}, {"plows", "ploughs"}, {"plowed", "ploughed"}, {"jewelry", "jewellery"},
	{"cozy", "cosy"}, {"mustache", "moustache"}, {"pajamas", "pyjamas"}, {"skeptic", "sceptic"},
	{"skeptical", "sceptical"}, {"skepticism", "scepticism"}, {"program", "programme"},
	{"programs", "programmes"}, {"aging", "ageing"}, {"fulfill", "fulfil"}, {"fulfillment", "fulfilment"},
	{"enroll", "enrol"}, {"enrollment", "enrolment"}, {"skillful", "skilful"}, {"artifact", "artefact"},
	{"artifacts", "artefacts"}, {"sulfur", "sulphur"}, {"mold", "mould"}, {"molds", "moulds"},
	{"smolder", "smoulder"}, {"yogurt", "yoghurt"}, {"math", "maths"}, {"airplane", "aeroplane"},
	{"airplanes", "aeroplanes"}, {"installment", "instalment"}, {"woolen", "woollen"},
	{"judgment", "judgement"}, {"judgments", "judgements"},
}

// Variants returns the spellings of word (lower-case) that the other side
// of the Atlantic uses: "center" gives "centre", "organisations" gives
// "organizations", "defence" gives "defense". Most are regular endings
// ("-or"/"-our", "-er"/"-re", "-ize"/"-ise", "-yze"/"-yse", "-ense"/"-ence",
// "-og"/"-ogue", "-eled"/"-elled", "-dgment"/"-dgement"); the rest are
// listed beginnings ("paed", "haem", "oestr", …) and whole words ("gray",
// "aluminum", "program", …). Several variants may be returned; at most one
// is usually a word. Words of fewer than five letters have none by ending
// ("tor" is not "tour").
func Variants(word string) []string {
	var out []string
	add := func(v string) {
		if v != word && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	for _, p := range wordPairs {
		switch word {
		case p.us:
			add(p.uk)
		case p.uk:
			add(p.us)
		}
	}
	for _, p := range beginningPairs {
		for _, dir := range [2][2]string{{p.us, p.uk}, {p.uk, p.us}} {
			if rest, ok := strings.CutPrefix(word, dir[0]); ok && rest != "" {
				add(dir[1] + rest)
			}
		}
	}
	if utf8.RuneCountInString(word) < 5 {
		return out
	}
	for _, p := range endingPairs {
		for _, infl := range p.inflections {
			for _, dir := range [2][2]string{{p.us, p.uk}, {p.uk, p.us}} {
				end := dir[0] + infl
				if stem, ok := strings.CutSuffix(word, end); ok && utf8.RuneCountInString(stem) >= minVariantStem {
					add(stem + dir[1] + infl)
				}
			}
		}
	}
	return out
}

// IsVariant reports whether a and b (lower-case) are the same word spelt
// on either side of the Atlantic (Variants).
func IsVariant(a, b string) bool {
	return slices.Contains(Variants(a), b)
}

// A PhrasePair is a word that some write as one and others as two: One
// "percent", Two "per cent".
type PhrasePair struct {
	One, Two string
	one, two *regexp.Regexp // each as a whole word, in any case
}

// Phrases are the words written as one or as two on either side of the
// Atlantic.
var Phrases = []PhrasePair{phrasePair("percent", "per cent")}

func phrasePair(one, two string) PhrasePair {
	word := func(s string) *regexp.Regexp {
		return regexp.MustCompile(`(?i)\b` + strings.ReplaceAll(regexp.QuoteMeta(s), " ", `\s+`) + `\b`)
	}
	return PhrasePair{One: one, Two: two, one: word(one), two: word(two)}
}

// HasOne and HasTwo report whether s holds the pair written as one word
// or as two.
func (p PhrasePair) HasOne(s string) bool { return p.one.MatchString(s) }

// HasTwo: see HasOne.
func (p PhrasePair) HasTwo(s string) bool { return p.two.MatchString(s) }

// WriteOne returns s with the pair written as one word wherever s writes
// it as two ("Per cent" → "Percent"); WriteTwo the other way.
func (p PhrasePair) WriteOne(s string) string { return replaceKeepingCase(p.two, s, p.One) }

// WriteTwo: see WriteOne.
func (p PhrasePair) WriteTwo(s string) string { return replaceKeepingCase(p.one, s, p.Two) }

func replaceKeepingCase(re *regexp.Regexp, s, to string) string {
	return re.ReplaceAllStringFunc(s, func(m string) string { return MatchCase(m, to) })
}

// MatchCase returns to with its first letter a capital when written's
// first letter is one ("Per cent" for "Percent"), else to as it is.
func MatchCase(written, to string) string {
	if r, _ := utf8.DecodeRuneInString(written); unicode.IsUpper(r) {
		first, n := utf8.DecodeRuneInString(to)
		return string(unicode.ToUpper(first)) + to[n:]
	}
	return to
}

// WriteOne returns s with every pair of Phrases written as one word: how
// two spellings of a question are compared.
func WriteOne(s string) string {
	for _, p := range Phrases {
		s = p.WriteOne(s)
	}
	return s
}

// IsASCII reports whether s holds only bytes below 0x80: Fold leaves such
// a string as it is.
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Fold returns w without its accents ("gospić" → "gospic", "émigré" →
// "emigre"): decomposed, combining marks dropped. Letters that do not
// decompose ("ø", "ß") stay.
func Fold(w string) string {
	if IsASCII(w) {
		return w
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToValidUTF8(w, "\uFFFD")) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}
