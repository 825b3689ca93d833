package main

import (
	"bytes"
	"strings"
	"syscall"
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
	if err := printAnswer(&b, bot.Answer{Text: "Signed [1], toll up [2], in force [3].", Found: true, Citations: []bot.Citation{first, toll, third}}); err != nil {
		t.Fatal(err)
	}
	want := "Signed [1], toll up [2], in force [3].\n\nSources:\n[1] [3] Pact signed — Wire <https://news.example/pact>\n[2] Toll rises\n"
	if b.String() != want {
		t.Errorf("printed:\n%s\nwant:\n%s", b.String(), want)
	}
}

// fullWriter fails every write, as standard output on a full disk does.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestAnswerNotWrittenFails checks that ask and summarize exit 1 when
// their answer cannot be written to standard output: it is their result.
func TestAnswerNotWrittenFails(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	id := c.ingestID("riverton-transit-strike.txt")
	getenv := func(k string) string {
		if k == "CITEBOT_DATA_DIR" {
			return c.dataDir
		}
		return c.env[k]
	}
	for _, args := range [][]string{
		{"ask", "Is paratransit still running during the Riverton strike?"},
		{"ask", "--json", "Is paratransit still running during the Riverton strike?"},
		{"ask", "Who won the Olympic gold medal in the women's marathon?"},
		{"summarize", id},
		{"summarize", "--json", id},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			var errb bytes.Buffer
			code := run(t.Context(), args, strings.NewReader(""), fullWriter{}, &errb, getenv)
			if code != 1 || !strings.Contains(errb.String(), syscall.ENOSPC.Error()) {
				t.Errorf("exit %d, stderr %q; want 1 and the write error", code, errb.String())
			}
		})
	}
}
