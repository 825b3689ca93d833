package retrieval

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// scopeIndex is the search index of one scope: its lexical and vector
// indexes, and the scope's write generation they reflect.
//
// Scopes are indexed lazily: Open builds none; the first Search (or
// TermCounts, or Preload) of a scope loads it — from its snapshot when one
// matches the scope's generation, else from the chunks — once, however
// many searches wait for it; a bot serving a few servers indexes only
// theirs and shared. Commits update the loaded scopes only: a scope not
// yet loaded reads the committed rows when it is.
type scopeIndex struct {
	name string
	lex  *lexScope
	vec  *vecScope
	// gen is the scope generation the indexes reflect (guarded by
	// Store.mu): commits move it; a different one in the store means
	// another process wrote to the scope (see Refresh).
	gen int64
	// damaged: articles were left out (excludeDamaged); such a scope is
	// never snapshotted, so the warning is logged at each load.
	damaged bool
	// saved: the snapshot on disk holds gen (guarded by Store.mu).
	saved bool
}

// loadCall is one scope's load under way; done is closed when it ends.
type loadCall struct {
	done chan struct{}
	err  error
}

// Preload loads the search indexes of scopes now (all scopes holding
// articles when none are given), so that their first searches do not
// wait for them. Scopes already loaded cost nothing.
func (s *Store) Preload(ctx context.Context, scopes ...string) error {
	if len(scopes) == 0 {
		all, err := s.Scopes(ctx)
		if err != nil {
			return fmt.Errorf("preload: %w", err)
		}
		if len(all) == 0 {
			return nil
		}
		scopes = all
	}
	for _, sc := range scopes {
		if !ValidScope(sc) {
			return fmt.Errorf("preload: invalid scope %q", sc)
		}
	}
	if err := s.ensureScopes(ctx, scopes); err != nil {
		return fmt.Errorf("preload: %w", err)
	}
	return nil
}

// rlockScopes loads scopes if needed and returns their indexes with s.mu
// held shared: the caller unlocks it (only when err is nil).
func (s *Store) rlockScopes(ctx context.Context, scopes []string) ([]*scopeIndex, error) {
	for {
		if err := s.ensureScopes(ctx, scopes); err != nil {
			return nil, err
		}
		s.mu.RLock()
		if err := s.usable(); err != nil {
			s.mu.RUnlock()
			return nil, err
		}
		out := make([]*scopeIndex, 0, len(scopes))
		for _, sc := range scopes {
			if x := s.loaded[sc]; x != nil {
				out = append(out, x)
			}
		}
		if len(out) == len(scopes) {
			return out, nil
		}
		// Dropped meanwhile (a reindex switched the embedder): load again.
		s.mu.RUnlock()
	}
}

// ensureScopes starts the loads scopes need (side by side) and waits for
// them, or for ctx.
func (s *Store) ensureScopes(ctx context.Context, scopes []string) error {
	var calls []*loadCall
	for _, sc := range scopes {
		c, err := s.startLoad(sc)
		if err != nil {
			return err
		}
		if c != nil {
			calls = append(calls, c)
		}
	}
	for _, c := range calls {
		select {
		case <-c.done:
			if c.err != nil {
				return c.err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// startLoad returns the load of scope under way, starting it if needed;
// nil when the scope is loaded.
func (s *Store) startLoad(scope string) (*loadCall, error) {
	s.loadMu.Lock()
	defer s.loadMu.Unlock()
	s.mu.RLock()
	x, err := s.loaded[scope], s.usable()
	s.mu.RUnlock()
	if err != nil || x != nil {
		return nil, err
	}
	if c := s.loading[scope]; c != nil {
		return c, nil
	}
	c := &loadCall{done: make(chan struct{})}
	s.loading[scope] = c
	s.bg.Go(func() {
		// The load belongs to the store, not to the search that started
		// it: every search of the scope waits for it; Close ends it.
		c.err = s.loadScope(s.life, scope)
		s.loadMu.Lock()
		delete(s.loading, scope)
		s.loadMu.Unlock()
		close(c.done)
	})
	return c, nil
}

// loadScope reads the indexes of scope and installs them. A commit of
// this process that lands while they are read makes it read them again
// (the commit updated only loaded scopes); the third try holds the write
// lock, so it cannot miss one.
func (s *Store) loadScope(ctx context.Context, scope string) error {
	start := time.Now()
	for attempt := 0; ; attempt++ {
		last := attempt >= 2
		if last {
			s.writeMu.Lock()
		}
		s.mu.RLock()
		epoch := s.epoch
		s.mu.RUnlock()
		x, err := s.readScope(ctx, scope)
		var (
			installed, save bool
			passages        int
		)
		if err == nil {
			// Read before it is installed: commits change it from then on.
			save, passages = !x.saved && !x.damaged, x.lex.docs
			s.mu.Lock()
			switch {
			case s.closed:
				err = fmt.Errorf("store %s: %w", s.path, errClosed)
			case last || s.epoch == epoch && s.committed[scope] <= x.gen:
				s.loaded[scope] = x
				installed = true
			}
			s.mu.Unlock()
		}
		if last {
			s.writeMu.Unlock()
		}
		if err != nil {
			return fmt.Errorf("load the index of %s: %w", scope, err)
		}
		if installed {
			s.log.Debug("scope index loaded", "scope", scope, "passages", passages, "from_snapshot", !save && !x.damaged, "took", time.Since(start))
			if save {
				s.bg.Go(func() { s.saveSnapshot(x) })
			}
			return nil
		}
	}
}

// readScope returns the indexes of scope as the store holds them: from
// the scope's snapshot when the store names it as the one of the scope's
// current generation, else built from the chunks.
func (s *Store) readScope(ctx context.Context, scope string) (*scopeIndex, error) {
	gen, token, err := scopeGeneration(ctx, s.db, scope)
	if err != nil {
		return nil, s.fileError(err)
	}
	if s.snapDir != "" && token != "" {
		x, err := s.readSnapshot(scope, gen, token)
		if err == nil {
			return x, nil
		}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			s.log.Info("index snapshot missing; building the scope from the store", "scope", scope, "err", err)
		case errors.Is(err, errSnapshotVersion):
			s.log.Info("index snapshot of an earlier version; building the scope from the store once", "scope", scope, "err", err)
		default:
			s.log.Warn("index snapshot unusable; building the scope from the store", "scope", scope, "err", err)
		}
	}
	if s.loadHook != nil {
		defer s.loadHook()()
	}
	x, err := s.buildScope(ctx, scope)
	if err != nil {
		return nil, err
	}
	// The chunks were read by one statement; the generation read before
	// it names their state when it has not moved since. When it has, the
	// older one is kept: a later Refresh then reads the scope again.
	x.gen = gen
	return x, nil
}

// loadedScopes returns the loaded scopes. Callers hold s.mu.
func (s *Store) loadedScopes() []*scopeIndex {
	out := make([]*scopeIndex, 0, len(s.loaded))
	for _, x := range s.loaded {
		out = append(out, x)
	}
	return out
}

// lexOf and vecOf return the lexical and vector indexes of xs.
func lexOf(xs []*scopeIndex) []*lexScope {
	out := make([]*lexScope, len(xs))
	for i, x := range xs {
		out[i] = x.lex
	}
	return out
}

func vecOf(xs []*scopeIndex) ([]*vecScope, []string) {
	out, names := make([]*vecScope, len(xs)), make([]string, len(xs))
	for i, x := range xs {
		out[i], names[i] = x.vec, x.name
	}
	return out, names
}
