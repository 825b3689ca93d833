package retrieval

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func mustAddFeed(t *testing.T, s *Store, f NewFeed, max int) (Feed, bool) {
	t.Helper()
	got, created, err := s.AddFeed(t.Context(), f, max)
	if err != nil {
		t.Fatalf("AddFeed(%+v): %v", f, err)
	}
	return got, created
}

func TestAddFeed(t *testing.T) { forBackends(t, testAddFeed) }

func testAddFeed(t *testing.T, b backend) {
	s := b.openStore(t, b.place(t))
	g1, g2 := GuildScope("1"), GuildScope("2")
	a, created := mustAddFeed(t, s, NewFeed{Scope: g1, URL: "https://a.example/feed", Title: "A", ChannelID: "55"}, 2)
	if !created || a.ID == 0 || a.Scope != g1 || a.Title != "A" || a.ChannelID != "55" || a.Created.IsZero() || !a.NextCheck.IsZero() {
		t.Fatalf("first add: %+v, created %v", a, created)
	}
	again, created := mustAddFeed(t, s, NewFeed{Scope: g1, URL: "https://a.example/feed", Title: "other", ChannelID: "66"}, 2)
	if created || again != a {
		t.Errorf("same URL again: %+v created %v, want the existing %+v", again, created, a)
	}
	mustAddFeed(t, s, NewFeed{Scope: g1, URL: "https://b.example/feed"}, 2)
	if _, _, err := s.AddFeed(t.Context(), NewFeed{Scope: g1, URL: "https://c.example/feed"}, 2); !errors.Is(err, ErrFeedLimit) {
		t.Errorf("third feed with a limit of 2: %v, want ErrFeedLimit", err)
	}
	// The limit is per scope, and a followed URL may be followed elsewhere.
	other, created := mustAddFeed(t, s, NewFeed{Scope: g2, URL: "https://a.example/feed"}, 2)
	if !created || other.ID == a.ID {
		t.Errorf("the same URL in another scope: %+v created %v", other, created)
	}
	for _, bad := range []NewFeed{{Scope: "guild:", URL: "https://x.example/"}, {Scope: g1, URL: " "}} {
		if _, _, err := s.AddFeed(t.Context(), bad, 0); err == nil {
			t.Errorf("AddFeed(%+v) succeeded", bad)
		}
	}
	feeds, err := s.Feeds(t.Context(), []string{g1})
	if err != nil || len(feeds) != 2 || feeds[0].ID != a.ID {
		t.Errorf("Feeds(g1) = %+v, %v; want a and b", feeds, err)
	}
	all, err := s.Feeds(t.Context(), nil)
	if err != nil || len(all) != 3 {
		t.Errorf("Feeds(nil) = %d feeds (%v), want every scope's 3", len(all), err)
	}
}

func TestAddFeedDefaultLimit(t *testing.T) {
	t.Parallel()
	s := openStore(t, t.TempDir())
	for i := range DefaultMaxFeeds {
		mustAddFeed(t, s, NewFeed{Scope: SharedScope, URL: fmt.Sprintf("https://x.example/%d", i)}, 0)
	}
	if _, _, err := s.AddFeed(t.Context(), NewFeed{Scope: SharedScope, URL: "https://x.example/last"}, 0); !errors.Is(err, ErrFeedLimit) {
		t.Errorf("feed %d: %v, want ErrFeedLimit", DefaultMaxFeeds+1, err)
	}
}

func TestRemoveFeedOnlyInItsScope(t *testing.T) { forBackends(t, testRemoveFeedOnlyInItsScope) }

