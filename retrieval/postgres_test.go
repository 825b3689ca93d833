package retrieval

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	osexec "os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/pgtest"
	"github.com/citebot/citebot/internal/testlog"
)

// waitFor waits until found(s) holds, waking at each Refresh the store's
// listener runs, for at most limit; it returns how long it took.
func waitFor(t *testing.T, s *Store, limit time.Duration, what string, found func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	deadline := time.After(limit)
	for {
		ch := s.pg.listener.refreshed()
		if found() {
			return time.Since(start)
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("%s: not seen within %v", what, limit)
		}
	}
}

// finds reports whether a search of s for a's first paragraph finds a.
func finds(t *testing.T, s *Store, scope string, a ingest.Article) bool {
	for _, p := range mustSearch(t, s, a.Paragraphs[0], SearchScopes(scope)...) {
		if p.ArticleID == a.ID {
			return true
		}
	}
	return false
}

// Two stores on one database stand for two processes (two shards, or the
// CLI beside the bot): what one adds or forgets, the other's searches see
// without any Refresh call, through NOTIFY.
func TestPostgresNotifyReachesOtherStores(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t)
	a := postgresBackend.openStore(t, url)
	b := postgresBackend.openStore(t, url)
	guild := GuildScope("42")
	// b holds the scope's indexes before the write (a scope loaded later
	// reads the committed rows, proving nothing of the notification).
	if err := b.Preload(t.Context(), guild); err != nil {
		t.Fatal(err)
	}
	mustAdd(t, a, guild, corpus[0])
	took := waitFor(t, b, 10*time.Second, "an article added by the other store", func() bool { return finds(t, b, guild, corpus[0]) })
	t.Logf("added article searchable in the other store after %v", took)
	if took > time.Second {
		t.Errorf("the other store saw the article after %v, want within a second", took)
	}
	if err := a.Forget(t.Context(), guild, corpus[0].ID); err != nil {
		t.Fatal(err)
	}
	took = waitFor(t, b, 10*time.Second, "an article forgotten by the other store", func() bool {
		st, err := b.Stats(t.Context())
		return err == nil && st.VectorDocs == 0 && st.LexicalRows == 0
	})
	t.Logf("forgotten article gone from the other store after %v", took)
	checkStats(t, b, 0, 0)
	if finds(t, b, guild, corpus[0]) {
		t.Error("the forgotten article is still found")
	}
}

// A listener whose connection is cut (a restart of the server, a network
// fault) misses the notifications meanwhile; once it is back it refreshes
// for them.
func TestPostgresListenerCatchesUpAfterReconnect(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t)
	a := postgresBackend.openStore(t, url)
	b := postgresBackend.openStore(t, url)
	if err := b.Preload(t.Context(), SharedScope); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.WithoutCancel(t.Context()))
	// Hold the store's write lock, so the article commits only after the
	// listeners are cut off.
	tx, err := conn.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), `SELECT pg_advisory_xact_lock($1)`, writeLockKey); err != nil {
		t.Fatal(err)
	}
	added := make(chan error, 1)
	go func() {
		_, err := a.Add(context.WithoutCancel(t.Context()), SharedScope, corpus[1], chunks(corpus[1]))
		added <- err
	}()
	var cut int
	err = conn.QueryRow(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN%'`).Scan(&cut)
	if err != nil || cut != 2 {
		t.Fatalf("cut %d listeners (%v), want both stores'", cut, err)
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := <-added; err != nil {
		t.Fatal(err)
	}
	waitFor(t, b, 20*time.Second, "an article added while the listener was cut off", func() bool { return finds(t, b, SharedScope, corpus[1]) })
}

// Processes starting at once on a new database migrate it once between
// them (under the advisory lock) and all open.
func TestPostgresConcurrentOpensMigrateOnce(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t)
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			s, err := postgresBackend.open(t.Context(), url, Options{Embedder: NewLocalEmbedder()})
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d of %d at once: %v", i+1, n, err)
		}
	}
	s := postgresBackend.openStore(t, url)
	var versions, applied int
	if err := s.db.QueryRowContext(t.Context(), `SELECT count(*), max(version) FROM schema_migrations`).Scan(&applied, &versions); err != nil {
		t.Fatal(err)
	}
	if applied != len(pgMigrations) || versions != len(pgMigrations) {
		t.Errorf("schema_migrations holds %d rows up to version %d, want each of %d once", applied, versions, len(pgMigrations))
	}
}

