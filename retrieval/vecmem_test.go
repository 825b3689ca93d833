package retrieval

import (
	"runtime"
	"testing"
)

// released waits, collecting garbage, for blocks to be released; false
// after many collections without it.
func released(blocks *mappedBlocks) bool {
	for range 1000 {
		runtime.GC()
		blocks.mu.Lock()
		done := blocks.list == nil
		blocks.mu.Unlock()
		if done {
			return true
		}
		// Cleanups run on a goroutine of their own after the collection
		// that found the memory unreachable: let it run.
		runtime.Gosched()
	}
	return false
}

func TestVectorMemoryReleasedWhenUnreachable(t *testing.T) {
	t.Parallel()
	mem := newVectorMemory()
	v := mem.alloc(4096)
	v[0], v[len(v)-1] = 1, 2 // writable, end to end
	blocks := mem.blocks
	blocks.mu.Lock()
	n := len(blocks.list)
	blocks.mu.Unlock()
	if runtime.GOOS != "windows" && n != 1 {
		t.Fatalf("%d blocks mapped for one allocation, want 1", n)
	}
	mem, v = nil, nil
	_, _ = mem, v
	if !released(blocks) {
		t.Fatal("the blocks of an unreachable vectorMemory were never released")
	}
}

// A scope read again (here after another process's write) drops its old
// vectors' blocks: searches afterwards, with the old ones collected and
// released, must read only the new ones.
func TestSearchAfterOldVectorsReleased(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bot := openStore(t, dir)
	cli := openStore(t, dir)
	ctx := t.Context()
	mustAdd(t, bot, SharedScope, corpus[0])
	if got := mustSearch(t, bot, corpus[0].Paragraphs[0]); len(got) == 0 || got[0].Title != corpus[0].Title {
		t.Fatalf("search before the reload found %v", titles(got))
	}
	bot.mu.RLock()
	old := bot.loaded[SharedScope].vec.mem.blocks
	bot.mu.RUnlock()

	mustAdd(t, cli, SharedScope, corpus[1])
	if changed, err := bot.Refresh(ctx); err != nil || !changed {
		t.Fatalf("Refresh = %v, %v; want a reload", changed, err)
	}
	if !released(old) {
		t.Fatal("the old vectors' blocks were never released after the scope was read again")
	}
	for _, a := range corpus[:2] {
		if got := mustSearch(t, bot, a.Paragraphs[0]); len(got) == 0 || got[0].Title != a.Title {
			t.Errorf("search for %q after the reload found %v", a.Title, titles(got))
		}
	}
}
