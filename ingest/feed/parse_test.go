package feed

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const base = "http://news.example/feeds/"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseFormats(t *testing.T) {
	t.Parallel()
	date := func(s string) time.Time {
		d, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return d.UTC()
	}
	tests := []struct {
		file, format, title string
		want                []Item // Content checked by prefix
	}{
		{"rss2.xml", RSS, "Brackwater Courier", []Item{
			{GUID: "courier-2024-0412", Link: "http://news.example/story/late-frost", Title: "Orchard growers brace for a late frost",
				Author: "Ines Halloran", Published: date("2024-04-12T07:30:00Z"), Content: "Growers in the upper valley"},
			{GUID: "courier-2024-0410", Link: "http://news.example/story/gone-ferry-spring", Title: "Ferry timetable changes for spring",
				Published: date("2024-04-10T16:05:00Z"), Content: "<p>The Brackwater ferry adds two evening crossings from the first of May"},
			{Link: "http://localhost:9/story/library-hours", Title: "Library extends weekend hours",
				Published: date("2024-04-08T09:00:00Z"), Content: "The central library"},
		}},
		{"rss1.rdf", RDF, "Tern Island Bulletin", []Item{ // sorted newest first
			{GUID: "urn:bulletin:ospreys", Link: "http://news.example/story/ospreys", Title: "Ospreys return to the north cliffs",
				Published: date("2024-05-03T17:45:00Z"), Content: "Volunteers counted"},
			{GUID: "urn:bulletin:causeway", Link: "http://news.example/story/causeway", Title: "Causeway closed for resurfacing",
				Author: "Island Council", Published: date("2024-05-02T05:00:00Z"), Content: "The causeway will close"},
		}},
		{"atom.xml", Atom, "Kestrel Valley Observer", []Item{
			{GUID: "tag:observer.example,2024:heat", Link: "http://news.example/story/heat-warning", Title: "Heat warning for Thursday",
				Published: date("2024-06-20T08:15:00Z"), Content: "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Forecasters expect"},
			{GUID: "tag:observer.example,2024:cycle-path", Link: "http://news.example/story/cycle-path", Title: "Council approves the riverside cycle path",
				Author: "Tomasz Reyes", Published: date("2024-06-19T10:00:00Z"), Content: "The path will run four kilometres"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			doc, err := Parse(readFixture(t, tt.file), base+tt.file)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if doc.Format != tt.format || doc.Title != tt.title {
				t.Errorf("format %q title %q, want %q %q", doc.Format, doc.Title, tt.format, tt.title)
			}
			if len(doc.Items) != len(tt.want) {
				t.Fatalf("%d items, want %d: %+v", len(doc.Items), len(tt.want), doc.Items)
			}
			for i, w := range tt.want {
				got := doc.Items[i]
				if !strings.HasPrefix(got.Content, w.Content) {
					t.Errorf("item %d content %q, want it to start %q", i, got.Content, w.Content)
				}
				got.Content, w.Content = "", ""
				if got != w {
					t.Errorf("item %d:\n got %+v\nwant %+v", i, got, w)
				}
			}
		})
	}
}

func TestParseRefusesWhatIsNotAFeed(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"empty":      "",
		"html page":  "<!doctype html><html><head><title>x</title></head><body><p>hello</p></body></html>",
		"other xml":  `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>`,
		"atom-named": `<feed><entry><title>no namespace</title></entry></feed>`,
		"json":       `{"version": "https://jsonfeed.org/version/1.1", "items": []}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if d, err := Parse([]byte(doc), base); !errors.Is(err, ErrNotFeed) {
				t.Errorf("Parse = %+v, %v; want ErrNotFeed", d, err)
			}
		})
	}
}

func TestParseLeniently(t *testing.T) {
	t.Parallel()
	latin1 := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><title>Caf\xe9 news</title>" +
		"<item><title>Cr\xe8me</title><link>javascript:alert(1)</link><guid>a</guid><pubDate>not a date</pubDate></item></channel></rss>"
	doc, err := Parse([]byte(latin1), base)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "Café news" || len(doc.Items) != 1 || doc.Items[0].Title != "Crème" {
		t.Fatalf("charset not honoured: %+v", doc)
	}
	if it := doc.Items[0]; it.Link != "" || !it.Published.IsZero() {
		t.Errorf("a javascript: link and an unreadable date must be dropped: %+v", it)
	}
}

// TestParseAtomTitleTypes checks that an Atom title of type="html" (markup
// escaped in the XML) shows as text, not as tags and entities, like the
// xhtml and text types.
func TestParseAtomTitleTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, title, want string
	}{
		{"html", `<title type="html">Fares &lt;em&gt;rise&lt;/em&gt; &amp;amp; ferries slow</title>`, "Fares rise & ferries slow"},
		{"html with a character reference", `<title type="html">Ferry&amp;#8217;s last run &amp;lt;today&amp;gt;</title>`, "Ferry’s last run <today>"},
		{"Atom 0.3 text/html", `<title type="text/html">&lt;b&gt;Bridge&lt;/b&gt; closed</title>`, "Bridge closed"},
		{"xhtml", `<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Bridge <b>closed</b></div></title>`, "Bridge closed"},
		{"text keeps angle brackets", `<title type="text">Why 3 &lt; 4 &lt;b&gt; matters</title>`, "Why 3 < 4 <b> matters"},
		{"no type is text", `<title>Tides &amp; times</title>`, "Tides & times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := `<feed xmlns="http://www.w3.org/2005/Atom">` + tt.title + `<entry><id>a</id>` + tt.title + `</entry></feed>`
			d, err := Parse([]byte(doc), base)
			if err != nil || len(d.Items) != 1 {
				t.Fatalf("Parse: %+v, %v", d, err)
			}
			if d.Title != tt.want || d.Items[0].Title != tt.want {
				t.Errorf("feed title %q, item title %q, want %q", d.Title, d.Items[0].Title, tt.want)
			}
		})
	}
}

