package retrieval

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestConcurrentAddSearchForget runs writers that keep replacing and
// forgetting articles beside readers that search, and checks that a
// search sees each article whole (one version, never a mixture), that
// nothing deadlocks and that the race detector stays quiet.
func TestConcurrentAddSearchForget(t *testing.T) {
	t.Parallel()
	s := corpusStore(t, Ranking{})
	ctx := t.Context()
	versions := func(v int) []string {
		var ps []string
		for i := range v + 1 { // version v has v+1 chunks
			ps = append(ps, fmt.Sprintf("The versioned marmot report, edition v%d, part %d.", v, i))
		}
		return ps
	}
	const rounds = 40
	errs := make(chan error, 64)
	var wg sync.WaitGroup
	report := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}

	// Writer 1: replaces one article with alternating versions.
	wg.Go(func() {
		for i := range rounds {
			a := article("Versioned marmot report", "", versions(i%3)...)
			a.ID = "tversioned"
			if _, err := s.Add(ctx, SharedScope, a, chunks(a)); err != nil {
				report(err)
				return
			}
		}
	})
	// Writer 2: adds and forgets articles in a guild.
	wg.Go(func() {
		for i := range rounds {
			a := article(fmt.Sprintf("Marmot sighting %d", i), "", "A marmot was seen near the versioned trail.")
			scope := GuildScope("7")
			if _, err := s.Add(ctx, scope, a, chunks(a)); err != nil {
				report(err)
				return
			}
			if err := s.Forget(ctx, scope, a.ID); err != nil {
				report(err)
				return
			}
		}
	})
	// Readers: search and check each article is seen in one version.
	for range 3 {
		wg.Go(func() {
			for range rounds {
				ps, err := s.Search(ctx, "versioned marmot report edition part", SearchOptions{Scopes: SearchScopes(GuildScope("7")), K: 10})
				if err != nil {
					report(err)
					return
				}
				seen := map[string]bool{}
				for _, p := range ps {
					if p.ArticleID == "tversioned" {
						seen[p.Text[strings.Index(p.Text, "edition"):][:10]] = true
					}
				}
				if len(seen) > 1 {
					report(fmt.Errorf("search saw a mixture of versions: %v", seen))
					return
				}
				if _, err := s.Articles(ctx, SearchScopes(GuildScope("7"))); err != nil {
					report(err)
					return
				}
			}
		})
	}

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatal("concurrent Add/Search/Forget did not finish: deadlock?")
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// Afterwards the three indexes agree with the last version.
	last := (rounds - 1) % 3
	if rows, fts, _ := counts(t, s, SharedScope, "tversioned", "versioned"); rows != last+1 || fts != last+1 {
		t.Errorf("final version: %d chunks, %d in the lexical index; want %d", rows, fts, last+1)
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM chunks WHERE scope = ?`, SharedScope).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if n := vecCount(t, s, SharedScope); n != total {
		t.Errorf("vector index has %d shared chunks, store has %d", n, total)
	}
	if n := vecCount(t, s, GuildScope("7")); n != 0 {
		t.Errorf("vector index keeps %d forgotten guild chunks", n)
	}
	for _, p := range mustSearch(t, s, "versioned marmot report edition part") {
		if p.ArticleID == "tversioned" && !strings.Contains(p.Text, fmt.Sprintf("edition v%d,", last)) {
			t.Errorf("after the writers finished, search found %q", p.Text)
		}
	}
}
