package retrieval

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/text"
)

// counts returns the number of chunks of (scope, id) in the chunks table,
// the lexical index (chunks holding token, which every chunk of the
// article contains) and the vector index (the latter for the whole scope).
func counts(t *testing.T, s *Store, scope, id, token string) (rows, lexical, vectors int) {
	t.Helper()
	ctx := t.Context()
	ids, err := scanIDs(s.db.QueryContext(ctx, `SELECT id FROM chunks WHERE scope = ? AND article_id = ?`, scope, id))
	if err != nil {
		t.Fatal(err)
	}
	holders := lexicalHolders(t, s, scope, token)
	for _, id := range ids {
		if holders[id] {
			lexical++
		}
	}
	return len(ids), lexical, vecCount(t, s, scope)
}

// lexicalHolders returns the row IDs of the chunks of scope that the
// lexical index lists under word.
func lexicalHolders(t *testing.T, s *Store, scope, word string) map[int64]bool {
	t.Helper()
	out := make(map[int64]bool)
	sc := scopeOf(t, s, scope).lex
	s.mu.RLock()
	defer s.mu.RUnlock()
	term, ok := sc.term[text.Stem(word)]
	if !ok {
		return out
	}
	for _, p := range sc.post[term] {
		if id := sc.ids[p.doc]; id >= 0 {
			out[id] = true
		}
	}
	return out
}

func TestReopenKeepsDataAndIndex(t *testing.T) { forBackends(t, testReopenKeepsDataAndIndex) }

