package main

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/citebot/citebot/bot"
)

// synthetic returns n covered questions of (a) and of (b) and n
// uncovered ones of (c), their signals drawn so that coverage and meaning
// tell the two apart with some overlap.
func synthetic(n int) []outcome {
	r := rand.New(rand.NewPCG(1, 2))
	var outs []outcome
	for i := range 3 * n {
		p := "abc"[i%3 : i%3+1]
		covered := p != "c"
		base := 0.3
		if covered {
			base = 0.6
		}
		v := func() float64 { return min(1, max(0, base+0.2*r.NormFloat64())) }
		outs = append(outs, outcome{protocol: p, article: "article" + string(rune('A'+i%8)), covered: covered, signals: bot.Signals{
			Coverage: v(), SentenceCoverage: v(), Similarity: v(), Margin: v(), Phrases: v(), SentenceSimilarity: v(),
			Meaning: v(), MeaningTop: v(), MeaningTop3: v(), MeaningJoint: v(), MeaningOfWordsBest: v(),
			RareCoverage: v(), RareSentenceCoverage: v(), Meant: true,
		}})
	}
	return outs
}

// TestPlaceThresholds: the fitted decision, scaled and shifted, declines
// at most the capped shares of covered questions at the shared
// thresholds, and close to them (the scale is not just large).
func TestPlaceThresholds(t *testing.T) {
	t.Parallel()
	outs := synthetic(400)
	wt, bias := fitWeights(outs)
	scale, shift := placeThresholds(outs, wt, bias)
	if scale <= 0 {
		t.Fatalf("scale %.3f, want positive", scale)
	}
	declined := func(p string, threshold float64) float64 {
		var n, d int
		for _, o := range outs {
			if o.protocol != p {
				continue
			}
			z := bias
			for j, x := range features(o.signals) {
				z += wt[j] * x
			}
			n++
			if scale*z+shift < threshold {
				d++
			}
		}
		return float64(d) / float64(n)
	}
	for _, tt := range []struct {
		threshold, limit float64
	}{{bot.DeclineExtractive, extractiveDeclineCap}, {bot.NearLogit, nearDeclineCap}} {
		a, b := declined("a", tt.threshold), declined("b", tt.threshold)
		if a > tt.limit || b > tt.limit {
			t.Errorf("at %.1f: (a) %.3f, (b) %.3f declined, want at most %.3f", tt.threshold, a, b, tt.limit)
		}
		if max(a, b) < tt.limit-0.01 {
			t.Errorf("at %.1f: (a) %.3f, (b) %.3f declined, want close to %.3f", tt.threshold, a, b, tt.limit)
		}
	}
}

// TestPenaltyShrinks: a stronger L2 penalty gives smaller weights, and
// the kept penalty depends on the signals fitted.
func TestPenaltyShrinks(t *testing.T) {
	t.Parallel()
	outs := synthetic(200)
	norm := func(penalty float64) float64 {
		wt, _ := fitPenalised(outs, penalty)
		s := 0.0
		for _, w := range wt {
			s += w * w
		}
		return s
	}
	if weak, strong := norm(1e-3), norm(1); strong >= weak {
		t.Errorf("squared weights %.3f with penalty 1, want below %.3f with 1e-3", strong, weak)
	}
	words := slices.Clone(outs)
	for i := range words {
		words[i].signals.Meant = false
	}
	if got := penaltyFor(outs); got != l2Meant {
		t.Errorf("penalty %g with the sentence model's signals, want %g", got, l2Meant)
	}
	if got := penaltyFor(words); got != l2Words {
		t.Errorf("penalty %g on words alone, want %g", got, l2Words)
	}
}

