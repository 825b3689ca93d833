package feed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/retrieval"
)

// TestFollowAndPollEachFormat follows each format (and a page announcing
// a feed) and checks what the first poll stores.
func TestFollowAndPollEachFormat(t *testing.T) {
	t.Parallel()
	web := newSite(t)
	tests := []struct {
		path, feedPath string
		want           map[string]string // article title → its URL ("" for none)
	}{
		{"/rss2.xml", "/rss2.xml", map[string]string{
			// fetched page
			storyTitle("late-frost"): web.URL + "/story/late-frost",
			// 404: the item's own content:encoded, under its same-site link
			"Ferry timetable changes for spring": web.URL + "/story/gone-ferry-spring",
			// another site, unreachable: the item's text, without the link
			"Library extends weekend hours": "",
		}},
		{"/rss1.rdf", "/rss1.rdf", map[string]string{
			storyTitle("causeway"): web.URL + "/story/causeway", storyTitle("ospreys"): web.URL + "/story/ospreys"}},
		{"/atom.xml", "/atom.xml", map[string]string{
			storyTitle("cycle-path"): web.URL + "/story/cycle-path", storyTitle("heat-warning"): web.URL + "/story/heat-warning"}},
		{"/page.html", "/atom.xml", map[string]string{
			storyTitle("cycle-path"): web.URL + "/story/cycle-path", storyTitle("heat-warning"): web.URL + "/story/heat-warning"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			store := openStore(t, t.TempDir())
			p := newPoller(store, newClock(), Options{})
			f := mustFollow(t, p, retrieval.GuildScope("7"), web.URL+tt.path)
			if f.URL != web.URL+tt.feedPath || f.Title == "" {
				t.Errorf("followed %q titled %q, want %s", f.URL, f.Title, tt.feedPath)
			}
			r := pollOne(t, p, false)
			if r.Err != nil {
				t.Fatalf("poll: %v", r.Err)
			}
			got := make(map[string]string)
			for _, s := range r.New() {
				got[s.Title] = s.URL
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("new articles:\n got %v\nwant %v", got, tt.want)
			}
			arts, err := store.Articles(t.Context(), []string{retrieval.GuildScope("7")})
			if err != nil || len(arts) != len(tt.want) {
				t.Errorf("%d articles stored in the guild's scope (%v), want %d", len(arts), err, len(tt.want))
			}
			if r.Feed.LastNewItem.IsZero() || r.Feed.LastError != "" || r.Feed.NextCheck.IsZero() {
				t.Errorf("feed state after a good poll: %+v", r.Feed)
			}
		})
	}
}

func TestConditionalRequestGets304(t *testing.T) {
	t.Parallel()
	web := newSite(t)
	web.set(func(s *site) { s.grow = 3 })
	p := newPoller(openStore(t, t.TempDir()), newClock(), Options{})
	mustFollow(t, p, retrieval.SharedScope, web.URL+"/grow.xml")
	if r := pollOne(t, p, true); len(r.New()) != 3 || r.Feed.ETag != `"grow-3"` {
		t.Fatalf("first poll: %d new, ETag %q", len(r.New()), r.Feed.ETag)
	}
	r := pollOne(t, p, true)
	if !r.NotModified || len(r.Articles) != 0 || r.Err != nil {
		t.Errorf("second poll: %+v, want not modified", r)
	}
	if web.notModified != 1 || web.count("/story/grow-1") != 1 {
		t.Errorf("server answered 304 %d times and served grow-1 %d times, want 1 and 1", web.notModified, web.count("/story/grow-1"))
	}
}

func TestGrowingFeedIngestsOnlyNewItems(t *testing.T) {
	t.Parallel()
	web := newSite(t)
	web.set(func(s *site) { s.grow = 3 })
	c := newClock()
	p := newPoller(openStore(t, t.TempDir()), c, Options{})
	mustFollow(t, p, retrieval.SharedScope, web.URL+"/grow.xml")
	pollOne(t, p, false)
	web.set(func(s *site) { s.grow = 5 })
	c.Advance(16 * time.Minute)
	r := pollOne(t, p, false)
	want := []string{storyTitle("grow-4"), storyTitle("grow-5")} // oldest first
	if got := titles(r.New()); !slices.Equal(got, want) {
		t.Errorf("second poll added %v, want %v", got, want)
	}
	if web.count("/story/grow-3") != 1 {
		t.Errorf("grow-3 fetched %d times, want once", web.count("/story/grow-3"))
	}
}

