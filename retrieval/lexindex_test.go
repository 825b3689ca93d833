package retrieval

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/citebot/citebot/internal/text"
)

// lexSet is lexical indexes by scope, as a Store keeps them.
type lexSet map[string]*lexScope

func (m lexSet) addChunk(scope string, id int64, title, text string) {
	if m[scope] == nil {
		m[scope] = newLexScope()
	}
	m[scope].addChunk(id, title, text)
}

func (m lexSet) removeChunk(scope string, id int64, title, text string) {
	if x := m[scope]; x != nil {
		x.removeChunk(id, title, text)
	}
}

func (m lexSet) of(scopes []string) []*lexScope {
	var out []*lexScope
	for _, sc := range scopes {
		if x := m[sc]; x != nil {
			out = append(out, x)
		}
	}
	return out
}

func (m lexSet) search(scopes []string, terms []string, p bm25Params, n int) rankedList {
	return lexSearch(m.of(scopes), terms, p, n)
}

// lexFixture is a small corpus indexed both in a lexSet and kept as
// plain term lists, for a naive BM25 to check the index against.
type lexFixture struct {
	x     lexSet
	docs  map[int64]lexFixtureDoc
	scope map[int64]string
}

type lexFixtureDoc struct{ title, text string }

func (f *lexFixture) add(scope string, id int64, title, text string) {
	f.x.addChunk(scope, id, title, text)
	f.docs[id] = lexFixtureDoc{title, text}
	f.scope[id] = scope
}

func (f *lexFixture) remove(id int64) {
	doc := f.docs[id]
	f.x.removeChunk(f.scope[id], id, doc.title, doc.text)
	delete(f.docs, id)
	delete(f.scope, id)
}

// naive scores every document of scopes by the BM25 formula written out
// directly (FTS5's, with weighted title frequency), with the statistics
// of those scopes, best first.
func (f *lexFixture) naive(scopes []string, terms []string, p bm25Params, n int) rankedList {
	count := func(s, term string) (tf int) {
		for _, t := range text.Terms(s) {
			if t == term {
				tf++
			}
		}
		return tf
	}
	var total, N float64
	for id, d := range f.docs {
		if slices.Contains(scopes, f.scope[id]) {
			total += float64(wordCount(d.title) + wordCount(d.text))
			N++
		}
	}
	avg := total / N
	dfs := make(map[string]int)
	for _, t := range terms {
		for id, o := range f.docs {
			if !slices.Contains(scopes, f.scope[id]) {
				continue
			}
			if count(o.title, t)+count(o.text, t) > 0 {
				dfs[t]++
			}
		}
	}
	type hit struct {
		id    int64
		score float64
	}
	var hits []hit
	for id, d := range f.docs {
		if !slices.Contains(scopes, f.scope[id]) {
			continue
		}
		dl := float64(wordCount(d.title) + wordCount(d.text))
		score := 0.0
		for _, t := range terms {
			tf := float64(count(d.text, t)) + p.TitleWeight*float64(count(d.title, t))
			if tf == 0 {
				continue
			}
			score += idf(N, float64(dfs[t])) * tf * (p.K1 + 1) / (tf + p.K1*(1-p.B+p.B*dl/avg))
		}
		if score > 0 {
			hits = append(hits, hit{id, score})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(a.id, b.id)) })
	var out rankedList
	for _, h := range hits[:min(n, len(hits))] {
		out.IDs, out.Scores = append(out.IDs, h.id), append(out.Scores, h.score)
	}
	return out
}

// TestLexIndexMatchesNaiveBM25 adds, replaces and removes documents in
// two scopes (enough removals to compact) and checks after each phase
// that the index ranks and scores as the formula computed directly, and
// that its document frequencies are those of the live documents.
func TestLexIndexMatchesNaiveBM25(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := strings.Fields("river flood evacuation homes council budget school parade harbour ferry storm bridge the of and mayor rivers flooding")
	words := func(n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = vocab[rng.IntN(len(vocab))]
		}
		return strings.Join(ws, " ")
	}
	f := &lexFixture{x: lexSet{}, docs: map[int64]lexFixtureDoc{}, scope: map[int64]string{}}
	scopes := []string{SharedScope, GuildScope("7")}
	for id := int64(1); id <= 400; id++ {
		f.add(scopes[id%2], id, words(3), words(5+rng.IntN(40)))
	}
	params := []bm25Params{{K1: 1.2, B: 0.75, TitleWeight: 2}, {K1: 0.9, B: 0.4, TitleWeight: 1}, {K1: 2, B: 0, TitleWeight: 0}}
	check := func(phase string) {
		t.Helper()
		for _, p := range params {
			for _, sc := range [][]string{{SharedScope}, scopes} {
				for _, q := range []string{"river flood", "council budget harbour", "flooding of the rivers", "mayor"} {
					terms := queryTerms(q)
					got, want := f.x.search(sc, terms, p, 10), f.naive(sc, terms, p, 10)
					if !slices.Equal(got.IDs, want.IDs) {
						t.Fatalf("%s, %+v, %v, %q: ids %v, want %v", phase, p, sc, q, got.IDs, want.IDs)
					}
					for i := range got.Scores {
						if math.Abs(got.Scores[i]-want.Scores[i]) > 1e-4*want.Scores[i] {
							t.Fatalf("%s, %q: score %d = %v, want %v", phase, q, i, got.Scores[i], want.Scores[i])
						}
					}
				}
			}
		}
		if st := statsOf(f.x.of(scopes)); st.docs != len(f.docs) {
			t.Fatalf("%s: %d documents, want %d", phase, st.docs, len(f.docs))
		}
		for _, term := range []string{"river", "flood", "mayor"} {
			df := 0
			for _, d := range f.docs {
				if slices.Contains(text.Terms(d.title+" "+d.text), term) {
					df++
				}
			}
			if got := dfOf(f.x.of(scopes), term); int(got) != df {
				t.Fatalf("%s: df(%s) = %d, want %d", phase, term, got, df)
			}
		}
	}
	check("added")
	for id := int64(1); id <= 400; id += 3 { // a third: compacts each scope
		f.remove(id)
	}
	check("removed")
	for id := int64(2); id <= 400; id += 3 { // replaced, as Add does
		sc := f.scope[id]
		f.remove(id)
		f.add(sc, id, words(2), words(20))
	}
	check("replaced")
	for id := range f.docs {
		if f.scope[id] == GuildScope("7") {
			f.remove(id)
		}
	}
	if x := f.x[GuildScope("7")]; x.docs != 0 || x.words != 0 || len(x.local) != 0 {
		t.Errorf("an emptied scope still counts %d documents, %d words", x.docs, x.words)
	}
	check("scope emptied")
}

