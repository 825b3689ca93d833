// Package testlog holds what tests use to read the logs of code under
// test.
package testlog

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
)

// Buffer is a log sink safe for concurrent writes (a slog handler's
// output, written from the goroutines of the code under test). The zero
// value is ready to use.
type Buffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // closed and replaced on every write; nil until waited on
}

// Write appends p; it never fails.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written != nil {
		close(s.written)
		s.written = nil
	}
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// WaitFor waits until what was written contains text, or ctx ends.
func (s *Buffer) WaitFor(ctx context.Context, text string) error {
	for {
		s.mu.Lock()
		found := strings.Contains(s.b.String(), text)
		if s.written == nil {
			s.written = make(chan struct{})
		}
		ch := s.written
		s.mu.Unlock()
		if found {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("waiting for %q in the log: %w", text, ctx.Err())
		}
	}
}