// TestRefitReadsDump: -from reads the lines -dump writes and fits on them.
func TestRefitReadsDump(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var tune []string
	var dump bytes.Buffer
	enc := json.NewEncoder(&dump)
	for _, o := range synthetic(100) {
		if !strings.Contains(strings.Join(tune, " "), o.article) {
			tune = append(tune, o.article)
		}
		if err := enc.Encode(dumpLine{Protocol: o.protocol, Covered: o.covered, Question: "q", Signals: o.signals, Article: o.article}); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "tune-articles.txt"), []byte(strings.Join(tune, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "dump.jsonl")
	if err := os.WriteFile(path, dump.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := refit(dir, path, true, true, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"300 questions", "fitted on 300 questions", "scaled by", "on unseen articles"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := os.WriteFile(path, []byte("{not json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := refit(dir, path, true, false, &out); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("refit of a broken dump: %v, want an error naming line 1", err)
	}
}

func TestPrintPact(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := printPact(t.Context(), &out, filepath.Join(t.TempDir(), "squad-dev")); err != nil || out.Len() > 0 {
		t.Errorf("without seed/pact.txt: %v, printed %q; want nothing", err, out.String())
	}
	data := filepath.Join("..", "..", "..", "shared", "data", "squad-dev")
	if _, err := os.Stat(filepath.Join(data, "..", "seed", "pact.txt")); err != nil {
		t.Skip("no ../shared/data/seed/pact.txt:", err)
	}
	if err := printPact(t.Context(), &out, data); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "12 questions") || !strings.Contains(out.String(), "answered offline") {
		t.Errorf("output lacks the count of the 12 questions:\n%s", out.String())
	}
	t.Log(out.String())
}

// TestPrintAsked: the asked folder's questions are asked of their article
// alone, the unrelated ones of each article; a folder that does not exist
// prints nothing, and the project's own is read whole.
func TestPrintAsked(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := printAsked(t.Context(), &out, filepath.Join(t.TempDir(), "none")); err != nil || out.Len() > 0 {
		t.Errorf("without the folder: %v, printed %q; want nothing", err, out.String())
	}
	dir := t.TempDir()
	files := map[string]string{
		"ferry.txt": "Island ferry cut to three sailings\n\nThe island ferry will run three sailings a day from Monday because the operator lacks engineers.\n",
		"questions.jsonl": `{"question": "How many sailings will the island ferry run a day?", "article": "ferry.txt", "answers": ["three sailings"]}` + "\n" +
			`{"question": "Why is the island ferry cut?", "article": "ferry.txt", "answers": ["lacks engineers"]}` + "\n",
		"unrelated.txt": "Who wrote the novel Pride and Prejudice?\n\nWhat is the boiling point of mercury?\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := printAsked(t.Context(), &out, dir); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2 questions asked in other words than theirs: 2 answered offline, 2 with the words that answer them", "2 unrelated questions (2 of each): 0 answered offline",
		"all 1 articles in one store: 2 answered offline, 2 with the words that answer them"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := printAsked(t.Context(), &out, filepath.Join("..", "..", "testdata", "asked")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "153 questions") {
		t.Errorf("the project's asked questions: output lacks their count, 153:\n%s", out.String())
	}
}

// TestPrintWritten: -written asks each article alone its questions and
// counts the tune and the held-out articles apart.
func TestPrintWritten(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	files := map[string]string{
		"heldout-articles.txt": "Bridge\n",
		"articles/Ferry.txt":   "Island ferry\n\nThe island ferry will run three sailings a day from Monday because the operator lacks engineers.\n",
		"articles/Bridge.txt":  "Harbour bridge\n\nThe Harbourview Bridge opened in 1962 and carries four lanes of traffic over the harbour.\n",
		"written.jsonl": `{"article_id": "Ferry", "question": "How many sailings will the island ferry run a day?", "answers": ["three sailings"]}` + "\n" +
			`{"article_id": "Bridge", "question": "When did the Harbourview Bridge open?", "answers": ["1962"]}` + "\n" +
			`{"article_id": "Bridge", "question": "How many lanes does the Harbourview Bridge carry?", "answers": ["four lanes"]}` + "\n",
	}
	if err := os.Mkdir(filepath.Join(data, "articles"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(data, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := printWritten(t.Context(), &out, data, filepath.Join(data, "written.jsonl")); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tune articles: 1 questions, 0 declined offline (0.0 %), gold answer in the answer 1 (100.0 %)",
		"held-out articles: 2 questions, 0 declined offline (0.0 %), gold answer in the answer 2 (100.0 %)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := printWritten(t.Context(), &out, data, filepath.Join(data, "none.jsonl")); err == nil {
		t.Error("a missing questions file: no error")
	}
}

func TestReplay(t *testing.T) {
	t.Parallel()
	ferry := dumpedPassage{ArticleID: "a", Title: "Island news", Coverage: 0.6,
		Text: "The Harbour Line ferry links the old port with the island villages. It began carrying passengers in 1987, after the causeway closed."}
	off := dumpedPassage{ArticleID: "b", Title: "Port news", Coverage: 0.2, Text: "The ferry began a winter timetable in 2019."}
	lines := []dumpLine{
		// Answered from the ferry passage; the dump's answer lacked the year.
		{Protocol: "a", Covered: true, Question: "When did the ferry start?", Logit: 1, Answers: []string{"1987"}, Passages: []dumpedPassage{ferry, off}},
		// Declined by the decision: a miss whatever the passages say.
		{Protocol: "a", Covered: true, Question: "When did the ferry start carrying passengers?", Logit: -9, Answers: []string{"1987"}, Passages: []dumpedPassage{ferry}},
		// Searched respelt: the query is what is answered ("Wehn" asks
		// for no date, and the sentence with the year lacks "ferry").
		{Protocol: "b", Covered: true, Question: "Wehn did the ferry strat?", Query: "When did the ferry start?", Logit: 1, Gold: true, Answers: []string{"1987"}, Passages: []dumpedPassage{ferry}},
		// Uncovered questions are not replayed.
		{Protocol: "c", Question: "Who won the cup?", Logit: 1, Passages: []dumpedPassage{ferry}},
	}
	var dump bytes.Buffer
	enc := json.NewEncoder(&dump)
	for _, l := range lines {
		if err := enc.Encode(l); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	path, changes := filepath.Join(dir, "dump.jsonl"), filepath.Join(dir, "changes.txt")
	if err := os.WriteFile(path, dump.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := replay(t.Context(), path, changes, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"(a) 2 covered questions: gold answer in the answer 50.0 % (1 gained, 0 lost", "(b) 1 covered questions: gold answer in the answer 100.0 % (0 gained, 0 lost"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "(c)") {
		t.Errorf("uncovered questions replayed:\n%s", out.String())
	}
	got, err := os.ReadFile(changes)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "gold answer false → true: When did the ferry start?") || strings.Count(string(got), "gold answer") != 1 {
		t.Errorf("changes:\n%s", got)
	}
	if err := os.WriteFile(path, []byte("{not json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := replay(t.Context(), path, "", io.Discard); err == nil {
		t.Error("a broken dump replayed without error")
	}
}
