package ingest

import (
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// block is one paragraph-level piece of a text or Markdown document.
type block struct {
	text    string
	heading int // Markdown heading level, 0 for other blocks
	// lines is how many source lines were joined into text (0 or 1: one).
	lines int
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
		} else if !titleLike(blocks[idx]) {
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

// titleLike reports whether b can be a document's title, taken out of its
// body: a heading, or one line of at most 30 words and 200 characters that
// does not read as prose. Anything else stays in the body, so no text is
// lost; the title is then made from its first words (see shortTitle).
func titleLike(b block) bool {
	if b.heading > 0 {
		return true
	}
	return b.lines <= 1 && len(strings.Fields(b.text)) <= 30 && utf8.RuneCountInString(b.text) <= 200 &&
		!readsAsProse(b.text)
}

// readsAsProse reports whether a line is body text rather than a headline:
// it ends with an ideographic full stop (which headlines in Chinese and
// Japanese leave out), or it holds more than one sentence and ends like
// one ("The council met. It voted 7-2.").
func readsAsProse(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(strings.TrimRightFunc(s, isCloser))
	return r == '。' || (isTerminal(r) && len(Sentences(s)) > 1)
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

// dateLayouts are the date forms of header lines, front matter and <meta>
// tags: RFC 3339 (with or without the colon in its offset), Jekyll's
// "2006-01-02 15:04:05 -0700" and its shorter forms, and written dates.
var dateLayouts = []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05",
	"2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05", "2006-01-02 15:04 -0700", "2006-01-02 15:04", "2006-01-02",
	"January 2, 2006", "Jan 2, 2006", "Jan. 2, 2006", "2 January 2006", "2 Jan 2006"}

// parseDate parses common date forms; it returns the zero time when none fits.
func parseDate(s string) time.Time {
	s = strings.Join(strings.Fields(s), " ")
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

// shortTitle makes a title from the first sentence of a long line: at
// most 15 words, else its first 12, each word cut to 40 characters (a URL,
// or Chinese or Japanese text, may be one long word); " …" marks a cut.
func shortTitle(s string) string {
	if sp := Sentences(s); len(sp) > 0 {
		s = s[sp[0][0]:sp[0][1]]
	}
	words := strings.Fields(s)
	cut := len(words) > 15
	if cut {
		words = words[:12]
	}
	for i, x := range words {
		if utf8.RuneCountInString(x) > 40 {
			words[i] = string([]rune(x)[:40])
			cut = true
		}
	}
	t := strings.Join(words, " ")
	if cut {
		t += " …"
	}
	return t
}
