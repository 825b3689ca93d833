package retrieval

import (
	"cmp"
	"maps"
	"slices"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/text"
)

// selectPassages sets each candidate's Coverage of queryTerms (distinct),
// adds the coverage bonus to its fused score, then walks the candidates
// best first and keeps up to k of them, dropping near-duplicates of
// passages already kept and passages beyond r.MaxPerArticle per article.
func selectPassages(cands []*candidate, query []string, weights map[string]float64, k int, r Ranking) []Passage {
	queryTerms := text.Distinct(query)
	pairs := bigrams(query)
	inQuery := func(p [2]string) bool { _, ok := pairs[p]; return ok }
	type titleInfo struct {
		terms map[string]struct{}
		pairs map[[2]string]struct{}
	}
	titles := make(map[string]titleInfo)
	for _, c := range cands {
		ti, ok := titles[c.Title]
		if !ok {
			ts := text.Terms(c.Title)
			ti = titleInfo{terms: make(map[string]struct{}, len(ts)), pairs: bigrams(ts)}
			for _, t := range ts {
				ti.terms[t] = struct{}{}
			}
			titles[c.Title] = ti
		}
		tt := ti.terms
		// One pass of Terms over the text: per sentence, then their union
		// with the title's terms (sentence spans hold every word).
		c.terms = maps.Clone(tt)
		best := 0.0
		// The title is part of every passage of its article (as for
		// Coverage): a pair it holds counts for all of them alike.
		found := make(map[[2]string]struct{})
		for p := range ti.pairs {
			if inQuery(p) {
				found[p] = struct{}{}
			}
		}
		for _, sp := range ingest.Sentences(c.Text) {
			ts := text.Terms(c.Text[sp[0]:sp[1]])
			set := make(map[string]struct{}, len(ts))
			for i, t := range ts {
				set[t] = struct{}{}
				if i == 0 {
					continue
				}
				if p := [2]string{ts[i-1], t}; inQuery(p) {
					found[p] = struct{}{}
				}
			}
			best = max(best, coverage(queryTerms, weights, set))
			maps.Copy(c.terms, set)
		}
		c.Coverage = coverage(queryTerms, weights, c.terms)
		if r.CoverageWeight > 0 {
			c.Score += r.CoverageWeight * c.Coverage * r.coverageScale()
		}
		if r.SentenceWeight > 0 {
			c.Score += r.SentenceWeight * best * r.coverageScale()
		}
		if r.BigramWeight > 0 && len(pairs) > 0 {
			c.Score += r.BigramWeight * float64(len(found)) / float64(len(pairs)) * r.coverageScale()
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

// bigrams returns the pairs of consecutive terms of a question (stop
// words are already out of terms, so "mayor of Millbrook" pairs "mayor"
// with "millbrook").
func bigrams(terms []string) map[[2]string]struct{} {
	out := make(map[[2]string]struct{})
	for i := 1; i < len(terms); i++ {
		if terms[i-1] != terms[i] {
			out[[2]string{terms[i-1], terms[i]}] = struct{}{}
		}
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

// coverage is the weighted share of queryTerms found in have: each term
// counts with its weight (its inverse document frequency, so a rare term
// the passage lacks matters more than a common one; 1 when weights has
// none). A term that only shares a stem with a passage term (one a prefix
// of the other, the shorter at least 4 letters: "evacu" and "evacue")
// counts for prefixCredit (half) of its weight: "month" is weak evidence
// for "monthly".
func coverage(queryTerms []string, weights map[string]float64, have map[string]struct{}) float64 {
	total, got := 0.0, 0.0
	for _, t := range queryTerms {
		w, ok := weights[t]
		if !ok {
			w = 1
		}
		total += w
		if _, ok := have[t]; ok {
			got += w
		} else if text.SharesStem(t, have) {
			got += prefixCredit * w
		}
	}
	if total == 0 {
		return 0
	}
	return got / total
}

// prefixCredit is the share of a term's weight earned by a passage term
// that shares its stem without being equal.
const prefixCredit = 0.5
