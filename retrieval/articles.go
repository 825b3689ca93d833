package retrieval

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/citebot/citebot/internal/text"
)

// Articles lists the articles stored in scopes (shared only when scopes is
// empty), newest first — by publication date, or by ingest date for an
// article that has none — each with its chunk count. An article without
// chunks (which Open removes, and a search cannot find) is left out.
// Invalid scopes are an error.
func (s *Store) Articles(ctx context.Context, scopes []string) ([]ArticleInfo, error) {
	scopes, err := checkScopes(scopes)
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	return s.listArticles(ctx, scopes)
}

// articleKey names an article: its scope and ID.
type articleKey struct{ scope, id string }

// listArticles lists the articles of scopes, or of every scope when scopes
// is nil, as Articles does. It reads the articles table and the chunks'
// (scope, article_id, position) index once each, at once (on two
// connections), in the order they are stored, and joins them here:
// counting each article's chunks in SQL seeks that index once per
// article, which at 20,000 articles takes longer than reading all of it.
// Two reads may see two states of the store: when the write generation
// moved meanwhile, both are read again in one snapshot.
func (s *Store) listArticles(ctx context.Context, scopes []string) ([]ArticleInfo, error) {
	where, args := "", anys(scopes)
	if scopes != nil {
		where = ` WHERE scope IN (` + placeholders(len(scopes)) + `)`
	}
	fail := func(err error) ([]ArticleInfo, error) { return nil, fmt.Errorf("list articles: %w", err) }
	before, err := generation(ctx, s.db)
	if err != nil {
		return fail(s.fileError(err))
	}
	out, err := s.readListing(ctx, s.db, true, where, args)
	if err != nil {
		return fail(err)
	}
	if after, err := generation(ctx, s.db); err != nil {
		return fail(s.fileError(err))
	} else if after != before {
		// An article written meanwhile could be listed with its passages
		// counted in its other version.
		if out, err = s.readListingInOneSnapshot(ctx, where, args); err != nil {
			return fail(err)
		}
	}
	slices.SortFunc(out, newestFirst)
	return out, nil
}

// readListingInOneSnapshot is readListing in one read-only transaction.
func (s *Store) readListingInOneSnapshot(ctx context.Context, where string, args []any) ([]ArticleInfo, error) {
	opt := &sql.TxOptions{ReadOnly: true} // SQLite: a deferred BEGIN, whose first read fixes the snapshot
	if s.pg != nil {
		opt.Isolation = sql.LevelRepeatableRead // one snapshot for the transaction
	}
	tx, err := s.db.BeginTx(ctx, opt)
	if err != nil {
		return nil, s.fileError(err)
	}
	defer tx.Rollback()
	return s.readListing(ctx, tx, false, where, args)
}

// readListing reads the articles filtered by where (with args) that have
// chunks, with their chunk counts, through q: both reads at once, on two
// of its connections, when atOnce.
func (s *Store) readListing(ctx context.Context, q querier, atOnce bool, where string, args []any) ([]ArticleInfo, error) {
	type counted struct {
		n   map[articleKey]int
		err error
	}
	ch := make(chan counted, 1)
	count := func() {
		n, err := s.chunkCounts(ctx, q, where, args)
		ch <- counted{n, err}
	}
	if atOnce {
		go count()
	} else {
		count()
	}
	// scope || '': read the table through, not row by row through its
	// (scope, id) index, which takes twice as long when the scopes hold
	// most articles; and a search's scopes include the shared one.
	blocks, err := s.scanArticles(ctx, q, strings.Replace(where, "scope", "scope || ''", 1), args)
	counts := <-ch
	if err == nil {
		err = counts.err
	}
	if err != nil {
		return nil, err
	}
	n := 0
	for _, b := range blocks {
		n += len(b)
	}
	kept := make([]ArticleInfo, 0, n)
	for _, b := range blocks {
		for _, ai := range b {
			if ai.Chunks = counts.n[articleKey{ai.Scope, ai.ID}]; ai.Chunks > 0 {
				kept = append(kept, ai)
			}
		}
	}
	return kept, nil
}

