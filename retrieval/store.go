package retrieval

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

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
	// ErrDamaged: the store (a SQLite file or a PostgreSQL database) is
	// corrupt or not a citebot store.
	ErrDamaged = errors.New("the store is damaged or not a citebot store")
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
	// Now tells the date, for questions about "this week" or "in June";
	// nil means time.Now.
	Now func() time.Time
	// WithoutIndexes opens the store for listing, reading and forgetting
	// articles and for back-ups only: no search index is built, so it
	// opens in a moment at any size, and a store built with another
	// embedder opens too. Search, Add, TermCounts, Refresh and Reindex
	// then fail with ErrNoIndexes.
	WithoutIndexes bool
	// ReadOnly opens the store only to read it, WithoutIndexes: for
	// `citebot sources`, which must list a large store in a moment. Open
	// then neither reads the whole file (quick_check) nor repairs it
	// (reconcile): a damaged page is reported when a query reads it, and
	// Articles lists only articles with passages, as a search sees them.
	// Its connections refuse writes (SQLite's query_only, PostgreSQL's
	// default_transaction_read_only), so Forget and the like fail; a store
	// with an older schema is migrated first, as by any Open.
	ReadOnly bool
	// DatabaseURL, a postgres:// URL, keeps the store in that PostgreSQL
	// database instead of a SQLite file (Open's dir is then ignored); see
	// postgres.go and docs/scaling.md.
	DatabaseURL string
	// NoChangeListener, on PostgreSQL, does not listen for other
	// processes' writes (postgres_listen.go): for a short-lived command,
	// which need not follow them, and would otherwise rebuild its indexes
	// for each. Refresh still catches up when called.
	NoChangeListener bool
	// SnapshotDir, when set, keeps a snapshot of each scope's search
	// indexes there (snapshot.go), so a scope loads at disk speed instead
	// of being built from its chunks; "" keeps none. The snapshots are a
	// cache: the store names the one of each scope's current generation,
	// and any other (stale, damaged, missing) is rebuilt from the chunks.
	// cmd/citebot uses <data dir>/index.
	SnapshotDir string
	// Loading, when set, is called as a scope's indexes start to be built
	// from its chunks (in the background, at the first search of the
	// scope, when no snapshot holds them), and the function it returns
	// when the build ends: cmd/citebot collects garbage sooner meanwhile,
	// to keep the process's peak memory down (a build decodes every row;
	// reading a snapshot makes little garbage).
	Loading func() (done func())
	// OnEmbedderSwitch, when set, is called once with the error (wrapping
	// ErrEmbedderSwitched) when a Refresh first finds that another process
	// re-embedded the store with another embedder: whichever ran it, the
	// caller's periodic Refresh or, on PostgreSQL, the change listener's.
	// That Refresh returns the error too.
	OnEmbedderSwitch func(error)
}

// ErrNoIndexes is returned by what needs the search indexes of a store
// opened WithoutIndexes.
var ErrNoIndexes = errors.New("store opened without search indexes")

// Store keeps articles, chunks and embeddings in one SQLite file (the
// source of truth) and derives two in-memory indexes per scope from it
// when the scope is first searched (scopeindex.go): a flat vector index
// (index.go) and an inverted index for BM25 (lexindex.go). Open builds
// none. All methods are safe for concurrent use. A search sees every article whole: as it was before or
// after a concurrent Add, never a mixture. Another process may write to
// the same data directory (the CLI beside the bot): this process's
// in-memory indexes see those writes after Refresh (or a reopen).
type Store struct {
	path string
	db   *sql.DB
	emb  Embedder
	log  *slog.Logger
	rank Ranking
	// noIndexes: opened WithoutIndexes; no scope is ever loaded.
	noIndexes bool
	readOnly  bool // opened ReadOnly
	now       func() time.Time
	snapDir   string
	loadHook  func() func()
	// life ends at Close: scope loads under way stop.
	life context.Context
	stop context.CancelFunc
	// bg counts scope loads and snapshot writes under way.
	bg sync.WaitGroup
	// loadMu guards loading, the loads under way by scope.
	loadMu  sync.Mutex
	loading map[string]*loadCall

	// writeMu serialises writers, so a Reindex sees a fixed set of chunks.
	writeMu sync.Mutex
	// mu orders searches against commits: searches hold it shared;
	// commits (with their index updates) hold it exclusively.
	mu sync.RWMutex
	// loaded holds the indexes of the scopes loaded so far.
	loaded map[string]*scopeIndex
	// committed is each scope's generation after this process's last
	// commit to it: a load that read an older one reads again.
	committed map[string]int64
	// epoch moves when every loaded scope is dropped (a reindex): loads
	// under way then read again.
	epoch    int64
	mismatch error // non-nil while the vectors come from another embedder
	// onSwitch is Options.OnEmbedderSwitch.
	onSwitch func(error)
	// switched is non-nil once another process re-embedded the store with
	// another embedder (see Refresh): searches go on with the indexes this
	// process loaded, in its embedder's space; adds are refused.
	switched error
	closed   bool
	closing  bool // Close has begun
	// gen is the write generation the indexes reflect (guarded by mu);
	// a different one in the file means another process wrote.
	gen int64
	// pg is non-nil for a store in PostgreSQL (postgres.go).
	pg *pgState
}

