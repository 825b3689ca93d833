package ingest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Files expands paths into the list of files to ingest. A directory is
// walked recursively and contributes its files with supported extensions
// (see Supported), sorted by path; hidden files and directories (names
// starting with ".") inside it are skipped. Any other path is kept as
// given, whatever its extension, so that Parse can report an unsupported
// type. A file named twice is listed once, at its first place.
//
// A path that does not exist or cannot be read gives an error naming it;
// Files still returns every file it found, with all such errors joined,
// so callers can ingest the rest and report each failure.
func Files(paths []string) ([]string, error) {
	var (
		out  []string
		errs []error
		seen = make(map[string]bool)
	)
	add := func(p string) {
		key := filepath.Clean(p)
		if !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("list %s: %w", p, err))
			continue
		}
		if !info.IsDir() {
			add(p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, fmt.Errorf("list %s: %w", path, err))
				if d != nil && d.IsDir() && path != p {
					return fs.SkipDir
				}
				return nil
			}
			if path != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() || !Supported(path) {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				// Follow a link to a file; links to directories are not walked.
				if info, err := os.Stat(path); err != nil || !info.Mode().IsRegular() {
					return nil
				}
			} else if !d.Type().IsRegular() {
				return nil
			}
			found = append(found, path)
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("list %s: %w", p, err))
		}
		sort.Strings(found)
		for _, f := range found {
			add(f)
		}
	}
	return out, errors.Join(errs...)
}
