package ingest

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	t.Parallel()
	utf16le := []byte{0xFF, 0xFE}
	for _, r := range "Titre\nÉté chaud à Riverton." {
		utf16le = append(utf16le, byte(r), byte(r>>8))
	}
	tests := []struct {
		name      string
		file      string
		data      string
		title     string
		source    string
		url       string
		author    string
		published string // 2006-01-02
		paras     []string
	}{
		{name: "title outlet paragraphs", file: "a.txt",
			data:  "Strike ends\nCBC\nBuses run again.\nTalks went well.\n",
			title: "Strike ends", source: "CBC", paras: []string{"Buses run again.", "Talks went well."}},
		{name: "blank lines and CRLF", file: "a.TXT",
			data:  "\r\n  Strike ends  \r\n\r\nMetro Wire\r\n\r\nBuses   run\tagain.\r\n\r\n\r\nTalks went well.",
			title: "Strike ends", source: "Metro Wire", paras: []string{"Buses run again.", "Talks went well."}},
		{name: "second line is a sentence, not an outlet", file: "a.txt",
			data:  "Strike ends\nBuses run again.\nTalks went well.",
			title: "Strike ends", paras: []string{"Buses run again.", "Talks went well."}},
		{name: "second line too long for an outlet", file: "a.txt",
			data:  "Strike ends\nThe city buses run again\nTalks went well.",
			title: "Strike ends", paras: []string{"The city buses run again", "Talks went well."}},
		{name: "lower-case second line is body", file: "a.txt",
			data:  "Strike ends\nbuses run\nTalks went well.",
			title: "Strike ends", paras: []string{"buses run", "Talks went well."}},
		{name: "outlet-like last line stays body", file: "a.txt",
			data:  "Strike ends\nBuses run",
			title: "Strike ends", paras: []string{"Buses run"}},
		{name: "header lines", file: "a.txt",
			data:  "Strike ends\nCBC\nURL: https://example.org/strike\nBy: Ana Diaz\nDate: 2025-03-14\nBuses run again.",
			title: "Strike ends", source: "CBC", url: "https://example.org/strike", author: "Ana Diaz",
			published: "2025-03-14", paras: []string{"Buses run again."}},
		{name: "source line", file: "a.txt",
			data:  "Strike ends\nSource: Riverton Daily News Service Online\nBuses run again.",
			title: "Strike ends", source: "Riverton Daily News Service Online", paras: []string{"Buses run again."}},
		{name: "one line is title and body", file: "note.txt",
			data:  "The meeting is at 5 p.m. on Friday.\n",
			title: "The meeting is at 5 p.m. on Friday.", paras: []string{"The meeting is at 5 p.m. on Friday."}},
		{name: "long first line is not a title", file: "a.txt",
			data:  strings.Repeat("word ", 40) + "end. Second sentence.\nMore.",
			title: strings.Repeat("word ", 12) + "…", paras: []string{strings.Repeat("word ", 40) + "end. Second sentence.", "More."}},
		{name: "two-sentence first line is body, not title", file: "a.txt",
			data:  "The ferry left at noon. It reached the island at one.\n\nThe crossing was calm.\n\nNo one was hurt.",
			title: "The ferry left at noon.",
			paras: []string{"The ferry left at noon. It reached the island at one.", "The crossing was calm.", "No one was hurt."}},
		{name: "hard-wrapped first paragraph is body, not title", file: "a.txt",
			data:  "The ferry left the harbour at noon and reached the\nisland an hour later, the operator said.\n\nThe crossing was\ncalm.\n\nNo one was hurt.",
			title: "The ferry left the harbour at noon and reached the island an …",
			paras: []string{"The ferry left the harbour at noon and reached the island an hour later, the operator said.",
				"The crossing was calm.", "No one was hurt."}},
		{name: "Japanese first paragraph is body, not title", file: "a.txt",
			data:  "フェリーは正午に出港した。一時間後に島に着いた。\n\n海は穏やかだった。\n",
			title: "フェリーは正午に出港した。", paras: []string{"フェリーは正午に出港した。一時間後に島に着いた。", "海は穏やかだった。"}},
		{name: "Japanese headline stays title", file: "a.txt",
			data:  "フェリーが運航を再開\n\nフェリーは正午に出港した。\n\n海は穏やかだった。\n",
			title: "フェリーが運航を再開", paras: []string{"フェリーは正午に出港した。", "海は穏やかだった。"}},
		{name: "one-sentence headline with a full stop stays title", file: "a.txt",
			data:  "Ferry service resumes.\nThe ferry left at noon.\nNo one was hurt.",
			title: "Ferry service resumes.", paras: []string{"The ferry left at noon.", "No one was hurt."}},
		{name: "markdown first paragraph of two sentences is body", file: "a.md",
			data:  "The ferry left at noon. It reached the island at one.\n\nThe crossing was calm.",
			title: "The ferry left at noon.", paras: []string{"The ferry left at noon. It reached the island at one.", "The crossing was calm."}},
		{name: "markdown wrapped first paragraph is body", file: "a.md",
			data:  "The ferry left at noon\nand reached the island at one\n\nThe crossing was calm.",
			title: "The ferry left at noon and reached the island at one",
			paras: []string{"The ferry left at noon and reached the island at one", "The crossing was calm."}},
		{name: "blank-line paragraphs join single line breaks", file: "a.txt",
			data:  "Oxygen\n\nOxygen is O\n2 in air.\nIt is reactive.\n\nOzone is O\n3.\n\nWater is H\n2O.\n",
			title: "Oxygen", paras: []string{"Oxygen is O 2 in air. It is reactive.", "Ozone is O 3.", "Water is H 2O."}},
		{name: "blank-line paragraphs keep header lines", file: "a.txt",
			data:  "Strike ends\nMetro Wire\nDate: 2025-03-14\n\nBuses run\nagain.\n\nTalks went well.\n\nMore talks.",
			title: "Strike ends", source: "Metro Wire", published: "2025-03-14",
			paras: []string{"Buses run again.", "Talks went well.", "More talks."}},
		{name: "blank-line paragraphs, first block runs on", file: "a.txt",
			data:  "Strike ends\nBuses run\nagain today.\n\nTalks went well.\n\nMore talks.",
			title: "Strike ends", source: "Buses run",
			paras: []string{"again today.", "Talks went well.", "More talks."}},
		{name: "mostly single line breaks stay newsroom", file: "a.txt",
			data:  "Strike ends\n\nBuses run again.\nTalks went well.\nMore talks.\n\nThe end.",
			title: "Strike ends", paras: []string{"Buses run again.", "Talks went well.", "More talks.", "The end."}},
		{name: "hard-wrapped blank-line paragraphs", file: "a.txt",
			data:  "Strike ends\n\nBuses run again\nacross the city after\nthree weeks.\n\nTalks went\nwell.",
			title: "Strike ends", paras: []string{"Buses run again across the city after three weeks.", "Talks went well."}},
		{name: "title and one body block stay newsroom", file: "a.txt",
			data:  "Strike ends\n\nBuses run again.\nTalks went well.",
			title: "Strike ends", paras: []string{"Buses run again.", "Talks went well."}},
		{name: "BOM and control characters", file: "a.txt",
			data:  "\uFEFFTitle\x07 here\nBody\x1b text.",
			title: "Title here", paras: []string{"Body text."}},
		{name: "windows-1252 text decoded", file: "a.txt",
			data:  "Caf\xe9 opens\nThe caf\xe9 opened today, \x93at last\x94.",
			title: "Café opens", paras: []string{"The café opened today, “at last”."}},
		{name: "short Latin-1 note is text, not binary", file: "a.md",
			data:  "# \xc9t\xe9 \xe0 No\xebl\n\n\xc7a va tr\xe8s bien, d\xe9j\xe0.",
			title: "Été à Noël", paras: []string{"Ça va très bien, déjà."}},
		{name: "stray byte in UTF-8 repaired", file: "a.txt",
			data:  "Café opens\nZoë said the caf\xe9 opened today.",
			title: "Café opens", paras: []string{"Zoë said the caf\uFFFD opened today."}},
		{name: "UTF-16 with BOM", file: "a.txt", data: string(utf16le),
			title: "Titre", paras: []string{"Été chaud à Riverton."}},
		{name: "markdown", file: "a.md",
			data: "# Big *news* today\n\n*Coastline Press*\n\nThe **council** voted [yes](https://x.org) on the\nplan. See ![chart](c.png) and `a*b*c`.\n\n" +
				"## Details\n\n- First item\n- Second _item_\n\n> Quoted line\n\n```go\nfmt.Println(\"hi\")\n```\n\n---\n\n[ref]: https://x.org\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
			title: "Big news today", source: "Coastline Press",
			paras: []string{"The council voted yes on the plan. See chart and a*b*c.", "Details", "First item", "Second item",
				"Quoted line", `fmt.Println("hi")`, "a | b", "1 | 2"}},
		{name: "markdown front matter", file: "a.markdown",
			data:  "---\ntitle: \"Deal signed\"\nsource: Coastal Wire\nurl: https://example.org/deal\ndate: 2025-03-14\n---\n# Deal signed\n\nThe deal was signed.\n",
			title: "Deal signed", source: "Coastal Wire", url: "https://example.org/deal", published: "2025-03-14",
			paras: []string{"The deal was signed."}},
		{name: "markdown without heading", file: "a.md",
			data:  "Plain first line\n\nBody paragraph one.\n\nBody paragraph two.",
			title: "Plain first line", paras: []string{"Body paragraph one.", "Body paragraph two."}},
		{name: "markdown setext heading", file: "a.md",
			data:  "Big news\n========\n\nBody.",
			title: "Big news", paras: []string{"Body."}},
		{name: "html", file: "a.html",
			data:  "<html><head><title>Cup won</title></head><body><nav>Home</nav><h1>Cup won</h1><p>The <b>Mariners</b> won.</p><footer>© 2025</footer></body></html>",
			title: "Cup won", paras: []string{"The Mariners won.", "© 2025"}},
		{name: "html without title", file: "a.htm",
			data:  "<p>Only a paragraph here.</p>",
			title: "Only a paragraph here.", paras: []string{"Only a paragraph here."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := Parse(tt.file, []byte(tt.data))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if a.Title != tt.title || a.Source != tt.source || a.URL != tt.url || a.Author != tt.author {
				t.Errorf("got title %q source %q url %q author %q, want %q %q %q %q",
					a.Title, a.Source, a.URL, a.Author, tt.title, tt.source, tt.url, tt.author)
			}
			if got := a.Published.Format(time.DateOnly); tt.published != "" && got != tt.published || tt.published == "" && !a.Published.IsZero() {
				t.Errorf("published %v, want %q", a.Published, tt.published)
			}
			if strings.Join(a.Paragraphs, "\n") != strings.Join(tt.paras, "\n") {
				t.Errorf("paragraphs\n got %q\nwant %q", a.Paragraphs, tt.paras)
			}
			if want := NewID(a.URL, a.Title, a.Paragraphs); a.ID != want {
				t.Errorf("ID %q, want %q", a.ID, want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		data string
		want error
	}{
		{"empty", "empty.txt", "", ErrEmpty},
		{"whitespace", "blank.txt", " \n\t\r\n \u00a0\n", ErrEmpty},
		{"BOM only", "bom.md", "\uFEFF\n", ErrEmpty},
		{"NUL bytes", "photo.txt", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ErrEmpty},
		{"control characters", "junk.txt", "\x01\x02\x03\x04abc\x05\x06\x07\x08\x0e\x0f", ErrEmpty},
		{"mostly invalid UTF-8", "junk.txt", "\xfa\xfd\xfc\xfb\xfa\xf9 ok \xf8\xf7\xf6\xf5", ErrEmpty},
		{"html without text", "empty.html", "<html><head><title></title></head><body><script>x()</script></body></html>", ErrEmpty},
		{"markdown only markup", "rule.md", "---\n\n***\n", ErrEmpty},
		{"unsupported", "report.pdf", "%PDF-1.7", ErrUnsupported},
		{"no extension", "README", "Title\nBody.", ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tt.file, []byte(tt.data))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse(%q) error = %v, want %v", tt.file, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.file) {
				t.Errorf("error %q does not name the input %q", err, tt.file)
			}
		})
	}
}

func TestParseFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.txt")
	if _, err := ParseFile(missing); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("ParseFile(missing) = %v, want not-exist error naming the file", err)
	}
	big := filepath.Join(dir, "big.txt")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileBytes + 1); err != nil { // sparse: cheap
		t.Fatal(err)
	}
	f.Close()
	if _, err := ParseFile(big); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), big) {
		t.Errorf("ParseFile(big) = %v, want ErrTooLarge naming the file", err)
	}
	if _, err := ParseFile(filepath.Join(dir, "x.docx")); !errors.Is(err, ErrUnsupported) {
		t.Errorf("ParseFile(docx) = %v, want ErrUnsupported", err)
	}
	a, err := ParseFile("../testdata/articles/riverton-transit-strike.txt")
	if err != nil {
		t.Fatal(err)
	}
	if a.Source != "Riverton Daily" || len(a.Paragraphs) != 7 || !strings.HasPrefix(a.Title, "Riverton transit workers") {
		t.Errorf("got %q / %q with %d paragraphs", a.Title, a.Source, len(a.Paragraphs))
	}
}

// TestSampleArticles checks that every sample article parses with a title
// and outlet, and that the same text gives the same ID from any file.
func TestSampleArticles(t *testing.T) {
	t.Parallel()
	files, err := Files([]string{"../testdata/articles"})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 8 {
		t.Fatalf("only %d sample articles", len(files))
	}
	ids := map[string]string{}
	for _, f := range files {
		a, err := ParseFile(f)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if a.Title == "" || len(a.Paragraphs) < 4 {
			t.Errorf("%s: title %q, %d paragraphs", f, a.Title, len(a.Paragraphs))
		}
		if a.Source == "" && !strings.HasSuffix(f, ".html") {
			t.Errorf("%s: no outlet", f)
		}
		if other, dup := ids[a.ID]; dup {
			t.Errorf("%s and %s have the same ID %s", f, other, a.ID)
		}
		ids[a.ID] = f
		data, _ := os.ReadFile(f)
		b, err := Parse(filepath.Base(f), data)
		if err != nil || b.ID != a.ID {
			t.Errorf("%s: re-parse gives ID %q (%v), want %q", f, b.ID, err, a.ID)
		}
	}
}

