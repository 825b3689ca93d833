package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/retrieval"
)

// TestCrashSafety ingests, re-ingests (updates), forgets and reindexes
// articles with the real citebot binary, SIGKILLs it at random (seeded)
// points, and after every kill reopens the store in-process and checks
// that it opens, that every article is either whole (exactly the chunks of one of its
// versions, and findable by search) or absent, that the articles, chunks,
// lexical index and vector index agree, and that search works. Set
// CITEBOT_CRASH_SEED to replay another sequence.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the citebot binary; skipped with -short")
	}
	t.Parallel()
	seed := uint64(7)
	if s := os.Getenv("CITEBOT_CRASH_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("CITEBOT_CRASH_SEED: %v", err)
		}
		seed = n
	}
	t.Logf("seed %d (set CITEBOT_CRASH_SEED to change)", seed)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()

	c := &crashRig{t: t, ctx: ctx, rng: rng, bin: buildCitebot(t, ctx), src: t.TempDir(), data: t.TempDir(), home: t.TempDir()}
	const nArticles = 200
	c.articles = make([]*crashArticle, nArticles)
	for i := range c.articles {
		c.articles[i] = c.newArticle(i)
		c.write(c.articles[i], 0)
	}

	// 1. Ingest, killed again and again; each run gets further.
	for range 12 {
		c.killIngest()
		c.check()
	}
	c.runOK("ingest", "--data-dir", c.data, c.src)
	if present := c.check(); len(present) != nArticles {
		t.Fatalf("after a full ingest %d of %d articles are stored", len(present), nArticles)
	}

	// 2. Re-ingest with changed content (same URL: an update), killed.
	for _, a := range c.articles {
		if rng.IntN(2) == 0 {
			c.write(a, 1)
		}
	}
	for range 10 {
		c.killIngest()
		c.check()
	}
	c.runOK("ingest", "--data-dir", c.data, c.src)
	for id, v := range c.check() {
		if want := c.byID[id].current; v != want {
			t.Errorf("after a full re-ingest %s is at version %d, want %d", id, v, want)
		}
	}

	// 3. Forget, killed at random points of the process's life.
	took := c.timed("sources", "--data-dir", c.data)
	for range 8 {
		present := c.check()
		ids := slices.Sorted(func(yield func(string) bool) {
			for id := range present {
				if !yield(id) {
					return
				}
			}
		})
		id := ids[rng.IntN(len(ids))]
		c.killAfter(time.Duration(rng.Int64N(int64(took)*3/2)), "forget", "--data-dir", c.data, id)
	}
	c.check()

	// 4. Reindex, killed at random points: whatever batches it saved, the
	// store keeps its embeddings whole until the switch. (Same embedder:
	// the side table and the switch run all the same.)
	took = c.timed("reindex", "--data-dir", c.data)
	for range 6 {
		c.killAfter(time.Duration(rng.Int64N(int64(took)*3/2)), "reindex", "--data-dir", c.data)
		c.check()
	}
	c.runOK("reindex", "--data-dir", c.data)
	c.check()

	// 5. Ask, killed at random points (a fresh ask builds the scope's
	// index and writes its snapshot, which check also does): a snapshot
	// half written is never read; a damaged one is rebuilt and logged.
	c.runOK("forget", "--data-dir", c.data, c.articles[0].id) // the snapshot is stale now
	took = c.timed("ask", "--data-dir", c.data, "Which council report was read?")
	for range 4 {
		c.killAfter(time.Duration(rng.Int64N(int64(took)*3/2)), "ask", "--data-dir", c.data, "Which river bridge was built?")
		c.check()
	}
	c.damageSnapshot()
	c.check()
	if c.kills == 0 || c.completed == 0 {
		t.Errorf("%d runs killed, %d finished: the kill points do not vary", c.kills, c.completed)
	}
	t.Logf("%d runs killed mid-way, %d finished before their kill", c.kills, c.completed)
}

// crashRig holds the state of TestCrashSafety.
type crashRig struct {
	t               *testing.T
	ctx             context.Context
	rng             *rand.Rand
	bin             string
	src, data, home string
	articles        []*crashArticle
	byID            map[string]*crashArticle
	kills           int
	completed       int
	// damaged: the snapshot of shared was damaged on purpose; the next
	// check expects it rebuilt and logged.
	damaged bool
}

// damageSnapshot flips a byte in the middle of shared's index snapshot.
func (c *crashRig) damageSnapshot() {
	c.t.Helper()
	path := filepath.Join(c.data, "index", "shared.idx")
	b, err := os.ReadFile(path)
	if err != nil {
		c.t.Fatalf("no snapshot after a check: %v", err)
	}
	b[len(b)/2] ^= 0x40
	if err := os.WriteFile(path, b, 0o600); err != nil {
		c.t.Fatal(err)
	}
	c.damaged = true
}

