package bot

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestLatestQuestionCitesTheNewerArticleWithItsDate(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../testdata/dated/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("dated articles: %v %v", files, err)
	}
	core := NewCore(CoreOptions{Store: storeOf(t, files...), Answerer: Extractive{}})
	tests := []struct{ q, title, byline, answer string }{
		{"What is the latest toll on the Harbourview Bridge?", "Harbourview Bridge toll rises to $4.50 as repair costs climb", "Bay City Courier, 17 Jun 2025", "$4.50"},
		{"What was the toll on the Harbourview Bridge originally?", "Harbourview Bridge toll set at $3 for drivers", "Bay City Courier, 4 Mar 2025", "$3"},
	}
	for _, tt := range tests {
		ans, err := core.Ask(t.Context(), Question{Text: tt.q})
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Found || ans.Citations[0].Title != tt.title || ans.Citations[0].Byline() != tt.byline || !strings.Contains(ans.Text, tt.answer) {
			t.Errorf("%q: %q citing %+v, want %q from %q (%s)", tt.q, ans.Text, ans.Citations, tt.answer, tt.title, tt.byline)
		}
	}
}
