package text

import (
	"math"
	"testing"
)

func TestCoverage(t *testing.T) {
	t.Parallel()
	have := map[string]struct{}{"toll": {}, "bridg": {}, "monthli": {}}
	tests := []struct {
		terms   []string
		weights map[string]float64
		want    float64
	}{
		{[]string{"toll", "bridg"}, nil, 1},
		{[]string{"toll", "ferri"}, nil, 0.5},
		{[]string{"toll", "ferri"}, map[string]float64{"toll": 3, "ferri": 1}, 0.75},
		{[]string{"month", "ferri"}, nil, 0.25}, // "month" shares a stem with "monthli": half credit
		{nil, nil, 0},
	}
	for _, tt := range tests {
		if got := Coverage(tt.terms, tt.weights, have); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("Coverage(%v, %v) = %v, want %v", tt.terms, tt.weights, got, tt.want)
		}
	}
}

func TestCoverageSynonyms(t *testing.T) {
	t.Parallel()
	have := TermSet("each country agrees to help the other repel external aggression")
	tests := []struct {
		question string
		want     float64
	}{
		{"countries attacked", 0.5 + synonymCredit/2}, // "aggression" stands for "attacked"
		{"country aggression", 1},                     // a word there counts in full
		{"countries bombed", 0.5},                     // no synonym
	}
	for _, tt := range tests {
		terms := Distinct(Terms(tt.question))
		if got := Coverage(terms, nil, have); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("Coverage(%q) = %v, want %v", tt.question, got, tt.want)
		}
	}
}
