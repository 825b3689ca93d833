package retrieval

import (
	"bytes"
	"database/sql"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// TestDamagedPassagesAreLeftOut crafts, directly in SQLite, what a page
// zeroed under the store reads as — a passage of NUL bytes, a passage
// with a zero vector — and checks that Open leaves those articles out of
// search, logs each at warn level by scope and ID, and keeps the rest,
// including a passage without words (whose vector is rightly zero).
func TestDamagedPassagesAreLeftOut(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openStore(t, dir)
	for _, a := range corpus {
		mustAdd(t, s, SharedScope, a)
	}
	notice := article("Harbour works notice", "Gazette", "The harbour works begin in May and close the north quay.", "* * *")
	mustAdd(t, s, GuildScope("42"), notice)
	s.Close()

	zeroVec, nulText := corpus[1], corpus[2] // bicycle lanes, drought
	db, err := sql.Open("sqlite", dsn(filepath.Join(dir, DBFile)))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE chunks SET embedding = zeroblob(length(embedding)) WHERE article_id = ? AND position = 0`, []any{zeroVec.ID}},
		{`UPDATE chunks SET text = ? WHERE article_id = ? AND position = 1`, []any{strings.Repeat("\x00", 90), nulText.ID}},
	} {
		if res, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		} else if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("%s changed %d rows, want 1", q.sql, n)
		}
	}
	db.Close()

	var logs bytes.Buffer
	s = openStoreWith(t, dir, Options{Embedder: NewLocalEmbedder(), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err := s.Preload(t.Context(), SharedScope); err != nil { // the damage shows when the scope is loaded
		t.Fatal(err)
	}
	for _, a := range []struct{ id, damage string }{{zeroVec.ID, "zero vector"}, {nulText.ID, "NUL bytes"}} {
		var line string
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, "id="+a.id) {
				line = l
			}
		}
		if !strings.Contains(line, "level=WARN") || !strings.Contains(line, "scope=shared") || !strings.Contains(line, a.damage) || !strings.Contains(line, "ingest the article again") {
			t.Errorf("no warning naming article %s (%s):\n%s", a.id, a.damage, logs.String())
		}
	}
	if strings.Count(logs.String(), "left out of search") != 2 {
		t.Errorf("want exactly the two damaged articles left out:\n%s", logs.String())
	}
	for _, q := range []string{"bicycle lanes on Main Street", "wheat harvest drought", "Economists warn that bread prices could rise by winter"} {
		for _, p := range mustSearch(t, s, q, SharedScope) {
			if p.ArticleID == zeroVec.ID || p.ArticleID == nulText.ID {
				t.Errorf("Search(%q) served passage %q of a damaged article", q, p.Text)
			}
		}
	}
	for _, c := range []struct{ q, scope, want string }{
		{"Millbrook river flood evacuation", SharedScope, corpus[0].Title},
		{"north quay harbour works", GuildScope("42"), notice.Title},
	} {
		q, want := c.q, c.want
		ps := mustSearch(t, s, q, c.scope)
		if len(ps) == 0 || ps[0].Title != want {
			t.Errorf("Search(%q) = %q, want %q first", q, titles(ps), want)
		}
	}
}
