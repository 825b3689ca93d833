package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestAskLinesAnswersEveryLine checks that "ask -" answers the questions
// after a line over the 1 MiB line limit: the long line gets an error
// object of its own, with its question cut, and the exit status says one
// question failed.
func TestAskLinesAnswersEveryLine(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, errOut := c.run("", "ingest", filepath.Join(articlesDir, "carson-ridge-wildfire.txt")); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	long := strings.Repeat("wildfire ", (2<<20)/9) // 2 MiB, one line
	in := "Where is the wildfire burning?\n" + long + "\n\nHow many homes were evacuated near Carson Ridge?"
	code, out, errOut := c.run(in, "ask", "-")
	if code != 1 {
		t.Errorf("exit %d, want 1 (one question failed); stderr %.500q", code, errOut)
	}
	var got []askJSON
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var a askJSON
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("output line %.200q: %v", line, err)
		}
		got = append(got, a)
	}
	if len(got) != 3 {
		t.Fatalf("%d answers, want 3 (one per question line)", len(got))
	}
	for _, i := range []int{0, 2} {
		if got[i].Error != "" || got[i].Answer == "" || !strings.Contains(in, got[i].Question) {
			t.Errorf("answer %d = %+v, want an answer to its question", i, got[i])
		}
	}
	bad := got[1]
	if !strings.Contains(bad.Error, "too long") {
		t.Errorf("long line's error %q does not say it is too long", bad.Error)
	}
	if n := utf8.RuneCountInString(bad.Question); n > maxEcho || !strings.HasPrefix(bad.Question, "wildfire wildfire") || !strings.HasSuffix(bad.Question, "…") {
		t.Errorf("long line's question (%d characters) %.100q…, want its start, cut to %d with an ellipsis", n, bad.Question, maxEcho)
	}
	if len(errOut) > 4000 {
		t.Errorf("stderr is %d bytes: the long question was echoed", len(errOut))
	}
}

// TestLongInputsAreCut checks that a 100 KB URL or question is cut to a
// few hundred characters wherever it is echoed: the error lines on
// standard error, the log lines there, and the "question" of ask -.
func TestLongInputsAreCut(t *testing.T) {
	t.Parallel()
	longURL := "http://127.0.0.1:1/" + strings.Repeat("a", 100_000)
	longQuestion := strings.Repeat("why ", 25_000)
	tests := []struct {
		name  string
		stdin string
		args  []string
		// want is in standard error: the start of the input, cut.
		want string
	}{
		{"ingest URL", "", []string{"ingest", longURL}, "http://127.0.0.1:1/aaaa"},
		{"ingest URL logged", "", []string{"ingest", "--log-level", "debug", longURL}, "input=http://127.0.0.1:1/aaaa"},
		{"missing file", "", []string{"ingest", "/nonexistent/" + strings.Repeat("b", 100_000) + ".txt"}, "/nonexistent/bbb"},
		{"ask", "", []string{"ask", longQuestion}, "too long"},
		{"ask -", longQuestion + "\n", []string{"ask", "-"}, `question="why why`},
		{"unknown command", "", []string{strings.Repeat("x", 100_000)}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := newCLI(t).run(tt.stdin, tt.args...)
			if code == 0 {
				t.Errorf("exit 0, want a failure")
			}
			if len(errOut) > 3000 || len(out) > 3000 {
				t.Errorf("stderr %d bytes, stdout %d: a long input was echoed whole:\n%.600s", len(errOut), len(out), errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr does not contain %q:\n%.600s", tt.want, errOut)
			}
			if tt.name != "ask" && !strings.Contains(errOut+out, "…") {
				t.Errorf("no ellipsis marks the cut:\n%.600s", errOut)
			}
		})
	}
}

func TestClipMessage(t *testing.T) {
	t.Parallel()
	url := "https://example.com/" + strings.Repeat("p", 5000)
	tests := []struct {
		name, in string
		maxLen   int
		keep     []string
	}{
		{"short kept whole", "fetch https://example.com/a: 404", 40, []string{"fetch https://example.com/a: 404"}},
		{"long URL cut, reason kept", "fetch " + url + ": connection refused", maxEcho + 40, []string{"fetch https://example.com/ppp", "… connection refused"}},
		{"long line loses its middle", "ask \"" + strings.Repeat("why ", 2000) + "\": search: database is locked", maxLine, []string{"ask \"why why", " … ", "database is locked"}},
		{"lines cut one by one", strings.Repeat("é", 400) + "\n" + url, 2*maxEcho + 1, []string{strings.Repeat("é", maxEcho-1) + "…\nhttps://"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := clipMessage(tt.in)
			if n := utf8.RuneCountInString(got); n > tt.maxLen {
				t.Errorf("clipMessage kept %d characters, want at most %d", n, tt.maxLen)
			}
			if !utf8.ValidString(got) {
				t.Errorf("clipMessage cut inside a character: %q", got)
			}
			for _, k := range tt.keep {
				if !strings.Contains(got, k) {
					t.Errorf("clipMessage(%.60q…) = %.200q…, lacks %q", tt.in, got, k)
				}
			}
		})
	}
}

// TestBadFlagValuesAreRefused checks that scopes other than "shared" and
// a Discord server's, and sizes out of range, are usage errors that name
// the flag, before the store is opened.
func TestBadFlagValuesAreRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"letters in guild ID", []string{"sources", "--scope", "guild:abc"}, "--scope"},
		{"quote in guild ID", []string{"ask", "--scope", "guild:1'--", "hi?"}, "--scope"},
		{"5,000-digit guild ID", []string{"sources", "--scope", "guild:" + strings.Repeat("7", 5000)}, "at most 20 digits"},
		{"empty scope", []string{"forget", "--scope", "", "t0000000000000000"}, "--scope"},
		{"not a scope", []string{"sources", "--scope", "everyone"}, "--scope"},
		{"negative chunk words", []string{"ingest", "--chunk-words", "-5", "x.txt"}, "-chunk-words"},
		{"zero chunk words", []string{"ingest", "--chunk-words", "0", "x.txt"}, "-chunk-words"},
		{"huge chunk words", []string{"ingest", "--chunk-words", "99999999999", "x.txt"}, "-chunk-words"},
		{"max below target", []string{"ingest", "--chunk-max-words", "1", "x.txt"}, "--chunk-max-words 1"},
		{"max below given target", []string{"ingest", "--chunk-words", "200", "--chunk-max-words", "150", "x.txt"}, "--chunk-max-words 150"},
		{"negative overlap", []string{"ingest", "--chunk-overlap", "-1", "x.txt"}, "-chunk-overlap"},
		{"negative dimensions", []string{"sources", "--embed-dimensions", "-3"}, "-embed-dimensions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			code, _, errOut := c.run("", tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("citebot %.80q: exit %d, stderr %.300q; want 2 and a message naming %q", tt.args, code, errOut, tt.want)
			}
			if len(errOut) > 3000 {
				t.Errorf("stderr is %d bytes: the value was echoed whole", len(errOut))
			}
		})
	}
	// The accepted forms still work.
	for _, scope := range []string{"shared", "guild:1", "guild:" + strings.Repeat("9", 20)} {
		if code, _, errOut := newCLI(t).run("", "sources", "--scope", scope, "--chunk-words", "5000", "--chunk-max-words", "5000"); code != 0 {
			t.Errorf("sources --scope %s: exit %d, %s", scope, code, errOut)
		}
	}
}
