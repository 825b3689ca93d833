package chromem

// Tests of citebot's patch (see CITEBOT.md): queries without filters read
// the documents in the memory order of their embeddings, from a list kept
// until documents change; each query goroutine keeps its own top n; the dot
// product keeps four sums.

import (
	"cmp"
	"context"
	"errors"
	"math"
	"math/rand"
	"slices"
	"strconv"
	"sync"
	"testing"
	"unsafe"
)

func randomUnit(r *rand.Rand, dims int) []float32 {
	v := make([]float32, dims)
	var norm float64
	for i := range v {
		v[i] = float32(r.NormFloat64())
		norm += float64(v[i]) * float64(v[i])
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(norm))
	}
	return v
}

// bruteTop is the top n of vecs by a plain float64 dot product with q, most
// similar first.
func bruteTop(vecs map[string][]float32, q []float32, n int) []string {
	type scored struct {
		id  string
		sim float64
	}
	var all []scored
	for id, v := range vecs {
		var s float64
		for i := range v {
			s += float64(v[i]) * float64(q[i])
		}
		all = append(all, scored{id, s})
	}
	slices.SortFunc(all, func(a, b scored) int {
		if a.sim > b.sim {
			return -1
		}
		if a.sim < b.sim {
			return 1
		}
		return 0
	})
	var ids []string
	for _, s := range all[:min(n, len(all))] {
		ids = append(ids, s.id)
	}
	return ids
}

func resultIDs(res []Result) []string {
	var ids []string
	for _, r := range res {
		ids = append(ids, r.ID)
	}
	return ids
}

func TestCitebotPatchQueryMatchesBruteForce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := rand.New(rand.NewSource(7))
	const dims = 67 // not a multiple of four: the dot product's tail counts
	c, err := NewDB().CreateCollection("patch", nil, func(context.Context, string) ([]float32, error) {
		return nil, errors.New("no embedding in this test")
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]float32{}
	add := func(id string) {
		v := randomUnit(r, dims)
		if err := c.AddDocument(ctx, Document{ID: id, Embedding: v}); err != nil {
			t.Fatal(err)
		}
		want[id] = v
	}
	for i := 0; i < 700; i++ {
		add(strconv.Itoa(i))
	}
	check := func(stage string) {
		t.Helper()
		for k := 0; k < 20; k++ {
			q := randomUnit(r, dims)
			res, err := c.QueryEmbedding(ctx, q, 10, nil, nil)
			if err != nil {
				t.Fatalf("%s: %v", stage, err)
			}
			if got, exp := resultIDs(res), bruteTop(want, q, 10); !slices.Equal(got, exp) {
				t.Fatalf("%s: top 10 %v, want %v", stage, got, exp)
			}
			for _, x := range res {
				v := want[x.ID]
				var s float64
				for i := range v {
					s += float64(v[i]) * float64(q[i])
				}
				if math.Abs(s-float64(x.Similarity)) > 1e-5 {
					t.Fatalf("%s: similarity of %s is %v, want %v", stage, x.ID, x.Similarity, s)
				}
			}
		}
	}
	check("after adding")
	c.documentsLock.RLock()
	ordered := c.docsInMemoryOrder()
	c.documentsLock.RUnlock()
	if len(ordered) != 700 || !slices.IsSortedFunc(ordered, func(a, b *Document) int {
		return cmp.Compare(uintptr(unsafe.Pointer(unsafe.SliceData(a.Embedding))), uintptr(unsafe.Pointer(unsafe.SliceData(b.Embedding))))
	}) {
		t.Fatalf("%d documents in memory order, want all 700 sorted by the address of their embeddings", len(ordered))
	}

	// Deleting, replacing and adding must each reach the next query: the
	// ordered list is kept between queries.
	var gone []string
	for i := 0; i < 700; i += 3 {
		gone = append(gone, strconv.Itoa(i))
		delete(want, strconv.Itoa(i))
	}
	if err := c.Delete(ctx, nil, nil, gone...); err != nil {
		t.Fatal(err)
	}
	check("after deleting")
	for i := 1; i < 100; i += 3 {
		add(strconv.Itoa(i)) // a new vector under an existing ID
	}
	check("after replacing")
	for i := 700; i < 760; i++ {
		add(strconv.Itoa(i))
	}
	check("after adding more")

	// A filtered query takes the upstream path and must agree too.
	res, err := c.QueryEmbedding(ctx, randomUnit(r, dims), 5, map[string]string{"missing": "x"}, nil)
	if err != nil || len(res) != 0 {
		t.Fatalf("a filter no document matches gave %d results, %v", len(res), err)
	}
}

func TestCitebotPatchQueriesBesideWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, err := NewDB().CreateCollection("race", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(3))
	const dims = 16
	for i := 0; i < 200; i++ {
		if err := c.AddDocument(ctx, Document{ID: strconv.Itoa(i), Embedding: randomUnit(r, dims)}); err != nil {
			t.Fatal(err)
		}
	}
	queries := make([][]float32, 50)
	for i := range queries {
		queries[i] = randomUnit(r, dims)
	}
	extra := make([][]float32, 100)
	for i := range extra {
		extra[i] = randomUnit(r, dims)
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for _, q := range queries {
				res, err := c.QueryEmbedding(ctx, q, 5, nil, nil)
				if err != nil || len(res) != 5 {
					t.Errorf("query %d: %d results, %v", g, len(res), err)
					return
				}
			}
		}(g)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i, v := range extra {
			id := strconv.Itoa(200 + i)
			if err := c.AddDocument(ctx, Document{ID: id, Embedding: v}); err != nil {
				t.Error(err)
				return
			}
			if err := c.Delete(ctx, nil, nil, strconv.Itoa(i)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	wg.Wait()
	if n := c.Count(); n != 200 {
		t.Fatalf("%d documents, want 200", n)
	}
}

func TestCitebotPatchCancelledQuery(t *testing.T) {
	t.Parallel()
	c, err := NewDB().CreateCollection("cancel", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(5))
	for i := 0; i < 50; i++ {
		if err := c.AddDocument(context.Background(), Document{ID: strconv.Itoa(i), Embedding: randomUnit(r, 8)}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res, err := c.QueryEmbedding(ctx, randomUnit(r, 8), 5, nil, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled query gave %d results and %v, want context.Canceled", len(res), err)
	}
}