// TestQuestionsAnswerable checks testdata/questions.jsonl: each answer
// sentence is a sentence of its article's parsed text (so a chunk holds it
// whole) and contains one of its short answers.
func TestQuestionsAnswerable(t *testing.T) {
	t.Parallel()
	f, err := os.Open("../testdata/questions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var q struct {
			Question       string   `json:"question"`
			Article        string   `json:"article"`
			AnswerSentence string   `json:"answer_sentence"`
			Answers        []string `json:"answers"`
		}
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		n++
		if q.Question == "" || len(q.Answers) == 0 {
			t.Errorf("line %d: empty question or answers", n)
		}
		a, err := ParseFile(filepath.Join("../testdata/articles", q.Article))
		if err != nil {
			t.Errorf("line %d: %v", n, err)
			continue
		}
		found := false
		for _, p := range a.Paragraphs {
			for _, s := range sentenceTexts(p) {
				found = found || s == q.AnswerSentence
			}
		}
		if !found {
			t.Errorf("line %d: answer sentence %q is not a sentence of %s", n, q.AnswerSentence, q.Article)
		}
		hasAnswer := false
		for _, ans := range q.Answers {
			hasAnswer = hasAnswer || strings.Contains(q.AnswerSentence, ans)
		}
		if !hasAnswer {
			t.Errorf("line %d: no answer span %q in the answer sentence", n, q.Answers)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 12 {
		t.Errorf("only %d questions", n)
	}
}

func FuzzParse(f *testing.F) {
	seeds := []struct{ name, data string }{
		{"a.txt", "Title\nCBC\nOne. Two.\nThree."},
		{"a.txt", "\xff\xfe\x00x"},
		{"a.md", "---\ntitle: T\n---\n# H\n\n*em* [l](u) `c`\n```\ncode\n```"},
		{"a.html", "<title>T</title><p>Para.</p>"},
		{"a.markdown", "Setext\n===\n\n- item\n> quote"},
		{"a.htm", "<div><div><div>deep</div></div></div>"},
	}
	for _, s := range seeds {
		f.Add(s.name, []byte(s.data))
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		a, err := Parse(name, data)
		if err != nil {
			if !Supported(name) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("unsupported %q: error %v does not wrap ErrUnsupported", name, err)
			}
			return
		}
		if len(a.Paragraphs) == 0 || a.ID == "" {
			t.Fatalf("no paragraphs or ID without an error: %+v", a)
		}
		if !utf8.ValidString(a.Title) || !utf8.ValidString(a.Source) {
			t.Fatalf("invalid UTF-8 title %q or source %q", a.Title, a.Source)
		}
		for _, p := range a.Paragraphs {
			if p == "" || p != strings.TrimSpace(p) || strings.ContainsAny(p, "\n\r\x00") || !utf8.ValidString(p) {
				t.Fatalf("bad paragraph %q", p)
			}
		}
		checkChunks(t, a, ChunkOptions{}, ChunkArticle(a, ChunkOptions{}))
	})
}

