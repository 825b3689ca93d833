package ingest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/citebot/citebot/internal/testweb"
)

// renderExtracted is the golden form of an extracted article.
func renderExtracted(a Article) string {
	var b strings.Builder
	fmt.Fprintf(&b, "title: %s\nsource: %s\nauthor: %s\nlanguage: %s\nurl: %s\nid: %s\n", a.Title, a.Source, a.Author, a.Language, a.URL, a.ID)
	if !a.Published.IsZero() {
		fmt.Fprintf(&b, "published: %s\n", a.Published.Format(time.RFC3339))
	}
	for _, p := range a.Paragraphs {
		fmt.Fprintf(&b, "\n%s\n", p)
	}
	return b.String()
}

func TestExtractHTMLGolden(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, page, url string }{
		{"news", "news.html", "https://www.harbourgazette.example/news/2024/03/12/ferry-crews-strike?utm_source=x"},
		{"news-local", "news.html", ""},
		{"simple-local", "simple.html", ""},
		// Wiki markup: notes hidden mid-sentence ("[citation needed]",
		// "[update]") are dropped and the sentence stays whole.
		{"wiki", "wiki.html", "https://wiki.bay.example/wiki/Kestrel_Bay_lighthouse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := extractHTML(testweb.Page(tt.page), tt.url, "")
			if err != nil {
				t.Fatalf("extractHTML: %v", err)
			}
			got := renderExtracted(a)
			golden := filepath.Join("testdata", "web", tt.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./ingest -run TestExtractHTMLGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("extracted article differs from %s (rerun with -update if intended)\n got:\n%s", golden, got)
			}
		})
	}
}

func TestExtractHTMLBoilerplateRemoved(t *testing.T) {
	t.Parallel()
	a, err := extractHTML(testweb.Page("news.html"), "https://www.harbourgazette.example/news/2024/03/12/ferry-crews-strike", "")
	if err != nil {
		t.Fatal(err)
	}
	if a.URL != "https://www.harbourgazette.example/news/2024/03/12/ferry-crews-strike" {
		t.Errorf("URL %q, want the canonical URL", a.URL)
	}
	if want := time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC); !a.Published.Equal(want) {
		t.Errorf("Published %v, want %v", a.Published, want)
	}
	if len(a.Paragraphs) != 9 || a.Paragraphs[0] != "Crews on the Northbridge ferry line walked off the job early Tuesday, leaving thousands of commuters to find another way across the harbour. The union says night crossings have been run with two deckhands instead of the four the safety plan requires." {
		t.Errorf("paragraphs: %q", a.Paragraphs)
	}
	for _, p := range a.Paragraphs {
		for _, boiler := range []string{"cookie", "Advertisement", "Share", "Related", "Most read", "comment", "©", "Subscribe", "Tags:", "Home"} {
			if strings.Contains(p, boiler) {
				t.Errorf("paragraph %q contains boilerplate %q", p, boiler)
			}
		}
	}
}

func TestExtractHTMLNoArticle(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, html, url string }{
		{"paywall", string(testweb.Page("paywall.html")), "https://www.harbourgazette.example/subscribers/x"},
		{"javascript shell", string(testweb.Page("app.html")), "https://live.example/"},
		{"empty body", "<html><head><title>Nothing</title></head><body></body></html>", "https://e.example/"},
		{"no body at all", "<html><head><title>Only a title</title>", ""},
		{"scripts only", "<script>document.write('hi')</script><style>p{}</style>", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := extractHTML([]byte(tt.html), tt.url, "")
			if !errors.Is(err, ErrNoArticle) || !errors.Is(err, ErrEmpty) {
				t.Fatalf("extractHTML = %+v, %v; want ErrNoArticle", a, err)
			}
			var pe *PageError
			if !errors.As(err, &pe) || pe.UserMessage() == "" {
				t.Errorf("error %v is not a *PageError with a user message", err)
			}
			if tt.url != "" && err.Error() != "no article text found at "+tt.url {
				t.Errorf("error text %q", err)
			}
		})
	}
}

