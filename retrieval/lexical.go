package retrieval

import (
	"context"
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
func (s *Store) lexical(ctx context.Context, scopes []string, match string, titleWeight float64, n int) (rankedList, error) {
	var l rankedList
	if match == "" {
		return l, nil
	}
	q := `SELECT c.id, -bm25(chunks_fts, ?, 1.0) AS score FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
		WHERE chunks_fts MATCH ? AND c.scope IN (` + placeholders(len(scopes)) + `)
		ORDER BY score DESC, c.id LIMIT ?`
	args := append([]any{titleWeight, match}, anys(scopes)...)
	args = append(args, n)
	rows, err := s.db.QueryContext(ctx, q, args...)
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