func TestLexIndexEmptyAndUnknown(t *testing.T) {
	t.Parallel()
	x := lexSet{}
	if l := x.search([]string{SharedScope}, []string{"river"}, bm25Params{K1: 1.2, B: 0.75}, 5); len(l.IDs) != 0 {
		t.Errorf("empty index found %v", l.IDs)
	}
	x.removeChunk(SharedScope, 1, "Title", "River text") // unknown: ignored
	x.addChunk(SharedScope, 1, "Title", "River text")
	for _, tt := range []struct {
		scopes []string
		terms  []string
		want   int
	}{
		{[]string{SharedScope}, []string{"river"}, 1},
		{[]string{SharedScope}, []string{"absent"}, 0},
		{[]string{SharedScope}, nil, 0},
		{[]string{GuildScope("1")}, []string{"river"}, 0},
	} {
		if l := x.search(tt.scopes, tt.terms, bm25Params{K1: 1.2, B: 0.75, TitleWeight: 2}, 5); len(l.IDs) != tt.want {
			t.Errorf("search(%v, %v) = %v, want %d hits", tt.scopes, tt.terms, l.IDs, tt.want)
		}
	}
}

// TestOpenMigratesSchema1 opens a store of schema version 1, with its
// FTS5 index and triggers, and checks that Open drops them, records
// version 2 and that the store searches and takes new articles.
func TestOpenMigratesSchema1(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fillStore(t, dir)
	db := rawDB(t, dir)
	for _, q := range []string{
		`CREATE VIRTUAL TABLE chunks_fts USING fts5(title, text, content = 'chunks', content_rowid = 'id',
			tokenize = 'porter unicode61 remove_diacritics 2')`,
		`CREATE VIRTUAL TABLE chunks_vocab USING fts5vocab(chunks_fts, 'row')`,
		`CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
			INSERT INTO chunks_fts (rowid, title, text) VALUES (new.id, new.title, new.text); END`,
		`CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
			INSERT INTO chunks_fts (chunks_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); END`,
		`CREATE TRIGGER chunks_fts_update AFTER UPDATE OF title, text ON chunks BEGIN
			INSERT INTO chunks_fts (chunks_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
			INSERT INTO chunks_fts (rowid, title, text) VALUES (new.id, new.title, new.text); END`,
		`INSERT INTO chunks_fts (chunks_fts) VALUES ('rebuild')`,
		`UPDATE meta SET value = '1' WHERE key = 'schema_version'`,
	} {
		exec(t, db, q)
	}
	db.Close()

	s := openStore(t, dir)
	var n int
	if err := s.db.QueryRowContext(t.Context(), `SELECT count(*) FROM sqlite_master WHERE name LIKE 'chunks_fts%' OR name = 'chunks_vocab'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("FTS5 objects left after migration: %d (%v)", n, err)
	}
	if v, err := getMeta(t.Context(), s.db, metaSchema); err != nil || v != fmt.Sprint(schemaVersion) {
		t.Errorf("schema version %q (%v), want %d", v, err, schemaVersion)
	}
	checkStats(t, s, len(corpus), 3*len(corpus))
	if ps := mustSearch(t, s, "Millbrook river evacuation homes"); len(ps) == 0 || ps[0].ArticleID != corpus[0].ID {
		t.Errorf("search after migration: %+v", ps)
	}
	mustAdd(t, s, GuildScope("3"), corpus[1])
	if err := s.Forget(t.Context(), SharedScope, corpus[2].ID); err != nil {
		t.Fatal(err)
	}
	checkStats(t, s, len(corpus), 3*len(corpus))
}

func TestQueryTerms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"?!", nil},
		{"the river floods", []string{"river", "flood"}},
		{"what is it", nil}, // only stop words: nothing to rank by
		{`title:x NEAR(a b) "c" d* AND -e`, []string{"titl", "x", "near", "b", "c", "e"}},
		{"River river RIVER rivers", []string{"river"}},
	}
	for _, tt := range tests {
		if got := queryTerms(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("queryTerms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	var many []string
	for i := range 100 {
		many = append(many, fmt.Sprintf("w%d", i))
	}
	if got := queryTerms(strings.Join(many, " ")); len(got) != maxQueryWords {
		t.Errorf("queryTerms of 100 distinct words gave %d terms, want %d", len(got), maxQueryWords)
	}
}

// wordCount is the number of words of s, stop words included.
func wordCount(s string) int {
	n := 0
	text.ForEachWord(s, func(string) { n++ })
	return n
}
