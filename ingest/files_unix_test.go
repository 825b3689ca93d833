//go:build unix

package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNonRegularFilesAreRefused checks that a FIFO with a supported name —
// which would block the open until a writer comes, ignoring signals — is
// refused before it is opened, whether named directly or met in a walked
// directory, and that the regular files beside it are still listed.
func TestNonRegularFilesAreRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	link := filepath.Join(dir, "link.txt")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.txt")
	if err := os.WriteFile(good, []byte("Title\nBody."), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		paths    []string
		want     []string
		refusals []string
	}{
		{"named directly", []string{fifo, good}, []string{good}, []string{fifo}},
		{"link named directly", []string{link}, nil, []string{link}},
		{"in a walked directory", []string{dir}, []string{good}, []string{link, fifo}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Files(tt.paths)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Files(%q) = %q, want %q", tt.paths, got, tt.want)
			}
			if !errors.Is(err, ErrNotRegular) {
				t.Fatalf("Files(%q) error %v, want ErrNotRegular", tt.paths, err)
			}
			for _, r := range tt.refusals {
				if !strings.Contains(err.Error(), r) {
					t.Errorf("error %q does not name %s", err, r)
				}
			}
		})
	}
	t.Run("ParseFile", func(t *testing.T) {
		t.Parallel()
		done := make(chan error, 1)
		go func() {
			_, err := ParseFile(fifo)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), fifo) {
				t.Errorf("ParseFile(fifo) = %v, want ErrNotRegular naming it", err)
			}
		case <-time.After(10 * time.Second):
			// Release the blocked open: a writer arrives and leaves.
			if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close()
			}
			<-done
			t.Fatal("ParseFile(fifo) blocked opening it")
		}
	})
}
