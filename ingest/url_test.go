package ingest

import (
	"net/url"
	"strings"
	"testing"
)

func TestCleanURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://news.example.org/a/sea-wall", "https://news.example.org/a/sea-wall"},
		{"http://reporter:hunter2@news.example.org/plain", "http://news.example.org/plain"},
		{"http://user@news.example.org/plain#top", "http://news.example.org/plain"},
		{"https://news.example.org/a?utm_source=x&utm_medium=social&id=7", "https://news.example.org/a?id=7"},
		{"https://news.example.org/a?page=2&fbclid=IwAR0abc&gclid=Cj0&mc_eid=9f&UTM_Campaign=spring", "https://news.example.org/a?page=2"},
		{"https://news.example.org/a?fbclid=IwAR0abc", "https://news.example.org/a"},
		{"https://news.example.org/a?", "https://news.example.org/a"},
		// Other parameters keep their order and encoding.
		{"https://news.example.org/search?q=sea+wall&utm_term=x&lang=en%2Dgb", "https://news.example.org/search?q=sea+wall&lang=en%2Dgb"},
		{"https://news.example.org/a?utm_source_not=1&autm_x=2", "https://news.example.org/a?autm_x=2"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := cleanURL(tt.in); got != tt.want {
			t.Errorf("cleanURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSameSite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"news.example.org", "www.example.org", true},
		{"NEWS.example.org", "news.example.org.", true},
		{"www.bbc.co.uk", "news.bbc.co.uk", true},
		{"bbc.co.uk", "itv.co.uk", false},
		{"alice.github.io", "bob.github.io", false},
		{"example.org", "example.com", false},
		// IP addresses match only themselves (issue 12: 127.0.0.1 and
		// 10.20.0.1 both reduced to the "domain" 0.1).
		{"127.0.0.1", "10.20.0.1", false},
		{"127.0.0.1", "127.0.0.1", true},
		{"10.0.0.1", "192.168.0.1", false},
		{"::1", "0:0::1", true},
		{"2001:db8::1", "2001:db8::2", false},
		{"127.0.0.1", "0.1", false},
		{"localhost", "localhost", true},
		{"", "", false},
	}
	for _, tt := range tests {
		if got := sameSite(tt.a, tt.b); got != tt.want {
			t.Errorf("sameSite(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCleanLabel(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Harbour \u202egnikaerb\u202c news", "Harbour gnikaerb news"},
		{"\u2066Ferry\u2069 \u200fstrike\u200e", "Ferry strike"},
		{"B\u200bB\u200cC\u200d \u2060News\ufeff", "BBC News"},
		{"Sea\u00adwall \U000E0041\U000E0042", "Seawall"},
		{"  Tide\ttables\n online ", "Tide tables online"},
		{"Café naïve 北京 مرحبا", "Café naïve 北京 مرحبا"},
	}
	for _, tt := range tests {
		got := cleanLabel(tt.in)
		if got != tt.want {
			t.Errorf("cleanLabel(%+q) = %+q, want %+q", tt.in, got, tt.want)
		}
	}
}

func TestDisguisedUserinfo(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]bool{
		"http://www.bbc.co.uk@example.net/news":     true,
		"http://www.bbc.co.uk:443@example.net/news": true,
		"http://bbc.co.uk%2Fnews@example.net/":      true,
		"http://93.184.216.34@example.net/":         true,
		"http://user:www.bbc.co.uk@example.net/":    true,
		"http://reporter:hunter2@example.net/plain": false,
		"http://example.net/plain":                  false,
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := disguisedUserinfo(u); got != want {
			t.Errorf("disguisedUserinfo(%s) = %v, want %v", raw, got, want)
		}
	}
}

func TestParseCleansLabelsAndURL(t *testing.T) {
	t.Parallel()
	md := "---\ntitle: \"Sea wall \u202erepaired\"\nsource: \"Harbour\u200b Gazette\"\nurl: https://editor:secret@news.example.org/sea-wall?utm_source=newsletter\n---\n\nThe council voted to repair the sea wall before the winter storms.\n"
	a, err := Parse("sea.md", []byte(md))
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Sea wall repaired" || a.Source != "Harbour Gazette" {
		t.Errorf("title %+q source %+q", a.Title, a.Source)
	}
	if a.URL != "https://news.example.org/sea-wall" || a.ID != NewID(a.URL, "", nil) {
		t.Errorf("URL %q ID %q", a.URL, a.ID)
	}
	txt := "\u202eFerry strike\u200b\nMetro\u2060 Wire\nCrews walked out at dawn over night-shift staffing.\n"
	a, err = Parse("ferry.txt", []byte(txt))
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Ferry strike" || a.Source != "Metro Wire" || strings.ContainsRune(a.Text(), '\u202e') {
		t.Errorf("title %+q source %+q", a.Title, a.Source)
	}
}
