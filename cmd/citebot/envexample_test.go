package main

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
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

// exampleEnvNames returns the variables .env.example lists, set
// (NAME=value) or commented out with their default (# NAME=default), and
// fails on a variable listed twice or without a comment line above it.
func exampleEnvNames(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line := regexp.MustCompile(`^(?:# )?([A-Z][A-Z0-9_]*)=`)
	names := map[string]bool{}
	prevComment := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if m := line.FindStringSubmatch(text); m != nil {
			if names[m[1]] {
				t.Errorf("%s:%d: %s is listed twice", path, n, m[1])
			}
			if !prevComment {
				t.Errorf("%s:%d: %s has no comment line saying what it is", path, n, m[1])
			}
			names[m[1]] = true
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
		if !example[name] {
			t.Errorf("%s (read in %s) is missing from .env.example", name, code[name])
		}
	}
	for name := range example {
		if code[name] == "" {
			t.Errorf(".env.example lists %s, which citebot does not read", name)
		}
	}
}
