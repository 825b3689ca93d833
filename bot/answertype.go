package bot

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/citebot/citebot/internal/text"
)

// answerType is the kind of thing a question asks for.
type answerType int

const (
	typeOther    answerType = iota
	typeDate                // when, what year
	typeNumber              // how many, how much, what percentage
	typeDuration            // how long did it last
	typePerson              // who
	typePlace               // where
	typeName                // which or what followed by a noun: often a name
)

var (
	yearLike  = regexp.MustCompile(`\b(1[0-9]\d\d|20\d\d|\d{3}s|\d+(st|nd|rd|th) century)\b|(?i)\b(january|february|march|april|may|june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b`)
	numberish = regexp.MustCompile(`\d|(?i)\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen|half|third|quarter)\b`)
)

// questionType returns what kind of answer q asks for.
func questionType(q string) answerType {
	l := strings.ToLower(strings.TrimSpace(q))
	switch {
	case strings.HasPrefix(l, "when") || strings.Contains(l, "what year") || strings.Contains(l, "which year") ||
		strings.Contains(l, "what date") || strings.Contains(l, "what day") || strings.Contains(l, "what century") || strings.Contains(l, "in what decade"):
		return typeDate
	case strings.Contains(l, "how long") && !lengthQuestion.MatchString(l):
		return typeDuration
	case strings.Contains(l, "how many") || strings.Contains(l, "how much") || strings.Contains(l, "how old") ||
		strings.Contains(l, "percentage") || strings.Contains(l, "how large") || strings.Contains(l, "how far") ||
		strings.Contains(l, "how big") || strings.Contains(l, "how tall") || strings.Contains(l, "how long") || strings.Contains(l, "how high"):
		return typeNumber
	case strings.HasPrefix(l, "who") || strings.Contains(l, " who ") || strings.Contains(l, "whom"):
		return typePerson
	case strings.HasPrefix(l, "where") || strings.Contains(l, " where "):
		return typePlace
	case strings.HasPrefix(l, "which") || strings.HasPrefix(l, "what ") && !whatAuxiliary(l):
		return typeName
	}
	return typeOther
}

// asksWhoSomeoneIs reports whether q asks who a named person is ("Who
// is Marion Ekberg?", "Who was Philip I?"): "who" and a form of "be",
// then nothing but the name. The answer is what the person is or does
// ("Health authority chief executive Marion Ekberg said …"), not
// another name: neither a sentence naming someone else (questionCue) nor
// one beside the best (withNeighbour) has what the question asks for.
func asksWhoSomeoneIs(q string) bool {
	f := strings.Fields(strings.TrimRight(strings.TrimSpace(q), "?.! "))
	switch {
	case len(f) >= 2 && (strings.EqualFold(f[0], "who's") || strings.EqualFold(f[0], "who’s")):
		f = f[1:]
	case len(f) >= 3 && strings.EqualFold(f[0], "who"):
		switch strings.ToLower(f[1]) {
		case "is", "was", "are", "were":
			f = f[2:]
		default:
			return false
		}
	default:
		return false
	}
	for i, w := range f {
		switch {
		case unicode.IsUpper([]rune(w)[0]):
		case i > 0 && i < len(f)-1 && (w == "of" || w == "de" || w == "von" || w == "van" || w == "da"):
			// "Boleslaw II of Masovia", "Leonardo da Vinci"
		default:
			return false
		}
	}
	return true
}

// whatAuxiliary reports whether the lower-case question l starts with
// "what" and an auxiliary verb ("what is", "what will the pact be the
// basis for?") or "happened": it asks about a thing or an event, not for
// a name as "what river" does.
func whatAuxiliary(l string) bool {
	f := strings.Fields(l)
	if len(f) < 2 || f[0] != "what" {
		return false
	}
	switch strings.TrimRight(f[1], "?,") {
	case "is", "was", "are", "were", "did", "does", "do", "will", "would", "can", "could", "should", "has", "have", "had", "may", "might", "must", "shall",
		"happened", "happens", "happen":
		return true
	}
	return false
}

// newFacts says what a sentence holds that the question does not: names
// (capitalised words after the sentence's first), numbers, dates and
// lengths of time.
type newFacts struct {
	name, number, date, duration bool
}

func findNewFacts(sentence string, qterms map[string]bool, question string) newFacts {
	var f newFacts
	ql := strings.ToLower(question)
	outside := func(re *regexp.Regexp) bool {
		for _, m := range re.FindAllString(sentence, -1) {
			if !strings.Contains(ql, strings.ToLower(strings.TrimSpace(m))) {
				return true
			}
		}
		return false
	}
	f.number = outside(numberish)
	f.date = outside(yearLike)
	f.duration = outside(duration)
	for i, w := range strings.Fields(sentence) {
		w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if i == 0 || w == "" || !unicode.IsUpper([]rune(w)[0]) {
			continue
		}
		for _, t := range text.Terms(w) {
			if !qterms[t] && !text.SharesStem(t, qterms) {
				f.name = true
			}
		}
		if f.name {
			break
		}
	}
	return f
}

// holds reports whether f holds the kind of answer t asks for.
func (f newFacts) holds(t answerType) bool {
	switch t {
	case typeDate:
		return f.date
	case typeNumber:
		return f.number
	case typeDuration:
		return f.duration
	case typePerson, typePlace, typeName:
		return f.name
	}
	return false
}
