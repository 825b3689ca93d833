package retrieval

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/citebot/citebot/internal/text"
)

// SearchOptions select what Search looks at and how much it returns.
type SearchOptions struct {
	// Scopes to search; use SearchScopes(scope) to get a guild's own scope
	// plus shared. Empty means shared only.
	Scopes []string
	// K is the number of passages to return. Zero (or less) means 5.
	K int
}

// defaultK is the number of passages when SearchOptions.K is zero.
const defaultK = 5

// Search returns up to opt.K passages from opt.Scopes that best answer
// query, best first: the BM25 ranking of the lexical index and the
// vector ranking are fused by reciprocal rank (term weights and document
// frequencies are those of opt.Scopes together, so a search's result
// depends on those scopes only); a scope not yet loaded is loaded first
// (see Preload), and near-duplicates of
// better passages (overlapping chunks, repeated text) are dropped. Each
// passage carries its article's metadata, its fused Score and its
// Coverage of the query's terms. An empty query is an error wrapping
// ErrEmptyQuery; a store opened with another embedder gives
// ErrEmbedderMismatch. No other scope is ever searched.
func (s *Store) Search(ctx context.Context, query string, opt SearchOptions) ([]Passage, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, fmt.Errorf("search: %w", ErrEmptyQuery)
	}
	scopes, err := checkScopes(opt.Scopes)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", query, err)
	}
	k := opt.K
	if k <= 0 {
		k = defaultK
	}
	fail := func(err error) ([]Passage, error) { return nil, fmt.Errorf("search %q: %w", query, err) }

	s.mu.RLock()
	err = s.usable()
	s.mu.RUnlock()
	if err != nil {
		return fail(err)
	}
	var qvec []float32
	if s.rank.VectorWeight > 0 {
		vecs, err := s.embedAll(ctx, []string{query})
		if err != nil {
			return fail(err)
		}
		qvec = vecs[0]
	}

	xs, err := s.rlockScopes(ctx, scopes)
	if err != nil {
		return fail(err)
	}
	defer s.mu.RUnlock()
	lexes := lexOf(xs)
	n := s.rank.candidates(k)
	// The two rankings are independent: the lexical one runs beside the
	// vector query, whose wait it otherwise adds to.
	lex := rankedList{Weight: s.rank.LexicalWeight}
	var lexDone sync.WaitGroup
	if s.rank.LexicalWeight > 0 {
		lexDone.Go(func() {
			l := lexSearch(lexes, queryTerms(query), s.rank.bm25(), n)
			lex.IDs, lex.Scores = l.IDs, l.Scores
		})
	}
	vec := rankedList{Weight: s.rank.VectorWeight}
	var vecErr error
	if qvec != nil && !isZero(qvec) {
		var hits []hit
		vecs, names := vecOf(xs)
		hits, vecErr = vectorQuery(ctx, vecs, names, qvec, n)
		for _, h := range hits {
			vec.IDs = append(vec.IDs, h.ID)
		}
	}
	lexDone.Wait()
	if vecErr != nil {
		return fail(vecErr)
	}
	ranked := fuse(s.rank.RRFK, lex, vec)
	cands, err := s.passages(ctx, ranked)
	if err != nil {
		return fail(s.fileError(err))
	}
	terms := text.Terms(query)
	return selectPassages(cands, terms, termWeights(lexes, text.Distinct(terms)), k, s.rank, timeIntentOf(query, s.now())), nil
}

// candidate is a fetched passage with what de-duplication needs.
type candidate struct {
	Passage
	start, end int
	terms      map[string]struct{} // of title and text, filled by scoreCandidates
	text       map[string]struct{} // of text alone, filled lazily
}

// passages fetches the chunks of ranked, keeping its order and scores.
// Chunks that vanished meanwhile are skipped.
func (s *Store) passages(ctx context.Context, ranked []fused) ([]*candidate, error) {
	if len(ranked) == 0 {
		return nil, nil
	}
	ids := make([]any, len(ranked))
	for i, r := range ranked {
		ids[i] = r.ID
	}
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.scope, c.article_id, c.position,
			c.start_byte, c.end_byte, c.text, c.title, a.source, a.url, a.published
		FROM chunks c JOIN articles a ON a.scope = c.scope AND a.id = c.article_id
		WHERE c.id IN (`+placeholders(len(ids))+`)`, ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := make(map[int64]*candidate, len(ranked))
	for rows.Next() {
		var (
			id        int64
			c         candidate
			published string
		)
		if err := rows.Scan(&id, &c.Scope, &c.ArticleID, &c.Position, &c.start, &c.end,
			&c.Text, &c.Title, &c.Source, &c.URL, &published); err != nil {
			return nil, err
		}
		// A date that does not parse is left unknown: it only steers
		// recency, and Articles reports the damage.
		c.Published, _ = parseTime(published)
		c.ChunkID = c.ArticleID + "#" + strconv.Itoa(c.Position)
		byID[id] = &c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]*candidate, 0, len(byID))
	for _, r := range ranked {
		if c := byID[r.ID]; c != nil {
			c.Score = r.Score
			out = append(out, c)
		}
	}
	return out, nil
}

// Passage is one search result.
type Passage struct {
	ChunkID   string
	ArticleID string
	Title     string
	Source    string
	URL       string
	Scope     string
	Position  int
	Text      string
	// Published is the article's publication date; zero when unknown.
	Published time.Time
	// Score is the fused ranking score; higher is better. Only its order
	// is meaningful.
	Score float64
	// Coverage is the share (0..1) of the query's informative terms that
	// occur in the passage or its article title; it does not depend on
	// corpus size, so it serves as a relevance threshold.
	Coverage float64
}
