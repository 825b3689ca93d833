package ingest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// checkChunks checks ChunkArticle's contract on a and its chunks.
func checkChunks(t *testing.T, a Article, opt ChunkOptions, chunks []Chunk) {
	t.Helper()
	opt = opt.withDefaults()
	text := a.Text()
	if strings.TrimFunc(text, unicode.IsSpace) == "" {
		if len(chunks) != 0 {
			t.Fatalf("%d chunks for an article without text", len(chunks))
		}
		return
	}
	if len(chunks) == 0 {
		t.Fatalf("no chunks for text %q", text)
	}
	// Sentence spans in the article text, as the chunker sees them.
	starts, ends := map[int]bool{}, map[int]bool{}
	type span struct{ s, e int }
	var long []span // sentences over MaxWords, which may be cut
	off := 0
	for i, p := range a.Paragraphs {
		if i > 0 {
			off += len(ParagraphSeparator)
		}
		for _, sp := range Sentences(p) {
			starts[off+sp[0]], ends[off+sp[1]] = true, true
			if countWords(p[sp[0]:sp[1]]) > opt.MaxWords {
				long = append(long, span{off + sp[0], off + sp[1]})
			}
		}
		off += len(p)
	}
	inLong := func(x int) bool {
		for _, l := range long {
			if x > l.s && x < l.e {
				return true
			}
		}
		return false
	}
	prevEnd := 0
	for i, c := range chunks {
		if c.Position != i || c.ArticleID != a.ID || c.Title != a.Title {
			t.Fatalf("chunk %d: position %d, article %q, title %q", i, c.Position, c.ArticleID, c.Title)
		}
		if c.Start < 0 || c.End > len(text) || c.Start >= c.End || c.Text != text[c.Start:c.End] {
			t.Fatalf("chunk %d: offsets %d-%d do not give its text %q", i, c.Start, c.End, c.Text)
		}
		if i > 0 && (c.Start <= chunks[i-1].Start || c.End <= chunks[i-1].End) {
			t.Fatalf("chunk %d (%d-%d) does not advance past chunk %d (%d-%d)", i, c.Start, c.End, i-1, chunks[i-1].Start, chunks[i-1].End)
		}
		if c.Start > prevEnd {
			if gap := text[prevEnd:c.Start]; strings.TrimFunc(gap, unicode.IsSpace) != "" {
				t.Fatalf("text %q before chunk %d is in no chunk", gap, i)
			}
		}
		if !starts[c.Start] && !inLong(c.Start) {
			t.Fatalf("chunk %d starts mid-sentence: %q", i, c.Text)
		}
		if !ends[c.End] && !inLong(c.End) {
			t.Fatalf("chunk %d ends mid-sentence: %q", i, c.Text)
		}
		if n := countWords(c.Text); n > opt.MaxWords {
			t.Fatalf("chunk %d has %d words, over MaxWords %d", i, n, opt.MaxWords)
		}
		prevEnd = c.End
	}
	if rest := text[prevEnd:]; strings.TrimFunc(rest, unicode.IsSpace) != "" {
		t.Fatalf("trailing text %q is in no chunk", rest)
	}
}

func sampleArticles(t testing.TB) []Article {
	t.Helper()
	files, err := Files([]string{"../testdata/articles"})
	if err != nil {
		t.Fatal(err)
	}
	var out []Article
	for _, f := range files {
		a, err := ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// TestChunkGolden compares the chunks of each sample article with
// testdata/golden/<file>.golden; run with -update to rewrite them.
func TestChunkGolden(t *testing.T) {
	t.Parallel()
	files, err := Files([]string{"../testdata/articles"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			a, err := ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			chunks := ChunkArticle(a, ChunkOptions{})
			checkChunks(t, a, ChunkOptions{}, chunks)
			var b strings.Builder
			fmt.Fprintf(&b, "title: %s\nsource: %s\nid: %s\n", a.Title, a.Source, a.ID)
			for _, c := range chunks {
				fmt.Fprintf(&b, "\n--- chunk %d [%d:%d] %d words\n%s\n", c.Position, c.Start, c.End, countWords(c.Text), c.Text)
			}
			golden := filepath.Join("testdata", "golden", filepath.Base(f)+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./ingest -run TestChunkGolden -update)", err)
			}
			if b.String() != string(want) {
				t.Errorf("chunks differ from %s (rerun with -update if the change is intended)\n got:\n%s", golden, b.String())
			}
		})
	}
}

