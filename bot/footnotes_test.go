package bot

import (
	"strings"
	"testing"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/fakeopenai"
	"github.com/citebot/citebot/retrieval"
)

// footnoteArticles are a hostile article, whose text carries bracketed
// numerals of its own ("[2][3]", "[1-99]") and its editors' notes
// ("[citation needed]"), and others about the same bay, so that a search
// finds passages for those numerals to point at.
func footnoteArticles() []ingest.Article {
	return []ingest.Article{
		{Title: "Kestrel Bay lighthouse turns 130", Source: "Bay Wiki", Paragraphs: []string{
			"The Kestrel Bay lighthouse was first lit in 1894,[citation needed] and its keeper logged 212 passing ships in its first year.[2][3] " +
				"The keeper's logbooks for every season since are indexed [1-99] in the harbour archive.",
		}},
		{Title: "Kestrel Bay harbour archive reopens", Source: "Harbour Gazette", Paragraphs: []string{
			"The Kestrel Bay harbour archive reopened on Monday with the lighthouse keeper's logbooks on display.",
		}},
		{Title: "Ships return to Kestrel Bay", Source: "Harbour Gazette", Paragraphs: []string{
			"More passing ships called at Kestrel Bay this year than in any year since the lighthouse keeper's first.",
		}},
	}
}

// TestFootnotesAreNotCitations: the article's own numerals never become
// the answer's citation markers, nor is its editors' note quoted; the
// answer cites only the passage it quotes.
func TestFootnotesAreNotCitations(t *testing.T) {
	t.Parallel()
	core, _ := newStoreCore(t, CoreOptions{})
	for _, a := range footnoteArticles() {
		if _, err := core.Ingest(t.Context(), retrieval.SharedScope, a); err != nil {
			t.Fatal(err)
		}
	}
	ans, err := core.Ask(t.Context(), Question{Text: "How many passing ships did the Kestrel Bay lighthouse keeper log in its first year?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Passages) < 3 {
		t.Fatalf("the search found %d passages, want the 3 articles: the test proves nothing", len(ans.Passages))
	}
	const quoted = "first lit in 1894, and its keeper logged 212 passing ships in its first year."
	if !strings.Contains(ans.Text, quoted+" [1]") {
		t.Fatalf("answer %q does not quote %q cited [1]", ans.Text, quoted)
	}
	if len(ans.Citations) != 1 || ans.Citations[0].Title != "Kestrel Bay lighthouse turns 130" {
		t.Errorf("answer %q cites %+v, want only the lighthouse article it quotes", ans.Text, ans.Citations)
	}
	for _, m := range []string{"[2]", "[3]", "[1-99]", "[citation needed]"} {
		if strings.Contains(ans.Text, m) {
			t.Errorf("answer %q holds the article's %s", ans.Text, m)
		}
	}
}

// TestFootnotesDoNotReachTheModel: the passages a model reads carry no
// bracketed numerals but the fences' own numbers, so it cannot copy an
// article's footnote as a citation, and no editors' notes.
func TestFootnotesDoNotReachTheModel(t *testing.T) {
	t.Parallel()
	env := newLLMEnv(t, fakeopenai.Options{})
	core, _ := newStoreCore(t, CoreOptions{Answerer: env.answerer()})
	for _, a := range footnoteArticles() {
		if _, err := core.Ingest(t.Context(), retrieval.SharedScope, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := core.Ask(t.Context(), Question{Text: "How many passing ships did the Kestrel Bay lighthouse keeper log in its first year?"}); err != nil {
		t.Fatal(err)
	}
	// The passages' fences, in every message the model received (the
	// system prompt's own "[1][3]" example is not a passage).
	var prompt string
	for _, r := range env.fake.Requests() {
		if r.Chat != nil {
			for _, m := range r.Chat.Messages {
				for _, f := range fence.FindAllString(m.Content, -1) {
					prompt += f + "\n"
				}
			}
		}
	}
	if !strings.Contains(prompt, "first lit in 1894, and its keeper logged 212 passing ships in its first year.") {
		t.Fatalf("the model was not given the lighthouse passage: the test proves nothing:\n%s", prompt)
	}
	for _, m := range []string{"[2]", "[3]", "[1-99]", "[citation needed]"} {
		if strings.Contains(prompt, m) {
			t.Errorf("the prompt holds the article's %s:\n%s", m, prompt)
		}
	}
}
