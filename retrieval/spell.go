package retrieval

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/internal/text"
)

// minRespellRunes is the shortest term Respellings corrects: one letter
// away from a term of five or fewer letters is too often another word
// ("rollo" and "roll").
const minRespellRunes = 6

// Respell returns question with the words that look misspelt against the
// passages of scopes, or spelt the other side of the Atlantic's way
// (Respellings), spelt as the passages spell them: "How is circuit
// switching charecterized" becomes "… characterized", "the civic center"
// "the civic centre" where the passages say so. A word
// that began with a capital keeps it. A word mixing small letters with a
// capital other than its first ("DECnet", "iPhone") is a name as its owner
// writes it, never respelt; one in capitals alone ("BEDIGO") may be. A
// number is written as the passages write it, with or without commas
// ("1510" as "1,510", respellNumbers), and so is a word some write as two
// ("percent" as "per cent", respellPhrases), or two words the passages
// write as one ("rain forest" as "rainforest", respellJoins). The question
// is returned as it is when nothing looks misspelt.
func (s *Store) Respell(ctx context.Context, scopes []string, question string) (string, error) {
	scopes, err := checkScopes(scopes)
	if err != nil {
		return question, fmt.Errorf("respell: %w", err)
	}
	question, err = s.respellNumbers(ctx, scopes, question)
	if err == nil {
		question, err = s.respellPhrases(ctx, scopes, question)
	}
	if err == nil {
		question, err = s.respellJoins(ctx, scopes, question)
	}
	if err != nil {
		return question, fmt.Errorf("respell: %w", err)
	}
	// A word written as a name is left as it is, even where the same
	// word is respelt elsewhere in the question.
	var plain []wordAt
	var words []string
	for _, w := range wordsAt(question) {
		if !camelCase(question[w.start:w.end]) {
			plain = append(plain, w)
			words = append(words, w.w)
		}
	}
	fix, err := s.Respellings(ctx, scopes, words)
	if err != nil || len(fix) == 0 {
		return question, err
	}
	var b strings.Builder
	last := 0
	for _, w := range plain {
		if to, ok := fix[w.w]; ok {
			b.WriteString(question[last:w.start])
			b.WriteString(text.MatchCase(question[w.start:w.end], to))
			last = w.end
		}
	}
	b.WriteString(question[last:])
	return b.String(), nil
}

