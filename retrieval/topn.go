package retrieval

import (
	"cmp"
	"container/heap"
	"slices"
)

// hit is one scored chunk of a ranking (vector similarity or BM25).
type hit struct {
	ID    int64
	Score float32
}

// worse orders hits: lower score, then higher row ID (ties go to the
// older chunk, so results are deterministic).
func worse(a, b hit) bool {
	return a.Score < b.Score || (a.Score == b.Score && a.ID > b.ID)
}

// topHits keeps the best hits offered, the worst on top.
type topHits []hit

// offer keeps h if it is among the n best seen.
func (t topHits) offer(h hit, n int) topHits {
	if len(t) < n {
		heap.Push(&t, h)
	} else if n > 0 && worse(t[0], h) {
		t[0] = h
		heap.Fix(&t, 0)
	}
	return t
}

// sorted returns the hits best first.
func (t topHits) sorted() []hit {
	slices.SortFunc(t, func(a, b hit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.ID, b.ID))
	})
	return t
}

func (t topHits) Len() int           { return len(t) }
func (t topHits) Less(i, j int) bool { return worse(t[i], t[j]) }
func (t topHits) Swap(i, j int)      { t[i], t[j] = t[j], t[i] }
func (t *topHits) Push(x any)        { *t = append(*t, x.(hit)) }
func (t *topHits) Pop() any {
	old := *t
	x := old[len(old)-1]
	*t = old[:len(old)-1]
	return x
}
