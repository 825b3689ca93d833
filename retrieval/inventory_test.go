package retrieval

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestExistsCreatesNothing(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "typo")
	if ok, err := Exists(dir); ok || err != nil {
		t.Fatalf("Exists(missing dir) = %v, %v; want false, nil", ok, err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Exists created %s: %v", dir, err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A file where the data directory should be is named as such, not as
	// what stat says of the store file below it.
	for _, dir := range []string{file, filepath.Join(file, "citebot")} {
		_, err := Exists(dir)
		if err == nil || !strings.Contains(err.Error(), file+" is a file, not a directory") || !strings.Contains(err.Error(), "--data-dir") {
			t.Errorf("Exists(%s) = %v, want it to say %s is a file", dir, err, file)
		}
	}
	store := t.TempDir()
	fillStore(t, store)
	if ok, err := Exists(store); !ok || err != nil {
		t.Errorf("Exists(store) = %v, %v; want true", ok, err)
	}
}

func TestAllArticlesListsEveryScope(t *testing.T) {
	t.Parallel()
	s := openStore(t, t.TempDir())
	ctx := t.Context()
	for _, sc := range []string{"guild:2", SharedScope, "guild:1"} {
		mustAdd(t, s, sc, article("Report for "+sc, "", "The harbour reopened after the storm in "+sc+"."))
	}
	scopes, err := s.Scopes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"guild:1", "guild:2", SharedScope}; !slices.Equal(scopes, want) {
		t.Errorf("Scopes = %q, want %q", scopes, want)
	}
	all, err := s.AllArticles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range all {
		got = append(got, a.Scope)
	}
	slices.Sort(got)
	if want := []string{"guild:1", "guild:2", SharedScope}; !slices.Equal(got, want) {
		t.Errorf("AllArticles scopes = %q, want %q", got, want)
	}
}
