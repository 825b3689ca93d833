package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/citebot/citebot/retrieval"
)

// newBackupCmd writes a consistent copy of the store into a new directory,
// safe to run while the bot serves from the same data directory.
func newBackupCmd(c *common, env *environment) *cobra.Command {
	cmd := command("backup [flags] DEST_DIR",
		"copy the store into DEST_DIR/citebot.db (safe while serving)",
		`Write a consistent copy of the store into DEST_DIR/citebot.db (DEST_DIR is created if
missing and must not hold a store yet). Safe while citebot serve runs on the same data
directory; the copy is a data directory of its own.`,
		`  citebot backup /var/backups/citebot/$(date +%F)`,
		[][]string{envStore},
		func(cmd *cobra.Command, pos []string) error {
			if len(pos) != 1 {
				return usageError("backup takes one destination directory (created if missing; it must not hold a store yet)")
			}
			// Back up an existing store only: opening a mistyped data
			// directory would create an empty store there and "back it up".
			dir, err := resolveDataDir(c.dataDir, env.getenv)
			if err != nil {
				return err
			}
			if env.getenv(envDatabaseURL) != "" {
				return failure("the store is in PostgreSQL (%s): back it up with pg_dump, not citebot backup", envDatabaseURL)
			}
			if _, err := os.Stat(filepath.Join(dir, retrieval.DBFile)); err != nil {
				return failure("no store in %s (check --data-dir or CITEBOT_DATA_DIR): %v", dir, err)
			}
			dest := pos[0]
			if err := os.MkdirAll(dest, 0o700); err != nil {
				return fmt.Errorf("backup: %w", err)
			}
			a, err := c.open(cmd.Context(), env, listOnly) // any embedder, no indexes: the copy keeps the store's own
			if err != nil {
				return err
			}
			defer a.Close()
			file := filepath.Join(dest, retrieval.DBFile)
			if err := a.store.Backup(cmd.Context(), file); err != nil {
				return err
			}
			st, err := a.store.Stats(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "backed up %s (%s) to %s\n", plural(st.Articles, "article"), plural(st.Chunks, "passage"), file)
			return nil
		})
	c.register(cmd.Flags(), 0)
	return cmd
}
