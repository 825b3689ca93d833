package prompts

import "testing"

func TestIsDecline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		answer      string
		decline     bool
		mayBeMarker bool
	}{
		{DeclineMarker, true, true},
		{"  **" + DeclineMarker + "**", true, true},
		{"`" + DeclineMarker + "`.", true, true},
		{"The passages do not say. " + DeclineMarker, true, false},
		{"It was signed in 1648 [1]. " + DeclineMarker, false, false},
		{"It was signed in 1648 [1].", false, false},
		{"", false, true},
		{"NOT_IN", false, true},
		{"NOT ONLY", false, false},
	}
	for _, tt := range tests {
		if got := IsDecline(tt.answer); got != tt.decline {
			t.Errorf("IsDecline(%q) = %v, want %v", tt.answer, got, tt.decline)
		}
		if got := MayBeDecline(tt.answer); got != tt.mayBeMarker {
			t.Errorf("MayBeDecline(%q) = %v, want %v", tt.answer, got, tt.mayBeMarker)
		}
	}
}
