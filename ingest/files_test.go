package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{
		"b.txt", "a.md", "notes.pdf", "c.HTML", "sub/z.htm", "sub/deeper/y.markdown",
		".hidden.txt", ".git/config.txt", "sub/.cache/x.txt", "sub/image.png",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("Title\nBody."), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "folder.txt"), 0o755); err != nil { // a directory with a supported name
		t.Fatal(err)
	}
	j := func(name string) string { return filepath.Join(dir, name) }
	missing := j("missing.txt")

	tests := []struct {
		name    string
		paths   []string
		want    []string
		wantErr string
	}{
		{"directory", []string{dir},
			[]string{j("a.md"), j("b.txt"), j("c.HTML"), j("sub/deeper/y.markdown"), j("sub/z.htm")}, ""},
		{"plain files kept as given", []string{j("notes.pdf"), j("b.txt")}, []string{j("notes.pdf"), j("b.txt")}, ""},
		{"explicit hidden file kept", []string{j(".hidden.txt")}, []string{j(".hidden.txt")}, ""},
		{"duplicates once", []string{j("b.txt"), dir}, []string{j("b.txt"), j("a.md"), j("c.HTML"), j("sub/deeper/y.markdown"), j("sub/z.htm")}, ""},
		{"missing path named, others kept", []string{missing, j("sub")}, []string{j("sub/deeper/y.markdown"), j("sub/z.htm")}, missing},
		{"none", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Files(tt.paths)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Files(%q)\n got %q\nwant %q", tt.paths, got, tt.want)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, os.ErrNotExist)):
				t.Errorf("error %v, want a not-exist error naming %q", err, tt.wantErr)
			}
		})
	}
}

func TestSupported(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"a.txt": true, "A.TXT": true, "b.md": true, "b.markdown": true, "c.html": true, "d.htm": true,
		"e.pdf": false, "txt": false, "f.txt.gz": false, "": false,
	} {
		if got := Supported(name); got != want {
			t.Errorf("Supported(%q) = %v, want %v", name, got, want)
		}
	}
}
