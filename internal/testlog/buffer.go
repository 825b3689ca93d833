// Package testlog holds what tests use to read the logs of code under
// test.
package testlog

import (
	"bytes"
	"sync"
)

// Buffer is a log sink safe for concurrent writes (a slog handler's
// output, written from the goroutines of the code under test). The zero
// value is ready to use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p; it never fails.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
