package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// writeTable writes cells, ncols to a row (the first row the header), in
// columns aligned as text/tabwriter aligns them with padding 2 and spaces:
// each column but the last as wide as its widest cell (in runes) plus two.
// It buffers the output and keeps no record per cell: tabwriter, which
// does, took longer to print 20,000 articles than citebot took to read
// them. Tabs and line breaks in a cell are written as spaces.
func writeTable(w io.Writer, cells []string, ncols int) error {
	widths := make([]int, ncols)
	for i, c := range cells {
		if strings.ContainsAny(c, "\t\n\r\v\f") {
			c = strings.Map(func(r rune) rune {
				if r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' {
					return ' '
				}
				return r
			}, c)
			cells[i] = c
		}
		if n := utf8.RuneCountInString(c); n > widths[i%ncols] {
			widths[i%ncols] = n
		}
	}
	out := bufio.NewWriterSize(w, 64<<10)
	for i, c := range cells {
		out.WriteString(c)
		if i%ncols == ncols-1 {
			out.WriteByte('\n')
			continue
		}
		for pad := widths[i%ncols] + 2 - utf8.RuneCountInString(c); pad > 0; pad -= len(spaces) {
			out.WriteString(spaces[:min(pad, len(spaces))])
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

const spaces = "                                                                "
