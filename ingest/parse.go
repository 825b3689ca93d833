package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

var (
	// ErrUnsupported is wrapped by errors for inputs whose file type
	// (extension) this package cannot read.
	ErrUnsupported = errors.New("unsupported file type")
	// ErrEmpty is wrapped by errors for inputs with no article text: empty,
	// white space only, or binary data.
	ErrEmpty = errors.New("no article text")
	// ErrTooLarge is wrapped by ParseFile's error for files over MaxFileBytes.
	ErrTooLarge = errors.New("file too large")
)

// MaxFileBytes is the largest file ParseFile reads.
const MaxFileBytes = 16 << 20

// Supported reports whether Parse can read a file with this name, judged
// by its extension: .txt, .md, .markdown, .html or .htm (any case).
func Supported(name string) bool { return format(name) != "" }

func format(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt":
		return "text"
	case ".md", ".markdown":
		return "markdown"
	case ".html", ".htm":
		return "html"
	}
	return ""
}

// ParseFile reads and parses the file at path (see Parse). Files larger
// than MaxFileBytes are refused with an error wrapping ErrTooLarge.
func ParseFile(path string) (Article, error) {
	if !Supported(path) {
		return Article{}, fmt.Errorf("parse %s: %w (want .txt, .md, .markdown, .html or .htm)", path, ErrUnsupported)
	}
	f, err := os.Open(path)
	if err != nil {
		return Article{}, fmt.Errorf("read article: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return Article{}, fmt.Errorf("read article: %w", err)
	}
	if len(data) > MaxFileBytes {
		return Article{}, fmt.Errorf("parse %s: %w (over %d MiB)", path, ErrTooLarge, MaxFileBytes>>20)
	}
	return Parse(path, data)
}

// Parse reads one article from data; name (a file name or path) chooses
// the format by its extension and names the input in errors.
//
// Plain text (.txt) follows the newsroom convention: the first line is the
// title; an optional short second line (at most four words, no sentence
// punctuation) is the outlet; every following line is a paragraph (blank
// lines are ignored). A file whose body separates paragraphs with blank
// lines instead (as most plain-text exports do) has a paragraph per
// blank-line separated block, its single line breaks joined with a space
// ("O\n2" becomes "O 2"). "Source:", "URL:", "Author:" and "Date:" lines right
// after the title fill those fields. A first line of more than 30 words is
// not a title: the title is then its first words and the line stays in the
// body. A single-line file becomes both title and body.
//
// Markdown (.md, .markdown): optional "---" front matter (title, source,
// url, author, date); the title is the first level-1 heading near the top,
// else the first block; paragraphs are blank-line separated blocks,
// headings, list items and code lines; emphasis, links, images and inline
// code are reduced to their text.
//
// HTML (.html, .htm) goes through ExtractHTML.
//
// Input is decoded as UTF-8 (a UTF-16 byte order mark is honoured);
// invalid UTF-8 sequences are replaced with U+FFFD rather than rejected,
// so one stray Latin-1 byte does not lose an article. Data containing NUL
// bytes or mostly control characters is binary and, like empty or
// white-space-only input, gives an error wrapping ErrEmpty. The Article's
// ID is set with NewID; Ingested is left zero.
func Parse(name string, data []byte) (Article, error) {
	kind := format(name)
	if kind == "" {
		return Article{}, fmt.Errorf("parse %s: %w (want .txt, .md, .markdown, .html or .htm)", name, ErrUnsupported)
	}
	text, err := decode(data)
	if err != nil {
		return Article{}, fmt.Errorf("parse %s: %w", name, err)
	}
	var a Article
	switch kind {
	case "text":
		a = buildArticle(textBlocks(text), Article{})
	case "markdown":
		meta, body := frontMatter(text)
		a = buildArticle(markdownBlocks(body), meta)
	case "html":
		// The page's own bytes: ExtractHTML honours a <meta charset>
		// (ISO-8859-1, say) that decoding as UTF-8 would have lost. Only
		// UTF-16, which it does not read, goes in decoded.
		raw := data
		if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
			raw = []byte(text)
		}
		a, err = ExtractHTML(raw, "")
		if err != nil {
			return Article{}, fmt.Errorf("parse %s: %w", name, err)
		}
		a = cleanHTMLArticle(a)
	}
	if len(a.Paragraphs) == 0 {
		return Article{}, fmt.Errorf("parse %s: %w", name, ErrEmpty)
	}
	a.ID = NewID(a.URL, a.Title, a.Paragraphs)
	return a, nil
}

