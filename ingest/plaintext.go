package ingest

import (
	"strings"
)

// textBlocks returns the paragraphs of plain text as blocks. A file whose
// body separates paragraphs with blank lines (see blankLineParagraphs)
// has a paragraph per run of non-blank lines, its single line breaks
// joined with a space; its first run keeps the title and the header lines
// after it (outlet, "Key: value") separate. Any other file has a
// paragraph per non-blank line (the newsroom convention).
func textBlocks(s string) []block {
	lines := strings.Split(s, "\n")
	runs := lineRuns(lines)
	var blocks []block
	if !blankLineParagraphs(runs) {
		for _, line := range lines {
			if t := cleanParagraph(line); t != "" {
				blocks = append(blocks, block{text: t})
			}
		}
		return blocks
	}
	for i, run := range runs {
		// A first run whose second line goes on in lower case is a
		// hard-wrapped paragraph, not a title line and header lines.
		wrapped := len(run) > 1 && startsLower(run[1])
		if i == 0 && len(strings.Fields(run[0])) <= 30 && !wrapped {
			// Title, then header lines, each on its own line.
			n := 1
			for n < len(run) && n <= 6 && isHeaderLine(run[n]) {
				n++
			}
			for _, line := range run[:n] {
				blocks = append(blocks, block{text: line})
			}
			run = run[n:]
			if len(run) == 0 {
				continue
			}
		}
		blocks = append(blocks, block{text: cleanParagraph(strings.Join(run, " ")), lines: len(run)})
	}
	return blocks
}

// lineRuns groups the non-blank lines of a text, cleaned, into runs of
// consecutive lines; blank (white space only) lines separate runs.
func lineRuns(lines []string) [][]string {
	var (
		runs [][]string
		cur  []string
	)
	for _, line := range lines {
		t := cleanParagraph(line)
		if t == "" {
			if len(cur) > 0 {
				runs = append(runs, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, t)
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// blankLineParagraphs reports whether the body (all runs after the
// first, which holds the title) separates paragraphs with blank lines: it
// has more than one run, and either no more single line breaks than
// blank-line breaks, or single line breaks that mostly fall inside
// sentences (hard-wrapped text, "O\n2"). A body of sentence-per-line runs
// with a blank line here and there stays line by line, which never merges
// two paragraphs.
func blankLineParagraphs(runs [][]string) bool {
	if len(runs) < 3 {
		return false
	}
	blank := len(runs) - 2 // breaks between the body's runs
	single, afterSentence := 0, 0
	for _, run := range runs[1:] {
		for _, line := range run[:len(run)-1] {
			single++
			if lineEndsSentence(line) {
				afterSentence++
			}
		}
	}
	return single <= blank || 2*afterSentence < single
}

// lineEndsSentence reports whether line ends with sentence punctuation,
// possibly followed by closing quotes or brackets.
func lineEndsSentence(line string) bool {
	line = strings.TrimRight(line, `"'”’)]»`)
	return strings.HasSuffix(line, ".") || strings.HasSuffix(line, "!") || strings.HasSuffix(line, "?") ||
		strings.HasSuffix(line, ":") || strings.HasSuffix(line, "…")
}

// isHeaderLine reports whether a line after the title is a header line:
// an outlet name or a "Key: value" line.
func isHeaderLine(line string) bool {
	if _, _, ok := metaLine(line); ok {
		return true
	}
	return isOutlet(line)
}