func TestChunkSampleSizes(t *testing.T) {
	t.Parallel()
	total, n := 0, 0
	for _, a := range sampleArticles(t) {
		chunks := ChunkArticle(a, ChunkOptions{})
		if words := countWords(a.Text()); words > 250 && len(chunks) < 2 {
			t.Errorf("%s: %d chunk for %d words; more than the default MaxWords (250) make at least two", a.Title, len(chunks), words)
		}
		for _, c := range chunks {
			if w := countWords(c.Text); w > 250 {
				t.Errorf("%s: chunk %d has %d words, over the default MaxWords (250)", a.Title, c.Position, w)
			}
		}
		for i, c := range chunks {
			total += len(c.Text)
			n++
			if i > 0 && c.Start < chunks[i-1].End {
				t.Errorf("%s chunk %d overlaps chunk %d; the default is no overlap", a.Title, i, i-1)
			}
		}
	}
	if mean := total / n; mean > 800 {
		t.Errorf("mean chunk length %d characters, want at most 800", mean)
	}
}

// words returns n words "w0 w1 …" ending with a period.
func words(prefix string, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return strings.Join(w, " ") + "."
}

func TestChunkArticle(t *testing.T) {
	t.Parallel()
	sentence := func(i int) string { return fmt.Sprintf("Sentence %d has exactly six words.", i) }
	para := func(from, n int) string {
		s := make([]string, n)
		for i := range s {
			s[i] = sentence(from + i)
		}
		return strings.Join(s, " ")
	}
	tests := []struct {
		name  string
		paras []string
		opt   ChunkOptions
		want  []string // chunk texts, "¶" standing for the paragraph separator
	}{
		{"empty", nil, ChunkOptions{}, nil},
		{"one short paragraph", []string{"Just this."}, ChunkOptions{}, []string{"Just this."}},
		{"small paragraphs packed", []string{sentence(1), sentence(2), sentence(3)}, ChunkOptions{TargetWords: 12, MaxWords: 20, OverlapSentences: 1},
			[]string{sentence(1) + "¶" + sentence(2), sentence(2) + "¶" + sentence(3)}},
		{"paragraph kept whole up to max", []string{para(1, 3), para(4, 3)}, ChunkOptions{TargetWords: 12, MaxWords: 18, OverlapSentences: -1},
			[]string{para(1, 3), para(4, 3)}},
		{"long paragraph split between sentences", []string{para(1, 5)}, ChunkOptions{TargetWords: 12, MaxWords: 18, OverlapSentences: 1},
			[]string{para(1, 2), para(2, 2), para(3, 2), para(4, 2)}},
		{"overlap dropped when it would pass max", []string{para(1, 3), para(4, 3)}, ChunkOptions{TargetWords: 12, MaxWords: 18, OverlapSentences: 1},
			[]string{para(1, 3), para(4, 3)}},
		{"no overlap by default", []string{para(1, 5)}, ChunkOptions{TargetWords: 12, MaxWords: 18},
			[]string{para(1, 2), para(3, 2), para(5, 1)}},
		{"two sentences of overlap", []string{para(1, 7)}, ChunkOptions{TargetWords: 24, MaxWords: 30, OverlapSentences: 2},
			[]string{para(1, 4), para(3, 4), para(5, 3)}},
		{"short last paragraph joins", []string{para(1, 2), "End."}, ChunkOptions{TargetWords: 12, MaxWords: 18},
			[]string{para(1, 2) + "¶End."}},
		{"overlong sentence cut at words", []string{words("w", 25)}, ChunkOptions{TargetWords: 8, MaxWords: 10},
			[]string{"w0 w1 w2 w3 w4 w5 w6 w7 w8", "w9 w10 w11 w12 w13 w14 w15 w16 w17", "w18 w19 w20 w21 w22 w23 w24."}},
		{"heading moves to the text it introduces", []string{para(1, 2), "Background", para(3, 2)}, ChunkOptions{TargetWords: 14, MaxWords: 20, OverlapSentences: -1},
			[]string{para(1, 2), "Background¶" + para(3, 2)}},
		{"heading stays when it and its text would pass max", []string{sentence(1), "Background notes here", para(3, 2)}, ChunkOptions{TargetWords: 12, MaxWords: 14, OverlapSentences: -1},
			[]string{sentence(1) + "¶Background notes here", para(3, 2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := Article{ID: "t1", Title: "T", Paragraphs: tt.paras}
			chunks := ChunkArticle(a, tt.opt)
			checkChunks(t, a, tt.opt, chunks)
			var got []string
			for _, c := range chunks {
				got = append(got, strings.ReplaceAll(c.Text, ParagraphSeparator, "¶"))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("chunks\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestChunkOptionsDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want ChunkOptions }{
		{ChunkOptions{}, ChunkOptions{130, 250, 0}},
		{ChunkOptions{TargetWords: 300}, ChunkOptions{300, 450, 0}},
		{ChunkOptions{TargetWords: 100, MaxWords: 50, OverlapSentences: -1}, ChunkOptions{100, 100, 0}},
		{ChunkOptions{TargetWords: 60, MaxWords: 90, OverlapSentences: 2}, ChunkOptions{60, 90, 2}},
	}
	for _, tt := range tests {
		if got := tt.in.withDefaults(); got != tt.want {
			t.Errorf("%+v.withDefaults() = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

// TestChunkHostile checks inputs from the hostile-input list: one
// enormous line without sentence breaks, text without spaces, odd bytes.
func TestChunkHostile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		paras []string
	}{
		{"enormous line", []string{strings.Repeat("word ", 20000) + "end"}},
		{"no spaces", []string{strings.Repeat("x", 100000)}},
		{"CJK without spaces", []string{strings.Repeat("今日は晴れ", 5000)}},
		{"untrimmed and empty paragraphs", []string{"  a. ", "", "\n\n", " b "}},
		{"invalid UTF-8", []string{"\xff\xfe. \xc3", strings.Repeat("\xe2\x82", 50)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := Article{ID: "t1", Title: "T", Paragraphs: tt.paras}
			chunks := ChunkArticle(a, ChunkOptions{})
			checkChunks(t, a, ChunkOptions{}, chunks)
			for _, c := range chunks {
				if len(c.Text) > 250*(longWordBytes+1)+8 {
					t.Fatalf("chunk %d is %d bytes", c.Position, len(c.Text))
				}
			}
		})
	}
}

func FuzzChunk(f *testing.F) {
	f.Add("One. Two. Three.\nFour five.\n\nSix.", 0, 0, 0)
	f.Add(strings.Repeat("a b c d e. ", 50), 5, 8, 2)
	f.Add("Heading\nMr. Bell went to the U.S. in 2024. \"Why?\" he asked.", 3, 4, 1)
	f.Add(strings.Repeat("word ", 300), 10, 12, -1)
	f.Add("今日は晴れ。明日は雨！\n\xff\xfe", 1, 1, 3)
	f.Fuzz(func(t *testing.T, text string, target, maxWords, overlap int) {
		opt := ChunkOptions{TargetWords: target % 400, MaxWords: maxWords % 600, OverlapSentences: overlap % 5}
		a := Article{ID: "t1", Title: "T", Paragraphs: strings.Split(text, "\n")}
		checkChunks(t, a, opt, ChunkArticle(a, opt))
	})
}
