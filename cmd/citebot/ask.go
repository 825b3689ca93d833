package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/citebot/citebot/bot"
)

// askJSON is the --json shape of an answer (a public contract).
type askJSON struct {
	Answer string `json:"answer"`
	Found  bool   `json:"found"`
	Note   string `json:"note"` // "" when there is none, as documented
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

func newAskCmd(c *common, env *environment) *cobra.Command {
	var asJSON bool
	cmd := command("ask [flags] QUESTION|-",
		"answer a question with citations (\"-\": one question per line from stdin)",
		`Answer a question from the articles of the scope (and the shared ones), citing the passages
it comes from, or say plainly that the articles do not cover it. With "-", reads one question
per line from standard input and prints one JSON object per line. Standard error names the
answerer and embedder used.`,
		`  citebot ask "When was the trade agreement signed?"
  citebot ask --json --scope guild:123456789 "Who called the strike?"
  citebot ask - < questions.txt`,
		[][]string{envStore, envAnswer, envEmbed},
		func(cmd *cobra.Command, pos []string) error {
			ctx := cmd.Context()
			question := strings.TrimSpace(strings.Join(pos, " "))
			if question == "" {
				return usageError("no question: citebot ask \"your question\" (or - to read questions from standard input)")
			}
			a, err := c.open(ctx, env, readOnly)
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
				a.log.Error("ask failed", "question", clip(question), "err", err)
				return failure("%s", userText(err))
			}
			return writeAnswer(env, ans, asJSON)
		})
	c.register(cmd.Flags(), withScope|showAnswer|showEmbed)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per answer")
	return cmd
}

// maxLineBytes bounds a line of "ask -": a longer one is answered with
// an error object (with its question cut), and the batch goes on.
const maxLineBytes = 1 << 20

// askLines answers one question per line of standard input, writing one
// JSON object per line; a failed question gets an object with "error".
func askLines(ctx context.Context, env *environment, a *app, scope string) error {
	r := bufio.NewReaderSize(env.stdin, 64*1024)
	failed := 0
	for {
		line, tooLong, readErr := readLine(r, maxLineBytes)
		if readErr != nil && readErr != io.EOF {
			return fmt.Errorf("read questions from standard input: %w", readErr)
		}
		q := strings.TrimSpace(line)
		var (
			out askJSON
			err error
		)
		switch {
		case tooLong:
			out = toJSON(bot.Answer{})
			err = bot.UserError(fmt.Sprintf("That question is too long (over %d MiB); please keep it to at most %d characters.", maxLineBytes>>20, bot.MaxQuestionRunes),
				fmt.Errorf("question line over %d bytes", maxLineBytes))
		case q != "":
			var ans bot.Answer
			ans, err = a.core.Ask(ctx, bot.Question{Text: q, Scope: scope})
			out = toJSON(ans)
		}
		if q != "" || tooLong {
			out.Question = q
			if utf8.RuneCountInString(q) > bot.MaxQuestionRunes {
				out.Question = clip(q) // refused as too long: echoed cut
			}
			if err != nil {
				failed++
				a.log.Error("ask failed", "question", clip(q), "err", err)
				out.Error = userText(err)
			}
			if err := writeJSON(env.stdout, out); err != nil {
				return err
			}
		}
		if readErr == io.EOF {
			break
		}
	}
	if failed > 0 {
		return failure("%s failed", plural(failed, "question"))
	}
	return nil
}

// readLine reads one line from r without its end of line. A line of more
// than max bytes is read to its end but only its first max bytes are
// returned, with tooLong set, so one long line costs no more memory than
// max. At the end of the input err is io.EOF, with the last line, if
// any, in line.
func readLine(r *bufio.Reader, max int) (line string, tooLong bool, err error) {
	var b []byte
	n := 0 // the line's length in bytes
	for {
		frag, err := r.ReadSlice('\n')
		frag = bytes.TrimSuffix(frag, []byte("\n"))
		n += len(frag)
		if room := max - len(b); room > 0 {
			b = append(b, frag[:min(len(frag), room)]...)
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err != nil && err != io.EOF:
			return "", false, err
		}
		return strings.TrimSuffix(string(b), "\r"), n > max, err
	}
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

// printAnswer writes the answer, then its sources, for people. An error
// writing them is returned: the answer is the command's result.
func printAnswer(w io.Writer, ans bot.Answer) error {
	var b strings.Builder
	fmt.Fprintln(&b, ans.Text)
	if ans.Note != "" {
		fmt.Fprintf(&b, "\n(%s)\n", ans.Note)
	}
	if len(ans.Citations) > 0 {
		fmt.Fprintln(&b, "\nSources:")
	}
	for _, c := range bot.SourceLines(ans.Citations) {
		line := c.Markers("[%d]") + " " + c.Title
		if by := c.Byline(); by != "" {
			line += " — " + by
		}
		if c.URL != "" {
			line += " <" + c.URL + ">"
		}
		fmt.Fprintln(&b, line)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write the answer: %w", err)
	}
	return nil
}