// An unreachable server, a URL that does not parse, a database whose
// tables were dropped or that a newer citebot migrated: each is an error
// naming the database (never its password), never an empty store.
func TestPostgresOpenErrors(t *testing.T) {
	t.Parallel()
	const secret = "s3cret-pw"
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		_, err := Open(t.Context(), "", Options{Embedder: NewLocalEmbedder(),
			DatabaseURL: "postgres://bot:" + secret + "@127.0.0.1:1/citebot?connect_timeout=5"})
		if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1/citebot") || strings.Contains(err.Error(), secret) {
			t.Errorf("Open of an unreachable database: %v; want an error naming 127.0.0.1:1/citebot without the password", err)
		}
	})
	t.Run("unparsable", func(t *testing.T) {
		t.Parallel()
		_, err := Open(t.Context(), "", Options{Embedder: NewLocalEmbedder(), DatabaseURL: "postgres://bot:" + secret + "@host:notaport/db"})
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("Open of an unparsable URL: %v; want an error without the password", err)
		}
	})
	for _, tt := range []struct {
		name, sql string
		want      error
	}{
		{"table dropped", `DROP TABLE chunks CASCADE`, ErrDamaged},
		{"newer schema", `INSERT INTO schema_migrations (version) VALUES (999)`, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url := pgtest.DB(t)
			s := postgresBackend.openStore(t, url)
			mustAdd(t, s, SharedScope, corpus[0])
			if _, err := s.db.ExecContext(t.Context(), tt.sql); err != nil {
				t.Fatal(err)
			}
			s.Close()
			_, err := postgresBackend.open(t.Context(), url, Options{Embedder: NewLocalEmbedder()})
			if err == nil || !strings.Contains(err.Error(), RedactURL(url)) || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Open: %v; want an error naming %s (wrapping %v)", err, RedactURL(url), tt.want)
			}
		})
	}
	t.Run("backup", func(t *testing.T) {
		t.Parallel()
		s := postgresBackend.openStore(t, pgtest.DB(t))
		if err := s.Backup(t.Context(), t.TempDir()+"/copy.db"); !errors.Is(err, ErrBackupPostgres) {
			t.Errorf("Backup of a PostgreSQL store: %v, want ErrBackupPostgres", err)
		}
	})
}

// helperEnv makes the test binary an ingesting process (see TestMain):
// it adds articles to the database named by the variable until killed,
// printing the ID of each committed one.
const helperEnv = "CITEBOT_TEST_PG_INGEST"

// killArticle is article i of the kill test: i%7+2 paragraphs of 40,
// so a torn write shows as a wrong chunk count.
func killArticle(i int) (ingest.Article, int) {
	n := i%7 + 2
	paras := make([]string, 0, 40*n)
	for p := range 40 * n {
		paras = append(paras, fmt.Sprintf("Kill test article %d paragraph %d about harbour %d.", i, p, i*p))
	}
	return article(fmt.Sprintf("Kill test %d", i), "Test", paras...), 40 * n
}

// runIngestHelper is the helper process's work.
func runIngestHelper(url string) {
	s, err := Open(context.Background(), "", Options{Embedder: NewLocalEmbedder(), DatabaseURL: url})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	for i := 0; ; i++ {
		a, _ := killArticle(i)
		if _, err := s.Add(context.Background(), SharedScope, a, chunks(a)); err != nil {
			fmt.Println("add:", err)
			os.Exit(2)
		}
		fmt.Println("added", a.ID)
	}
}

