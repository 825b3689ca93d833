package feed

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/retrieval"
)

func TestStateSurvivesRestart(t *testing.T) {
	t.Parallel()
	web := newSite(t)
	web.set(func(s *site) { s.grow = 3 })
	dir := t.TempDir()
	store := openStore(t, dir) // closed below, as a restart does
	p := newPoller(store, newClock(), Options{})
	mustFollow(t, p, retrieval.SharedScope, web.URL+"/grow.xml")
	pollOne(t, p, true)
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	p = newPoller(openStore(t, dir), newClock(), Options{})
	if r := pollOne(t, p, true); !r.NotModified || r.Feed.ETag != `"grow-3"` || r.Feed.LastNewItem.IsZero() {
		t.Errorf("after reopening: %+v, want the ETag kept and a 304", r)
	}
	web.set(func(s *site) { s.grow = 4 })
	if got := titles(pollOne(t, p, true).New()); !slices.Equal(got, []string{storyTitle("grow-4")}) {
		t.Errorf("after reopening and growing: %v, want only grow-4", got)
	}
}

// TestPollCutShortAfterStoringLosesNothing stops a poll right after an
// article is stored, before its item is marked seen (where a kill -9 is
// most awkward), reopens the store and polls again.
func TestPollCutShortAfterStoringLosesNothing(t *testing.T) {
	t.Parallel()
	web := newSite(t)
	web.set(func(s *site) { s.grow = 5 })
	dir := t.TempDir()
	store := openStore(t, dir) // closed below, as a restart does
	p := newPoller(store, newClock(), Options{})
	mustFollow(t, p, retrieval.SharedScope, web.URL+"/grow.xml")
	ctx, cancel := context.WithCancel(t.Context())
	stored := 0
	next := p.ingest
	p.ingest = func(ctx context.Context, f retrieval.Feed, it Item) (Stored, error) {
		st, err := next(ctx, f, it)
		if stored++; stored == 3 {
			cancel() // "killed" with the third article stored
			return Stored{}, ctx.Err()
		}
		return st, err
	}
	if _, err := p.PollAll(ctx); err == nil {
		t.Fatal("the cut-short poll reported no error")
	}
	store.Close()

	store = openStore(t, dir)
	p = newPoller(store, newClock(), Options{})
	r := pollOne(t, p, false) // still due: the cut-short poll recorded nothing
	if r.NotModified || len(r.Articles) != 3 || len(r.New()) != 2 || r.Articles[0].Status != retrieval.Unchanged {
		t.Errorf("poll after the cut: not modified %v, %d articles, %d new (%v); want grow-3 again, unchanged, and grow-4, grow-5",
			r.NotModified, len(r.Articles), len(r.New()), titles(r.Articles))
	}
	checkGrowArticles(t, store, 5)
}

// checkGrowArticles checks the store holds grow-1 … grow-n, each once.
func checkGrowArticles(t *testing.T, store *retrieval.Store, n int) {
	t.Helper()
	arts, err := store.Articles(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range arts {
		got = append(got, a.Title)
	}
	slices.Sort(got)
	var want []string
	for i := 1; i <= n; i++ {
		want = append(want, storyTitle(fmt.Sprintf("grow-%d", i)))
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("stored articles %v, want %v", got, want)
	}
}

// TestKilledMidPoll runs a poll in a child process, kills it with SIGKILL
// while it fetches the third new item's page, and checks that the next
// poll, in this process, stores every item exactly once.
func TestKilledMidPoll(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	t.Parallel()
	web := newSite(t)
	web.set(func(s *site) { s.grow = 5 })
	dir := t.TempDir()
	store := openStore(t, dir)
	p := newPoller(store, newClock(), Options{})
	mustFollow(t, p, retrieval.SharedScope, web.URL+"/grow.xml")

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperPollProcess$")
	cmd.Env = append(os.Environ(), "CITEBOT_FEED_POLL_DIR="+dir)
	// The child blocks in the page's handler until it is killed.
	var once sync.Once
	reached, release := make(chan struct{}), make(chan struct{})
	web.set(func(s *site) {
		s.onStory = func(name string) {
			if name == "grow-3" {
				once.Do(func() { close(reached); <-release })
			}
		}
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-reached:
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		close(release)
		<-exited
	case err := <-exited:
		close(release)
		t.Fatalf("the child poll ended before it was killed: %v", err)
	}
	web.set(func(s *site) { s.onStory = nil })

	r := pollOne(t, p, false)
	if r.Err != nil || len(r.New()) != 3 {
		t.Errorf("poll after the kill: err %v, new %v; want grow-3, grow-4, grow-5", r.Err, titles(r.New()))
	}
	checkGrowArticles(t, store, 5)
	if web.count("/story/grow-1") != 1 || web.count("/story/grow-2") != 1 {
		t.Errorf("items stored before the kill were fetched again: grow-1 %d, grow-2 %d times",
			web.count("/story/grow-1"), web.count("/story/grow-2"))
	}
}

// TestHelperPollProcess is the child of TestKilledMidPoll: it polls the
// store in CITEBOT_FEED_POLL_DIR once and is killed part way.
func TestHelperPollProcess(t *testing.T) {
	dir := os.Getenv("CITEBOT_FEED_POLL_DIR")
	if dir == "" {
		t.Skip("run by TestKilledMidPoll")
	}
	p := newPoller(openStore(t, dir), newClock(), Options{})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	p.PollAll(ctx)
}

// TestRunPollsOnEachTick drives Run with a ticker channel and a clock of
// the test's, and reads the reports it hands over.
func TestRunPollsOnEachTick(t *testing.T) {
	t.Parallel()
	web := newSite(t)
	web.set(func(s *site) { s.grow = 1 })
	c := newClock()
	p := newPoller(openStore(t, t.TempDir()), c, Options{})
	mustFollow(t, p, retrieval.SharedScope, web.URL+"/grow.xml")
	ticks := make(chan time.Time)
	reports := make(chan Report, 4) // the ticks below may be taken before or after the clock moves
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.Run(ctx, ticks, func(r Report) { reports <- r })
	}()
	if r := <-reports; len(r.Feeds) != 1 || len(r.Feeds[0].New()) != 1 {
		t.Errorf("first report: %+v, want grow-1", r)
	}
	// Not due yet: a tick polls nothing and reports nothing; the next
	// tick, once due, brings grow-2.
	web.set(func(s *site) { s.grow = 2 })
	ticks <- c.Now()
	c.Advance(20 * time.Minute)
	ticks <- c.Now()
	if r := <-reports; len(r.Feeds) != 1 || !slices.Equal(titles(r.Feeds[0].New()), []string{storyTitle("grow-2")}) {
		t.Errorf("report after the feed grew: %+v, want grow-2", r)
	}
	if n := web.count("/grow.xml"); n != 3 { // Follow, first poll, the due tick
		t.Errorf("feed fetched %d times, want 3", n)
	}
	cancel()
	<-done
}
