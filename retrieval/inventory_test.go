package retrieval

import (
	"os"
	"path/filepath"
	"slices"
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
	if _, err := Exists(file); err == nil {
		t.Error("Exists(a file) gave no error")
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
