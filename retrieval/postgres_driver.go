package retrieval

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// writeLockKey is the key of the transaction-level advisory lock every
// store transaction on PostgreSQL takes first: transactions of all
// processes on one database then run one at a time, as SQLite's BEGIN
// IMMEDIATE makes them, so the read-then-write steps of a commit (the
// stored hash, the generation) need no retry logic of their own. Readers
// outside transactions are not held back. The value is arbitrary
// ("citebot" in ASCII).
const writeLockKey int64 = 0x63697465626f74

// pgConnector is pgx's database/sql connector with every statement
// rebound from ? to $N (dialect.go) and every transaction started with
// the write lock.
type pgConnector struct {
	inner driver.Connector
}

func newPGConnector(cfg *pgx.ConnConfig) driver.Connector {
	return pgConnector{inner: stdlib.GetConnector(*cfg)}
}

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &pgConn{Conn: conn.(*stdlib.Conn)}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn forwards to pgx's connection, rebinding queries.
type pgConn struct {
	*stdlib.Conn
}

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(rebind(query))
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(query), args)
}

func (c *pgConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *pgConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.Conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		return tx, nil
	}
	if _, err := c.Conn.Conn().Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, writeLockKey); err != nil {
		tx.Rollback()
		return nil, fmt.Errorf("take the store's write lock: %w", err)
	}
	return tx, nil
}
