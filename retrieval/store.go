package retrieval

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// DBFile is the name of the SQLite file inside the data directory.
const DBFile = "citebot.db"

var (
	// ErrNotFound: the article does not exist in that scope.
	ErrNotFound = errors.New("not found")
	// ErrEmbedderMismatch: the store's vectors were made by another
	// embedder (name or dimensions); `citebot reindex` re-embeds them.
	ErrEmbedderMismatch = errors.New("store was built with a different embedder")
	// ErrDamaged: the store file is corrupt or not a citebot store.
	ErrDamaged = errors.New("store file is damaged or not a citebot store")
	// ErrEmptyQuery: Search was given a query with no text.
	ErrEmptyQuery = errors.New("empty question")
)

// Options configure Open. Embedder is required; the zero value of every
// other field is a sensible default.
type Options struct {
	// Embedder embeds chunks and queries. A store remembers the Name and
	// Dimensions of the embedder it was built with.
	Embedder Embedder
	// Logger receives index repairs and other operational events; nil
	// discards them.
	Logger *slog.Logger
	// AllowMismatch makes Open succeed on a store built with another
	// embedder instead of failing with ErrEmbedderMismatch. Add and Search
	// then fail with ErrEmbedderMismatch until Reindex succeeds; Articles,
	// Forget and Reindex work. This is for `citebot reindex`.
	AllowMismatch bool
	// Ranking tunes Search; zero fields take their defaults.
	Ranking Ranking
}

// Store keeps articles, chunks and embeddings in one SQLite file (the
// source of truth) and derives two in-memory indexes from it at Open: a
// flat vector index (index.go) and an inverted index for BM25
// (lexindex.go). All methods are safe for concurrent use. A search sees every article whole: as it was before or
// after a concurrent Add, never a mixture. Another process may write to
// the same data directory (the CLI beside the bot): this process's
// in-memory indexes see those writes after Refresh (or a reopen).
type Store struct {
	path string
	db   *sql.DB
	emb  Embedder
	log  *slog.Logger
	rank Ranking

	// writeMu serialises writers, so a Reindex sees a fixed set of chunks.
	writeMu sync.Mutex
	// mu orders searches against commits: searches hold it shared;
	// commits (with their index updates) hold it exclusively.
	mu       sync.RWMutex
	index    *vectorIndex
	lex      *lexIndex // lexical (BM25) index, guarded by mu like index
	mismatch error     // non-nil while the vectors come from another embedder
	closed   bool
	// gen is the write generation the indexes reflect (guarded by mu);
	// a different one in the file means another process wrote.
	gen int64
}

