package trafilatura

// Tests of citebot's patches (see CITEBOT.md).

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/go-shiori/dom"
	"golang.org/x/net/html"
)

// TestPrunedElementKeepsTextInPlace: an element pruned from the middle of
// a paragraph leaves the text after it where it was.
func TestPrunedElementKeepsTextInPlace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, inline, want string
	}{
		{"hidden note first in the paragraph",
			`<sup class="noprint Inline-Template">[<i><a href="/help">citation needed</a></i>]</sup>`,
			"<p>Its first keeper logged 212 passing ships in its first year, and his logbooks are kept in the harbour archive.</p>"},
		{"hidden note after another element",
			`<b>early</b><sup style="display:none">[update]</sup>`,
			"<p>Its first keeper logged 212 passing ships in its first year,<b>early</b> and his logbooks are kept in the harbour archive.</p>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			page := `<html><head><title>Kestrel Bay lighthouse</title></head><body><article><h1>Kestrel Bay lighthouse</h1>` +
				`<p>The Kestrel Bay lighthouse is a stone tower on the north shore of the bay, first lit in 1894 and run without a keeper since 1962.</p>` +
				`<p>Its first keeper logged 212 passing ships in its first year,` + tt.inline + ` and his logbooks are kept in the harbour archive.</p>` +
				`<p>The light can be seen 18 nautical miles out to sea on a clear night, and the tower is open to visitors on summer weekends.</p>` +
				`</article></body></html>`
			doc, err := html.Parse(strings.NewReader(page))
			if err != nil {
				t.Fatal(err)
			}
			res, err := ExtractDocument(doc, Options{ExcludeComments: true, HtmlDateMode: Disabled})
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := html.Render(&b, res.ContentNode); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), tt.want) {
				t.Errorf("extracted\n%s\nwant it to hold\n%s", b.String(), tt.want)
			}
		})
	}
}

// TestWholeDivNotRepeated: a <div> kept whole as a paragraph is not also
// read piece by piece. Upstream, the text after each <br> inside it came
// out a second time as a paragraph of its own, and an inline element
// inside it was moved out after it.
func TestWholeDivNotRepeated(t *testing.T) {
	t.Parallel()
	const (
		mon = "The harbour council met on Monday to discuss the ferry timetable and the dredging of the inner basin."
		tue = "The harbour council met again on Tuesday and agreed to dredge the basin before the summer season."
		wed = "The ferry operator said on Wednesday that the new timetable would start on the first of June."
	)
	tests := []struct{ name, body string }{
		{"line breaks", "<div>" + mon + "<br>" + tue + "<br>" + wed + "</div>"},
		{"blank lines", "<div>" + mon + "<br><br>" + tue + "<br><br>" + wed + "</div>"},
		{"a div inside", "<div>" + mon + "<div>" + tue + "<br>" + wed + "</div></div>"},
		{"inline elements", "<div>" + mon + " <b>" + tue + "</b><br><i>" + wed + "</i></div>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc, err := html.Parse(strings.NewReader(`<html><head><title>Council</title></head><body><article>` + tt.body + `</article></body></html>`))
			if err != nil {
				t.Fatal(err)
			}
			res, err := ExtractDocument(doc, Options{ExcludeComments: true, HtmlDateMode: Disabled})
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(etreeText(res.ContentNode)), " ")
			at := -1
			for _, s := range []string{mon, tue, wed} {
				if n := strings.Count(text, s); n != 1 {
					t.Errorf("%q appears %d times in %q", s, n, text)
				}
				i := strings.Index(text, s)
				if i < at {
					t.Errorf("%q out of order in %q", s, text)
				}
				at = i
			}
		})
	}
}

// TestBlankLineKept: a line break followed by another inside a paragraph
// (a blank line, how many pages end a paragraph inside a <p>) is kept;
// upstream removed every line break with no text right after it, so the
// two became one and the paragraphs ran together. A single line break is
// kept as upstream, and a trailing one removed.
func TestBlankLineKept(t *testing.T) {
	t.Parallel()
	const (
		mon = "The harbour council met on Monday to discuss the ferry timetable and the dredging of the inner basin."
		tue = "The harbour council met again on Tuesday and agreed to dredge the basin before the summer season."
		wed = "The ferry operator said on Wednesday that the new timetable would start on the first of June."
	)
	tests := []struct {
		name, body string
		want       int // line breaks in the paragraph
	}{
		{"blank lines", "<p>" + mon + "<br><br>" + tue + "<br/><br/>" + wed + "</p>", 4},
		{"blank line with a space", "<p>" + mon + "<br> <br>" + tue + "</p>", 2},
		{"line break", "<p>" + mon + "<br>" + tue + "</p>", 1},
		{"trailing blank line", "<p>" + mon + "<br>" + tue + "<br><br></p>", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc, err := html.Parse(strings.NewReader(`<html><head><title>Council</title></head><body><article><h1>Council</h1>` + tt.body + `<p>` + wed + " " + mon + `</p></article></body></html>`))
			if err != nil {
				t.Fatal(err)
			}
			res, err := ExtractDocument(doc, Options{ExcludeComments: true, HtmlDateMode: Disabled})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			if err := html.Render(&b, res.ContentNode); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(b.String(), "<br/>"); n != tt.want {
				t.Errorf("%d line breaks, want %d, in %s", n, tt.want, b.String())
			}
		})
	}
}

// etreeText is the text of n and its descendants, with a space where an
// element starts or ends.
func etreeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			return
		}
		b.WriteByte(' ')
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		b.WriteByte(' ')
	}
	walk(n)
	return b.String()
}

// TestBaselineParagraphs: the baseline extraction (the last resort, for
// a page whose body the extractors find too little in) keeps an
// article's paragraphs apart, where upstream ran them into one text
// ("…the dredging.The work starts…"): an articleBody of JSON-LD in HTML
// or in plain text with blank lines, and an <article> element.
func TestBaselineParagraphs(t *testing.T) {
	t.Parallel()
	const (
		mon = "The harbour council met on Monday to discuss the ferry timetable and the dredging of the inner basin."
		tue = "The harbour council met again on Tuesday and agreed to dredge the basin before the summer season."
		wed = "The ferry operator said on Wednesday that the new timetable would start on the first of June."
	)
	tests := []struct{ name, page string }{
		{"JSON-LD in HTML", `<html><head><script type="application/ld+json">{"@type":"NewsArticle","articleBody":"<p>` + mon + `</p><p>` + tue + `</p><p>` + wed + `</p>"}</script></head><body></body></html>`},
		{"JSON-LD in plain text", `<html><head><script type="application/ld+json">{"@type":"NewsArticle","articleBody":"` + mon + `\n\n` + tue + `\n \n` + wed + `"}</script></head><body></body></html>`},
		{"article", `<html><body><article><h2>` + mon + `</h2><div>` + tue + `</div><p>` + wed + `</p></article></body></html>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc, err := html.Parse(strings.NewReader(tt.page))
			if err != nil {
				t.Fatal(err)
			}
			body, text := baseline(doc)
			var got []string
			for _, p := range dom.Children(body) {
				got = append(got, dom.TextContent(p))
			}
			if want := []string{mon, tue, wed}; !slices.Equal(got, want) {
				t.Errorf("paragraphs %q, want %q", got, want)
			}
			if want := mon + " " + tue + " " + wed; text != want {
				t.Errorf("text %q, want %q", text, want)
			}
		})
	}
}
