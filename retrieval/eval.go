package retrieval

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
)

// QA is one evaluation question: a question and the answer strings a
// good passage contains (any one of them). It is one line of a QA file.
type QA struct {
	ID       string   `json:"id,omitempty"`
	Question string   `json:"question"`
	Answers  []string `json:"answers"`
	// Covered, when false, marks a question the articles do not answer:
	// it counts for the answering measures only (a good answer declines
	// it), never for recall. Absent means true.
	Covered *bool `json:"covered,omitempty"`
}

// IsCovered reports whether the articles are meant to answer q.
func (q QA) IsCovered() bool { return q.Covered == nil || *q.Covered }

// ReadQA reads a QA file: one JSON object a line ({"question", "answers"},
// other fields ignored), blank lines skipped. name names the input in
// errors, with the line number.
func ReadQA(r io.Reader, name string) ([]QA, error) {
	var out []QA
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var q QA
		if err := json.Unmarshal([]byte(line), &q); err != nil {
			return nil, fmt.Errorf("read %s line %d: %w", name, n, err)
		}
		if strings.TrimSpace(q.Question) == "" {
			return nil, fmt.Errorf("read %s line %d: no question", name, n)
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return out, nil
}

// EvalOptions configure Evaluate. Zero values take the defaults shown.
type EvalOptions struct {
	// Scopes to search (default shared only), as in SearchOptions.
	Scopes []string
	// Ks are the cut-offs of recall@k (default 1, 5, 10). Search is asked
	// once per question for the largest.
	Ks []int
	// Progress, if non-nil, is called after each question with the
	// number done and the total. It runs on Evaluate's goroutine.
	Progress func(done, total int)
	// Each, if non-nil, is called for every evaluated question with the
	// passages Search returned and the 1-based rank of the first one
	// holding an answer (0: none). It runs on Evaluate's goroutine.
	Each func(q QA, passages []Passage, rank int)
}

// RecallAt is recall at one cut-off k.
type RecallAt struct {
	K      int     `json:"k"`
	Hits   int     `json:"hits"`
	Recall float64 `json:"recall"`
}

// EvalReport is the result of Evaluate.
type EvalReport struct {
	// Questions is the number of questions evaluated (those with at least
	// one non-blank answer, not marked uncovered); Skipped the others.
	Questions int `json:"questions"`
	Skipped   int `json:"skipped,omitempty"`
	// Recall has one entry per k, in increasing k: the share of questions
	// with an answer in one of the top k passages.
	Recall []RecallAt `json:"recall"`
	// MRR is the mean reciprocal rank of the first passage holding an
	// answer, within the top max(Ks) (0 for a miss).
	MRR float64 `json:"mrr"`
	// Chunks is the number of passages stored in the scopes and
	// MeanPassageChars their mean length in characters (runes): the size
	// of what an answerer is given, whatever the questions.
	Chunks           int     `json:"chunks"`
	MeanPassageChars float64 `json:"mean_passage_chars"`
	// MeanRetrievedChars is the mean length of the passages Search
	// returned (top max(Ks) of every question).
	MeanRetrievedChars float64 `json:"mean_retrieved_chars"`
	// LatencyP50MS and LatencyP95MS are percentiles of one Search call
	// (respelling and embedding the question included), in milliseconds.
	LatencyP50MS float64 `json:"latency_p50_ms"`
	LatencyP95MS float64 `json:"latency_p95_ms"`
}

// At returns recall@k, and false when k was not measured.
func (r EvalReport) At(k int) (float64, bool) {
	for _, x := range r.Recall {
		if x.K == k {
			return x.Recall, true
		}
	}
	return 0, false
}

// Evaluate asks Search every question, one at a time (so latencies are
// those of a lone query), respelt as the answering core respells it
// (Respell), and measures how often a passage among the top
// k contains one of the question's answers, compared case-insensitively
// with white space folded. Questions without answers are
// skipped. It stops with ctx's error, and fails on the first search
// error, naming the question.
func (s *Store) Evaluate(ctx context.Context, questions []QA, opt EvalOptions) (EvalReport, error) {
	ks := slices.Clone(opt.Ks)
	if len(ks) == 0 {
		ks = []int{1, 5, 10}
	}
	slices.Sort(ks)
	ks = slices.Compact(ks)
	if ks[0] <= 0 {
		return EvalReport{}, fmt.Errorf("evaluate: k must be positive, got %d", ks[0])
	}
	maxK := ks[len(ks)-1]
	scopes, err := checkScopes(opt.Scopes)
	if err != nil {
		return EvalReport{}, fmt.Errorf("evaluate: %w", err)
	}
	var rep EvalReport
	if rep.Chunks, rep.MeanPassageChars, err = s.passageStats(ctx, scopes); err != nil {
		return EvalReport{}, fmt.Errorf("evaluate: %w", err)
	}
	hits := make([]int, len(ks))
	var (
		rr        float64
		latencies []time.Duration
		retrieved int
		retChars  int
	)
	for i, q := range questions {
		if err := ctx.Err(); err != nil {
			return EvalReport{}, fmt.Errorf("evaluate: %w", err)
		}
		answers := normalizedAnswers(q.Answers)
		if len(answers) == 0 || !q.IsCovered() {
			rep.Skipped++
		} else {
			start := time.Now()
			query, err := s.Respell(ctx, scopes, q.Question)
			if err != nil {
				return EvalReport{}, fmt.Errorf("evaluate question %d (%q): %w", i+1, q.Question, err)
			}
			ps, err := s.Search(ctx, query, SearchOptions{Scopes: scopes, K: maxK})
			latencies = append(latencies, time.Since(start))
			if err != nil {
				return EvalReport{}, fmt.Errorf("evaluate question %d (%q): %w", i+1, q.Question, err)
			}
			rep.Questions++
			first := -1
			for j, p := range ps {
				retrieved++
				retChars += len([]rune(p.Text))
				if first < 0 && containsAny(normalizeAnswer(p.Text), answers) {
					first = j
				}
			}
			if opt.Each != nil {
				opt.Each(q, ps, first+1)
			}
			if first >= 0 {
				rr += 1 / float64(first+1)
				for n, k := range ks {
					if first < k {
						hits[n]++
					}
				}
			}
		}
		if opt.Progress != nil {
			opt.Progress(i+1, len(questions))
		}
	}
	for n, k := range ks {
		rep.Recall = append(rep.Recall, RecallAt{K: k, Hits: hits[n], Recall: ratio(float64(hits[n]), rep.Questions)})
	}
	rep.MRR = ratio(rr, rep.Questions)
	rep.MeanRetrievedChars = ratio(float64(retChars), retrieved)
	rep.LatencyP50MS = millis(percentile(latencies, 0.50))
	rep.LatencyP95MS = millis(percentile(latencies, 0.95))
	return rep, nil
}

// passageStats returns the number of chunks in scopes and their mean
// length in characters.
func (s *Store) passageStats(ctx context.Context, scopes []string) (int, float64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkOpen(); err != nil {
		return 0, 0, err
	}
	var (
		n    int
		mean *float64
	)
	err := s.db.QueryRowContext(ctx, `SELECT count(*), avg(length(text)) FROM chunks WHERE scope IN (`+
		placeholders(len(scopes))+`)`, anys(scopes)...).Scan(&n, &mean)
	if err != nil {
		return 0, 0, s.fileError(err)
	}
	if mean == nil {
		return n, 0, nil
	}
	return n, *mean, nil
}

// ContainsAnswer reports whether passage contains answer, compared
// case-insensitively with runs of white space folded into one space. A
// blank answer is contained nowhere.
func ContainsAnswer(passage, answer string) bool {
	a := normalizeAnswer(answer)
	return a != "" && strings.Contains(normalizeAnswer(passage), a)
}

// ContainsAnyAnswer reports whether text contains any of answers, each
// compared as ContainsAnswer compares it (text is normalised once).
func ContainsAnyAnswer(text string, answers []string) bool {
	return containsAny(normalizeAnswer(text), normalizedAnswers(answers))
}

// normalizeAnswer lower-cases s and folds white space runs into one space,
// trimming both ends.
func normalizeAnswer(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func normalizedAnswers(answers []string) []string {
	var out []string
	for _, a := range answers {
		if n := normalizeAnswer(a); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func containsAny(text string, subs []string) bool {
	for _, s := range subs {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

func ratio(x float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return x / float64(n)
}

// percentile returns the p-quantile (0..1) of ds by the nearest-rank
// method; 0 for none. ds is sorted in place.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(p*float64(len(ds))+0.999999) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