func TestParseHTMLHonoursItsCharset(t *testing.T) {
	t.Parallel()
	page := []byte("<html><head><meta charset=\"iso-8859-1\"><title>Caf\xe9 opens on the quay</title></head><body>" +
		"<p>The new caf\xe9 on the quay opened on Monday with a queue around the block and cr\xe8me br\xfbl\xe9e on the menu.</p></body></html>")
	a, err := Parse("cafe.html", page)
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Café opens on the quay" || !strings.Contains(a.Text(), "crème brûlée") {
		t.Errorf("title %q, text %q: the page's charset was not honoured", a.Title, a.Text())
	}
}

// TestParseTitleOfLongWords checks that a title made from text whose words
// are very long (a pasted URL, a line of code, Chinese or Japanese text
// without spaces) stays short, and that the text stays whole in the body.
func TestParseTitleOfLongWords(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 5000)
	link := "https://example.org/" + strings.Repeat("a", 300)
	kanji := strings.Repeat("港", 60)
	tests := []struct {
		name, file, data string
		title            string
		paras            []string
	}{
		{"one-line file of one long word", "a.txt", long + "\n", strings.Repeat("x", 40) + " …", []string{long}},
		{"long first line before a body", "a.txt", link + "\nThe ferry left at noon.\nNo one was hurt.",
			"https://example.org/" + strings.Repeat("a", 20) + " …", []string{link, "The ferry left at noon.", "No one was hurt."}},
		{"one sentence without spaces", "a.md", kanji, strings.Repeat("港", 40) + " …", []string{kanji}},
		{"short words are not cut", "a.txt", "The ferry left at noon.", "The ferry left at noon.", []string{"The ferry left at noon."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := Parse(tt.file, []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if a.Title != tt.title {
				t.Errorf("title %.80q (%d bytes), want %q", a.Title, len(a.Title), tt.title)
			}
			if strings.Join(a.Paragraphs, "\n") != strings.Join(tt.paras, "\n") {
				t.Errorf("paragraphs %.200q, want %.200q", a.Paragraphs, tt.paras)
			}
		})
	}
}