// Open opens (creating if needed) the store in dir, the file dir/citebot.db,
// repairs what does not agree (see reconcile: orphan rows; each repair is
// logged) and rebuilds the vector and lexical indexes from it. It fails with an error naming the
// file and wrapping ErrDamaged when the file is corrupt or not a store,
// and with ErrEmbedderMismatch when the store was built with another
// embedder (unless opt.AllowMismatch). Close the Store when done.
func Open(ctx context.Context, dir string, opt Options) (*Store, error) {
	if opt.Embedder == nil {
		return nil, errors.New("open store: no embedder")
	}
	if dir == "" {
		return nil, errors.New("open store: no data directory")
	}
	if opt.Embedder.Dimensions() == 0 {
		// An embedder that learns its size from the model (an OpenAI-
		// compatible one with no dimensions configured) is asked once.
		if _, err := opt.Embedder.Embed(ctx, []string{"citebot"}); err != nil {
			return nil, fmt.Errorf("open store: learn the dimensions of %s: %w", opt.Embedder.Name(), err)
		}
		if opt.Embedder.Dimensions() == 0 {
			return nil, fmt.Errorf("open store: embedder %s reports no dimensions", opt.Embedder.Name())
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	path := filepath.Join(dir, DBFile)
	if err := checkStoreFile(ctx, path); err != nil {
		return nil, fmt.Errorf("open %w", err)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{path: path, db: db, emb: opt.Embedder, log: log, rank: opt.Ranking.withDefaults()}
	if err := s.open(ctx, opt.AllowMismatch); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) open(ctx context.Context, allowMismatch bool) error {
	if err := initSchema(ctx, s.db); err != nil {
		return s.fileError(err)
	}
	if err := s.checkIntegrity(ctx); err != nil {
		return err
	}
	if err := s.reconcile(ctx); err != nil {
		return err
	}
	// Read before the indexes are built: a write that lands meanwhile
	// makes the next Refresh rebuild them, never miss it.
	gen, err := generation(ctx, s.db)
	if err != nil {
		return s.fileError(err)
	}
	s.gen = gen
	err = s.checkEmbedder(ctx)
	switch {
	case err == nil:
	case errors.Is(err, ErrEmbedderMismatch) && allowMismatch:
		s.mismatch = err
		s.log.Warn("store built with another embedder; search and add refused until reindex", "file", s.path, "err", err)
	default:
		return err
	}
	s.lex, s.index, err = s.buildIndexes(ctx, s.mismatch == nil)
	return err
}

// buildIndexes builds the lexical index and, when vectors is true (the
// stored vectors are the configured embedder's), the vector index from the
// chunks, side by side (one core each). Loading decodes every row once and
// keeps most of it: a caller that minds its peak memory runs the garbage
// collector more often meanwhile (cmd/citebot sets GOGC 20 around Open and
// Refresh).
func (s *Store) buildIndexes(ctx context.Context, vectors bool) (*lexIndex, *vectorIndex, error) {
	var (
		lex    *lexIndex
		lexErr error
		built  sync.WaitGroup
	)
	built.Go(func() { lex, lexErr = s.buildLexIndex(ctx) })
	var (
		idx *vectorIndex
		err error
	)
	if vectors {
		idx, err = s.buildIndex(ctx)
	}
	built.Wait()
	return lex, idx, cmp.Or(err, lexErr)
}

// buildLexIndex reads every chunk's title and text and returns a fresh
// lexical index.
func (s *Store) buildLexIndex(ctx context.Context) (*lexIndex, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, scope, title, text FROM chunks ORDER BY scope, id`)
	if err != nil {
		return nil, s.fileError(err)
	}
	defer rows.Close()
	x := newLexIndex()
	term := x.cachedWordTerm()
	var d lexDoc
	for rows.Next() {
		var (
			id                 int64
			scope, title, text string
		)
		if err := rows.Scan(&id, &scope, &title, &text); err != nil {
			return nil, s.fileError(err)
		}
		d.tokenize(title, text, term)
		x.add(scope, id, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fileError(err)
	}
	return x, nil
}

// fileError wraps err with the store file's name, and with ErrDamaged when
// SQLite reports a corrupt file or one that is not a database.
func (s *Store) fileError(err error) error {
	var se interface{ Code() int }
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 11, 26: // SQLITE_CORRUPT, SQLITE_NOTADB
			return s.damaged(err)
		}
	}
	return fmt.Errorf("store %s: %w", s.path, err)
}

func (s *Store) damaged(err error) error {
	return fmt.Errorf("store %s: %w (%v): restore it from a backup, or move it away to start an empty store", s.path, ErrDamaged, err)
}

// checkIntegrity runs SQLite's quick_check, which reads every page, so a
// truncated or overwritten file fails here and not at some later query.
func (s *Store) checkIntegrity(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `PRAGMA quick_check(5)`)
	if err != nil {
		return s.fileError(err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var msg string
		if err := rows.Scan(&msg); err != nil {
			return s.fileError(err)
		}
		if msg != "ok" {
			problems = append(problems, msg)
		}
	}
	if err := rows.Err(); err != nil {
		return s.fileError(err)
	}
	if len(problems) > 0 {
		return s.damaged(errors.New(strings.Join(problems, "; ")))
	}
	return nil
}

// checkEmbedder records the embedder in a new or empty store and compares
// it with the recorded one otherwise.
func (s *Store) checkEmbedder(ctx context.Context) error {
	name, err := getMeta(ctx, s.db, metaEmbedder)
	if err != nil {
		return s.fileError(err)
	}
	dims, err := getMeta(ctx, s.db, metaDims)
	if err != nil {
		return s.fileError(err)
	}
	want, wantDims := s.emb.Name(), strconv.Itoa(s.emb.Dimensions())
	if name == want && dims == wantDims {
		return nil
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM chunks LIMIT 1)`).Scan(&n); err != nil {
		return s.fileError(err)
	}
	if name == "" || n == 0 { // new or empty store: nothing to re-embed
		return s.recordEmbedder(ctx, s.db)
	}
	return fmt.Errorf("store %s was built with embedder %s (%s dimensions) but %s (%s dimensions) is configured: %w; run `citebot reindex` to re-embed it",
		s.path, name, dims, want, wantDims, ErrEmbedderMismatch)
}

func (s *Store) recordEmbedder(ctx context.Context, q querier) error {
	if err := setMeta(ctx, q, metaEmbedder, s.emb.Name()); err != nil {
		return s.fileError(err)
	}
	if err := setMeta(ctx, q, metaDims, strconv.Itoa(s.emb.Dimensions())); err != nil {
		return s.fileError(err)
	}
	return nil
}

// buildIndex reads every chunk's embedding and returns a fresh index.
func (s *Store) buildIndex(ctx context.Context) (*vectorIndex, error) {
	idx := newVectorIndex(s.emb)
	if err := s.loadVectors(ctx, idx, ""); err != nil {
		return nil, err
	}
	return idx, nil
}

// loadVectors adds the stored vectors of scope (all scopes when "") to idx.
// Each is decoded straight from the row into a slice of its own that the
// index keeps (see addEncoded), so loading holds no second copy.
func (s *Store) loadVectors(ctx context.Context, idx *vectorIndex, scope string) error {
	q := `SELECT id, scope, embedding FROM chunks`
	var args []any
	if scope != "" {
		q = `SELECT id, scope, embedding FROM chunks WHERE scope = ?`
		args = append(args, scope)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return s.fileError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id   int64
			sc   string
			blob sql.RawBytes
		)
		if err := rows.Scan(&id, &sc, &blob); err != nil {
			return s.fileError(err)
		}
		if err := idx.addEncoded(sc, id, blob); err != nil {
			return s.damaged(fmt.Errorf("chunk %d: %w", id, err))
		}
	}
	return s.fileErrorOrNil(rows.Err())
}

// Close releases the database. The Store must not be used afterwards.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store %s: %w", s.path, err)
	}
	return nil
}

