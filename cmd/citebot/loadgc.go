package main

import (
	"runtime/debug"
	"sync"
)

// loadGCPercent is the garbage collector's GOGC while the store builds a
// scope's search indexes from its chunks (retrieval.Options.Loading: at
// the scope's first search, or when Refresh reads it again). A build
// decodes every row once and keeps most of it, so collecting the garbage
// sooner than usual meanwhile keeps the process's peak memory near what
// it keeps; reading a snapshot makes little garbage, and is left alone.
const loadGCPercent = 20

// servingGCPercent is GOGC in the commands that keep search indexes for
// long (serve, eval) unless the environment sets GOGC. The indexes live as
// long as the process, and Go's default (100) lets the heap grow to twice
// what is live before collecting: on 83,000 passages the serving process
// peaked at 544 MiB with 100, 349 MiB with 25 (retrieval/README.md). Since
// the vectors moved outside the heap, 327 and 279 MiB (1.43× and 1.22× the
// raw vectors and text), for a search p50 of 22 and 23 ms in paired runs.
const servingGCPercent = 25

// servingGC reports the GOGC a process running args should set, if any.
func servingGC(args []string, lookupEnv func(string) (string, bool)) (int, bool) {
	if _, set := lookupEnv("GOGC"); set || len(args) == 0 {
		return 0, false
	}
	switch args[0] {
	case "serve", "eval":
		return servingGCPercent, true
	}
	return 0, false
}

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
