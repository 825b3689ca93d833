package retrieval

import (
	"maps"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/text"
)

// scoreCandidates sets each candidate's Coverage of the query's terms
// (query as Terms returns it; weights as lexIndex.termWeights gives them)
// and adds to its fused Score the bonuses r asks for: coverage by the
// passage and its title (a synonym counting for part of a word:
// text.Coverage), the best coverage by one sentence, and the share
// of the query's pairs of consecutive terms found in the title or one
// sentence (see Ranking).
func scoreCandidates(cands []*candidate, query []string, weights map[string]float64, r Ranking) {
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
			best = max(best, text.Coverage(queryTerms, weights, set))
			maps.Copy(c.terms, set)
		}
		c.Coverage = text.Coverage(queryTerms, weights, c.terms)
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
