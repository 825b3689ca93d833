package text

import (
	"slices"
	"testing"
)

func TestVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		word string
		want string // one of Variants(word); "" when it must have none
	}{
		{"center", "centre"},
		{"centres", "centers"},
		{"centered", "centred"},
		{"color", "colour"},
		{"colours", "colors"},
		{"favorite", "favourite"},
		{"honourable", "honorable"},
		{"organized", "organised"},
		{"organisations", "organizations"},
		{"organizational", "organisational"},
		{"analyze", "analyse"},
		{"analysing", "analyzing"},
		{"defense", "defence"},
		{"licences", "licenses"},
		{"catalog", "catalogue"},
		{"dialogues", "dialogs"},
		{"traveled", "travelled"},
		{"travelling", "traveling"},
		{"travellers", "travelers"},
		{"judgment", "judgement"},
		{"paediatric", "pediatric"},
		{"hemoglobin", "haemoglobin"},
		{"oestrogen", "estrogen"},
		{"archaeology", "archeology"},
		{"gray", "grey"},
		{"aluminium", "aluminum"},
		{"programme", "program"},
		{"tyres", "tires"},
		{"tour", ""},
		{"acre", ""},
		{"prize", ""},
		{"michael", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got := Variants(tt.word)
		switch {
		case tt.want == "" && len(got) > 0:
			t.Errorf("Variants(%q) = %q, want none", tt.word, got)
		case tt.want != "" && !slices.Contains(got, tt.want):
			t.Errorf("Variants(%q) = %q, want %q among them", tt.word, got, tt.want)
		case tt.want != "" && !IsVariant(tt.want, tt.word):
			t.Errorf("IsVariant(%q, %q) = false: variants go both ways", tt.want, tt.word)
		}
		if slices.Contains(got, tt.word) {
			t.Errorf("Variants(%q) = %q holds the word itself", tt.word, got)
		}
	}
}

func FuzzVariants(f *testing.F) {
	for _, s := range []string{"center", "organisations", "paediatric", "gray", "", "ør", "ise", "gospić", "émigrés"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, w string) {
		if folded := Fold(w); Fold(folded) != folded {
			t.Fatalf("Fold(%q) = %q, folded again %q", w, folded, Fold(folded))
		}
		for _, v := range Variants(w) {
			if v == w {
				t.Fatalf("Variants(%q) holds the word itself", w)
			}
			if !IsVariant(v, w) {
				t.Fatalf("Variants(%q) holds %q, whose variants %q lack it", w, v, Variants(v))
			}
		}
	})
}

func TestPhrases(t *testing.T) {
	t.Parallel()
	p := Phrases[0]
	tests := []struct {
		in, one, two   string
		hasOne, hasTwo bool
	}{
		{"What percent voted?", "What percent voted?", "What per cent voted?", true, false},
		{"Percent of voters, per  cent or Per cent?", "Percent of voters, percent or Percent?", "Per cent of voters, per  cent or Per cent?", true, true},
		{"What percentage voted, in cents?", "What percentage voted, in cents?", "What percentage voted, in cents?", false, false},
	}
	for _, tt := range tests {
		if got := p.WriteOne(tt.in); got != tt.one {
			t.Errorf("WriteOne(%q) = %q, want %q", tt.in, got, tt.one)
		}
		if got := p.WriteTwo(tt.in); got != tt.two {
			t.Errorf("WriteTwo(%q) = %q, want %q", tt.in, got, tt.two)
		}
		if p.HasOne(tt.in) != tt.hasOne || p.HasTwo(tt.in) != tt.hasTwo {
			t.Errorf("%q: HasOne %v, HasTwo %v, want %v, %v", tt.in, p.HasOne(tt.in), p.HasTwo(tt.in), tt.hasOne, tt.hasTwo)
		}
	}
	if got := WriteOne("34 per cent"); got != "34 percent" {
		t.Errorf("WriteOne = %q", got)
	}
}

func TestFold(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"gospić": "gospic", "émigrés": "emigres", "kücükdeveci": "kucukdeveci", "montreal": "montreal", "ørsted": "ørsted", "": ""} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
