package text

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
)

// readTable calls each with every line, in order, of an embedded gzipped
// table (name says which, in the panic). A table that does not read is a
// broken build, so it panics.
func readTable(name string, gz []byte, each func(line string)) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		panic("text: " + name + ": " + err.Error())
	}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		each(sc.Text())
	}
	if err := sc.Err(); err != nil {
		panic("text: " + name + ": " + err.Error())
	}
}

// WriteTable writes lines, each ended by a line break, to a gzipped table
// at path in the form readTable reads: what scripts/wordrank and
// scripts/synonyms build the embedded tables with.
func WriteTable(path string, lines []string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	defer f.Close()
	zw, err := gzip.NewWriterLevel(f, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("write table %s: %w", path, err)
	}
	w := bufio.NewWriter(zw)
	for _, l := range lines {
		w.WriteString(l)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write table %s: %w", path, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write table %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write table %s: %w", path, err)
	}
	return nil
}
