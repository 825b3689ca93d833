package retrieval

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"unicode"
)

// zeroVector reports whether blob, a stored vector, holds only zeros.
func zeroVector(blob []byte) bool {
	for i := 0; i+4 <= len(blob); i += 4 {
		if binary.LittleEndian.Uint32(blob[i:])&0x7fffffff != 0 {
			return false
		}
	}
	return true
}

// hasWords reports whether text has a letter or digit: the text of a
// chunk whose vector may not be zero.
func hasWords(text string) bool {
	return strings.IndexFunc(text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

// damagedArticle is an article left out of the indexes.
type damagedArticle struct {
	scope, id, title, url, damage string
}

// excludeDamaged leaves out of both indexes of x every
// article with a damaged passage — text holding NUL bytes (withNUL, not
// indexed), or a zero vector for a text with words (among zeros, which
// also holds the passages without words, whose vector is rightly zero) —
// and logs each at warn level, naming it so the operator can ingest it
// again. SQLite's quick_check passes a page zeroed under the store, which
// reads as such passages; serving them would quote NUL bytes.
// It reports whether it left any out.
func (s *Store) excludeDamaged(ctx context.Context, x *scopeIndex, withNUL, zeros []int64) (bool, error) {
	var (
		found []*damagedArticle
		seen  = map[[2]string]bool{}
	)
	mark := func(chunk int64, nul bool) error {
		var a damagedArticle
		var text string
		err := s.db.QueryRowContext(ctx, `SELECT c.scope, c.article_id, c.text, COALESCE(a.title, c.title), COALESCE(a.url, '')
			FROM chunks c LEFT JOIN articles a ON a.scope = c.scope AND a.id = c.article_id WHERE c.id = ?`, chunk).
			Scan(&a.scope, &a.id, &text, &a.title, &a.url)
		if err != nil {
			return s.fileError(fmt.Errorf("read damaged chunk %d: %w", chunk, err))
		}
		switch {
		case nul || strings.IndexByte(text, 0) >= 0:
			a.damage = "passage text of NUL bytes"
		case hasWords(text):
			a.damage = "passage with a zero vector"
		default:
			return nil // no words, no vector: as it should be
		}
		if key := [2]string{a.scope, a.id}; !seen[key] {
			seen[key] = true
			found = append(found, &a)
		}
		return nil
	}
	for _, id := range withNUL {
		if err := mark(id, true); err != nil {
			return false, err
		}
	}
	for _, id := range zeros {
		if err := mark(id, false); err != nil {
			return false, err
		}
	}
	for _, a := range found {
		n, err := s.unindexArticle(ctx, x, a.id)
		if err != nil {
			return false, err
		}
		s.log.Warn("article left out of search: a stored passage is damaged; ingest the article again, or forget it",
			"file", s.path, "scope", a.scope, "id", a.id, "title", a.title, "url", a.url, "damage", a.damage, "passages", n)
	}
	return len(found) > 0, nil
}

// unindexArticle removes every chunk of article id from both indexes of
// x and returns how many it has.
func (s *Store) unindexArticle(ctx context.Context, x *scopeIndex, id string) (int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, title, text FROM chunks WHERE scope = ? AND article_id = ?`, x.name, id)
	if err != nil {
		return 0, s.fileError(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var (
			chunk       int64
			title, text string
		)
		if err := rows.Scan(&chunk, &title, &text); err != nil {
			return 0, s.fileError(err)
		}
		x.lex.removeChunk(chunk, title, text)
		ids = append(ids, chunk)
	}
	if err := rows.Err(); err != nil {
		return 0, s.fileError(err)
	}
	if err := x.vec.remove(ctx, ids); err != nil {
		return 0, fmt.Errorf("leave article %s out of the vector index: %w", id, err)
	}
	return len(ids), nil
}
