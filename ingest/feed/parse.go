// Package feed follows news feeds: it reads RSS 2.0, RSS 1.0 (RDF) and
// Atom documents (encoding/xml), finds the feed a web page announces,
// fetches feeds through ingest's guarded Fetcher with conditional
// requests, and polls the feeds kept in the retrieval store, handing each
// new item to an ingest function.
//
// The parser is the standard library's encoding/xml, not
// github.com/mmcdole/gofeed: the module proxy serves gofeed only from an
// earlier copy that is not an approved release, and the three formats need
// a few dozen lines of struct tags.
package feed

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"

	"github.com/citebot/citebot/ingest"
)

// ErrNotFeed: the document is not an RSS or Atom feed.
var ErrNotFeed = errors.New("not an RSS or Atom feed")

// Namespaces the parser tells apart.
const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsRDF     = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
)

// Formats of a Document.
const (
	RSS  = "rss"  // RSS 2.0 (and 0.9x)
	RDF  = "rdf"  // RSS 1.0
	Atom = "atom" // Atom 1.0
)

// Document is a parsed feed.
type Document struct {
	Format string // RSS, RDF or Atom
	Title  string
	Items  []Item // newest first (see Parse)
}

// Item is one entry of a feed.
type Item struct {
	GUID      string // the item's own ID (RSS guid, Atom id, RDF about); may be empty
	Link      string // the article's address, absolute; may be empty
	Title     string
	Author    string
	Published time.Time // zero when the feed gives no date it can be read from
	// Content is the item's own text, HTML or plain: its full content
	// (content:encoded, Atom content) when given, else its summary.
	Content string
}

// Key identifies the item within its feed, so a poll can tell new items
// from seen ones: its GUID, else its link, else a digest of its title and
// text.
func (it Item) Key() string {
	switch {
	case it.GUID != "":
		return "g:" + it.GUID
	case it.Link != "":
		return "l:" + it.Link
	}
	return "t:" + ingest.NewID("", it.Title, []string{it.Content})
}

// xmlLink is a <link>: RSS puts the address in its text, Atom in href.
type xmlLink struct {
	XMLName xml.Name
	Href    string `xml:"href,attr"`
	Rel     string `xml:"rel,attr"`
	Text    string `xml:",chardata"`
}

// xmlText is an element whose text may be nested markup (Atom's
// type="xhtml" content), kept whole.
type xmlText struct {
	Type  string `xml:"type,attr"`
	Inner string `xml:",innerxml"`
	Text  string `xml:",chardata"`
}

