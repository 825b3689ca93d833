package retrieval

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/citebot/citebot/ingest"
)

// corpusStore returns a store holding the corpus in shared, searched
// with r.
func corpusStore(t *testing.T, r Ranking) *Store {
	t.Helper()
	s := openStoreWith(t, t.TempDir(), Options{Embedder: NewLocalEmbedder(), Ranking: r})
	for _, a := range corpus {
		mustAdd(t, s, SharedScope, a)
	}
	return s
}

func TestSearchRanking(t *testing.T) {
	t.Parallel()
	s := corpusStore(t, Ranking{})
	tests := []struct {
		query, title, contains string
	}{
		{"How many homes were evacuated when the river flooded?", "River floods force evacuations in Millbrook", "four hundred homes"},
		{"Where did the evacuees shelter?", "River floods force evacuations in Millbrook", "shelters"},
		{"How high above the flood line is the new hospital wing?", "Hospital opens flood-proof emergency wing", "two metres"},
		{"How long can the emergency wing run without power?", "Hospital opens flood-proof emergency wing", "week"},
		{"How did the council vote on the bike lanes?", "City council approves new bicycle lanes", "seven to two"},
		{"What will the bicycle lanes cost?", "City council approves new bicycle lanes", "two million"},
		{"What could happen to bread prices?", "Drought threatens wheat harvest", "bread prices"}, // not the bakery
		{"which bakery won an award for sourdough", "Local bakery wins national bread award", "sourdough"},
		{"Where are the electric buses charged?", "Electric buses join the city fleet", "depot"},
		{"irrigation water cuts", "Drought threatens wheat harvest", "allocations"},
	}
	for _, tt := range tests {
		ps := mustSearch(t, s, tt.query)
		if len(ps) == 0 {
			t.Errorf("%q: no passages", tt.query)
			continue
		}
		if ps[0].Title != tt.title || !strings.Contains(ps[0].Text, tt.contains) {
			t.Errorf("%q: top passage %q from %q, want one containing %q from %q", tt.query, ps[0].Text, ps[0].Title, tt.contains, tt.title)
		}
	}
}

func TestSearchPassageFields(t *testing.T) {
	t.Parallel()
	s := corpusStore(t, Ranking{})
	ps := mustSearch(t, s, "river flood evacuation Millbrook")
	if len(ps) < 2 {
		t.Fatalf("%d passages", len(ps))
	}
	p := ps[0]
	a := corpus[0]
	if p.ArticleID != a.ID || p.Source != "Valley News" || p.Scope != SharedScope || p.ChunkID != a.ID+"#0" || p.Position != 0 {
		t.Errorf("top passage %+v", p)
	}
	if p.Coverage != 1 {
		t.Errorf("coverage of a passage containing every query term = %v, want 1", p.Coverage)
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].Score > ps[i-1].Score {
			t.Errorf("passages not in score order at %d", i)
		}
		if ps[i].Coverage < 0 || ps[i].Coverage > 1 {
			t.Errorf("coverage %v out of range", ps[i].Coverage)
		}
	}
	// A term no passage holds weighs most: a passage with one of two
	// terms, lacking the one found nowhere, covers less than half.
	half := mustSearch(t, s, "zeppelin Millbrook")
	if len(half) == 0 || half[0].Coverage <= 0 || half[0].Coverage >= 0.5 {
		t.Errorf("coverage for a query with one of two terms present: %+v", half)
	}
}