// decode turns raw bytes into text with "\n" line breaks, or explains why
// there is no text.
func decode(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		data = decodeUTF16(data)
	}
	if looksBinary(data) {
		return "", fmt.Errorf("binary data: %w", ErrEmpty)
	}
	s := strings.ToValidUTF8(string(data), "\uFFFD")
	s = lineBreaks.Replace(s)
	if strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }) == "" {
		return "", ErrEmpty
	}
	return s, nil
}

var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n", "\u0085", "\n")

// decodeUTF16 decodes data that starts with a UTF-16 byte order mark.
func decodeUTF16(data []byte) []byte {
	big := data[0] == 0xFE
	data = data[2:]
	u := make([]uint16, len(data)/2)
	for i := range u {
		if big {
			u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		} else {
			u[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
		}
	}
	return []byte(string(utf16.Decode(u)))
}

// looksBinary reports whether data (judged by its first MiB) is not text:
// it has a NUL byte, or more than a tenth of its characters are control
// characters or invalid UTF-8.
func looksBinary(data []byte) bool {
	if len(data) > 1<<20 {
		data = data[:1<<20]
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return true
	}
	total, bad := 0, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		total++
		if (r == utf8.RuneError && size == 1) || (isControl(r) && !unicode.IsSpace(r)) {
			bad++
		}
		i += size
	}
	// Tolerate a cut-off multi-byte character at the end of the sample.
	return total > 0 && bad*10 > total+3
}

func isControl(r rune) bool { return r < 0x20 || (r >= 0x7F && r < 0xA0) }

