package bot

import (
	"strings"
	"testing"

	"github.com/citebot/citebot/internal/text"
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
	glacier := retrieval.Passage{ArticleID: "c", Title: "Guides reopen the Tarsk glacier route", Coverage: 0.7,
		Text: "The glacier crossing on foot climbs 1,400 metres over 38 kilometres of ice and moraine. " +
			"Guides say the crossing usually takes about nine days."}
	ferry := retrieval.Passage{ArticleID: "d", Title: "Island news", Coverage: 0.6,
		Text: "The Harbour Line ferry service links the old port with the island villages and is run by the town council. " +
			"It began carrying passengers in 1987, after the causeway closed. Fares have not changed this year."}
	summit := retrieval.Passage{ArticleID: "e", Title: "Putin visits Pyongyang", Coverage: 0.6,
		Text: "Putin said Russia was ready to consider supplying arms to countries that oppose the West. " +
			"WATCH l Putin on June 5 says Moscow would consider providing weapons to others to strike Western targets:\n\n" +
			"The talks lasted two hours."}
	kyiv := retrieval.Passage{ArticleID: "g", Title: "Drone attack on Kyiv", Coverage: 0.6,
		Text: "KYIV, Ukraine (AP) — Russia launched 40 drones overnight, Ukraine's air force said. Most were shot down."}
	nato := retrieval.Passage{ArticleID: "h", Title: "Baltic exercise", Coverage: 0.6,
		Text: "NATO — The alliance said the drills in the Baltic would last two weeks. Ships from nine countries take part."}
	wire := retrieval.Passage{ArticleID: "f", Title: "Putin and Kim meet again", Coverage: 0.6,
		Text: "FILE - Russian President Vladimir Putin and North Korean leader Kim Jong Un meet in Vladivostok, Russia, on April 25, 2019. (AP Photo/Alexander Zemlianichenko, File)\n\n" +
			"The two leaders last met in Vladivostok in 2019, when talks on the nuclear program went nowhere."}
	dock := retrieval.Passage{ArticleID: "i", Title: "Port news", Coverage: 0.7,
		Text: "The dock strike is beginning to hurt exporters, the chamber of commerce said. " +
			"The dock strike began on 3 March after talks on night shifts broke down."}
	bridge := retrieval.Passage{ArticleID: "j", Title: "City news", Coverage: 0.7,
		Text: "Drivers faced long detours on Monday as the Elm Street bridge stayed closed. " +
			"The city closed the Elm Street bridge to traffic because inspectors found cracks in two of its steel beams. " +
			"The bridge carries about 12,000 cars a day."}
	airport := retrieval.Passage{ArticleID: "k", Title: "Neighbourhoods", Coverage: 0.7,
		Text: "Developer William Smilie opened the Chandler airport in 1946 for private pilots. " +
			"The Chandler airport stands on the West Side, beside the old rail yards."}
	castle := retrieval.Passage{ArticleID: "l", Title: "Old town history", Coverage: 0.7,
		Text: "The lords of Varn built the stone castle above the harbour to guard the river crossing. " +
			"The castle was built in 1242, the town's chronicle says."}
	clinic := retrieval.Passage{ArticleID: "m", Title: "Maternity unit to close", Coverage: 0.6,
		Text: "From March, women in labour will be taken to the regional hospital in Castlebridge, a two-hour drive. " +
			"Health authority chief executive Marion Ekberg said the unit needed at least nine midwives but had five."}
	town := retrieval.Passage{ArticleID: "n", Title: "Town news", Coverage: 0.6,
		Text: "The mining company has built houses in the town since 1990. " +
			"This spring the company gave the town a loan of two million dollars for the new school."}
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
		{"how long: a length of time, not any number", "How long does the glacier crossing take on foot?", []retrieval.Passage{glacier},
			"takes about nine days", "", "[1]"},
		{"when: the year is in the sentence after the best", "When did the Harbour Line ferry service start?", []retrieval.Passage{ferry},
			"passengers in 1987", "", "[1]"},
		{"stems", "When were the talks resuming?", []retrieval.Passage{strike},
			"Talks to end the transit strike resumed", "", "[1]"},
		{"a video's caption is no answer", "What did Putin say about providing weapons to others?", []retrieval.Passage{summit},
			"supplying arms to countries", "WATCH", "[1]"},
		{"a wire dateline is not quoted", "How many drones did Russia launch overnight?", []retrieval.Passage{kyiv},
			"Russia launched 40 drones overnight", "(AP)", "[1]"},
		{"a dateline that may be the subject stays", "What did NATO say about the drills?", []retrieval.Passage{nato},
			"NATO — The alliance said the drills", "", "[1]"},
		{"a photo caption is no answer", "When did Putin and Kim last meet?", []retrieval.Passage{wire},
			"met in Vladivostok in 2019", "FILE", "[1]"},
		{"an irregular form is its word", "When did the dock strike begin?", []retrieval.Passage{dock},
			"began on 3 March", "beginning to hurt", "[1]"},
		{"why: the sentence that gives the reason, not the one that restates the question", "Why was the Elm Street bridge closed?", []retrieval.Passage{bridge},
			"because inspectors found cracks", "Drivers faced", "[1]"},
		{"where: the sentence that says where, not the one with a name", "Where is the Chandler airport?", []retrieval.Passage{airport},
			"stands on the West Side", "Smilie", "[1]"},
		{"when: a year before 1500 is a date", "When was the castle built?", []retrieval.Passage{castle},
			"built in 1242", "guard the river crossing", "[1]"},
		{"who is someone named: what they are, not a sentence naming others beside it", "Who is Marion Ekberg?", []retrieval.Passage{clinic},
			"Health authority chief executive Marion Ekberg", "Castlebridge", "[1]"},
		{"a word that stands for the question's", "What did the company lend the town?", []retrieval.Passage{town},
			"gave the town a loan", "since 1990", "[1]"},
	}
	// The same answers whether or not the sentence model helps choose.
	answerers := map[string]Extractive{"words": {}, "meaning": {Meaning: testMeaning(t)}}
	for _, tt := range tests {
		for name, e := range answerers {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				var deltas []string
				got, err := e.Answer(t.Context(), tt.question, tt.passages, nil, func(d string) { deltas = append(deltas, d) })
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
}

// TestExtractiveMeaning: for a question that names no kind of answer
// ("what is …"), the sentence model chooses the sentence that says it in
// other words over one that only shares the question's words, and quotes
// it alone; without the model, words choose.
func TestExtractiveMeaning(t *testing.T) {
	t.Parallel()
	reef := []retrieval.Passage{{ArticleID: "a", Title: "The reef", Coverage: 0.5,
		Text: "Living things on the reef include corals, fish, turtles and sponges. " +
			"The reef is the biggest single formation built by organisms anywhere on Earth. " +
			"It lies off the coast of the state."}}
	question := "What is the largest structure made by living things?"
	tests := []struct {
		name string
		e    Extractive
		want string
	}{
		{"words", Extractive{}, "Living things on the reef include corals, fish, turtles and sponges. [1]"},
		{"meaning", Extractive{Meaning: testMeaning(t)}, "The reef is the biggest single formation built by organisms anywhere on Earth. [1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.e.Answer(t.Context(), question, reef, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("answer %q, want %q", got, tt.want)
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

// TestExtractiveSaysTheAnswerAndStops asks sample questions whose answer
// is one sentence: the answer is that sentence alone, not padded with a
// second that merely shares a word with the question (the authority
// chair's reaction to the strike, another article's sales figures).
func TestExtractiveSaysTheAnswerAndStops(t *testing.T) {
	t.Parallel()
	store, meaning := sampleStore(t), testMeaning(t)
	cores := map[string]*Core{
		"words":   NewCore(CoreOptions{Store: store, Answerer: Extractive{}}),
		"meaning": NewCore(CoreOptions{Store: store, Answerer: Extractive{Meaning: meaning}, Meaning: meaning}),
	}
	tests := []struct{ question, want string }{
		{"Is paratransit still running during the Riverton strike?",
			"Paratransit service for riders with disabilities will continue, the authority said, because those drivers are employed by a private contractor and are not part of the union. [1]"},
		{"Who was named mediator in the Riverton transit dispute?",
			`Labour Minister Priya Raman appointed veteran mediator Dr. Helen Straus on Monday night, saying the strike had "gone on long enough for families and small businesses." [1]`},
		{"What was voter turnout in the Northvale election?",
			"Elections Northvale put turnout at 58.4 per cent, the lowest in more than four decades. [1]"},
	}
	for _, tt := range tests {
		for name, core := range cores {
			t.Run(name+"/"+tt.question, func(t *testing.T) {
				t.Parallel()
				ans, err := core.Ask(t.Context(), Question{Text: tt.question})
				if err != nil {
					t.Fatal(err)
				}
				if ans.Text != tt.want || len(ans.Citations) != 1 {
					t.Errorf("answer %q citing %d passages, want %q citing 1", ans.Text, len(ans.Citations), tt.want)
				}
			})
		}
	}
}

// TestExtractiveReading: a Reading model (here the built-in sentence model
// standing in for a trained reader) ranks every kind of question but "how
// long", where the Meaning model ranks only those in meaningTypes.
func TestExtractiveReading(t *testing.T) {
	t.Parallel()
	passages := []retrieval.Passage{{ArticleID: "a", Title: "Ferry news", Coverage: 0.6,
		Text: "The Harbour Line ferry is run by the town council. It began carrying passengers in 1987. The crossing takes about forty minutes."}}
	tests := []struct {
		question      string
		meaning, read bool // whether each ranks by a model
	}{
		{"Who runs the Harbour Line ferry?", false, true},
		{"When did the ferry begin carrying passengers?", false, true},
		{"What does the Harbour Line ferry carry?", true, true},
		{"How long does the crossing take?", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			t.Parallel()
			for _, c := range []struct {
				e    Extractive
				want bool
			}{{Extractive{Meaning: testMeaning(t)}, tt.meaning}, {Extractive{Reading: testMeaning(t)}, tt.read}} {
				cands := scoreSentences(tt.question, text.Distinct(text.Terms(tt.question)), passages)
				ranked, err := c.e.rankByMeaning(t.Context(), tt.question, cands)
				if err != nil {
					t.Fatal(err)
				}
				if ranked != c.want {
					t.Errorf("reading %v: ranked by a model %v, want %v", c.e.Reading != nil, ranked, c.want)
				}
				if ranked && cands[0].cos == 0 {
					t.Errorf("reading %v: ranked, but no cosine recorded", c.e.Reading != nil)
				}
			}
		})
	}
}

// TestExtractiveReadsWonAndDon: "won" is the past of "win" and "Don" a
// name, not the first parts of "won't" and "don't" (text.Terms): the
// sentence saying who won the vote is quoted, not the one that opens the
// passage with a name and the vote, and the Don's quarry is told from the
// Severn's.
func TestExtractiveReadsWonAndDon(t *testing.T) {
	t.Parallel()
	passages := []retrieval.Passage{{ArticleID: "a", Title: "Ward council", Coverage: 0.5,
		Text: "Mayor Ada Brook called the vote on Tuesday after weeks of debate about the quarry. " +
			"Alderman Tom Pike won the vote by twelve ballots to nine. " +
			"Gravel from the Severn quarry goes to the harbour works. " +
			"Gravel from the Don quarry goes to the ring road, the clerk said."}}
	tests := []struct{ question, want string }{
		{"Who won the vote?", "Alderman Tom Pike won the vote by twelve ballots to nine. [1]"},
		{"What happens to gravel from the Don quarry? I don't know.", "Gravel from the Don quarry goes to the ring road, the clerk said. [1]"},
	}
	for _, tt := range tests {
		t.Run(tt.question, func(t *testing.T) {
			t.Parallel()
			got, err := Extractive{}.Answer(t.Context(), tt.question, passages, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("answer %q, want %q", got, tt.want)
			}
		})
	}
}
