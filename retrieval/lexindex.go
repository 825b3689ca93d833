package retrieval

import (
	"math"
	"sync"

	"github.com/citebot/citebot/internal/text"
)

// lexScope is the in-memory lexical index of one scope: an inverted
// index from term (as Terms makes it: stop words out, Porter-stemmed) to
// the chunks holding it with the term's frequency in the chunk text and
// in its title, and each chunk's length in words (stop words included, as
// BM25 counts them), with the document frequencies and lengths of the
// scope. A search sums these over the scopes it reads, so its ranking
// depends on those scopes only, never on which other scopes happen to be
// loaded (see Store.Search).
//
// Each scope has its own term numbers. Local document numbers index ids
// and lens; removed documents are tombstoned (id -1) and dropped from the
// postings when they are a quarter of the scope.
//
// It is derived data, built from the chunks (or read from a snapshot) when
// the scope is first searched and updated after each commit. It has no
// lock of its own: readers hold Store.mu shared, writers hold it
// exclusively (as for the vector index's updates).
//
// A query costs the sum of the posting lengths of its terms, not a pass
// over every chunk matching any word as FTS5's bm25() does.
type lexScope struct {
	term map[string]int32 // term → its number in this scope (terms are never forgotten)
	// wide lists the terms holding a byte outside ASCII, in the order
	// numbered: the only ones text.Fold changes (foldedTerm) and the only
	// ones one edit from an ASCII term that nearestTerm cannot look up.
	wide []string
	// folded holds, for the first len(folded) terms of wide, the stem of
	// the term without its accents ("" when text.Fold leaves it as it
	// is): filled by foldedStems when foldedTerm first needs it, not when
	// the scope is loaded, as most stores never need it and a store in a
	// language with accents has them on most of its terms.
	foldMu sync.Mutex
	folded []string
	df     []int32     // by term number: live chunks holding it (text or title)
	post   [][]posting // by term number
	ids    []int64
	lens   []uint32
	local  map[int64]uint32
	dead   int
	docs   int    // live chunks
	words  int64  // words of the live chunks (title + text)
	doc    lexDoc // scratch for addChunk and removeChunk (under the exclusive lock)
}

// posting is one chunk holding a term: its local number and the term's
// frequency in the text and in the title (saturated at 65535).
type posting struct {
	doc     uint32
	tf, ttf uint16
}

func newLexScope() *lexScope {
	return &lexScope{term: make(map[string]int32), local: make(map[int64]uint32)}
}

// number gives term the number n.
func (x *lexScope) number(term string, n int32) {
	x.term[term] = n
	if !text.IsASCII(term) {
		x.wide = append(x.wide, term)
	}
}

// foldedStems returns the accentless stems of x.wide (see folded),
// working out those of the terms numbered since the last call. Safe for
// the readers holding the store's shared lock at once; x.wide only grows
// under the exclusive one.
func (x *lexScope) foldedStems() []string {
	x.foldMu.Lock()
	defer x.foldMu.Unlock()
	for _, term := range x.wide[len(x.folded):] {
		var stem string
		if f := text.Fold(term); f != term {
			stem = text.Stem(f)
		}
		x.folded = append(x.folded, stem)
	}
	return x.folded
}

// intern returns the number of term, numbering it if new.
func (x *lexScope) intern(term string) int32 {
	n, ok := x.term[term]
	if !ok {
		n = int32(len(x.df))
		x.number(term, n)
		x.df = append(x.df, 0)
		x.post = append(x.post, nil)
	}
	return n
}

// wordTerm returns the term number of a lower-case word, -1 for a stop
// word: stemming and interning as Terms does.
func (x *lexScope) wordTerm(w string) int32 {
	if text.IsStopWord(w) {
		return -1
	}
	return x.intern(text.Stem(w))
}

