package retrieval

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// checkStoreFile explains, before SQLite tries, the problems with the
// store file that SQLite would report only as "unable to open database
// file", or not at all: a directory or another non-file in its place, a
// file or data directory citebot may not read and write, and an empty
// (0-byte) file, which SQLite would silently take for a new store. A
// missing file is created, atomically (see createStoreFile).
func checkStoreFile(ctx context.Context, path string) error {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && isSymlink(path):
		// Creating a store here would replace the link (to an unmounted
		// volume, say) with an empty store.
		return danglingStore(path, err)
	case errors.Is(err, fs.ErrNotExist):
		if err := checkDirWritable(filepath.Dir(path), path); err != nil {
			return err
		}
		return createStoreFile(ctx, path)
	case err != nil:
		return fmt.Errorf("store %s: %w: check the permissions of the data directory", path, err)
	case info.IsDir():
		return fmt.Errorf("store %s is a directory, not a store file: move it away (citebot creates the file) or choose another --data-dir", path)
	case !info.Mode().IsRegular():
		return fmt.Errorf("store %s is not a regular file (%s): move it away or choose another --data-dir", path, info.Mode().Type())
	case info.Size() == 0:
		// citebot never leaves an empty store file (createStoreFile), so
		// this one was truncated or written by something else.
		return fmt.Errorf("store %s: %w (the file is empty, 0 bytes): restore it from a backup, or delete it to start an empty store", path, ErrDamaged)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("store %s: %w: citebot must be able to read and write it; check its owner and permissions", path, err)
	}
	f.Close()
	return checkDirWritable(filepath.Dir(path), path)
}

// danglingStore is the refusal of a store file that is a symbolic link to
// a target that does not exist (err, from following it).
func danglingStore(path string, err error) error {
	target, _ := os.Readlink(path)
	return fmt.Errorf("store %s is a symbolic link to %s, which does not exist: %w; mount or restore the target, or remove the link to start an empty store", path, target, err)
}

func isSymlink(path string) bool {
	info, err := os.Lstat(path)
	return err == nil && info.Mode()&fs.ModeSymlink != 0
}

// checkDirWritable checks that files can be created in dir, as SQLite must
// for its write-ahead log beside the store file.
func checkDirWritable(dir, path string) error {
	f, err := os.CreateTemp(dir, ".citebot-check-*")
	if err != nil {
		return fmt.Errorf("store %s: cannot create files in %s (SQLite keeps its write-ahead log there): %w; check the directory's owner and permissions", path, dir, err)
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

// createStoreFile creates a new store at path with its schema, under a
// temporary name of its own linked into place once complete, so a crash
// while creating it never leaves an empty or half-made file at path, and
// two processes creating it at once do not disturb each other: the first
// link wins and the other finds the finished store.
func createStoreFile(ctx context.Context, path string) error {
	removeStaleTemps(filepath.Dir(path))
	f, err := os.CreateTemp(filepath.Dir(path), newStorePattern)
	if err != nil {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	tmp := f.Name()
	f.Close()
	removeDB := func() {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			os.Remove(tmp + suffix)
		}
	}
	defer removeDB()
	db, err := sql.Open("sqlite", dsn(tmp))
	if err != nil {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	err = initSchema(ctx, db)
	if cerr := db.Close(); err == nil && cerr != nil { // checkpoints the WAL into tmp
		err = cerr
	}
	if err == nil {
		err = syncFile(tmp)
	}
	if err == nil {
		err = os.Link(tmp, path) // fails if another process got there first
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	return syncFile(filepath.Dir(path))
}

// newStorePattern names a store being created; staleAfter is when one is
// surely left by a crash (creating a store takes milliseconds).
const (
	newStorePattern = ".citebot-new-*.db"
	staleAfter      = 10 * time.Minute
)

// removeStaleTemps removes stores a crash left half-made in dir.
func removeStaleTemps(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, newStorePattern+"*"))
	for _, name := range names {
		if info, err := os.Stat(name); err == nil && time.Since(info.ModTime()) > staleAfter {
			os.Remove(name)
		}
	}
}

// syncFile flushes a file or directory to stable storage.
func syncFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", name, err)
	}
	return nil
}

// fileError wraps err with the store file's name, and with ErrDamaged when
// SQLite reports a corrupt file or one that is not a database; a full
// disk or an I/O error is explained (ioFault).
func (s *Store) fileError(err error) error {
	var se interface{ Code() int }
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 11, 26: // SQLITE_CORRUPT, SQLITE_NOTADB
			return s.damaged(err)
		case sqliteIOErr, sqliteFull:
			return ioFault(s.path, se.Code(), err, diskFree)
		}
	}
	return fmt.Errorf("store %s: %w", s.path, err)
}

