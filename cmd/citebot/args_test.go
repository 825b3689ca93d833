package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// argCase is one command line and what it must print: exit status,
// phrases standard error must hold and must not, and, when lines > 0, how
// many lines standard error has.
type argCase struct {
	name   string
	args   []string
	code   int
	want   []string // on standard error
	reject []string
	lines  int
	out    []string // on standard output
}

func (tt argCase) check(t *testing.T, c *cli) (stdout, stderr string) {
	t.Helper()
	code, out, errOut := c.run("", tt.args...)
	if code != tt.code {
		t.Errorf("citebot %q: exit %d, want %d\nstdout: %s\nstderr: %s", tt.args, code, tt.code, out, errOut)
	}
	for _, w := range tt.want {
		if !strings.Contains(errOut, w) {
			t.Errorf("citebot %q: stderr lacks %q:\n%s", tt.args, w, errOut)
		}
	}
	for _, w := range tt.out {
		if !strings.Contains(out, w) {
			t.Errorf("citebot %q: stdout lacks %q:\n%s", tt.args, w, out)
		}
	}
	for _, w := range tt.reject {
		if strings.Contains(errOut, w) {
			t.Errorf("citebot %q: stderr holds %q:\n%s", tt.args, w, errOut)
		}
	}
	if n := strings.Count(strings.TrimSpace(errOut), "\n") + 1; tt.lines > 0 && n != tt.lines {
		t.Errorf("citebot %q: %d lines on stderr, want %d:\n%s", tt.args, n, tt.lines, errOut)
	}
	return out, errOut
}

// TestArgumentStartingWithDash checks that an argument beginning with "-"
// that is no flag (a question "-where …") is named whole, with the "--"
// that passes it, on any command that takes arguments; a mistyped flag
// keeps its error and the pointer to the command's flags.
func TestArgumentStartingWithDash(t *testing.T) {
	t.Parallel()
	tests := []argCase{
		{name: "question", args: []string{"ask", "-where did the strike start?"}, code: 2, lines: 2,
			want:   []string{`"-where did the strike start?" is an argument, not a flag`, `citebot ask -- "-where did the strike start?"`},
			reject: []string{"defined: start?"}},
		{name: "question after a flag", args: []string{"ask", "--json", "-where did the strike start?"}, code: 2, lines: 2,
			want: []string{`"-where did the strike start?" is an argument`, `citebot ask -- "-where did the strike start?"`}},
		{name: "question after a known shorthand", args: []string{"ask", "-very windy, was it?"}, code: 2, lines: 2,
			want: []string{`"-very windy, was it?" is an argument`, `citebot ask -- "-very windy, was it?"`}},
		{name: "two dashes", args: []string{"ask", "--where is it=here"}, code: 2, lines: 2,
			want: []string{`"--where is it=here" is an argument`, `citebot ask -- "--where is it=here"`}},
		{name: "quotes in the question", args: []string{"ask", `-who said "no" to $5?`}, code: 2, lines: 2,
			want: []string{`citebot ask -- '-who said "no" to $5?'`}},
		{name: "another command", args: []string{"ingest", "-my notes.txt"}, code: 2, lines: 2,
			want: []string{`"-my notes.txt" is an argument`, `citebot ingest -- "-my notes.txt"`}},
		{name: "one word", args: []string{"ask", "-where"}, code: 2, lines: 2,
			want: []string{"flag provided but not defined: -where", "Run 'citebot ask --help' for its flags", "citebot ask -- -where"}},
		{name: "mistyped long flag", args: []string{"ask", "--jsn", "hi?"}, code: 2, lines: 2,
			want: []string{"flag provided but not defined: --jsn", "Run 'citebot ask --help' for its flags."}, reject: []string{"-- --jsn"}},
		{name: "command without arguments", args: []string{"sources", "-x y"}, code: 2, lines: 2,
			want: []string{"flag provided but not defined: -x y", "Run 'citebot sources --help' for its flags."}, reject: []string{"citebot sources -- "}},
		{name: "after --", args: []string{"ask", "--", "-where did the strike start?"}, code: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t, newSQLiteCLI(t))
		})
	}
}

// TestIngestRefusesOtherSchemes checks that an address of a scheme other
// than http(s) fails as that input, with the message of a bad web link,
// and the other inputs are still ingested.
func TestIngestRefusesOtherSchemes(t *testing.T) {
	t.Parallel()
	file := filepath.Join(articlesDir, "carson-ridge-wildfire.txt")
	for _, in := range []string{"ftp://127.0.0.1/x", "file:///etc/hostname", "gopher://example.com/1", "https://"} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			tt := argCase{args: []string{"ingest", in, file}, code: 1,
				want:   []string{in + ": ", "only http:// and https:// addresses can be ingested", "1 added, 0 updated, 0 unchanged, 1 failed"},
				reject: []string{"no such file", "stat "}}
			if out, _ := tt.check(t, newSQLiteCLI(t)); !strings.Contains(out, "Wildfire near Carson Ridge") {
				t.Errorf("the file after the refused address was not ingested: %q", out)
			}
		})
	}
}

// TestCommandArgumentErrors checks the usage errors of unfollow,
// completion, help and follow: one prefix, exit status 2, what is
// expected named.
func TestCommandArgumentErrors(t *testing.T) {
	t.Parallel()
	tests := []argCase{
		{name: "unfollow word", args: []string{"unfollow", "abc"}, code: 2, lines: 1,
			want: []string{`citebot unfollow: "abc" is not a feed ID`}, reject: []string{"unfollow: unfollow:"}},
		{name: "completion unknown shell", args: []string{"completion", "tcsh"}, code: 2, lines: 1,
			want: []string{`unknown shell "tcsh"`, "bash, zsh, fish or powershell"}, reject: []string{"Usage:"}},
		{name: "completion no shell", args: []string{"completion"}, code: 2, lines: 1,
			want: []string{"bash, zsh, fish or powershell"}},
		{name: "completion bash", args: []string{"completion", "bash"}, code: 0},
		{name: "help unknown command", args: []string{"help", "igest"}, code: 2, lines: 2,
			want: []string{`citebot help: unknown command "igest": did you mean "ingest"?`}, reject: []string{"Unknown help topic"}},
		{name: "help unknown subcommand", args: []string{"help", "feeds", "pol"}, code: 2,
			want: []string{`unknown command "pol" for "citebot feeds": did you mean "poll"?`}},
		{name: "help command", args: []string{"help", "ingest"}, code: 0, out: []string{"Usage: citebot ingest"}},
		{name: "help subcommand", args: []string{"help", "feeds", "poll"}, code: 0, out: []string{"Usage: citebot feeds poll"}},
		{name: "follow not a URL", args: []string{"follow", "notaurl"}, code: 2, lines: 1,
			want: []string{`citebot follow: "notaurl" is not a web address`, "http:// or https://"}},
		{name: "follow ftp", args: []string{"follow", "ftp://127.0.0.1/feed.xml"}, code: 2,
			want: []string{`"ftp://127.0.0.1/feed.xml" is not a web address`}},
		{name: "follow private address", args: []string{"follow", "http://127.0.0.1:9/feed.xml"}, code: 1,
			want: []string{"private or local network address", "CITEBOT_ALLOW_PRIVATE_URLS=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t, newSQLiteCLI(t))
		})
	}
}