func TestExtractHTMLLocalFallback(t *testing.T) {
	t.Parallel()
	// Text in <div>s and <br> lines, too short for the article extractor:
	// a local file still gives its title and visible text.
	page := `<html><head><title>Pantry hours</title><script>var x = "not text";</script></head>
<body><nav><a href="/">Home</a></nav><div>The pantry is open on Tuesdays.<br>Bring a bag.<br><br>Volunteers meet at noon.</div></body></html>`
	a, err := extractHTML([]byte(page), "", "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"The pantry is open on Tuesdays. Bring a bag.", "Volunteers meet at noon."}
	if a.Title != "Pantry hours" || strings.Join(a.Paragraphs, "|") != strings.Join(want, "|") || a.URL != "" || !strings.HasPrefix(a.ID, "t") {
		t.Errorf("got title %q paragraphs %q URL %q ID %q; want %q", a.Title, a.Paragraphs, a.URL, a.ID, want)
	}
	// The same page fetched from the web is too thin to be an article.
	if _, err := extractHTML([]byte(page), "https://pantry.example/", ""); !errors.Is(err, ErrNoArticle) {
		t.Errorf("fetched thin page: %v, want ErrNoArticle", err)
	}
}

func TestExtractHTMLCanonical(t *testing.T) {
	t.Parallel()
	body := "<body><article>" + strings.Repeat("<p>The council met on Monday evening and voted to repair the old sea wall before the winter storms arrive.</p>", 4) + "</article></body>"
	page := func(head string) []byte {
		return []byte("<html><head><title>Sea wall</title>" + head + "</head>" + body + "</html>")
	}
	const fetched = "https://news.example.org/a/sea-wall?ref=home"
	tests := []struct{ name, head, url, want string }{
		{"none", "", fetched, fetched},
		{"absolute same site", `<link rel="canonical" href="https://www.news.example.org/2024/sea-wall">`, fetched, "https://www.news.example.org/2024/sea-wall"},
		{"relative", `<link rel="canonical" href="/2024/sea-wall#top">`, fetched, "https://news.example.org/2024/sea-wall"},
		{"og:url", `<meta property="og:url" content="https://news.example.org/2024/sea-wall">`, fetched, "https://news.example.org/2024/sea-wall"},
		{"other site ignored", `<link rel="canonical" href="https://other.example.com/2024/sea-wall">`, fetched, fetched},
		{"javascript ignored", `<link rel="canonical" href="javascript:alert(1)">`, fetched, fetched},
		{"local file keeps absolute", `<link rel="canonical" href="https://news.example.org/2024/sea-wall">`, "", "https://news.example.org/2024/sea-wall"},
		{"local file ignores relative", `<link rel="canonical" href="/2024/sea-wall">`, "", ""},
		// Issue 12: IP hosts must match exactly, not by their last two parts.
		{"other IP ignored", `<link rel="canonical" href="http://10.20.0.1/claimed-article">`, "http://127.0.0.1:8080/a", "http://127.0.0.1:8080/a"},
		{"same IP", `<link rel="canonical" href="http://127.0.0.1:8080/2024/sea-wall">`, "http://127.0.0.1:8080/a", "http://127.0.0.1:8080/2024/sea-wall"},
		{"name for IP ignored", `<link rel="canonical" href="http://news.example.org/a">`, "http://127.0.0.1:8080/a", "http://127.0.0.1:8080/a"},
		{"public suffix", `<link rel="canonical" href="https://bob.github.io/sea-wall">`, "https://alice.github.io/a", "https://alice.github.io/a"},
		{"login ignored", `<link rel="canonical" href="https://editor:secret@news.example.org/2024/sea-wall">`, fetched, fetched},
		{"tracking dropped", `<link rel="canonical" href="https://news.example.org/2024/sea-wall?utm_source=feed&fbclid=x">`, fetched, "https://news.example.org/2024/sea-wall"},
		{"fetched tracking dropped", "", fetched + "&utm_medium=social&gclid=Cj0", fetched},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := extractHTML(page(tt.head), tt.url, "")
			if err != nil {
				t.Fatal(err)
			}
			if a.URL != tt.want || a.ID != NewID(tt.want, a.Title, a.Paragraphs) {
				t.Errorf("URL %q ID %q, want URL %q", a.URL, a.ID, tt.want)
			}
		})
	}
}

