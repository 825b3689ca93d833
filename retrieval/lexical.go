package retrieval

import (
	"context"
	"database/sql"
	"strings"
)

// maxQueryWords caps the words of a lexical query, so a 10,000-character
// question stays a cheap query.
const maxQueryWords = 64

// matchQuery builds an FTS5 MATCH expression from free text: its distinct
// words (stop words dropped, unless nothing else is left), each quoted as
// an FTS5 string, joined with OR. Quoting makes every word a plain token,
// so user input can never be FTS5 syntax (NEAR, AND, column filters, *).
// Stemming is left to the index's porter tokenizer, which also stems the
// query strings. It returns "" when text has no words.
func matchQuery(text string) string {
	all := distinct(words(text))
	var ws []string
	for _, w := range all {
		if !isStopWord(w) {
			ws = append(ws, w)
		}
	}
	if len(ws) == 0 {
		ws = all
	}
	if len(ws) > maxQueryWords {
		ws = ws[:maxQueryWords]
	}
	quoted := make([]string, len(ws))
	for i, w := range ws {
		quoted[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return strings.Join(quoted, " OR ")
}

// lexical returns the n chunks in scopes that best match the MATCH
// expression, by BM25 over text and title (title weighted by
// titleWeight), best first, with their BM25 scores (higher is better).
//
// It ranks the FTS index alone (joining every match with its chunk row to
// test the scope costs a B-tree lookup per matching row: most of the time
// of a query with common words at 100k chunks), over-fetching, then keeps
// the chunks of scopes; only when too few of those remain does it rank
// again with the scope join.
func (s *Store) lexical(ctx context.Context, scopes []string, match string, titleWeight float64, n int) (rankedList, error) {
	if match == "" {
		return rankedList{}, nil
	}
	over := 4 * n
	l, err := scoredRows(s.db.QueryContext(ctx, `SELECT rowid, -bm25(chunks_fts, ?, 1.0) AS score FROM chunks_fts
		WHERE chunks_fts MATCH ? ORDER BY score DESC, rowid LIMIT ?`, titleWeight, match, over))
	if err != nil {
		return l, err
	}
	if len(l.IDs) == 0 {
		return l, nil
	}
	in, err := scanIDs(s.db.QueryContext(ctx, `SELECT id FROM chunks WHERE id IN (`+placeholders(len(l.IDs))+
		`) AND scope IN (`+placeholders(len(scopes))+`)`, append(anys(l.IDs), anys(scopes)...)...))
	if err != nil {
		return l, err
	}
	keep := make(map[int64]bool, len(in))
	for _, id := range in {
		keep[id] = true
	}
	var out rankedList
	for i, id := range l.IDs {
		if keep[id] && len(out.IDs) < n {
			out.IDs, out.Scores = append(out.IDs, id), append(out.Scores, l.Scores[i])
		}
	}
	if len(out.IDs) == n || len(l.IDs) < over {
		return out, nil // enough, or every match was seen
	}
	q := `SELECT c.id, -bm25(chunks_fts, ?, 1.0) AS score FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
		WHERE chunks_fts MATCH ? AND c.scope IN (` + placeholders(len(scopes)) + `)
		ORDER BY score DESC, c.id LIMIT ?`
	args := append([]any{titleWeight, match}, anys(scopes)...)
	return scoredRows(s.db.QueryContext(ctx, q, append(args, n)...))
}

// scoredRows reads rows of (id, score) into a rankedList, and closes them.
func scoredRows(rows *sql.Rows, err error) (rankedList, error) {
	var l rankedList
	if err != nil {
		return l, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id    int64
			score float64
		)
		if err := rows.Scan(&id, &score); err != nil {
			return l, err
		}
		l.IDs, l.Scores = append(l.IDs, id), append(l.Scores, score)
	}
	return l, rows.Err()
}
