package retrieval

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// checkStats loads every scope's indexes (those loaded already stay as
// they are) and fails the test unless the store's articles, chunks,
// lexical index and vector index agree with want (articles, chunks).
func checkStats(t *testing.T, s *Store, wantArticles, wantChunks int) Stats {
	t.Helper()
	if err := s.Preload(t.Context()); err != nil {
		t.Fatalf("Preload: %v", err)
	}
	st, err := s.Stats(t.Context())
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if st.Articles != wantArticles || st.Chunks != wantChunks || st.LexicalRows != wantChunks || st.VectorDocs != wantChunks {
		t.Errorf("Stats = %+v, want %d articles and %d chunks in each index", st, wantArticles, wantChunks)
	}
	return st
}

func TestStatsFollowAddReplaceForget(t *testing.T) {
	t.Parallel()
	s := openStore(t, t.TempDir())
	checkStats(t, s, 0, 0)
	for _, a := range corpus {
		mustAdd(t, s, SharedScope, a)
	}
	mustAdd(t, s, GuildScope("9"), corpus[0])
	checkStats(t, s, 7, 21)
	replaced := corpus[1]
	replaced.Paragraphs = []string{"Only one paragraph now."}
	mustAdd(t, s, SharedScope, replaced)
	checkStats(t, s, 7, 19)
	if err := s.Forget(t.Context(), GuildScope("9"), corpus[0].ID); err != nil {
		t.Fatal(err)
	}
	checkStats(t, s, 6, 16)
	s.Close()
	if _, err := s.Stats(t.Context()); err == nil {
		t.Error("Stats after Close succeeded")
	}
}

// TestDamagedStoreIsRefusedClearly extends TestDamagedStoreFile (garbage,
// half-truncated, overwritten pages) with the other ways a data directory
// goes wrong. Each ends in an error naming the file and saying what to do
// — never a panic, never an empty store in place of the lost one, also on
// a second attempt — or, where SQLite can recover by itself, in the full
// store.
func TestDamagedStoreIsRefusedClearly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// damage breaks the filled store at path (dir is its directory).
		damage func(t *testing.T, dir, path string)
		// want are substrings of the error; none means Open must succeed
		// with the whole corpus.
		want    []string
		damaged bool // the error wraps ErrDamaged
		root    bool // the case cannot be tested as root
	}{
		{name: "empty file", damage: func(t *testing.T, dir, path string) { truncate(t, path, 0) },
			want: []string{"empty", "restore it from a backup"}, damaged: true},
		{name: "truncated inside the header", damage: func(t *testing.T, dir, path string) { truncate(t, path, 60) },
			want: []string{"restore it from a backup"}, damaged: true},
		{name: "truncated to one page", damage: func(t *testing.T, dir, path string) { truncate(t, path, 4096) },
			want: []string{"restore it from a backup"}, damaged: true},
		{name: "zeroed page in the middle", damage: func(t *testing.T, dir, path string) {
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			page := (info.Size() / 4096) / 2
			writeAt(t, path, page*4096, make([]byte, 4096))
		}, want: []string{"restore it from a backup"}, damaged: true},
		{name: "garbage write-ahead log", damage: func(t *testing.T, dir, path string) {
			// SQLite checks the log's header and frame checksums and
			// ignores a log that fails them: the store opens whole.
			garbage := bytes.Repeat([]byte("not a write-ahead log "), 2000)
			if err := os.WriteFile(path+"-wal", garbage, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path+"-shm", garbage[:32768], 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "directory in place of the file", damage: func(t *testing.T, dir, path string) {
			moveAway(t, path)
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}, want: []string{"is a directory", "move it away"}},
		{name: "symlink to nowhere", damage: func(t *testing.T, dir, path string) {
			moveAway(t, path)
			if err := os.Symlink(filepath.Join(dir, "gone", "citebot.db"), path); err != nil {
				t.Fatal(err)
			}
		}, want: []string{"symbolic link", "does not exist", "remove the link"}},
		{name: "file not readable", root: true, damage: func(t *testing.T, dir, path string) {
			if err := os.Chmod(path, 0o200); err != nil {
				t.Fatal(err)
			}
		}, want: []string{"permission denied", "check its owner and permissions"}},
		{name: "data directory not writable", root: true, damage: func(t *testing.T, dir, path string) {
			if err := os.Chmod(dir, 0o500); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(dir, 0o700) })
		}, want: []string{"cannot create files in", "permission"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.root && os.Geteuid() == 0 {
				t.Skip("permissions do not bind root")
			}
			dir := t.TempDir()
			path := filepath.Join(dir, DBFile)
			fillStore(t, dir)
			tt.damage(t, dir, path)
			for attempt := 1; attempt <= 2; attempt++ {
				s, err := Open(t.Context(), dir, Options{Embedder: NewLocalEmbedder()})
				if len(tt.want) == 0 {
					if err != nil {
						t.Fatalf("attempt %d: Open: %v", attempt, err)
					}
					checkStats(t, s, len(corpus), 3*len(corpus))
					if ps := mustSearch(t, s, "Why were homes evacuated in Millbrook?"); len(ps) == 0 || ps[0].Title != corpus[0].Title {
						t.Errorf("search after recovery: %q", titles(ps))
					}
					s.Close()
					continue
				}
				if err == nil {
					st, _ := s.Stats(t.Context())
					s.Close()
					t.Fatalf("attempt %d: Open of a damaged store succeeded, holding %+v", attempt, st)
				}
				if attempt == 1 {
					t.Log(err)
				}
				msg := err.Error()
				for _, w := range append([]string{path}, tt.want...) {
					if !strings.Contains(msg, w) {
						t.Errorf("attempt %d: error %q does not contain %q", attempt, msg, w)
					}
				}
				if errors.Is(err, ErrDamaged) != tt.damaged {
					t.Errorf("attempt %d: errors.Is(err, ErrDamaged) = %v, want %v", attempt, !tt.damaged, tt.damaged)
				}
			}
		})
	}
}