// TestExtractHTMLCleansLabels: a title or site name with a right-to-left
// override or zero-width characters would display disguised (issue 12).
func TestExtractHTMLCleansLabels(t *testing.T) {
	t.Parallel()
	body := "<body><article>" + strings.Repeat("<p>The council met on Monday evening and voted to repair the old sea wall before the winter storms arrive.</p>", 4) + "</article></body>"
	tests := []struct{ name, head string }{
		{"og", "<meta property=\"og:title\" content=\"Sea wall \u202erepaired\u202c\u200b\"><meta property=\"og:site_name\" content=\"Harbour\u200b\u200d\u2066 Gazette\u2069\">"},
		{"title", "<title>Sea wall \u202erepaired\u200f</title><meta name=\"application-name\" content=\"\u2060Harbour Gazette\ufeff\">"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, pageURL := range []string{"https://news.example.org/a", ""} {
				a, err := extractHTML([]byte("<html><head>"+tt.head+"</head>"+body+"</html>"), pageURL, "")
				if err != nil {
					t.Fatal(err)
				}
				if pageURL == "" {
					a = cleanHTMLArticle(a)
				}
				if a.Title != "Sea wall repaired" || a.Source != "Harbour Gazette" {
					t.Errorf("%q: title %+q source %+q", pageURL, a.Title, a.Source)
				}
			}
		})
	}
}

func TestExtractHTMLCharset(t *testing.T) {
	t.Parallel()
	// "Café" and "naïve" in ISO-8859-1, declared by a <meta> tag.
	page := []byte("<html><head><meta charset=\"iso-8859-1\"><title>Caf\xe9 opens</title></head><body><p>A na\xefve caf\xe9 opened on the quay.</p></body></html>")
	a, err := extractHTML(page, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Café opens" || len(a.Paragraphs) != 1 || a.Paragraphs[0] != "A naïve café opened on the quay." {
		t.Errorf("got %q %q", a.Title, a.Paragraphs)
	}
}

