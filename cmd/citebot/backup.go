package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/citebot/citebot/retrieval"
)

// cmdBackup writes a consistent copy of the store into a new directory,
// safe to run while the bot serves from the same data directory.
func cmdBackup(ctx context.Context, env *environment, args []string) error {
	var c common
	fs := newFlagSet("backup", env, "DEST_DIR")
	c.register(fs, env, false)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("backup takes one destination directory (created if missing; it must not hold a store yet)")
	}
	// Back up an existing store only: opening a mistyped data directory
	// would create an empty store there and "back it up".
	dir, err := resolveDataDir(c.dataDir, env.getenv)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, retrieval.DBFile)); err != nil {
		return fmt.Errorf("backup: no store in %s (check --data-dir): %w", dir, err)
	}
	dest := pos[0]
	if err := os.MkdirAll(dest, 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	a, err := c.openForReindex(ctx, env) // any embedder: the copy keeps the store's own
	if err != nil {
		return err
	}
	defer a.Close()
	file := filepath.Join(dest, retrieval.DBFile)
	if err := a.store.Backup(ctx, file); err != nil {
		return err
	}
	st, err := a.store.Stats(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "backed up %d articles (%d passages) to %s\n", st.Articles, st.Chunks, file)
	return nil
}
