package ingest

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/markusmobius/go-htmldate"
	trafilatura "github.com/markusmobius/go-trafilatura"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// ErrNoArticle means a page has no article text worth ingesting: a login
// wall, a JavaScript-only application, an index page, an empty document.
// It also matches ErrEmpty.
var ErrNoArticle error = noArticleError{}

type noArticleError struct{}

func (noArticleError) Error() string { return "no article text found" }
func (noArticleError) Unwrap() error { return ErrEmpty }

// Limits of the tree-based extractor. Its cost grows much faster than
// linearly with nesting depth (measured: 1,000 nested <div> take 0.3 s,
// 10,000 take a minute) and with element count (50,000 elements take 4 s),
// and building the tree itself is quadratic in depth. go-trafilatura also
// concatenates the text of every <p> one at a time, so its time and garbage
// grow with paragraphs × text: 29,000 paragraphs of 10 MB took 28 s and
// 806 MB, 8,000 of 2.9 MB 6.5 s. Its memory is about twenty times the
// page's text. Pages past these limits, which real articles are far from
// (a long read has a few hundred paragraphs and 100 KB of text), get the
// linear visible-text extraction instead.
const (
	maxTreeDepth    = 256
	maxTreeElements = 30000
	maxTreeText     = 1 << 20 // bytes of visible text
	maxTreeWork     = 1 << 30 // <p> elements × bytes of visible text
	// minArticleWords is the least text a fetched page must yield to count
	// as an article; paywalls and app shells yield a dozen or two.
	minArticleWords = 40
)

// extractHTML turns an HTML document into an Article: the main text
// without navigation, ads, related links, cookie banners, comments or
// footers (go-trafilatura with its readability fallbacks), one paragraph per
// block, and the title, site name (Source), author, publication date,
// language and canonical URL when the page states them.
//
// pageURL is the address the page was fetched from (after redirects), or ""
// for a local file; contentType is the Content-Type header the page was
// served with ("" for a file), which may name its character set. Article.URL
// is the page's canonical URL when it declares one on the same site, else
// pageURL. A fetched page that yields less than a short article's worth of
// text is refused; a local file falls back to its visible text. Without any
// text the error wraps ErrNoArticle and is a *PageError. Any input, however
// large or deeply nested, is handled in time roughly linear in its size.
// Safe for concurrent use.
func extractHTML(data []byte, pageURL, contentType string) (Article, error) {
	return extractPage(context.Background(), data, pageURL, contentType)
}

// extractPage is extractHTML that gives up with ctx's error (as a
// *PageError) when ctx ends first.
func extractPage(ctx context.Context, data []byte, pageURL, contentType string) (Article, error) {
	where := pageURL
	if where == "" {
		where = "the HTML document"
	}
	data = toUTF8(data, contentType)
	scan := scanHTML(ctx, data)
	stopped := func() error {
		if ctx.Err() == nil {
			return nil
		}
		return &PageError{URL: pageURL, Err: fmt.Errorf("extract %s: %w", where, context.Cause(ctx))}
	}
	if err := stopped(); err != nil {
		return Article{}, err
	}

	var (
		a     Article
		words int
	)
	small := scan.maxDepth <= maxTreeDepth && scan.elements <= maxTreeElements &&
		scan.textBytes <= maxTreeText && int64(scan.paragraphs)*int64(scan.textBytes) <= maxTreeWork
	if small {
		a = extractTree(data, pageURL)
		words = wordCount(a.Paragraphs)
		if err := stopped(); err != nil {
			return Article{}, err
		}
	}
	// Fetched pages trust the extractor (and its readability and
	// boilerplate-aware fallbacks): a short result means no article, and
	// the raw visible text would be cookie banners and menus. A local file
	// is the operator's own document, often plain HTML with a few
	// paragraphs, where the extractor's last resort runs the title and all
	// text together, so its visible text (without scripts, navigation and
	// buttons) is used instead when the extractor finds little. Pages too
	// large or deep for the tree take the visible text.
	if (!small || pageURL == "") && words < minArticleWords {
		if v := scanArticle(scan); wordCount(v.Paragraphs) > 0 {
			a, words = v, wordCount(v.Paragraphs)
		}
	}
	finishArticle(&a, scan, pageURL)
	if len(a.Paragraphs) == 0 || (pageURL != "" && words < minArticleWords) {
		return Article{}, &PageError{URL: pageURL, Err: fmt.Errorf("%w at %s", ErrNoArticle, where)}
	}
	return a, nil
}