// TestExtractHTMLMislabelledCharset checks pages whose declared (or
// guessed) charset does not match their bytes: the text comes out readable
// and always valid UTF-8, never as raw invalid bytes or a whole page of
// mojibake.
func TestExtractHTMLMislabelledCharset(t *testing.T) {
	t.Parallel()
	page := func(meta, para string) []byte {
		return []byte("<html><head>" + meta + "<title>Quay market</title></head><body><article><h1>Quay market</h1><p>" +
			para + "</p><p>Traders said the new awnings kept the rain off the fruit stalls all week.</p></article></body></html>")
	}
	const cp1252 = "Jos\xe9 said the caf\xe9 trade was \x93better than last year\x94 \x96 despite the works."
	const utf8Stray = "Zo\xc3\xab said the caf\xc3\xa9 trade was \xe2\x80\x9cbetter than last year\xe2\x80\x9d \x96 despite the works."
	tests := []struct {
		name        string
		contentType string
		html        []byte
		want        string
	}{
		{"header says UTF-8, meta and bytes windows-1252", "text/html; charset=utf-8",
			page(`<meta charset="windows-1252">`, cp1252), "José said the café trade was “better than last year” – despite the works."},
		{"header says UTF-8, bytes windows-1252, no meta", "text/html; charset=UTF-8",
			page("", cp1252), "José said the café trade was “better than last year” – despite the works."},
		{"meta says UTF-8, bytes windows-1252", "",
			page(`<meta charset="utf-8">`, cp1252), "José said the café trade was “better than last year” – despite the works."},
		{"UTF-8 with a stray windows-1252 byte, nothing declared", "",
			page("", utf8Stray), "Zoë said the café trade was “better than last year” \uFFFD despite the works."},
		{"UTF-8 with a stray byte, header says UTF-8", "text/html; charset=utf-8",
			page(`<meta charset="utf-8">`, utf8Stray), "Zoë said the café trade was “better than last year” \uFFFD despite the works."},
		{"header says ISO-8859-1 and means it", "text/html; charset=iso-8859-1",
			page("", cp1252), "José said the café trade was “better than last year” – despite the works."},
		{"valid UTF-8 under a wrong meta", "",
			page(`<meta charset="iso-8859-1">`, "Zoë said the café trade was steady."), "Zoë said the café trade was steady."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := extractHTML(tt.html, "", tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Paragraphs) == 0 || a.Paragraphs[0] != tt.want {
				t.Errorf("paragraphs %q, want first %q", a.Paragraphs, tt.want)
			}
			for _, p := range a.Paragraphs {
				if !utf8.ValidString(p) {
					t.Errorf("paragraph %q is not valid UTF-8", p)
				}
			}
		})
	}
}

