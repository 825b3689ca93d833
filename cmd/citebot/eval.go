package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/retrieval"
)

// evalProgressMin is the number of questions from which eval reports its
// progress on standard error.
const evalProgressMin = 200

func newEvalCmd(c *common, env *environment) *cobra.Command {
	var (
		asJSON bool
		ksFlag string
		every  int
		answer bool
	)
	cmd := command("eval [flags] QA.jsonl|-",
		"measure retrieval (recall@k, MRR, passage length, latency) and, with --answers, the answers",
		`Measure retrieval over the store's articles with a file of lines
{"question": "…", "answers": ["…"]}: recall@k, MRR, mean passage length, search latency.
With --answers, also answer every question and measure the answers. "-" reads the lines
from standard input.`,
		`  citebot eval --k 1,5,10 testdata/questions.jsonl
  citebot eval --every 10 --json qa.jsonl
  citebot feedback --as-eval | citebot eval --answers -`,
		[][]string{envStore, envAnswer, envEmbed},
		func(cmd *cobra.Command, pos []string) error {
			return runEval(cmd.Context(), env, c, pos, ksFlag, every, answer, asJSON)
		})
	c.register(cmd.Flags(), withScope|showAnswer|showEmbed)
	fs := cmd.Flags()
	fs.BoolVar(&asJSON, "json", false, "print one JSON object")
	fs.StringVarP(&ksFlag, "k", "k", "1,5,10", "cut-offs for recall@k, comma-separated")
	fs.IntVar(&every, "every", 1, "evaluate every Nth question only (a quick sample)")
	fs.BoolVar(&answer, "answers", false, `also answer every question with the configured answerer and measure the answers: covered questions refused, uncovered ones ("covered": false) answered, gold answer in the answer text`)
	return cmd
}

func runEval(ctx context.Context, env *environment, c *common, pos []string, ksFlag string, every int, answer, asJSON bool) error {
	if len(pos) != 1 {
		return usageError(`eval takes one QA file: lines of {"question": "...", "answers": ["..."]}`)
	}
	ks, err := parseKs(ksFlag)
	if err != nil {
		return usageError("invalid --k %q: %v", ksFlag, err)
	}
	if every < 1 {
		return usageError("invalid --every %d: want 1 or more", every)
	}
	name := pos[0]
	var all []retrieval.QA
	if name == "-" { // ./- names a file called "-"
		name = "standard input"
		all, err = retrieval.ReadQA(env.stdin, name)
	} else {
		f, ferr := os.Open(name)
		if ferr != nil {
			return fmt.Errorf("read questions: %w", ferr)
		}
		all, err = retrieval.ReadQA(f, name)
		f.Close()
	}
	if err != nil {
		return err
	}
	var qs []retrieval.QA
	for i := 0; i < len(all); i += every {
		qs = append(qs, all[i])
	}
	if len(qs) == 0 {
		return fmt.Errorf("%s: no questions", name)
	}
	a, err := c.open(ctx, env, readOnly)
	if err != nil {
		return err
	}
	defer a.Close()
	opt := retrieval.EvalOptions{Scopes: retrieval.SearchScopes(c.scope), Ks: ks}
	if len(qs) >= evalProgressMin {
		step := max(1, len(qs)/20)
		opt.Progress = func(done, total int) {
			if done%step == 0 || done == total {
				fmt.Fprintf(env.stderr, "citebot eval: %d/%d questions\n", done, total)
			}
		}
	}
	rep, err := a.store.Evaluate(ctx, qs, opt)
	if err != nil {
		return err
	}
	var answers *bot.AnswerReport
	if answer {
		eopt := bot.EvaluateOptions{Scope: c.scope}
		if opt.Progress != nil {
			eopt.Progress = opt.Progress
		}
		r, err := a.core.EvaluateAnswers(ctx, qs, eopt)
		if err != nil {
			return err
		}
		answers = &r
	}
	if asJSON {
		return writeJSON(env.stdout, struct {
			retrieval.EvalReport
			Answers *bot.AnswerReport `json:"answers,omitempty"`
		}{rep, answers})
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "questions\t%d\n", rep.Questions)
	if rep.Skipped > 0 {
		fmt.Fprintf(tw, "skipped (no answers, or marked not covered)\t%d\n", rep.Skipped)
	}
	for _, r := range rep.Recall {
		fmt.Fprintf(tw, "recall@%d\t%.4f\t(%d)\n", r.K, r.Recall, r.Hits)
	}
	fmt.Fprintf(tw, "MRR@%d\t%.4f\n", ks[len(ks)-1], rep.MRR)
	fmt.Fprintf(tw, "passages in store\t%d\n", rep.Chunks)
	fmt.Fprintf(tw, "mean passage length\t%.0f characters\t(retrieved: %.0f)\n", rep.MeanPassageChars, rep.MeanRetrievedChars)
	fmt.Fprintf(tw, "search latency\tp50 %.1f ms\tp95 %.1f ms\n", rep.LatencyP50MS, rep.LatencyP95MS)
	if answers != nil {
		fmt.Fprintf(tw, "answerer\t%s\n", a.core.AnswererName())
		fmt.Fprintf(tw, "covered questions refused\t%.4f\t(%d of %d)\n", answers.CoveredRefusedRate, answers.CoveredRefused, answers.Covered)
		fmt.Fprintf(tw, "uncovered questions answered\t%.4f\t(%d of %d)\n", answers.UncoveredAnsweredRate, answers.UncoveredAnswered, answers.Uncovered)
		fmt.Fprintf(tw, "gold answer in answer text\t%.4f\t(%d of %d)\n", answers.GoldInAnswerRate, answers.GoldInAnswer, answers.Covered)
	}
	return tw.Flush()
}

// parseKs parses "1,5,10" into sorted distinct positive cut-offs.
func parseKs(s string) ([]int, error) {
	var ks []int
	for _, f := range strings.Split(s, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || k < 1 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return slices.Compact(ks), nil
}
