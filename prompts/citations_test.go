package prompts

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheckCitations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		text    string
		n       int
		want    string
		cited   []int
		dropped int
	}{
		{"single", "Paris is the capital [2].", 3, "Paris is the capital [1].", []int{2}, 0},
		{"order of first use", "A [3]. B [1]. C [3].", 3, "A [1]. B [2]. C [1].", []int{3, 1}, 0},
		{"list", "A [1, 3].", 3, "A [1, 2].", []int{1, 3}, 0},
		{"list without space", "A [3,1].", 3, "A [1, 2].", []int{3, 1}, 0},
		{"adjacent", "A [1][3].", 3, "A [1][2].", []int{1, 3}, 0},
		{"range", "A [1-2].", 2, "A [1, 2].", []int{1, 2}, 0},
		{"en dash range", "A [2–4].", 4, "A [1-3].", []int{2, 3, 4}, 0},
		{"reversed range", "A [3-1].", 3, "A [1-3].", []int{1, 2, 3}, 0},
		{"repeated inside one marker", "A [2, 2, 2].", 2, "A [1].", []int{2}, 0},
		{"invalid dropped with its space", "A [7]. B [1].", 2, "A. B [1].", []int{1}, 1},
		{"invalid at end", "A [1] and B [9]", 2, "A [1] and B", []int{1}, 1},
		{"invalid at line start", "[9] A\n[0] B [2]", 2, "A\nB [1]", []int{2}, 2},
		{"invalid between words", "A [5] B [1]", 1, "A B [1]", []int{1}, 1},
		{"partly invalid list", "A [1, 9, 2].", 2, "A [1, 2].", []int{1, 2}, 1},
		{"partly invalid range", "A [2-9].", 3, "A [1, 2].", []int{2, 3}, 1},
		{"zero", "A [0].", 2, "A.", nil, 1},
		{"huge number", "A [99999999999999999999999].", 2, "A.", nil, 1},
		{"no passages", "A [1].", 0, "A.", nil, 1},
		{"no markers", "Nothing covers this.", 3, "Nothing covers this.", nil, 0},
		{"not markers", "x[ 1 ] and [a] and []", 3, "x[ 1 ] and [a] and []", nil, 0},
		{"removal forms a marker", "A [[9]1].", 1, "A [1].", []int{1}, 1},
		{"removal forms an invalid marker", "A [[9]7].", 1, "A.", nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := CheckCitations(tt.text, tt.n)
			if got.Text != tt.want || !reflect.DeepEqual(got.Cited, tt.cited) || got.Dropped != tt.dropped {
				t.Errorf("CheckCitations(%q, %d) = {%q %v %d}, want {%q %v %d}",
					tt.text, tt.n, got.Text, got.Cited, got.Dropped, tt.want, tt.cited, tt.dropped)
			}
			checkInvariants(t, tt.text, tt.n, got)
		})
	}
}

var anyMarker = regexp.MustCompile(`\[(\d+(?:[ \t]*(?:,|-|–|—)[ \t]*\d+)*)\]`)

// markerPart is a number and the separator after it, if any.
var markerPart = regexp.MustCompile(`(\d+)[ \t]*(,|-|–|—)?`)

// checkInvariants checks what must hold for any input: markers in the output
// refer to 1..len(Cited), each cited number is used, Cited is unique and
// within 1..n, and checking the output again changes nothing.
func checkInvariants(t *testing.T, in string, n int, got Checked) {
	t.Helper()
	seen := map[int]bool{}
	for _, c := range got.Cited {
		if c < 1 || c > n || seen[c] {
			t.Fatalf("CheckCitations(%q, %d): Cited %v has %d out of range or repeated", in, n, got.Cited, c)
		}
		seen[c] = true
	}
	used := map[int]bool{}
	for _, m := range anyMarker.FindAllString(got.Text, -1) {
		parts := markerPart.FindAllStringSubmatch(m, -1)
		for i, p := range parts {
			v, err := strconv.Atoi(p[1])
			if err != nil || v < 1 || v > len(got.Cited) {
				t.Fatalf("CheckCitations(%q, %d): output %q has marker %s outside 1..%d", in, n, got.Text, m, len(got.Cited))
			}
			used[v] = true
			if p[2] == "-" && i+1 < len(parts) {
				hi, _ := strconv.Atoi(parts[i+1][1])
				for r := v; r <= hi; r++ {
					used[r] = true
				}
			}
		}
	}
	if len(used) != len(got.Cited) {
		t.Fatalf("CheckCitations(%q, %d): output %q uses %d of %d cited numbers", in, n, got.Text, len(used), len(got.Cited))
	}
	again := CheckCitations(got.Text, len(got.Cited))
	if again.Text != got.Text || again.Dropped != 0 || len(again.Cited) != len(got.Cited) {
		t.Fatalf("CheckCitations(%q, %d) not stable: %q then %q (dropped %d)", in, n, got.Text, again.Text, again.Dropped)
	}
	for i, c := range again.Cited {
		if c != i+1 {
			t.Fatalf("CheckCitations(%q, %d): rechecking %q renumbers: %v", in, n, got.Text, again.Cited)
		}
	}
}

func FuzzCheckCitations(f *testing.F) {
	// More seeds live in testdata/fuzz/FuzzCheckCitations.
	f.Add("A [1]. B [2, 3]. C [1-3] D [4–5][9].", 5)
	f.Add("[[9]1] [1[2]] [ 1] [1 ,2]", 2)
	f.Fuzz(func(t *testing.T, text string, n int) {
		n = fuzzPassages(n)
		checkInvariants(t, text, n, CheckCitations(text, n))
	})
}

