package bot

import (
	"slices"
	"testing"
)

func TestSourceLinesGroupByArticle(t *testing.T) {
	t.Parallel()
	pact := Citation{ArticleID: "a1", Title: "Pact signed", URL: "https://news.example/pact"}
	toll := Citation{ArticleID: "a2", Title: "Toll rises"}
	at := func(c Citation, n int) Citation { c.N = n; return c }
	tests := []struct {
		name string
		cits []Citation
		want []string // title and markers of each line
	}{
		{"none", nil, nil},
		{"one article, three passages", []Citation{at(pact, 1), at(pact, 2), at(pact, 3)}, []string{"Pact signed [1] [2] [3]"}},
		{"two articles interleaved", []Citation{at(pact, 1), at(toll, 2), at(pact, 3)}, []string{"Pact signed [1] [3]", "Toll rises [2]"}},
		{"numbers out of order", []Citation{at(toll, 2), at(toll, 1)}, []string{"Toll rises [1] [2]"}},
		// Same title, another article (another server's copy, say): two lines.
		{"same title, other article", []Citation{at(pact, 1), {N: 2, ArticleID: "a9", Title: "Pact signed", URL: "https://news.example/pact"}},
			[]string{"Pact signed [1]", "Pact signed [2]"}},
		// Without an article ID nothing says they are one article.
		{"no article IDs", []Citation{{N: 1, Title: "Note"}, {N: 2, Title: "Note"}}, []string{"Note [1]", "Note [2]"}},
	}
	for _, tt := range tests {
		var got []string
		for _, l := range SourceLines(tt.cits) {
			got = append(got, l.Title+" "+l.Markers("[%d]"))
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