func TestFirstPollTakesTheNewestItems(t *testing.T) {
	t.Parallel()
	web := newSite(t)
	web.set(func(s *site) { s.grow = 25 })
	c := newClock()
	store := openStore(t, t.TempDir())
	p := newPoller(store, c, Options{})
	mustFollow(t, p, retrieval.SharedScope, web.URL+"/grow.xml")
	r := pollOne(t, p, false)
	if len(r.New()) != DefaultFirstItems || r.Skipped != 5 {
		t.Fatalf("first poll: %d new, %d skipped; want %d and 5", len(r.New()), r.Skipped, DefaultFirstItems)
	}
	if got := titles(r.New()); got[0] != storyTitle("grow-6") || got[19] != storyTitle("grow-25") {
		t.Errorf("first poll took %v, want grow-6 … grow-25", got)
	}
	web.set(func(s *site) { s.grow = 26 })
	c.Advance(time.Hour)
	if got := titles(pollOne(t, p, false).New()); !slices.Equal(got, []string{storyTitle("grow-26")}) {
		t.Errorf("second poll added %v, want only grow-26", got)
	}
	if web.count("/story/grow-1") != 0 {
		t.Error("an item older than the 20 newest was fetched")
	}
}

// TestFailingFeedBacksOff checks the error is recorded and the waits
// double, then reset after a success.
func TestFailingFeedBacksOff(t *testing.T) {
	t.Parallel()
	web := newSite(t)
	web.set(func(s *site) { s.grow, s.failing = 2, true })
	c := newClock()
	p := newPoller(openStore(t, t.TempDir()), c, Options{})
	if _, _, err := p.store.AddFeed(t.Context(), retrieval.NewFeed{Scope: retrieval.SharedScope, URL: web.URL + "/flaky.xml"}, 0); err != nil {
		t.Fatal(err)
	}
	start := c.Now()
	r := pollOne(t, p, false)
	if r.Err == nil || r.Feed.Failures != 1 || !strings.Contains(r.Feed.LastError, "503") || !r.Feed.NextCheck.Equal(start.Add(30*time.Minute)) {
		t.Fatalf("after a failure: err %v, feed %+v; want 1 failure, the 503 recorded, next check in 30m", r.Err, r.Feed)
	}
	c.Advance(20 * time.Minute)
	if rep, err := p.Poll(t.Context()); err != nil || len(rep.Feeds) != 0 {
		t.Errorf("polled %d feeds 20 minutes after a failure (%v), want none due", len(rep.Feeds), err)
	}
	c.Advance(10 * time.Minute)
	if r := pollOne(t, p, false); r.Feed.Failures != 2 || !r.Feed.NextCheck.Equal(c.Now().Add(time.Hour)) {
		t.Errorf("after a second failure: %+v, want next check in 1h", r.Feed)
	}
	web.set(func(s *site) { s.failing = false })
	c.Advance(time.Hour)
	r = pollOne(t, p, false)
	if r.Err != nil || r.Feed.Failures != 0 || r.Feed.LastError != "" || len(r.New()) != 2 ||
		!r.Feed.NextCheck.Equal(c.Now().Add(DefaultInterval)) {
		t.Errorf("after recovering: err %v, %d new, feed %+v", r.Err, len(r.New()), r.Feed)
	}
}

