// Package ingest turns files, text and web pages into Articles and splits
// them into sentence-aware Chunks ready to be embedded and stored.
package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode"
)

// Article is one ingested piece of writing. The zero value is not useful:
// build Articles with the parsers in this package (Parse, ParseFile, Fetch).
type Article struct {
	// ID is stable across re-ingests: derived from the canonical URL when
	// there is one, otherwise from the normalised text (see NewID).
	ID        string
	Title     string
	Source    string // outlet or site name, e.g. "CBC"; may be empty
	URL       string // canonical URL; empty for local files and pasted text
	Author    string
	Language  string
	Published time.Time // zero when unknown
	Ingested  time.Time // set by the store when the article is written
	// Paragraphs hold the body text, one paragraph each, trimmed and
	// non-empty. The title is not repeated here.
	Paragraphs []string
}

// ParagraphSeparator joins paragraphs in Text; chunk offsets count it.
const ParagraphSeparator = "\n\n"

// Text is the article body: its paragraphs joined by ParagraphSeparator.
// Chunk.Start and Chunk.End are byte offsets into this string.
func (a Article) Text() string { return strings.Join(a.Paragraphs, ParagraphSeparator) }

// ContentHash identifies the article's content (title, source and text),
// so that re-ingesting identical content can be recognised as a no-op.
func (a Article) ContentHash() string {
	h := sha256.New()
	h.Write([]byte(normalise(a.Title)))
	h.Write([]byte{0})
	h.Write([]byte(normalise(a.Source)))
	h.Write([]byte{0})
	h.Write([]byte(normalise(a.Text())))
	return hex.EncodeToString(h.Sum(nil))
}

// NewID returns the stable ID of an article: "u" + 16 hex digits of the
// SHA-256 of the canonical URL when url is not empty, else "t" + 16 hex
// digits of the SHA-256 of the normalised title and text (case and white
// space folded), so the same text ingested from two files gets one ID.
func NewID(url, title string, paragraphs []string) string {
	if url != "" {
		sum := sha256.Sum256([]byte(strings.TrimSpace(url)))
		return "u" + hex.EncodeToString(sum[:8])
	}
	sum := sha256.Sum256([]byte(normalise(title) + "\x00" + normalise(strings.Join(paragraphs, " "))))
	return "t" + hex.EncodeToString(sum[:8])
}

// normalise lower-cases s and folds runs of white space into one space.
func normalise(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Chunk is one passage of an article, the unit that is embedded, indexed
// and cited.
type Chunk struct {
	ArticleID string
	Position  int // 0-based order within the article
	// Start and End are byte offsets of Text within Article.Text().
	Start, End int
	Text       string
	// Title is the article title, carried so retrieval can use it.
	Title string
}
