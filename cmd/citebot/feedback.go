package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/citebot/citebot/retrieval"
)

func newFeedbackCmd(c *common, env *environment) *cobra.Command {
	var (
		opts  feedbackOptions
		since string
	)
	cmd := command("feedback [flags]",
		"list the 👍/👎 votes on the Discord bot's answers",
		`List the votes people gave the Discord bot's answers, oldest first: when, 👍 or 👎, the
reason given with a 👎, the server (scope) and the question. Every server's votes unless
--scope names one; --since keeps the recent ones (a duration such as 7d or 36h, or a date).
--as-eval writes the questions instead as a QA file for citebot eval, one JSON line each:
{"question": "…", "answers": [], "covered": false} (covered is false when a 👎 said the
answer is not in the articles), so real questions become regression tests.`,
		`  citebot feedback --since 7d
  citebot feedback --scope guild:123456789 --json
  citebot feedback --as-eval > real-questions.jsonl`,
		[][]string{envStore, envEmbed},
		func(cmd *cobra.Command, pos []string) error {
			if len(pos) > 0 {
				return usageError("unexpected arguments: %q", pos)
			}
			if cmd.Flags().Changed("scope") && c.scope != "all" {
				if !retrieval.ValidScope(c.scope) {
					return usageError(`--scope %q: want "shared", "guild:<id>" or "all"`, c.scope)
				}
				opts.scope = c.scope
			}
			// "all" selects the votes, not a scope to open the store in:
			// the store refuses it as a scope.
			c.scope = retrieval.SharedScope
			if since != "" {
				t, err := parseSince(since, time.Now())
				if err != nil {
					return usageError("--since %q: %v", since, err)
				}
				opts.since = t
			}
			if opts.asJSON && opts.asEval {
				return usageError("--json and --as-eval: choose one")
			}
			a, err := c.open(cmd.Context(), env, readOnly)
			if err != nil {
				return err
			}
			defer a.Close()
			return feedbackReport(cmd.Context(), a.store, opts, env.stdout)
		})
	c.register(cmd.Flags(), withScope|showEmbed)
	// Without --scope, feedback reads every server's votes, not "shared".
	scope := cmd.Flags().Lookup("scope")
	scope.DefValue = "all"
	scope.Usage = `scope: "shared", "guild:<id>" or "all" (every server's votes)`
	cmd.Flags().StringVar(&since, "since", "", "only votes cast since then: a duration (7d, 36h) or a date (2026-01-31)")
	cmd.Flags().BoolVar(&opts.asJSON, "json", false, "print a JSON array")
	cmd.Flags().BoolVar(&opts.asEval, "as-eval", false, "write the questions as QA lines for citebot eval")
	return cmd
}

// feedbackOptions select and shape citebot feedback's output.
type feedbackOptions struct {
	scope          string    // "" for every scope
	since          time.Time // zero for all time
	asJSON, asEval bool
}

// feedbackLister is what feedbackReport reads; *retrieval.Store is one.
type feedbackLister interface {
	Feedback(ctx context.Context, q retrieval.FeedbackQuery) ([]retrieval.FeedbackEntry, error)
}

// feedbackJSON is the --json shape of one vote (a public contract).
type feedbackJSON struct {
	AnswerID  string              `json:"answer_id"`
	Scope     string              `json:"scope"`
	Question  string              `json:"question"`
	Answer    string              `json:"answer"`
	Citations []feedbackCitedJSON `json:"citations"`
	Answerer  string              `json:"answerer"`
	Embedder  string              `json:"embedder"`
	Answered  string              `json:"answered"`
	Vote      string              `json:"vote"`
	Reason    string              `json:"reason"`
	Voter     string              `json:"voter"` // a hash, never the user ID
	Voted     string              `json:"voted"`
}

type feedbackCitedJSON struct {
	ArticleID string `json:"article_id"`
	Rank      int    `json:"rank"`
}

// evalLineJSON is one line of --as-eval: a QA line of citebot eval.
type evalLineJSON struct {
	Question string   `json:"question"`
	Answers  []string `json:"answers"`
	Covered  *bool    `json:"covered,omitempty"`
}

// feedbackReport writes the votes opts selects to w: a table, a JSON
// array, or QA lines for citebot eval (one per question).
func feedbackReport(ctx context.Context, store feedbackLister, opts feedbackOptions, w io.Writer) error {
	votes, err := store.Feedback(ctx, retrieval.FeedbackQuery{Scope: opts.scope, Since: opts.since})
	if err != nil {
		return err
	}
	switch {
	case opts.asEval:
		return writeEvalLines(w, votes)
	case opts.asJSON:
		out := make([]feedbackJSON, 0, len(votes))
		for _, v := range votes {
			j := feedbackJSON{AnswerID: v.ID, Scope: v.Scope, Question: v.Question, Answer: v.Answer, Answerer: v.Answerer,
				Embedder: v.Embedder, Answered: utcTime(v.Created), Vote: v.Vote, Reason: v.Reason, Voter: v.VoterHash,
				Voted: utcTime(v.Voted), Citations: []feedbackCitedJSON{}}
			for _, c := range v.Citations {
				j.Citations = append(j.Citations, feedbackCitedJSON(c))
			}
			out = append(out, j)
		}
		return writeJSON(w, out)
	}
	if len(votes) == 0 {
		_, err := fmt.Fprintln(w, "No votes yet.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VOTED\tVOTE\tREASON\tSCOPE\tQUESTION")
	for _, v := range votes {
		vote := "👍"
		if v.Vote == "down" {
			vote = "👎"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", v.Voted.UTC().Format("2006-01-02 15:04"), vote, orDash(v.Reason), v.Scope,
			strings.Join(strings.Fields(v.Question), " "))
	}
	return tw.Flush()
}

// writeEvalLines writes each voted question once, in the order first
// voted on; "covered" is false when any 👎 on it said the answer is not in
// the articles.
func writeEvalLines(w io.Writer, votes []retrieval.FeedbackEntry) error {
	var order []string
	uncovered := map[string]bool{}
	for _, v := range votes {
		q := strings.TrimSpace(v.Question)
		if _, seen := uncovered[q]; !seen {
			order = append(order, q)
			uncovered[q] = false
		}
		if v.Vote == "down" && v.Reason == "not_in_articles" {
			uncovered[q] = true
		}
	}
	for _, q := range order {
		line := evalLineJSON{Question: q, Answers: []string{}}
		if uncovered[q] {
			no := false
			line.Covered = &no
		}
		if err := writeJSON(w, line); err != nil {
			return err
		}
	}
	return nil
}

func utcTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// parseSince reads --since: a duration back from now (7d, 36h, 90m) or a
// date (2026-01-31, UTC) or an RFC 3339 time.
func parseSince(v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if days, ok := strings.CutSuffix(v, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("want a duration such as 7d or 36h, or a date such as 2026-01-31")
}
