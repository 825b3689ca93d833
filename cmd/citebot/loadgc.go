package main

import (
	"runtime/debug"
	"sync"
)

// loadGCPercent is the garbage collector's GOGC while the store opens and
// loads a scope's search indexes (retrieval.Options.Loading, Store.Refresh). Loading decodes every
// row once and keeps most of it, so collecting the garbage sooner than
// usual meanwhile keeps the process's peak memory near what it keeps (the
// README's peak memory while reopening is measured this way).
const loadGCPercent = 20

var (
	gcMu     sync.Mutex
	gcLoads  int // loads under way
	gcBefore int // GOGC before the first of them
)

// tightGC sets GOGC to loadGCPercent until the returned function is
// called (by every concurrent caller: the last restores the setting).
func tightGC() (restore func()) {
	gcMu.Lock()
	defer gcMu.Unlock()
	if gcLoads == 0 {
		gcBefore = debug.SetGCPercent(loadGCPercent)
	}
	gcLoads++
	return func() {
		gcMu.Lock()
		defer gcMu.Unlock()
		if gcLoads--; gcLoads == 0 {
			debug.SetGCPercent(gcBefore)
		}
	}
}