func TestSearchOptionsAndErrors(t *testing.T) {
	t.Parallel()
	s := corpusStore(t, Ranking{})
	ctx := t.Context()
	for _, q := range []string{"", "   \n\t"} {
		if _, err := s.Search(ctx, q, SearchOptions{}); !errors.Is(err, ErrEmptyQuery) {
			t.Errorf("Search(%q): %v, want ErrEmptyQuery", q, err)
		}
	}
	ps, err := s.Search(ctx, "the city", SearchOptions{})
	if err != nil || len(ps) != 5 {
		t.Errorf("K=0: %d passages, %v; want 5", len(ps), err)
	}
	ps, err = s.Search(ctx, "city", SearchOptions{K: 2})
	if err != nil || len(ps) != 2 {
		t.Errorf("K=2: %d passages, %v", len(ps), err)
	}
	// Hostile and odd queries are plain text, never FTS5 syntax.
	for _, q := range []string{
		`title:bread`, `"unbalanced`, `NEAR(bread water)`, `bread*`, `-bread`, `bread AND OR NOT`,
		`'); DROP TABLE chunks; --`, `^bread`, `???`, strings.Repeat("flood river homes ", 700),
	} {
		if _, err := s.Search(ctx, q, SearchOptions{}); err != nil {
			t.Errorf("Search(%.40q): %v", q, err)
		}
	}
	if ps := mustSearch(t, s, "title:bread"); len(ps) == 0 {
		t.Error(`"title:bread" found nothing`)
	}
	// A search of an empty scope returns nothing, without error.
	if ps, err := s.Search(ctx, "bread", SearchOptions{Scopes: []string{GuildScope("9")}}); err != nil || len(ps) != 0 {
		t.Errorf("empty scope: %d passages, %v", len(ps), err)
	}
}

func TestSearchDropsNearDuplicates(t *testing.T) {
	t.Parallel()
	s := openStore(t, t.TempDir())
	// Overlapping chunks of one article: the second repeats most of the first.
	text := "The lighthouse keeper rang the storm bell at midnight. Ships turned back to harbour. The storm lasted three days."
	a := ingest.Article{ID: "tlight", Title: "Storm at the lighthouse", Paragraphs: []string{text}}
	overlapping := []ingest.Chunk{
		{ArticleID: a.ID, Position: 0, Start: 0, End: 86, Text: text[:86], Title: a.Title},
		{ArticleID: a.ID, Position: 1, Start: 0, End: len(text), Text: text, Title: a.Title},
	}
	if _, err := s.Add(t.Context(), SharedScope, a, overlapping); err != nil {
		t.Fatal(err)
	}
	// The same story syndicated by two outlets.
	story := "The lighthouse storm bell rang at midnight and ships returned to harbour."
	mustAdd(t, s, SharedScope, article("Storm bell rings", "Outlet A", story))
	mustAdd(t, s, SharedScope, article("Storm bell rings out", "Outlet B", story))

	ps := mustSearch(t, s, "lighthouse storm bell midnight")
	if len(ps) != 2 {
		t.Errorf("got %d passages %q, want 2 (one per distinct text)", len(ps), titles(ps))
	}
	checkDistinct(t, ps, "text", func(p Passage) string { return p.Text })
}

func TestSearchMaxPerArticle(t *testing.T) {
	t.Parallel()
	const query = "Millbrook flood emergency river hospital"
	// Without the cap, the query finds several passages of one article:
	// the cap has something to do.
	perArticle := map[string]int{}
	for _, p := range mustSearch(t, corpusStore(t, Ranking{}), query) {
		perArticle[p.ArticleID]++
	}
	if slices.Max(slices.Collect(maps.Values(perArticle))) < 2 {
		t.Fatalf("uncapped search gives at most one passage an article (%v): the test proves nothing", perArticle)
	}
	ps := mustSearch(t, corpusStore(t, Ranking{MaxPerArticle: 1}), query)
	if len(ps) < 2 {
		t.Fatalf("MaxPerArticle 1: %d passages (%q), want several, one an article", len(ps), titles(ps))
	}
	checkDistinct(t, ps, "article (MaxPerArticle 1)", func(p Passage) string { return p.ArticleID })
}

func TestSearchEachRankingAlone(t *testing.T) {
	t.Parallel()
	for _, r := range []Ranking{{VectorWeight: -1}, {LexicalWeight: -1}} {
		ps := mustSearch(t, corpusStore(t, r), "sourdough bakery award")
		if len(ps) == 0 || ps[0].Title != "Local bakery wins national bread award" {
			t.Errorf("ranking %+v: %q", r, titles(ps))
		}
	}
}