// Respellings finds the question words that look misspelt against the
// passages of scopes and returns each with the word the passages spell
// one letter away ("charecterized" → "characterized", "Bedigo" →
// "bendigo"). A word is corrected only when no passage of scopes holds its
// term, its term has at least minRespellRunes letters and no digit
// ("Internet2" is not "Internet"), and it is no word of English the rarity
// table knows (text.Known: "bought" is never read as "fought"). Its
// correction is the term of scopes one edit away (a letter added, dropped,
// changed, or two next to each other swapped) that the most passages
// hold, in the spelling of the first passage holding it.
// A word no passage holds that the passages spell the other side of the
// Atlantic's way (text.Variants: "center" and "centre", "defense" and
// "defence", "color" and "colour") is read their way, whatever its length
// and English or not (variantHeld); so is a word the passages write as two
// ("cooperation" as "co-operation", "superbowl" as "super bowl",
// compoundHeld), and one the passages write with accents it lacks or
// without those it has ("Gospic" as "Gospić", foldedTerm).
// words are lower-case, as text.ForEachWord gives them; the map holds only
// the words corrected. Only the given scopes are read: another guild's
// articles never are.
func (s *Store) Respellings(ctx context.Context, scopes []string, words []string) (map[string]string, error) {
	scopes, err := checkScopes(scopes)
	if err != nil {
		return nil, fmt.Errorf("respell: %w", err)
	}
	var odd []oddWord // words worth correcting, each once
	seen := make(map[string]bool)
	for _, w := range words {
		if seen[w] || text.IsStopWord(w) {
			continue
		}
		seen[w] = true
		t := text.Stem(w)
		if strings.ContainsFunc(t, unicode.IsDigit) {
			continue
		}
		o := oddWord{word: w, term: t, typo: utf8.RuneCountInString(t) >= minRespellRunes && !text.Known(t), variants: text.Variants(w)}
		// A word of minFoldRunes letters or more may be read with or
		// without accents or as two words (each prefix and the
		// minCompoundRest letters after it make at least as many).
		if o.typo || len(o.variants) > 0 || utf8.RuneCountInString(w) >= minFoldRunes {
			odd = append(odd, o)
		}
	}
	if len(odd) == 0 {
		return nil, nil
	}
	var out map[string]string
	err = s.readLex(ctx, scopes, func(lex []*lexScope) error {
		for _, o := range odd {
			if dfOf(lex, o.term) > 0 {
				continue
			}
			v, err := s.readAs(ctx, lex, o)
			if err != nil {
				return fmt.Errorf("%q: %w", o.word, err)
			}
			if v != "" {
				if out == nil {
					out = make(map[string]string)
				}
				out[o.word] = v
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("respell: %w", err)
	}
	return out, nil
}

// An oddWord is a question word Respellings may read otherwise.
type oddWord struct {
	word, term string
	typo       bool     // may be a typo (one edit from the right word)
	variants   []string // its other spellings (text.Variants)
}

// readAs returns how the passages of scopes write o, which none holds as
// written, or "": its other side of the Atlantic's spelling, as two words,
// with or without accents, or, for a possible typo, the term one edit away.
func (s *Store) readAs(ctx context.Context, scopes []*lexScope, o oddWord) (string, error) {
	if v, err := s.variantHeld(ctx, scopes, o.word, o.variants); err != nil || v != "" {
		return v, err
	}
	if v, err := s.compoundHeld(ctx, scopes, o.word); err != nil || v != "" {
		return v, err
	}
	if utf8.RuneCountInString(o.word) >= minFoldRunes {
		if t := foldedTerm(scopes, o.word); t != "" {
			if v, err := s.spelling(ctx, scopes, t); err != nil || v != "" {
				return v, err
			}
		}
	}
	if !o.typo {
		return "", nil
	}
	best, df := nearestTerm(scopes, o.term)
	if df == 0 {
		return "", nil
	}
	return s.spelling(ctx, scopes, best)
}

// variantChunks is how many chunks holding a variant's term variantHeld
// reads, at most, for a word spelt that way.
const variantChunks = 16

// variantHeld returns the first of variants (w's other spellings) that the
// passages of scopes spell, or "". Its term must be in scopes, and one of
// the first variantChunks chunks holding that term must spell it in a word
// whose own variants stem as w does: "genre" is never read as "gener",
// though "general" stems to that, because "general" is no spelling of
// "genre"; "centers" is read as "centres" where the passages say "centre".
func (s *Store) variantHeld(ctx context.Context, scopes []*lexScope, w string, variants []string) (string, error) {
	stem := text.Stem(w)
	for _, v := range variants {
		t := text.Stem(v)
		if dfOf(scopes, t) == 0 {
			continue
		}
		found := false
		err := s.chunksHolding(ctx, scopes, t, variantChunks, func(passage string) bool {
			text.ForEachWord(passage, func(f string) {
				if found || text.Stem(f) != t {
					return
				}
				found = slices.ContainsFunc(text.Variants(f), func(u string) bool { return text.Stem(u) == stem })
			})
			return found
		})
		if err != nil {
			return "", err
		}
		if found {
			return v, nil
		}
	}
	return "", nil
}

// compoundPrefixes are the prefixes that some writers join to a word with
// a hyphen and others without ("co-operation" and "cooperation",
// "re-elected" and "reelected", "e-mail" and "email").
var compoundPrefixes = []string{"anti", "co", "cross", "e", "half", "inter", "mid", "multi", "non", "post", "pre", "re", "semi"}

// notCompounds are words that mean something else written with a hyphen
// after their prefix ("resign" and "re-sign", "recover" and "re-cover"):
// compoundHeld never reads them so, nor respellJoins the hyphenated word
// as them. By stem: "resigned" is "resign".
var notCompounds = sync.OnceValue(func() map[string]bool {
	stems := make(map[string]bool)
	for _, w := range []string{
		"react", "recollect", "recount", "recover", "recreation", "redress", "reform", "relay", "release",
		"remark", "represent", "repress", "research", "resent", "reserve", "reside", "resign", "resort",
		"resound", "retreat",
	} {
		stems[text.Stem(w)] = true
	}
	return stems
})

// minCompoundRest is the fewest letters a word keeps after its prefix for
// compoundHeld to read it hyphenated.
const minCompoundRest = 4

// compoundHeld returns w written as two words when one of the first
// variantChunks chunks holding the second's term writes it so: with a
// hyphen after one of compoundPrefixes ("co-operation" for
// "cooperation"), or split anywhere into two words of at least
// minSplitRunes letters the scope holds, with a space or a hyphen between
// them ("super bowl" for "superbowl", "heat wave" for "heatwave"). "" when
// there is none.
func (s *Store) compoundHeld(ctx context.Context, scopes []*lexScope, w string) (string, error) {
	if notCompounds()[text.Stem(w)] {
		return "", nil
	}
	type split struct {
		first, rest string
		hyphenOnly  bool
	}
	var splits []split
	for _, p := range compoundPrefixes {
		if rest, ok := strings.CutPrefix(w, p); ok && utf8.RuneCountInString(rest) >= minCompoundRest {
			splits = append(splits, split{p, rest, true})
		}
	}
	if utf8.RuneCountInString(w) >= 2*minSplitRunes+1 {
		for i := range w {
			first, rest := w[:i], w[i:]
			if utf8.RuneCountInString(first) < minSplitRunes || utf8.RuneCountInString(rest) < minSplitRunes ||
				slices.Contains(compoundPrefixes, first) || text.IsStopWord(first) || text.IsStopWord(rest) ||
				dfOf(scopes, text.Stem(first)) == 0 {
				continue
			}
			splits = append(splits, split{first, rest, false})
		}
	}
	checked := 0
	for _, sp := range splits {
		t := text.Stem(sp.rest)
		if dfOf(scopes, t) == 0 {
			continue
		}
		if checked++; checked > maxSplitChecks {
			break
		}
		terms := []string{t}
		if !sp.hyphenOnly {
			terms = append(terms, text.Stem(sp.first)) // a prefix may be no term
		}
		var sep byte
		err := s.chunksHoldingAll(ctx, scopes, terms, variantChunks, func(passage string) bool {
			sep = writtenApart(passage, sp.first, t, func(c byte) bool { return c == '-' || c == ' ' && !sp.hyphenOnly })
			return sep != 0
		})
		if err != nil {
			return "", err
		}
		if sep != 0 {
			return sp.first + string(sep) + sp.rest, nil
		}
	}
	return "", nil
}

// minSplitRunes is the fewest letters of each word compoundHeld splits a
// word into, other than after a prefix; maxSplitChecks is how many splits
// whose words the scope holds it reads chunks for, at most.
const (
	minSplitRunes  = 3
	maxSplitChecks = 4
)

// minFoldRunes is the shortest word foldedTerm reads with or without
// accents: "rely" is not "Rély".
const minFoldRunes = 5

// foldedTerm returns the term of scopes that is w with or without its
// accents ("gospic" and "Gospić", "emigres" and "émigrés", "Montréal" and
// "Montreal"), the one most chunks hold, or "".
func foldedTerm(scopes []*lexScope, w string) string {
	want := text.Stem(text.Fold(w))
	if text.Fold(w) != w {
		if dfOf(scopes, want) > 0 {
			return want // typed with accents the passages lack
		}
		return ""
	}
	var best string
	var most int32
	for _, x := range scopes {
		// text.Fold changes only terms outside ASCII: x.wide.
		for i, stem := range x.foldedStems() {
			term := x.wide[i]
			if stem != want || x.df[x.term[term]] == 0 {
				continue
			}
			if df := dfOf(scopes, term); df > most || df == most && term < best {
				best, most = term, df
			}
		}
	}
	return best
}

// nearestTerm returns the term of scopes one edit from t that the most
// chunks hold (the first in byte order among equals) and how many do;
// zero when there is none. It looks up the ASCII strings one edit from t
// (about 2,500 for ten letters) and checks the terms outside ASCII
// (lexScope.wide) one by one: 0.4 ms for a misspelt word among 100,000
// terms, where a pass over every term took 12 ms.
func nearestTerm(scopes []*lexScope, t string) (string, int32) {
	dfs := make(map[string]int32)
	held := func(x *lexScope, term string) {
		if i, ok := x.term[term]; ok && x.df[i] > 0 {
			dfs[term] += x.df[i]
		}
	}
	seen := make(map[string]bool)
	forEachOneEditASCII(t, func(c string) {
		if !seen[c] {
			seen[c] = true
			for _, x := range scopes {
				held(x, c)
			}
		}
	})
	n := utf8.RuneCountInString(t)
	for _, x := range scopes {
		for _, term := range x.wide {
			if m := utf8.RuneCountInString(term); m >= n-1 && m <= n+1 && oneEdit(t, term) {
				held(x, term)
			}
		}
	}
	var best string
	var most int32
	for term, df := range dfs {
		if df > most || df == most && cmp.Less(term, best) {
			best, most = term, df
		}
	}
	return best, most
}

// forEachOneEditASCII calls fn with every ASCII string one edit from t, as
// oneEdit counts edits (a letter inserted, deleted or substituted, or two
// neighbours swapped), some more than once; never with t. Only a t with
// at most one letter outside ASCII has any: that letter deleted or
// replaced.
func forEachOneEditASCII(t string, fn func(string)) {
	if !text.IsASCII(t) {
		r := []rune(t)
		at := -1
		for i, c := range r {
			if c >= utf8.RuneSelf {
				if at >= 0 {
					return // two letters outside ASCII
				}
				at = i
			}
		}
		head, tail := string(r[:at]), string(r[at+1:])
		fn(head + tail)
		for c := range rune(utf8.RuneSelf) {
			fn(head + string(c) + tail)
		}
		return
	}
	b := make([]byte, 0, len(t)+1)
	for i := range len(t) {
		fn(t[:i] + t[i+1:]) // deleted
		if i+1 < len(t) && t[i] != t[i+1] {
			b = append(append(append(b[:0], t[:i]...), t[i+1], t[i]), t[i+2:]...) // swapped
			fn(string(b))
		}
	}
	for i := 0; i <= len(t); i++ {
		for c := range byte(utf8.RuneSelf) {
			b = append(append(append(b[:0], t[:i]...), c), t[i:]...) // inserted
			fn(string(b))
			if i < len(t) && c != t[i] {
				b = append(append(append(b[:0], t[:i]...), c), t[i+1:]...) // substituted
				fn(string(b))
			}
		}
	}
}

// oneEdit reports whether a and b differ by exactly one edit: a letter
// inserted, deleted or substituted, or two adjacent letters transposed.
func oneEdit(a, b string) bool {
	x, y := []rune(a), []rune(b)
	if len(x) > len(y) {
		x, y = y, x
	}
	i := 0
	for i < len(x) && x[i] == y[i] {
		i++
	}
	switch {
	case len(x) == len(y):
		if i == len(x) {
			return false // equal
		}
		if string(x[i+1:]) == string(y[i+1:]) {
			return true // substituted
		}
		return i+1 < len(x) && x[i] == y[i+1] && x[i+1] == y[i] && string(x[i+2:]) == string(y[i+2:]) // transposed
	case len(x)+1 == len(y):
		return string(x[i:]) == string(y[i+1:]) // inserted
	}
	return false
}

// spelling returns the first word (lower-case) of the first live chunk of
// scopes holding term whose stem is term: how the articles spell it.
func (s *Store) spelling(ctx context.Context, scopes []*lexScope, term string) (string, error) {
	var found string
	err := s.chunksHolding(ctx, scopes, term, -1, func(passage string) bool {
		text.ForEachWord(passage, func(w string) {
			if found == "" && !text.IsStopWord(w) && text.Stem(w) == term {
				found = w
			}
		})
		return found != ""
	})
	return found, err
}

// chunksHolding calls fn with the title and text of each live chunk of
// scopes holding term, in index order, at most limit of them (all when
// limit is negative), until fn returns true.
func (s *Store) chunksHolding(ctx context.Context, scopes []*lexScope, term string, limit int, fn func(passage string) bool) error {
	return s.chunksHoldingAll(ctx, scopes, []string{term}, limit, fn)
}

// chunksHoldingAll is chunksHolding of the chunks holding every one of
// terms.
func (s *Store) chunksHoldingAll(ctx context.Context, scopes []*lexScope, terms []string, limit int, fn func(passage string) bool) error {
	for _, x := range scopes {
		var lists [][]posting
		for _, t := range terms {
			i, ok := x.term[t]
			if !ok {
				lists = nil
				break
			}
			lists = append(lists, x.post[i])
		}
		if len(lists) == 0 {
			continue
		}
		slices.SortFunc(lists, func(a, b []posting) int { return len(a) - len(b) })
		others := make([]map[uint32]bool, len(lists)-1)
		for k, l := range lists[1:] {
			others[k] = make(map[uint32]bool, len(l))
			for _, p := range l {
				others[k][p.doc] = true
			}
		}
	chunks:
		for _, p := range lists[0] {
			id := x.ids[p.doc]
			if id < 0 {
				continue
			}
			for _, o := range others {
				if !o[p.doc] {
					continue chunks
				}
			}
			if limit == 0 {
				return nil
			}
			limit--
			var title, body string
			if err := s.db.QueryRowContext(ctx, `SELECT title, text FROM chunks WHERE id = ?`, id).Scan(&title, &body); err != nil {
				return s.fileError(fmt.Errorf("read chunk %d: %w", id, err))
			}
			if fn(title + "\n" + body) {
				return nil
			}
		}
	}
	return nil
}

// camelCase reports whether word, as written, mixes small letters with a
// capital other than its first letter ("DECnet", "iPhone", "McCrary"):
// a name as its owner writes it.
func camelCase(word string) bool {
	small, inner := false, false
	for i, r := range word {
		switch {
		case unicode.IsLower(r):
			small = true
		case i > 0 && unicode.IsUpper(r):
			inner = true
		}
	}
	return small && inner
}

// respellPhrases returns q with each word of text.Phrases written as the
// passages of scopes write it: "percent" as "per cent" when no passage
// holds "percent" and one of those holding "cent" says "per cent"; "per
// cent" as "percent" when a passage holds "percent" and none of those read
// says "per cent".
func (s *Store) respellPhrases(ctx context.Context, scopes []string, q string) (string, error) {
	var todo []text.PhrasePair
	for _, p := range text.Phrases {
		if p.HasOne(q) || p.HasTwo(q) {
			todo = append(todo, p)
		}
	}
	if len(todo) == 0 {
		return q, nil
	}
	out := q
	err := s.readLex(ctx, scopes, func(lex []*lexScope) error {
		for _, p := range todo {
			one := dfOf(lex, text.Stem(p.One)) > 0
			if p.HasOne(out) && one || p.HasTwo(out) && !one {
				continue // written as the passages write it, or they hold neither
			}
			terms := text.Terms(p.Two)
			two := false
			err := s.chunksHolding(ctx, lex, terms[len(terms)-1], variantChunks, func(passage string) bool {
				two = p.HasTwo(passage)
				return two
			})
			if err != nil {
				return fmt.Errorf("respell %q: %w", p.One, err)
			}
			switch {
			case !one && two:
				out = p.WriteTwo(out)
			case one && !two:
				out = p.WriteOne(out)
			}
		}
		return nil
	})
	if err != nil {
		return q, err
	}
	return out, nil
}

// readLex calls fn with the lexical indexes of scopes, read-locked.
func (s *Store) readLex(ctx context.Context, scopes []string, fn func(lex []*lexScope) error) error {
	xs, err := s.rlockScopes(ctx, scopes)
	if err != nil {
		return err
	}
	defer s.mu.RUnlock()
	return fn(lexOf(xs))
}

// respellJoins returns q with two words written as one where the passages
// of scopes write them so ("rain forest" as "rainforest", "half-time" as
// "halftime"): the joined word's term is in scopes, one of the first
// variantChunks chunks holding it spells it as one word, and none of the
// first variantChunks holding both words' terms (the second's alone when
// the first is a stop word: "re-elected") writes the two apart.
func (s *Store) respellJoins(ctx context.Context, scopes []string, q string) (string, error) {
	words := wordsAt(q)
	var pairs []int // i: words[i] and words[i+1] may be one word
	for i := 0; i+1 < len(words); i++ {
		a, b := words[i], words[i+1]
		if b.start != a.end+1 || camelCase(q[a.start:a.end]) || camelCase(q[b.start:b.end]) || !joinable(b.w) {
			continue
		}
		n, sep := utf8.RuneCountInString(a.w+b.w), q[a.end]
		switch {
		case sep == '-' && notCompounds()[text.Stem(a.w+b.w)]:
			// "re-sign" is not "resign"
		case (sep == ' ' || sep == '-') && joinable(a.w) && n >= minJoinRunes:
			pairs = append(pairs, i)
		case sep == '-' && lettersOnly(a.w) && n >= minHyphenJoinRunes:
			// A hyphen says the two are one word: its first part may be
			// a prefix the stop words hold or a single letter
			// ("re-elected", "e-mail").
			pairs = append(pairs, i)
		}
	}
	if len(pairs) == 0 {
		return q, nil
	}
	var out strings.Builder
	last := 0
	err := s.readLex(ctx, scopes, func(lex []*lexScope) error {
		for _, i := range pairs {
			a, b := words[i], words[i+1]
			if a.start < last {
				continue // its first word was joined to the word before
			}
			joined := a.w + b.w
			t := text.Stem(joined)
			if dfOf(lex, t) == 0 {
				continue
			}
			one, apart := false, false
			err := s.chunksHolding(ctx, lex, t, variantChunks, func(passage string) bool {
				text.ForEachWord(passage, func(f string) { one = one || f == joined })
				return one
			})
			if err == nil && one {
				bt := text.Stem(b.w)
				terms := []string{bt}
				if !text.IsStopWord(a.w) {
					terms = append(terms, text.Stem(a.w)) // a stop word is no term
				}
				err = s.chunksHoldingAll(ctx, lex, terms, variantChunks, func(passage string) bool {
					apart = writtenApart(passage, a.w, bt, func(byte) bool { return true }) != 0
					return apart
				})
			}
			if err != nil {
				return fmt.Errorf("respell %q: %w", q[a.start:b.end], err)
			}
			if !one || apart {
				continue
			}
			out.WriteString(q[last:a.start])
			out.WriteString(text.MatchCase(q[a.start:a.end], joined))
			last = b.end
		}
		return nil
	})
	if err != nil || last == 0 {
		return q, err
	}
	out.WriteString(q[last:])
	return out.String(), nil
}

// minJoinRunes is the fewest letters two words joined by respellJoins
// make ("can not" and "cannot" are left alone); minHyphenJoinRunes the
// fewest of two written with a hyphen whose first is a stop word or a
// single letter ("e-mail" is read as "email", "co-op" is not "coop").
const (
	minJoinRunes       = 7
	minHyphenJoinRunes = 5
)

// joinable reports whether respellJoins may join w (lower-case) to a
// neighbour: letters only, at least two, and no stop word.
func joinable(w string) bool {
	return utf8.RuneCountInString(w) >= 2 && !text.IsStopWord(w) && lettersOnly(w)
}

func lettersOnly(w string) bool {
	return !strings.ContainsFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
}

// A wordAt is a word of a text (lower-case, as text.ForEachWordAt gives
// it) and its byte offsets there.
type wordAt struct {
	start, end int
	w          string
}

// wordsAt returns the words of s with their offsets.
func wordsAt(s string) []wordAt {
	var words []wordAt
	text.ForEachWordAt(s, func(start, end int, w string) { words = append(words, wordAt{start, end, w}) })
	return words
}

// writtenApart returns the one character that passage writes between the
// word first and a word whose term is term right after it ("super bowl":
// ' '), at the first place where sep accepts it; 0 when there is none.
func writtenApart(passage, first, term string, sep func(byte) bool) byte {
	var found byte
	prev, prevEnd := "", -1
	text.ForEachWordAt(passage, func(start, end int, f string) {
		if found == 0 && prev == first && prevEnd == start-1 && sep(passage[prevEnd]) && text.Stem(f) == term {
			found = passage[prevEnd]
		}
		prev, prevEnd = f, end
	})
	return found
}
