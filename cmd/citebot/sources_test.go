package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/citebot/citebot/retrieval"
)

// ingestTestArticles ingests testdata/articles into c's store and returns
// what sources --json lists.
func ingestTestArticles(t *testing.T, c *cli) []sourceJSON {
	t.Helper()
	if code, _, errOut := c.run("", "ingest", articlesDir); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	code, out, errOut := c.run("", "sources", "--json")
	var got []sourceJSON
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || len(got) < 2 {
		t.Fatalf("sources --json: exit %d, %q, %s", code, out, errOut)
	}
	return got
}

// rawStore opens c's SQLite store file directly, as another tool would.
func rawStore(t *testing.T, c *cli) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(c.dataDir, retrieval.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestSourcesRefusesADamagedStore: sources does not check the whole file
// (that takes longer than listing a large store), but the pages it reads
// being damaged is still a failure naming the file, in every output form,
// never an empty list.
func TestSourcesRefusesADamagedStore(t *testing.T) {
	t.Parallel()
	c := newSQLiteCLI(t)
	ingestTestArticles(t, c)
	path := filepath.Join(c.dataDir, retrieval.DBFile)
	var root int64
	if err := rawStore(t, c).QueryRow(`SELECT rootpage FROM sqlite_schema WHERE name = 'articles'`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte("garbage!"), 4096/8), (root-1)*4096); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, args := range [][]string{{"sources"}, {"sources", "--json"}, {"sources", "--all-scopes"}, {"sources", "--scope", "guild:9", "--json"}} {
		code, out, errOut := c.run("", args...)
		if code != 1 || out != "" || !strings.Contains(errOut, path) || !strings.Contains(errOut, "restore it from a backup") {
			t.Errorf("%q on a damaged store: exit %d, stdout %q, stderr %q; want exit 1 naming %s", args, code, out, errOut, path)
		}
	}
}

