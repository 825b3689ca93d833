package text

import (
	"bufio"
	"bytes"
	"compress/gzip"
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