// scanArticles reads the articles filtered by where (with args), without
// their chunk counts, in blocks of up to listBlock: growing one slice to
// 20,000 articles (2.7 MB) allocated 10 MB on the way, and copied it.
func (s *Store) scanArticles(ctx context.Context, q querier, where string, args []any) ([][]ArticleInfo, error) {
	rows, err := q.QueryContext(ctx, `SELECT scope, id, title, source, url, published, ingested FROM articles`+where, args...)
	if err != nil {
		return nil, s.fileError(err)
	}
	defer rows.Close()
	var (
		blocks              [][]ArticleInfo
		ai                  ArticleInfo // one for every row: Scan's pointers make it escape
		published, ingested string
	)
	for rows.Next() {
		if err := rows.Scan(&ai.Scope, &ai.ID, &ai.Title, &ai.Source, &ai.URL, &published, &ingested); err != nil {
			return nil, s.fileError(err)
		}
		if ai.Published, err = parseTime(published); err != nil {
			return nil, fmt.Errorf("%s: %w", ai.ID, s.damaged(err))
		}
		if ai.Ingested, err = parseTime(ingested); err != nil {
			return nil, fmt.Errorf("%s: %w", ai.ID, s.damaged(err))
		}
		if n := len(blocks); n == 0 || len(blocks[n-1]) == cap(blocks[n-1]) {
			blocks = append(blocks, make([]ArticleInfo, 0, listBlock))
		}
		blocks[len(blocks)-1] = append(blocks[len(blocks)-1], ai)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fileError(err)
	}
	return blocks, nil
}

// listBlock is how many articles scanArticles reads into one block.
const listBlock = 1024

// chunkCounts counts the chunks of each article of the chunks table
// filtered by where (with args).
func (s *Store) chunkCounts(ctx context.Context, q querier, where string, args []any) (map[articleKey]int, error) {
	rows, err := q.QueryContext(ctx, `SELECT scope, article_id, count(*) FROM chunks`+where+` GROUP BY scope, article_id`, args...)
	if err != nil {
		return nil, s.fileError(err)
	}
	defer rows.Close()
	counts := make(map[articleKey]int)
	var (
		k articleKey // one for every row: Scan's pointers make it escape
		n int
	)
	for rows.Next() {
		if err := rows.Scan(&k.scope, &k.id, &n); err != nil {
			return nil, s.fileError(err)
		}
		counts[k] = n
	}
	if err := rows.Err(); err != nil {
		return nil, s.fileError(err)
	}
	return counts, nil
}

// newestFirst orders articles by Newest, latest first; then by ingest
// date, latest first; then by scope and ID.
func newestFirst(a, b ArticleInfo) int {
	if c := b.Newest().Compare(a.Newest()); c != 0 {
		return c
	}
	if c := b.Ingested.Compare(a.Ingested); c != 0 {
		return c
	}
	if c := strings.Compare(a.Scope, b.Scope); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// Newest is when the article is from: its publication date, else when it
// was ingested.
func (a ArticleInfo) Newest() time.Time {
	if !a.Published.IsZero() {
		return a.Published
	}
	return a.Ingested
}

// checkScopes validates scopes, drops repeats, and defaults to shared.
func checkScopes(scopes []string) ([]string, error) {
	if len(scopes) == 0 {
		return []string{SharedScope}, nil
	}
	out := make([]string, 0, len(scopes))
	for _, sc := range scopes {
		if !ValidScope(sc) {
			return nil, fmt.Errorf("invalid scope %q", sc)
		}
		out = append(out, sc)
	}
	return text.Distinct(out), nil
}

// placeholders returns "?, ?, ..." with n marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// ArticleInfo describes one stored article.
type ArticleInfo struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	Source    string    `json:"source"`
	URL       string    `json:"url"`
	Published time.Time `json:"published"`
	Ingested  time.Time `json:"ingested"`
	Chunks    int       `json:"chunks"`
	Scope     string    `json:"scope"`
}
