package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEval(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, stderr := c.run("", "ingest", articlesDir); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, stderr)
	}
	qa := "../../testdata/questions.jsonl"
	n := len(loadQuestions(t))

	code, stdout, stderr := c.run("", "eval", "--k", "5,1", "--json", qa)
	if code != 0 {
		t.Fatalf("eval --json: exit %d: %s", code, stderr)
	}
	var rep struct {
		Questions int `json:"questions"`
		Recall    []struct {
			K      int     `json:"k"`
			Hits   int     `json:"hits"`
			Recall float64 `json:"recall"`
		} `json:"recall"`
		MRR              float64 `json:"mrr"`
		Chunks           int     `json:"chunks"`
		MeanPassageChars float64 `json:"mean_passage_chars"`
		LatencyP50MS     float64 `json:"latency_p50_ms"`
		LatencyP95MS     float64 `json:"latency_p95_ms"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("eval --json output %q: %v", stdout, err)
	}
	if rep.Questions != n || len(rep.Recall) != 2 || rep.Recall[0].K != 1 || rep.Recall[1].K != 5 {
		t.Fatalf("report %+v, want %d questions and recall at 1 and 5", rep, n)
	}
	// The sample questions are answerable from the sample articles.
	if rep.Recall[1].Recall < 0.9 || rep.MRR < rep.Recall[0].Recall || rep.Chunks == 0 ||
		rep.MeanPassageChars <= 0 || rep.LatencyP95MS < rep.LatencyP50MS {
		t.Errorf("report %+v", rep)
	}

	// Cut-offs given out of order and twice: the text names MRR at the
	// largest.
	code, stdout, stderr = c.run("", "eval", "--k", "10,1,10", qa)
	if code != 0 || !strings.Contains(stdout, "MRR@10") || strings.Contains(stdout, "MRR@1 ") {
		t.Errorf("eval --k 10,1,10: exit %d, %q, %s", code, stdout, stderr)
	}

	code, stdout, stderr = c.run("", "eval", qa)
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"questions", "recall@1", "recall@5", "recall@10", "MRR@10", "mean passage length", "p95"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("eval output lacks %q:\n%s", want, stdout)
		}
	}

	// A guild sees its own scope and shared: the same passages here.
	code, stdout, stderr = c.run("", "eval", "--scope", "guild:42", "--k", "1", "--json", qa)
	if code != 0 {
		t.Fatalf("eval --scope guild:42: exit %d: %s", code, stderr)
	}
	chunks := rep.Chunks
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.Chunks != chunks || rep.Questions != n {
		t.Errorf("eval --scope guild:42: %+v (%v), want %d chunks", rep, err, chunks)
	}

	for _, args := range [][]string{
		{"eval"},
		{"eval", "--k", "0", qa},
		{"eval", "--k", "x", qa},
		{"eval", "--every", "0", qa},
	} {
		if code, _, _ := c.run("", args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
	if code, _, stderr := c.run("", "eval", "missing.jsonl"); code != 1 || !strings.Contains(stderr, "missing.jsonl") {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr)
	}

	// "-" reads the lines from standard input (feedback --as-eval | eval -).
	lines, err := os.ReadFile(qa)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, stdin string
		code        int
		want        string // in the JSON's questions, or in the error
	}{
		{"the sample questions", string(lines), 0, fmt.Sprint(n)},
		{"nothing", "", 1, "standard input: no questions"},
		{"not QA lines", "when?\n", 1, "standard input line 1"},
	} {
		code, stdout, stderr := c.run(tt.stdin, "eval", "--json", "-")
		if code != tt.code {
			t.Errorf("%s on standard input: exit %d, want %d: %s", tt.name, code, tt.code, stderr)
			continue
		}
		if tt.code == 0 {
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil || fmt.Sprint(rep.Questions) != tt.want {
				t.Errorf("%s on standard input: %q (%v), want %s questions", tt.name, stdout, err, tt.want)
			}
		} else if !strings.Contains(stderr, tt.want) {
			t.Errorf("%s on standard input: stderr %q, want it to say %q", tt.name, stderr, tt.want)
		}
	}
}

func TestEvalAnswers(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, stderr := c.run("", "ingest", articlesDir); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, stderr)
	}
	// The sample questions, and questions no article touches marked
	// "covered": false (their answers must not count for recall).
	var lines []string
	covered := loadQuestions(t)
	for _, q := range covered {
		b, _ := json.Marshal(map[string]any{"question": q.Question, "answers": q.Answers})
		lines = append(lines, string(b))
	}
	unrelated := unrelatedQuestions(t)
	for _, q := range unrelated {
		b, _ := json.Marshal(map[string]any{"question": q, "answers": []string{"Riverton"}, "covered": false})
		lines = append(lines, string(b))
	}
	qa := filepath.Join(t.TempDir(), "qa.jsonl")
	if err := os.WriteFile(qa, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := c.run("", "eval", "--answers", "--json", qa)
	if code != 0 {
		t.Fatalf("eval --answers --json: exit %d: %s", code, stderr)
	}
	var rep struct {
		Questions int `json:"questions"`
		Skipped   int `json:"skipped"`
		Answers   struct {
			Covered           int     `json:"covered"`
			Uncovered         int     `json:"uncovered"`
			CoveredRefused    int     `json:"covered_refused"`
			UncoveredAnswered int     `json:"uncovered_answered"`
			GoldInAnswer      int     `json:"gold_in_answer"`
			GoldInAnswerRate  float64 `json:"gold_in_answer_rate"`
		} `json:"answers"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("eval --answers --json output %q: %v", stdout, err)
	}
	a := rep.Answers
	if rep.Questions != len(covered) || rep.Skipped != len(unrelated) {
		t.Errorf("recall over %d questions (%d skipped), want %d (%d)", rep.Questions, rep.Skipped, len(covered), len(unrelated))
	}
	if a.Covered != len(covered) || a.Uncovered != len(unrelated) || a.CoveredRefused != 0 || a.UncoveredAnswered != 0 {
		t.Errorf("answers %+v, want every covered question answered and every unrelated one declined", a)
	}
	if a.GoldInAnswer < len(covered)*3/4 || a.GoldInAnswerRate != float64(a.GoldInAnswer)/float64(a.Covered) {
		t.Errorf("gold answer in %d of %d answers (rate %v)", a.GoldInAnswer, a.Covered, a.GoldInAnswerRate)
	}
	code, stdout, stderr = c.run("", "eval", "--answers", qa)
	for _, want := range []string{"extractive", "covered questions refused", "uncovered questions answered", "gold answer in answer text"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("eval --answers: exit %d, output lacks %q:\n%s%s", code, want, stdout, stderr)
		}
	}
}