// TestParseDates checks the date forms of front matter and header lines,
// Jekyll's among them, and that a date no layout fits is left unknown.
func TestParseDates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, date string
		want       string // RFC 3339; "" for unknown
	}{
		{"RFC 3339", "2025-03-02T10:15:00+01:00", "2025-03-02T10:15:00+01:00"},
		{"RFC 3339 with fraction", "2025-03-02T10:15:00.250Z", "2025-03-02T10:15:00Z"},
		{"offset without a colon", "2025-03-02T10:15:00+0100", "2025-03-02T10:15:00+01:00"},
		{"Jekyll", "2025-03-02 10:15:00 +0100", "2025-03-02T10:15:00+01:00"},
		{"Jekyll without offset", "2025-03-02 10:15:00", "2025-03-02T10:15:00Z"},
		{"Jekyll without seconds", "2025-03-02 10:15 -0500", "2025-03-02T10:15:00-05:00"},
		{"day only", "2025-03-02", "2025-03-02T00:00:00Z"},
		{"quoted", `"2025-03-02"`, "2025-03-02T00:00:00Z"},
		{"written", "March 2, 2025", "2025-03-02T00:00:00Z"},
		{"ambiguous", "03/02/2025", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, doc := range []struct{ file, data string }{
				{"a.md", "---\ntitle: Ferry\ndate: " + tt.date + "\n---\nThe ferry left at noon.\n"},
				{"a.txt", "Ferry\nDate: " + tt.date + "\nThe ferry left at noon.\n"},
			} {
				a, err := Parse(doc.file, []byte(doc.data))
				if err != nil {
					t.Fatal(err)
				}
				got := ""
				if !a.Published.IsZero() {
					got = a.Published.Format(time.RFC3339)
				}
				if got != tt.want {
					t.Errorf("%s: published %q, want %q", doc.file, got, tt.want)
				}
			}
		})
	}
}

