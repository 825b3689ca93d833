package retrieval

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestNumberSpans(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q    string
		want []string // digits of each span, "+" after a grouped one
	}{
		{"Who surveyed 1510 adults?", []string{"1510"}},
		{"Were 1,510 adults and 6,000,000 people asked?", []string{"1510+", "6000000+"}},
		{"What happened in 1510, and since 1920?", nil},
		{"Did 1920 pupils or 12 or 345 or 0123 come?", []string{"1920"}},
		{"Sizes 12, 345 and 12,34 and 1,2345", nil},
		{"Is pi 3.1415 or 1415.5 or 1,510.25 or 1,510,00?", nil},
		{"Was it 1510. Or 2,500, or 1234,", []string{"1510", "2500+", "1234"}},
		{"From 2,000 to 30000", []string{"2000+", "30000"}},
		{"Agent 007 and 42", nil},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, sp := range numberSpans(tt.q) {
			d := sp.digits
			if sp.grouped {
				d += "+"
			}
			got = append(got, d)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("numberSpans(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestGrouped(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"1": "1", "123": "123", "1234": "1,234", "123456": "123,456", "1234567": "1,234,567"} {
		if got := grouped(in); got != want {
			t.Errorf("grouped(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRespellNumbers(t *testing.T) {
	forBackends(t, testRespellNumbers)
}

func testRespellNumbers(t *testing.T, b backend) {
	s := b.openStore(t, b.place(t))
	mustAdd(t, s, SharedScope, article("Poll of Northvale", "Coastline Press",
		"The poll surveyed 1,510 adults in May; 1,920 pupils answered a second poll.",
		"The town planted 6000 trees. Its budget is 2,500,000 dollars."))
	mustAdd(t, s, GuildScope("1"), article("Harbour ferry", "Coast News", "The ferry carried 3,400 passengers."))
	tests := []respellCase{
		{nil, "Who surveyed 1510 adults?", "Who surveyed 1,510 adults?"},
		{nil, "Were 6,000 trees planted?", "Were 6000 trees planted?"},
		{nil, "Were 1,510 adults surveyed?", "Were 1,510 adults surveyed?"},
		{nil, "Did 1920 pupils answer?", "Did 1,920 pupils answer?"},
		{nil, "What happened in 1920?", "What happened in 1920?"},
		{nil, "Is the budget 2500000 or 2500?", "Is the budget 2,500,000 or 2500?"},
		{nil, "Did the ferry carry 3400 passengers?", "Did the ferry carry 3400 passengers?"},
		{SearchScopes(GuildScope("1")), "Did the ferry carry 3400 pasengers?", "Did the ferry carry 3,400 passengers?"},
	}
	checkRespells(t, s, tests)
	if _, err := s.Respell(t.Context(), []string{"no such scope!"}, "Who surveyed 1510 adults?"); err == nil {
		t.Error("Respell of an invalid scope: no error")
	}
}

func FuzzNumberSpans(f *testing.F) {
	for _, s := range []string{"Who surveyed 1510 adults?", "1,510,000 and 3.1415", "in 1920, 2,5", "1,2345", ",123", "9,999,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		end := 0
		for _, sp := range numberSpans(q) {
			if sp.start < end || sp.end <= sp.start || sp.end > len(q) {
				t.Fatalf("numberSpans(%q): span %d:%d after %d", q, sp.start, sp.end, end)
			}
			end = sp.end
			written := q[sp.start:sp.end]
			if !allDigits(sp.digits) || strings.ReplaceAll(written, ",", "") != sp.digits || sp.grouped != strings.Contains(written, ",") {
				t.Fatalf("numberSpans(%q): span %q read as %q (grouped %v)", q, written, sp.digits, sp.grouped)
			}
			if sp.grouped && grouped(sp.digits) != written {
				t.Fatalf("numberSpans(%q): %q is not %q grouped", q, written, sp.digits)
			}
		}
	})
}

func TestRespellPhrases(t *testing.T) {
	forBackends(t, testRespellPhrases)
}

func testRespellPhrases(t *testing.T, b backend) {
	s := b.openStore(t, b.place(t))
	mustAdd(t, s, SharedScope, article("Poll of Northvale", "Coastline Press", "The poll put Labour at 34 per cent. Stamps cost 5 cents."))
	mustAdd(t, s, GuildScope("1"), article("Turnout", "Coast News", "Turnout was 60 percent, and stamps cost 5 cents."))
	mustAdd(t, s, GuildScope("2"), article("Both", "Coast News", "Turnout was 60 percent, or 61 per cent."))
	mustAdd(t, s, GuildScope("3"), article("Stamps", "Coast News", "Stamps cost 5 cents; the percentage rose."))
	tests := []respellCase{
		{[]string{SharedScope}, "What percent did Labour get?", "What per cent did Labour get?"},
		{[]string{SharedScope}, "Percent for Labour?", "Per cent for Labour?"},
		{[]string{SharedScope}, "What per cent did Labour get?", "What per cent did Labour get?"},
		{[]string{GuildScope("1")}, "What per cent turned out?", "What percent turned out?"},
		{[]string{GuildScope("1")}, "What percent turned out?", "What percent turned out?"},
		{[]string{GuildScope("2")}, "What per cent or percent turned out?", "What per cent or percent turned out?"},
		{[]string{GuildScope("3")}, "What percent of stamps cost 5 cents?", "What percent of stamps cost 5 cents?"},
	}
	checkRespells(t, s, tests)
}

func TestRespellJoins(t *testing.T) {
	forBackends(t, testRespellJoins)
}

func testRespellJoins(t *testing.T, b backend) {
	s := b.openStore(t, b.place(t))
	mustAdd(t, s, SharedScope, article("Amazon", "Nature Desk",
		"The Amazon rainforest is vast. The Super Bowl was watched at halftime. A heat wave came. It cannot rain. Cooperation grew; the mayor was reelected. "+
			"He sent an email. The chicken coop burned. The minister will resign."))
	mustAdd(t, s, GuildScope("1"), article("Forests", "Nature Desk", "The rain forest, or rainforest, is wet."))
	mustAdd(t, s, GuildScope("3"), article("Council", "City Desk", "The mayor was reelected; two councillors were re-elected."))
	// Many passages hold "east" before the one that writes "South-East"
	// apart: the check reads those holding both words.
	for i := range 2 * variantChunks {
		mustAdd(t, s, GuildScope("2"), article(fmt.Sprintf("Wind %d", i), "Weather Desk", fmt.Sprintf("Wind %d blew from the east.", i)))
	}
	mustAdd(t, s, GuildScope("2"), article("Museum", "Arts Desk", "The museum shows South-East Asian art and a southeast wing."))
	tests := []respellCase{
		{[]string{SharedScope}, "How big is the rain forest?", "How big is the rainforest?"},
		{[]string{SharedScope}, "Rain forest size?", "Rainforest size?"},
		{[]string{SharedScope}, "What happened at half-time?", "What happened at halftime?"},
		{[]string{SharedScope}, "Who won the superbowl?", "Who won the super bowl?"},
		{[]string{SharedScope}, "When did the heatwave come?", "When did the heat wave come?"},
		{[]string{SharedScope}, "Can not it rain?", "Can not it rain?"},
		{[]string{SharedScope}, "Did co-operation grow?", "Did cooperation grow?"},
		{[]string{SharedScope}, "Was the mayor re-elected?", "Was the mayor reelected?"},
		{[]string{SharedScope}, "Was the mayor re elected?", "Was the mayor re elected?"}, // no hyphen: "re" is a stop word
		{[]string{SharedScope}, "Who sent the e-mail?", "Who sent the email?"},
		{[]string{SharedScope}, "Did the co-op burn?", "Did the co-op burn?"},               // too short: "coop" is another word
		{[]string{SharedScope}, "Will the minister re-sign?", "Will the minister re-sign?"}, // not "resign"
		{[]string{GuildScope("3")}, "Who was re-elected?", "Who was re-elected?"},           // written both ways
		{[]string{SharedScope}, "Is the Amazon rainforest vast?", "Is the Amazon rainforest vast?"},
		{[]string{GuildScope("1")}, "How big is the rain forest?", "How big is the rain forest?"},
		{[]string{GuildScope("2")}, "Which South-East Asian art is shown?", "Which South-East Asian art is shown?"},
		{[]string{GuildScope("2")}, "Where is the south east wing?", "Where is the south east wing?"},
	}
	checkRespells(t, s, tests)
}

// A respellCase is a question asked of scopes and how Respell should
// write it.
type respellCase struct {
	scopes   []string
	in, want string
}

func checkRespells(t *testing.T, s *Store, tests []respellCase) {
	t.Helper()
	for _, tt := range tests {
		got, err := s.Respell(t.Context(), tt.scopes, tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("Respell(%v, %q) = %q, want %q", tt.scopes, tt.in, got, tt.want)
		}
	}
}
