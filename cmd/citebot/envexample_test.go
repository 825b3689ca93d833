package main

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// envName is a variable of citebot's own: a string literal that is
// exactly such a name is one the code reads (through getenv or a named
// constant).
var envName = regexp.MustCompile(`^(CITEBOT|DISCORD|OPENAI|AZURE_OPENAI)_[A-Z0-9_]+$`)

// codeEnvNames returns the citebot variables named by string literals in
// the module's non-test Go files under root.
func codeEnvNames(t *testing.T, root string) map[string]string {
	t.Helper()
	names := map[string]string{} // name → file that names it
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && envName.MatchString(s) {
				names[s] = path
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// exampleVar is one variable .env.example lists: set (NAME=value) or
// commented out with its default (# NAME=default; empty when the default
// is to leave it unset, as the comment line above says).
type exampleVar struct {
	value     string
	commented bool
}

// exampleEnvNames returns the variables .env.example lists, and fails on
// a variable listed twice or without a comment line above it.
func exampleEnvNames(t *testing.T, path string) map[string]exampleVar {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line := regexp.MustCompile(`^(# )?([A-Z][A-Z0-9_]*)=(.*)$`)
	names := map[string]exampleVar{}
	prevComment := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if m := line.FindStringSubmatch(text); m != nil {
			if _, ok := names[m[2]]; ok {
				t.Errorf("%s:%d: %s is listed twice", path, n, m[2])
			}
			if !prevComment {
				t.Errorf("%s:%d: %s has no comment line saying what it is", path, n, m[2])
			}
			names[m[2]] = exampleVar{value: m[3], commented: m[1] != ""}
			prevComment = false
			continue
		}
		prevComment = strings.HasPrefix(text, "# ") && !strings.HasPrefix(text, "# ---")
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

// .env.example names every variable citebot reads, and no other, so that
// it cannot drift from the code.
func TestEnvExampleListsEveryVariable(t *testing.T) {
	t.Parallel()
	code := codeEnvNames(t, "../..")
	for _, name := range devVars { // read by tests, not by citebot
		delete(code, name)
	}
	for name := range varAliases { // named only to warn about them
		delete(code, name)
	}
	example := exampleEnvNames(t, "../../.env.example")
	for _, name := range []string{"CITEBOT_DATA_DIR", "DISCORD_TOKEN", "OPENAI_API_KEY", EnvAzureDeployments} {
		if code[name] == "" {
			t.Fatalf("the scan of the code misses %s: it proves nothing", name)
		}
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for n := range code {
			if !yield(n) {
				return
			}
		}
	}) {
		if _, ok := example[name]; !ok {
			t.Errorf("%s (read in %s) is missing from .env.example", name, code[name])
		}
	}
	for name := range example {
		if code[name] == "" {
			t.Errorf(".env.example lists %s, which citebot does not read", name)
		}
	}
}

// Each default .env.example shows (# NAME=default) is the value citebot
// config shows for NAME, from "default", with nothing set: uncommenting
// the line changes nothing.
func TestEnvExampleDefaultsAreTrue(t *testing.T) {
	t.Parallel()
	c := newSQLiteCLI(t)
	code, out, errOut := c.run("", "config")
	if code != 0 {
		t.Fatalf("config: exit %d: %s", code, errOut)
	}
	example := exampleEnvNames(t, "../../.env.example")
	checked := 0
	for _, name := range slices.Sorted(maps.Keys(example)) {
		v := example[name]
		if !v.commented || v.value == "" {
			continue // set, or unset by default
		}
		checked++
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m := regexp.MustCompile(`(?m)^` + name + ` +(.+?)  +(\S.*)$`).FindStringSubmatch(out)
			if m == nil {
				t.Fatalf(".env.example shows a default for %s, which citebot config does not list:\n%s", name, out)
			}
			shown, from := m[1], m[2]
			if from != "default" || !sameSetting(shown, v.value) {
				t.Errorf(".env.example says %s=%s by default; citebot config shows %q from %s", name, v.value, shown, from)
			}
		})
	}
	if checked < 10 {
		t.Fatalf("only %d defaults found in .env.example: the parse proves nothing", checked)
	}
}

// sameSetting reports whether two spellings of a setting are the same
// value: equal, or equal durations ("60s" and "1m0s").
func sameSetting(a, b string) bool {
	if a == b {
		return true
	}
	da, errA := time.ParseDuration(a)
	db, errB := time.ParseDuration(b)
	return errA == nil && errB == nil && da == db
}
