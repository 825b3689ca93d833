package text

import (
	"slices"
	"strings"
	"testing"
)

func TestStemMatchesPorter(t *testing.T) {
	t.Parallel()
	// Pairs from Porter's paper and the reference vocabulary.
	tests := map[string]string{
		"caresses": "caress", "ponies": "poni", "ties": "ti", "cats": "cat",
		"feed": "feed", "agreed": "agre", "plastered": "plaster", "motoring": "motor",
		"sing": "sing", "conflated": "conflat", "troubled": "troubl", "sized": "size",
		"hopping": "hop", "tanned": "tan", "falling": "fall", "hissing": "hiss",
		"fizzed": "fizz", "failing": "fail", "filing": "file", "happy": "happi",
		"sky": "sky", "relational": "relat", "conditional": "condit", "rational": "ration",
		"valenci": "valenc", "digitizer": "digit", "conformabli": "conform",
		"radicalli": "radic", "differentli": "differ", "vileli": "vile",
		"analogousli": "analog", "vietnamization": "vietnam", "predication": "predic",
		"operator": "oper", "feudalism": "feudal", "decisiveness": "decis",
		"hopefulness": "hope", "callousness": "callous", "formaliti": "formal",
		"sensitiviti": "sensit", "sensibiliti": "sensibl", "triplicate": "triplic",
		"formative": "form", "formalize": "formal", "electriciti": "electr",
		"electrical": "electr", "hopeful": "hope", "goodness": "good",
		"revival": "reviv", "allowance": "allow", "inference": "infer",
		"airliner": "airlin", "adjustable": "adjust", "defensible": "defens",
		"irritant": "irrit", "replacement": "replac", "adjustment": "adjust",
		"dependent": "depend", "adoption": "adopt", "homologou": "homolog",
		"communism": "commun", "activate": "activ", "angulariti": "angular",
		"homologous": "homolog", "effective": "effect", "bowdlerize": "bowdler",
		"probate": "probat", "rate": "rate", "cease": "ceas", "controll": "control",
		"roll": "roll", "generalization": "gener", "flooding": "flood", "floods": "flood",
		"évacuation": "évacuation", "go": "go",
	}
	for in, want := range tests {
		if got := Porter(in); got != want {
			t.Errorf("Porter(%q) = %q, want %q", in, got, want)
		}
		if _, irregular := irregularBase[in]; !irregular {
			if got := Stem(in); got != want {
				t.Errorf("Stem(%q) = %q, want %q (no irregular form)", in, got, want)
			}
		}
	}
}

// TestStemReadsIrregularForms: irregular past tenses, participles and
// plurals stem as their base form does, and Porter leaves them apart.
func TestStemReadsIrregularForms(t *testing.T) {
	t.Parallel()
	tests := []struct{ form, base string }{
		{"began", "begin"}, {"begun", "beginning"}, {"built", "builds"}, {"found", "finding"},
		{"led", "leads"}, {"held", "holding"}, {"taught", "teaches"}, {"written", "writes"},
		{"wrote", "writing"}, {"took", "takes"}, {"shown", "showed"}, {"became", "becomes"},
		{"fought", "fights"}, {"withdrew", "withdrawal"}, {"children", "child"}, {"women", "woman"},
		{"overthrown", "overthrow"}, {"sought", "seeking"}, {"died", "die"}, {"dying", "die"}, {"tied", "tie"},
	}
	for _, tt := range tests {
		if got, want := Stem(tt.form), Stem(tt.base); got != want {
			t.Errorf("Stem(%q) = %q, want %q as for %q", tt.form, got, want, tt.base)
		}
		if Porter(tt.form) == Porter(tt.base) {
			t.Errorf("Porter(%q) = Porter(%q): not an irregular form", tt.form, tt.base)
		}
	}
	// Words more often something else than a form are left alone.
	for _, w := range []string{"left", "fed", "bit", "rose", "saw", "ground", "born", "founded"} {
		if got := Stem(w); got != Porter(w) {
			t.Errorf("Stem(%q) = %q, want Porter's %q", w, got, Porter(w))
		}
	}
	for form, base := range irregularBase {
		if form == base || irregularBase[base] != "" {
			t.Errorf("irregular form %q reads as %q, itself a form or the same word", form, base)
		}
	}
}

