package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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
	// Refused before opening: opening a FIFO blocks until a writer comes.
	if info, err := os.Stat(path); err == nil && !info.Mode().IsRegular() {
		return Article{}, notRegular(path, info.Mode())
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
// after the title fill those fields. A first line that reads as a paragraph
// is not a title: one of more than 30 words, of several sentences ending
// like a sentence, or ending with an ideographic full stop, and a first
// paragraph hard-wrapped over several lines (its second line goes on in
// lower case). The title is then its first words and the text stays in the
// body. A single-line file becomes both title and body.
//
// Markdown (.md, .markdown): optional "---" YAML or "+++" TOML front
// matter (title, source, url, author or authors, date); the title is the first level-1 heading near the top,
// else the first block (one that reads as a paragraph, as above, or spans
// several lines stays in the body); paragraphs are blank-line separated blocks,
// headings, list items and code lines; emphasis, links, images and inline
// code are reduced to their text.
//
// HTML (.html, .htm) goes through extractHTML.
//
// Input is decoded as UTF-8 (a UTF-16 byte order mark is honoured);
// invalid UTF-8 sequences in text that is mostly UTF-8 are replaced with
// U+FFFD rather than rejected, so one stray Latin-1 byte does not lose an
// article, and text in an 8-bit charset (accented letters and curly quotes
// that are not UTF-8, as Windows Notepad's "ANSI" saves) is decoded as
// windows-1252. HTML honours its own charset (see extractHTML). Data containing NUL
// bytes or mostly control characters is binary and, like empty or
// white-space-only input, gives an error wrapping ErrEmpty. The title,
// outlet and author lose invisible format characters (see cleanLabel) and a
// URL its login details and tracking parameters (see cleanURL). The
// Article's ID is set with NewID; Ingested is left zero.
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
		// The page's own bytes: extractHTML honours a <meta charset>
		// (ISO-8859-1, say) that decoding as UTF-8 would have lost. Only
		// UTF-16, which it does not read, goes in decoded.
		raw := data
		if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
			raw = []byte(text)
		}
		a, err = extractHTML(raw, "", "")
		if err != nil {
			return Article{}, fmt.Errorf("parse %s: %w", name, err)
		}
		a = cleanHTMLArticle(a)
	}
	if len(a.Paragraphs) == 0 {
		return Article{}, fmt.Errorf("parse %s: %w", name, ErrEmpty)
	}
	cleanLabels(&a)
	if a.Title == "" {
		a.Title = shortTitle(a.Paragraphs[0])
	}
	a.ID = NewID(a.URL, a.Title, a.Paragraphs)
	return a, nil
}
