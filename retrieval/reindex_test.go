package retrieval

import (
	"bytes"
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// reversedEmbedder is the local embedder with every vector reversed: the
// same dimensions, another space, another name.
type reversedEmbedder struct{ Embedder }

func (reversedEmbedder) Name() string { return "reversed-v1" }

func (r reversedEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	vecs, err := r.Embedder.Embed(ctx, texts)
	out := make([][]float32, len(vecs))
	for i, v := range vecs {
		out[i] = slices.Clone(v)
		slices.Reverse(out[i])
	}
	return out, err
}

// storedVectors returns every chunk's stored embedding by row ID.
func storedVectors(t *testing.T, s *Store) map[int64][]byte {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), `SELECT id, embedding FROM chunks`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]byte{}
	for rows.Next() {
		var (
			id   int64
			blob []byte
		)
		if err := rows.Scan(&id, &blob); err != nil {
			t.Fatal(err)
		}
		out[id] = blob
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkVectorsOf fails unless every chunk's stored vector is the one emb
// gives its text.
func checkVectorsOf(t *testing.T, s *Store, emb Embedder) {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), `SELECT id, title, text, embedding FROM chunks`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			id          int64
			title, text string
			blob        []byte
		)
		if err := rows.Scan(&id, &title, &text, &blob); err != nil {
			t.Fatal(err)
		}
		vecs, err := emb.Embed(t.Context(), []string{embedText(title, text)})
		if err != nil {
			t.Fatal(err)
		}
		if !closeVectors(blob, normalizedCopy(vecs[0])) {
			t.Errorf("chunk %d (%q) does not hold the vector of %s", id, text, emb.Name())
		}
		n++
	}
	if err := rows.Err(); err != nil || n == 0 {
		t.Fatalf("checked %d chunks: %v", n, err)
	}
}

// A store open in one process (citebot serve) beside a reindex with
// another embedder in another (citebot reindex) keeps answering from the
// indexes it loaded, during and after the reindex; it refuses new articles
// once the store has switched, and says so once, not at every Refresh.
func TestServeKeepsAnsweringBesideReindex(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := t.Context()
	var switches []error // OnEmbedderSwitch's calls; Refresh runs on this goroutine
	serve := openStoreWith(t, dir, Options{Embedder: NewLocalEmbedder(), OnEmbedderSwitch: func(err error) { switches = append(switches, err) }})
	for _, a := range corpus {
		mustAdd(t, serve, SharedScope, a)
	}
	const query = "river flood evacuation"
	before := mustSearch(t, serve, query)
	if len(before) == 0 || before[0].Title != corpus[0].Title {
		t.Fatalf("search before the reindex: %q", titles(before))
	}
	same := func(when string) {
		t.Helper()
		got, err := serve.Search(ctx, query, SearchOptions{K: 10})
		if err != nil {
			t.Fatalf("%s: search: %v", when, err)
		}
		if !slices.Equal(titles(got), titles(before)) || got[0].Score != before[0].Score {
			t.Errorf("%s: search gives %q, want %q as before", when, titles(got), titles(before))
		}
	}

	newEmb := reversedEmbedder{NewLocalEmbedder()}
	cli := openStoreWith(t, dir, Options{Embedder: newEmb, AllowMismatch: true})
	var calls int
	err := cli.ReindexWith(ctx, ReindexOptions{BatchSize: 4, Progress: func(done, total int) {
		calls++
		if done == 0 || done == total {
			return
		}
		if changed, err := serve.Refresh(ctx); changed || err != nil {
			t.Errorf("Refresh in the middle of the reindex = %v, %v; want false, nil", changed, err)
		}
		same("in the middle of the reindex")
	}})
	if err != nil {
		t.Fatalf("Reindex: %v", err)
	}
	if calls < 3 {
		t.Fatalf("Progress called %d times for %d articles in batches of 4: the test proves nothing", calls, len(corpus))
	}
	checkVectorsOf(t, cli, newEmb)

	changed, err := serve.Refresh(ctx)
	if changed || !errors.Is(err, ErrEmbedderSwitched) || !errors.Is(err, ErrEmbedderMismatch) {
		t.Fatalf("first Refresh after the reindex = %v, %v; want false, ErrEmbedderSwitched", changed, err)
	}
	for _, want := range []string{"reversed-v1", "local-ngram-v1", "restart citebot"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Refresh error %q does not mention %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "run `citebot reindex`") {
		t.Errorf("Refresh error %q advises a reindex, which is what happened", err)
	}
	if len(switches) != 1 || switches[0].Error() != err.Error() {
		t.Errorf("OnEmbedderSwitch got %v, want the Refresh's error once", switches)
	}
	same("after the reindex")

	extra := article("Ferry service resumes after storm", "Harbour Herald", "The island ferry sailed again on Monday after three days of storms.")
	_, err = serve.Add(ctx, SharedScope, extra, chunks(extra))
	var um interface{ UserMessage() string }
	if !errors.Is(err, ErrEmbedderMismatch) || !errors.As(err, &um) || !strings.Contains(um.UserMessage(), "restarted") {
		t.Fatalf("Add after the switch: %v; want a refusal with a user message asking for a restart", err)
	}
	if changed, err := serve.Refresh(ctx); changed || err != nil {
		t.Errorf("second Refresh = %v, %v; want false, nil (reported once)", changed, err)
	}
	mustAdd(t, cli, SharedScope, extra) // the new embedder's process writes on
	if changed, err := serve.Refresh(ctx); changed || err != nil {
		t.Errorf("Refresh after another write = %v, %v; want false, nil (reported once)", changed, err)
	}
	same("after another process's write")
	if len(switches) != 1 {
		t.Errorf("OnEmbedderSwitch called %d times, want once", len(switches))
	}

	// Restarted with the new embedder, it finds the new article too.
	serve.Close()
	restarted := openStoreWith(t, dir, Options{Embedder: newEmb})
	if ps := mustSearch(t, restarted, "island ferry storms"); len(ps) == 0 || ps[0].Title != extra.Title {
		t.Errorf("after the restart: %q", titles(ps))
	}
	// Restarted with the old one, it is refused with both ways out.
	if old, err := Open(ctx, dir, Options{Embedder: NewLocalEmbedder()}); err == nil {
		old.Close()
		t.Error("Open with the old embedder after the reindex succeeded")
	} else if !strings.Contains(err.Error(), "configure the embedder it was built with") || !strings.Contains(err.Error(), "citebot reindex") {
		t.Errorf("Open with the old embedder: %v", err)
	}
}

