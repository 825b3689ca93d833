package retrieval

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgreSQL as the store (Options.DatabaseURL): the same tables and the
// same store code as SQLite (dialect.go), so that several processes on
// several machines share one store. Each process still holds its own
// search indexes, built from the database; writes by other processes reach
// them through LISTEN/NOTIFY (postgres_listen.go), with Refresh as the
// fallback.

// pgState is what a Store on PostgreSQL has beyond a SQLite one.
type pgState struct {
	cfg      *pgx.ConnConfig
	listener *listener // nil until started, and for stores WithoutIndexes
}

// IsPostgresURL reports whether u names a PostgreSQL database
// (postgres:// or postgresql://).
func IsPostgresURL(u string) bool {
	l := strings.ToLower(strings.TrimSpace(u))
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// RedactURL returns the database URL u with its password replaced by
// "xxxxx", for logs and messages; one that does not parse is shown as
// its scheme only.
func RedactURL(u string) string {
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		if i := strings.Index(u, "://"); i > 0 {
			return u[:i] + "://(unparsable URL)"
		}
		return "(unparsable database URL)"
	}
	return describePG(cfg)
}

// describePG names the database of cfg, without its password: user,
// host (or socket directory), port and database.
func describePG(cfg *pgx.ConnConfig) string {
	host := cfg.Host
	if !strings.HasPrefix(host, "/") {
		host = net.JoinHostPort(host, strconv.Itoa(int(cfg.Port)))
	} else {
		host = host + ":" + strconv.Itoa(int(cfg.Port))
	}
	return "postgres://" + cfg.User + "@" + host + "/" + cfg.Database
}

// openPostgres opens the store in the database at opt.DatabaseURL:
// migrates it under an advisory lock, checks it, builds the indexes and
// starts listening for other processes' writes.
func openPostgres(ctx context.Context, opt Options) (*Store, error) {
	cfg, err := pgx.ParseConfig(opt.DatabaseURL)
	if err != nil {
		// pgx's message may quote the URL, password included.
		return nil, fmt.Errorf("open store %s: the database URL does not parse; want postgres://user:password@host:port/database", RedactURL(opt.DatabaseURL))
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	name := describePG(cfg)
	if opt.ReadOnly {
		// Every transaction read-only; migratePostgres lifts it.
		if cfg.RuntimeParams == nil {
			cfg.RuntimeParams = map[string]string{}
		}
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	db := sql.OpenDB(newPGConnector(cfg))
	s := newStore(ctx, name, db, opt)
	s.pg = &pgState{cfg: cfg}
	if err := db.PingContext(ctx); err != nil {
		s.stop()
		db.Close()
		return nil, fmt.Errorf("open store %s: cannot reach the database: %w", name, err)
	}
	// Listening starts before the indexes are built, so that no write
	// after them goes unnoticed.
	var conn *pgx.Conn
	if !opt.WithoutIndexes && !opt.NoChangeListener {
		if conn, err = listen(ctx, cfg); err != nil {
			db.Close()
			s.stop()
			return nil, fmt.Errorf("open store %s: listen for changes: %w", name, err)
		}
	}
	if err := s.open(ctx, opt.AllowMismatch); err != nil {
		if conn != nil {
			conn.Close(context.WithoutCancel(ctx))
		}
		s.stop()
		db.Close()
		return nil, err
	}
	if conn != nil {
		s.pg.listener = s.startListener(conn)
	}
	return s, nil
}

// migrateLockKey is the session advisory lock held while migrating, so
// that processes starting at once migrate one after another: the first
// applies what is missing, the others find it applied.
const migrateLockKey int64 = writeLockKey + 1

// migratePostgres applies the migrations the database lacks, in order,
// each in its transaction, under migrateLockKey; then checks the tables.
func (s *Store) migratePostgres(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.fileError(err)
	}
	defer conn.Close()
	if s.readOnly {
		// A store opened ReadOnly is migrated all the same, as by any Open.
		if _, err := conn.ExecContext(ctx, `SET default_transaction_read_only = off`); err != nil {
			return s.fileError(err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `RESET default_transaction_read_only`)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, migrateLockKey); err != nil {
		return s.fileError(fmt.Errorf("take the migration lock: %w", err))
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?)`, migrateLockKey)
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		applied TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return s.fileError(fmt.Errorf("create schema_migrations: %w", err))
	}
	var have int
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return s.fileError(fmt.Errorf("read schema_migrations: %w", err))
	}
	if have > len(pgMigrations) {
		return fmt.Errorf("store %s: schema version %d, this citebot understands %d: use a newer citebot", s.path, have, len(pgMigrations))
	}
	for v := have + 1; v <= len(pgMigrations); v++ {
		if err := applyMigration(ctx, conn, v, pgMigrations[v-1]); err != nil {
			return s.fileError(fmt.Errorf("migrate to version %d: %w", v, err))
		}
		s.log.Info("store migrated", "database", s.path, "version", v)
	}
	return s.checkPGTables(ctx)
}

func applyMigration(ctx context.Context, conn *sql.Conn, v int, stmts []string) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range stmts {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES (?)`, v); err != nil {
		return err
	}
	return tx.Commit()
}

// pgTables are the tables a migrated store has; checkPGTables reads each.
var pgTables = []string{"meta", "articles", "chunks", "reindex_vectors", "feeds", "feed_items", "answers", "votes", "leases", "scope_generations"}

// checkPGTables is PostgreSQL's counterpart of SQLite's quick_check (the
// server checks its own pages): every table the migrations made must be
// there and readable; one dropped or damaged by hand makes Open fail
// (wrapping ErrDamaged), never open as an empty store.
func (s *Store) checkPGTables(ctx context.Context) error {
	for _, t := range pgTables {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+t+` LIMIT 1) x`).Scan(&n); err != nil {
			return s.pgDamaged(fmt.Errorf("table %s: %w", t, err))
		}
	}
	return nil
}

func (s *Store) pgDamaged(err error) error {
	return fmt.Errorf("store %s: %w (%v): restore the database from a dump (pg_dump), or point CITEBOT_DATABASE_URL at an empty database", s.path, ErrDamaged, err)
}

// ErrBackupPostgres: Backup of a PostgreSQL store, which pg_dump does.
var ErrBackupPostgres = errors.New("the store is a PostgreSQL database: back it up with pg_dump (or your provider's snapshots)")

// IsPostgres reports whether the store lives in PostgreSQL.
func (s *Store) IsPostgres() bool { return s.pg != nil }

// Name is the store's place: its file, or its database (without the
// password).
func (s *Store) Name() string { return s.path }
