package retrieval

import (
	"errors"
	"testing"
)

// TestOpenWithoutIndexes: a store opened only to list, forget and back up
// builds no search index, refuses what needs one, and what it forgets is
// gone for the next process that searches.
func TestOpenWithoutIndexes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openStore(t, dir)
	keep := article("Tide tables printed", "Coast News", "The harbour office printed new tide tables for the winter.")
	gone := article("Pier repairs finished", "Coast News", "Workers finished the pier repairs ahead of the winter storms.")
	mustAdd(t, s, SharedScope, keep)
	mustAdd(t, s, SharedScope, gone)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	lite := openStoreWith(t, dir, Options{Embedder: otherEmbedder{NewLocalEmbedder()}, WithoutIndexes: true}) // another embedder opens too
	st, err := lite.Stats(t.Context())
	if err != nil || st.Articles != 2 || st.LexicalRows != 0 || st.VectorDocs != 0 {
		t.Fatalf("stats %+v (%v): want 2 articles and no index built", st, err)
	}
	infos, err := lite.Articles(t.Context(), nil)
	if err != nil || len(infos) != 2 {
		t.Fatalf("articles: %v %v", infos, err)
	}
	if _, err := lite.Search(t.Context(), "pier repairs", SearchOptions{}); !errors.Is(err, ErrNoIndexes) {
		t.Errorf("search: %v, want ErrNoIndexes", err)
	}
	if _, err := lite.Add(t.Context(), SharedScope, keep, chunks(keep)); !errors.Is(err, ErrNoIndexes) {
		t.Errorf("add: %v, want ErrNoIndexes", err)
	}
	if _, err := lite.Refresh(t.Context()); !errors.Is(err, ErrNoIndexes) {
		t.Errorf("refresh: %v, want ErrNoIndexes", err)
	}
	if err := lite.Forget(t.Context(), SharedScope, gone.ID); err != nil {
		t.Fatal(err)
	}
	if err := lite.Close(); err != nil {
		t.Fatal(err)
	}

	full := openStore(t, dir)
	for _, p := range mustSearch(t, full, "pier repairs winter storms") {
		if p.ArticleID == gone.ID {
			t.Errorf("the forgotten article is still found: %+v", p)
		}
	}
}