// crashArticle is one generated article with its versions.
type crashArticle struct {
	file     string
	id       string
	words    []string   // made-up words found only in this article
	texts    []string   // file content of each version
	chunks   [][]string // expected chunk texts of each version
	current  int        // version on disk
	maxWrote int        // highest version ever written to disk
}

var crashVocabulary = strings.Fields(`council river harbour bridge school market festival report budget
	transit weather library hospital ferry station election museum farmers water road park storm`)

var crashSyllables = strings.Fields("ka lo mi ru ten zor vex bal quin dra fel nop sar tiv gul hem jor pax wyn ost")

// newArticle makes article i: three made-up words of its own, in every
// paragraph, so a search for them finds it and no other.
func (c *crashRig) newArticle(i int) *crashArticle {
	a := &crashArticle{file: filepath.Join(c.src, fmt.Sprintf("article-%03d.txt", i))}
	for len(a.words) < 3 {
		w := ""
		for range 3 {
			w += crashSyllables[c.rng.IntN(len(crashSyllables))]
		}
		a.words = append(a.words, w+strconv.Itoa(i)) // unique across articles
	}
	url := fmt.Sprintf("https://news.example/crash/%d", i)
	for v := range 2 {
		var b strings.Builder
		fmt.Fprintf(&b, "The %s %s report number %d\nURL: %s\n", a.words[0], crashVocabulary[i%len(crashVocabulary)], i, url)
		for p := range 3 + c.rng.IntN(6) {
			for s := range 2 + c.rng.IntN(3) {
				fmt.Fprintf(&b, "In version %d the %s %s", v+1, a.words[(p+s)%3], a.words[(p+s+1)%3])
				for range 6 + c.rng.IntN(10) {
					b.WriteString(" " + crashVocabulary[c.rng.IntN(len(crashVocabulary))])
				}
				b.WriteString(". ")
			}
			b.WriteString("\n")
		}
		text := b.String()
		art, err := ingest.Parse(a.file, []byte(text))
		if err != nil {
			c.t.Fatalf("generated article %d: %v", i, err)
		}
		var want []string
		for _, ch := range ingest.ChunkArticle(art, ingest.ChunkOptions{}) {
			want = append(want, ch.Text)
		}
		if a.id == "" {
			a.id = art.ID
		} else if art.ID != a.id {
			c.t.Fatalf("generated article %d changed its ID across versions", i)
		}
		a.texts, a.chunks = append(a.texts, text), append(a.chunks, want)
	}
	if c.byID == nil {
		c.byID = map[string]*crashArticle{}
	}
	c.byID[a.id] = a
	return a
}

func (c *crashRig) write(a *crashArticle, version int) {
	if err := os.WriteFile(a.file, []byte(a.texts[version]), 0o600); err != nil {
		c.t.Fatal(err)
	}
	a.current, a.maxWrote = version, max(a.maxWrote, version)
}

// command returns citebot with args, in a clean environment (no OpenAI or
// Discord settings from the test's).
func (c *crashRig) command(args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.CommandContext(c.ctx, c.bin, args...)
	cmd.Env = []string{"HOME=" + c.home, "PATH=" + os.Getenv("PATH")}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	return cmd, &stderr
}