// errClosed is returned by methods called after Close.
var errClosed = errors.New("store is closed")

// usable reports why the store cannot search or add, if it cannot.
// Callers hold s.mu.
func (s *Store) usable() error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	return s.mismatch
}

// checkOpen reports an error once the store is closed. Callers hold s.mu.
func (s *Store) checkOpen() error {
	if s.closed {
		return fmt.Errorf("store %s: %w", s.path, errClosed)
	}
	return nil
}

// commit bumps the store's write generation in tx, commits it and runs
// apply (the index updates) while holding s.mu exclusively, so that no
// search sees the store and the indexes disagree. check runs first, under
// the lock; if it fails, tx is left to the caller's rollback. When another
// process wrote since the indexes were last in step, the generation stays
// behind, so that Refresh still rebuilds them.
func (s *Store) commit(ctx context.Context, tx *sql.Tx, check func() error, apply func()) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := check(); err != nil {
		return err
	}
	prev, err := generation(ctx, tx)
	if err != nil {
		return s.fileError(err)
	}
	if err := setMeta(ctx, tx, metaGeneration, strconv.FormatInt(prev+1, 10)); err != nil {
		return s.fileError(err)
	}
	if err := tx.Commit(); err != nil {
		return s.fileError(err)
	}
	apply()
	if prev == s.gen {
		s.gen = prev + 1
	}
	return nil
}

// Refresh brings the in-memory indexes in step with writes another
// process made to the store (citebot ingest beside citebot serve), by
// rebuilding them from the file when its write generation moved; it
// reports whether it did. Searches go on with the old indexes meanwhile;
// this process's own writes wait. Cheap when nothing changed: one query.
func (s *Store) Refresh(ctx context.Context) (bool, error) {
	fail := func(err error) (bool, error) { return false, fmt.Errorf("refresh %s: %w", s.path, err) }
	s.mu.RLock()
	known, err := s.gen, s.checkOpen()
	s.mu.RUnlock()
	if err != nil {
		return fail(err)
	}
	cur, err := generation(ctx, s.db)
	if err != nil {
		return fail(s.fileError(err))
	}
	if cur == known {
		return false, nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if cur, err = generation(ctx, s.db); err != nil {
		return fail(s.fileError(err))
	}
	if err := s.checkEmbedder(ctx); err != nil {
		// Reindexed with another embedder by the other process.
		s.mu.Lock()
		s.mismatch = err
		s.mu.Unlock()
		return fail(err)
	}
	lex, idx, err := s.buildIndexes(ctx, true)
	if err != nil {
		return fail(err)
	}
	s.mu.Lock()
	s.lex, s.index, s.gen, s.mismatch = lex, idx, cur, nil
	s.mu.Unlock()
	s.log.Info("store changed by another process; search indexes rebuilt", "file", s.path, "generation", cur)
	return true, nil
}

// repairScope rebuilds the index collection of scope from the store after
// an index update failed; the store is the truth.
func (s *Store) repairScope(ctx context.Context, scope string, cause error) {
	s.log.Error("vector index update failed; rebuilding the scope from the store", "scope", scope, "err", cause)
	if err := s.index.dropScope(scope); err != nil {
		s.log.Error("vector index repair failed", "scope", scope, "err", err)
		return
	}
	if err := s.loadVectors(context.WithoutCancel(ctx), s.index, scope); err != nil {
		s.log.Error("vector index repair failed", "scope", scope, "err", err)
	}
}