// TestParseFrontMatter checks YAML and Hugo's TOML front matter, and author
// lists, which showed as the raw front matter or with their brackets.
func TestParseFrontMatter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data            string
		title, author, source string
		published             string // 2006-01-02
	}{
		{"YAML", "---\ntitle: \"Pier: closed\"\nauthor: Dana Whitfield\nsource: Courier\ndate: 2024-11-05\n---\nThe pier is closed.\n",
			"Pier: closed", "Dana Whitfield", "Courier", "2024-11-05"},
		{"TOML", "+++\ntitle = \"Pier = closed\"\nauthors = [\"Dana Whitfield\"]\ndate = 2024-11-05T10:00:00+01:00\n+++\n\nThe pier is closed.\n",
			"Pier = closed", "Dana Whitfield", "", "2024-11-05"},
		{"YAML author list", "---\ntitle: Pier closed\nauthor: [Dana Whitfield, 'Omar Reyes']\n---\nThe pier is closed.\n",
			"Pier closed", "Dana Whitfield, Omar Reyes", "", ""},
		{"YAML authors", "---\ntitle: Pier closed\nauthors: [\"Dana Whitfield\"]\n---\nThe pier is closed.\n",
			"Pier closed", "Dana Whitfield", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := Parse("a.md", []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if a.Title != tt.title || a.Author != tt.author || a.Source != tt.source {
				t.Errorf("title %q author %q source %q, want %q %q %q", a.Title, a.Author, a.Source, tt.title, tt.author, tt.source)
			}
			if got := a.Published.Format(time.DateOnly); tt.published != "" && got != tt.published || tt.published == "" && !a.Published.IsZero() {
				t.Errorf("published %v, want %q", a.Published, tt.published)
			}
			if strings.Join(a.Paragraphs, "\n") != "The pier is closed." {
				t.Errorf("paragraphs %q", a.Paragraphs)
			}
		})
	}
}