// An interrupted reindex leaves the old embeddings as they were (the store
// opens and searches with its old embedder) and the next run continues
// where it stopped, embedding each passage once; passages added meanwhile
// are embedded before the switch; a run with yet another embedder starts
// afresh.
func TestReindexInterruptedResumes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := openStore(t, dir)
	for _, a := range corpus {
		mustAdd(t, old, SharedScope, a)
	}
	oldVectors := storedVectors(t, old)
	total := len(oldVectors)
	newEmb := &countingEmbedder{Embedder: reversedEmbedder{NewLocalEmbedder()}}
	cli := openStoreWith(t, dir, Options{Embedder: newEmb, AllowMismatch: true})

	ctx, cancel := context.WithCancel(t.Context())
	stoppedAt := 0
	err := cli.ReindexWith(ctx, ReindexOptions{BatchSize: 4, Progress: func(done, total int) {
		if done >= 8 && stoppedAt == 0 {
			stoppedAt = done
			cancel() // Ctrl-C
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Reindex: %v, want context.Canceled", err)
	}
	if stoppedAt == 0 || stoppedAt >= total {
		t.Fatalf("stopped at %d of %d: the test proves nothing", stoppedAt, total)
	}
	if got := storedVectors(t, old); !mapsEqual(got, oldVectors) {
		t.Error("an interrupted reindex changed the stored embeddings")
	}
	if ps := mustSearch(t, old, "river flood evacuation"); len(ps) == 0 || ps[0].Title != corpus[0].Title {
		t.Errorf("search with the old embedder after an interrupted reindex: %q", titles(ps))
	}
	reopened, err := Open(t.Context(), dir, Options{Embedder: NewLocalEmbedder()})
	if err != nil {
		t.Fatalf("the old embedder cannot open the store after an interrupted reindex: %v", err)
	}
	reopened.Close()

	// Resumed: the batches done are not embedded again; an article added
	// meanwhile (by the old embedder's process) is.
	late := article("Library extends weekend hours", "Metro Daily", "The central library will open on Sundays from next month.")
	embeddedBefore := newEmb.texts.Load()
	var first = -1
	err = cli.ReindexWith(t.Context(), ReindexOptions{BatchSize: 4, Progress: func(done, total int) {
		if first < 0 {
			first = done
			mustAdd(t, old, SharedScope, late)
		}
	}})
	if err != nil {
		t.Fatalf("resumed Reindex: %v", err)
	}
	if first != stoppedAt {
		t.Errorf("the resumed reindex started at %d passages done, want %d", first, stoppedAt)
	}
	if got, want := newEmb.texts.Load()-embeddedBefore, int64(total-stoppedAt+1); got != want {
		t.Errorf("the resumed reindex embedded %d passages, want %d (the rest and the late one)", got, want)
	}
	checkVectorsOf(t, cli, newEmb.Embedder)
	var side int
	if err := cli.db.QueryRow(`SELECT count(*) FROM reindex_vectors`).Scan(&side); err != nil || side != 0 {
		t.Errorf("side table after the switch: %d rows, %v", side, err)
	}
	if ps := mustSearch(t, cli, "library open sundays"); len(ps) == 0 || ps[0].Title != late.Title {
		t.Errorf("the article added during the reindex is not found after it: %q", titles(ps))
	}

	// Interrupted with one embedder, rerun with another: nothing of the
	// first is kept.
	third := &countingEmbedder{Embedder: otherEmbedder{NewLocalEmbedder()}}
	s3 := openStoreWith(t, dir, Options{Embedder: third, AllowMismatch: true})
	ctx, cancel = context.WithCancel(t.Context())
	_ = s3.ReindexWith(ctx, ReindexOptions{BatchSize: 4, Progress: func(done, _ int) {
		if done > 0 {
			cancel()
		}
	}})
	fourth := openStoreWith(t, dir, Options{Embedder: NewLocalEmbedder(), AllowMismatch: true})
	first = -1
	if err := fourth.ReindexWith(t.Context(), ReindexOptions{Progress: func(done, _ int) {
		if first < 0 {
			first = done
		}
	}}); err != nil {
		t.Fatal(err)
	}
	if first != 0 {
		t.Errorf("a reindex with another embedder than the interrupted one started at %d done, want 0", first)
	}
	checkVectorsOf(t, fourth, NewLocalEmbedder())
}

// closeVectors reports whether blob holds want, but for rounding (the
// local embedder sums its features in map order).
func closeVectors(blob []byte, want []float32) bool {
	if len(blob) != 4*len(want) {
		return false
	}
	got := make([]float32, len(want))
	decodeInto(got, blob)
	for i := range got {
		if math.Abs(float64(got[i]-want[i])) > 1e-5 {
			return false
		}
	}
	return true
}

func mapsEqual(a, b map[int64][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			return false
		}
	}
	return true
}
