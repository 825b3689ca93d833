package retrieval

import (
	"cmp"
	"slices"
)

// selectPassages sets each candidate's Coverage of queryTerms (distinct),
// adds the coverage bonus to its fused score, then walks the candidates
// best first and keeps up to k of them, dropping near-duplicates of
// passages already kept and passages beyond r.MaxPerArticle per article.
func selectPassages(cands []*candidate, queryTerms []string, k int, r Ranking) []Passage {
	for _, c := range cands {
		c.Coverage = coverage(queryTerms, c.termSet())
		if r.CoverageWeight > 0 {
			c.Score += r.CoverageWeight * c.Coverage / (r.RRFK + 1)
		}
	}
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

func (c *candidate) termSet() map[string]struct{} {
	if c.terms == nil {
		c.terms = termSet(c.Title + "\n" + c.Text)
	}
	return c.terms
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
		c.text = termSet(c.Text)
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

// coverage is the share of queryTerms present in have; 0 when the query
// has no informative terms.
func coverage(queryTerms []string, have map[string]struct{}) float64 {
	if len(queryTerms) == 0 {
		return 0
	}
	n := 0
	for _, t := range queryTerms {
		if _, ok := have[t]; ok {
			n++
		}
	}
	return float64(n) / float64(len(queryTerms))
}
