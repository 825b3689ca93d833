package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/retrieval"
)

// newStoreCore returns a Core over a real store in a temporary directory.
func newStoreCore(t *testing.T, opt CoreOptions) (*Core, *retrieval.Store) {
	t.Helper()
	store, err := retrieval.Open(t.Context(), t.TempDir(), retrieval.Options{Embedder: retrieval.NewLocalEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if opt.Store == nil {
		opt.Store = store
	}
	if opt.Answerer == nil {
		opt.Answerer = Extractive{}
	}
	opt.Logger = slog.New(slog.DiscardHandler)
	return NewCore(opt), store
}

// timetable is version v of an article that keeps its URL (so its ID)
// while its content changes: every paragraph names its version.
func timetable(v int) ingest.Article {
	a := ingest.Article{Title: "Island ferry timetable", Source: "Harbour Gazette", URL: "https://gazette.example/ferry"}
	for p := range 2 + v%3 { // versions differ in length too
		a.Paragraphs = append(a.Paragraphs, fmt.Sprintf(
			"Edition %d, notice %d: the island ferry leaves the harbour at seven and returns from the island at noon. "+
				"Passengers of edition %d board from the north pier with their tickets ready.", v, p, v))
	}
	a.ID = ingest.NewID(a.URL, a.Title, a.Paragraphs)
	return a
}

var editionRE = regexp.MustCompile(`(?i)edition (\d+)`)

// TestCoreConcurrentAskIngestForget asks many questions while articles are
// replaced, added and forgotten, through the Core over a real store: no
// race, no deadlock (deadline), every answer sees the replaced article in
// one edition only, and the store agrees with itself at the end.
func TestCoreConcurrentAskIngestForget(t *testing.T) {
	t.Parallel()
	core, store := newStoreCore(t, CoreOptions{MaxAnswers: 4, MaxIngests: 2, K: 8})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if _, err := core.Ingest(ctx, retrieval.SharedScope, timetable(0)); err != nil {
		t.Fatal(err)
	}
	const rounds = 30
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		seen = map[string]bool{} // editions seen by all answers
	)
	report := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	// The replacements start once a first answer is in, and the readers
	// keep asking until the last replacement is done, so that asks
	// overlap the replacements however the goroutines are scheduled.
	firstAnswer, replaced := make(chan struct{}), make(chan struct{})
	var firstOnce sync.Once
	// Writers: one replaces the timetable edition after edition; one adds
	// and forgets notices in a guild.
	wg.Go(func() {
		defer close(replaced)
		select {
		case <-firstAnswer:
		case <-ctx.Done():
			return
		}
		for v := 1; v <= rounds; v++ {
			res, err := core.Ingest(ctx, retrieval.SharedScope, timetable(v))
			if err != nil && !errors.Is(err, errBusy) {
				report(err)
				return
			}
			if err == nil && res.Status != retrieval.Updated {
				report(fmt.Errorf("edition %d: status %v, want updated", v, res.Status))
			}
		}
	})
	wg.Go(func() {
		scope := retrieval.GuildScope("77")
		for n := range rounds {
			a := ingest.Article{Title: fmt.Sprintf("Ferry notice %d", n), Paragraphs: []string{"The island ferry is late today because of fog at the harbour."}}
			res, err := core.Ingest(ctx, scope, a)
			if errors.Is(err, errBusy) {
				continue
			}
			if err != nil {
				report(err)
				return
			}
			if err := core.Forget(ctx, scope, res.ID); err != nil {
				report(err)
				return
			}
		}
	})
	// Readers: ask in the guild (which sees shared too) and in shared.
	for r := range 6 {
		wg.Go(func() {
			scope := retrieval.SharedScope
			if r%2 == 0 {
				scope = retrieval.GuildScope("77")
			}
			for n := 0; n < rounds || !isClosed(replaced); n++ {
				ans, err := core.Ask(ctx, Question{Text: "When does the island ferry leave the harbour?", Scope: scope})
				if errors.Is(err, errBusy) {
					continue // refused at once: the queue is full
				}
				if err != nil {
					report(err)
					return
				}
				editions := map[string]bool{}
				for _, p := range ans.Passages {
					if p.ArticleID == timetable(0).ID {
						for _, m := range editionRE.FindAllStringSubmatch(p.Text, -1) {
							editions[m[1]] = true
						}
					}
				}
				if len(editions) > 1 {
					report(fmt.Errorf("one answer saw editions %v of the timetable", editions))
				}
				mu.Lock()
				for e := range editions {
					seen[e] = true
				}
				mu.Unlock()
				if len(editions) == 1 {
					firstOnce.Do(func() { close(firstAnswer) })
				}
				if !ans.Found || !strings.Contains(ans.Text, "[1]") {
					report(fmt.Errorf("answer %q (found %v)", ans.Text, ans.Found))
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("concurrent asks and ingests did not finish: deadlock?")
	}
	for _, err := range errs {
		t.Error(err)
	}
	if len(seen) < 2 {
		t.Errorf("answers saw editions %v only: the asks did not overlap the replacements", seen)
	}
	st, err := store.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.Articles != 1 || st.Chunks != st.LexicalRows || st.Chunks != st.VectorDocs {
		t.Errorf("afterwards the store holds %+v, want the timetable only, indexes agreeing", st)
	}
}

// blockingStore is a Store whose AddBatch waits until the test lets it go.
type blockingStore struct {
	Store
	entered chan struct{}
	release chan struct{}
}

func (b *blockingStore) AddBatch(ctx context.Context, scope string, items []retrieval.Item) []retrieval.ItemResult {
	b.entered <- struct{}{}
	select {
	case <-b.release:
	case <-ctx.Done():
		out := make([]retrieval.ItemResult, len(items))
		for i := range out {
			out[i].Err = ctx.Err()
		}
		return out
	}
	return b.Store.AddBatch(ctx, scope, items)
}

// queuedCtx reports on entered when a request first waits on it: the
// limiter takes its place in the queue and then waits for a slot or the
// context, so the first call of Done says the request is queued.
type queuedCtx struct {
	context.Context
	once    sync.Once
	entered chan struct{}
}

func newQueuedCtx(ctx context.Context) *queuedCtx {
	return &queuedCtx{Context: ctx, entered: make(chan struct{})}
}

func (c *queuedCtx) Done() <-chan struct{} {
	c.once.Do(func() { close(c.entered) })
	return c.Context.Done()
}

// TestCoreLimitsRejectWhenFull fills the answer and ingest limits of a
// Core — the slots, then the waiting queue — and checks that every
// further request is refused at once with errBusy and a friendly message
// instead of joining an ever longer queue; that a waiter whose context
// ends gives its place back; and that everything admitted completes.
func TestCoreLimitsRejectWhenFull(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	answerer := blockingAnswerer{started: make(chan struct{}), release: make(chan struct{})}
	_, store := newStoreCore(t, CoreOptions{})
	blocking := &blockingStore{Store: store, entered: make(chan struct{}), release: make(chan struct{})}
	const maxAnswers, maxIngests = 2, 1
	core, _ := newStoreCore(t, CoreOptions{Store: blocking, Answerer: answerer, MaxAnswers: maxAnswers, MaxIngests: maxIngests})
	if _, err := store.Add(ctx, retrieval.SharedScope, timetable(0), ingest.ChunkArticle(timetable(0), ingest.ChunkOptions{})); err != nil {
		t.Fatal(err)
	}
	await := func(c <-chan struct{}, what string) {
		t.Helper()
		select {
		case <-c:
		case <-ctx.Done():
			t.Fatalf("%s did not happen", what)
		}
	}
	results := make(chan error, 64)
	askWith := func(ctx context.Context) {
		_, err := core.Ask(ctx, Question{Text: "When does the island ferry leave the harbour?"})
		results <- err
	}
	ingestWith := func(ctx context.Context, n int) {
		a := ingest.Article{Title: fmt.Sprintf("Notice %d", n), Paragraphs: []string{fmt.Sprintf("Notice %d about the ferry.", n)}}
		_, err := core.Ingest(ctx, retrieval.SharedScope, a)
		results <- err
	}
	refusedAtOnce := func(err error) bool {
		return errors.Is(err, errBusy) && strings.Contains(UserMessage(err), "too many requests right now")
	}

	// Answers: the slots fill (their calls reach the answerer) ...
	for range maxAnswers {
		go askWith(ctx)
		select {
		case <-answerer.started:
		case <-ctx.Done():
			t.Fatal("an answer did not start")
		}
	}
	// ... then the queue, as long again.
	waitCtx, cancelWaiters := context.WithCancel(ctx)
	for range maxAnswers {
		q := newQueuedCtx(waitCtx)
		go askWith(q)
		await(q.entered, "queueing an ask")
	}
	for n := range 20 {
		if _, err := core.Ask(ctx, Question{Text: "When does the island ferry leave?"}); !refusedAtOnce(err) {
			t.Fatalf("ask %d beyond the slots and the queue: %v, want errBusy", n, err)
		}
	}
	cancelWaiters() // the waiters give their places back ...
	for range maxAnswers {
		if err := <-results; !errors.Is(err, context.Canceled) {
			t.Errorf("a waiter whose context ended got %v", err)
		}
	}
	q := newQueuedCtx(ctx) // ... so another can queue, and completes once a slot frees
	go askWith(q)
	await(q.entered, "queueing an ask after the waiters left")
	for range maxAnswers { // each answer started above takes one release
		answerer.release <- struct{}{}
	}
	select {
	case <-answerer.started:
		answerer.release <- struct{}{}
	case <-ctx.Done():
		t.Fatal("the queued ask never reached the answerer")
	}
	for range maxAnswers + 1 {
		if err := <-results; err != nil {
			t.Errorf("an admitted ask failed: %v", err)
		}
	}

	// Ingests: one slot, and a queue of four times the slots.
	go ingestWith(ctx, 0)
	await(blocking.entered, "the first ingest")
	const queued = 4 * maxIngests
	for n := range queued {
		q := newQueuedCtx(ctx)
		go ingestWith(q, n+1)
		await(q.entered, "queueing an ingest")
	}
	for n := range 20 {
		a := ingest.Article{Title: fmt.Sprintf("Extra %d", n), Paragraphs: []string{"Extra notice about the ferry."}}
		if _, err := core.Ingest(ctx, retrieval.SharedScope, a); !refusedAtOnce(err) {
			t.Fatalf("ingest %d beyond the slot and the queue: %v, want errBusy", n, err)
		}
	}
	for n := range 1 + queued { // let each through in turn
		blocking.release <- struct{}{}
		if err := <-results; err != nil {
			t.Errorf("an admitted ingest failed: %v", err)
		}
		if n < queued {
			await(blocking.entered, "the next queued ingest")
		}
	}
	if list, err := core.Sources(ctx, retrieval.SharedScope); err != nil || len(list) != 2+queued {
		t.Errorf("%d articles stored (%v), want the timetable and %d notices", len(list), err, 1+queued)
	}
}

// isClosed reports whether c is closed, without waiting.
func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
