package retrieval

import (
	"math"
	"slices"

	"github.com/citebot/citebot/internal/text"
)

// lexIndex is the in-memory lexical index: per scope, an inverted index
// from term (as Terms makes it: stop words out, Porter-stemmed) to the
// chunks holding it with the term's frequency in the chunk text and in its
// title, and each chunk's length in words (stop words included, as BM25
// counts them). Document frequencies and lengths are kept over all scopes,
// for the inverse document frequencies of BM25 and of Coverage.
//
// It is derived data, built from the chunks at Open and updated after each
// commit. It has no lock of its own: readers hold Store.mu shared, writers
// hold it exclusively (as for the vector index's updates).
//
// A query costs the sum of the posting lengths of its terms, not a pass
// over every chunk matching any word as FTS5's bm25() does.
type lexIndex struct {
	scopes map[string]*lexScope
	term   map[string]int32 // term → its number (terms are never forgotten)
	df     []int32          // by term number: live chunks holding it (text or title), all scopes
	docs   int              // live chunks, all scopes
	words  int64            // words of the live chunks (title + text), all scopes
	doc    lexDoc           // scratch for addChunk and removeChunk (under the exclusive lock)
}

// lexScope is the inverted index of one scope. Local document numbers
// index ids and lens; removed documents are tombstoned (id -1) and
// dropped from the postings when they are a quarter of the scope.
type lexScope struct {
	ids   []int64
	lens  []uint32
	local map[int64]uint32
	post  map[int32][]posting
	dead  int
}

// posting is one chunk holding a term: its local number and the term's
// frequency in the text and in the title (saturated at 65535).
type posting struct {
	doc     uint32
	tf, ttf uint16
}

func newLexIndex() *lexIndex {
	return &lexIndex{scopes: make(map[string]*lexScope), term: make(map[string]int32)}
}

// intern returns the number of term, numbering it if new.
func (x *lexIndex) intern(term string) int32 {
	n, ok := x.term[term]
	if !ok {
		n = int32(len(x.df))
		x.term[term] = n
		x.df = append(x.df, 0)
	}
	return n
}

// wordTerm returns the term number of a lower-case word, -1 for a stop
// word: stemming and interning as Terms does.
func (x *lexIndex) wordTerm(w string) int32 {
	if text.IsStopWord(w) {
		return -1
	}
	return x.intern(text.Stem(w))
}

// cachedWordTerm returns wordTerm with a cache by word, for building a
// whole index: words repeat, and stemming is most of tokenising.
func (x *lexIndex) cachedWordTerm() func(string) int32 {
	cache := make(map[string]int32)
	return func(w string) int32 {
		n, ok := cache[w]
		if !ok {
			n = x.wordTerm(w)
			if len(cache) < 1<<20 {
				cache[w] = n
			}
		}
		return n
	}
}

// lexDoc is the tokenised form of one chunk: its distinct terms with
// their frequencies in text and title, and its length in words.
type lexDoc struct {
	words int
	terms []int32
	tf    [][2]uint16
	slot  []int32 // by term number: index in terms + 1, 0 when absent
}

// tokenize counts the terms of title and body (the chunk's text) into d
// (reset first); term gives a word's term number, -1 for a word that is
// not indexed.
func (d *lexDoc) tokenize(title, body string, term func(string) int32) {
	for _, t := range d.terms {
		d.slot[t] = 0
	}
	d.terms, d.tf, d.words = d.terms[:0], d.tf[:0], 0
	for field, s := range [2]string{body, title} {
		text.ForEachWord(s, func(w string) {
			d.words++
			t := term(w)
			if t < 0 {
				return
			}
			if int(t) >= len(d.slot) {
				d.slot = append(d.slot, make([]int32, int(t)+1-len(d.slot)+len(d.slot)/2)...)
			}
			i := d.slot[t]
			if i == 0 {
				d.terms, d.tf = append(d.terms, t), append(d.tf, [2]uint16{})
				i = int32(len(d.terms))
				d.slot[t] = i
			}
			if f := &d.tf[i-1][field]; *f < math.MaxUint16 {
				*f++
			}
		})
	}
}

// addChunk indexes chunk id of scope with its title and text. Callers
// remove an id before adding it again (row IDs of live chunks are
// unique).
func (x *lexIndex) addChunk(scope string, id int64, title, text string) {
	x.doc.tokenize(title, text, x.wordTerm)
	x.add(scope, id, &x.doc)
}

// removeChunk drops chunk id of scope, whose title and text were these
// (needed to correct the document frequencies). Unknown ids are ignored.
func (x *lexIndex) removeChunk(scope string, id int64, title, text string) {
	x.doc.tokenize(title, text, x.wordTerm)
	x.remove(scope, id, &x.doc)
}

// add indexes chunk id of scope, tokenised in d.
func (x *lexIndex) add(scope string, id int64, d *lexDoc) {
	sc := x.scopes[scope]
	if sc == nil {
		sc = &lexScope{local: make(map[int64]uint32), post: make(map[int32][]posting)}
		x.scopes[scope] = sc
	}
	n := uint32(len(sc.ids))
	sc.ids = append(sc.ids, id)
	sc.lens = append(sc.lens, uint32(d.words))
	sc.local[id] = n
	for i, t := range d.terms {
		x.df[t]++
		sc.post[t] = append(sc.post[t], posting{doc: n, tf: d.tf[i][0], ttf: d.tf[i][1]})
	}
	x.docs++
	x.words += int64(d.words)
}

