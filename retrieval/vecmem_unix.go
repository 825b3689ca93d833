//go:build unix

package retrieval

import (
	"syscall"
	"unsafe"
)

// mapFloats maps n float32s of anonymous memory, page-aligned (so aligned
// for float32) and zeroed; nil when the system refuses, and the caller
// falls back to the heap.
func mapFloats(n int) ([]float32, []byte) {
	block, err := syscall.Mmap(-1, 0, 4*n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(block))), n), block
}

func unmapBlock(block []byte) {
	// An error leaves the block mapped: memory kept, nothing read freed.
	_ = syscall.Munmap(block)
}
