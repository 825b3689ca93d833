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

// ErrNotRegular refuses a path that is neither a regular file nor a
// directory: a FIFO, a socket or a device could block the open, or the
// read, for ever.
var ErrNotRegular = errors.New("not a regular file")

// notRegular is the error refusing path, of mode m (its target's, for a
// symbolic link).
func notRegular(path string, m fs.FileMode) error {
	return fmt.Errorf("ingest %s: %w (%s): only files and directories are read", path, ErrNotRegular, describeMode(m))
}

func describeMode(m fs.FileMode) string {
	switch t := m.Type(); {
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeDevice != 0:
		return "a device"
	default:
		return "file type " + t.String()
	}
}

// Files expands paths into the list of files to ingest. A directory is
// walked recursively and contributes its files with supported extensions
// (see Supported), sorted by path; hidden files and directories (names
// starting with ".") inside it are skipped. Any other path is kept as
// given, whatever its extension, so that Parse can report an unsupported
// type. A file named twice is listed once, at its first place. Anything
// that is neither a regular file nor a directory (a FIFO, a socket, a
// device, or a link to one) is refused with ErrNotRegular, never opened:
// named directly, or met in a walk with a supported name.
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
			if !info.Mode().IsRegular() {
				errs = append(errs, notRegular(p, info.Mode()))
				continue
			}
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
			mode := d.Type()
			if mode&fs.ModeSymlink != 0 {
				// Follow a link to a file; links to directories (and
				// broken links) are not walked.
				info, err := os.Stat(path)
				if err != nil || info.IsDir() {
					return nil
				}
				mode = info.Mode()
			}
			if !mode.IsRegular() {
				errs = append(errs, notRegular(path, mode))
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
