package ingest

import (
	"bytes"
	"context"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

// paragraphBuilder collects text into paragraphs: block boundaries end a
// paragraph, a single <br> is a line break inside one, and a blank line
// (two <br>) ends it. White space is folded and text is NFC-normalised.
type paragraphBuilder struct {
	cur   strings.Builder
	paras []string
}

var blankLine = regexp.MustCompile(`\n[ \t\r\f\v]*\n`)

func (p *paragraphBuilder) text(s string) { p.cur.WriteString(s) }
func (p *paragraphBuilder) lineBreak()    { p.cur.WriteByte('\n') }

// space separates inline cells (table data) that must not run together.
func (p *paragraphBuilder) space() { p.cur.WriteByte(' ') }

func (p *paragraphBuilder) flush() {
	if p.cur.Len() == 0 {
		return
	}
	for _, part := range blankLine.Split(p.cur.String(), -1) {
		if s := strings.Join(strings.Fields(part), " "); s != "" {
			p.paras = append(p.paras, norm.NFC.String(s))
		}
	}
	p.cur.Reset()
}

func (p *paragraphBuilder) paragraphs() []string {
	p.flush()
	return p.paras
}

// isBlock reports whether an element starts and ends a paragraph.
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Li, atom.Ul, atom.Ol, atom.Dl, atom.Blockquote, atom.Pre, atom.Section, atom.Article,
		atom.Header, atom.Footer, atom.Nav, atom.Aside, atom.Main, atom.Table, atom.Tr,
		atom.Caption, atom.Figure, atom.Figcaption, atom.Dd, atom.Dt, atom.Hr, atom.Body,
		atom.Address, atom.Details, atom.Summary, atom.Fieldset, atom.Form, atom.Center:
		return true
	}
	return false
}

// isHidden reports whether an element's content is never body text.
func isHidden(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Math,
		atom.Iframe, atom.Object, atom.Embed, atom.Canvas, atom.Select, atom.Button,
		atom.Textarea, atom.Nav, atom.Head, atom.Title, atom.Noframes, atom.Noembed, atom.Xmp:
		return true
	}
	return false
}

// impliedEnd lists elements whose end tag the parser supplies, so leaving
// them open does not deepen the tree; void elements never nest.
func impliedEnd(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Li, atom.Dd, atom.Dt, atom.Option, atom.Optgroup, atom.Tr, atom.Td, atom.Th,
		atom.Tbody, atom.Thead, atom.Tfoot, atom.Rb, atom.Rt, atom.Rp, atom.Rtc, atom.Colgroup,
		atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Source, atom.Track, atom.Wbr, atom.Param, atom.Keygen,
		atom.Html, atom.Head, atom.Body:
		return true
	}
	return false
}

// pageScan is what one linear pass of the HTML tokenizer learns about a
// page: its metadata from <head>, its visible text, and its shape (how deep
// and how large the element tree is), which decides whether the full tree
// based extractor can be run on it in reasonable time.
type pageScan struct {
	title, h1, ogTitle string
	siteName, author   string
	published          string
	lang               string
	canonical, ogURL   string
	maxDepth, elements int
	paragraphs         int      // <p> elements
	textBytes          int      // bytes of visible text
	visible            []string // visible body text, one paragraph per block (a MediaWiki page's article body only)
}

// wikiBody is MediaWiki's class of the element holding an article's text
// (Wikipedia, Fandom and other wikis): the heading, "From Wikipedia, the
// free encyclopedia", the sidebars, the categories and the footer are
// outside it.
const wikiBody = "mw-parser-output"

