package retrieval

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDataDirectoryInTheWay checks that a data directory that cannot be
// made is explained: a symbolic link to a missing target (an unmounted
// volume) or a file in its place, not "mkdir …: file exists".
func TestDataDirectoryInTheWay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// make returns the data directory to open, broken.
		make func(t *testing.T, base string) string
		want []string
	}{
		{"link to nowhere", func(t *testing.T, base string) string {
			dir := filepath.Join(base, "data")
			if err := os.Symlink(filepath.Join(base, "unmounted", "citebot"), dir); err != nil {
				t.Fatal(err)
			}
			return dir
		}, []string{"symbolic link", filepath.Join("unmounted", "citebot"), "mount or create the target"}},
		{"link above it to nowhere", func(t *testing.T, base string) string {
			if err := os.Symlink(filepath.Join(base, "unmounted"), filepath.Join(base, "vol")); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(base, "vol", "citebot")
		}, []string{string(filepath.Separator) + "vol is a symbolic link"}},
		{"file in its place", func(t *testing.T, base string) string {
			dir := filepath.Join(base, "data")
			if err := os.WriteFile(dir, []byte("notes"), 0o644); err != nil {
				t.Fatal(err)
			}
			return dir
		}, []string{"is a file, not a directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := tt.make(t, t.TempDir())
			_, err := Open(t.Context(), dir, Options{Embedder: NewLocalEmbedder()})
			if err == nil {
				t.Fatal("Open succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Open: %v\nwant it to mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "file exists") {
				t.Errorf("Open: %v: says what mkdir said, not what is wrong", err)
			}
		})
	}
}

// TestWALDeletedUnderARunningStore reproduces a -wal file deleted while a
// process has the store open: another process opening it must be told
// what happened, not "disk I/O error (522)".
func TestWALDeletedUnderARunningStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	running := openStore(t, dir)
	for _, a := range corpus[:3] {
		mustAdd(t, running, SharedScope, a)
	}
	path := filepath.Join(dir, DBFile)
	if err := os.Remove(path + "-wal"); err != nil {
		t.Fatalf("the running store has no write-ahead log to delete: %v", err)
	}
	_, err := Open(t.Context(), dir, Options{Embedder: NewLocalEmbedder()})
	if err == nil {
		t.Fatal("Open succeeded over a deleted write-ahead log")
	}
	for _, w := range []string{path + "-wal", "deleted", "stop every citebot process"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Open: %v\nwant it to mention %q", err, w)
		}
	}
}

// sqliteErr is an error with a SQLite result code, as the driver's.
type sqliteErr int

func (e sqliteErr) Error() string { return "sqlite error" }
func (e sqliteErr) Code() int     { return int(e) }

// TestIOFaultsAreExplained checks the explanations of SQLite's I/O and
// disk-full errors, with the free space given.
func TestIOFaultsAreExplained(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, DBFile)
	free := func(n uint64, known bool) func(string) (uint64, bool) {
		return func(string) (uint64, bool) { return n, known }
	}
	tests := []struct {
		name string
		code int
		free func(string) (uint64, bool)
		full bool
		want string
	}{
		{"SQLITE_FULL", 13, free(0, false), true, "no room left"},
		{"shm cannot grow on a full disk", 4874, free(4096, true), true, "4 KiB free"},
		{"short read with room left", 522, free(1<<30, true), false, "could not read or write"},
		{"free space unknown", 4874, free(0, false), false, "could not read or write"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ioFault(path, tt.code, sqliteErr(tt.code), tt.free)
			if errors.Is(err, ErrDiskFull) != tt.full || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("ioFault(%d) = %v; want full=%v, mentioning %q and the store", tt.code, err, tt.full, tt.want)
			}
			if tt.full && !strings.Contains(err.Error(), "disk holding "+dir) {
				t.Errorf("ioFault(%d) = %v; want it to name the directory whose disk is full", tt.code, err)
			}
		})
	}
}
