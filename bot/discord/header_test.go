package discord

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/citebot/citebot/internal/text"
)

func TestQuestionHeader(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("budget ", 60)
	for _, tt := range []struct {
		name, question, want string
	}{
		{"plain", "When does the ferry leave?", `> When does the ferry leave?`},
		{"markup shows as typed", "Is **bold** or `code` or > quote ok?", `> Is \*\*bold\*\* or \` + "`" + `code\` + "`" + ` or \> quote ok?`},
		{"a link is no link", "What does [the notice](https://evil.example/login) say?", `> What does \[the notice\]\(https:\//evil.example/login\) say?`},
		{"mentions do not render", "Did <@123> or @everyone ask?", `> Did \<@123\> or @` + "\u200b" + `everyone ask?`},
		{"one line", "When does\nthe ferry\tleave?", `> When does the ferry leave?`},
		{"a long question is cut", long, "> " + strings.Repeat("budget ", 42) + "budge…"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := questionHeader(tt.question); got != tt.want {
				t.Errorf("questionHeader(%q) = %q, want %q", tt.question, got, tt.want)
			}
		})
	}
}

// FuzzQuestionHeader: a header is one line, leaves most of the first
// message to the answer, and gives back the question it quotes (on one
// line, cut as shown).
func FuzzQuestionHeader(f *testing.F) {
	for _, q := range []string{"When does the ferry leave?", `a \*b\* [x](https://e.example) <@1> @everyone :/ \`, strings.Repeat("word ", 100), ""} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if !utf8.ValidString(q) {
			return // a question from Discord is valid UTF-8
		}
		h := questionHeader(q)
		if strings.ContainsAny(h, "\r\n") {
			t.Fatalf("header %q has more than one line", h)
		}
		if n := utf8.RuneCountInString(h); n > len(headerPrefix)+2*maxHeaderQuestion+2*utf8.RuneCountInString("…") {
			t.Fatalf("header of %d characters", n)
		}
		got, rest, ok := splitHeader(h + "\nAt seven [1].")
		if !ok || rest != "At seven [1]." {
			t.Fatalf("splitHeader(%q) = %q, %q, %v", h, got, rest, ok)
		}
		want := strings.ReplaceAll(text.Truncate(strings.Join(strings.Fields(q), " "), maxHeaderQuestion), "\u200b", "")
		if got != strings.TrimSpace(want) {
			t.Fatalf("question %q came back as %q, want %q", q, got, want)
		}
	})
}
