package ingest

import "strings"

// cleanHTMLArticle normalises extractHTML's result: paragraphs cleaned,
// leading paragraphs that repeat the title dropped (Article.Paragraphs
// must not repeat it), and a title made from the text when there is none.
func cleanHTMLArticle(a Article) Article {
	a.Title = cleanParagraph(strings.ToValidUTF8(a.Title, "\uFFFD"))
	var paras []string
	for _, p := range a.Paragraphs {
		if p = cleanParagraph(strings.ToValidUTF8(p, "\uFFFD")); p != "" {
			paras = append(paras, p)
		}
	}
	for len(paras) > 1 && a.Title != "" && normalise(paras[0]) == normalise(a.Title) {
		paras = paras[1:]
	}
	// A title repeated after navigation text ("Home | News") as the h1.
	for i := 1; len(paras) > 1 && i < len(paras) && i < 4; i++ {
		if normalise(paras[i]) == normalise(a.Title) {
			paras = append(paras[:i:i], paras[i+1:]...)
			break
		}
	}
	a.Paragraphs = paras
	if a.Title == "" && len(paras) > 0 {
		a.Title = shortTitle(paras[0])
	}
	return a
}