func testRemoveFeedOnlyInItsScope(t *testing.T, b backend) {
	s := b.openStore(t, b.place(t))
	f, _ := mustAddFeed(t, s, NewFeed{Scope: GuildScope("1"), URL: "https://a.example/feed"}, 0)
	if err := s.MarkFeedItemsSeen(t.Context(), f.ID, []string{"k1"}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveFeed(t.Context(), GuildScope("2"), f.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove from another scope: %v, want ErrNotFound", err)
	}
	if err := s.RemoveFeed(t.Context(), GuildScope("1"), f.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveFeed(t.Context(), GuildScope("1"), f.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove twice: %v, want ErrNotFound", err)
	}
	var n int
	if err := s.db.QueryRowContext(t.Context(), `SELECT count(*) FROM feed_items`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d seen items left after unfollowing (%v)", n, err)
	}
	// Writes for a feed removed during its poll are dropped, not failed.
	if err := s.MarkFeedItemsSeen(t.Context(), f.ID, []string{"k2"}, time.Now()); err != nil {
		t.Errorf("mark seen after removal: %v", err)
	}
	if err := s.RecordFeedCheck(t.Context(), f.ID, FeedCheck{Checked: time.Now()}); !errors.Is(err, ErrNotFound) {
		t.Errorf("record after removal: %v, want ErrNotFound", err)
	}
}

// TestFeedStateSurvivesReopen records a poll's outcome and seen items,
// closes the store and reopens it.
func TestFeedStateSurvivesReopen(t *testing.T) { forBackends(t, testFeedStateSurvivesReopen) }

func testFeedStateSurvivesReopen(t *testing.T, b backend) {
	dir := b.place(t)
	s, err := b.open(t.Context(), dir, Options{Embedder: NewLocalEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := mustAddFeed(t, s, NewFeed{Scope: SharedScope, URL: "https://a.example/feed"}, 0)
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	check := FeedCheck{Checked: now, NextCheck: now.Add(15 * time.Minute), ETag: `"v7"`,
		LastModified: "Sat, 01 Jun 2024 11:00:00 GMT", Err: "The site answered 503.", Failures: 2, NewItem: now, Title: "A feed"}
	if err := s.RecordFeedCheck(t.Context(), f.ID, check); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFeedItemsSeen(t.Context(), f.ID, []string{"g:1", "g:2"}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = b.openStore(t, dir)
	feeds, err := s.Feeds(t.Context(), []string{SharedScope})
	if err != nil || len(feeds) != 1 {
		t.Fatalf("after reopen: %+v, %v", feeds, err)
	}
	want := f
	want.LastChecked, want.NextCheck, want.ETag, want.LastModified = now, now.Add(15*time.Minute), `"v7"`, check.LastModified
	want.LastError, want.Failures, want.LastNewItem, want.Title = check.Err, 2, now, "A feed"
	if got := feeds[0]; !got.Created.Equal(want.Created) || func() bool { got.Created = want.Created; return got != want }() {
		t.Errorf("after reopen:\n got %+v\nwant %+v", feeds[0], want)
	}
	seen, err := s.SeenFeedItems(t.Context(), f.ID, []string{"g:1", "g:2", "g:3"})
	if err != nil || !seen["g:1"] || !seen["g:2"] || seen["g:3"] {
		t.Errorf("seen after reopen: %v, %v", seen, err)
	}
	// A later check without a new item or title keeps the old ones.
	if err := s.RecordFeedCheck(t.Context(), f.ID, FeedCheck{Checked: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	feeds, _ = s.Feeds(t.Context(), nil)
	if g := feeds[0]; !g.LastNewItem.Equal(now) || g.Title != "A feed" || g.LastError != "" || g.Failures != 0 {
		t.Errorf("after a clean check: %+v", g)
	}
}

func TestPruneFeedItemsKeepsCurrentAndNewest(t *testing.T) {
	forBackends(t, testPruneFeedItemsKeepsCurrentAndNewest)
}

func testPruneFeedItemsKeepsCurrentAndNewest(t *testing.T, b backend) {
	s := b.openStore(t, b.place(t))
	f, _ := mustAddFeed(t, s, NewFeed{Scope: SharedScope, URL: "https://a.example/feed"}, 0)
	var keys []string
	for i := range 10 {
		keys = append(keys, fmt.Sprintf("k%d", i))
	}
	if err := s.MarkFeedItemsSeen(t.Context(), f.ID, keys, time.Now()); err != nil {
		t.Fatal(err)
	}
	// k0 and k1 (the oldest) are still in the feed; keep 5 in all.
	if err := s.PruneFeedItems(t.Context(), f.ID, []string{"k0", "k1"}, 5); err != nil {
		t.Fatal(err)
	}
	seen, err := s.SeenFeedItems(t.Context(), f.ID, keys)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for k := range seen {
		got = append(got, k)
	}
	slices.Sort(got)
	if want := []string{"k0", "k1", "k7", "k8", "k9"}; !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
}

// TestOpenMigratesSchema2 opens a store of schema version 2, which had no
// feeds, and checks that it gains them in place.
func TestOpenMigratesSchema2(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fillStore(t, dir)
	db := rawDB(t, dir)
	for _, q := range []string{`DROP TABLE feed_items`, `DROP TABLE feeds`, `UPDATE meta SET value = '2' WHERE key = 'schema_version'`} {
		exec(t, db, q)
	}
	db.Close()

	s := openStore(t, dir)
	if v, err := getMeta(t.Context(), s.db, metaSchema); err != nil || v != fmt.Sprint(schemaVersion) {
		t.Errorf("schema version %q (%v), want %d", v, err, schemaVersion)
	}
	checkStats(t, s, len(corpus), 3*len(corpus))
	mustAddFeed(t, s, NewFeed{Scope: SharedScope, URL: "https://a.example/feed"}, 0)
}
