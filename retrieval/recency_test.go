package retrieval

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/citebot/citebot/ingest"
)

func TestTimeIntent(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 8, 10, 12, 0, 0, 0, time.UTC)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		q    string
		want timeIntent
	}{
		{"What is the toll now?", timeIntent{recent: true}},
		{"What is the latest news on the strike?", timeIntent{recent: true}},
		{"What was the toll originally?", timeIntent{early: true}},
		{"What was the toll in March?", timeIntent{from: day(2025, 3, 1), to: day(2025, 4, 1)}},
		{"What happened in September?", timeIntent{from: day(2024, 9, 1), to: day(2024, 10, 1)}}, // the latest September not after now
		{"What was agreed in June 2024?", timeIntent{from: day(2024, 6, 1), to: day(2024, 7, 1)}},
		{"Who won the election in 2021?", timeIntent{from: day(2021, 1, 1), to: day(2022, 1, 1)}},
		{"What changed last month?", timeIntent{from: day(2025, 7, 1), to: day(2025, 8, 1)}},
		{"Who may attend the meeting?", timeIntent{}},
		{"What did the council decide in May?", timeIntent{from: day(2025, 5, 1), to: day(2025, 6, 1)}},
		{"How many people are known to have left?", timeIntent{}},
	}
	for _, tt := range tests {
		if got := timeIntentOf(tt.q, now); got != tt.want {
			t.Errorf("%q: %+v, want %+v", tt.q, got, tt.want)
		}
	}
}

// TestRecentQuestionsCiteTheNewerArticle: two dated articles on one
// topic disagree (a toll of $3, then $4.50); questions about now cite the
// newer, questions about the earlier date or the start cite the older.
func TestRecentQuestionsCiteTheNewerArticle(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 8, 10, 12, 0, 0, 0, time.UTC)
	s := openStoreWith(t, t.TempDir(), Options{Embedder: NewLocalEmbedder(), Now: func() time.Time { return now }})
	files, err := filepath.Glob("../testdata/dated/*.txt")
	if err != nil || len(files) < 3 {
		t.Fatalf("dated articles: %v %v", files, err)
	}
	for _, f := range files {
		a, err := ingest.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if a.Published.IsZero() {
			t.Fatalf("%s has no date", f)
		}
		mustAdd(t, s, SharedScope, a)
	}
	const older, newer = "Harbourview Bridge toll set at $3 for drivers", "Harbourview Bridge toll rises to $4.50 as repair costs climb"
	tests := []struct{ q, want string }{
		{"What is the toll on the Harbourview Bridge now?", newer},
		{"What is the latest toll on the Harbourview Bridge?", newer},
		{"How much is the Harbourview Bridge toll currently?", newer},
		{"What was the Harbourview Bridge toll in March?", older},
		{"What was the toll on the Harbourview Bridge originally?", older},
	}
	for _, tt := range tests {
		ps := mustSearch(t, s, tt.q)
		if len(ps) == 0 || ps[0].Title != tt.want {
			t.Errorf("%q: first %v, want %q", tt.q, titles(ps), tt.want)
			continue
		}
		if ps[0].Published.IsZero() {
			t.Errorf("%q: the passage carries no date", tt.q)
		}
	}
	// The same store with the recency bonus off ranks by wording alone:
	// then at least one of the questions above goes to the other article,
	// so it is the date that decided.
	flat := openStoreWith(t, t.TempDir(), Options{Embedder: NewLocalEmbedder(), Now: func() time.Time { return now }, Ranking: Ranking{RecencyWeight: -1}})
	for _, f := range files {
		a, _ := ingest.ParseFile(f)
		mustAdd(t, flat, SharedScope, a)
	}
	flipped := 0
	for _, tt := range tests {
		if ps := mustSearch(t, flat, tt.q); len(ps) > 0 && ps[0].Title != tt.want {
			flipped++
		}
	}
	if flipped == 0 {
		t.Error("without the recency bonus every question still finds its article: the test proves nothing")
	}
}

func TestSourcesNewestFirst(t *testing.T) {
	t.Parallel()
	s := openStore(t, t.TempDir())
	old := article("Old news", "Paper", "Something happened long ago.")
	old.Published = time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)
	fresh := article("Fresh news", "Paper", "Something happened this spring.")
	fresh.Published = time.Date(2025, 4, 2, 0, 0, 0, 0, time.UTC)
	undated := article("Undated note", "Paper", "A note without a date, ingested now.")
	mustAdd(t, s, SharedScope, fresh)
	mustAdd(t, s, SharedScope, old)
	mustAdd(t, s, SharedScope, undated)
	infos, err := s.Articles(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range infos {
		got = append(got, a.Title)
	}
	want := []string{"Undated note", "Fresh news", "Old news"} // the undated one counts as of its ingest, today
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("order %v, want %v", got, want)
	}
}

// TestNamedPeriodsTakeTheArticlesDay: an article counts for a named month
// by the day its date shows, in its own time zone: 22:30 on 30 June in Los
// Angeles is a June story, though UTC calls it 1 July. A week counted back
// from now compares instants.
func TestNamedPeriodsTakeTheArticlesDay(t *testing.T) {
	t.Parallel()
	la := time.FixedZone("PDT", -7*3600)
	june := timeIntent{from: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), to: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)}
	now := time.Date(2025, 7, 20, 15, 0, 0, 0, time.UTC)
	lastWeek := timeIntent{from: now.AddDate(0, 0, -14), to: now.AddDate(0, 0, -7)}
	for _, tt := range []struct {
		name      string
		w         timeIntent
		published time.Time
		gains     bool
	}{
		{"late on 30 June west of UTC", june, time.Date(2025, 6, 30, 22, 30, 0, 0, la), true},
		{"early on 1 July east of UTC", june, time.Date(2025, 7, 1, 1, 0, 0, 0, time.FixedZone("CEST", 2*3600)), false},
		{"31 May", june, time.Date(2025, 5, 31, 23, 0, 0, 0, time.UTC), false},
		{"undated", june, time.Time{}, false},
		{"inside last week", lastWeek, now.AddDate(0, 0, -10), true},
		{"an hour before last week", lastWeek, now.AddDate(0, 0, -14).Add(-time.Hour), false},
	} {
		c := &candidate{Passage: Passage{Published: tt.published, Coverage: 1}}
		tt.w.rerank([]*candidate{c}, 0.5)
		if gained := c.Score > 0; gained != tt.gains {
			t.Errorf("%s: gained %v, want %v", tt.name, gained, tt.gains)
		}
	}
}