// TestParseRSSTitleMarkup checks that HTML that feeds put in RSS titles,
// though RSS 2.0 says they are plain text, shows as its text, and that a
// title without markup is kept as it is.
func TestParseRSSTitleMarkup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, title, want string
	}{
		{"tags", `&lt;b&gt;Live:&lt;/b&gt; ferry strike`, "Live: ferry strike"},
		{"a double-encoded ampersand", `AT&amp;amp;T buys a ferry line`, "AT&T buys a ferry line"},
		{"a numeric reference", `Ferry&amp;#8217;s last run`, "Ferry’s last run"},
		{"a plain ampersand", `Tides &amp; times`, "Tides & times"},
		{"a plain less-than", `Why 3 &lt; 4 matters`, "Why 3 < 4 matters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := `<rss><channel><title>` + tt.title + `</title><item><guid>a</guid><title>` + tt.title + `</title></item></channel></rss>`
			d, err := Parse([]byte(doc), base)
			if err != nil || len(d.Items) != 1 {
				t.Fatalf("Parse: %+v, %v", d, err)
			}
			if d.Title != tt.want || d.Items[0].Title != tt.want {
				t.Errorf("feed title %q, item title %q, want %q", d.Title, d.Items[0].Title, tt.want)
			}
		})
	}
}

