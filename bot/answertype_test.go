package bot

import (
	"testing"

	"github.com/citebot/citebot/internal/text"
)

func TestQuestionType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		question string
		want     answerType
	}{
		{"When did the strike begin?", typeDate},
		{"In what year was the bridge built?", typeDate},
		{"How long did the talks last?", typeDuration},
		{"How long is the bridge?", typeNumber},
		{"How many members does the union have?", typeNumber},
		{"Who appointed the mediator?", typePerson},
		{"Where were the summit talks held?", typePlace},
		{"Which city hosts the final?", typeName},
		{"What French city was it named after?", typeName},
		{"What did Putin say about the United States?", typeOther},
		{"Why are Seoul and Washington concerned?", typeOther},
		// "what" and an auxiliary verb asks about a thing, not for a name.
		{"What will the pact be the basis for?", typeOther},
		{"What are the terms of the agreement?", typeOther},
		{"What would the ferry cost?", typeOther},
		{"What is the fare?", typeOther},
		{"What happened when Putin arrived in Pyongyang?", typeOther},
		// A noun that merely starts like one ("is" in "island") is a noun.
		{"What island did the ferry serve?", typeName},
	}
	for _, tt := range tests {
		if got := questionType(tt.question); got != tt.want {
			t.Errorf("questionType(%q) = %d, want %d", tt.question, got, tt.want)
		}
	}
}

func TestAsksWhoSomeoneIs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		question string
		want     bool
	}{
		{"Who is Marion Ekberg?", true},
		{"who's Fiona MacRae", true},
		{"Who was Boleslaw II of Masovia?", true},
		{"Who were the Normans?", false}, // "the": not a name alone
		{"Who was Tesla's secretary?", false},
		{"Who is the chief librarian?", false},
		{"Who was Philip I's heir?", false},
		{"Who appointed Marion Ekberg?", false},
		{"Who is of Masovia?", false},
	}
	for _, tt := range tests {
		if got := asksWhoSomeoneIs(tt.question); got != tt.want {
			t.Errorf("asksWhoSomeoneIs(%q) = %v, want %v", tt.question, got, tt.want)
		}
	}
}

func TestNewFacts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		question, sentence string
		want               answerType
		holds              bool
	}{
		{"When did the ferry start?", "It began carrying passengers in 1987.", typeDate, true},
		{"When did the ferry start in 1987?", "It began carrying passengers in 1987.", typeDate, false},
		{"How many members does the union have?", "The union has about 3,800 members.", typeNumber, true},
		{"How many members does the union have?", "The union has many members.", typeNumber, false},
		{"Who appointed the mediator?", "Labour Minister Priya Raman appointed a mediator.", typePerson, true},
		// A name the question gives is no answer to it.
		{"Who did Priya Raman appoint?", "Priya Raman appointed a mediator.", typePerson, false},
		{"How long did the talks last?", "The talks lasted two hours.", typeDuration, true},
	}
	for _, tt := range tests {
		qset := map[string]bool{}
		for _, term := range text.Terms(tt.question) {
			qset[term] = true
		}
		if got := findNewFacts(tt.sentence, qset, tt.question).holds(tt.want); got != tt.holds {
			t.Errorf("%q in answer to %q: holds = %v, want %v", tt.sentence, tt.question, got, tt.holds)
		}
	}
}
