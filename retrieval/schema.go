package retrieval

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// schemaVersion is the version of the SQLite layout below. Open refuses a
// store with a newer version and migrates older ones: version 1 had an
// FTS5 index of the chunks (chunks_fts, chunks_vocab and their triggers);
// version 2 drops it, the lexical index being in memory (lexindex.go);
// version 3 adds the followed feeds (feedSchema in feeds.go); version 4
// the answers and feedback votes (feedbackTables in feedback.go); version
// 5 the scope generations (scope_generations), which keep older citebots,
// which would not bump them, from writing to the store.
const schemaVersion = 5

// Meta keys.
const (
	metaSchema   = "schema_version"
	metaEmbedder = "embedder"
	metaDims     = "dimensions"
	// metaGeneration counts committed writes (see Store.commit), so a
	// process can tell when another one changed the store.
	metaGeneration = "generation"
	// metaReindex names the embedder (name and dimensions) whose vectors
	// reindex_vectors holds while a Reindex is under way or interrupted.
	metaReindex = "reindex_embedder"
)

// schema creates the tables. Articles are keyed by (scope, id); chunks
// carry their title, text and embedding (little-endian float32). Both
// indexes, vector and lexical, are in memory and rebuilt from the chunks
// at Open.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS meta (
		key   TEXT PRIMARY KEY,
		value TEXT NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS articles (
		scope        TEXT NOT NULL,
		id           TEXT NOT NULL,
		title        TEXT NOT NULL DEFAULT '',
		source       TEXT NOT NULL DEFAULT '',
		url          TEXT NOT NULL DEFAULT '',
		author       TEXT NOT NULL DEFAULT '',
		language     TEXT NOT NULL DEFAULT '',
		published    TEXT NOT NULL DEFAULT '',
		ingested     TEXT NOT NULL,
		content_hash TEXT NOT NULL,
		PRIMARY KEY (scope, id)
	)`,
	`CREATE TABLE IF NOT EXISTS chunks (
		id         INTEGER PRIMARY KEY,
		scope      TEXT NOT NULL,
		article_id TEXT NOT NULL,
		position   INTEGER NOT NULL,
		start_byte INTEGER NOT NULL,
		end_byte   INTEGER NOT NULL,
		text       TEXT NOT NULL,
		title      TEXT NOT NULL DEFAULT '',
		embedding  BLOB NOT NULL,
		UNIQUE (scope, article_id, position),
		FOREIGN KEY (scope, article_id) REFERENCES articles (scope, id) ON DELETE CASCADE
	)`,
	// reindex_vectors holds the new embeddings of a Reindex until it
	// switches the chunks over (reindex.go); a chunk that goes takes its
	// new vector with it. Empty outside a reindex. Older citebots ignore it.
	`CREATE TABLE IF NOT EXISTS reindex_vectors (
		chunk_id  INTEGER PRIMARY KEY REFERENCES chunks (id) ON DELETE CASCADE,
		embedding BLOB NOT NULL
	)`,
	// scope_generations counts the committed writes to each scope's
	// chunks (bumped in the same transaction), and names the snapshot of
	// the scope's indexes that holds that generation, if one was written
	// (snapshot.go): a snapshot is used only when the store names it. A
	// scope without a row is at generation 0, with no snapshot.
	`CREATE TABLE IF NOT EXISTS scope_generations (
		scope      TEXT PRIMARY KEY,
		generation BIGINT NOT NULL,
		snapshot   TEXT NOT NULL DEFAULT ''
	)`,
}

// dropFTS migrates a version 1 store: its FTS5 index is no longer
// queried (nor kept in step), so it goes, with the triggers that fed it.
var dropFTS = []string{
	`DROP TRIGGER IF EXISTS chunks_fts_insert`,
	`DROP TRIGGER IF EXISTS chunks_fts_delete`,
	`DROP TRIGGER IF EXISTS chunks_fts_update`,
	`DROP TABLE IF EXISTS chunks_vocab`,
	`DROP TABLE IF EXISTS chunks_fts`,
}

// dsn returns the connection string for path. Every connection gets:
//   - WAL, so searches read while an article is written;
//   - synchronous=NORMAL: in WAL mode a commit survives a crash of the
//     process (the WAL is in the OS cache) and the file is never left
//     inconsistent; only a power loss or OS crash may roll back the last
//     commits. Ingest is idempotent (content hashes), so re-running it
//     repairs that, and FULL would cost an fsync per article, which the
//     ingest throughput target (200 articles/s) cannot afford;
//   - busy_timeout, so a second process (the CLI beside the bot) waits
//     instead of failing with SQLITE_BUSY;
//   - foreign keys, so chunks never outlive their article;
//   - BEGIN IMMEDIATE transactions, so writers take the write lock up
//     front and never deadlock upgrading a read lock.
func dsn(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// SQLite's default page cache (2 MiB per connection). It was 32 MiB
	// while FTS5 ranked every search; now a search reads only its
	// candidates' rows, and at 100k chunks the bigger caches of the pool's
	// connections cost 175 MB of resident memory at Open.
	q.Add("_pragma", "cache_size(-2000)")
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// initSchema creates missing tables and checks the schema version.
func initSchema(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range append(append(schema[:len(schema):len(schema)], feedSchema...), feedbackTables...) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	v, err := getMeta(ctx, tx, metaSchema)
	if err != nil {
		return err
	}
	switch {
	case v == "" || v == "1" || v == "2" || v == "3" || v == "4": // the tables of versions 3 to 5 were created above
		if v == "1" {
			for _, stmt := range dropFTS {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("migrate schema 1 to 2: %w", err)
				}
			}
		}
		if err := setMeta(ctx, tx, metaSchema, strconv.Itoa(schemaVersion)); err != nil {
			return err
		}
	case v != strconv.Itoa(schemaVersion):
		return fmt.Errorf("schema version %s, this citebot understands %d: use a newer citebot", v, schemaVersion)
	}
	return tx.Commit()
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// getMeta returns the value of key, or "" when it is not set.
func getMeta(ctx context.Context, q querier, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// generation returns the store's write generation (0 before the first
// write).
func generation(ctx context.Context, q querier) (int64, error) {
	v, err := getMeta(ctx, q, metaGeneration)
	if err != nil || v == "" {
		return 0, err
	}
	g, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("meta %s = %q: %w", metaGeneration, v, err)
	}
	return g, nil
}

// scopeGeneration returns the write generation of scope and the token of
// the snapshot that holds it ("" when none does).
func scopeGeneration(ctx context.Context, q querier, scope string) (gen int64, snapshot string, err error) {
	err = q.QueryRowContext(ctx, `SELECT generation, snapshot FROM scope_generations WHERE scope = ?`, scope).Scan(&gen, &snapshot)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	return gen, snapshot, err
}

// bumpScopeGeneration moves the generation of scope on by one in tx,
// forgetting its snapshot, and returns the new generation.
func bumpScopeGeneration(ctx context.Context, tx *sql.Tx, scope string) (int64, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO scope_generations (scope, generation, snapshot) VALUES (?, 1, '')
		ON CONFLICT (scope) DO UPDATE SET generation = scope_generations.generation + 1, snapshot = ''`, scope); err != nil {
		return 0, err
	}
	gen, _, err := scopeGeneration(ctx, tx, scope)
	return gen, err
}

// recordSnapshot names token as the snapshot of scope at gen, unless the
// scope has moved on since.
func recordSnapshot(ctx context.Context, q querier, scope string, gen int64, token string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO scope_generations (scope, generation, snapshot) VALUES (?, ?, ?)
		ON CONFLICT (scope) DO UPDATE SET snapshot = excluded.snapshot
		WHERE scope_generations.generation = excluded.generation`, scope, gen, token)
	return err
}

func setMeta(ctx context.Context, q querier, key, value string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// formatTime stores times as RFC 3339 UTC; the zero time as "".
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// formatPublished is formatTime for an article's publication time, which
// keeps the article's own offset: "22:30 on 17 June" in Los Angeles is a
// story of 17 June, which UTC would call the 18th.
func formatPublished(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

func parseTime(s string) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}