// cachedWordTerm returns wordTerm with a cache by word, for building a
// whole index: words repeat, and stemming is most of tokenising.
func (x *lexScope) cachedWordTerm() func(string) int32 {
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
		text.ForEachTermWord(s, func(w string) {
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

// addChunk indexes chunk id with its title and text. Callers remove an
// id before adding it again (row IDs of live chunks are unique).
func (x *lexScope) addChunk(id int64, title, text string) {
	x.doc.tokenize(title, text, x.wordTerm)
	x.add(id, &x.doc)
}

// removeChunk drops chunk id, whose title and text were these (needed to
// correct the document frequencies). Unknown ids are ignored.
func (x *lexScope) removeChunk(id int64, title, text string) {
	x.doc.tokenize(title, text, x.wordTerm)
	x.remove(id, &x.doc)
}

// add indexes chunk id, tokenised in d (with this scope's term numbers).
func (x *lexScope) add(id int64, d *lexDoc) {
	n := uint32(len(x.ids))
	x.ids = append(x.ids, id)
	x.lens = append(x.lens, uint32(d.words))
	x.local[id] = n
	for i, t := range d.terms {
		x.df[t]++
		x.post[t] = append(x.post[t], posting{doc: n, tf: d.tf[i][0], ttf: d.tf[i][1]})
	}
	x.docs++
	x.words += int64(d.words)
}

// remove drops chunk id, tokenised in d.
func (x *lexScope) remove(id int64, d *lexDoc) {
	n, ok := x.local[id]
	if !ok {
		return
	}
	delete(x.local, id)
	x.ids[n] = -1
	x.dead++
	x.docs--
	x.words -= int64(x.lens[n])
	for _, t := range d.terms {
		x.df[t]--
	}
	if x.dead > 64 && x.dead > len(x.ids)/4 {
		x.compact()
	}
}

// compact drops tombstoned documents and renumbers the rest.
func (x *lexScope) compact() {
	renum := make([]uint32, len(x.ids))
	ids, lens := x.ids[:0:0], x.lens[:0:0]
	for i, id := range x.ids {
		if id < 0 {
			renum[i] = math.MaxUint32
			continue
		}
		renum[i] = uint32(len(ids))
		x.local[id] = renum[i]
		ids, lens = append(ids, id), append(lens, x.lens[i])
	}
	for t, ps := range x.post {
		// New slices, never in place: a snapshot being written reads the
		// old ones (scopeImage).
		out := make([]posting, 0, len(ps))
		for _, p := range ps {
			if r := renum[p.doc]; r != math.MaxUint32 {
				p.doc = r
				out = append(out, p)
			}
		}
		if len(out) == 0 {
			out = nil
		}
		x.post[t] = out
	}
	x.ids, x.lens, x.dead = ids, lens, 0
}

// lexStats are the document counts a query's weights come from: those of
// the scopes it reads.
type lexStats struct {
	docs  int
	words int64
}

func statsOf(scopes []*lexScope) lexStats {
	var st lexStats
	for _, x := range scopes {
		st.docs += x.docs
		st.words += x.words
	}
	return st
}

// dfOf returns the document frequency of term over scopes.
func dfOf(scopes []*lexScope, term string) int32 {
	var df int32
	for _, x := range scopes {
		if n, ok := x.term[term]; ok {
			df += x.df[n]
		}
	}
	return df
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

// lexSearch returns the n best chunks of scopes for terms (distinct) by
// BM25 over title and text — a term's frequency is its frequency in the
// text plus TitleWeight times its frequency in the title, and the
// length is the chunk's words, as FTS5's bm25() with column weights —
// best first, ties by row id. Document frequencies and the mean length
// are those of scopes together.
func lexSearch(scopes []*lexScope, terms []string, p bm25Params, n int) rankedList {
	var out rankedList
	st := statsOf(scopes)
	if st.docs == 0 || len(terms) == 0 || n <= 0 {
		return out
	}
	N := float64(st.docs)
	avg := float64(st.words) / N
	if avg == 0 {
		avg = 1
	}
	k1 := p.K1
	var (
		found []string
		idfs  []float64
	)
	for _, t := range terms {
		if df := dfOf(scopes, t); df > 0 {
			found, idfs = append(found, t), append(idfs, idf(N, float64(df)))
		}
	}
	h := make(topHits, 0, n+1)
	accp := accPool.Get().(*[]float32)
	defer accPool.Put(accp)
	acc := *accp
	defer func() { *accp = acc }()
	for _, sc := range scopes {
		// Scores accumulate by local document number.
		if cap(acc) < len(sc.ids) {
			acc = make([]float32, len(sc.ids))
		} else {
			acc = acc[:len(sc.ids)]
			clear(acc)
		}
		for i, t := range found {
			num, ok := sc.term[t]
			if !ok {
				continue
			}
			w := idfs[i] * (k1 + 1)
			for _, ps := range sc.post[num] {
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

// accPool holds the score accumulators of lexSearch (one float32 per
// document of the largest scope searched), so a query allocates none.
var accPool = sync.Pool{New: func() any { return new([]float32) }}

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
// document frequency over the chunks of scopes (those searched),
// ln(1 + (N - df + 0.5)/(df + 0.5)) (a term no chunk holds weighs most),
// times its general weight (everyday English words weigh less, see
// generalWeight).
func termWeights(scopes []*lexScope, terms []string) map[string]float64 {
	weights := make(map[string]float64, len(terms))
	n := float64(statsOf(scopes).docs)
	for _, t := range terms {
		df := float64(dfOf(scopes, t))
		weights[t] = text.GeneralWeight(t) * math.Log(1+(n-df+0.5)/(df+0.5))
	}
	return weights
}

// termCounts returns how many live chunks of scopes hold each of terms
// (in text or title); terms no chunk holds are left out.
func termCounts(scopes []*lexScope, terms []string) map[string]int {
	out := make(map[string]int, len(terms))
	for _, t := range terms {
		if df := dfOf(scopes, t); df > 0 {
			out[t] = int(df)
		}
	}
	return out
}
