package main

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/retrieval"
)

// seedFeedback writes answers and votes into the store of c.
func seedFeedback(t *testing.T, c *cli, now time.Time) {
	t.Helper()
	s, err := c.openStore(retrieval.Options{Embedder: retrieval.NewLocalEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	answers := []retrieval.AnswerRecord{
		{ID: "a1", Scope: "guild:1", Question: "When does the ferry leave?", Answer: "At seven [1].",
			Citations: []retrieval.CitedPassage{{ArticleID: "t1", Rank: 1}}, Answerer: "extractive", Embedder: "local"},
		{ID: "a2", Scope: "guild:2", Question: "What does a day pass cost?", Answer: "The ingested articles don't cover this."},
		{ID: "a3", Scope: "guild:1", Question: "Who won the cup final?", Answer: "Harbour Town [1]."},
	}
	for _, a := range answers {
		a.Created = now.Add(-10 * 24 * time.Hour)
		if err := s.SaveAnswer(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []retrieval.Vote{
		{AnswerID: "a1", VoterHash: "h1", Up: true, Voted: now.Add(-9 * 24 * time.Hour)},
		{AnswerID: "a2", VoterHash: "h1", Up: false, Reason: "not_in_articles", Voted: now.Add(-2 * 24 * time.Hour)},
		{AnswerID: "a2", VoterHash: "h2", Up: false, Reason: "wrong", Voted: now.Add(-time.Hour)},
		{AnswerID: "a3", VoterHash: "h2", Up: false, Reason: "incomplete", Voted: now.Add(-time.Hour)},
	} {
		if err := s.RecordVote(t.Context(), v); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFeedbackListsAndExports(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	seedFeedback(t, c, time.Now())

	code, out, errOut := c.run("", "feedback")
	if code != 0 {
		t.Fatalf("feedback: exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "VOTED") || !strings.Contains(lines[1], "👍") || !strings.Contains(lines[1], "When does the ferry leave?") ||
		!strings.Contains(lines[2], "not_in_articles") {
		t.Errorf("feedback table:\n%s", out)
	}

	code, out, errOut = c.run("", "feedback", "--scope", "guild:1", "--since", "7d", "--json")
	if code != 0 {
		t.Fatalf("feedback --json: exit %d: %s", code, errOut)
	}
	var got []feedbackJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("--json output %q: %v", out, err)
	}
	if len(got) != 1 || got[0].AnswerID != "a3" || got[0].Vote != "down" || got[0].Reason != "incomplete" || got[0].Voter != "h2" ||
		got[0].Scope != "guild:1" || got[0].Citations == nil {
		t.Errorf("--scope guild:1 --since 7d --json = %+v", got)
	}

	code, out, errOut = c.run("", "feedback", "--as-eval")
	if code != 0 {
		t.Fatalf("feedback --as-eval: exit %d: %s", code, errOut)
	}
	want := []string{
		`{"question":"When does the ferry leave?","answers":[]}`,
		`{"question":"What does a day pass cost?","answers":[],"covered":false}`,
		`{"question":"Who won the cup final?","answers":[]}`,
	}
	if got := strings.Split(strings.TrimSpace(out), "\n"); !slices.Equal(got, want) {
		t.Errorf("--as-eval:\n%s\nwant\n%s", out, strings.Join(want, "\n"))
	}
	// The export is a QA file citebot eval reads.
	qa := c.dataDir + "/real.jsonl"
	if err := os.WriteFile(qa, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = c.run("", "eval", qa)
	if code != 0 || !regexp.MustCompile(`skipped \(no answers, or marked not covered\) +3\n`).MatchString(out) {
		t.Errorf("eval of the export: exit %d, %s%s", code, out, errOut)
	}
}

// TestFeedbackScopes checks that --scope selects the votes, and that
// "all", which its help gives as the default, may also be written out.
func TestFeedbackScopes(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	seedFeedback(t, c, time.Now())
	tests := []struct {
		scope   []string // the --scope flag, if any
		answers []string // the answer IDs voted on, oldest vote first
	}{
		{nil, []string{"a1", "a2", "a2", "a3"}},
		{[]string{"--scope", "all"}, []string{"a1", "a2", "a2", "a3"}},
		{[]string{"--scope=all"}, []string{"a1", "a2", "a2", "a3"}},
		{[]string{"--scope", "guild:1"}, []string{"a1", "a3"}},
		{[]string{"--scope", "guild:2"}, []string{"a2", "a2"}},
		{[]string{"--scope", "shared"}, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.scope, " "), func(t *testing.T) {
			t.Parallel()
			code, out, errOut := c.run("", append([]string{"feedback", "--json"}, tt.scope...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var votes []feedbackJSON
			if err := json.Unmarshal([]byte(out), &votes); err != nil {
				t.Fatalf("--json output %q: %v", out, err)
			}
			var got []string
			for _, v := range votes {
				got = append(got, v.AnswerID)
			}
			if !slices.Equal(got, tt.answers) {
				t.Errorf("votes on %q, want %q", got, tt.answers)
			}
		})
	}
}

func TestFeedbackRefusesBadFlags(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, args := range [][]string{
		{"feedback", "--since", "last week"},
		{"feedback", "--scope", "guild:"},
		{"feedback", "--json", "--as-eval"},
	} {
		if code, _, errOut := c.run("", args...); code != 2 || errOut == "" {
			t.Errorf("%q: exit %d, %q; want a usage error", args, code, errOut)
		}
	}
}

// Its help gives the default the command uses: every server's votes.
func TestFeedbackHelpDefaultScope(t *testing.T) {
	t.Parallel()
	code, out, errOut := newCLI(t).run("", "feedback", "--help")
	if code != 0 {
		t.Fatalf("feedback --help: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `(default "all")`) || strings.Contains(out, `(default "shared")`) {
		t.Errorf("feedback --help does not give --scope's default as \"all\":\n%s", out)
	}
}

func TestParseSince(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"7d":         now.AddDate(0, 0, -7),
		"36h":        now.Add(-36 * time.Hour),
		"2026-01-31": time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC),
	} {
		if got, err := parseSince(in, now); err != nil || !got.Equal(want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseSince("-3d", now); err == nil {
		t.Error("a negative duration was accepted")
	}
}
