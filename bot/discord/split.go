package discord

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Discord's limits, counted in characters (code points).
const (
	maxContent          = 2000 // message content
	maxEmbedDescription = 4096 // embed description
)

// minSplitLimit is the smallest limit split honours: a part must have room
// for a reopened and a closed code fence plus some text.
const minSplitLimit = 40

// closeFence ends a code block that a split cut in two.
const closeFence = "\n```"

// piece is one part of a split text before rendering: Text is a slice of
// the original; Open is the fence line reopening a code block the previous
// piece closed ("" if none); Close says the piece ends inside a code block
// that must be closed.
type piece struct {
	Text  string
	Open  string
	Close bool
}

func (p piece) render() string {
	s := p.Text
	if p.Open != "" {
		s = p.Open + "\n" + s
	}
	if p.Close {
		if strings.HasSuffix(s, "\n") {
			s += closeFence[1:]
		} else {
			s += closeFence
		}
	}
	return s
}

// split cuts text into parts of at most limit characters each, preferring
// to cut after a paragraph break, then a line break, then a sentence end,
// then a space, and only then anywhere (never inside a UTF-8 sequence).
// It avoids cutting inside a ``` code block; when a block is longer than a
// part, the block is closed at the end of one part and reopened (with its
// language) at the start of the next. Apart from those added fences, the
// parts concatenated are exactly text. A limit below 40 is raised to 40.
// split of "" is nil.
func split(text string, limit int) []string {
	pieces := splitPieces(text, limit)
	parts := make([]string, len(pieces))
	for i, p := range pieces {
		parts[i] = p.render()
	}
	return parts
}

// codeBlock is the byte span [start, end) of a fenced block in a text,
// from the opening fence line to the end of the closing fence line (or
// the end of the text if unclosed), with the fence to reopen it.
type codeBlock struct {
	start, end int
	reopen     string
}

// codeBlocks finds the fenced code blocks of text: a line whose first
// non-blank characters are ``` opens a block and the next such line
// closes it.
func codeBlocks(text string) []codeBlock {
	var blocks []codeBlock
	open := -1
	reopen := ""
	for pos := 0; pos < len(text); {
		end := strings.IndexByte(text[pos:], '\n')
		lineEnd := len(text)
		if end >= 0 {
			lineEnd = pos + end + 1
		}
		line := strings.TrimLeft(text[pos:lineEnd], " \t")
		if strings.HasPrefix(line, "```") {
			if open < 0 && strings.Contains(line[3:], "```") {
				// "``` code ```" on one line opens and closes itself.
				pos = lineEnd
				continue
			}
			if open < 0 {
				open = pos
				reopen = "```" + fenceLanguage(line[3:])
			} else {
				blocks = append(blocks, codeBlock{start: open, end: lineEnd, reopen: reopen})
				open = -1
			}
		}
		pos = lineEnd
	}
	if open >= 0 {
		blocks = append(blocks, codeBlock{start: open, end: len(text), reopen: reopen})
	}
	return blocks
}

// fenceLanguage returns the language of a fence's info string if it is a
// short plain word, else "" (a reopened fence must stay short and safe).
func fenceLanguage(info string) string {
	lang, _, _ := strings.Cut(strings.TrimSpace(info), " ")
	if lang == "" || len(lang) > 16 {
		return ""
	}
	for _, r := range lang {
		if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("+-#._", r)) {
			return ""
		}
	}
	return lang
}

// blockAt returns the code block strictly containing the cut position p
// (a cut at a block's start or end is outside it), or nil.
func blockAt(blocks []codeBlock, p int) *codeBlock {
	for i := range blocks {
		if blocks[i].start < p && p < blocks[i].end {
			return &blocks[i]
		}
	}
	return nil
}

func splitPieces(text string, limit int) []piece {
	if limit < minSplitLimit {
		limit = minSplitLimit
	}
	blocks := codeBlocks(text)
	var pieces []piece
	open := ""
	for start := 0; start < len(text); {
		budget := limit - utf8.RuneCountInString(open)
		if open != "" {
			budget-- // the newline after the reopened fence
		}
		rest := text[start:]
		if utf8.RuneCountInString(rest) <= budget {
			pieces = append(pieces, piece{Text: rest, Open: open})
			break
		}
		// First look for a cut outside any code block.
		window := runePrefix(rest, budget)
		cut := bestCut(text, start, start+len(window), func(p int) bool { return blockAt(blocks, p) == nil })
		inside := (*codeBlock)(nil)
		if cut <= start {
			// None: cut inside a block, leaving room to close it.
			short := start + len(runePrefix(rest, budget-utf8.RuneCountInString(closeFence)))
			cut = bestCut(text, start, short, func(p int) bool { return blockAt(blocks, p) != nil })
			if cut <= start {
				// No boundary at all: cut mid-word.
				cut = start + len(window)
				if blockAt(blocks, cut) != nil {
					cut = short
				}
			}
			inside = blockAt(blocks, cut)
		}
		p := piece{Text: text[start:cut], Open: open}
		open = ""
		if inside != nil {
			p.Close = true
			open = inside.reopen
		}
		pieces = append(pieces, p)
		start = cut
	}
	return pieces
}

// runePrefix returns the longest prefix of s with at most n runes.
func runePrefix(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// bestCut returns the best cut position p in (start, end] of text allowed
// by ok, trying paragraph breaks, line breaks, sentence ends and spaces in
// that order; it returns start when there is none.
func bestCut(text string, start, end int, ok func(int) bool) int {
	window := text[start:end]
	finders := []func(string) []int{
		func(w string) []int { return cutsAfter(w, "\n\n") },
		func(w string) []int { return cutsAfter(w, "\n") },
		sentenceCuts,
		spaceCuts,
	}
	for _, find := range finders {
		cuts := find(window)
		for i := len(cuts) - 1; i >= 0; i-- {
			if p := start + cuts[i]; p > start && ok(p) {
				return p
			}
		}
	}
	return start
}

// cutsAfter returns the positions just after each occurrence of sep in w.
func cutsAfter(w, sep string) []int {
	var cuts []int
	for i := 0; ; {
		j := strings.Index(w[i:], sep)
		if j < 0 {
			return cuts
		}
		i += j + len(sep)
		cuts = append(cuts, i)
	}
}

// sentenceCuts returns the positions after the space that follows a
// sentence end (". ", "! ", "? ", also after a closing quote or bracket).
func sentenceCuts(w string) []int {
	var cuts []int
	for i := 1; i < len(w); i++ {
		if w[i] != ' ' {
			continue
		}
		j := i - 1
		for j > 0 && strings.IndexByte(`"')]`, w[j]) >= 0 {
			j--
		}
		if strings.IndexByte(".!?", w[j]) >= 0 {
			cuts = append(cuts, i+1)
		}
	}
	return cuts
}

// spaceCuts returns the positions after each run of spaces or tabs.
func spaceCuts(w string) []int {
	var cuts []int
	for i := 0; i < len(w); i++ {
		if (w[i] == ' ' || w[i] == '\t') && (i+1 == len(w) || (w[i+1] != ' ' && w[i+1] != '\t')) {
			cuts = append(cuts, i+1)
		}
	}
	return cuts
}
