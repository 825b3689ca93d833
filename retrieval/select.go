package retrieval

import (
	"cmp"
	"slices"

	"github.com/citebot/citebot/internal/text"
)

// selectPassages scores the candidates (scoreCandidates) and favours those
// of the time the query asks about (timeIntent), then walks them
// best first and keeps up to k of them, dropping near-duplicates of
// passages already kept and passages beyond r.MaxPerArticle per article.
func selectPassages(cands []*candidate, query []string, weights map[string]float64, k int, r Ranking, when timeIntent) []Passage {
	scoreCandidates(cands, query, weights, r)
	when.rerank(cands, r.RecencyWeight*r.coverageScale())
	slices.SortStableFunc(cands, func(a, b *candidate) int { return cmp.Compare(b.Score, a.Score) })
	var kept []*candidate
	perArticle := make(map[[2]string]int)
	for _, c := range cands {
		if len(kept) == k {
			break
		}
		key := [2]string{c.Scope, c.ArticleID}
		if r.MaxPerArticle > 0 && perArticle[key] >= r.MaxPerArticle {
			continue
		}
		if duplicateOfAny(c, kept, r.DuplicateOverlap) {
			continue
		}
		perArticle[key]++
		kept = append(kept, c)
	}
	out := make([]Passage, len(kept))
	for i, c := range kept {
		out[i] = c.Passage
	}
	return out
}

// duplicateOfAny reports whether c repeats a kept passage: the same
// article with byte ranges overlapping by more than share of the shorter
// one, or any passage whose text terms have Jaccard similarity ≥ share.
func duplicateOfAny(c *candidate, kept []*candidate, share float64) bool {
	for _, k := range kept {
		if c.Scope == k.Scope && c.ArticleID == k.ArticleID {
			overlap := min(c.end, k.end) - max(c.start, k.start)
			shorter := min(c.end-c.start, k.end-k.start)
			if shorter > 0 && float64(overlap) > share*float64(shorter) {
				return true
			}
			continue
		}
		if c.Text == k.Text || jaccard(c.textTerms(), k.textTerms()) >= share {
			return true
		}
	}
	return false
}

// textTerms are the terms of the passage text alone (titles of two
// different articles should not make their passages duplicates).
func (c *candidate) textTerms() map[string]struct{} {
	if c.text == nil {
		c.text = text.TermSet(c.Text)
	}
	return c.text
}

func jaccard(a, b map[string]struct{}) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter := 0
	for t := range a {
		if _, ok := b[t]; ok {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}