// remove drops chunk id of scope, tokenised in d.
func (x *lexIndex) remove(scope string, id int64, d *lexDoc) {
	sc := x.scopes[scope]
	if sc == nil {
		return
	}
	n, ok := sc.local[id]
	if !ok {
		return
	}
	delete(sc.local, id)
	sc.ids[n] = -1
	sc.dead++
	x.docs--
	x.words -= int64(sc.lens[n])
	for _, t := range d.terms {
		x.df[t]--
	}
	if len(sc.local) == 0 {
		delete(x.scopes, scope)
		return
	}
	if sc.dead > 64 && sc.dead > len(sc.ids)/4 {
		sc.compact()
	}
}

// compact drops tombstoned documents and renumbers the rest.
func (sc *lexScope) compact() {
	renum := make([]uint32, len(sc.ids))
	ids, lens := sc.ids[:0:0], sc.lens[:0:0]
	for i, id := range sc.ids {
		if id < 0 {
			renum[i] = math.MaxUint32
			continue
		}
		renum[i] = uint32(len(ids))
		sc.local[id] = renum[i]
		ids, lens = append(ids, id), append(lens, sc.lens[i])
	}
	for t, ps := range sc.post {
		out := ps[:0]
		for _, p := range ps {
			if r := renum[p.doc]; r != math.MaxUint32 {
				p.doc = r
				out = append(out, p)
			}
		}
		if len(out) == 0 {
			delete(sc.post, t)
		} else {
			sc.post[t] = slices.Clip(out)
		}
	}
	sc.ids, sc.lens, sc.dead = ids, lens, 0
}

// dfOf returns the document frequency of term.
func (x *lexIndex) dfOf(term string) int32 {
	if n, ok := x.term[term]; ok {
		return x.df[n]
	}
	return 0
}

// idf is BM25's inverse document frequency of a term held by df of n
// chunks, as FTS5 computes it: ln((n - df + 0.5)/(df + 0.5)), at least
// 1e-6 so that a term in most chunks still counts a little.
func idf(n, df float64) float64 {
	v := math.Log((n - df + 0.5) / (df + 0.5))
	if v <= 0 {
		return 1e-6
	}
	return v
}

// bm25Params are the parameters of one lexical query.
type bm25Params struct {
	K1, B, TitleWeight float64
}

// search returns the n best chunks of scopes for terms (distinct) by
// BM25 over title and text — a term's frequency is its frequency in the
// text plus TitleWeight times its frequency in the title, and the
// length is the chunk's words, as FTS5's bm25() with column weights —
// best first, ties by row id.
func (x *lexIndex) search(scopes []string, terms []string, p bm25Params, n int) rankedList {
	var out rankedList
	if x.docs == 0 || len(terms) == 0 || n <= 0 {
		return out
	}
	N := float64(x.docs)
	avg := float64(x.words) / N
	if avg == 0 {
		avg = 1
	}
	k1 := p.K1
	var ids []int32
	var idfs []float64
	for _, t := range terms {
		if num, ok := x.term[t]; ok && x.df[num] > 0 {
			ids, idfs = append(ids, num), append(idfs, idf(N, float64(x.df[num])))
		}
	}
	h := make(topHits, 0, n+1)
	var acc []float32
	for _, scope := range scopes {
		sc := x.scopes[scope]
		if sc == nil {
			continue
		}
		// Scores accumulate by local document number.
		if cap(acc) < len(sc.ids) {
			acc = make([]float32, len(sc.ids))
		} else {
			acc = acc[:len(sc.ids)]
			clear(acc)
		}
		for i, t := range ids {
			w := idfs[i] * (k1 + 1)
			for _, ps := range sc.post[t] {
				f := float64(ps.tf) + p.TitleWeight*float64(ps.ttf)
				norm := k1 * (1 - p.B + p.B*float64(sc.lens[ps.doc])/avg)
				acc[ps.doc] += float32(w * f / (f + norm))
			}
		}
		for d, s := range acc {
			if s == 0 || sc.ids[d] < 0 {
				continue
			}
			h = h.offer(hit{ID: sc.ids[d], Score: s}, n)
		}
	}
	for _, e := range h.sorted() {
		out.IDs, out.Scores = append(out.IDs, e.ID), append(out.Scores, float64(e.Score))
	}
	return out
}

// maxQueryWords caps the terms of a lexical query, so a 10,000-character
// question stays a cheap query.
const maxQueryWords = 64

// queryTerms returns the distinct terms of a question for the lexical
// ranking (stop words out, stemmed), at most maxQueryWords of them.
func queryTerms(question string) []string {
	ts := text.Distinct(text.Terms(question))
	if len(ts) > maxQueryWords {
		ts = ts[:maxQueryWords]
	}
	return ts
}

// termWeights returns each term's weight for Coverage: its inverse
// document frequency over all chunks, ln(1 + (N - df + 0.5)/(df + 0.5))
// (a term no chunk holds weighs most), times its general weight
// (everyday English words weigh less, see generalWeight). Counts span
// every scope; they shift weights, never reveal text.
func (x *lexIndex) termWeights(terms []string) map[string]float64 {
	weights := make(map[string]float64, len(terms))
	n := float64(x.docs)
	for _, t := range terms {
		df := float64(x.dfOf(t))
		weights[t] = text.GeneralWeight(t) * math.Log(1+(n-df+0.5)/(df+0.5))
	}
	return weights
}

// counts returns how many live chunks of scopes hold each of terms (in
// text or title); terms no chunk holds are left out.
func (x *lexIndex) counts(scopes []string, terms []string) map[string]int {
	out := make(map[string]int, len(terms))
	for _, t := range terms {
		n, ok := x.term[t]
		if !ok {
			continue
		}
		for _, sc := range scopes {
			ls := x.scopes[sc]
			if ls == nil {
				continue
			}
			for _, p := range ls.post[n] {
				if ls.ids[p.doc] >= 0 {
					out[t]++
				}
			}
		}
	}
	return out
}
