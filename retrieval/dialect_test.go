package retrieval

import "testing"

func TestRebind(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE x = ? AND y = ?`, `SELECT a FROM t WHERE x = $1 AND y = $2`},
		{`DELETE FROM t WHERE id = ?1 AND k NOT IN (SELECT k FROM u WHERE id = ?1) LIMIT ?2`,
			`DELETE FROM t WHERE id = $1 AND k NOT IN (SELECT k FROM u WHERE id = $1) LIMIT $2`},
		{`SELECT '?', "a?b", ? -- what?` + "\n" + `, ?`, `SELECT '?', "a?b", $1 -- what?` + "\n" + `, $2`},
		{`SELECT 'it''s ?', ?`, `SELECT 'it''s ?', $1`},
		{`SELECT 'unterminated ?`, `SELECT 'unterminated ?`},
	}
	for _, tt := range tests {
		if got := rebind(tt.in); got != tt.want {
			t.Errorf("rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
