package retrieval

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestFeedbackVotesAreOnePerVoterAndChangeable(t *testing.T) {
	forBackends(t, testFeedbackVotesAreOnePerVoterAndChangeable)
}

func testFeedbackVotesAreOnePerVoterAndChangeable(t *testing.T, b backend) {
	ctx := t.Context()
	s := b.openStore(t, b.place(t))
	day := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a := AnswerRecord{ID: "a1", Scope: GuildScope("7"), Question: "When did the ferry start?", Answer: "In May [1].",
		Citations: []CitedPassage{{ArticleID: "t1", Rank: 2}}, Answerer: "extractive", Embedder: "local-v1", Created: day}
	if err := s.SaveAnswer(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAnswer(ctx, AnswerRecord{ID: "a2", Scope: SharedScope, Question: "Who?", Answer: "Nobody.", Created: day}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Answer(ctx, "a1")
	if err != nil || got.Question != a.Question || !slices.Equal(got.Citations, a.Citations) || !got.Created.Equal(day) {
		t.Fatalf("Answer(a1) = %+v, %v", got, err)
	}
	if _, err := s.Answer(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Answer(nope): %v, want ErrNotFound", err)
	}
	votes := []Vote{
		{AnswerID: "a1", VoterHash: "h1", Up: false, Reason: "wrong", Voted: day.Add(time.Hour)},
		{AnswerID: "a1", VoterHash: "h1", Up: true, Voted: day.Add(2 * time.Hour)}, // changed: replaces the first
		{AnswerID: "a1", VoterHash: "h2", Up: false, Reason: "not_in_articles", Voted: day.Add(3 * time.Hour)},
		{AnswerID: "a2", VoterHash: "h1", Up: false, Voted: day.Add(48 * time.Hour)},
	}
	for _, v := range votes {
		if err := s.RecordVote(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordVote(ctx, Vote{AnswerID: "gone", VoterHash: "h1", Up: true}); !errors.Is(err, ErrNotFound) {
		t.Errorf("vote on an unknown answer: %v, want ErrNotFound", err)
	}
	summary := func(es []FeedbackEntry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.ID+" "+e.VoterHash+" "+e.Vote+" "+e.Reason)
		}
		return out
	}
	tests := []struct {
		name string
		q    FeedbackQuery
		want []string
	}{
		{"all", FeedbackQuery{}, []string{"a1 h1 up ", "a1 h2 down not_in_articles", "a2 h1 down "}},
		{"one scope", FeedbackQuery{Scope: GuildScope("7")}, []string{"a1 h1 up ", "a1 h2 down not_in_articles"}},
		{"since", FeedbackQuery{Since: day.Add(150 * time.Minute)}, []string{"a1 h2 down not_in_articles", "a2 h1 down "}},
	}
	for _, tt := range tests {
		es, err := s.Feedback(ctx, tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(es); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}

	// Votes before the cutoff go; an answer goes once no vote is left.
	v, n, err := s.PruneFeedback(ctx, day.Add(24*time.Hour))
	if err != nil || v != 2 || n != 1 {
		t.Fatalf("PruneFeedback = %d votes, %d answers, %v; want 2, 1", v, n, err)
	}
	if es, _ := s.Feedback(ctx, FeedbackQuery{}); !slices.Equal(summary(es), []string{"a2 h1 down "}) {
		t.Errorf("after pruning: %q", summary(es))
	}
	if _, err := s.Answer(ctx, "a1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a1 kept after pruning: %v", err)
	}
}

// TestOpenMigratesSchema3 opens a store of version 3 (no feedback tables)
// and checks that it takes answers and votes after Open.
func TestOpenMigratesSchema3(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fillStore(t, dir)
	db := rawDB(t, dir)
	for _, q := range []string{`DROP TABLE votes`, `DROP TABLE answers`, `UPDATE meta SET value = '3' WHERE key = 'schema_version'`} {
		exec(t, db, q)
	}
	db.Close()
	s := openStore(t, dir)
	if v, err := getMeta(t.Context(), s.db, metaSchema); err != nil || v != fmt.Sprint(schemaVersion) {
		t.Errorf("schema version %q (%v), want %d", v, err, schemaVersion)
	}
	if err := s.SaveAnswer(t.Context(), AnswerRecord{ID: "x", Scope: SharedScope, Question: "q", Answer: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordVote(t.Context(), Vote{AnswerID: "x", VoterHash: "h", Up: true}); err != nil {
		t.Fatal(err)
	}
}