// cleanParagraph folds white space runs into one space, drops control
// characters and trims.
func cleanParagraph(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case isControl(r), r == '\uFEFF':
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// block is one paragraph-level piece of a text or Markdown document.
type block struct {
	text    string
	heading int // Markdown heading level, 0 for other blocks
}

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
		if i == 0 && len(strings.Fields(run[0])) <= 30 {
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
		blocks = append(blocks, block{text: cleanParagraph(strings.Join(run, " "))})
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

// buildArticle picks the title, outlet and header fields from blocks and
// makes the rest the paragraphs. meta holds fields already known (front
// matter); they win over header lines.
func buildArticle(blocks []block, meta Article) Article {
	a := meta
	a.Title = cleanParagraph(a.Title)
	rest := blocks
	if a.Title == "" && len(blocks) > 0 {
		idx := 0
		for i, b := range blocks {
			if i > 2 {
				break
			}
			if b.heading == 1 {
				idx = i
				break
			}
		}
		t := blocks[idx].text
		if len(blocks) == 1 {
			// A one-line document is its own title and body.
			a.Title = shortTitle(t)
			rest = blocks
		} else if words := strings.Fields(t); len(words) > 30 {
			a.Title = shortTitle(t)
			rest = blocks
		} else {
			a.Title = t
			rest = append(append([]block(nil), blocks[:idx]...), blocks[idx+1:]...)
			// Header lines follow the title.
			rest = header(&a, rest, idx)
		}
	} else {
		if len(rest) > 1 && normalise(rest[0].text) == normalise(a.Title) {
			rest = rest[1:]
		}
		rest = header(&a, rest, 0)
	}
	for _, b := range rest {
		if b.text != "" {
			a.Paragraphs = append(a.Paragraphs, b.text)
		}
	}
	return a
}

// header consumes outlet and "Key: value" lines from blocks starting at
// at, filling a's empty fields, and returns the remaining blocks. It
// never consumes the last block, which must be body text.
func header(a *Article, blocks []block, at int) []block {
	end := at
	outlet := false
	for end < len(blocks)-1 && end-at < 6 {
		b := blocks[end]
		if b.heading != 0 {
			break
		}
		if key, val, ok := metaLine(b.text); ok {
			setMeta(a, key, val)
			end++
			continue
		}
		if !outlet && a.Source == "" && isOutlet(b.text) {
			a.Source = b.text
			outlet = true
			end++
			continue
		}
		break
	}
	return append(blocks[:at:at], blocks[end:]...)
}

var metaRE = regexp.MustCompile(`^(?i)(source|outlet|publisher|url|link|canonical|author|byline|by|date|published)\s*:\s*(\S.*)$`)

func metaLine(s string) (key, val string, ok bool) {
	m := metaRE.FindStringSubmatch(s)
	if m == nil {
		return "", "", false
	}
	return strings.ToLower(m[1]), strings.TrimSpace(m[2]), true
}

// setMeta sets the field named by key when it is still empty.
func setMeta(a *Article, key, val string) {
	val = strings.Trim(val, `"'`)
	switch key {
	case "title":
		if a.Title == "" {
			a.Title = val
		}
	case "source", "outlet", "publisher":
		if a.Source == "" {
			a.Source = val
		}
	case "url", "link", "canonical":
		if a.URL == "" && (strings.HasPrefix(val, "http://") || strings.HasPrefix(val, "https://")) {
			a.URL = val
		}
	case "author", "byline", "by":
		if a.Author == "" {
			a.Author = val
		}
	case "date", "published":
		if a.Published.IsZero() {
			a.Published = parseDate(val)
		}
	}
}

var dateLayouts = []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02",
	"January 2, 2006", "Jan 2, 2006", "Jan. 2, 2006", "2 January 2006", "2 Jan 2006"}

// parseDate parses common date forms; it returns the zero time when none fits.
func parseDate(s string) time.Time {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// isOutlet reports whether line looks like an outlet name ("CBC", "Metro
// Wire"): at most four words, starting with a capital or digit, with no
// sentence punctuation.
func isOutlet(line string) bool {
	words := strings.Fields(line)
	if len(words) == 0 || len(words) > 4 || len(line) > 48 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(line)
	if !unicode.IsUpper(r) && !unicode.IsDigit(r) {
		return false
	}
	if strings.ContainsAny(line, `.!?:;,"“”…`) && !strings.HasSuffix(strings.ToLower(line), ".com") {
		return false
	}
	return true
}

// shortTitle makes a title from the first words of a long line.
func shortTitle(s string) string {
	if sp := Sentences(s); len(sp) > 0 {
		s = s[sp[0][0]:sp[0][1]]
	}
	words := strings.Fields(s)
	if len(words) <= 15 {
		return strings.Join(words, " ")
	}
	w := words[:12]
	for i, x := range w {
		if len(x) > 40 {
			w[i] = truncateUTF8(x, 40)
		}
	}
	return strings.Join(w, " ") + " …"
}

// truncateUTF8 cuts s to at most n bytes at a rune boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// frontMatter splits YAML-style front matter ("---" lines around "key:
// value" lines) from the start of a Markdown document and returns the
// fields it sets and the rest of the text.
func frontMatter(s string) (Article, string) {
	var a Article
	rest := strings.TrimLeft(s, "\n\uFEFF")
	if !strings.HasPrefix(rest, "---\n") {
		return a, s
	}
	end := strings.Index(rest[4:], "\n---")
	if end < 0 {
		return a, s
	}
	fm := rest[4 : 4+end]
	body := rest[4+end+4:]
	if i := strings.IndexByte(body, '\n'); i >= 0 {
		body = body[i+1:]
	} else {
		body = ""
	}
	for _, line := range strings.Split(fm, "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		if val == "" {
			continue
		}
		setMeta(&a, key, val)
	}
	return a, body
}

// cleanHTMLArticle normalises ExtractHTML's result: paragraphs cleaned,
// leading paragraphs that repeat the title dropped (Article.Paragraphs
// must not repeat it), and a title made from the text when there is none.
func cleanHTMLArticle(a Article) Article {
	a.Title = cleanParagraph(strings.ToValidUTF8(a.Title, "\uFFFD"))
	var paras []string
	for _, p := range a.Paragraphs {
		if p = cleanParagraph(strings.ToValidUTF8(p, "\uFFFD")); p != "" {
			paras = append(paras, p)
		}
	}
	for len(paras) > 1 && a.Title != "" && normalise(paras[0]) == normalise(a.Title) {
		paras = paras[1:]
	}
	// A title repeated after navigation text ("Home | News") as the h1.
	for i := 1; len(paras) > 1 && i < len(paras) && i < 4; i++ {
		if normalise(paras[i]) == normalise(a.Title) {
			paras = append(paras[:i:i], paras[i+1:]...)
			break
		}
	}
	a.Paragraphs = paras
	if a.Title == "" && len(paras) > 0 {
		a.Title = shortTitle(paras[0])
	}
	return a
}