// kill -9 of a process in the middle of ingesting leaves every article
// whole or absent: each stored article has all its passages, and reopening
// needs no repair.
func TestPostgresKill9LeavesArticlesWhole(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t)
	postgresBackend.openStore(t, url).Close() // migrated before the helpers start
	for round := range 3 {
		cmd := osexec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"="+url)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		for range 3 + 2*round { // kill a little later each round
			if !lines.Scan() || !strings.HasPrefix(lines.Text(), "added") {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("helper: %q %v", lines.Text(), lines.Err())
			}
		}
		cmd.Process.Kill() // SIGKILL, mid-article: it writes without pause
		cmd.Wait()
	}
	var log syncLog
	s := postgresBackend.openStoreWith(t, url, Options{Embedder: NewLocalEmbedder(), Logger: slog.New(slog.NewTextHandler(&log, nil))})
	arts, err := s.Articles(t.Context(), nil)
	if err != nil || len(arts) < 3 {
		t.Fatalf("after the kills: %d articles (%v), want at least the 3 reported", len(arts), err)
	}
	want := map[string]int{}
	for i := range 1000 {
		a, n := killArticle(i)
		want[a.ID] = n
	}
	for _, a := range arts {
		if a.Chunks != want[a.ID] {
			t.Errorf("article %s has %d passages, want %d: a torn write", a.Title, a.Chunks, want[a.ID])
		}
	}
	if strings.Contains(log.String(), "repair") {
		t.Errorf("reopening after kill -9 repaired the store:\n%s", log.String())
	}
	st := checkStats(t, s, len(arts), func() (n int) {
		for _, a := range arts {
			n += a.Chunks
		}
		return n
	}())
	t.Logf("after 3 kills: %d whole articles, %d passages", st.Articles, st.Chunks)
}

// Open does not look for chunks without their article on PostgreSQL (a
// scan of every chunk, seconds at a million passages): the server's
// foreign key makes them impossible, which this checks.
func TestPostgresForeignKeyKeepsChunksWithArticles(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t)
	s := postgresBackend.openStore(t, url)
	mustAdd(t, s, SharedScope, corpus[0])
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.WithoutCancel(t.Context()))
	_, err = conn.Exec(t.Context(), `INSERT INTO chunks (scope, article_id, position, start_byte, end_byte, text, embedding)
		VALUES ('shared', 'no-such-article', 0, 0, 1, 'x', '\x00')`)
	if err == nil {
		t.Error("a chunk without its article was stored")
	}
	if _, err := conn.Exec(t.Context(), `DELETE FROM articles WHERE id = $1`, corpus[0].ID); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM chunks WHERE article_id = $1`, corpus[0].ID).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d chunks (%v) outlived their article, want 0", left, err)
	}
}

// On PostgreSQL the change listener may be the first to find that another
// process re-embedded the store (citebot reindex): it reports that through
// OnEmbedderSwitch, once, as a periodic Refresh would, rather than as a
// failed refresh in the store's log.
func TestPostgresListenerReportsEmbedderSwitch(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t)
	var logs testlog.Buffer
	switched := make(chan error, 4)
	serve := postgresBackend.openStoreWith(t, url, Options{Embedder: NewLocalEmbedder(),
		Logger: slog.New(slog.NewTextHandler(&logs, nil)), OnEmbedderSwitch: func(err error) { switched <- err }})
	mustAdd(t, serve, SharedScope, corpus[0])
	if err := serve.Preload(t.Context(), SharedScope); err != nil {
		t.Fatal(err)
	}
	cli := postgresBackend.openStoreWith(t, url, Options{Embedder: reversedEmbedder{NewLocalEmbedder()}, AllowMismatch: true, NoChangeListener: true})
	if err := cli.ReindexWith(t.Context(), ReindexOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-switched:
		if !errors.Is(err, ErrEmbedderSwitched) {
			t.Errorf("OnEmbedderSwitch got %v, want an error wrapping ErrEmbedderSwitched", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the listener never reported the reindex's switch")
	}
	if changed, err := serve.Refresh(t.Context()); changed || err != nil {
		t.Errorf("Refresh after the listener reported the switch = %v, %v; want false, nil", changed, err)
	}
	if len(switched) != 0 {
		t.Errorf("the switch was reported %d more times", len(switched))
	}
	if strings.Contains(logs.String(), "refresh the search indexes after a change notification") {
		t.Errorf("the store also logged the switch as a failed refresh:\n%s", logs.String())
	}
}
