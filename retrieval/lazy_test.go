package retrieval

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/citebot/citebot/internal/testlog"
)

// loadedNames returns the scopes whose indexes are loaded.
func loadedNames(s *Store) map[string]bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := map[string]bool{}
	for name := range s.loaded {
		out[name] = true
	}
	return out
}

// TestScopesLoadWhenSearched: Open builds no index; a search loads the
// scopes it reads and no other; what was written to a scope before it
// was loaded is found; a search's result does not depend on which other
// scopes are loaded.
func TestScopesLoadWhenSearched(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openStore(t, dir)
	mustAdd(t, s, SharedScope, corpus[0])
	mustAdd(t, s, GuildScope("1"), corpus[1])
	mustAdd(t, s, GuildScope("2"), corpus[2])
	if got := loadedNames(s); len(got) != 0 {
		t.Fatalf("writes loaded scopes %v", got)
	}
	s.Close()

	s = openStore(t, dir)
	if st, err := s.Stats(t.Context()); err != nil || st.LoadedScopes != 0 || st.LexicalRows != 0 || st.Articles != 3 {
		t.Fatalf("after Open: %+v, %v; want 3 articles and no scope loaded", st, err)
	}
	scopes, err := s.Scopes(t.Context())
	if err != nil || len(scopes) != 3 || len(loadedNames(s)) != 0 {
		t.Fatalf("Scopes = %v, %v; loaded %v", scopes, err, loadedNames(s))
	}
	alone := mustSearch(t, s, "Why were homes evacuated in Millbrook?", SharedScope)
	ps := mustSearch(t, s, corpus[1].Paragraphs[0], GuildScope("1"), SharedScope)
	if len(ps) == 0 || ps[0].ArticleID != corpus[1].ID {
		t.Fatalf("search in guild 1 found %q", titles(ps))
	}
	if got := loadedNames(s); len(got) != 2 || !got[SharedScope] || !got[GuildScope("1")] {
		t.Errorf("loaded %v, want shared and guild:1 only", got)
	}
	// Written while guild 3 is not loaded: found when it is.
	mustAdd(t, s, GuildScope("3"), corpus[3])
	if ps := mustSearch(t, s, corpus[3].Paragraphs[0], GuildScope("3")); len(ps) == 0 || ps[0].ArticleID != corpus[3].ID {
		t.Errorf("an article added before its scope was loaded is not found: %q", titles(ps))
	}
	if err := s.Preload(t.Context()); err != nil {
		t.Fatal(err)
	}
	again := mustSearch(t, s, "Why were homes evacuated in Millbrook?", SharedScope)
	if fmt.Sprint(alone) != fmt.Sprint(again) {
		t.Errorf("loading other scopes changed a search of shared:\n%v\n%v", alone, again)
	}
	st := checkStats(t, s, 4, 4*3)
	if st.LoadedScopes != 4 || st.LoadedChunks != st.Chunks {
		t.Errorf("after Preload: %+v", st)
	}
}

// TestConcurrentFirstSearchesLoadOnce: many first searches of one scope
// wait for one load, and the store's own writes that land while the
// scope loads are never lost.
func TestConcurrentFirstSearchesLoadOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fillStore(t, dir)
	var logs testlog.Buffer
	s := openStoreWith(t, dir, Options{Embedder: NewLocalEmbedder(), Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if _, err := s.Search(t.Context(), "river flood evacuation", SearchOptions{}); err != nil {
				t.Error(err)
			}
			if i%2 == 0 {
				a := article(fmt.Sprintf("Bulletin %d", i), "Wire", fmt.Sprintf("Bulletin number %d about the ferry timetable.", i))
				if _, err := s.Add(t.Context(), SharedScope, a, chunks(a)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	// Writes to a scope while its first searches load it.
	wg.Go(func() {
		for i := range 20 {
			a := article(fmt.Sprintf("Harbour note %d", i), "Coast", fmt.Sprintf("Harbour note %d on the tides.", i))
			if _, err := s.Add(t.Context(), GuildScope("4"), a, chunks(a)); err != nil {
				t.Error(err)
			}
		}
	})
	for range 4 {
		wg.Go(func() {
			if _, err := s.Search(t.Context(), "harbour tides", SearchOptions{Scopes: []string{GuildScope("4")}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := strings.Count(logs.String(), `"scope index loaded" scope=shared`); n != 1 {
		t.Errorf("shared loaded %d times, want once:\n%s", n, logs.String())
	}
	s.mu.RLock()
	x := s.loaded[GuildScope("4")]
	s.mu.RUnlock()
	if x == nil {
		t.Fatal("guild:4 not loaded by its searches")
	}
	// Each harbour note is one chunk: the loaded index holds all 20.
	if x.lex.docs != 20 || x.vec.count() != 20 {
		t.Errorf("guild:4 indexes hold %d and %d chunks, want the 20 written", x.lex.docs, x.vec.count())
	}
	checkStats(t, s, len(corpus)+4+20, 3*len(corpus)+4+20)
}

// TestRefreshReadsLoadedScopesOnly: another process's write to a scope
// this one has not loaded costs Refresh nothing, and is found when the
// scope loads.
func TestRefreshReadsLoadedScopesOnly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bot := openStore(t, dir)
	cli := openStore(t, dir)
	if err := bot.Preload(t.Context(), SharedScope); err != nil {
		t.Fatal(err)
	}
	mustAdd(t, cli, GuildScope("9"), corpus[4])
	if changed, err := bot.Refresh(t.Context()); err != nil || changed {
		t.Errorf("Refresh after a write to a scope not loaded = %v, %v; want false", changed, err)
	}
	if got := loadedNames(bot); len(got) != 1 {
		t.Errorf("Refresh loaded %v", got)
	}
	if ps := mustSearch(t, bot, corpus[4].Paragraphs[0], GuildScope("9")); len(ps) == 0 || ps[0].ArticleID != corpus[4].ID {
		t.Errorf("the other process's article is not found: %q", titles(ps))
	}
}

// TestLoadingHookWrapsEachLoad: Options.Loading is called as each scope
// starts to be built from its chunks and its function when the build
// ends.
func TestLoadingHookWrapsEachLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fillStore(t, dir)
	var mu sync.Mutex
	started, ended := 0, 0
	s := openStoreWith(t, dir, Options{Embedder: NewLocalEmbedder(), Loading: func() func() {
		mu.Lock()
		started++
		mu.Unlock()
		return func() {
			mu.Lock()
			ended++
			mu.Unlock()
		}
	}})
	mustSearch(t, s, "river")
	mustSearch(t, s, "river", GuildScope("5"), SharedScope)
	mustSearch(t, s, "river")
	mu.Lock()
	defer mu.Unlock()
	if started != 2 || ended != 2 {
		t.Errorf("Loading called %d times, done %d; want 2 and 2 (shared, guild:5)", started, ended)
	}
}
