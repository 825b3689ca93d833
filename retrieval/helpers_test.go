package retrieval

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/citebot/citebot/ingest"
)

// article builds an Article from a title, a source and paragraphs, with
// its ID derived as the ingest package does.
func article(title, source string, paragraphs ...string) ingest.Article {
	return ingest.Article{
		ID:         ingest.NewID("", title, paragraphs),
		Title:      title,
		Source:     source,
		Paragraphs: paragraphs,
	}
}

// chunks makes one chunk per paragraph, with offsets into a.Text().
func chunks(a ingest.Article) []ingest.Chunk {
	var out []ingest.Chunk
	off := 0
	for i, p := range a.Paragraphs {
		out = append(out, ingest.Chunk{
			ArticleID: a.ID, Position: i, Start: off, End: off + len(p), Text: p, Title: a.Title,
		})
		off += len(p) + len(ingest.ParagraphSeparator)
	}
	return out
}

// openStore opens a store in dir with the local embedder and closes it
// at the end of the test.
func openStore(t *testing.T, dir string) *Store {
	t.Helper()
	return openStoreWith(t, dir, Options{Embedder: NewLocalEmbedder()})
}

// openStoreWith opens a store in dir with opt and closes it at the end of
// the test.
func openStoreWith(t *testing.T, dir string, opt Options) *Store {
	t.Helper()
	s, err := Open(t.Context(), dir, opt)
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func mustAdd(t *testing.T, s *Store, scope string, a ingest.Article) AddStatus {
	t.Helper()
	st, err := s.Add(t.Context(), scope, a, chunks(a))
	if err != nil {
		t.Fatalf("Add(%s, %q): %v", scope, a.Title, err)
	}
	return st
}

func mustSearch(t *testing.T, s *Store, query string, scopes ...string) []Passage {
	t.Helper()
	ps, err := s.Search(t.Context(), query, SearchOptions{Scopes: scopes, K: 10})
	if err != nil {
		t.Fatalf("Search(%q): %v", query, err)
	}
	return ps
}

// checkDistinct reports passages that share key with an earlier one.
func checkDistinct(t *testing.T, ps []Passage, what string, key func(Passage) string) {
	t.Helper()
	seen := map[string]bool{}
	for _, p := range ps {
		if seen[key(p)] {
			t.Errorf("two passages with the same %s %q", what, key(p))
		}
		seen[key(p)] = true
	}
}

func titles(ps []Passage) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Title
	}
	return out
}

// countingEmbedder counts the texts it embeds.
type countingEmbedder struct {
	Embedder
	texts atomic.Int64
	calls atomic.Int64
}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.calls.Add(1)
	c.texts.Add(int64(len(texts)))
	return c.Embedder.Embed(ctx, texts)
}

// failingEmbedder fails every call.
type failingEmbedder struct{ Embedder }

var errEmbed = errors.New("embedding service down")

func (failingEmbedder) Embed(context.Context, []string) ([][]float32, error) { return nil, errEmbed }

// otherEmbedder is the local embedder under another name.
type otherEmbedder struct{ Embedder }

func (otherEmbedder) Name() string { return "other-v2" }

// corpus is a small hand-written news corpus on overlapping topics, so
// that ranking has to choose.
var corpus = []ingest.Article{
	article("River floods force evacuations in Millbrook", "Valley News",
		"Heavy rain pushed the Millbrook river over its banks on Tuesday, forcing the evacuation of four hundred homes.",
		"Emergency crews set up shelters in the high school gym. The mayor said the water should recede by Friday.",
		"Farmers downstream reported flooded fields and drowned livestock."),
	article("City council approves new bicycle lanes", "Metro Daily",
		"The city council voted seven to two to build protected bicycle lanes along Main Street.",
		"Construction of the lanes will begin in the spring and cost about two million dollars.",
		"Shop owners worried that losing parking spaces would hurt business."),
	article("Drought threatens wheat harvest", "Farm Weekly",
		"A third dry summer has left wheat fields parched across the plains, and growers expect the smallest harvest in a decade.",
		"Irrigation districts have cut water allocations by half.",
		"Economists warn that bread prices could rise by winter."),
	article("Hospital opens flood-proof emergency wing", "Valley News",
		"Millbrook General Hospital opened a new emergency wing built two metres above the flood line.",
		"The wing has its own generators and can run for a week without outside power.",
		"Doctors said the last flood closed the old emergency room for a month."),
	article("Local bakery wins national bread award", "Metro Daily",
		"A family bakery on Elm Street won the national award for the best sourdough bread.",
		"The owners credit a starter culture that is more than forty years old.",
		"Customers lined up around the block the morning after the announcement."),
	article("Electric buses join the city fleet", "Metro Daily",
		"Twelve electric buses started service this week, replacing diesel buses on the busiest routes.",
		"The transit agency said charging happens overnight at the central depot.",
		"Riders praised the quiet engines; drivers asked for better heating in winter."),
}

// scopeOf loads the indexes of scope (if they are not yet) and returns
// them.
func scopeOf(t *testing.T, s *Store, scope string) *scopeIndex {
	t.Helper()
	if err := s.Preload(t.Context(), scope); err != nil {
		t.Fatalf("Preload(%s): %v", scope, err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.loaded[scope]
}

// vecCount is the number of vectors in the index of scope, loaded first.
func vecCount(t *testing.T, s *Store, scope string) int {
	t.Helper()
	return scopeOf(t, s, scope).vec.count()
}

// vecSet is vector indexes by scope, as a Store keeps them.
type vecSet struct {
	e      Embedder
	scopes map[string]*vecScope
}

func newVecSet(e Embedder) *vecSet { return &vecSet{e: e, scopes: map[string]*vecScope{}} }

func (m *vecSet) scope(name string) *vecScope {
	if m.scopes[name] == nil {
		x, err := newVecScope(m.e, name)
		if err != nil {
			panic(err)
		}
		m.scopes[name] = x
	}
	return m.scopes[name]
}

func (m *vecSet) add(ctx context.Context, scope string, ids []int64, vecs [][]float32) error {
	return m.scope(scope).add(ctx, ids, vecs)
}

func (m *vecSet) remove(ctx context.Context, scope string, ids []int64) error {
	return m.scope(scope).remove(ctx, ids)
}

func (m *vecSet) count(scope string) int { return m.scope(scope).count() }

func (m *vecSet) query(ctx context.Context, scopes []string, q []float32, n int) ([]hit, error) {
	var xs []*vecScope
	var names []string
	for _, sc := range scopes {
		if x := m.scopes[sc]; x != nil {
			xs, names = append(xs, x), append(names, sc)
		}
	}
	if len(xs) == 0 && len(q) != m.e.Dimensions() {
		return nil, fmt.Errorf("query vector has %d dimensions, want %d", len(q), m.e.Dimensions())
	}
	return vectorQuery(ctx, xs, names, q, n)
}

func (m *vecSet) total() int {
	n := 0
	for _, x := range m.scopes {
		n += x.count()
	}
	return n
}
