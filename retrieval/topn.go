package retrieval

import (
	"cmp"
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

// topHits keeps the best hits offered, the worst on top: a binary heap
// kept by hand, since container/heap's interface boxes each hit and moves
// the slice to the heap at every call (a third of a search's allocations).
type topHits []hit

// offer keeps h if it is among the n best seen.
func (t topHits) offer(h hit, n int) topHits {
	switch {
	case len(t) < n:
		t = append(t, h)
		t.up(len(t) - 1)
	case n > 0 && worse(t[0], h):
		t[0] = h
		t.down(0)
	}
	return t
}

// up moves the hit at i towards the top while it is worse than its parent.
func (t topHits) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !worse(t[i], t[p]) {
			return
		}
		t[i], t[p] = t[p], t[i]
		i = p
	}
}

// down moves the hit at i away from the top while a child is worse.
func (t topHits) down(i int) {
	for {
		w := i
		if l := 2*i + 1; l < len(t) && worse(t[l], t[w]) {
			w = l
		}
		if r := 2*i + 2; r < len(t) && worse(t[r], t[w]) {
			w = r
		}
		if w == i {
			return
		}
		t[i], t[w] = t[w], t[i]
		i = w
	}
}

// sorted returns the hits best first.
func (t topHits) sorted() []hit {
	slices.SortFunc(t, func(a, b hit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.ID, b.ID))
	})
	return t
}
