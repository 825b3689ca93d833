package main

import (
	"strings"
	"testing"

	"github.com/citebot/citebot/bot"
)

func TestPrintAnswerListsEachArticleOnce(t *testing.T) {
	t.Parallel()
	pact := bot.Citation{ArticleID: "a1", Title: "Pact signed", Source: "Wire", URL: "https://news.example/pact"}
	toll := bot.Citation{N: 2, ArticleID: "a2", Title: "Toll rises"}
	first, third := pact, pact
	first.N, third.N = 1, 3
	var b strings.Builder
	printAnswer(&b, bot.Answer{Text: "Signed [1], toll up [2], in force [3].", Found: true, Citations: []bot.Citation{first, toll, third}})
	want := "Signed [1], toll up [2], in force [3].\n\nSources:\n[1] [3] Pact signed — Wire <https://news.example/pact>\n[2] Toll rises\n"
	if b.String() != want {
		t.Errorf("printed:\n%s\nwant:\n%s", b.String(), want)
	}
}
