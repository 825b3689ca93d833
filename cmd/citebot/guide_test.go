package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runEnviron runs citebot with c's variables as the whole environment, so
// that the warnings about unknown variables see them.
func (c *cli) runEnviron(args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	environ := []string{"CITEBOT_DATA_DIR=" + c.dataDir}
	for k, v := range c.env {
		environ = append(environ, k+"="+v)
	}
	getenv := func(k string) string {
		if k == "CITEBOT_DATA_DIR" {
			return c.dataDir
		}
		return c.env[k]
	}
	code = runEnv(ctx, args, &environment{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: getenv, environ: environ})
	return code, out.String(), errb.String()
}

// TestHelpGuides checks the help pages: the top level lists the commands
// and the global flags; a command's page lists only its own flags, the
// variables it reads and examples.
func TestHelpGuides(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args      []string
		code      int
		out, err  []string // in standard output, in standard error
		notInHelp []string
	}{
		{[]string{"--help"}, 0, []string{"Commands:", "ingest", "config", "version", "completion", "--data-dir", "--log-level", "-v, --verbose"}, nil, nil},
		{nil, 2, []string{"Commands:", "--data-dir"}, nil, nil},
		{[]string{"serve", "-h"}, 0, []string{"Usage: citebot serve", "DISCORD_TOKEN", "CITEBOT_REFRESH_INTERVAL", "--chunk-words", "Examples:"}, nil, []string{"--scope", "--json"}},
		{[]string{"backup", "--help"}, 0, []string{"Usage: citebot backup", "--data-dir", "CITEBOT_DATA_DIR"}, nil, []string{"--chunk-words", "--chunk-overlap", "--answerer", "--embedder", "DISCORD_TOKEN"}},
		{[]string{"forget", "-h"}, 0, []string{"--scope", "--embedder"}, nil, []string{"--chunk-words", "--answerer", "--json"}},
		{[]string{"ingest", "-h"}, 0, []string{"--chunk-words", "--chunk-max-words", "--chunk-overlap", "CITEBOT_ALLOW_PRIVATE_URLS"}, nil, []string{"--answerer", "--chat-model"}},
		{[]string{"ask", "-h"}, 0, []string{"Usage: citebot ask"}, nil, nil},
		{[]string{"help", "ask"}, 0, []string{"Usage: citebot ask", "--json", "CITEBOT_CHAT_MODEL", `citebot ask "`}, nil, []string{"--chunk-words"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			code, out, errOut := newCLI(t).run("", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			for _, w := range tt.out {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.err {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			for _, w := range tt.notInHelp {
				if strings.Contains(errOut+out, w) {
					t.Errorf("help lists %q, which the command does not use:\n%s", w, errOut)
				}
			}
		})
	}
}

// TestMistakesGetShortAnswers checks that a mistyped command gets the
// nearest command's name, and a wrong flag its error and one hint line.
func TestMistakesGetShortAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args  []string
		want  []string
		lines int
	}{
		{[]string{"igest", "a.txt"}, []string{`unknown command "igest"`, `did you mean "ingest"?`}, 2},
		{[]string{"sorces"}, []string{`did you mean "sources"?`}, 2},
		{[]string{"ask", "--jsn", "hi?"}, []string{"flag provided but not defined: --jsn", "citebot ask --help"}, 2},
		{[]string{"ingest", "--chunk-words", "x", "a.txt"}, []string{"--chunk-words", "want a whole number", "citebot ingest --help"}, 2},
		{[]string{"ask", "-x", "hi?"}, []string{"flag provided but not defined: -x"}, 2},
		{[]string{"ask", "--data-dir", "", "hi?"}, []string{"--data-dir is empty"}, 1},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			code, out, errOut := newCLI(t).run("", tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if n := strings.Count(strings.TrimSpace(errOut), "\n") + 1; n != tt.lines || out != "" {
				t.Errorf("%d lines on stderr (want %d), stdout %q:\n%s", n, tt.lines, out, errOut)
			}
		})
	}
}

// TestFlagsStayWhereTheyWere checks the forms the flag package accepted:
// flags after the arguments, and long flags with one dash.
func TestFlagsStayWhereTheyWere(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	file := filepath.Join(articlesDir, "carson-ridge-wildfire.txt")
	if code, _, errOut := c.run("", "ingest", file, "-scope", "guild:7", "-chunk-words=100"); code != 0 {
		t.Fatalf("ingest with one-dash flags after the file: exit %d, %s", code, errOut)
	}
	code, out, errOut := c.run("", "sources", "-json", "-scope", "guild:7")
	var got []sourceJSON
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || len(got) != 1 || got[0].Scope != "guild:7" {
		t.Errorf("sources -json -scope guild:7: exit %d, %q, %s", code, out, errOut)
	}
}

