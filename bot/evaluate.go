package bot

import (
	"context"
	"fmt"

	"github.com/citebot/citebot/retrieval"
)

// AnswerReport measures the whole answering path over a set of questions:
// how often it declines questions the articles cover, answers questions
// they do not, and puts the expected answer in its text.
type AnswerReport struct {
	// Covered and Uncovered count the questions of each kind asked.
	Covered   int `json:"covered"`
	Uncovered int `json:"uncovered"`
	// CoveredRefused counts covered questions answered without a
	// citation ("not covered", or an answer citing nothing);
	// UncoveredAnswered uncovered questions answered with citations.
	CoveredRefused    int `json:"covered_refused"`
	UncoveredAnswered int `json:"uncovered_answered"`
	// GoldInAnswer counts covered questions whose answer text holds one
	// of the question's answers (compared as retrieval.ContainsAnswer).
	GoldInAnswer int `json:"gold_in_answer"`
	// The same as shares: of the covered questions (refused, gold) and of
	// the uncovered ones (answered); 0 when there are none.
	CoveredRefusedRate    float64 `json:"covered_refused_rate"`
	UncoveredAnsweredRate float64 `json:"uncovered_answered_rate"`
	GoldInAnswerRate      float64 `json:"gold_in_answer_rate"`
}

// EvaluateOptions configure EvaluateAnswers.
type EvaluateOptions struct {
	// Scope is where the questions are asked; empty means shared.
	Scope string
	// Each, if non-nil, is called with every question and its answer.
	Each func(q retrieval.QA, a Answer)
	// Progress, if non-nil, is called after each question with the number
	// done and the total.
	Progress func(done, total int)
}

// EvaluateAnswers asks every question through Ask, one at a time, and
// counts the outcomes. Questions carry "covered": false when the articles
// are not meant to answer them. It stops at ctx's end or at the first
// failed question, naming it.
func (c *Core) EvaluateAnswers(ctx context.Context, qs []retrieval.QA, opt EvaluateOptions) (AnswerReport, error) {
	var r AnswerReport
	for i, q := range qs {
		ans, err := c.Ask(ctx, Question{Text: q.Question, Scope: opt.Scope})
		if err != nil {
			return r, fmt.Errorf("evaluate answers: question %d (%q): %w", i+1, q.Question, err)
		}
		if opt.Each != nil {
			opt.Each(q, ans)
		}
		if q.IsCovered() {
			r.Covered++
			if !ans.Found {
				r.CoveredRefused++
			} else if retrieval.ContainsAnyAnswer(ans.Text, q.Answers) {
				r.GoldInAnswer++
			}
		} else {
			r.Uncovered++
			if ans.Found {
				r.UncoveredAnswered++
			}
		}
		if opt.Progress != nil {
			opt.Progress(i+1, len(qs))
		}
	}
	share := func(n, of int) float64 {
		if of == 0 {
			return 0
		}
		return float64(n) / float64(of)
	}
	r.CoveredRefusedRate = share(r.CoveredRefused, r.Covered)
	r.UncoveredAnsweredRate = share(r.UncoveredAnswered, r.Uncovered)
	r.GoldInAnswerRate = share(r.GoldInAnswer, r.Covered)
	return r, nil
}