func TestWaitsAreJitteredAndBounded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opt      Options
		jitter   float64
		failures int
		want     time.Duration
	}{
		{"interval, no jitter", Options{}, 0.5, 0, 15 * time.Minute},
		{"interval, -10%", Options{}, 0, 0, 13*time.Minute + 30*time.Second},
		{"interval, +10%", Options{}, 0.999999999, 0, 16*time.Minute + 30*time.Second},
		{"never under 5 minutes", Options{Interval: time.Minute}, 0, 0, MinInterval},
		{"first failure", Options{}, 0.5, 1, 30 * time.Minute},
		{"third failure", Options{}, 0.5, 3, 2 * time.Hour},
		{"capped", Options{}, 0.999, 12, DefaultMaxBackoff},
		{"capped, own cap", Options{MaxBackoff: time.Hour}, 0.5, 4, time.Hour},
	}
	for _, tt := range tests {
		opt := tt.opt
		opt.Jitter = func() float64 { return tt.jitter }
		p := NewPoller(nil, nil, nil, opt)
		got := p.wait(p.opt.Interval)
		if tt.failures > 0 {
			got = p.backoff(tt.failures)
		}
		if d := got - tt.want; d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestItemWithoutTextIsSkippedOnce(t *testing.T) {
	t.Parallel()
	web := newSite(t)
	p := newPoller(openStore(t, t.TempDir()), newClock(), Options{})
	mustFollow(t, p, retrieval.SharedScope, web.URL+"/rss2.xml") // no ETag: every poll reads it whole
	calls := 0
	p.ingest = func(ctx context.Context, fd retrieval.Feed, it Item) (Stored, error) {
		calls++
		// As if each item's page were gone and it had no text of its own.
		_, err := ArticleFor(ctx, p.fetch, fd.URL, fd.Title, Item{Link: web.URL + "/story/gone-" + it.GUID, Title: it.Title})
		return Stored{}, err
	}
	r := pollOne(t, p, true)
	if r.Err != nil || r.Skipped != 3 || len(r.Articles) != 0 {
		t.Fatalf("poll: err %v, skipped %d, articles %d; want the 3 items skipped", r.Err, r.Skipped, len(r.Articles))
	}
	if r := pollOne(t, p, true); r.Err != nil || r.NotModified || calls != 3 {
		t.Errorf("second poll: err %v, not modified %v; items tried %d times in all, want 3", r.Err, r.NotModified, calls)
	}
}

func TestFollowRefusals(t *testing.T) {
	t.Parallel()
	web := newSite(t)
	store := openStore(t, t.TempDir())
	p := newPoller(store, newClock(), Options{MaxFeeds: 1})
	guarded := NewPoller(store, ingest.NewFetcher(ingest.FetchOptions{}), nil, Options{})
	mustFollow(t, p, retrieval.SharedScope, web.URL+"/atom.xml")
	tests := []struct {
		name    string
		p       *Poller
		url     string
		wantErr error
		message string
	}{
		{"page without a feed", p, web.URL + "/story/plain", ErrNotFeed, "not an RSS or Atom feed"},
		{"feed that is gone", p, web.URL + "/gone.xml", ingest.ErrHTTPStatus, "404"},
		{"limit reached", p, web.URL + "/rss2.xml", ErrFeedLimit, "unfollow one first"},
		{"private address", guarded, web.URL + "/rss1.rdf", ingest.ErrPrivateAddress, "private or local network"},
	}
	for _, tt := range tests {
		_, _, err := tt.p.Follow(t.Context(), retrieval.SharedScope, tt.url, "")
		if !errors.Is(err, tt.wantErr) || !strings.Contains(UserMessage(err), tt.message) {
			t.Errorf("%s: %v (%q), want %v and a message with %q", tt.name, err, UserMessage(err), tt.wantErr, tt.message)
		}
	}
	// A followed feed on a private address is refused at every poll too.
	r := pollOne(t, guarded, true)
	if !errors.Is(r.Err, ingest.ErrPrivateAddress) || r.Feed.Failures != 1 || web.count("/atom.xml") != 1 {
		t.Errorf("guarded poll: err %v, feed %+v, atom.xml served %d times", r.Err, r.Feed, web.count("/atom.xml"))
	}
	if err := p.Unfollow(t.Context(), retrieval.GuildScope("1"), r.Feed.ID); !errors.Is(err, ErrNoSuchFeed) {
		t.Errorf("unfollow from another scope: %v", err)
	}
}

// TestPollScopeAndFeedsKeepToTheirScope checks that PollScope checks the
// feeds of one scope only, and Feeds lists one scope's.
func TestPollScopeAndFeedsKeepToTheirScope(t *testing.T) {
	t.Parallel()
	web := newSite(t)
	web.set(func(s *site) { s.grow = 2 })
	p := newPoller(openStore(t, t.TempDir()), newClock(), Options{})
	g1, g2 := retrieval.GuildScope("1"), retrieval.GuildScope("2")
	mine := mustFollow(t, p, g1, web.URL+"/grow.xml")
	mustFollow(t, p, g2, web.URL+"/atom.xml")
	r, err := p.PollScope(t.Context(), g1)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Feeds) != 1 || r.Feeds[0].Feed.ID != mine.ID || len(r.Feeds[0].New()) != 2 {
		t.Fatalf("PollScope(%s) = %+v, want the one feed of %s with 2 new articles", g1, r, g1)
	}
	if web.count("/atom.xml") != 1 { // the Follow only
		t.Errorf("the other scope's feed was fetched %d times", web.count("/atom.xml"))
	}
	list, err := p.Feeds(t.Context(), g1)
	if err != nil || len(list) != 1 || list[0].ID != mine.ID || list[0].LastChecked.IsZero() {
		t.Errorf("Feeds(%s) = %+v, %v; want the polled feed", g1, list, err)
	}
}