func truncate(t *testing.T, path string, size int64) {
	t.Helper()
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

func writeAt(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func moveAway(t *testing.T, path string) {
	t.Helper()
	if err := os.Rename(path, path+".moved"); err != nil {
		t.Fatal(err)
	}
}

func TestNewStoreFileIsCreatedWhole(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Left by a crash while an earlier Open was creating the store.
	stale := filepath.Join(dir, ".citebot-new-123.db")
	if err := os.WriteFile(stale, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	s := openStore(t, dir)
	mustAdd(t, s, SharedScope, corpus[0])
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".citebot-") {
			t.Errorf("Open left %s behind", e.Name())
		}
	}
}

// rawDB opens the store file without citebot's connection settings:
// without foreign keys, as another tool might.
func rawDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DBFile))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(t.Context(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestOpenRepairsWhatDisagrees damages the store behind citebot's back —
// rows a tool without foreign keys could leave — and checks that Open repairs it, logs what it repaired, and that
// the store then agrees with itself and answers as before.
func TestOpenRepairsWhatDisagrees(t *testing.T) {
	t.Parallel()
	flood := corpus[0]
	tests := []struct {
		name   string
		damage func(t *testing.T, db *sql.DB)
		// after the repair
		articles, chunks int
		logs             []string
	}{
		{name: "chunk without its article", damage: func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM articles WHERE id = ?`, flood.ID) // foreign keys are off here
		}, articles: 5, chunks: 15, logs: []string{"removed chunks whose article was missing", "chunks=3"}},
		{name: "article without chunks", damage: func(t *testing.T, db *sql.DB) {
			exec(t, db, `DELETE FROM chunks WHERE article_id = ?`, flood.ID)
		}, articles: 5, chunks: 15, logs: []string{"removed an article that had no passages", flood.ID, "River floods"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			fillStore(t, dir)
			db := rawDB(t, dir)
			tt.damage(t, db)
			db.Close()

			var logs syncLog
			s := openStoreWith(t, dir, Options{Embedder: NewLocalEmbedder(), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			checkStats(t, s, tt.articles, tt.chunks)
			out := logs.String()
			for _, w := range append([]string{"store repaired"}, tt.logs...) {
				if !strings.Contains(out, w) {
					t.Errorf("log does not mention %q:\n%s", w, out)
				}
			}
			// The lexical index answers from the chunks as they are.
			wantFlood := tt.articles == 6
			found := false
			for _, p := range mustSearch(t, s, "Millbrook river evacuation homes") {
				if p.ArticleID == flood.ID {
					found = true
				}
				if p.Title == "ghost" || p.ArticleID == "" {
					t.Errorf("search found a passage that is not stored: %+v", p)
				}
			}
			if found != wantFlood {
				t.Errorf("flood article found by search = %v, want %v", found, wantFlood)
			}
			s.Close()

			// Repaired for good: the next Open finds nothing to repair.
			var again syncLog
			s = openStoreWith(t, dir, Options{Embedder: NewLocalEmbedder(), Logger: slog.New(slog.NewTextHandler(&again, nil))})
			if strings.Contains(again.String(), "repair") {
				t.Errorf("second Open repaired again:\n%s", again.String())
			}
			checkStats(t, s, tt.articles, tt.chunks)
		})
	}
}

// syncLog is a log sink safe for concurrent writes.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestBackupWhileWriting backs the store up while another goroutine keeps
// adding articles, and checks the copy opens as a store that agrees with
// itself, holding whole articles only.
func TestBackupWhileWriting(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openStore(t, dir)
	for _, a := range corpus {
		mustAdd(t, s, SharedScope, a)
	}
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			a := article(fmt.Sprintf("Bulletin %d", i), "", "First line of the bulletin.", "Second line of the bulletin.")
			if _, err := s.Add(t.Context(), SharedScope, a, chunks(a)); err != nil {
				done <- err
				return
			}
		}
	}()
	backupDir := filepath.Join(t.TempDir(), "backup")
	if err := os.Mkdir(backupDir, 0o700); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(backupDir, DBFile)
	err := s.Backup(t.Context(), dest)
	close(stop)
	if werr := <-done; werr != nil {
		t.Fatal(werr)
	}
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if err := s.Backup(t.Context(), dest); !errors.Is(err, os.ErrExist) {
		t.Errorf("Backup over an existing file: %v, want ErrExist", err)
	}

	b := openStore(t, backupDir)
	if err := b.Preload(t.Context()); err != nil {
		t.Fatal(err)
	}
	st, err := b.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// Six corpus articles of three chunks, then bulletins of two.
	if st.Articles < len(corpus) || st.Chunks != 3*len(corpus)+2*(st.Articles-len(corpus)) || st.LexicalRows != st.Chunks || st.VectorDocs != st.Chunks {
		t.Errorf("backup holds %+v: not whole articles, or the indexes disagree", st)
	}
	if ps := mustSearch(t, b, "Why were homes evacuated in Millbrook?"); len(ps) == 0 || ps[0].Title != corpus[0].Title {
		t.Errorf("search in the backup: %q", titles(ps))
	}
}

// Two processes (here: Opens) creating the same new store at once both get
// it: the first to finish links its file into place, the other opens it.
func TestConcurrentOpensCreateOneStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := Open(t.Context(), dir, Options{Embedder: NewLocalEmbedder()})
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Open: %v", err)
		}
	}
	s := openStore(t, dir)
	mustAdd(t, s, SharedScope, corpus[0])
}
