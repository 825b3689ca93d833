package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/citebot/citebot/bot"
)

// askJSON is the --json shape of an answer (a public contract).
type askJSON struct {
	Answer string `json:"answer"`
	Found  bool   `json:"found"`
	Note   string `json:"note,omitempty"`
	// Answerability (an extension of the documented shape) is the log-odds
	// the decision gave that the passages answer the question; absent when
	// there was nothing to search.
	Answerability *float64       `json:"answerability,omitempty"`
	Citations     []bot.Citation `json:"citations"`
	Passages      []passageJSON  `json:"passages"`
	Error         string         `json:"error,omitempty"`
	Question      string         `json:"question,omitempty"`
}

type passageJSON struct {
	Rank      int     `json:"rank"`
	ArticleID string  `json:"article_id"`
	Title     string  `json:"title"`
	Text      string  `json:"text"`
	Score     float64 `json:"score"`
	// Coverage (an extension of the documented shape) is the weighted
	// share of the question's terms the passage holds.
	Coverage float64 `json:"coverage"`
}

func cmdAsk(ctx context.Context, env *environment, args []string) error {
	var c common
	var asJSON bool
	fs := newFlagSet("ask", env, "[--scope S] [--json] QUESTION|-")
	c.register(fs, env, true)
	fs.BoolVar(&asJSON, "json", false, "print one JSON object per answer")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	question := strings.TrimSpace(strings.Join(pos, " "))
	if question == "" {
		return usageError("no question: citebot ask \"your question\" (or - to read questions from standard input)")
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(env.stderr, "citebot: answerer %s, embedder %s\n", a.core.AnswererName(), a.embedder.Name())
	if question == "-" {
		return askLines(ctx, env, a, c.scope)
	}
	ans, err := a.core.Ask(ctx, bot.Question{Text: question, Scope: c.scope})
	if err != nil {
		a.log.Error("ask failed", "err", err)
		return &exitError{code: 1, err: fmt.Errorf("%s", userText(err))}
	}
	if asJSON {
		return writeJSON(env.stdout, toJSON(ans))
	}
	printAnswer(env.stdout, ans)
	return nil
}

// askLines answers one question per line of standard input, writing one
// JSON object per line; a failed question gets an object with "error".
func askLines(ctx context.Context, env *environment, a *app, scope string) error {
	sc := bufio.NewScanner(env.stdin)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	failed := 0
	for sc.Scan() {
		q := strings.TrimSpace(sc.Text())
		if q == "" {
			continue
		}
		ans, err := a.core.Ask(ctx, bot.Question{Text: q, Scope: scope})
		out := toJSON(ans)
		out.Question = q
		if err != nil {
			failed++
			a.log.Error("ask failed", "question", q, "err", err)
			out.Error = userText(err)
		}
		if err := writeJSON(env.stdout, out); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read questions from standard input: %w", err)
	}
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d question(s) failed", failed)}
	}
	return nil
}

func toJSON(ans bot.Answer) askJSON {
	out := askJSON{Answer: ans.Text, Found: ans.Found, Note: ans.Note, Citations: ans.Citations, Passages: []passageJSON{}}
	if out.Citations == nil {
		out.Citations = []bot.Citation{}
	}
	if len(ans.Passages) > 0 {
		logit := math.Round(ans.Logit*100) / 100
		out.Answerability = &logit
	}
	for i, p := range ans.Passages {
		out.Passages = append(out.Passages, passageJSON{Rank: i + 1, ArticleID: p.ArticleID, Title: p.Title, Text: p.Text, Score: p.Score, Coverage: p.Coverage})
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// printAnswer writes the answer, then its sources, for people.
func printAnswer(w io.Writer, ans bot.Answer) {
	fmt.Fprintln(w, ans.Text)
	if ans.Note != "" {
		fmt.Fprintf(w, "\n(%s)\n", ans.Note)
	}
	if len(ans.Citations) == 0 {
		return
	}
	fmt.Fprintln(w, "\nSources:")
	for _, c := range ans.Citations {
		line := fmt.Sprintf("[%d] %s", c.N, c.Title)
		if c.Source != "" {
			line += " — " + c.Source
		}
		if c.URL != "" {
			line += " <" + c.URL + ">"
		}
		fmt.Fprintln(w, line)
	}
}
