package retrieval

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/ingest"
)

// listed is what a listing says of an article: scope, ID and chunks.
func listed(infos []ArticleInfo) []string {
	out := make([]string, len(infos))
	for i, in := range infos {
		out[i] = in.Scope + "/" + in.Title + "/" + strconv.Itoa(in.Chunks)
	}
	return out
}

// TestReadOnlyListing: a store opened ReadOnly lists what a search sees
// (an article left without passages is not listed), newest first, repairs
// nothing, writes nothing, and builds no index.
func TestReadOnlyListing(t *testing.T) {
	forBackends(t, func(t *testing.T, b backend) {
		place := b.place(t)
		s := b.openStore(t, place)
		day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, time.UTC) }
		ferry := article("Ferry timetable changes", "Harbour Post", "The ferry leaves at seven from April.", "Weekend sailings double.")
		ferry.Published = day(3)
		market := article("Night market opens", "Harbour Post", "The night market opens on Fridays at the quay.")
		market.Published = day(9)
		library := article("Library extends hours", "Town Crier", "The library stays open until nine.", "Sunday hours start in May.", "A reading room opens upstairs.")
		library.Published = day(5)
		emptied := article("Bridge inspection", "Town Crier", "Engineers inspected the old bridge.")
		emptied.Published = day(12)
		mustAdd(t, s, SharedScope, ferry)
		mustAdd(t, s, SharedScope, market)
		mustAdd(t, s, GuildScope("42"), library)
		mustAdd(t, s, SharedScope, emptied)
		// A store written by a tool without foreign keys, say: the
		// article stays, its passages are gone. A search cannot find it.
		if _, err := s.db.ExecContext(t.Context(), `DELETE FROM chunks WHERE article_id = ?`, emptied.ID); err != nil {
			t.Fatal(err)
		}
		s.Close()

		ro := b.openStoreWith(t, place, Options{Embedder: otherEmbedder{NewLocalEmbedder()}, ReadOnly: true}) // any embedder lists
		for _, tt := range []struct {
			name string
			list func() ([]ArticleInfo, error)
			want []string
		}{
			{"shared", func() ([]ArticleInfo, error) { return ro.Articles(t.Context(), nil) },
				[]string{"shared/Night market opens/1", "shared/Ferry timetable changes/2"}},
			{"guild", func() ([]ArticleInfo, error) { return ro.Articles(t.Context(), SearchScopes(GuildScope("42"))) },
				[]string{"shared/Night market opens/1", "guild:42/Library extends hours/3", "shared/Ferry timetable changes/2"}},
			{"all scopes", func() ([]ArticleInfo, error) { return ro.AllArticles(t.Context()) },
				[]string{"shared/Night market opens/1", "guild:42/Library extends hours/3", "shared/Ferry timetable changes/2"}},
		} {
			got, err := tt.list()
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if !slices.Equal(listed(got), tt.want) {
				t.Errorf("%s lists %q, want %q", tt.name, listed(got), tt.want)
			}
		}

		// Nothing repaired, nothing written: the article without passages
		// is still in the store, and forgetting fails.
		var n int
		if err := ro.db.QueryRowContext(t.Context(), `SELECT count(*) FROM articles WHERE id = ?`, emptied.ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("the article without passages: %d rows (%v), want 1: a read-only open repaired the store", n, err)
		}
		if err := ro.Forget(t.Context(), SharedScope, ferry.ID); err == nil {
			t.Error("Forget succeeded on a store opened ReadOnly")
		}
		if _, err := ro.Search(t.Context(), "ferry", SearchOptions{}); !errors.Is(err, ErrNoIndexes) {
			t.Errorf("search: %v, want ErrNoIndexes", err)
		}
		if got, err := ro.Articles(t.Context(), nil); err != nil || len(got) != 2 {
			t.Errorf("after the refused forget: %q (%v), want the 2 shared articles", listed(got), err)
		}
		ro.Close()

		// A full open repairs as before, on SQLite; PostgreSQL's open
		// checks nothing of the kind (see reconcile), and the listing
		// keeps hiding the article.
		full := b.openStore(t, place)
		want := map[string]int{"sqlite": 0, "postgres": 1}[b.name]
		if err := full.db.QueryRowContext(t.Context(), `SELECT count(*) FROM articles WHERE id = ?`, emptied.ID).Scan(&n); err != nil || n != want {
			t.Errorf("after a full open the article without passages has %d rows (%v), want %d", n, err, want)
		}
		if got, err := full.Articles(t.Context(), nil); err != nil || len(got) != 2 {
			t.Errorf("after a full open: %q (%v), want the 2 shared articles with passages", listed(got), err)
		}
	})
}

// TestReadOnlyOpenDoesNotWaitForWriters: a listing reads beside a process
// that holds the write lock (a long ingest), where an Open that checks
// and repairs the store waits for it.
func TestReadOnlyOpenDoesNotWaitForWriters(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fillStore(t, dir)
	db := rawDB(t, dir)
	tx, err := db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(t.Context(), `UPDATE meta SET value = value WHERE key = 'schema_version'`); err != nil {
		t.Fatal(err) // the write lock is held from here to the rollback
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second) // the busy timeout is 10 s
	defer cancel()
	s, err := Open(ctx, dir, Options{Embedder: NewLocalEmbedder(), ReadOnly: true})
	if err != nil {
		t.Fatalf("Open ReadOnly beside a writer: %v", err)
	}
	defer s.Close()
	got, err := s.Articles(ctx, nil)
	if err != nil || len(got) != len(corpus) {
		t.Fatalf("listing beside a writer: %d articles (%v), want %d", len(got), err, len(corpus))
	}
}

