package retrieval

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestDiskFullIsNamed fills a small tmpfs (as root only: it mounts one)
// and checks that both ways SQLite meets the full disk — a write that
// fails (SQLITE_FULL) and an open that cannot grow the -shm file ("disk
// I/O error (4874)") — say the disk is full, and where.
func TestDiskFullIsNamed(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=600k"); err != nil {
		t.Skipf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, 0) })
	dir := filepath.Join(mnt, "citebot")
	opt := Options{Embedder: NewLocalEmbedder()}
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "disk holding "+dir) {
			t.Errorf("%s: %v; want ErrDiskFull naming %s", what, err, dir)
		}
	}
	s, err := Open(t.Context(), dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	mustAdd(t, s, SharedScope, corpus[0])
	s.Close()

	// A full disk: the next process cannot make its -shm file.
	filler := filepath.Join(mnt, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	for _, err = f.Write(make([]byte, 64<<10)); err == nil; _, err = f.Write(make([]byte, 4<<10)) {
	}
	f.Close()
	if s, err := Open(t.Context(), dir, opt); err == nil {
		s.Close()
		t.Error("Open on a full disk succeeded")
	} else {
		check("Open on a full disk", err)
	}

	// Room again, then writes until there is none.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	s, err = Open(t.Context(), dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var addErr error
	for i := 0; addErr == nil && i < 1000; i++ {
		a := article(fmt.Sprintf("Notice %d", i), "Gazette", strings.Repeat(fmt.Sprintf("Notice %d concerns the harbour works. ", i), 150))
		_, addErr = s.Add(t.Context(), SharedScope, a, chunks(a))
	}
	check("Add on a full disk", addErr)
}