// extractTree runs go-trafilatura (with its readability and dom-distiller
// fallbacks) and keeps the main text one paragraph per block.
func extractTree(data []byte, pageURL string) Article {
	doc, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		return Article{}
	}
	removeWikiFurniture(doc)
	opts := trafilatura.Options{
		EnableFallback:  true,
		ExcludeComments: true,
		// Publication dates come from htmldate below, where guesses
		// from a copyright line can be told apart.
		HtmlDateMode: trafilatura.Disabled,
	}
	if u, err := url.Parse(pageURL); err == nil && pageURL != "" {
		opts.OriginalURL = u
	}
	res, err := trafilatura.ExtractDocument(doc, opts)
	if err != nil || res == nil || res.ContentNode == nil {
		return Article{}
	}
	var pb paragraphBuilder
	nodeParagraphs(res.ContentNode, &pb)
	md := res.Metadata
	return Article{
		Title:      oneLine(md.Title),
		Source:     oneLine(md.Sitename),
		Author:     oneLine(md.Author),
		Language:   md.Language,
		Published:  publishedDate(doc, pageURL),
		Paragraphs: pb.paragraphs(),
	}
}

// removeWikiFurniture removes from doc what MediaWiki (Wikipedia, Fandom
// and other wikis) puts around an article's text by class: the "[edit]"
// link after every section heading (mw-editsection), which would be read
// as part of the heading ("History[edit]"); the table of contents (toc);
// the list of references (reflist, mw-references-wrap, ol.references),
// whose bibliography entries would be searched and quoted like the
// article's sentences; and the navigation boxes (navbox). A page without
// those classes is untouched.
func removeWikiFurniture(doc *html.Node) {
	var found []*html.Node
	stack := []*html.Node{doc}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Type == html.ElementNode && wikiFurniture(n) {
			found = append(found, n)
			continue
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			stack = append(stack, c)
		}
	}
	for _, n := range found {
		n.Parent.RemoveChild(n)
	}
}

func wikiFurniture(n *html.Node) bool {
	return wikiFurnitureClass(n.DataAtom, attr(n, "class"))
}

// wikiFurnitureClass reports whether an element a with the class list
// class is MediaWiki furniture (see removeWikiFurniture).
func wikiFurnitureClass(a atom.Atom, class string) bool {
	if class == "" {
		return false
	}
	for _, c := range []string{"mw-editsection", "toc", "reflist", "mw-references-wrap", "navbox"} {
		if hasToken(class, c) {
			return true
		}
	}
	return a == atom.Ol && hasToken(class, "references")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// nodeParagraphs walks extracted content depth-first with an explicit
// stack, so no input can exhaust the goroutine stack.
func nodeParagraphs(root *html.Node, pb *paragraphBuilder) {
	type step struct {
		n    *html.Node
		exit bool
	}
	stack := []step{{n: root}}
	for len(stack) > 0 {
		st := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := st.n
		tag := n.DataAtom
		if tag == 0 && n.Type == html.ElementNode {
			tag = atom.Lookup([]byte(n.Data)) // nodes built by the extractor
		}
		if st.exit {
			switch {
			case isBlock(tag):
				pb.flush()
			case tag == atom.Td || tag == atom.Th:
				pb.space()
			}
			continue
		}
		switch n.Type {
		case html.TextNode:
			pb.text(n.Data)
			continue
		case html.ElementNode:
			if tag == atom.Br {
				pb.lineBreak()
				continue
			}
			if isHidden(tag) && tag != atom.Nav {
				continue
			}
			if isBlock(tag) {
				pb.flush()
			}
		}
		stack = append(stack, step{n: n, exit: true})
		var kids []*html.Node
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			kids = append(kids, c)
		}
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, step{n: kids[i]})
		}
	}
}

// scanArticle builds an Article from the tokenizer's visible text and head
// metadata, for pages the tree extractor is not run on or finds nothing in.
func scanArticle(s pageScan) Article {
	a := Article{
		Title:      s.ogTitle,
		Source:     s.siteName,
		Author:     s.author,
		Language:   s.lang,
		Paragraphs: s.visible,
	}
	if a.Title == "" {
		a.Title = s.title
	}
	a.Title = withoutSiteSuffix(a.Title, s.siteName, oneLine(s.h1))
	a.Published = parseDate(s.published)
	return a
}

// withoutSiteSuffix returns a page's title without the site's name that
// pages append to it ("Kestrel Bay lighthouse - Bay Wiki"): the part after
// the last " - ", " | ", " – ", " — " or " · " when it is the site's name,
// or when what comes before it is the page's <h1>. The tree extractor's
// metadata does the same.
func withoutSiteSuffix(title, site, h1 string) string {
	for _, sep := range []string{" - ", " | ", " – ", " — ", " · "} {
		i := strings.LastIndex(title, sep)
		if i <= 0 {
			continue
		}
		head, tail := strings.TrimSpace(title[:i]), strings.TrimSpace(title[i+len(sep):])
		if (site != "" && strings.EqualFold(tail, site)) || (h1 != "" && head == h1) {
			return head
		}
	}
	return title
}