func testReopenKeepsDataAndIndex(t *testing.T, b backend) {
	dir := b.place(t)
	s, err := b.open(t.Context(), dir, Options{Embedder: NewLocalEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range corpus {
		mustAdd(t, s, SharedScope, a)
	}
	before := mustSearch(t, s, "Why were homes evacuated in Millbrook?")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if b.name == "sqlite" {
		if _, err := os.Stat(filepath.Join(dir, "citebot.db")); err != nil {
			t.Fatalf("store file: %v", err)
		}
	}

	s = b.openStore(t, dir)
	arts, err := s.Articles(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != len(corpus) {
		t.Fatalf("after reopen: %d articles, want %d", len(arts), len(corpus))
	}
	for _, ai := range arts {
		if ai.Chunks != 3 || ai.Scope != SharedScope || ai.Ingested.IsZero() || ai.Title == "" {
			t.Errorf("after reopen: %+v", ai)
		}
	}
	if n := vecCount(t, s, SharedScope); n != 3*len(corpus) {
		t.Errorf("vector index after reopen holds %d chunks, want %d", n, 3*len(corpus))
	}
	after := mustSearch(t, s, "Why were homes evacuated in Millbrook?")
	if !slices.EqualFunc(before, after, func(a, b Passage) bool { return a.ChunkID == b.ChunkID && a.Score == b.Score }) {
		t.Errorf("search changed across reopen:\nbefore %q\nafter  %q", titles(before), titles(after))
	}
}

func TestAddReplacesAtomically(t *testing.T) { forBackends(t, testAddReplacesAtomically) }

func testAddReplacesAtomically(t *testing.T, b backend) {
	s := b.openStore(t, b.place(t))
	old := article("Marker story", "Wire", "marker alpha one.", "marker alpha two.", "marker alpha three.", "marker alpha four.")
	if st := mustAdd(t, s, SharedScope, old); st != Added {
		t.Fatalf("first Add = %v, want Added", st)
	}
	if r, f, v := counts(t, s, SharedScope, old.ID, "marker"); r != 4 || f != 4 || v != 4 {
		t.Fatalf("after first Add: rows %d, fts %d, vectors %d; want 4 each", r, f, v)
	}

	updated := old
	updated.Paragraphs = []string{"marker beta one.", "marker beta two."}
	if st := mustAdd(t, s, SharedScope, updated); st != Updated {
		t.Fatalf("second Add = %v, want Updated", st)
	}
	if r, f, v := counts(t, s, SharedScope, old.ID, "marker"); r != 2 || f != 2 || v != 2 {
		t.Errorf("after replace: rows %d, fts %d, vectors %d; want 2 each", r, f, v)
	}
	for _, q := range []string{"alpha", "beta"} {
		for _, p := range mustSearch(t, s, q) {
			if strings.Contains(p.Text, "alpha") {
				t.Errorf("search %q found replaced text %q", q, p.Text)
			}
		}
	}
	if ps := mustSearch(t, s, "beta"); len(ps) != 2 {
		t.Errorf("search beta: %d passages, want the 2 new chunks", len(ps))
	}
}

func TestAddUnchangedIsNoOp(t *testing.T) { forBackends(t, testAddUnchangedIsNoOp) }

func testAddUnchangedIsNoOp(t *testing.T, b backend) {
	emb := &countingEmbedder{Embedder: NewLocalEmbedder()}
	s := b.openStoreWith(t, b.place(t), Options{Embedder: emb})
	a := corpus[0]
	if st := mustAdd(t, s, SharedScope, a); st != Added {
		t.Fatalf("Add = %v, want Added", st)
	}
	arts, _ := s.Articles(t.Context(), nil)
	embedded := emb.texts.Load()
	if st := mustAdd(t, s, SharedScope, a); st != Unchanged {
		t.Fatalf("second Add = %v, want Unchanged", st)
	}
	if emb.texts.Load() != embedded {
		t.Error("Unchanged Add embedded the chunks again")
	}
	again, _ := s.Articles(t.Context(), nil)
	if !again[0].Ingested.Equal(arts[0].Ingested) {
		t.Error("Unchanged Add rewrote the article")
	}
	// The same article in another scope is a separate article.
	if st := mustAdd(t, s, GuildScope("1"), a); st != Added {
		t.Errorf("Add in another scope = %v, want Added", st)
	}
}

func TestAddBatchesEmbedding(t *testing.T) {
	t.Parallel()
	emb := &countingEmbedder{Embedder: NewLocalEmbedder()}
	s := openStoreWith(t, t.TempDir(), Options{Embedder: emb})
	paras := make([]string, 600)
	for i := range paras {
		paras[i] = "Paragraph number " + strings.Repeat("x", i%7+1) + " of a long report."
	}
	a := article("Long report", "", paras...)
	mustAdd(t, s, SharedScope, a)
	if got := emb.calls.Load(); got != 3 {
		t.Errorf("600 chunks took %d Embed calls, want 3 (batches of 256)", got)
	}
}

func TestAddEmbeddingFailureWritesNothing(t *testing.T) {
	forBackends(t, testAddEmbeddingFailureWritesNothing)
}

func testAddEmbeddingFailureWritesNothing(t *testing.T, b backend) {
	dir := b.place(t)
	s := b.openStore(t, dir)
	mustAdd(t, s, SharedScope, corpus[0])
	s.Close()

	s2, err := b.open(t.Context(), dir, Options{Embedder: failingEmbedder{NewLocalEmbedder()}})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	changed := corpus[0]
	changed.Paragraphs = []string{"Entirely new text."}
	for _, a := range []ingest.Article{corpus[1], changed} {
		if _, err := s2.Add(t.Context(), SharedScope, a, chunks(a)); !errors.Is(err, errEmbed) {
			t.Errorf("Add %q with failing embedder: %v, want the embedder's error", a.Title, err)
		}
	}
	arts, err := s2.Articles(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 1 || arts[0].Chunks != 3 {
		t.Errorf("after failed Adds: %+v, want the first article with its 3 chunks", arts)
	}
}

func TestAddRejectsBadInput(t *testing.T) { forBackends(t, testAddRejectsBadInput) }

func testAddRejectsBadInput(t *testing.T, b backend) {
	s := b.openStore(t, b.place(t))
	a := corpus[0]
	other := chunks(corpus[1])
	noID := a
	noID.ID = ""
	tests := []struct {
		name   string
		scope  string
		a      ingest.Article
		chunks []ingest.Chunk
	}{
		{"bad scope", "guild:", a, chunks(a)},
		{"unknown scope", "everyone", a, chunks(a)},
		{"no id", SharedScope, noID, chunks(a)},
		{"no chunks", SharedScope, a, nil},
		{"chunks of another article", SharedScope, a, other},
	}
	for _, tt := range tests {
		if _, err := s.Add(t.Context(), tt.scope, tt.a, tt.chunks); err == nil {
			t.Errorf("%s: Add succeeded", tt.name)
		}
	}
	if arts, _ := s.Articles(t.Context(), []string{SharedScope, GuildScope("1")}); len(arts) != 0 {
		t.Errorf("rejected Adds stored %d articles", len(arts))
	}
}

func TestScopeIsolation(t *testing.T) { forBackends(t, testScopeIsolation) }

func testScopeIsolation(t *testing.T, b backend) {
	s := b.openStore(t, b.place(t))
	guildA, guildB := GuildScope("111"), GuildScope("222")
	secretA := article("Guild A secret plans", "", "marker The zeppelin festival happens at the old quarry.")
	secretB := article("Guild B secret plans", "", "marker The zeppelin festival happens at the lighthouse.")
	public := article("Shared zeppelin history", "", "marker The first zeppelin flew in 1900.")
	mustAdd(t, s, guildA, secretA)
	mustAdd(t, s, guildB, secretB)
	mustAdd(t, s, SharedScope, public)

	tests := []struct {
		scope string
		want  []string
	}{
		{guildA, []string{"Guild A secret plans", "Shared zeppelin history"}},
		{guildB, []string{"Guild B secret plans", "Shared zeppelin history"}},
		{SharedScope, []string{"Shared zeppelin history"}},
		{GuildScope("333"), []string{"Shared zeppelin history"}},
	}
	for _, tt := range tests {
		ps := mustSearch(t, s, "zeppelin festival quarry lighthouse", SearchScopes(tt.scope)...)
		got := titles(ps)
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("search in %s sees %q, want %q", tt.scope, got, tt.want)
		}
		arts, err := s.Articles(t.Context(), SearchScopes(tt.scope))
		if err != nil {
			t.Fatal(err)
		}
		var at []string
		for _, ai := range arts {
			at = append(at, ai.Title)
		}
		slices.Sort(at)
		if !slices.Equal(at, tt.want) {
			t.Errorf("Articles in %s = %q, want %q", tt.scope, at, tt.want)
		}
	}
	// Forgetting in the wrong scope must not touch another guild's article.
	if err := s.Forget(t.Context(), guildB, secretA.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Forget of guild A's article from guild B: %v, want ErrNotFound", err)
	}
	if _, err := s.Search(t.Context(), "zeppelin", SearchOptions{Scopes: []string{"guild:1 OR 1=1"}}); err == nil {
		t.Error("search with an invalid scope succeeded")
	}
}

func TestForget(t *testing.T) { forBackends(t, testForget) }

func testForget(t *testing.T, b backend) {
	dir := b.place(t)
	s := b.openStore(t, dir)
	a := article("Marker to forget", "", "marker walrus one.", "marker walrus two.")
	mustAdd(t, s, SharedScope, a)
	mustAdd(t, s, SharedScope, corpus[1])
	if err := s.Forget(t.Context(), SharedScope, a.ID); err != nil {
		t.Fatal(err)
	}
	if r, f, _ := counts(t, s, SharedScope, a.ID, "marker"); r != 0 || f != 0 {
		t.Errorf("after Forget: rows %d, fts %d", r, f)
	}
	if n := vecCount(t, s, SharedScope); n != 3 {
		t.Errorf("vector index holds %d chunks after Forget, want 3", n)
	}
	for _, p := range mustSearch(t, s, "walrus") {
		if p.ArticleID == a.ID {
			t.Errorf("forgotten article found: %q", p.Text)
		}
	}
	if err := s.Forget(t.Context(), SharedScope, a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Forget: %v, want ErrNotFound", err)
	}
	// Forgetting and then re-adding the same article works.
	if st := mustAdd(t, s, SharedScope, a); st != Added {
		t.Errorf("re-Add after Forget = %v, want Added", st)
	}
}

func TestEmbedderMismatchAndReindex(t *testing.T) { forBackends(t, testEmbedderMismatchAndReindex) }

func testEmbedderMismatchAndReindex(t *testing.T, b backend) {
	dir := b.place(t)
	s := b.openStore(t, dir)
	for _, a := range corpus {
		mustAdd(t, s, SharedScope, a)
	}
	s.Close()

	other := otherEmbedder{NewLocalEmbedder()}
	_, err := b.open(t.Context(), dir, Options{Embedder: other})
	if !errors.Is(err, ErrEmbedderMismatch) {
		t.Fatalf("Open with another embedder: %v, want ErrEmbedderMismatch", err)
	}
	for _, want := range []string{"local-ngram-v1", "other-v2", "citebot reindex", b.where(dir)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("mismatch error %q does not mention %q", err, want)
		}
	}

	s2, err := b.open(t.Context(), dir, Options{Embedder: other, AllowMismatch: true})
	if err != nil {
		t.Fatalf("Open with AllowMismatch: %v", err)
	}
	defer s2.Close()
	if _, err := s2.Search(t.Context(), "flood", SearchOptions{}); !errors.Is(err, ErrEmbedderMismatch) {
		t.Errorf("Search before reindex: %v, want ErrEmbedderMismatch", err)
	}
	if _, err := s2.Add(t.Context(), SharedScope, corpus[0], chunks(corpus[0])); !errors.Is(err, ErrEmbedderMismatch) {
		t.Errorf("Add before reindex: %v, want ErrEmbedderMismatch", err)
	}
	if arts, err := s2.Articles(t.Context(), nil); err != nil || len(arts) != len(corpus) {
		t.Errorf("Articles before reindex: %d, %v", len(arts), err)
	}
	if err := s2.Reindex(t.Context()); err != nil {
		t.Fatalf("Reindex: %v", err)
	}
	if ps := mustSearch(t, s2, "river flood evacuation"); len(ps) == 0 || ps[0].Title != corpus[0].Title {
		t.Errorf("search after reindex: %q", titles(ps))
	}
	s2.Close()

	// The store now belongs to the new embedder, and refuses the old one.
	s3, err := b.open(t.Context(), dir, Options{Embedder: other})
	if err != nil {
		t.Fatalf("reopen with the reindexed embedder: %v", err)
	}
	s3.Close()
	old, err := b.open(t.Context(), dir, Options{Embedder: NewLocalEmbedder()})
	if err == nil {
		old.Close()
	}
	if !errors.Is(err, ErrEmbedderMismatch) {
		t.Errorf("reopen with the old embedder: %v, want ErrEmbedderMismatch", err)
	}
}

func TestEmptyStoreAdoptsNewEmbedder(t *testing.T) { forBackends(t, testEmptyStoreAdoptsNewEmbedder) }

func testEmptyStoreAdoptsNewEmbedder(t *testing.T, b backend) {
	dir := b.place(t)
	b.openStore(t, dir).Close()
	other := otherEmbedder{NewLocalEmbedder()}
	s := b.openStoreWith(t, dir, Options{Embedder: other})
	mustAdd(t, s, SharedScope, corpus[0])
	for key, want := range map[string]string{metaEmbedder: other.Name(), metaDims: strconv.Itoa(other.Dimensions())} {
		if got, err := getMeta(t.Context(), s.db, key); err != nil || got != want {
			t.Errorf("meta %s = %q, %v; want %q (the new embedder recorded)", key, got, err, want)
		}
	}
	s.Close()
	// Reopened with the local embedder, the store now refuses it: the new
	// one is what it was built with.
	old, err := b.open(t.Context(), dir, Options{Embedder: NewLocalEmbedder()})
	if err == nil {
		old.Close()
	}
	if !errors.Is(err, ErrEmbedderMismatch) {
		t.Errorf("reopen with the old embedder: %v, want ErrEmbedderMismatch", err)
	}
}

func TestDamagedStoreFile(t *testing.T) {
	t.Parallel()
	garbage := []byte(strings.Repeat("this is not a database\n", 400))
	tests := []struct {
		name  string
		write func(t *testing.T, path string)
	}{
		{"garbage", func(t *testing.T, path string) {
			if err := os.WriteFile(path, garbage, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"truncated", func(t *testing.T, path string) {
			fillStore(t, filepath.Dir(path))
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, info.Size()/2); err != nil {
				t.Fatal(err)
			}
		}},
		{"overwritten pages", func(t *testing.T, path string) {
			fillStore(t, filepath.Dir(path))
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt(garbage, 4096); err != nil { // from page 2 on
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "citebot.db")
			tt.write(t, path)
			s, err := Open(t.Context(), dir, Options{Embedder: NewLocalEmbedder()})
			if err == nil {
				s.Close()
				t.Fatal("Open of a damaged store succeeded")
			}
			t.Log(err)
			if !errors.Is(err, ErrDamaged) {
				t.Errorf("error %q does not wrap ErrDamaged", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name %s", err, path)
			}
		})
	}
}

// fillStore writes the corpus into a store in dir and closes it.
func fillStore(t *testing.T, dir string) {
	t.Helper()
	s, err := Open(t.Context(), dir, Options{Embedder: NewLocalEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range corpus {
		mustAdd(t, s, SharedScope, a)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	if _, err := Open(t.Context(), t.TempDir(), Options{}); err == nil {
		t.Error("Open without an embedder succeeded")
	}
	if _, err := Open(t.Context(), "", Options{Embedder: NewLocalEmbedder()}); err == nil {
		t.Error("Open without a directory succeeded")
	}
	file := filepath.Join(t.TempDir(), "plain-file")
	os.WriteFile(file, []byte("x"), 0o600)
	if _, err := Open(t.Context(), file, Options{Embedder: NewLocalEmbedder()}); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("Open of a file as directory: %v", err)
	}
	// A directory name with spaces and URI characters works.
	s := openStore(t, filepath.Join(t.TempDir(), "my data?dir #1"))
	mustAdd(t, s, SharedScope, corpus[0])
}
