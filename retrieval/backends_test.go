package retrieval

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/citebot/citebot/internal/pgtest"
)

func TestMain(m *testing.M) {
	if url := os.Getenv(helperEnv); url != "" {
		runIngestHelper(url) // a process for TestPostgresKill9LeavesArticlesWhole
		return
	}
	os.Exit(pgtest.Main(m))
}

// backend is a kind of store the shared tests run against: SQLite in a
// data directory, or PostgreSQL in a database of its own (skipped when no
// PostgreSQL can be had; see internal/pgtest).
type backend struct {
	name string
	// place returns where a new, empty store goes: a directory, or a
	// database URL.
	place func(t *testing.T) string
	// open opens the store at place.
	open func(ctx context.Context, place string, opt Options) (*Store, error)
	// where is how errors name the store at place.
	where func(place string) string
}

var (
	sqliteBackend = backend{
		name:  "sqlite",
		place: func(t *testing.T) string { return t.TempDir() },
		open:  Open,
		where: func(place string) string { return filepath.Join(place, DBFile) },
	}
	postgresBackend = backend{
		name:  "postgres",
		place: func(t *testing.T) string { return pgtest.DB(t) },
		open: func(ctx context.Context, place string, opt Options) (*Store, error) {
			opt.DatabaseURL = place
			return Open(ctx, "", opt)
		},
		where: RedactURL,
	}
	backends = []backend{sqliteBackend, postgresBackend}
)

// forBackends runs test once per backend, in parallel.
func forBackends(t *testing.T, test func(t *testing.T, b backend)) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			test(t, b)
		})
	}
}

// openStore opens the store at place with the local embedder and closes
// it at the end of the test.
func (b backend) openStore(t *testing.T, place string) *Store {
	t.Helper()
	return b.openStoreWith(t, place, Options{Embedder: NewLocalEmbedder()})
}

func (b backend) openStoreWith(t *testing.T, place string, opt Options) *Store {
	t.Helper()
	s, err := b.open(t.Context(), place, opt)
	if err != nil {
		t.Fatalf("open %s store: %v", b.name, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
