package ingest

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func sentenceTexts(text string) []string {
	var out []string
	for _, sp := range Sentences(text) {
		out = append(out, text[sp[0]:sp[1]])
	}
	return out
}

func TestSentences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"empty", "", nil},
		{"spaces only", " \n\t ", nil},
		{"no terminal", "Breaking news", []string{"Breaking news"}},
		{"two", "It rained. Then it stopped.", []string{"It rained.", "Then it stopped."}},
		{"question and exclamation", "Is it over? Yes! It is.", []string{"Is it over?", "Yes!", "It is."}},
		{"interrobang run", "Really?! Yes.", []string{"Really?!", "Yes."}},
		{"titles", "Mr. Bell met Dr. Helen Straus and Prof. Ito. They talked.",
			[]string{"Mr. Bell met Dr. Helen Straus and Prof. Ito.", "They talked."}},
		{"initialism mid sentence", "The U.S. Senate voted. It passed.", []string{"The U.S. Senate voted.", "It passed."}},
		{"initialism at end", "He moved to the U.S. The move was hard.", []string{"He moved to the U.S.", "The move was hard."}},
		{"time", "Workers struck at 5 a.m. Monday after talks failed. Buses stopped at 6 p.m. The city was quiet.",
			[]string{"Workers struck at 5 a.m. Monday after talks failed.", "Buses stopped at 6 p.m.", "The city was quiet."}},
		{"e.g.", "Some fruit, e.g. Apples and pears, were sold. Others rotted.",
			[]string{"Some fruit, e.g. Apples and pears, were sold.", "Others rotted."}},
		{"initials", "The play was by J. R. Smith and ran for years. It closed.",
			[]string{"The play was by J. R. Smith and ran for years.", "It closed."}},
		{"decimals", "Growth was 3.5 per cent. Prices rose 0.4 points.", []string{"Growth was 3.5 per cent.", "Prices rose 0.4 points."}},
		{"money and urls", "It cost $2.1 billion, see example.com/a.b for more. Fine.", []string{"It cost $2.1 billion, see example.com/a.b for more.", "Fine."}},
		{"closing quote", `"We are done," she said. "Go home." Then she left.`,
			[]string{`"We are done," she said.`, `"Go home."`, "Then she left."}},
		{"curly quote", "He said “no.” Nobody argued.", []string{"He said “no.”", "Nobody argued."}},
		{"exclamation in quote then lowercase", `"Stop!" she shouted. It worked.`, []string{`"Stop!" she shouted.`, "It worked."}},
		{"bracket", "The vote passed (barely.) Nobody cheered.", []string{"The vote passed (barely.)", "Nobody cheered."}},
		{"lowercase after period", "The approx. figure is ten. Done.", []string{"The approx. figure is ten.", "Done."}},
		{"number abbreviation", "See Fig. 3 and No. 7 for details. Next.", []string{"See Fig. 3 and No. 7 for details.", "Next."}},
		{"no as answer", "He said no. The end.", []string{"He said no.", "The end."}},
		{"company", "She works at Acme Inc. in Riverton. The firm grew. It is Acme Inc. The end.",
			[]string{"She works at Acme Inc. in Riverton.", "The firm grew.", "It is Acme Inc.", "The end."}},
		{"ellipsis", "Well... maybe. Or not… Later.", []string{"Well... maybe.", "Or not…", "Later."}},
		{"list number", "1. First item is here.", []string{"1. First item is here."}},
		{"year ends sentence", "It opened in 2028. 35,000 riders are expected.", []string{"It opened in 2028.", "35,000 riders are expected."}},
		{"blank line breaks", "A heading\n\nBody text here.", []string{"A heading", "Body text here."}},
		{"single newline does not break", "A wrapped\nline here.", []string{"A wrapped\nline here."}},
		{"leading and trailing space", "  One.  Two.  ", []string{"One.", "Two."}},
		{"cjk", "今日は晴れ。明日は雨！", []string{"今日は晴れ。", "明日は雨！"}},
		{"non-latin capital", "Это правда. Да.", []string{"Это правда.", "Да."}},
		{"invalid utf8", "Bad \xff byte. Next one.", []string{"Bad \xff byte.", "Next one."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := sentenceTexts(tt.text)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("Sentences(%q)\n got %q\nwant %q", tt.text, got, tt.want)
			}
			checkSentences(t, tt.text)
		})
	}
}

// checkSentences checks the invariants of Sentences on text: spans are in
// order, do not overlap, start and end on non-space characters, and
// together hold every non-space byte of text.
func checkSentences(t *testing.T, text string) {
	t.Helper()
	spans := Sentences(text)
	prev := 0
	for i, sp := range spans {
		s, e := sp[0], sp[1]
		if s < prev || e <= s || e > len(text) {
			t.Fatalf("span %d = %v out of order or empty (prev end %d, len %d)", i, sp, prev, len(text))
		}
		if gap := text[prev:s]; strings.TrimFunc(gap, unicode.IsSpace) != "" {
			t.Fatalf("text %q before span %d is not in any sentence", gap, i)
		}
		if r, _ := utf8.DecodeRuneInString(text[s:]); unicode.IsSpace(r) {
			t.Fatalf("span %d = %v starts with space", i, sp)
		}
		if r, _ := utf8.DecodeLastRuneInString(text[:e]); unicode.IsSpace(r) {
			t.Fatalf("span %d = %v ends with space", i, sp)
		}
		prev = e
	}
	if rest := text[prev:]; strings.TrimFunc(rest, unicode.IsSpace) != "" {
		t.Fatalf("trailing text %q is not in any sentence", rest)
	}
}

func FuzzSentences(f *testing.F) {
	for _, s := range []string{"", "One. Two.", "Mr. Bell went to the U.S. The end.", "3.5 a.m. Monday?! \"Yes.\"",
		"今日は晴れ。明日", "a\n\nb", "\xff.\xfe. X", "...", ". . .", "1. 2. 3."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkSentences(t, text)
	})
}
