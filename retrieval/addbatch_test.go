package retrieval

import (
	"errors"
	"fmt"
	"testing"
)

func TestAddBatchEmbedsAcrossArticles(t *testing.T) {
	t.Parallel()
	emb := &countingEmbedder{Embedder: NewLocalEmbedder()}
	s := openStoreWith(t, t.TempDir(), Options{Embedder: emb})
	var items []Item
	for n := range 40 {
		a := article(fmt.Sprintf("Harbour notice %d", n), "Gazette",
			fmt.Sprintf("Notice %d says the ferry leaves at %d.", n, n),
			"The harbour office is open on weekdays.", "Tickets are sold at the pier.")
		items = append(items, Item{Article: a, Chunks: chunks(a)})
	}
	bad := article("Nothing", "")
	items = append(items, Item{Article: bad}) // no chunks: fails alone
	before := emb.calls.Load()
	results := s.AddBatch(t.Context(), SharedScope, items)
	if got := emb.calls.Load() - before; got != 1 {
		t.Errorf("%d embedding calls for 120 chunks of 40 articles, want 1", got)
	}
	for i, r := range results[:40] {
		if r.Err != nil || r.Status != Added {
			t.Errorf("item %d: %+v", i, r)
		}
	}
	if results[40].Err == nil {
		t.Error("an article without chunks was accepted")
	}
	if got := mustSearch(t, s, "When does the ferry leave in notice 17?"); len(got) == 0 || got[0].Title != "Harbour notice 17" {
		t.Errorf("search after AddBatch: %v", titles(got))
	}

	// Again, with one article changed: only it is embedded and written.
	changed := article("Harbour notice 3", "Gazette", "Notice 3 now says the ferry leaves at noon.")
	items[3] = Item{Article: changed, Chunks: chunks(changed)}
	before = emb.texts.Load()
	results = s.AddBatch(t.Context(), SharedScope, items[:40])
	if got := emb.texts.Load() - before; got != 1 {
		t.Errorf("%d texts embedded, want only the changed article's 1", got)
	}
	for i, r := range results {
		want := Unchanged
		if i == 3 {
			want = Added // a new ID: its text changed
		}
		if r.Err != nil || r.Status != want {
			t.Errorf("second batch item %d: %+v, want %v", i, r, want)
		}
	}
}

func TestAddBatchEmbeddingFailureWritesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openStore(t, dir)
	kept := article("Kept", "", "This article was stored before.")
	mustAdd(t, s, SharedScope, kept)
	s.Close()

	s = openStoreWith(t, dir, Options{Embedder: failingEmbedder{NewLocalEmbedder()}})
	a, b := article("A", "", "First new article."), article("B", "", "Second new article.")
	results := s.AddBatch(t.Context(), SharedScope, []Item{{Article: a, Chunks: chunks(a)}, {Article: b, Chunks: chunks(b)}, {Article: kept, Chunks: chunks(kept)}})
	for i, r := range results[:2] {
		if !errors.Is(r.Err, errEmbed) {
			t.Errorf("item %d: %+v, want the embedding error", i, r)
		}
	}
	if results[2].Err != nil || results[2].Status != Unchanged {
		t.Errorf("unchanged article: %+v", results[2])
	}
	infos, err := s.Articles(t.Context(), []string{SharedScope})
	if err != nil || len(infos) != 1 || infos[0].ID != kept.ID {
		t.Errorf("articles after a failed batch: %+v, %v; want only the one stored before", infos, err)
	}
}