// ErrDiskFull: the disk holding the store has no room left.
var ErrDiskFull = errors.New("the disk is full")

// SQLite result codes (the low byte of an extended code).
const (
	sqliteIOErr = 10
	sqliteFull  = 13
)

// nearlyFull is the free space under which an I/O error is taken for a
// full disk: SQLite reports one that stops it growing the -shm file as
// "disk I/O error (4874)", not as SQLITE_FULL.
const nearlyFull = 1 << 20

// ioFault explains an I/O or disk-full error (code, extended) of the
// store at path, with free telling the space left on a directory's disk:
// a full disk, saying which; a write-ahead log deleted under a running
// process (other processes then read "disk I/O error (522)"); else what
// to check.
func ioFault(path string, code int, err error, free func(dir string) (uint64, bool)) error {
	dir := filepath.Dir(path)
	avail, known := free(dir)
	switch {
	case code&0xff == sqliteFull || known && avail < nearlyFull:
		left := ""
		if known {
			left = fmt.Sprintf(", %d KiB free", avail>>10)
		}
		return fmt.Errorf("store %s: %w: the disk holding %s has no room left%s (%v); free some space there, then try again", path, ErrDiskFull, dir, left, err)
	case walLost(path):
		return fmt.Errorf("store %s: its write-ahead log %s-wal was deleted or emptied while a process had the store open (%w); stop every citebot process using this store, then start again: changes not yet written into the store file may be lost", path, path, err)
	}
	return fmt.Errorf("store %s: %w: SQLite could not read or write the store file or the -wal and -shm files beside it; check the disk and that nothing else changes those files", path, err)
}

// walLost reports whether the store at path has a shared-memory index
// (a process has, or had, it open) but no write-ahead log it could index:
// the log is missing, or shorter than its 32-byte header.
func walLost(path string) bool {
	shm, err := os.Stat(path + "-shm")
	if err != nil || shm.Size() == 0 {
		return false
	}
	wal, err := os.Stat(path + "-wal")
	return err != nil || wal.Size() < 32
}

// makeDataDir creates the data directory dir, explaining what
// os.MkdirAll reports only as "file exists" or "not a directory": a
// symbolic link (dir, or one above it) to a target that is missing (an
// unmounted volume, say), or a file in the way.
func makeDataDir(dir string) error {
	err := os.MkdirAll(dir, 0o700)
	if err == nil {
		return nil
	}
	if explained := dataDirInTheWay(dir, err); explained != nil {
		return explained
	}
	return fmt.Errorf("create data directory %s: %w", dir, err)
}

// dataDirInTheWay explains err, met making or reading the data directory
// dir, when dir or one of its parents is a file or a symbolic link that
// cannot be followed; nil otherwise.
func dataDirInTheWay(dir string, err error) error {
	for p := dir; ; p = filepath.Dir(p) {
		if info, lerr := os.Lstat(p); lerr == nil {
			switch {
			case info.Mode()&fs.ModeSymlink != 0:
				if _, serr := os.Stat(p); serr != nil {
					target, _ := os.Readlink(p)
					return fmt.Errorf("data directory %s: %s is a symbolic link to %s, which cannot be followed (%w); mount or create the target, or remove the link", dir, p, target, serr)
				}
			case !info.IsDir():
				return fmt.Errorf("data directory %s: %s is a file, not a directory (%w); move it away or choose another --data-dir", dir, p, err)
			}
		}
		if filepath.Dir(p) == p {
			return nil
		}
	}
}

func (s *Store) damaged(err error) error {
	return fmt.Errorf("store %s: %w (%v): restore it from a backup, or move it away to start an empty store", s.path, ErrDamaged, err)
}

// checkIntegrity runs SQLite's quick_check, which reads every page, so a
// truncated or overwritten file fails here and not at some later query.
func (s *Store) checkIntegrity(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `PRAGMA quick_check(5)`)
	if err != nil {
		return s.fileError(err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var msg string
		if err := rows.Scan(&msg); err != nil {
			return s.fileError(err)
		}
		if msg != "ok" {
			problems = append(problems, msg)
		}
	}
	if err := rows.Err(); err != nil {
		return s.fileError(err)
	}
	if len(problems) > 0 {
		return s.damaged(errors.New(strings.Join(problems, "; ")))
	}
	return nil
}