// TestParseAtomContentTypes checks that an Atom entry's content of
// type="text" reaches the article as text: its angle brackets are no
// tags, its blank lines part paragraphs. type="html" and content without a
// type are read as HTML.
func TestParseAtomContentTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, content string
		want          []string // the article's paragraphs
	}{
		{"text", `<content type="text">Fares rise &lt;b&gt;again&lt;/b&gt; as 3 &lt; 4 routes run.

The council meets &amp; votes on Monday.</content>`,
			[]string{"Fares rise <b>again</b> as 3 < 4 routes run.", "The council meets & votes on Monday."}},
		{"html", `<content type="html">&lt;p&gt;Fares rise &lt;b&gt;again&lt;/b&gt; on every route.&lt;/p&gt;&lt;p&gt;The council votes on Monday.&lt;/p&gt;</content>`,
			[]string{"Fares rise again on every route.", "The council votes on Monday."}},
		{"no type", `<content>&lt;p&gt;Fares rise &lt;b&gt;again&lt;/b&gt; on every route.&lt;/p&gt;</content>`,
			[]string{"Fares rise again on every route."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>a</id><title>Fares</title>` + tt.content + `</entry></feed>`
			d, err := Parse([]byte(doc), base)
			if err != nil || len(d.Items) != 1 {
				t.Fatalf("Parse: %+v, %v", d, err)
			}
			a, err := itemArticle(base, "Transit", d.Items[0])
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a.Paragraphs, tt.want) {
				t.Errorf("paragraphs %q, want %q", a.Paragraphs, tt.want)
			}
		})
	}
}

// TestParseFeedDates checks item dates in the forms feeds really use:
// RFC 822's named American zones at their offsets (not read as UTC), full
// day and month names, no day name, no seconds, two-digit years and
// offsets with a colon, in RSS and in Atom.
func TestParseFeedDates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		date string
		want string // RFC 3339 in UTC; "" for unknown
	}{
		{"Fri, 14 Feb 2025 08:30:00 GMT", "2025-02-14T08:30:00Z"},
		{"Fri, 14 Feb 2025 08:30:00 +0100", "2025-02-14T07:30:00Z"},
		{"Wed, 12 Feb 2025 08:30:00 EST", "2025-02-12T13:30:00Z"},
		{"Wed, 12 Jun 2025 08:30:00 PDT", "2025-06-12T15:30:00Z"},
		{"Mon, 10 Feb 2025 08:30:00 UT", "2025-02-10T08:30:00Z"},
		{"Mon, 10 Feb 2025 08:30:00 CET", "2025-02-10T07:30:00Z"},
		{"Tue, 10 Jun 2025 08:30:00 CEST", "2025-06-10T06:30:00Z"},
		{"Tue, 10 Jun 2025 08:30:00 BST", "2025-06-10T07:30:00Z"},
		{"Mon, 10 Feb 2025 08:30:00 IST", "2025-02-10T03:00:00Z"},
		{"Mon, 10 Feb 2025 08:30:00 JST", "2025-02-09T23:30:00Z"},
		{"Mon, 10 Feb 2025 08:30:00 AEDT", "2025-02-09T21:30:00Z"},
		{"Thursday, 13 February 2025 08:30:00 GMT", "2025-02-13T08:30:00Z"},
		{"Mon, 10 February 2025 08:30:00 GMT", "2025-02-10T08:30:00Z"},
		{"10 Feb 2025 08:30 GMT", "2025-02-10T08:30:00Z"},
		{"Mon, 10 Feb 25 08:30:00 GMT", "2025-02-10T08:30:00Z"},
		{"Mon, 10 Feb 2025 08:30:00 +01:00", "2025-02-10T07:30:00Z"},
		{"Tue, 11 Feb 2025 8:30 +0100", "2025-02-11T07:30:00Z"},
		{"2025-02-11T08:30:00.000+0100", "2025-02-11T07:30:00Z"},
		{"2025-02-11T08:30:00+01:00", "2025-02-11T07:30:00Z"},
		{"2025-02-11", "2025-02-11T00:00:00Z"},
		{"last Tuesday", ""},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			t.Parallel()
			for _, doc := range []string{
				"<rss><channel><item><guid>a</guid><pubDate>" + tt.date + "</pubDate></item></channel></rss>",
				`<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>a</id><updated>` + tt.date + "</updated></entry></feed>",
			} {
				d, err := Parse([]byte(doc), base)
				if err != nil || len(d.Items) != 1 {
					t.Fatalf("Parse: %+v, %v", d, err)
				}
				got := ""
				if p := d.Items[0].Published; !p.IsZero() {
					got = p.Format(time.RFC3339)
				}
				if got != tt.want {
					t.Errorf("%s: published %q, want %q", d.Format, got, tt.want)
				}
			}
		})
	}
}

func TestItemKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		it   Item
		want string
	}{
		{Item{GUID: "g1", Link: "http://a/1", Title: "t"}, "g:g1"},
		{Item{Link: "http://a/1", Title: "t"}, "l:http://a/1"},
	}
	for _, tt := range tests {
		if got := tt.it.Key(); got != tt.want {
			t.Errorf("Key(%+v) = %q, want %q", tt.it, got, tt.want)
		}
	}
	a, b := Item{Title: "one", Content: "x"}, Item{Title: "two", Content: "x"}
	if a.Key() == b.Key() || !strings.HasPrefix(a.Key(), "t:") {
		t.Errorf("items without GUID or link: keys %q and %q must differ", a.Key(), b.Key())
	}
}

func TestDiscover(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, page, want string
	}{
		{"atom preferred, relative href", string(readFixture(t, "page.html")), "http://news.example/feeds/atom.xml"},
		{"rss only", `<head><link rel="alternate" type="application/rss+xml; charset=utf-8" href="/r.xml"></head>`, "http://news.example/r.xml"},
		{"base href", `<head><base href="https://cdn.example/x/"><link rel=alternate type=application/rss+xml href=f.xml></head>`, "https://cdn.example/x/f.xml"},
		{"none", `<head><link rel="alternate" hreflang="de" href="/de/"><link rel="stylesheet" type="application/rss+xml" href="/no.xml"></head>`, ""},
		{"not http", `<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := Discover([]byte(tt.page), base)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("Discover = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
}

func FuzzParseFeed(f *testing.F) {
	for _, name := range []string{"rss2.xml", "rss1.rdf", "atom.xml", "page.html"} {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(`<rss><channel><item><title>&bogus;</title><link>%zz</link></item>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data, base)
		if err != nil {
			if !errors.Is(err, ErrNotFeed) {
				t.Fatalf("error not wrapping ErrNotFeed: %v", err)
			}
			return
		}
		for _, it := range doc.Items {
			if it.Link != "" && !strings.HasPrefix(it.Link, "http://") && !strings.HasPrefix(it.Link, "https://") {
				t.Fatalf("link %q is not http(s)", it.Link)
			}
			if it.Key() == "" {
				t.Fatal("empty item key")
			}
		}
		Discover(data, base)
	})
}
