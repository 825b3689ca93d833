package retrieval

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
)

// queryOnly makes the connections of dsn (see dsn) refuse every write
// (PRAGMA query_only): the connections of a store opened ReadOnly.
func queryOnly(dsn string) string {
	return dsn + "&_pragma=query_only(1)"
}

// checkSchemaReadOnly is initSchema for a store opened ReadOnly: it only
// reads the schema version. A store of another version (older, or a file
// with no citebot tables yet) goes through initSchema on a connection of
// its own that may write, exactly as any Open would migrate it (or refuse
// a newer one).
func (s *Store) checkSchemaReadOnly(ctx context.Context) error {
	var tables int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'meta'`).Scan(&tables); err != nil {
		return s.fileError(err)
	}
	if tables == 1 {
		v, err := getMeta(ctx, s.db, metaSchema)
		if err != nil {
			return s.fileError(err)
		}
		if v == strconv.Itoa(schemaVersion) {
			return nil
		}
	}
	db, err := sql.Open("sqlite", dsn(s.path))
	if err != nil {
		return fmt.Errorf("open store %s: %w", s.path, err)
	}
	err = initSchema(ctx, db)
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return s.fileError(err)
	}
	return nil
}
