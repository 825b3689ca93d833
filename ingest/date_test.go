package ingest

import (
	"strings"
	"testing"
	"time"

	"github.com/markusmobius/go-htmldate"
	"golang.org/x/net/html"
)

// germanPage is a short article of our own whose only date is written in
// German, in the byline or in a meta tag.
func germanPage(head, byline string) string {
	return `<html lang="de"><head><title>Fähre fährt wieder</title>` + head + `</head><body><article>
<h1>Die Fähre nach Nordhafen fährt wieder</h1>
<p class="byline">Von Lena Brandt` + byline + `</p>
<p>Nach drei Wochen Pause hat die kleine Fähre zwischen Südufer und Nordhafen am Sonntagmorgen ihren Betrieb wieder aufgenommen. Die Werft hatte den Antrieb früher als geplant repariert.</p>
<p>Pendler mussten in dieser Zeit einen Umweg von fast einer Stunde über die Brücke im Osten nehmen. Viele von ihnen standen schon vor der ersten Abfahrt am Anleger.</p>
<p>Der Betreiber kündigte an, im Sommer eine zweite Fähre als Ersatz bereitzuhalten, damit ein einzelner Schaden nicht wieder die ganze Linie stilllegt.</p>
</article></body></html>`
}

// TestExtractHTMLGermanDate: the publication date of a page written in
// German is found, whether the byline or a meta tag states it.
func TestExtractHTMLGermanDate(t *testing.T) {
	t.Parallel()
	want := time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC)
	tests := []struct{ name, head, byline string }{
		{"byline", "", ` · <span class="date">3. März 2024</span>`},
		{"meta", `<meta property="article:published_time" content="3. März 2024">`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := extractHTML([]byte(germanPage(tt.head, tt.byline)), "https://nordhafen.example/lokales/faehre", "")
			if err != nil {
				t.Fatalf("extractHTML: %v", err)
			}
			if !a.Published.Equal(want) {
				t.Errorf("Published %v, want %v", a.Published, want)
			}
			if len(a.Paragraphs) < 3 || !strings.HasPrefix(a.Paragraphs[len(a.Paragraphs)-1], "Der Betreiber") {
				t.Errorf("paragraphs %q, want the article's text", a.Paragraphs)
			}
		})
	}
}

// TestHTMLDateExtensiveSearchLocales runs htmldate's extensive search,
// the one path that parses dates with go-dateparser's locale data (which
// third_party/go-dateparser loads on first use instead of at start-up),
// on dates htmldate's own patterns do not read.
func TestHTMLDateExtensiveSearchLocales(t *testing.T) {
	t.Parallel()
	want := time.Date(2024, 3, 3, 0, 0, 0, 0, time.UTC)
	for _, date := range []string{"3 марта 2024", "domingo, 3 de marzo de 2024", "3 березня 2024", "3 de março de 2024", "3 maart 2024"} {
		t.Run(date, func(t *testing.T) {
			t.Parallel()
			find := func(skipExtensive bool) time.Time {
				page := `<html><head><title>Ferry</title></head><body><article><p class="date">` + date +
					`</p><p>The ferry runs again after three weeks in the yard.</p></article></body></html>`
				doc, err := html.Parse(strings.NewReader(page))
				if err != nil {
					t.Fatal(err)
				}
				res, err := htmldate.FromDocument(doc, htmldate.Options{UseOriginalDate: true, SkipExtensiveSearch: skipExtensive})
				if err != nil {
					t.Fatalf("htmldate: %v", err)
				}
				return res.DateTime
			}
			if got := find(true); !got.IsZero() {
				t.Fatalf("htmldate's own patterns read %q as %v: this case no longer needs go-dateparser", date, got)
			}
			if got := find(false); !got.Equal(want) {
				t.Errorf("extensive search read %q as %v, want %v", date, got, want)
			}
		})
	}
}
