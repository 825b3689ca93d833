package retrieval

import (
	"runtime"
	"sync"
)

// vectorMemory holds the blocks a scope's loaded vectors live in, outside
// the Go heap where the system allows it (mapped anonymous memory, see
// vecmem_unix.go). The vectors are most of a serving process's memory and
// live as long as their scope; on the heap the collector lets the heap grow
// past them by GOGC percent, which on 83,000 passages was about 40 MiB of
// memory the process held without using. The blocks are released when
// the vectorMemory is no longer reachable. Whatever reads a vector in a
// block must therefore hold the vectorMemory: the vecScope does (its
// chromem-go collection is reached only through it), and so does a
// scopeImage being written to a snapshot.
type vectorMemory struct {
	blocks *mappedBlocks
}

// mappedBlocks are the blocks themselves, apart from vectorMemory so that
// its cleanup can release them.
type mappedBlocks struct {
	mu   sync.Mutex
	list [][]byte
}

func newVectorMemory() *vectorMemory {
	m := &vectorMemory{blocks: &mappedBlocks{}}
	runtime.AddCleanup(m, (*mappedBlocks).release, m.blocks)
	return m
}

// alloc returns n zeroed float32s: a new block outside the heap, or on
// the heap where that is not possible.
func (m *vectorMemory) alloc(n int) []float32 {
	if n <= 0 {
		return nil
	}
	v, block := mapFloats(n)
	if block == nil {
		return make([]float32, n)
	}
	m.blocks.mu.Lock()
	m.blocks.list = append(m.blocks.list, block)
	m.blocks.mu.Unlock()
	return v
}

// release unmaps every block. Nothing may read them afterwards.
func (b *mappedBlocks) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, block := range b.list {
		unmapBlock(block)
	}
	b.list = nil
}