// scanHTML tokenizes data once. It never builds a tree, so its cost is
// linear in the input however deeply the markup nests. When ctx ends it
// stops early with what it has read.
func scanHTML(ctx context.Context, data []byte) pageScan {
	var (
		s       pageScan
		pb      paragraphBuilder
		z       = html.NewTokenizer(bytes.NewReader(data))
		depth   int
		hidden  []atom.Atom // open elements whose content is not body text
		foreign int         // open <svg>/<math>: self-closing tags close there
		inTitle bool
		inH1    bool
		h1      strings.Builder
		// A MediaWiki page's article text, read beside the visible
		// text: what is inside its wikiBody element, less the furniture
		// removeWikiFurniture takes out of the tree. wiki is the depth of
		// the open wikiBody element (0 outside it), furniture those of
		// the open furniture elements.
		wpb       paragraphBuilder
		wiki      int
		furniture []int
		heading   = -1  // the wiki paragraphs' count when an <h2>…<h6> opened
		headings  []int // indexes of the wiki paragraphs that are headings
	)
	visible := func() []string {
		if w := wpb.paragraphs(); len(w) > 0 {
			return withoutEmptySections(w, headings)
		}
		return pb.paragraphs()
	}
	inWiki := func() bool { return wiki > 0 && len(furniture) == 0 }
	z.SetMaxBuf(0)
	for tokens := 1; ; tokens++ {
		if tokens%4096 == 0 && ctx.Err() != nil {
			s.visible = visible()
			return s
		}
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			s.visible = visible()
			s.title = oneLine(s.title)
			s.h1 = oneLine(h1.String())
			return s
		case html.TextToken:
			text := string(z.Text())
			if inTitle && s.title == "" {
				s.title = text
			}
			if len(hidden) > 0 {
				continue
			}
			if inH1 {
				h1.WriteString(text)
			}
			s.textBytes += len(text)
			pb.text(text)
			if inWiki() {
				wpb.text(text)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			var attrs map[string]string
			class, hiddenAttr := "", false
			if hasAttr && (a == atom.Meta || a == atom.Link || a == atom.Html) {
				attrs = readAttrs(z)
			} else if hasAttr {
				class, hiddenAttr = classAttrs(z)
			}
			s.elements++
			if a == atom.P {
				s.paragraphs++
			}
			selfClosing := tt == html.SelfClosingTagToken && (foreign > 0 || impliedEnd(a))
			if !selfClosing && !impliedEnd(a) {
				depth++
				s.maxDepth = max(s.maxDepth, depth)
				// Only elements whose end is tracked by depth can
				// open or hide the wiki text.
				switch {
				case wiki == 0 && hasToken(class, wikiBody):
					wiki = depth
				case wiki > 0 && (wikiFurnitureClass(a, class) || hasToken(class, "noprint") || hiddenAttr):
					// Also what MediaWiki leaves out of print ("[citation
					// needed]", "[update]"), icons hidden from screen
					// readers and what is never displayed (sort keys),
					// which the tree extractor drops too.
					furniture = append(furniture, depth)
				}
			}
			if !selfClosing && (a == atom.Svg || a == atom.Math) {
				foreign++
			}
			switch a {
			case atom.Html:
				s.lang = attrs["lang"]
			case atom.Meta:
				s.readMeta(attrs)
			case atom.Link:
				if hasToken(attrs["rel"], "canonical") && s.canonical == "" {
					s.canonical = strings.TrimSpace(attrs["href"])
				}
			case atom.Title:
				inTitle = tt == html.StartTagToken
			case atom.H1:
				inH1 = s.h1 == "" && h1.Len() == 0
			case atom.Br:
				pb.lineBreak()
				if inWiki() {
					wpb.lineBreak()
				}
			case atom.Td, atom.Th:
				pb.space()
				if inWiki() {
					wpb.space()
				}
			}
			if isHidden(a) && !selfClosing && tt == html.StartTagToken {
				hidden = append(hidden, a)
			}
			if isBlock(a) && len(hidden) == 0 {
				pb.flush()
				wpb.flush()
			}
			if isWikiHeading(a) && tt == html.StartTagToken {
				heading = len(wpb.paras)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if !impliedEnd(a) && depth > 0 {
				depth--
				for n := len(furniture); n > 0 && furniture[n-1] > depth; n-- {
					furniture = furniture[:n-1]
				}
				if wiki > depth {
					wiki = 0
				}
			}
			if (a == atom.Svg || a == atom.Math) && foreign > 0 {
				foreign--
			}
			switch a {
			case atom.Title:
				inTitle = false
			case atom.H1:
				if inH1 {
					s.h1 = h1.String()
					inH1 = false
				}
			case atom.Td, atom.Th:
				pb.space()
				if inWiki() {
					wpb.space()
				}
			}
			if n := len(hidden); n > 0 && hidden[n-1] == a {
				hidden = hidden[:n-1]
			}
			if isBlock(a) && len(hidden) == 0 {
				pb.flush()
				wpb.flush()
			}
			if isWikiHeading(a) && heading >= 0 {
				for i := heading; i < len(wpb.paras); i++ {
					headings = append(headings, i)
				}
				heading = -1
			}
		}
	}
}

func isWikiHeading(a atom.Atom) bool {
	switch a {
	case atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// withoutEmptySections returns paras without the headings (indexes into
// paras, ascending) that no text follows before the next heading or the
// end: "References" and "Notes" once their lists are gone.
func withoutEmptySections(paras []string, headings []int) []string {
	isHeading := make(map[int]bool, len(headings))
	for _, i := range headings {
		isHeading[i] = true
	}
	var out []string
	for i, p := range paras {
		if isHeading[i] && (i+1 == len(paras) || isHeading[i+1]) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// classAttrs returns the current start tag's class attribute ("" without
// one) and whether the element is hidden: aria-hidden="true" (icons) or
// display:none in its style (a table's sort keys, the "[update]" note),
// reading its attributes.
func classAttrs(z *html.Tokenizer) (class string, hidden bool) {
	for {
		k, v, more := z.TagAttr()
		switch string(k) {
		case "class":
			class = string(v)
		case "aria-hidden":
			hidden = hidden || strings.EqualFold(strings.TrimSpace(string(v)), "true")
		case "style":
			hidden = hidden || displayNone(string(v))
		}
		if !more {
			return class, hidden
		}
	}
}

// displayNone reports whether a style attribute sets display: none.
func displayNone(style string) bool {
	for decl := range strings.SplitSeq(style, ";") {
		name, value, ok := strings.Cut(decl, ":")
		if ok && strings.EqualFold(strings.TrimSpace(name), "display") &&
			strings.EqualFold(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(value), "!important")), "none") {
			return true
		}
	}
	return false
}

func (s *pageScan) readMeta(attrs map[string]string) {
	key := strings.ToLower(strings.TrimSpace(attrs["property"]))
	if key == "" {
		key = strings.ToLower(strings.TrimSpace(attrs["name"]))
	}
	val := oneLine(attrs["content"])
	if val == "" {
		return
	}
	set := func(dst *string) {
		if *dst == "" {
			*dst = val
		}
	}
	switch key {
	case "og:site_name", "application-name":
		set(&s.siteName)
	case "og:title":
		set(&s.ogTitle)
	case "og:url":
		set(&s.ogURL)
	case "author", "article:author", "dc.creator":
		set(&s.author)
	case "article:published_time", "datepublished", "dc.date", "date":
		set(&s.published)
	}
}

func readAttrs(z *html.Tokenizer) map[string]string {
	m := make(map[string]string)
	for {
		k, v, more := z.TagAttr()
		if _, dup := m[string(k)]; !dup {
			m[string(k)] = string(v)
		}
		if !more {
			return m
		}
	}
}

// hasToken reports whether the space-separated list has tok (ASCII case-insensitively).
func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