// TestSourcesListsWhatSearchSees: an article left without passages (by a
// tool that wrote the file) is not listed, and sources, which only reads,
// leaves its repair to the commands that check the store.
func TestSourcesListsWhatSearchSees(t *testing.T) {
	t.Parallel()
	c := newSQLiteCLI(t)
	before := ingestTestArticles(t, c)
	gone := before[0]
	db := rawStore(t, c)
	if _, err := db.Exec(`DELETE FROM chunks WHERE article_id = ?`, gone.ID); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"sources", "--json"}, {"sources", "--all-scopes", "--json"}} {
		code, out, errOut := c.run("", args...)
		var got []sourceJSON
		if code != 0 || json.Unmarshal([]byte(out), &got) != nil {
			t.Fatalf("%q: exit %d, %q, %s", args, code, out, errOut)
		}
		if len(got) != len(before)-1 {
			t.Errorf("%q lists %d articles, want %d", args, len(got), len(before)-1)
		}
		for _, s := range got {
			if s.ID == gone.ID {
				t.Errorf("%q lists the article without passages: %+v", args, s)
			}
		}
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM articles WHERE id = ?`, gone.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("after sources the article has %d rows (%v), want 1: sources wrote to the store", n, err)
	}
}

// writeCounter counts the writes made to it.
type writeCounter struct {
	bytes.Buffer
	writes int
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

// TestSourcesWritesItsTableAtOnce: the text table reaches stdout in a few
// writes, not a write per cell (a system call each on a terminal or pipe:
// most of the time of listing 20,000 articles).
func TestSourcesWritesItsTableAtOnce(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	list := ingestTestArticles(t, c)
	var out writeCounter
	var errOut bytes.Buffer
	getenv := func(k string) string {
		if k == "CITEBOT_DATA_DIR" {
			return c.dataDir
		}
		return c.env[k]
	}
	if code := run(t.Context(), []string{"sources"}, strings.NewReader(""), &out, &errOut, getenv); code != 0 {
		t.Fatalf("sources: exit %d, %s", code, errOut.String())
	}
	text := out.String()
	if lines := strings.Count(text, "\n"); lines != len(list)+1 || !strings.HasPrefix(text, "ID ") {
		t.Fatalf("sources printed %d lines, want a header and %d articles:\n%s", lines, len(list), text)
	}
	for _, s := range list {
		if !strings.Contains(text, s.ID) || !strings.Contains(text, s.Title) {
			t.Errorf("the table lacks %s %q:\n%s", s.ID, s.Title, text)
		}
	}
	if out.writes > 2 {
		t.Errorf("the table of %d articles took %d writes", len(list), out.writes)
	}
}

// TestWriteTableAlignsAsTabwriter: the sources table is laid out as
// text/tabwriter (padding 2, spaces) laid it out before.
func TestWriteTableAlignsAsTabwriter(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a very long title ", 9) // wider than the spaces written at once
	tests := []struct {
		name  string
		cells []string
		ncols int
		// tabbed is the same table for tabwriter, when cells hold
		// characters writeTable writes as spaces.
		tabbed []string
	}{
		{name: "ascii", ncols: 3, cells: []string{"ID", "TITLE", "URL", "t1", "Short", "-", "t22", "A longer title", "https://example.org/a"}},
		{name: "unicode", ncols: 3, cells: []string{"ID", "TITLE", "URL", "t1", "Café Zürich ouvre", "-", "t2", "日本の港", "https://例え.jp/"}},
		{name: "empty cells", ncols: 4, cells: []string{"A", "", "C", "D", "", "bb", "", "", "x", "y", "z", ""}},
		{name: "wide", ncols: 2, cells: []string{"ID", "TITLE", "t1", long, "t2", "x"}},
		{name: "header only", ncols: 2, cells: []string{"ID", "TITLE"}},
		{name: "tab and newline in a cell", ncols: 3, cells: []string{"ID", "TITLE", "URL", "t1", "Split\ttitle\non two", "-"},
			tabbed: []string{"ID", "TITLE", "URL", "t1", "Split title on two", "-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tabbed := tt.tabbed
			if tabbed == nil {
				tabbed = tt.cells
			}
			var want bytes.Buffer
			tw := tabwriter.NewWriter(&want, 0, 4, 2, ' ', 0)
			for i := 0; i < len(tabbed); i += tt.ncols {
				fmt.Fprintln(tw, strings.Join(tabbed[i:i+tt.ncols], "\t"))
			}
			tw.Flush()
			var got bytes.Buffer
			if err := writeTable(&got, slices.Clone(tt.cells), tt.ncols); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("writeTable wrote\n%q\ntabwriter\n%q", got.String(), want.String())
			}
		})
	}
}

// TestPublishedKeepsTheArticlesDay: an article dated late in the evening
// west of UTC shows its own day, in answers' sources, in the model-free
// text, in sources and in the JSON (with its offset), on either backend;
// UTC would call it the next day.
func TestPublishedKeepsTheArticlesDay(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	dir := t.TempDir()
	article := "Harbour ferry adds a night sailing\nBay City Courier\nPublished: 2025-06-17T22:30:00-07:00\n\n" +
		"The harbour ferry will add a night sailing at eleven on Fridays, the ferry operator said on Tuesday.\n"
	if err := os.WriteFile(filepath.Join(dir, "night-sailing.txt"), []byte(article), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := c.run("", "ingest", dir); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, stderr)
	}
	for _, tt := range []struct {
		name string
		args []string
		want []string
	}{
		{"ask", []string{"ask", "When will the harbour ferry's night sailing leave?"}, []string{"17 Jun 2025"}},
		{"ask --json", []string{"ask", "--json", "When will the harbour ferry's night sailing leave?"}, []string{`"published":"2025-06-17T22:30:00-07:00"`}},
		{"sources", []string{"sources"}, []string{"2025-06-17"}},
		{"sources --json", []string{"sources", "--json"}, []string{`"published":"2025-06-17T22:30:00-07:00"`}},
	} {
		code, stdout, stderr := c.run("", tt.args...)
		if code != 0 {
			t.Errorf("%s: exit %d: %s", tt.name, code, stderr)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%s: %q lacks %q", tt.name, stdout, w)
			}
		}
		if strings.Contains(stdout, "18 Jun") || strings.Contains(stdout, "2025-06-18") {
			t.Errorf("%s: %q gives the day in UTC", tt.name, stdout)
		}
	}
}
