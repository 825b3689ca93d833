package retrieval

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TryLease takes or renews the lease name for holder, for ttl: it
// reports true when holder holds it now (it was free, expired, or
// holder's already), false when another holder's lease runs. With
// several processes on one PostgreSQL store, this is how exactly one of
// them does a job such as polling feeds, and another takes it over within
// ttl once the holder dies. The database's clock decides expiry, so the
// processes' clocks need not agree. A SQLite store is used by one serving
// process: the lease is always granted there.
func (s *Store) TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	if s.pg == nil {
		return true, nil
	}
	var got string
	err := s.db.QueryRowContext(ctx, `INSERT INTO leases (name, holder, expires)
		VALUES (?1, ?2, now() + make_interval(secs => ?3))
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
			WHERE leases.holder = excluded.holder OR leases.expires < now()
		RETURNING holder`, name, holder, ttl.Seconds()).Scan(&got)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("lease %s for %s: %w", name, holder, s.fileError(err))
	}
	return got == holder, nil
}

// ReleaseLease gives up holder's lease name, if it holds it, so another
// process may take it at once.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if s.pg == nil {
		return nil
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder); err != nil {
		return fmt.Errorf("release lease %s of %s: %w", name, holder, s.fileError(err))
	}
	return nil
}
