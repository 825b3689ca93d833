package retrieval

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Backup writes a consistent copy of the whole store to the new file dest
// (it must not exist) with SQLite's VACUUM INTO, while the store stays in
// use: the copy is one moment of the store, every article whole. Copying
// citebot.db with a file tool while citebot runs is not safe, because the
// latest commits live in citebot.db-wal until a checkpoint. The copy is a
// complete store file: open it by naming its directory as the data
// directory, with the same embedder.
func (s *Store) Backup(ctx context.Context, dest string) error {
	s.mu.RLock()
	err := s.checkOpen()
	s.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("back up: %w", err)
	}
	if s.pg != nil {
		return fmt.Errorf("back up %s: %w", s.path, ErrBackupPostgres)
	}
	// Claim the name first (VACUUM INTO accepts an empty file), so two
	// back-ups at once cannot remove each other's copy on failure.
	f, err := os.OpenFile(dest, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("back up %s to %s: %w", s.path, dest, fs.ErrExist)
		}
		return fmt.Errorf("back up %s to %s: %w", s.path, dest, err)
	}
	f.Close()
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("back up %s to %s: %w", s.path, dest, s.fileError(err))
	}
	if err := syncFile(dest); err != nil {
		return fmt.Errorf("back up %s to %s: %w", s.path, dest, err)
	}
	return nil
}
