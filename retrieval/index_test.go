package retrieval

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestVectorIndexQueryClampsAndMerges(t *testing.T) {
	t.Parallel()
	e := NewLocalEmbedder()
	idx := newVectorIndex(e)
	vecs, err := e.Embed(t.Context(), []string{"river flood", "bread bakery", "bus depot", "?!"})
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.add(t.Context(), "shared", []int64{1, 2}, vecs[:2]); err != nil {
		t.Fatal(err)
	}
	if err := idx.add(t.Context(), "guild:1", []int64{3, 4}, vecs[2:]); err != nil {
		t.Fatal(err)
	}
	if n := idx.count("guild:1"); n != 1 {
		t.Errorf("guild:1 holds %d vectors, want 1 (the zero vector is not indexed)", n)
	}
	// Asking for more than a collection holds is clamped, not an error.
	hits, err := idx.query(t.Context(), []string{"shared", "guild:1", "guild:absent"}, vecs[2], 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 3 || hits[0].ID != 3 {
		t.Errorf("hits = %+v, want 3 hits led by id 3", hits)
	}
	// The caller's vector is copied: changing it does not change the index.
	vecs[0][0] += 10
	hits, _ = idx.query(t.Context(), []string{"shared"}, vecs[1], 2)
	for _, h := range hits {
		if h.Similarity > 1.0001 {
			t.Errorf("index aliases the caller's vector: similarity %v", h.Similarity)
		}
	}
	if err := idx.remove(t.Context(), "shared", nil); err != nil || idx.count("shared") != 2 {
		t.Errorf("remove of no ids: %v, count %d; want a no-op", err, idx.count("shared"))
	}
	if err := idx.remove(t.Context(), "shared", []int64{1, 99}); err != nil || idx.count("shared") != 1 {
		t.Errorf("remove: %v, count %d", err, idx.count("shared"))
	}
	if _, err := idx.query(t.Context(), []string{"shared"}, vecs[0][:10], 1); err == nil {
		t.Error("query with a short vector succeeded")
	}
}

func TestRepairScopeRebuildsFromStore(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	s, err := Open(t.Context(), t.TempDir(), Options{Embedder: NewLocalEmbedder(), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, a := range corpus {
		mustAdd(t, s, SharedScope, a)
	}
	want := s.index.count(SharedScope)
	// Lose part of the index, as a failed update would.
	if err := s.index.remove(t.Context(), SharedScope, []int64{1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	s.repairScope(t.Context(), SharedScope, errEmbed)
	if got := s.index.count(SharedScope); got != want {
		t.Errorf("after repair the index holds %d vectors, want %d", got, want)
	}
	if !strings.Contains(logs.String(), "rebuilding") {
		t.Errorf("repair not logged: %q", logs.String())
	}
}
