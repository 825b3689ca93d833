package bot

import (
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval"
)

func TestExtractive(t *testing.T) {
	t.Parallel()
	strike := retrieval.Passage{ArticleID: "a", Title: "Transit strike enters second week", Coverage: 0.8,
		Text: "Talks to end the transit strike resumed on Tuesday with a mediator at the table. " +
			"Labour Minister Priya Raman appointed veteran mediator Dr. Helen Straus on Monday night. " +
			"The union has about 3,800 members."}
	council := retrieval.Passage{ArticleID: "b", Title: "Council approves rapid bus plan", Coverage: 0.5,
		Text: "The council approved the plan on Tuesday. The first line will open in 2027, the mayor said."}
	tests := []struct {
		name      string
		question  string
		passages  []retrieval.Passage
		want      string // a sentence the answer must hold
		wantNot   string // text it must not hold
		wantCited string // the marker after want
	}{
		{"who: a name the question lacks", "Who was appointed mediator in the transit strike?", []retrieval.Passage{strike, council},
			"Dr. Helen Straus", "", "[1]"},
		{"how many: a number", "How many members does the union have?", []retrieval.Passage{strike, council},
			"about 3,800 members", "", "[1]"},
		{"when: a year, from the second passage", "When will the first bus line open?", []retrieval.Passage{strike, council},
			"open in 2027", "Priya Raman", "[2]"},
		{"stems", "When were the talks resuming?", []retrieval.Passage{strike},
			"Talks to end the transit strike resumed", "", "[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var deltas []string
			got, err := Extractive{}.Answer(t.Context(), tt.question, tt.passages, nil, func(d string) { deltas = append(deltas, d) })
			if err != nil {
				t.Fatal(err)
			}
			i := strings.Index(got, tt.want)
			if i < 0 {
				t.Fatalf("answer %q lacks %q", got, tt.want)
			}
			if rest := got[i:]; !strings.Contains(rest[:strings.Index(rest, "[")+3], tt.wantCited) {
				t.Errorf("answer %q: %q is not cited as %s", got, tt.want, tt.wantCited)
			}
			if tt.wantNot != "" && strings.Contains(got, tt.wantNot) {
				t.Errorf("answer %q holds %q", got, tt.wantNot)
			}
			if strings.Join(deltas, "") != got {
				t.Errorf("deltas %q do not make up the answer %q", deltas, got)
			}
		})
	}
}

func TestExtractiveNeedsPassages(t *testing.T) {
	t.Parallel()
	if _, err := (Extractive{}).Answer(t.Context(), "why?", nil, nil, nil); err == nil {
		t.Error("no error without passages")
	}
}