func (c *crashRig) runOK(args ...string) {
	c.t.Helper()
	cmd, stderr := c.command(args...)
	if out, err := cmd.Output(); err != nil {
		c.t.Fatalf("citebot %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, out, stderr)
	}
}

// timed runs citebot to completion and returns how long it took.
func (c *crashRig) timed(args ...string) time.Duration {
	c.t.Helper()
	start := time.Now()
	c.runOK(args...)
	return time.Since(start)
}

// killIngest runs citebot ingest over the articles and kills it after a
// random number of printed lines plus a random few milliseconds, or, one
// time in four, at a random moment of its start-up.
func (c *crashRig) killIngest() {
	c.t.Helper()
	lines, delay := c.rng.IntN(50), time.Duration(c.rng.IntN(4000))*time.Microsecond
	if c.rng.IntN(4) == 0 {
		lines, delay = 0, time.Duration(c.rng.IntN(60))*time.Millisecond
	}
	c.kill(lines, delay, "ingest", "--data-dir", c.data, c.src)
}

// killAfter runs citebot and kills it delay after it started.
func (c *crashRig) killAfter(delay time.Duration, args ...string) {
	c.t.Helper()
	c.kill(0, delay, args...)
}

// kill starts citebot with args, waits for it to print lines lines on
// standard output, then for delay, then SIGKILLs it (unless it has ended).
func (c *crashRig) kill(lines int, delay time.Duration, args ...string) {
	c.t.Helper()
	cmd, stderr := c.command(args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		c.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	printed := make(chan struct{}, 1024)
	var readers sync.WaitGroup
	readers.Go(func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			printed <- struct{}{}
		}
		close(printed)
	})
	exited := make(chan error, 1)
	go func() {
		readers.Wait() // Wait closes stdout: read it all first
		exited <- cmd.Wait()
	}()

	ended := false
	for n := 0; n < lines && !ended; n++ {
		if _, ok := <-printed; !ok {
			ended = true
		}
	}
	if !ended {
		timer := time.NewTimer(delay)
		select {
		case <-timer.C:
			if err := cmd.Process.Kill(); err != nil {
				c.t.Logf("kill: %v", err) // it has just exited
			}
		case err := <-exited:
			timer.Stop()
			exited <- err
		}
	}
	err = <-exited
	switch {
	case err == nil:
		c.completed++
	case cmd.ProcessState != nil && !cmd.ProcessState.Exited(): // killed by the signal
		c.kills++
	default:
		c.t.Fatalf("citebot %s failed on its own: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr)
	}
}

// check reopens the store and verifies it (see TestCrashSafety). It
// returns the stored articles with the version each holds.
func (c *crashRig) check() map[string]int {
	c.t.Helper()
	t, ctx := c.t, c.ctx
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// With the index snapshots, as citebot opens it: the snapshot of
	// shared (written by the last check, or by a killed ask) is read when
	// the store names it for shared's generation, and every write since
	// (a killed ingest or forget) makes it stale; the counts below fail
	// if a stale or half-written one were read.
	s, err := retrieval.Open(ctx, c.data, retrieval.Options{Embedder: retrieval.NewLocalEmbedder(), Logger: log, SnapshotDir: filepath.Join(c.data, "index")})
	if err != nil {
		t.Fatalf("reopen after a kill: %v", err)
	}
	defer s.Close()
	if err := s.Preload(ctx); err != nil {
		t.Fatalf("load the indexes after a kill: %v", err)
	}
	// Open repairs orphans and a stale lexical index; after a crash there
	// must be nothing to repair, or the writes were not atomic. A damaged
	// snapshot is rebuilt, with a warning.
	if c.damaged {
		if !strings.Contains(logs.String(), "index snapshot unusable") || strings.Count(logs.String(), "\n") != 1 {
			t.Errorf("a damaged snapshot was not rebuilt with one warning:\n%s", logs.String())
		}
		c.damaged = false
	} else if logs.Len() > 0 {
		t.Errorf("reopen after a kill had to repair the store:\n%s", logs.String())
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	infos, err := s.Articles(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	stored := storedChunks(t, ctx, c.data)
	present := map[string]int{}
	total := 0
	for _, in := range infos {
		a := c.byID[in.ID]
		if a == nil {
			t.Fatalf("stored article %s (%q) was never ingested", in.ID, in.Title)
		}
		got := stored[in.ID]
		version := slices.IndexFunc(a.chunks, func(want []string) bool { return slices.Equal(got, want) })
		if version < 0 || version > a.maxWrote {
			t.Fatalf("article %s holds %d chunks matching none of its versions:\n%q", in.ID, len(got), got)
		}
		if in.Chunks != len(got) {
			t.Errorf("article %s: Articles says %d chunks, the store holds %d", in.ID, in.Chunks, len(got))
		}
		present[in.ID] = version
		total += len(got)
	}
	for id := range stored {
		if _, ok := present[id]; !ok {
			t.Errorf("chunks of %s are stored without their article", id)
		}
	}
	if st.Articles != len(infos) || st.Chunks != total || st.LexicalRows != total || st.VectorDocs != total {
		t.Fatalf("counts disagree: %+v; %d articles with %d chunks", st, len(infos), total)
	}

	// Search finds a few stored articles by their own words, and never
	// one that is absent.
	for range 3 {
		a := c.articles[c.rng.IntN(len(c.articles))]
		ps, err := s.Search(ctx, strings.Join(a.words, " "), retrieval.SearchOptions{K: 5})
		if err != nil {
			t.Fatalf("search after a kill: %v", err)
		}
		_, stored := present[a.id]
		found := slices.ContainsFunc(ps, func(p retrieval.Passage) bool { return p.ArticleID == a.id })
		if found != stored {
			t.Errorf("search for article %s: found %v, stored %v", a.id, found, stored)
		}
		for _, p := range ps {
			if v, ok := present[p.ArticleID]; !ok || !slices.Contains(c.byID[p.ArticleID].chunks[v], p.Text) {
				t.Errorf("search returned a passage of %s that is not stored: %q", p.ArticleID, p.Text)
			}
		}
	}
	return present
}

// storedChunks reads each article's chunk texts, in order, straight from
// the store's SQLite file.
func storedChunks(t *testing.T, ctx context.Context, dataDir string) map[string][]string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, retrieval.DBFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT article_id, text FROM chunks WHERE scope = 'shared' ORDER BY article_id, position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var id, text string
		if err := rows.Scan(&id, &text); err != nil {
			t.Fatal(err)
		}
		out[id] = append(out[id], text)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// buildCitebot builds this command into a temporary directory.
func buildCitebot(t *testing.T, ctx context.Context) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go tool to build citebot with: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "citebot")
	out, err := exec.CommandContext(ctx, goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
