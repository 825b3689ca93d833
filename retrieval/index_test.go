package retrieval

import (
	"bytes"
	"cmp"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestVectorIndexQueryClampsAndMerges(t *testing.T) {
	t.Parallel()
	e := NewLocalEmbedder()
	idx := newVecSet(e)
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
		if h.Score > 1.0001 {
			t.Errorf("index aliases the caller's vector: similarity %v", h.Score)
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
	x := scopeOf(t, s, SharedScope)
	want := x.vec.count()
	// Lose part of the index, as a failed update would.
	if err := x.vec.remove(t.Context(), []int64{1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.repairScope(t.Context(), x, errEmbed)
	s.mu.Unlock()
	if got := x.vec.count(); got != want {
		t.Errorf("after repair the index holds %d vectors, want %d", got, want)
	}
	if !strings.Contains(logs.String(), "rebuilding") {
		t.Errorf("repair not logged: %q", logs.String())
	}
}

// TestVectorIndexScanMatchesNaive fills a large scope and a small one,
// removes and replaces rows, and checks every query against a plain sort
// of all dot products.
func TestVectorIndexScanMatchesNaive(t *testing.T) {
	t.Parallel()
	const dims = 8
	rng := rand.New(rand.NewPCG(3, 4))
	x := newVecSet(sizedEmbedder{Embedder: NewLocalEmbedder(), dims: dims})
	want := map[int64][]float32{}
	scopeOf := map[int64]string{}
	randVec := func() []float32 {
		v := make([]float32, dims)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		normalize(v)
		return v
	}
	for id := int64(1); id <= 3000; id++ {
		sc := SharedScope
		if id%10 == 0 {
			sc = GuildScope("5")
		}
		v := randVec()
		if err := x.add(t.Context(), sc, []int64{id}, [][]float32{v}); err != nil {
			t.Fatal(err)
		}
		want[id], scopeOf[id] = v, sc
	}
	for id := int64(1); id <= 400; id += 2 {
		if err := x.remove(t.Context(), scopeOf[id], []int64{id}); err != nil {
			t.Fatal(err)
		}
		delete(want, id)
	}
	for id := int64(2); id <= 400; id += 4 { // replaced in place
		v := randVec()
		if err := x.add(t.Context(), scopeOf[id], []int64{id}, [][]float32{v}); err != nil {
			t.Fatal(err)
		}
		want[id] = v
	}
	if got := x.total(); got != len(want) {
		t.Fatalf("total %d, want %d", got, len(want))
	}
	for range 20 {
		q := randVec()
		for _, scopes := range [][]string{{SharedScope}, {GuildScope("5")}, {GuildScope("5"), SharedScope}} {
			var all []hit
			for id, v := range want {
				if slices.Contains(scopes, scopeOf[id]) {
					var s float32
					for i := range v {
						s += v[i] * q[i]
					}
					all = append(all, hit{ID: id, Score: s})
				}
			}
			slices.SortFunc(all, func(a, b hit) int {
				return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.ID, b.ID))
			})
			got, err := x.query(t.Context(), scopes, q, 25)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 25 {
				t.Fatalf("%d hits, want 25", len(got))
			}
			for i := range got {
				if got[i].ID != all[i].ID || math.Abs(float64(got[i].Score-all[i].Score)) > 1e-5 {
					t.Fatalf("scopes %v hit %d = %+v, want %+v", scopes, i, got[i], all[i])
				}
			}
		}
	}
}

// sizedEmbedder reports dims dimensions (for index tests that add their
// own vectors).
type sizedEmbedder struct {
	Embedder
	dims int
}

func (e sizedEmbedder) Dimensions() int { return e.dims }
