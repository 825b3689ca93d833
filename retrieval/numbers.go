package retrieval

import (
	"context"
	"fmt"
	"strings"

	"github.com/citebot/citebot/internal/text"
)

// A numberSpan is a number written in a question: digits alone ("1510")
// or in groups of three after the first, separated by commas ("1,510").
type numberSpan struct {
	start, end int    // byte offsets in the question
	digits     string // the digits alone: "1510"
	grouped    bool   // written with commas
}

// yearWords are the words before a number of four digits that make it a
// year ("in 1510"), never read as a count ("1,510").
var yearWords = map[string]bool{
	"in": true, "since": true, "by": true, "until": true, "till": true, "from": true, "before": true,
	"after": true, "during": true, "of": true, "year": true, "around": true, "circa": true,
}

// numberSpans returns the numbers of q worth reading as the passages write
// them: every number written in groups, and every one of four or more
// digits alone with no leading zero, except a year of four (after "in",
// "since", …).
func numberSpans(q string) []numberSpan {
	words := wordsAt(q)
	var spans []numberSpan
	for i := 0; i < len(words); i++ {
		w := words[i].w
		if !allDigits(w) || inNumber(q, words[i].start-1, words[i].start-2) {
			continue // a word, or a part of a longer number ("3.1415", "1,2345")
		}
		j := i
		if len(w) <= 3 {
			for j+1 < len(words) && words[j+1].start == words[j].end+1 && q[words[j].end] == ',' &&
				len(words[j+1].w) == 3 && allDigits(words[j+1].w) {
				j++
			}
		}
		if inNumber(q, words[j].end, words[j].end+1) {
			i = j
			continue // "1415.5", "1,510,00"
		}
		span := numberSpan{start: words[i].start, end: words[j].end, grouped: j > i}
		span.digits = strings.ReplaceAll(q[span.start:span.end], ",", "")
		year := len(w) == 4 && w >= "1000" && w <= "2099" && i > 0 && yearWords[words[i-1].w]
		if span.grouped || len(w) >= 4 && w[0] != '0' && !year {
			spans = append(spans, span)
		}
		i = j
	}
	return spans
}

// inNumber reports whether q[sep] is a point or comma with a digit at
// q[digit]: the number around it goes on.
func inNumber(q string, sep, digit int) bool {
	return sep >= 0 && sep < len(q) && digit >= 0 && digit < len(q) && (q[sep] == '.' || q[sep] == ',') && isDigit(q[digit])
}

func allDigits(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// grouped writes digits in groups of three with commas: "1510" → "1,510".
func grouped(digits string) string {
	var b strings.Builder
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}

// respellNumbers returns q with each number written as the passages of
// scopes write it: "1510" as "1,510" when no passage holds "1510" and one
// says "1,510", and "1,510" as "1510" when one holds "1510" and none of
// those read says "1,510". Users type numbers either way; the index holds
// "1,510" as two terms ("1", "510").
func (s *Store) respellNumbers(ctx context.Context, scopes []string, q string) (string, error) {
	spans := numberSpans(q)
	if len(spans) == 0 {
		return q, nil
	}
	var b strings.Builder
	last := 0
	err := s.readLex(ctx, scopes, func(lex []*lexScope) error {
		for _, sp := range spans {
			g := grouped(sp.digits)
			lastGroup := text.Stem(sp.digits[len(sp.digits)-min(3, len(sp.digits)):])
			if held := dfOf(lex, text.Stem(sp.digits)) > 0; held != sp.grouped {
				continue // "1510" held, or "1,510" asked where no passage holds "1510"
			}
			literal, err := s.literalHeld(ctx, lex, g, lastGroup)
			if err != nil {
				return fmt.Errorf("respell %q: %w", q[sp.start:sp.end], err)
			}
			to := ""
			switch {
			case !sp.grouped && literal:
				to = g
			case sp.grouped && !literal:
				to = sp.digits
			default:
				continue
			}
			b.WriteString(q[last:sp.start])
			b.WriteString(to)
			last = sp.end
		}
		return nil
	})
	if err != nil || last == 0 {
		return q, err
	}
	b.WriteString(q[last:])
	return b.String(), nil
}

// literalHeld reports whether one of the first variantChunks chunks of
// scopes holding term holds number as written, not within a longer number
// ("1,510" is not in "11,510" or "1,510,000").
func (s *Store) literalHeld(ctx context.Context, scopes []*lexScope, number, term string) (bool, error) {
	if dfOf(scopes, term) == 0 {
		return false, nil
	}
	found := false
	err := s.chunksHolding(ctx, scopes, term, variantChunks, func(passage string) bool {
		for i := 0; !found; {
			k := strings.Index(passage[i:], number)
			if k < 0 {
				break
			}
			start, end := i+k, i+k+len(number)
			before := start == 0 || !isDigit(passage[start-1]) && !(passage[start-1] == ',' && start > 1 && isDigit(passage[start-2]))
			after := end == len(passage) || !isDigit(passage[end]) && !(passage[end] == ',' && end+1 < len(passage) && isDigit(passage[end+1]))
			found = before && after
			i = start + 1
		}
		return found
	})
	return found, err
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
