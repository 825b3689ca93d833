package retrieval

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// topHits keeps exactly the n best of what it is offered, whatever the
// order, ties broken towards the older chunk (lower row ID).
func TestTopHitsKeepsTheBest(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for _, tt := range []struct{ offered, n int }{{0, 5}, {3, 5}, {5, 5}, {100, 1}, {1000, 50}, {1000, 0}, {200, 200}} {
		hits := make([]hit, tt.offered)
		for i := range hits {
			// Few distinct scores: many ties.
			hits[i] = hit{ID: int64(r.IntN(10 * max(1, tt.offered))), Score: float32(r.IntN(7))}
		}
		top := make(topHits, 0, tt.n+1)
		for _, h := range hits {
			top = top.offer(h, tt.n)
		}
		want := slices.Clone(hits)
		slices.SortFunc(want, func(a, b hit) int { return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.ID, b.ID)) })
		want = want[:min(tt.n, len(want))]
		if got := top.sorted(); !slices.Equal(got, want) {
			t.Errorf("%d offered, top %d: got %v, want %v", tt.offered, tt.n, got, want)
		}
	}
}

// Offering allocates nothing once the heap has its room (it runs for every
// chunk matching a query's terms).
func TestTopHitsOfferAllocatesNothing(t *testing.T) {
	top := make(topHits, 0, 51)
	i := 0
	if a := testing.AllocsPerRun(1000, func() {
		i++
		top = top.offer(hit{ID: int64(i), Score: float32(i % 97)}, 50)
	}); a != 0 {
		t.Errorf("offer allocates %v times per call, want 0", a)
	}
}
