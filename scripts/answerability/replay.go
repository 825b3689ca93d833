package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/retrieval"
)

// dumpedPassage is a passage as a -dump file holds it.
type dumpedPassage struct {
	ArticleID, Title, Text string
	Score, Coverage        float64
}

func dumped(p retrieval.Passage) dumpedPassage {
	return dumpedPassage{ArticleID: p.ArticleID, Title: p.Title, Text: p.Text, Score: p.Score, Coverage: p.Coverage}
}

func (p dumpedPassage) passage() retrieval.Passage {
	return retrieval.Passage{ArticleID: p.ArticleID, Title: p.Title, Text: p.Text, Score: p.Score, Coverage: p.Coverage}
}

// dumpLine is one line of a -dump file: one question asked in one
// protocol, what the core made of it and the passages it found. -dump
// writes it; -from (the signals) and -replay (the passages) read it.
type dumpLine struct {
	Protocol string          `json:"protocol"`
	Covered  bool            `json:"covered"`
	Article  string          `json:"article"`  // the question's article (SQuAD's name)
	Articles int             `json:"articles"` // how many articles the store held
	Question string          `json:"question"`
	Query    string          `json:"query"` // the question as searched: respelt; absent from older dumps
	Signals  bot.Signals     `json:"signals"`
	Logit    float64         `json:"logit"`
	Absent   []string        `json:"absent"` // the question's terms no passage of the store holds
	DF       map[string]int  `json:"df"`     // how many passages hold each of its terms
	Answer   string          `json:"answer"`
	Gold     bool            `json:"gold"`
	Answers  []string        `json:"answers"`
	Passages []dumpedPassage `json:"passages"`
}

// replay answers again, extractively and with the scorer as built, the
// covered questions of the -dump file at path, from the passages it
// holds, and prints for each protocol how many answers hold the gold
// answer and their mean length: the extractive answer's columns of the
// table in a minute or two instead of the whole run, to try a change to
// how sentences are chosen. Questions the decision declined (log-odds
// under bot.DeclineExtractive) count as misses, as in the table. Each
// question gets the passages the core gives the extractive answerer
// (bot.ExtractivePassages). With changes set, it writes there each question
// whose answer gained or lost the gold answer against the dump's.
func replay(ctx context.Context, path, changes string, w io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var out io.Writer = io.Discard
	if changes != "" {
		c, err := os.Create(changes)
		if err != nil {
			return err
		}
		defer c.Close()
		out = c
	}
	ex := bot.Extractive{Meaning: meaning, Reading: reading}
	type tally struct{ n, gold, found, words, gained, lost int }
	tallies := map[string]*tally{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<26)
	for n := 1; sc.Scan(); n++ {
		var q dumpLine
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return fmt.Errorf("%s line %d: %w", path, n, err)
		}
		if !q.Covered {
			continue
		}
		t := tallies[q.Protocol]
		if t == nil {
			t = &tally{}
			tallies[q.Protocol] = t
		}
		t.n++
		var passages []retrieval.Passage
		for _, p := range q.Passages {
			passages = append(passages, p.passage())
		}
		passages = bot.ExtractivePassages(passages)
		if q.Logit < bot.DeclineExtractive || len(passages) == 0 {
			continue
		}
		asked := q.Question
		if q.Query != "" {
			asked = q.Query
		}
		ans, err := ex.Answer(ctx, asked, passages, nil, nil)
		if err != nil {
			return fmt.Errorf("%s line %d: %w", path, n, err)
		}
		gold := retrieval.ContainsAnyAnswer(ans, q.Answers)
		t.found++
		t.words += answerWords(ans)
		if gold {
			t.gold++
		}
		if gold != q.Gold {
			if gold {
				t.gained++
			} else {
				t.lost++
			}
			fmt.Fprintf(out, "%s, gold answer %v → %v: %s\n  gold: %q\n  was: %s\n  now: %s\n\n", q.Protocol, q.Gold, gold, q.Question, q.Answers, q.Answer, ans)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	for _, p := range []string{"a", "b"} {
		t := tallies[p]
		if t == nil {
			continue
		}
		fmt.Fprintf(w, "(%s) %d covered questions: gold answer in the answer %.1f %% (%d gained, %d lost against the dump), mean answer words %.1f\n",
			p, t.n, 100*float64(t.gold)/float64(t.n), t.gained, t.lost, float64(t.words)/float64(max(1, t.found)))
	}
	return nil
}
