package bot

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval"
)

// TestMisspeltQuestions: a question with a word misspelt against the
// articles, spelt as the other side of the Atlantic spells it, or a number
// written without their commas, "percent" where they say "per cent", or
// two words they write as one, is
// searched, decided and answered as if spelt as the articles spell it; the
// answer's Query says what was searched.
func TestMisspeltQuestions(t *testing.T) {
	t.Parallel()
	core := NewCore(CoreOptions{Store: sampleStore(t), Answerer: Extractive{}})
	tests := []struct {
		misspelt, right, note string
	}{
		{"What started the fire near Carsen Ridge?", "What started the fire near Carson Ridge?", "Read “Carsen” as “Carson”."},
		{"How many transit wrokers went on strike in Riverton?", "How many transit workers went on strike in Riverton?", "Read “wrokers” as “workers”."},
		{"What was voter turnuot in the Northvale election?", "What was voter turnout in the Northvale election?", "Read “turnuot” as “turnout”."},
		{"Who scored the overtime winner in the Harbuor Cup final?", "Who scored the overtime winner in the Harbour Cup final?", "Read “Harbuor” as “Harbour”."},
		// The articles' spelling of a word on the other side of the
		// Atlantic is the same word: read so, and not said.
		{"Who scored the overtime winner in the Harbor Cup final?", "Who scored the overtime winner in the Harbour Cup final?", ""},
		{"Where is the reception center for evacuees of the Carson Ridge wildfire?", "Where is the reception centre for evacuees of the Carson Ridge wildfire?", ""},
		// So is a number written without the articles' commas.
		{"Who surveyed 1510 adults for the Northvale poll?", "Who surveyed 1,510 adults for the Northvale poll?", ""},
		{"What percent of the vote did Labour get in the poll?", "What per cent of the vote did Labour get in the poll?", ""},
		{"Who should stay inside because of the wild fire smoke?", "Who should stay inside because of the wildfire smoke?", ""},
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
			if wantNote := strings.TrimSpace(tt.note + " " + want.Note); got.Note != wantNote {
				t.Errorf("note %q, want %q", got.Note, wantNote)
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

func TestRespeltNote(t *testing.T) {
	t.Parallel()
	tests := []struct{ question, respelt, want string }{
		{"Is Bedigo near Gelong?", "Is Bendigo near Gelong?", "Read “Bedigo” as “Bendigo”."},
		{"Bedigo, Gelong or bedigo?", "Bendigo, Geelong or bendigo?", "Read “Bedigo” as “Bendigo”, “Gelong” as “Geelong” and “bedigo” as “bendigo”."},
		{"Bedigo and bedigo", "Bendigo and Bendigo", "Read “Bedigo” as “Bendigo” and “bedigo” as “Bendigo”."},
		{"Is Bedigo near?", "Is Bedigo near?", ""},
		{"one two", "one", ""},
		{"Is the Civic Center in Bedigo?", "Is the Civic Centre in Bendigo?", "Read “Bedigo” as “Bendigo”."},
		{"What does the defense clause say?", "What does the defence clause say?", ""},
		{"Cooperation near Bedigo?", "Co-operation near Bendigo?", "Read “Bedigo” as “Bendigo”."},
		{"Is the co-operation near Bedigo?", "Is the co-operation near Bendigo?", "Read “Bedigo” as “Bendigo”."},
		{"Did 1510 people leave Bedigo?", "Did 1,510 people leave Bendigo?", "Read “Bedigo” as “Bendigo”."},
		{"What percent voted in Bedigo?", "What per cent voted in Bendigo?", "Read “Bedigo” as “Bendigo”."},
		{"Is Gospic near Bedigo?", "Is Gospić near Bendigo?", "Read “Bedigo” as “Bendigo”."},
		{"Is the rain forest near Bedigo?", "Is the rainforest near Bendigo?", "Read “Bedigo” as “Bendigo”."},
		{"Was the superbowl near Bedigo or Gelong?", "Was the super bowl near Bendigo or Geelong?", "Read “Bedigo” as “Bendigo” and “Gelong” as “Geelong”."},
		{"Was the Bedigo superbowl", "Was the Bendigo super bowl", "Read “Bedigo” as “Bendigo”."},
		{"Bedigo rain forest Gelong", "Bendigo rainforest Geelong", "Read “Bedigo” as “Bendigo” and “Gelong” as “Geelong”."},
		{"Did 1,510 people leave Bedigo, 12 or 345?", "Did 1510 people leave Bendigo, 12 or 345?", "Read “Bedigo” as “Bendigo”."},
		{"Was the e-mail sent to Bedigo?", "Was the email sent to Bendigo?", "Read “Bedigo” as “Bendigo”."},
		{"Was Bedigo's mayor re-elected?", "Was Bendigo's mayor reelected?", "Read “Bedigo” as “Bendigo”."},
	}
	for _, tt := range tests {
		if got := respeltNote(tt.question, tt.respelt); got != tt.want {
			t.Errorf("respeltNote(%q, %q) = %q, want %q", tt.question, tt.respelt, got, tt.want)
		}
	}
}

func TestWordDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want string // each stretch as "a words>b words", joined by " | "
	}{
		{"is the rain forest near", "is the rainforest near", "rain forest>rainforest"},
		{"a b c", "a b c", ""},
		{"bedigo and gelong", "bendigo and geelong", "bedigo>bendigo | gelong>geelong"},
		{"x superbowl", "x super bowl", "superbowl>super bowl"},
		{"one two", "one", "two>"},
		{"", "a", ">a"},
	}
	for _, tt := range tests {
		var got []string
		for _, d := range wordDiff(strings.Fields(tt.a), strings.Fields(tt.b)) {
			got = append(got, strings.Join(d[0], " ")+">"+strings.Join(d[1], " "))
		}
		if s := strings.Join(got, " | "); s != tt.want {
			t.Errorf("wordDiff(%q, %q) = %q, want %q", tt.a, tt.b, s, tt.want)
		}
	}
}