func TestStripFootnotes(t *testing.T) {
	t.Parallel()
	tests := []rewriteCase{
		{"wikipedia footnotes", "It opened in 1921, its first year.[2][3] Then it grew.", "It opened in 1921, its first year. Then it grew."},
		{"range", "Cited throughout [1-99].", "Cited throughout."},
		{"list and dashes", "A [1, 3] B [2–4] C [5—6] D", "A B C D"},
		{"between words", "the league [12] champion", "the league champion"},
		{"at line start", "[4] First line\n[5]  second", "First line\nsecond"},
		{"joined by removal", "a [[2]1] b", "a b"},
		{"not markers", "[citation needed] and [ 1 ] and [a] and [] and (2)", "[citation needed] and [ 1 ] and [a] and [] and (2)"},
		{"nothing", "Plain text.", "Plain text."},
	}
	checkRewrites(t, "StripFootnotes", StripFootnotes, tests)
}

// rewriteCase is text and what a rewrite of it (StripFootnotes,
// StripEditorNotes, ForReading) should return.
type rewriteCase struct{ name, text, want string }

func checkRewrites(t *testing.T, name string, rewrite func(string) string, tests []rewriteCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := rewrite(tt.text); got != tt.want {
				t.Errorf("%s(%q) = %q, want %q", name, tt.text, got, tt.want)
			}
		})
	}
}

// FuzzStripFootnotes checks that StripFootnotes leaves nothing that
// CheckCitations would read as a marker, and that text without markers
// is kept as it is.
func FuzzStripFootnotes(f *testing.F) {
	f.Add("first year.[2][3] and [1-99] and [[9]1] and [1[2]] [ 1] [1 ,2]")
	f.Add("[citation needed] [4–5][9]")
	f.Fuzz(func(t *testing.T, text string) {
		got := StripFootnotes(text)
		if m := anyMarker.FindString(got); m != "" {
			t.Fatalf("StripFootnotes(%q) = %q, which still holds marker %s", text, got, m)
		}
		if c := CheckCitations(got, 1<<20); len(c.Cited) != 0 || c.Dropped != 0 || c.Text != got {
			t.Fatalf("StripFootnotes(%q) = %q, which CheckCitations reads as citing %v", text, got, c.Cited)
		}
		if !anyMarker.MatchString(text) && got != text {
			t.Fatalf("StripFootnotes(%q) = %q, changed text without markers", text, got)
		}
	})
}

func TestCheckPartialCitations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		partial string
		n       int
		want    string
	}{
		{"renumbered as in the whole answer", "A [3]. B [1", 3, "A [1]. B"},
		{"open marker held back", "Signed in 1648 [", 3, "Signed in 1648"},
		{"open list held back", "Signed [2, ", 3, "Signed"},
		{"open range held back", "Signed [2–", 3, "Signed"},
		{"dash cut in two held back", "Signed [2\xe2\x80", 3, "Signed"},
		{"closed marker shown", "Signed [2][3", 3, "Signed [1]"},
		{"marker to no passage dropped", "Signed [9] in", 3, "Signed in"},
		{"marker inside an open one", "Signed [2[9]", 3, "Signed"},
		{"footnotes renumbered", "first year.[3][2] Then", 3, "first year.[1][2] Then"},
		{"footnote range", "indexed [1-99] in", 3, "indexed [1-3] in"},
		{"not markers shown", "x [citation needed] [ 1 ] [a", 3, "x [citation needed] [ 1 ] [a"},
		{"white space at the ends", "\n  It was [1]  ", 1, "It was [1]"},
		{"numbers before an open marker", "in 1648 [", 3, "in 1648"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := CheckPartialCitations(tt.partial, tt.n); got != tt.want {
				t.Errorf("CheckPartialCitations(%q, %d) = %q, want %q", tt.partial, tt.n, got, tt.want)
			}
			checkPartials(t, tt.partial, tt.n)
		})
	}
}

// checkPartials checks that every partial text of text, cut at each byte,
// shows the start of the next one and of the whole checked answer.
func checkPartials(t *testing.T, text string, n int) {
	t.Helper()
	final := strings.TrimSpace(CheckCitations(text, n).Text)
	shown := ""
	for i := range len(text) + 1 {
		got := CheckPartialCitations(text[:i], n)
		if !strings.HasPrefix(got, shown) || !strings.HasPrefix(final, got) {
			t.Fatalf("CheckPartialCitations(%q, %d) = %q after %q: not the start of it, or of the answer %q", text[:i], n, got, shown, final)
		}
		shown = got
	}
}

func FuzzCheckPartialCitations(f *testing.F) {
	f.Add("A [1]. B [2, 3]. C [1-3] D [4–5][9].", 5)
	f.Add("[[9]1] [1[2]] [ 1] [1 ,2] x[2[9]] \n[9]  B", 2)
	f.Fuzz(func(t *testing.T, text string, n int) {
		if !utf8.ValidString(text) {
			// A model's answer is decoded from JSON: always valid UTF-8
			// (its stream is cut anywhere, as checkPartials cuts it).
			// Invalid bytes either side of a dropped marker could join
			// into a new rune, a dash of a range.
			return
		}
		checkPartials(t, text, fuzzPassages(n))
	})
}

// fuzzPassages turns a fuzzed int into a passage count, 0 to 63.
func fuzzPassages(n int) int {
	n = n % 64
	if n < 0 {
		n = -n
	}
	return n
}
