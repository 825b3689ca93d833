package text

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestWriteTable: what WriteTable writes, readTable reads back line for
// line, blank lines included (the rarity table keeps a blank line for a
// word that is no term).
func TestWriteTable(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "table.txt.gz")
	want := []string{"countri commonwealth nation", "", "lend loan"}
	if err := WriteTable(path, want); err != nil {
		t.Fatal(err)
	}
	gz, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	readTable("test", gz, func(l string) { got = append(got, l) })
	if !slices.Equal(got, want) {
		t.Errorf("read back %q, want %q", got, want)
	}
	if err := WriteTable(filepath.Join(t.TempDir(), "no", "such", "dir.gz"), want); err == nil {
		t.Error("an unwritable path: no error")
	}
}
