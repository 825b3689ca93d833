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

func TestUntilDecline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		start, show string
		declined    bool
	}{
		{"", "", false},
		{"**NOT_IN", "", false},
		{"Sorry, ", "Sorry, ", false},
		{"Sorry, NOT_IN", "Sorry, ", false},
		{"Sorry, N", "Sorry, ", false},
		{"Sorry, NOT_IN_PASSAGES", "", true},
		{"Sorry, NOT_IN_PASSAGES, the passages say nothing", "", true},
		{"It was signed in 1648 [1]. NOT_IN_PASSAGES", "", true},
		{DeclineMarker, "", true},
		{"NOT ONLY seafood", "NOT ONLY seafood", false},
		{"ANNOT", "AN", false},
		{"ANNOTATED ", "ANNOTATED ", false},
	}
	for _, tt := range tests {
		show, declined := UntilDecline(tt.start)
		if show != tt.show || declined != tt.declined {
			t.Errorf("UntilDecline(%q) = %q, %v, want %q, %v", tt.start, show, declined, tt.show, tt.declined)
		}
	}
}

func TestWithoutDecline(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"It was signed in 1648 [1].", "It was signed in 1648 [1]."},
		{"It was signed in 1648 [1]. NOT_IN_PASSAGES", "It was signed in 1648 [1]."},
		{"It was signed in 1648 [1].\n\n**NOT_IN_PASSAGES**", "It was signed in 1648 [1]."},
		{"NOT_IN_PASSAGES. It was signed in 1648 [1].", "It was signed in 1648 [1]."},
		{"It was signed [1]; `NOT_IN_PASSAGES`, the date is not given.", "It was signed [1]; the date is not given."},
		{"NOT_IN_PASSAGES NOT_IN_PASSAGES", ""},
	}
	for _, tt := range tests {
		if got := WithoutDecline(tt.in); got != tt.want {
			t.Errorf("WithoutDecline(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