func TestTerms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"What is the", nil},
		{"Why did the river FLOOD in Millbrook?", []string{"river", "flood", "millbrook"}},
		{"Floods, flooding & flooded!", []string{"flood", "flood", "flood"}},
		{"Don't panic: 2,000 homes", []string{"panic", "2", "000", "home"}},
		{"Café Zürich naïve", []string{"café", "zürich", "naïve"}},
		// "won" is the past of "win", "Don" a name and "Shan" a people,
		// except as the first part of a negative contraction, with a
		// straight or a curly apostrophe.
		{"Who won the election?", []string{"win", "elect"}},
		{"They won't win; they WON’T.", []string{"win"}},
		{"Don Cossacks don't ride. DON'T", []string{"don", "cossack", "ride"}},
		{"The Shan shan't", []string{"shan"}},
		{"won'ton, don't-stop, won'", []string{"win", "ton", "stop", "win"}},
		{"didn't couldn't isn't", nil},
	}
	for _, tt := range tests {
		if got := Terms(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Terms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSameStem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"evacu", "evacue", true},
		{"evacue", "evacu", true},
		{"month", "monthli", true},
		{"flood", "flood", false}, // equal terms are not "sharing" a stem
		{"cat", "catch", false},   // shorter than 4 letters
		{"river", "rival", false},
	}
	for _, tt := range tests {
		if got := SameStem(tt.a, tt.b); got != tt.want {
			t.Errorf("SameStem(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	if !SharesStem("evacu", map[string]bool{"evacue": true}) || SharesStem("evacu", map[string]struct{}{"evacu": {}}) {
		t.Error("SharesStem disagrees with SameStem")
	}
}

func TestForEachWordAt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string // word=as written
	}{
		{"How is it charecterized?", []string{"how=How", "is=is", "it=it", "charecterized=charecterized"}},
		{"Gospić, 1856 — Tesla's", []string{"gospić=Gospić", "1856=1856", "tesla=Tesla", "s=s"}},
		{"  ", nil},
		{"ÉCOLE", []string{"école=ÉCOLE"}},
	}
	for _, tt := range tests {
		var got []string
		ForEachWordAt(tt.in, func(start, end int, w string) { got = append(got, w+"="+tt.in[start:end]) })
		if !slices.Equal(got, tt.want) {
			t.Errorf("ForEachWordAt(%q) = %q, want %q", tt.in, got, tt.want)
		}
		var words []string
		ForEachWord(tt.in, func(w string) { words = append(words, w) })
		if len(words) != len(got) {
			t.Errorf("ForEachWord(%q) gives %d words, ForEachWordAt %d", tt.in, len(words), len(got))
		}
	}
}

// FuzzForEachWordAt: the words are the lower-cased text at their offsets,
// in order and apart, and the same as ForEachWord's.
func FuzzForEachWordAt(f *testing.F) {
	for _, s := range []string{"How is it charecterized?", "Gospić, 1856 — Tesla's", "ÉCOLE\u0301x", "a\xffb", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var words []string
		ForEachWord(s, func(w string) { words = append(words, w) })
		last, i := 0, 0
		ForEachWordAt(s, func(start, end int, w string) {
			if start < last || end <= start || end > len(s) {
				t.Fatalf("word %q at %d:%d after %d in %q", w, start, end, last, s)
			}
			if w != strings.ToLower(s[start:end]) {
				t.Fatalf("word %q, text %q at %d:%d", w, s[start:end], start, end)
			}
			if i >= len(words) || words[i] != w {
				t.Fatalf("word %d %q, ForEachWord gives %q", i, w, words)
			}
			last, i = end, i+1
		})
		if i != len(words) {
			t.Fatalf("%d words at offsets, %d from ForEachWord", i, len(words))
		}
	})
}