// TestExtractHTMLHostileShapes feeds documents whose tree is pathological:
// each must give its text (or a clean error) quickly, not hang or crash.
func TestExtractHTMLHostileShapes(t *testing.T) {
	t.Parallel()
	const n = 100000
	text := "<p>Deep inside the markup there is one sentence of real text for the reader.</p>"
	tests := []struct{ name, html string }{
		{"nested divs", "<html><body>" + strings.Repeat("<div>", n) + text + strings.Repeat("</div>", n) + "</body></html>"},
		{"unclosed divs", "<body>" + strings.Repeat("<div>", n) + text},
		{"nested spans", "<body>" + strings.Repeat("<span>", n) + text},
		{"self-closed divs", "<body>" + strings.Repeat("<div/>", n) + text},
		{"nested tables", "<body>" + strings.Repeat("<table><tr><td>", n/10) + text},
		{"unclosed formatting", "<body>" + strings.Repeat("<b><i><a href=x>", n/3) + text},
		{"many elements", "<body>" + strings.Repeat("<div><span>x</span></div>", n) + text},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			a, err := extractHTML([]byte(tt.html), "", "")
			if err != nil {
				t.Fatalf("extractHTML: %v", err)
			}
			if !strings.Contains(a.Text(), "one sentence of real text") {
				t.Errorf("text lost: %.200q", a.Text())
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func FuzzExtractHTML(f *testing.F) {
	for _, name := range []string{"news.html", "paywall.html", "simple.html", "app.html", "wiki.html"} {
		f.Add(testweb.Page(name), "https://www.harbourgazette.example/a")
	}
	f.Add([]byte("<div><p>a<br>b</div></p><td>c"), "")
	f.Fuzz(func(t *testing.T, data []byte, pageURL string) {
		a, err := extractHTML(data, pageURL, "")
		if err != nil {
			if !errors.Is(err, ErrNoArticle) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(a.Paragraphs) == 0 || a.ID == "" {
			t.Fatalf("article without paragraphs or ID: %+v", a)
		}
		for _, p := range a.Paragraphs {
			if p == "" || p != strings.TrimSpace(p) || strings.Contains(p, "\n") {
				t.Fatalf("bad paragraph %q", p)
			}
		}
		// A page fetched from pageURL (always http(s) in use) keeps that
		// address, cleaned, unless it declares a canonical http(s) one.
		if a.URL != "" && !strings.HasPrefix(a.URL, "http://") && !strings.HasPrefix(a.URL, "https://") && a.URL != cleanURL(pageURL) {
			t.Fatalf("URL %q is not http(s)", a.URL)
		}
		if !utf8.ValidString(a.Title) {
			t.Fatalf("title %q is not UTF-8", a.Title)
		}
		for _, p := range a.Paragraphs {
			if !utf8.ValidString(p) {
				t.Fatalf("paragraph %q is not UTF-8", p)
			}
		}
	})
}

// Three paragraphs of a council story, for the tests of line breaks and
// paragraphs.
const (
	councilMon = "The harbour council met on Monday to discuss the ferry timetable and the dredging of the inner basin."
	councilTue = "The council met again on Tuesday and agreed to dredge the basin before the summer season."
	councilWed = "The ferry operator said on Wednesday that the new timetable would start on the first of June."
)

// TestExtractHTMLJSONLDBody: a fetched page whose story is only in its
// JSON-LD articleBody (the page draws it with script) keeps its
// paragraphs apart; go-trafilatura's last resort ran them into one
// ("…the dredging.The work starts…", third_party/go-trafilatura/CITEBOT.md).
func TestExtractHTMLJSONLDBody(t *testing.T) {
	t.Parallel()
	mon, tue, wed := councilMon, councilTue, councilWed
	for name, body := range map[string]string{
		"HTML":       "<p>" + mon + "</p><p>" + tue + "</p><p>" + wed + "</p>",
		"plain text": mon + "\\n\\n" + tue + "\\n\\n" + wed,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			page := `<html><head><title>Harbour council</title><script type="application/ld+json">{"@type":"NewsArticle","articleBody":"` + body + `"}</script></head><body><div id="app"></div></body></html>`
			a, err := extractHTML([]byte(page), "https://www.harbourgazette.example/council", "")
			if err != nil {
				t.Fatalf("extractHTML: %v", err)
			}
			if want := []string{mon, tue, wed}; !slices.Equal(a.Paragraphs, want) {
				t.Errorf("paragraphs\n got: %q\nwant: %q", a.Paragraphs, want)
			}
		})
	}
}

// TestExtractHTMLLineBreaks: text laid out in a <div> or a <p> with <br>s
// (older news sites, blogs, forums) is read once and in order, a blank
// line ending a paragraph and a <div> inside starting one. go-trafilatura
// repeated the text after each <br> in a <div> as a paragraph of its own,
// and made the two <br>s of a blank line in a <p> one, running the
// paragraphs together (third_party/go-trafilatura/CITEBOT.md).
func TestExtractHTMLLineBreaks(t *testing.T) {
	t.Parallel()
	mon, tue, wed := councilMon, councilTue, councilWed
	tests := []struct {
		name, body string
		want       []string
	}{
		{"line breaks", "<div>" + mon + "<br>" + tue + "<br>" + wed + "</div>", []string{mon + " " + tue + " " + wed}},
		{"blank lines", "<div>" + mon + "<br><br>" + tue + "<br>\n<br>" + wed + "</div>", []string{mon, tue, wed}},
		{"a div inside", "<div>" + mon + "<div>" + tue + "<br><br>" + wed + "</div></div>", []string{mon, tue, wed}},
		{"blank lines in a paragraph", "<p>" + mon + "<br><br>" + tue + "<br/><br/>" + wed + "</p>", []string{mon, tue, wed}},
		{"line break in a paragraph", "<p>" + mon + "<br>" + tue + "</p><p>" + wed + "</p>", []string{mon + " " + tue, wed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			page := "<html><head><title>Harbour council</title></head><body><article>" + tt.body + "</article></body></html>"
			a, err := extractHTML([]byte(page), "https://www.harbourgazette.example/council", "")
			if err != nil {
				t.Fatalf("extractHTML: %v", err)
			}
			if !slices.Equal(a.Paragraphs, tt.want) {
				t.Errorf("paragraphs\n got: %q\nwant: %q", a.Paragraphs, tt.want)
			}
		})
	}
}