type rssItem struct {
	About       string    `xml:"http://www.w3.org/1999/02/22-rdf-syntax-ns# about,attr"`
	Title       string    `xml:"title"`
	Links       []xmlLink `xml:"link"`
	GUID        string    `xml:"guid"`
	Description string    `xml:"description"`
	Encoded     string    `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
	PubDate     string    `xml:"pubDate"`
	DCDate      string    `xml:"http://purl.org/dc/elements/1.1/ date"`
	Author      string    `xml:"author"`
	Creator     string    `xml:"http://purl.org/dc/elements/1.1/ creator"`
}

type rssDoc struct {
	Channel struct {
		Title string    `xml:"title"`
		Items []rssItem `xml:"item"`
	} `xml:"channel"`
	// RSS 1.0 puts the items beside the channel.
	Items []rssItem `xml:"item"`
}

type atomEntry struct {
	ID        string    `xml:"id"`
	Title     xmlText   `xml:"title"`
	Links     []xmlLink `xml:"link"`
	Published string    `xml:"published"`
	Updated   string    `xml:"updated"`
	Author    []string  `xml:"author>name"`
	Summary   xmlText   `xml:"summary"`
	Content   xmlText   `xml:"content"`
}

type atomDoc struct {
	Title   xmlText     `xml:"title"`
	Entries []atomEntry `xml:"entry"`
}

// Parse reads an RSS 2.0, RSS 1.0 or Atom document. base is the address
// it was fetched from: relative item links are resolved against it, and
// links that are not http(s) are dropped. Titles and authors lose
// invisible format characters (ingest.CleanLabel). Items come newest
// first: sorted by date when every item has one, else in the document's
// order (feeds list their newest first). A document that is not XML or
// whose root is not rss, rdf:RDF or an Atom feed is an error wrapping
// ErrNotFeed. Any input is handled without panicking, in time linear in
// its size.
func Parse(data []byte, base string) (Document, error) {
	root, err := rootElement(data)
	if err != nil {
		return Document{}, fmt.Errorf("parse feed %s: %w: %w", base, ErrNotFeed, err)
	}
	var doc Document
	switch {
	case root.Local == "rss":
		doc, err = parseRSS(data, RSS)
	case root.Local == "RDF" && root.Space == nsRDF:
		doc, err = parseRSS(data, RDF)
	case root.Local == "feed" && root.Space == nsAtom:
		doc, err = parseAtom(data)
	default:
		return Document{}, fmt.Errorf("parse feed %s: %w: the document is <%s>", base, ErrNotFeed, root.Local)
	}
	if err != nil {
		return Document{}, fmt.Errorf("parse feed %s: %w: %w", base, ErrNotFeed, err)
	}
	baseURL, _ := url.Parse(base)
	doc.Title = ingest.CleanLabel(doc.Title)
	for i := range doc.Items {
		it := &doc.Items[i]
		it.Title = ingest.CleanLabel(it.Title)
		it.Author = ingest.CleanLabel(it.Author)
		it.GUID = strings.TrimSpace(it.GUID)
		it.Link = absolute(baseURL, it.Link)
		it.Content = strings.TrimSpace(it.Content)
	}
	if !slices.ContainsFunc(doc.Items, func(it Item) bool { return it.Published.IsZero() }) {
		slices.SortStableFunc(doc.Items, func(a, b Item) int { return b.Published.Compare(a.Published) })
	}
	return doc, nil
}

// newDecoder reads XML leniently, as feeds in the wild need: HTML
// entities (&nbsp;), stray ampersands, and any declared charset. (Not
// xml.HTMLAutoClose: it would take RSS's <link>…</link> for HTML's empty
// <link>.)
func newDecoder(data []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		return charset.NewReaderLabel(label, r)
	}
	return d
}

// rootElement returns the name of the document's first element.
func rootElement(data []byte) (xml.Name, error) {
	d := newDecoder(data)
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return xml.Name{}, errors.New("no XML element")
			}
			return xml.Name{}, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name, nil
		}
	}
}

func parseRSS(data []byte, format string) (Document, error) {
	var r rssDoc
	if err := newDecoder(data).Decode(&r); err != nil {
		return Document{}, err
	}
	doc := Document{Format: format, Title: rssTitle(r.Channel.Title)}
	for _, it := range append(r.Channel.Items, r.Items...) {
		link := ""
		for _, l := range it.Links {
			if l.XMLName.Space != nsAtom && strings.TrimSpace(l.Text) != "" {
				link = l.Text
				break
			}
		}
		doc.Items = append(doc.Items, Item{
			GUID:      firstOf(it.GUID, it.About),
			Link:      link,
			Title:     rssTitle(it.Title),
			Author:    firstOf(it.Creator, it.Author),
			Published: parseDate(firstOf(it.PubDate, it.DCDate)),
			Content:   firstOf(it.Encoded, it.Description),
		})
	}
	return doc, nil
}

func parseAtom(data []byte) (Document, error) {
	var a atomDoc
	if err := newDecoder(data).Decode(&a); err != nil {
		return Document{}, err
	}
	doc := Document{Format: Atom, Title: a.Title.plain()}
	for _, e := range a.Entries {
		link := ""
		for _, l := range e.Links {
			if l.Rel == "" || l.Rel == "alternate" {
				link = l.Href
				break
			}
		}
		author := ""
		if len(e.Author) > 0 {
			author = e.Author[0]
		}
		doc.Items = append(doc.Items, Item{
			GUID:      e.ID,
			Link:      link,
			Title:     e.Title.plain(),
			Author:    author,
			Published: parseDate(firstOf(e.Published, e.Updated)),
			Content:   firstOf(e.Content.markup(), e.Summary.markup()),
		})
	}
	return doc, nil
}

// plain is the text of an Atom text construct used as a label: an xhtml
// one's text, an html one's (escaped markup, as in type="html") without its
// tags and character references, a text one as it is.
func (t xmlText) plain() string {
	switch t.Type {
	case "xhtml":
		return stripTags(t.Inner)
	case "html", "text/html": // text/html: Atom 0.3
		return htmlText(t.Text)
	}
	return t.Text
}

// htmlText is the text of a fragment of HTML.
func htmlText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			b.Write(z.Text())
		}
	}
}

// markup is an Atom text construct as HTML: an xhtml one's inner markup, a
// type="text" one's text escaped (its "<b>" is text, not a tag), one
// paragraph per blank-line-separated block; else its (unescaped) text,
// which is HTML for type="html" and, leniently, for feeds that give no
// type (the default is text, but feeds that omit it mostly send HTML).
func (t xmlText) markup() string {
	switch t.Type {
	case "xhtml":
		return t.Inner
	case "text":
		return textAsHTML(t.Text)
	}
	return t.Text
}

// blankLine separates the paragraphs of plain text.
var blankLine = regexp.MustCompile(`\n[ \t\r]*\n`)

// textAsHTML is plain text as HTML: each blank-line-separated block a
// paragraph, its characters escaped.
func textAsHTML(s string) string {
	var b strings.Builder
	for _, p := range blankLine.Split(s, -1) {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
		}
	}
	return b.String()
}

// rssTitle is an RSS title as text. RSS 2.0 says titles are plain text, but
// feeds often put entity-encoded HTML in them ("&lt;b&gt;Live&lt;/b&gt;",
// "AT&amp;amp;T"), which would show as tags and references: a title
// holding a tag or a character reference is read as HTML.
func rssTitle(s string) string {
	if htmlMarkup.MatchString(s) {
		return htmlText(s)
	}
	return s
}

// htmlMarkup matches a tag or a character reference.
var htmlMarkup = regexp.MustCompile(`</?[A-Za-z][^<>]*>|&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);`)

// stripTags turns a fragment of XHTML into its text.
func stripTags(s string) string {
	d := newDecoder([]byte("<x>" + s + "</x>"))
	var b strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return b.String()
		}
		if cd, ok := tok.(xml.CharData); ok {
			b.Write(cd)
		}
	}
}

// absolute resolves link against base and keeps it only when it is an
// http(s) address.
func absolute(base *url.URL, link string) string {
	link = strings.TrimSpace(link)
	if link == "" {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// dateLayouts are the date forms feeds use: RFC 822 and its many
// variants in RSS (with or without the day's name, which parseDate drops,
// seconds, a four-digit year; a full month name; a numeric or named zone),
// RFC 3339 in Atom and Dublin Core (with or without the offset's colon).
var dateLayouts = func() []string {
	var l []string
	for _, day := range []string{"2 Jan 2006", "2 January 2006", "2 Jan 06"} {
		for _, clock := range []string{"15:04:05", "15:04"} {
			for _, zone := range []string{" -0700", " -07:00", " MST", ""} {
				l = append(l, day+" "+clock+zone)
			}
		}
	}
	return append(l, time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02")
}()

// rfc822Zones are the zone names RFC 822 defines, and those news feeds of
// Europe, India, East Asia and Australia use although RFC 822 does not.
// time.Parse knows a named zone only when it is the local one and reads
// the others as UTC, so an item dated "08:30:00 EST" would be five hours
// early and one dated "08:30:00 CET" an hour late. IST is read as India's
// (+0530), the zone of the feeds that use it most, not Ireland's or
// Israel's; a name not listed is still read as UTC.
var rfc822Zones = strings.NewReplacer(" UT", " +0000", " GMT", " +0000", " Z", " +0000",
	" EST", " -0500", " EDT", " -0400", " CST", " -0600", " CDT", " -0500",
	" MST", " -0700", " MDT", " -0600", " PST", " -0800", " PDT", " -0700",
	" WET", " +0000", " WEST", " +0100", " BST", " +0100", " CET", " +0100", " CEST", " +0200",
	" EET", " +0200", " EEST", " +0300", " MSK", " +0300", " IST", " +0530",
	" HKT", " +0800", " SGT", " +0800", " JST", " +0900", " KST", " +0900",
	" AEST", " +1000", " AEDT", " +1100", " NZST", " +1200", " NZDT", " +1300")

// parseDate reads a feed date, or returns the zero time.
func parseDate(s string) time.Time {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return time.Time{}
	}
	// The day's name, abbreviated or not, says nothing the date does not.
	if name, rest, ok := strings.Cut(s, ", "); ok && strings.IndexFunc(name, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
		s = rest
	}
	if i := strings.LastIndexByte(s, ' '); i > 0 {
		if z := rfc822Zones.Replace(s[i:]); z != s[i:] && len(z) == len(" +0000") {
			s = s[:i] + z
		}
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
