package bot

import (
	"context"
	"errors"
	"testing"

	"github.com/citebot/citebot/retrieval"
)

// TestMisspeltQuestions: a question with a word misspelt against the
// articles is searched, decided and answered as if spelt right; the
// answer's Query says what was searched.
func TestMisspeltQuestions(t *testing.T) {
	t.Parallel()
	core := NewCore(CoreOptions{Store: sampleStore(t), Answerer: Extractive{}})
	tests := []struct {
		misspelt, right string
	}{
		{"What started the fire near Carsen Ridge?", "What started the fire near Carson Ridge?"},
		{"How many transit wrokers went on strike in Riverton?", "How many transit workers went on strike in Riverton?"},
		{"What was voter turnuot in the Northvale election?", "What was voter turnout in the Northvale election?"},
		{"Who scored the overtime winner in the Harbuor Cup final?", "Who scored the overtime winner in the Harbour Cup final?"},
	}
	for _, tt := range tests {
		t.Run(tt.right, func(t *testing.T) {
			t.Parallel()
			want, err := core.Ask(t.Context(), Question{Text: tt.right})
			if err != nil {
				t.Fatal(err)
			}
			got, err := core.Ask(t.Context(), Question{Text: tt.misspelt})
			if err != nil {
				t.Fatal(err)
			}
			if got.Query != tt.right {
				t.Errorf("searched %q, want %q", got.Query, tt.right)
			}
			if !got.Found || got.Text != want.Text || got.Logit != want.Logit {
				t.Errorf("%q: %q (found %v, logit %.2f), want %q (logit %.2f)", tt.misspelt, got.Text, got.Found, got.Logit, want.Text, want.Logit)
			}
		})
	}
}

// failingRespell is a store whose respelling fails.
type failingRespell struct{ *retrieval.Store }

func (failingRespell) Respell(context.Context, []string, string) (string, error) {
	return "", errors.New("disk on fire")
}

// TestRespellingFailureStillAnswers: respelling helps, it never stops an
// answer.
func TestRespellingFailureStillAnswers(t *testing.T) {
	t.Parallel()
	core := NewCore(CoreOptions{Store: failingRespell{sampleStore(t)}, Answerer: Extractive{}})
	q := "How many transit workers went on strike in Riverton?"
	ans, err := core.Ask(t.Context(), Question{Text: q})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Found || ans.Query != q {
		t.Errorf("answer %q (found %v) to %q, want one to the question as written", ans.Text, ans.Found, ans.Query)
	}
}
