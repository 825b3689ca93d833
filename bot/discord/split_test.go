package discord

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	para := func(word string, n int) string { return strings.TrimSpace(strings.Repeat(word+" ", n)) }
	code := "```go\n" + strings.Repeat("fmt.Println(\"line\")\n", 8) + "```\n"
	tests := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{name: "empty", text: "", limit: 100, want: nil},
		{name: "fits", text: "short answer [1].", limit: 100, want: []string{"short answer [1]."}},
		{
			name:  "paragraph before sentence",
			text:  para("alpha.", 6) + "\n\n" + para("beta.", 6),
			limit: 50,
			want:  []string{para("alpha.", 6) + "\n\n", para("beta.", 6)},
		},
		{
			name:  "sentence before word",
			text:  "One two three four five six seven. Eight nine ten eleven twelve thirteen.",
			limit: 45,
			want:  []string{"One two three four five six seven. ", "Eight nine ten eleven twelve thirteen."},
		},
		{
			name:  "word when no sentence end",
			text:  "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk",
			limit: 40,
			want:  []string{"aaaa bbbb cccc dddd eeee ffff gggg hhhh ", "iiii jjjj kkkk"},
		},
		{
			name:  "hard cut without spaces",
			text:  strings.Repeat("x", 90),
			limit: 40,
			want:  []string{strings.Repeat("x", 40), strings.Repeat("x", 40), strings.Repeat("x", 10)},
		},
		{
			name:  "multibyte runes are counted, not bytes",
			text:  strings.Repeat("é", 60),
			limit: 40,
			want:  []string{strings.Repeat("é", 40), strings.Repeat("é", 20)},
		},
		{
			name:  "code block kept whole when it fits",
			text:  "Intro line.\n" + code + "After.",
			limit: len(code) + 6,
			want:  []string{"Intro line.\n", code + "After."},
		},
		{
			name:  "long code block closed and reopened",
			text:  code,
			limit: 80,
			want: []string{
				"```go\n" + strings.Repeat("fmt.Println(\"line\")\n", 3) + "```",
				"```go\n" + strings.Repeat("fmt.Println(\"line\")\n", 3) + "```",
				"```go\n" + strings.Repeat("fmt.Println(\"line\")\n", 2) + "```\n",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := split(tt.text, tt.limit)
			if len(got) != len(tt.want) {
				t.Fatalf("Split gave %d parts %q, want %d %q", len(got), got, len(tt.want), tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("part %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
			checkSplit(t, tt.text, tt.limit)
		})
	}
}

// checkSplit asserts split's invariants: no part over the limit, and the
// parts, with the fences split added removed, concatenate to text.
func checkSplit(t *testing.T, text string, limit int) {
	t.Helper()
	pieces := splitPieces(text, limit)
	var joined strings.Builder
	for i, p := range pieces {
		r := p.render()
		if n := utf8.RuneCountInString(r); n > max(limit, minSplitLimit) {
			t.Fatalf("part %d has %d characters, limit %d: %q", i, n, limit, r)
		}
		if p.Text == "" {
			t.Fatalf("part %d is empty", i)
		}
		if i > 0 && (p.Open != "") != pieces[i-1].Close {
			t.Fatalf("part %d reopens %q but part %d closed=%v", i, p.Open, i-1, pieces[i-1].Close)
		}
		joined.WriteString(p.Text)
	}
	if joined.String() != text {
		t.Fatalf("parts do not concatenate to the text:\n got %q\nwant %q", joined.String(), text)
	}
	parts := split(text, limit)
	if len(parts) != len(pieces) {
		t.Fatalf("Split gave %d parts, pieces %d", len(parts), len(pieces))
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("Hello world. This is a test.\n\nSecond paragraph [1].", 40)
	f.Add("```go\nx := 1\n```\n"+strings.Repeat("word ", 30), 45)
	f.Add(strings.Repeat("日本語のテキスト。", 20), 41)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		if limit < 0 {
			limit = -limit
		}
		limit = limit%2000 + 1
		checkSplit(t, text, limit)
	})
}
