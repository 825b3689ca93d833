package discord

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/citebot/citebot/bot"
)

func TestArticleLinkStaysWithinRoom(t *testing.T) {
	t.Parallel()
	long := "https://news.example/" + strings.Repeat("a", 200)
	tests := []struct {
		name, title, url string
		room             int
		want             string
	}{
		{name: "link", title: "Strike ends", url: "https://news.example/strike", room: 100, want: "[Strike ends](https://news.example/strike)"},
		{name: "URL too long", title: "Strike ends", url: long, room: 1000, want: "Strike ends"},
		{name: "link does not fit", title: "Strike ends", url: "https://news.example/strike", room: 20, want: "Strike ends"},
		{name: "not a web link", title: "a_b", url: "javascript:alert(1)", room: 100, want: `a\_b`},
		{name: "long title", title: strings.Repeat("x", 150), url: "", room: 400, want: strings.Repeat("x", 99) + "…"},
		{name: "cut keeps escapes whole", title: "ab_c_d", url: "", room: 5, want: `ab\_…`},
		{name: "cut before an escape", title: "ab_c_d", url: "", room: 4, want: "ab…"},
		{name: "escaped backslash", title: `a\\b`, url: "", room: 4, want: `a\\…`},
	}
	for _, tt := range tests {
		got := articleLink(tt.title, tt.url, tt.room)
		if got != tt.want {
			t.Errorf("%s: articleLink = %q, want %q", tt.name, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > tt.room {
			t.Errorf("%s: %d characters in a room of %d", tt.name, n, tt.room)
		}
	}
}

func TestSourcesEmbedListsEachArticleOnce(t *testing.T) {
	t.Parallel()
	pact := bot.Citation{ArticleID: "a1", Title: "Pact signed", Source: "Wire", URL: "https://news.example/pact"}
	cits := []bot.Citation{pact, {N: 2, ArticleID: "a2", Title: "Toll rises"}, pact}
	cits[0].N, cits[2].N = 1, 3
	e := sourcesEmbed(cits)
	want := "**[1]** **[3]** [Pact signed](https://news.example/pact) — *Wire*\n**[2]** Toll rises"
	if e.Description != want {
		t.Errorf("sources embed:\n%s\nwant:\n%s", e.Description, want)
	}
}

func TestSourcesEmbedShowsDates(t *testing.T) {
	t.Parallel()
	day := time.Date(2025, 6, 17, 8, 0, 0, 0, time.UTC)
	e := sourcesEmbed([]bot.Citation{
		{N: 1, Title: "Toll rises", Source: "Bay City Courier", URL: "https://news.example/toll", Published: day},
		{N: 2, Title: "Undated", Source: "Wire"},
		{N: 3, Title: "No outlet", Published: day},
	})
	for _, want := range []string{"*Bay City Courier*, 17 Jun 2025", "*Wire*\n", "No outlet — 17 Jun 2025"} {
		if !strings.Contains(e.Description+"\n", want) {
			t.Errorf("sources embed lacks %q:\n%s", want, e.Description)
		}
	}
}
