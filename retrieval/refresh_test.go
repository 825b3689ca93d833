package retrieval

import (
	"testing"
)

// Two stores on one data directory stand for citebot serve and a
// citebot ingest beside it: what one writes, the other's searches find
// after Refresh, and its own writes never make it rebuild.
func TestRefreshSeesAnotherProcesssWrites(t *testing.T) {
	forBackends(t, testRefreshSeesAnotherProcesssWrites)
}

func testRefreshSeesAnotherProcesssWrites(t *testing.T, b backend) {
	dir := b.place(t)
	bot := b.openStore(t, dir)
	cli := b.openStore(t, dir)
	// On PostgreSQL, what Refresh catches up with is what a missed
	// notification leaves behind.
	bot.stopListener()
	ctx := t.Context()

	refresh := func(want bool, when string) {
		t.Helper()
		got, err := bot.Refresh(ctx)
		if err != nil || got != want {
			t.Fatalf("%s: Refresh = %v, %v; want %v", when, got, err, want)
		}
	}
	has := func(query, title string) bool {
		for _, p := range mustSearch(t, bot, query) {
			if p.Title == title {
				return true
			}
		}
		return false
	}

	refresh(false, "nothing written yet")
	// The bot's index of shared is loaded before the other process writes
	// (a scope not yet loaded reads the committed rows when it is).
	if err := bot.Preload(ctx, SharedScope); err != nil {
		t.Fatal(err)
	}
	mustAdd(t, cli, SharedScope, corpus[0])
	if has(corpus[0].Paragraphs[0], corpus[0].Title) {
		t.Fatal("found another process's article before Refresh: the test proves nothing")
	}
	refresh(true, "after the other process added an article")
	if !has(corpus[0].Paragraphs[0], corpus[0].Title) {
		t.Errorf("%q not found after Refresh", corpus[0].Title)
	}
	refresh(false, "nothing new")

	mustAdd(t, bot, SharedScope, corpus[1])
	refresh(false, "after its own write")

	// The other process writes, then this one: this one's write must not
	// hide the other's.
	mustAdd(t, cli, SharedScope, corpus[2])
	mustAdd(t, bot, SharedScope, corpus[3])
	refresh(true, "after writes by both")
	if !has(corpus[2].Paragraphs[0], corpus[2].Title) || !has(corpus[3].Paragraphs[0], corpus[3].Title) {
		t.Error("after Refresh the search misses an article of one of the two")
	}

	if err := cli.Forget(ctx, SharedScope, corpus[0].ID); err != nil {
		t.Fatal(err)
	}
	refresh(true, "after the other process forgot an article")
	if has(corpus[0].Paragraphs[0], corpus[0].Title) {
		t.Error("a forgotten article is still found after Refresh")
	}
	st, err := bot.Stats(ctx)
	if err != nil || st.Chunks != st.VectorDocs || st.Chunks != st.LexicalRows {
		t.Errorf("after Refresh the indexes disagree with the store: %+v, %v", st, err)
	}

	bot.Close()
	if _, err := bot.Refresh(ctx); err == nil {
		t.Error("Refresh of a closed store succeeded")
	}
}
