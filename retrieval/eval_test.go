package retrieval

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestContainsAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		passage, answer string
		want            bool
	}{
		{"The Denver Broncos won.", "denver broncos", true},
		{"The Denver\n  Broncos won.", "Denver Broncos", true},
		{"The Denver Broncos won.", "  DENVER\tBRONCOS ", true},
		{"The Denver Broncos won.", "Carolina Panthers", false},
		{"The Denver Broncos won.", " ", false},
		{"ÉTÉ chaud", "été", true},
	}
	for _, tt := range tests {
		if got := ContainsAnswer(tt.passage, tt.answer); got != tt.want {
			t.Errorf("ContainsAnswer(%q, %q) = %v, want %v", tt.passage, tt.answer, got, tt.want)
		}
		// Among other answers, the one that is contained decides.
		answers := []string{"Carolina Panthers", "", tt.answer}
		if got := ContainsAnyAnswer(tt.passage, answers); got != tt.want {
			t.Errorf("ContainsAnyAnswer(%q, %q) = %v, want %v", tt.passage, answers, got, tt.want)
		}
	}
}

func TestReadQA(t *testing.T) {
	t.Parallel()
	in := `{"id": "a", "article_id": "x", "question": "Who?", "answers": ["Ann", "Bo"]}

{"question": "Where?", "answers": []}
`
	qs, err := ReadQA(strings.NewReader(in), "qa.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2 || qs[0].ID != "a" || qs[0].Question != "Who?" || len(qs[0].Answers) != 2 || qs[1].Question != "Where?" {
		t.Errorf("ReadQA = %+v", qs)
	}
	for _, bad := range []string{`{"question": "Who?"`, `{"answers": ["x"]}`} {
		_, err := ReadQA(strings.NewReader("\n"+bad+"\n"), "bad.jsonl")
		if err == nil || !strings.Contains(err.Error(), "bad.jsonl line 2") {
			t.Errorf("ReadQA(%q) error = %v, want one naming bad.jsonl line 2", bad, err)
		}
	}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	s := openStore(t, t.TempDir())
	for _, a := range corpus {
		mustAdd(t, s, SharedScope, a)
	}
	mustAdd(t, s, GuildScope("1"), article("Guild notes", "", "The secret password of the guild is swordfish."))
	questions := []QA{
		{Question: "How many homes were evacuated in Millbrook?", Answers: []string{"four hundred homes"}},
		{Question: "How much will the bicycle lanes cost?", Answers: []string{"two million"}},
		{Question: "What award did the bakery win?", Answers: []string{"best sourdough"}},
		{Question: "When are the electric buses charged?", Answers: []string{"OVERNIGHT"}},
		// In the guild's scope only: never found in shared.
		{Question: "What is the guild's password?", Answers: []string{"swordfish"}},
		{Question: "No answers given", Answers: []string{" "}},
	}
	var progress []int
	rep, err := s.Evaluate(t.Context(), questions, EvalOptions{Ks: []int{5, 1}, Progress: func(done, total int) {
		if total != len(questions) {
			t.Errorf("progress total %d, want %d", total, len(questions))
		}
		progress = append(progress, done)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Questions != 5 || rep.Skipped != 1 {
		t.Errorf("questions %d skipped %d, want 5 and 1", rep.Questions, rep.Skipped)
	}
	if len(progress) != len(questions) || progress[len(progress)-1] != len(questions) {
		t.Errorf("progress calls %v", progress)
	}
	if len(rep.Recall) != 2 || rep.Recall[0].K != 1 || rep.Recall[1].K != 5 {
		t.Fatalf("recall %+v, want k 1 then 5", rep.Recall)
	}
	if r5, _ := rep.At(5); r5 != 0.8 {
		t.Errorf("recall@5 = %v, want 0.8 (all but the guild's question)", r5)
	}
	if r1, _ := rep.At(1); r1 > 0.8 || r1 < 0.6 {
		t.Errorf("recall@1 = %v, want 0.6..0.8", r1)
	}
	if rep.MRR < rep.Recall[0].Recall || rep.MRR > rep.Recall[1].Recall {
		t.Errorf("MRR %v outside [recall@1, recall@5]", rep.MRR)
	}
	var chars, n int
	for _, a := range corpus {
		for _, p := range a.Paragraphs {
			chars += len([]rune(p))
			n++
		}
	}
	if rep.Chunks != n || math.Abs(rep.MeanPassageChars-float64(chars)/float64(n)) > 1e-9 {
		t.Errorf("chunks %d mean %v, want %d and %v (shared scope only)", rep.Chunks, rep.MeanPassageChars, n, float64(chars)/float64(n))
	}
	if rep.MeanRetrievedChars <= 0 || rep.LatencyP50MS <= 0 || rep.LatencyP95MS < rep.LatencyP50MS {
		t.Errorf("retrieved %v p50 %v p95 %v", rep.MeanRetrievedChars, rep.LatencyP50MS, rep.LatencyP95MS)
	}

	// The guild sees its own article.
	rep, err = s.Evaluate(t.Context(), questions[4:5], EvalOptions{Scopes: SearchScopes(GuildScope("1")), Ks: []int{1}})
	if err != nil {
		t.Fatal(err)
	}
	if r1, _ := rep.At(1); r1 != 1 || rep.MRR != 1 || rep.Chunks != n+1 {
		t.Errorf("guild: recall@1 %v MRR %v chunks %d, want 1, 1, %d", r1, rep.MRR, rep.Chunks, n+1)
	}

	if _, err := s.Evaluate(t.Context(), questions, EvalOptions{Ks: []int{0}}); err == nil {
		t.Error("Evaluate with k 0 succeeded")
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i))
	}
	if p := percentile(ds, 0.5); p != 50 {
		t.Errorf("p50 = %d, want 50", p)
	}
	if p := percentile(ds, 0.95); p != 95 {
		t.Errorf("p95 = %d, want 95", p)
	}
	if p := percentile(nil, 0.5); p != 0 {
		t.Errorf("p50 of none = %d", p)
	}
}