// finishArticle fills what every extraction path shares: a title, the
// canonical URL and the ID, and drops the title from the body.
func finishArticle(a *Article, s pageScan, pageURL string) {
	if a.Title == "" {
		a.Title = firstNonEmpty(s.ogTitle, s.title, s.h1)
	}
	if a.Source == "" {
		a.Source = s.siteName
	}
	if a.Language == "" {
		a.Language = s.lang
	}
	if a.Published.IsZero() {
		a.Published = parseDate(s.published)
	}
	a.Title, a.Source, a.Author = cleanLabel(a.Title), cleanLabel(a.Source), cleanLabel(a.Author)
	for len(a.Paragraphs) > 0 && normalise(a.Paragraphs[0]) == normalise(a.Title) {
		a.Paragraphs = a.Paragraphs[1:]
	}
	if a.Title == "" && len(a.Paragraphs) > 0 {
		a.Title = shortTitle(a.Paragraphs[0])
	}
	a.URL = canonicalURL(firstNonEmpty(s.canonical, s.ogURL), cleanURL(pageURL))
	a.ID = NewID(a.URL, a.Title, a.Paragraphs)
}

// canonicalURL returns the page's declared canonical address when it is an
// absolute http(s) URL without login details (relative ones resolve against
// pageURL) on the same site as pageURL (see sameSite), else pageURL; either
// way in its cleanURL form. The site check stops a page from claiming
// another site's article, which would let re-ingesting it replace that
// article. A local file (pageURL "") keeps any absolute one.
func canonicalURL(declared, pageURL string) string {
	if declared == "" {
		return pageURL
	}
	c, err := url.Parse(declared)
	if err != nil {
		return pageURL
	}
	if pageURL != "" {
		base, err := url.Parse(pageURL)
		if err != nil {
			return pageURL
		}
		c = base.ResolveReference(c)
		if !sameSite(c.Hostname(), base.Hostname()) {
			return pageURL
		}
	}
	if (c.Scheme != "http" && c.Scheme != "https") || c.Host == "" || c.User != nil {
		return pageURL
	}
	return cleanParsedURL(c)
}

// publishedDate asks htmldate for the original publication date, from
// metadata and markup only (no slow free-text search), and ignores a date
// it could only infer from a copyright line, which is not a publication date.
func publishedDate(doc *html.Node, pageURL string) time.Time {
	res, err := htmldate.FromDocument(doc, htmldate.Options{UseOriginalDate: true, SkipExtensiveSearch: true, URL: pageURL})
	if err != nil || res.IsZero() {
		return time.Time{}
	}
	src := strings.ToLower(res.SrcString)
	if strings.Contains(src, "©") || strings.Contains(src, "&copy") || strings.Contains(src, "copyright") || strings.Contains(src, "(c)") {
		return time.Time{}
	}
	return res.DateTime
}

// toUTF8 decodes data to valid UTF-8 using, in order, a byte order mark,
// the charset in contentType, a <meta> declaration, else windows-1252 (the
// web's default for pages that declare nothing). Bytes that are valid UTF-8
// are kept when only a <meta> tag, or nothing, claims otherwise. Bytes that
// are not valid UTF-8 although labelled or guessed so are read as UTF-8,
// their bad bytes replaced with U+FFFD, when they are mostly UTF-8 (a stray
// windows-1252 quote in a UTF-8 page); else the label is wrong (a server
// that calls every page UTF-8), and they are read as the page's own <meta>
// charset, or windows-1252 when it names none but UTF-8.
func toUTF8(data []byte, contentType string) []byte {
	enc, name, certain := charset.DetermineEncoding(data, contentType)
	if name == "utf-8" || !certain {
		body := bytes.TrimPrefix(data, utf8BOM)
		if utf8.Valid(body) {
			return body
		}
		if mostlyUTF8(body) || bytes.HasPrefix(data, utf8BOM) {
			return bytes.ToValidUTF8(body, []byte("\uFFFD"))
		}
		if name == "utf-8" {
			if enc, name, _ = charset.DetermineEncoding(data, ""); name == "utf-8" {
				enc = charmap.Windows1252
			}
		}
	}
	out, _, err := transform.Bytes(enc.NewDecoder(), data)
	if err != nil {
		out = data
	}
	return bytes.ToValidUTF8(bytes.TrimPrefix(out, utf8BOM), []byte("\uFFFD"))
}

var utf8BOM = []byte("\xef\xbb\xbf")

func wordCount(paras []string) int {
	n := 0
	for _, p := range paras {
		n += len(strings.Fields(p))
	}
	return n
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