func TestCompletionScripts(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, errOut := newCLI(t).run("", "completion", shell)
		if code != 0 || !strings.Contains(out, "citebot") || len(out) < 500 {
			t.Errorf("completion %s: exit %d, %d bytes, stderr %q", shell, code, len(out), errOut)
		}
	}
	// The completion itself offers the commands.
	_, out, _ := newCLI(t).run("", "__complete", "in")
	if !strings.Contains(out, "ingest") {
		t.Errorf("completing %q offers %q, want ingest", "in", out)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	code, out, _ := newCLI(t).run("", "version")
	if code != 0 || !strings.HasPrefix(out, "citebot ") || !strings.Contains(out, " go1.") {
		t.Errorf("version: exit %d, %q", code, out)
	}
}

// TestMissingStore checks that the commands that only read refuse a data
// directory that does not exist, naming it, and create nothing; and that
// an existing directory without a store reads as empty, still creating
// nothing.
func TestMissingStore(t *testing.T) {
	t.Parallel()
	typo := filepath.Join(t.TempDir(), "typo")
	qa := filepath.Join(t.TempDir(), "qa.jsonl")
	if err := os.WriteFile(qa, []byte(`{"question": "Where?", "answers": ["here"]}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"ask", "Where did the fire start?"},
		{"sources"},
		{"sources", "--all-scopes"},
		{"forget", "t0000000000000000"},
		{"eval", qa},
		{"backup", filepath.Join(t.TempDir(), "dest")},
	} {
		c := newSQLiteCLI(t) // a data directory is where only SQLite keeps its store
		c.dataDir = typo
		code, _, errOut := c.run("", args...)
		if code != 1 || !strings.Contains(errOut, "no store in "+typo) {
			t.Errorf("%q on a missing data directory: exit %d, stderr %q; want 1 naming %s", args, code, errOut, typo)
		}
		if _, err := os.Stat(typo); !os.IsNotExist(err) {
			t.Fatalf("%q created %s", args, typo)
		}
	}
	c := newCLI(t)
	if code, out, errOut := c.run("", "sources"); code != 0 || !strings.Contains(out, "No articles yet") {
		t.Errorf("sources on an empty data directory: exit %d, %q, %q", code, out, errOut)
	}
	if code, out, _ := c.run("", "ask", "Where did the fire start?"); code != 0 || !strings.Contains(out, "no articles") {
		t.Errorf("ask on an empty data directory: exit %d, %q", code, out)
	}
	if _, err := os.Stat(filepath.Join(c.dataDir, "citebot.db")); !os.IsNotExist(err) {
		t.Errorf("reading an empty data directory created a store: %v", err)
	}
	// ingest creates it.
	if code, _, errOut := c.run("", "ingest", "--data-dir", typo, filepath.Join(articlesDir, "carson-ridge-wildfire.txt")); code != 0 {
		t.Fatalf("ingest into a new directory: %s", errOut)
	}
	c.dataDir = typo
	if code, out, _ := c.run("", "sources"); code != 0 || !strings.Contains(out, "Carson Ridge") {
		t.Errorf("sources after ingest: exit %d, %q", code, out)
	}
}

// TestEnvironmentChecks checks the warning about an unknown variable and
// the refusal of a boolean that is not one.
func TestEnvironmentChecks(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["CITEBOT_CHAT_MODL"] = "llama3.1"
	c.env["OPENAI_BASEURL"] = "http://localhost:11434/v1"
	c.env["DISCORD_SOMETHING_ELSE_ENTIRELY"] = "x"
	c.env["HOME_NOT_OURS"] = "x"
	code, _, errOut := c.runEnviron("sources")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, w := range []string{"CITEBOT_CHAT_MODL is set but citebot does not read it; did you mean CITEBOT_CHAT_MODEL?",
		"OPENAI_BASEURL is set but citebot does not read it; did you mean OPENAI_BASE_URL?",
		"DISCORD_SOMETHING_ELSE_ENTIRELY is set but citebot does not read it\n"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut)
		}
	}
	if strings.Contains(errOut, "HOME_NOT_OURS") || strings.Contains(errOut, "CITEBOT_DATA_DIR") {
		t.Errorf("warned about a variable that is not ours or is known:\n%s", errOut)
	}
	for _, v := range []string{"on?", "2", "enable"} {
		c := newCLI(t)
		c.env["CITEBOT_ALLOW_PRIVATE_URLS"] = v
		code, _, errOut := c.run("", "ingest", "https://example.com/a")
		if code != 2 || !strings.Contains(errOut, "CITEBOT_ALLOW_PRIVATE_URLS") || !strings.Contains(errOut, "not a boolean") {
			t.Errorf("CITEBOT_ALLOW_PRIVATE_URLS=%q: exit %d, stderr %q; want a usage error naming it", v, code, errOut)
		}
	}
	for _, v := range []string{"1", "true", "YES", "on", "0", "off", ""} {
		c := newCLI(t)
		c.env["CITEBOT_ALLOW_PRIVATE_URLS"] = v
		if code, _, errOut := c.run("", "sources"); code != 0 {
			t.Errorf("CITEBOT_ALLOW_PRIVATE_URLS=%q refused: %s", v, errOut)
		}
	}
}

// TestHelpWhateverTheSettings checks that help, version and completion,
// which read no settings, work when one is wrong (the help is where to
// look it up), while the commands that read them still refuse it.
func TestHelpWhateverTheSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		code int
		out  string // in standard output
	}{
		{[]string{"help", "ask"}, 0, "--model-passages"},
		{[]string{"ask", "--help"}, 0, "--model-passages"},
		{[]string{"help"}, 0, "Commands:"},
		{[]string{"version"}, 0, "citebot "},
		{[]string{"completion", "bash"}, 0, "citebot"},
		{[]string{"__complete", "in"}, 0, "ingest"},
		{[]string{"__completeNoDesc", "ask", "--mod"}, 0, "--model-passages"},
		{[]string{"sources"}, 2, ""},
		{[]string{"config"}, 2, ""},
	}
	for _, bad := range []map[string]string{
		{envModelPassages: "0"},
		{envAllowPrivate: "maybe"},
	} {
		for _, tt := range tests {
			t.Run(fmt.Sprint(bad, tt.args), func(t *testing.T) {
				t.Parallel()
				c := newCLI(t)
				maps.Copy(c.env, bad)
				code, out, errOut := c.run("", tt.args...)
				if code != tt.code || !strings.Contains(out, tt.out) {
					t.Errorf("exit %d (want %d), stdout lacks %q?\n%s%s", code, tt.code, tt.out, out, errOut)
				}
			})
		}
	}
}

// TestConfigShowsWhereValuesCameFrom checks citebot config: the value of
// each setting and its origin, and secrets never printed.
func TestConfigShowsWhereValuesCameFrom(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.env["OPENAI_API_KEY"] = "sk-test-0123456789abcdef"
	c.env["DISCORD_TOKEN"] = "discord-token-not-for-eyes"
	c.env["CITEBOT_EMBEDDER"] = "openai"
	c.env["CITEBOT_REFRESH_INTERVAL"] = "1m"
	code, out, errOut := c.run("", "config", "--chat-model", "llama3.1", "--chunk-words", "90")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows := map[string][]string{}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) >= 3 {
			rows[f[0]] = f[1:]
		}
	}
	want := map[string]string{
		"CITEBOT_DATA_DIR":         c.dataDir + " environment",
		"CITEBOT_CHAT_MODEL":       "llama3.1 flag --chat-model",
		"CITEBOT_EMBEDDER":         "openai environment",
		"CITEBOT_EMBED_MODEL":      "text-embedding-3-small default",
		"CITEBOT_ANSWERER":         "llm default",
		"CITEBOT_REFRESH_INTERVAL": "1m0s environment",
		"OPENAI_API_KEY":           "(set, hidden) environment",
		"DISCORD_TOKEN":            "(set, hidden) environment",
		"AZURE_OPENAI_API_KEY":     "(not set) default",
		"--chunk-words":            "90 flag --chunk-words",
		"--chunk-overlap":          "0 default",
	}
	for k, w := range want {
		if got := strings.Join(rows[k], " "); got != w {
			t.Errorf("%s: %q, want %q", k, got, w)
		}
	}
	for _, secret := range []string{"sk-test", "0123456789abcdef", "discord-token"} {
		if strings.Contains(out+errOut, secret) {
			t.Errorf("config printed a secret (%q):\n%s", secret, out)
		}
	}
}

// TestIngestSummaryAndSkippedFiles checks the summary line, the names of
// the files skipped for their type, and that the article lines and the
// summary count the same articles.
func TestIngestSummaryAndSkippedFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("ferry.txt", "Ferry service resumes on the north route\nHarbour Gazette\nThe north ferry route reopened on Monday after repairs to the landing ramp.\n")
	write("scan.pdf", "%PDF-1.4 not read")
	write("data.json", `{"a": 1}`)
	write("empty.md", "")
	c := newCLI(t)
	code, out, errOut := c.run("", "ingest", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1 (empty.md fails)", code)
	}
	if !strings.Contains(out, "Ferry service resumes") {
		t.Errorf("the article was not ingested: %q", out)
	}
	for _, w := range []string{"skipped 2 files not .txt, .md or .html: data.json, scan.pdf", "empty.md", "citebot ingest: 1 added, 0 updated, 0 unchanged, 1 failed"} {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut)
		}
	}
	if strings.Count(errOut, "empty.md") != 1 {
		t.Errorf("the failure is printed more than once:\n%s", errOut)
	}
	code, _, errOut = c.run("", "ingest", filepath.Join(dir, "ferry.txt"))
	if code != 0 || !strings.Contains(errOut, "0 added, 0 updated, 1 unchanged, 0 failed") {
		t.Errorf("re-ingest: exit %d, stderr %q", code, errOut)
	}
}

// cancelOnWrite cancels a context at the first write: an interrupt that
// lands once ingest has printed its first article.
type cancelOnWrite struct {
	bytes.Buffer
	cancel context.CancelFunc
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	w.cancel()
	return w.Buffer.Write(p)
}

// TestIngestInterruptedSaysSoOnce checks that an ingest of many files
// interrupted part-way prints one line saying so and how far it got, not a
// line per file left.
func TestIngestInterruptedSaysSoOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const n = 300
	for i := range n {
		text := fmt.Sprintf("Council notes, meeting %d\nTown Crier\nAt meeting %d the council discussed item %d of the budget, the library roof and the bus shelters.\n", i, i, i*7)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("notes-%03d.txt", i)), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &cancelOnWrite{cancel: cancel}
	var errb bytes.Buffer
	data := t.TempDir()
	getenv := func(k string) string {
		if k == "CITEBOT_DATA_DIR" {
			return data
		}
		return ""
	}
	code := run(ctx, []string{"ingest", dir}, strings.NewReader(""), out, &errb, getenv)
	done := strings.Count(out.String(), "\n")
	if code != 1 || done == 0 || done >= n {
		t.Errorf("exit %d after %d of %d articles; want 1, part-way", code, done, n)
	}
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "interrupted after") || !strings.Contains(lines[0], fmt.Sprintf("%d added", done)) {
		t.Errorf("stderr, want one line saying it was interrupted after %d added:\n%s", done, errb.String())
	}
}

// TestSourcesAllScopes checks that operators see every scope's articles,
// with their scopes, and can forget one by the scope listed.
func TestSourcesAllScopes(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for scope, file := range map[string]string{"shared": "carson-ridge-wildfire.txt", "guild:11": "deep-sea-octopus-discovery.txt", "guild:22": "trade-agreement-signing.txt"} {
		if code, _, errOut := c.run("", "ingest", "--scope", scope, filepath.Join(articlesDir, file)); code != 0 {
			t.Fatalf("ingest: %s", errOut)
		}
	}
	for _, args := range [][]string{{"sources", "--all-scopes", "--json"}, {"sources", "--scope", "all", "--json"}} {
		code, out, errOut := c.run("", args...)
		var got []sourceJSON
		if code != 0 || json.Unmarshal([]byte(out), &got) != nil {
			t.Fatalf("%q: exit %d, %q, %s", args, code, out, errOut)
		}
		scopes := map[string]string{}
		for _, s := range got {
			scopes[s.Scope] = s.ID
		}
		if len(got) != 3 || scopes["shared"] == "" || scopes["guild:11"] == "" || scopes["guild:22"] == "" {
			t.Errorf("%q listed %+v, want one article in each of 3 scopes", args, got)
		}
		if args[1] == "--scope" { // forget by the listed scope
			if code, out, errOut := c.run("", "forget", "--scope", "guild:22", scopes["guild:22"]); code != 0 || !strings.Contains(out, "forgot") {
				t.Errorf("forget from the listed scope: exit %d %q %s", code, out, errOut)
			}
		}
	}
	code, out, _ := c.run("", "sources", "--all-scopes")
	if code != 0 || !strings.Contains(out, "guild:11") || strings.Contains(out, "guild:22") {
		t.Errorf("sources --all-scopes after forget:\n%s", out)
	}
	if code, _, errOut := c.run("", "forget", "--scope", "all", "t0000000000000000"); code != 2 || !strings.Contains(errOut, "--scope") {
		t.Errorf("forget --scope all: exit %d, %q; want a usage error", code, errOut)
	}
}
