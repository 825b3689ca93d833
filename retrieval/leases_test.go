package retrieval

import (
	"testing"
	"time"

	"github.com/citebot/citebot/internal/pgtest"
)

// One lease, two processes: the first holds it and renews it; the
// second gets it only once the first releases it or stops renewing.
func TestPostgresLeaseHasOneHolder(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t)
	a := postgresBackend.openStore(t, url)
	b := postgresBackend.openStore(t, url)
	ctx := t.Context()
	try := func(s *Store, holder string, ttl time.Duration, want bool, when string) {
		t.Helper()
		got, err := s.TryLease(ctx, "feeds", holder, ttl)
		if err != nil || got != want {
			t.Fatalf("%s: TryLease(%s) = %v, %v; want %v", when, holder, got, err, want)
		}
	}
	try(a, "a", time.Minute, true, "free lease")
	try(b, "b", time.Minute, false, "held by a")
	try(a, "a", time.Minute, true, "renewal")
	if err := a.ReleaseLease(ctx, "feeds", "a"); err != nil {
		t.Fatal(err)
	}
	try(b, "b", time.Minute, true, "released by a")
	try(a, "a", time.Minute, false, "held by b")
	// b dies: its lease, renewed for a moment only, runs out.
	try(b, "b", time.Millisecond, true, "short renewal")
	var expired bool
	for !expired { // the database's clock, not the test's, decides
		if err := a.db.QueryRowContext(ctx, `SELECT expires < now() FROM leases WHERE name = 'feeds'`).Scan(&expired); err != nil {
			t.Fatal(err)
		}
	}
	try(a, "a", time.Minute, true, "b's lease expired")
}

func TestSQLiteLeaseIsAlwaysGranted(t *testing.T) {
	t.Parallel()
	s := openStore(t, t.TempDir())
	for _, holder := range []string{"a", "b"} {
		if ok, err := s.TryLease(t.Context(), "feeds", holder, time.Minute); !ok || err != nil {
			t.Errorf("TryLease(%s) on SQLite = %v, %v; want true", holder, ok, err)
		}
	}
}
