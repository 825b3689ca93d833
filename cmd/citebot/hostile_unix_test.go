//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestIngestRefusesAFIFO checks that a FIFO named .txt, given directly or
// met in a directory, is refused by name, promptly, while the article
// beside it is still ingested.
func TestIngestRefusesAFIFO(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	good := filepath.Join(dir, "good.txt")
	if err := os.WriteFile(good, []byte("Harbour ferry resumes service\nThe harbour ferry resumed its crossings on Monday after a month of repairs.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{fifo, good}, {dir}} {
		c := newCLI(t)
		type result struct {
			code     int
			out, err string
		}
		done := make(chan result, 1)
		go func() {
			code, out, errOut := c.run("", append([]string{"ingest"}, args...)...)
			done <- result{code, out, errOut}
		}()
		select {
		case r := <-done:
			if r.code != 1 || !strings.Contains(r.err, fifo) || !strings.Contains(r.err, "not a regular file") {
				t.Errorf("ingest %q: exit %d, stderr %q; want 1 and the FIFO refused by name", args, r.code, r.err)
			}
			if !strings.Contains(r.out, "Harbour ferry resumes service") {
				t.Errorf("ingest %q: the regular file was not ingested: %q", args, r.out)
			}
		case <-time.After(30 * time.Second):
			if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				w.Close() // releases the blocked open
			}
			<-done
			t.Fatalf("ingest %q blocked on the FIFO", args)
		}
	}
}
