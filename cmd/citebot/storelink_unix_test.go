//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A store out of reach behind a symbolic link (an unmounted volume) is
// refused by the commands that only read, as ingest refuses it: read as
// an empty store, it would answer "no articles" and hide every article.
func TestReadCommandsRefuseADanglingLink(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "unmounted")
	fileLink := t.TempDir() // the data directory exists; its store file is a dangling link
	if err := os.Symlink(filepath.Join(missing, "citebot.db"), filepath.Join(fileLink, "citebot.db")); err != nil {
		t.Fatal(err)
	}
	dirLink := filepath.Join(t.TempDir(), "data") // the data directory itself is a dangling link
	if err := os.Symlink(missing, dirLink); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{fileLink, dirLink} {
		for _, args := range [][]string{
			{"ask", "Who won the vote?"},
			{"sources"},
			{"forget", "t0000000000000000"},
			{"feeds"},
		} {
			t.Run(filepath.Base(dir)+" "+args[0], func(t *testing.T) {
				t.Parallel()
				c := newSQLiteCLI(t)
				code, out, errOut := c.run("", append(args, "--data-dir", dir)...)
				if code != 1 || !strings.Contains(errOut, "symbolic link") || !strings.Contains(errOut, missing) {
					t.Errorf("citebot %q on %s: exit %d, stderr %q, stdout %q; want exit 1 naming the link's missing target", args, dir, code, errOut, out)
				}
			})
		}
	}
}
