package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestBackupMakesAUsableDataDirectory(t *testing.T) {
	t.Parallel()
	c := newSQLiteCLI(t) // backup copies the SQLite file; with CITEBOT_DATABASE_URL it refuses (TestDatabaseURLSetting)
	if code, _, errOut := c.run("", "ingest", articlesDir); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	_, wantSources, _ := c.run("", "sources", "--json")
	question := loadQuestions(t)[0].Question
	_, wantAnswer, _ := c.run("", "ask", "--json", question)

	dest := filepath.Join(t.TempDir(), "backup-1")
	code, out, errOut := c.run("", "backup", dest)
	if code != 0 || !strings.Contains(out, "backed up 10 articles") || !strings.Contains(out, filepath.Join(dest, "citebot.db")) {
		t.Fatalf("backup: exit %d, %q, %q", code, out, errOut)
	}
	// The copy is a data directory of its own, holding the same store.
	original := c.dataDir
	c.dataDir = dest
	if _, got, _ := c.run("", "sources", "--json"); got != wantSources {
		t.Errorf("sources of the backup differ:\n%s\nwant\n%s", got, wantSources)
	}
	if _, got, _ := c.run("", "ask", "--json", question); got != wantAnswer {
		t.Errorf("the backup answers differently:\n%s\nwant\n%s", got, wantAnswer)
	}
	c.dataDir = original

	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"over an existing backup", []string{"backup", dest}, 1, "file already exists"},
		{"no destination", []string{"backup"}, 2, "one destination directory"},
		{"two destinations", []string{"backup", dest, dest + "2"}, 2, "one destination directory"},
		{"no store to back up", []string{"backup", "--data-dir", filepath.Join(t.TempDir(), "typo"), dest + "3"}, 1, "no store in"},
	} {
		code, _, errOut := c.run("", tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, code, errOut, tt.code, tt.want)
		}
	}
}