// TestReadOnlyMigratesAnOlderStore: ReadOnly still migrates a store of an
// older schema version, as any Open does, then lists it.
func TestReadOnlyMigratesAnOlderStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fillStore(t, dir)
	db := rawDB(t, dir)
	exec(t, db, `UPDATE meta SET value = '4' WHERE key = 'schema_version'`)
	exec(t, db, `DROP TABLE scope_generations`) // version 5's table
	db.Close()
	s := openStoreWith(t, dir, Options{Embedder: NewLocalEmbedder(), ReadOnly: true})
	if got, err := s.Articles(t.Context(), nil); err != nil || len(got) != len(corpus) {
		t.Fatalf("listing of a migrated store: %d articles (%v), want %d", len(got), err, len(corpus))
	}
	if v, err := getMeta(t.Context(), s.db, metaSchema); err != nil || v != "5" {
		t.Errorf("schema version %q (%v) after a read-only open, want 5", v, err)
	}
	if _, err := s.db.ExecContext(t.Context(), `SELECT count(*) FROM scope_generations`); err != nil {
		t.Errorf("version 5's table is missing after the migration: %v", err)
	}
}

// TestReadOnlyRefusesDamagedStores: without the whole-file check, a store
// whose pages a listing reads are damaged, or a file that is not a store,
// still fails with an error naming the file (wrapping ErrDamaged), never
// an empty or partial list.
func TestReadOnlyRefusesDamagedStores(t *testing.T) {
	t.Parallel()
	garbage := bytes.Repeat([]byte("garbage!"), 4096/8)
	overwrite := func(name string) func(t *testing.T, dir, path string) {
		return func(t *testing.T, dir, path string) {
			db := rawDB(t, dir)
			var root int64
			if err := db.QueryRow(`SELECT rootpage FROM sqlite_schema WHERE name = ?`, name).Scan(&root); err != nil {
				t.Fatal(err)
			}
			db.Close()
			writeAt(t, path, (root-1)*4096, garbage)
		}
	}
	tests := []struct {
		name   string
		damage func(t *testing.T, dir, path string)
	}{
		{"empty file", func(t *testing.T, dir, path string) { truncate(t, path, 0) }},
		{"truncated inside the header", func(t *testing.T, dir, path string) { truncate(t, path, 60) }},
		{"truncated to one page", func(t *testing.T, dir, path string) { truncate(t, path, 4096) }},
		{"not a database", func(t *testing.T, dir, path string) {
			if err := os.WriteFile(path, bytes.Repeat([]byte("a text file, not a store\n"), 400), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"garbage in the articles table", overwrite("articles")},
		{"garbage in the chunks' index", overwrite("sqlite_autoindex_chunks_1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, DBFile)
			fillStore(t, dir)
			tt.damage(t, dir, path)
			for _, list := range []struct {
				name string
				list func(s *Store) ([]ArticleInfo, error)
			}{
				{"shared", func(s *Store) ([]ArticleInfo, error) { return s.Articles(t.Context(), nil) }},
				{"all scopes", func(s *Store) ([]ArticleInfo, error) { return s.AllArticles(t.Context()) }},
			} {
				s, err := Open(t.Context(), dir, Options{Embedder: NewLocalEmbedder(), ReadOnly: true})
				if err == nil {
					var got []ArticleInfo
					got, err = list.list(s)
					s.Close()
					if err == nil {
						t.Fatalf("%s: a damaged store lists %q", list.name, listed(got))
					}
				}
				if !strings.Contains(err.Error(), path) || !errors.Is(err, ErrDamaged) {
					t.Errorf("%s: error %q does not name %s, or does not wrap ErrDamaged", list.name, err, path)
				}
			}
		})
	}
}

// TestListingIsOneSnapshot: an article rewritten again and again while
// the store is listed is listed in one version, title and passage count
// together, never the title of one and the count of the other (the
// articles and their counts are two reads).
func TestListingIsOneSnapshot(t *testing.T) {
	forBackends(t, func(t *testing.T, b backend) {
		place := b.place(t)
		s := b.openStore(t, place)
		one := article("Tram line extended (one passage)", "City Desk", "The tram line now reaches the stadium.")
		three := article("Tram line extended (three passages)", "City Desk", "The tram line now reaches the stadium.",
			"Trams run every six minutes.", "Tickets cost the same.")
		one.ID, three.ID = "ttram", "ttram"
		mustAdd(t, s, SharedScope, one)
		mustAdd(t, s, SharedScope, corpus[0])
		want := map[string]int{one.Title: 1, three.Title: 3, corpus[0].Title: 3}

		ctx, stop := context.WithCancel(t.Context())
		writes := make(chan error, 1)
		go func() {
			var err error
			for i := 0; ctx.Err() == nil && err == nil; i++ {
				_, err = s.Add(ctx, SharedScope, []ingest.Article{three, one}[i%2], chunks([]ingest.Article{three, one}[i%2]))
			}
			if ctx.Err() != nil {
				err = nil
			}
			writes <- err
		}()
		for range 300 {
			got, err := s.Articles(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("listed %q, want the tram article and %q", listed(got), corpus[0].Title)
			}
			for _, a := range got {
				if want[a.Title] != a.Chunks {
					t.Fatalf("listed %q with %d passages, want %d", a.Title, a.Chunks, want[a.Title])
				}
			}
		}
		stop()
		if err := <-writes; err != nil {
			t.Fatal(err)
		}
	})
}