// Open opens (creating if needed) the store in dir, the file dir/citebot.db,
// and repairs what does not agree (see reconcile: orphan rows; each repair
// is logged). It builds no search index: each scope's are loaded when it
// is first searched (or preloaded: Preload). It fails with an error naming the
// file and wrapping ErrDamaged when the file is corrupt or not a store,
// and with ErrEmbedderMismatch when the store was built with another
// embedder (unless opt.AllowMismatch). Close the Store when done.
func Open(ctx context.Context, dir string, opt Options) (*Store, error) {
	if opt.Embedder == nil {
		return nil, errors.New("open store: no embedder")
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
	if opt.DatabaseURL != "" {
		return openPostgres(ctx, opt)
	}
	if dir == "" {
		return nil, errors.New("open store: no data directory")
	}
	if err := makeDataDir(dir); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	path := filepath.Join(dir, DBFile)
	if err := checkStoreFile(ctx, path); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	conn := dsn(path)
	if opt.ReadOnly {
		conn = queryOnly(conn)
	}
	db, err := sql.Open("sqlite", conn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := newStore(ctx, path, db, opt)
	if err := s.open(ctx, opt.AllowMismatch); err != nil {
		s.stop()
		db.Close()
		return nil, err
	}
	return s, nil
}

// newStore returns the Store of db, named path, with opt's defaults; its
// background work ends at Close (or at s.stop, when open fails).
func newStore(ctx context.Context, path string, db *sql.DB, opt Options) *Store {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	s := &Store{path: path, db: db, emb: opt.Embedder, log: log, rank: opt.Ranking.withDefaults(), now: now, noIndexes: opt.WithoutIndexes || opt.ReadOnly,
		readOnly: opt.ReadOnly, snapDir: opt.SnapshotDir, loadHook: opt.Loading, onSwitch: opt.OnEmbedderSwitch, loading: make(map[string]*loadCall), loaded: make(map[string]*scopeIndex), committed: make(map[string]int64)}
	s.life, s.stop = context.WithCancel(context.WithoutCancel(ctx))
	return s
}

func (s *Store) open(ctx context.Context, allowMismatch bool) error {
	switch {
	case s.pg != nil:
		// The server checks its own pages, and its foreign keys and one
		// transaction per article leave nothing for reconcile to repair.
		if err := s.migratePostgres(ctx); err != nil {
			return err
		}
		if s.readOnly {
			return nil // a listing needs no embedder (noIndexes)
		}
	case s.readOnly:
		return s.checkSchemaReadOnly(ctx) // a listing repairs nothing
	default:
		if err := initSchema(ctx, s.db); err != nil {
			return s.fileError(err)
		}
		if err := s.checkIntegrity(ctx); err != nil {
			return err
		}
		if err := s.reconcile(ctx); err != nil {
			return err
		}
	}
	// Read before any scope is loaded: a write that lands meanwhile makes
	// the next Refresh read the loaded scopes again, never miss it.
	gen, err := generation(ctx, s.db)
	if err != nil {
		return s.fileError(err)
	}
	s.gen = gen
	err = s.checkEmbedder(ctx)
	switch {
	case err == nil:
	case errors.Is(err, ErrEmbedderMismatch) && s.noIndexes:
		s.mismatch = err // nothing here embeds: listing needs no warning
	case errors.Is(err, ErrEmbedderMismatch) && allowMismatch:
		s.mismatch = err
		s.log.Warn("store built with another embedder; search and add refused until reindex", "file", s.path, "err", err)
	default:
		return err
	}
	return nil
}

// Close stops the scope loads under way, writes the snapshots of the
// loaded scopes that changed since theirs, and releases the database.
// The Store must not be used afterwards.
func (s *Store) Close() error {
	s.stopListener() // before the locks: a Refresh it runs takes them
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil
	}
	s.closing = true
	var dirty []*scopeIndex
	for _, x := range s.loaded {
		if !x.saved && !x.damaged {
			dirty = append(dirty, x)
		}
	}
	s.mu.Unlock()
	s.stop()
	s.bg.Wait()
	for _, x := range dirty {
		s.saveSnapshot(x)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
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
	if s.noIndexes {
		return ErrNoIndexes
	}
	return s.mismatch
}

// writable reports why the store cannot add articles, if it cannot.
// Callers hold s.mu.
func (s *Store) writable() error {
	if err := s.usable(); err != nil {
		return err
	}
	return s.switched
}

// checkOpen reports an error once the store is closed. Callers hold s.mu.
func (s *Store) checkOpen() error {
	if s.closed {
		return fmt.Errorf("store %s: %w", s.path, errClosed)
	}
	return nil
}
