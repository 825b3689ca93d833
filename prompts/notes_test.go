package prompts

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStripEditorNotes(t *testing.T) {
	t.Parallel()
	tests := []rewriteCase{
		{"citation needed", "Students catch the teacher's energy.[citation needed] Then", "Students catch the teacher's energy. Then"},
		{"between words", "the league [citation needed] champion", "the league champion"},
		{"two notes", "It grew.[citation needed][who?] So", "It grew. So"},
		{"capitalised kept", "Press [Update] or [Edit], then f(x)[i] = 2.", "Press [Update] or [Edit], then f(x)[i] = 2."},
		{"update after a date", "As of March 2015[update], ABC has eight stations.", "As of March 2015, ABC has eight stations."},
		{"questions", "It was built[when?] by someone.[by whom?]", "It was built by someone."},
		{"dubious with dash", "A claim.[dubious – discuss] B", "A claim. B"},
		{"named footnotes", "The line closed.[note 3] It [n 1] reopened.", "The line closed. It reopened."},
		{"lettered footnotes", "triplet oxygen.[b] The highest energy.[c][d]", "triplet oxygen. The highest energy."},
		{"page numbers", "for less than $1,000.:251 Although it failed.:4–5", "for less than $1,000. Although it failed."},
		{"several pages", "A fact.:33, 41 Next", "A fact. Next"},
		{"page after a space", "kept in the archive.: 245\nNext,:\u200a4–5 x", "kept in the archive.\nNext, x"},
		{"editorial brackets kept", `Kenyatta was "[a]ccompanied by 60"; "any act[s] which"; "[T]he company [Acme]" [sic]`, `Kenyatta was "[a]ccompanied by 60"; "any act[s] which"; "[T]he company [Acme]" [sic]`},
		{"times and verses kept", "At 10:30, John 3:16 and a 2:1 win.", "At 10:30, John 3:16 and a 2:1 win."},
		{"letters not after punctuation kept", "Option [a] or [b].", "Option [a] or [b]."},
		{"nested notes", "It grew [[n 1]n 2] fast.", "It grew fast."},
		{"nothing", "Plain text.", "Plain text."},
	}
	checkRewrites(t, "StripEditorNotes", StripEditorNotes, tests)
}

func TestForReading(t *testing.T) {
	t.Parallel()
	tests := []rewriteCase{
		{"footnotes, pages and notes", "Tesla thought it would sell for less than $1,000.[12]:251 Its design[citation needed][3] was new.",
			"Tesla thought it would sell for less than $1,000. Its design was new."},
		{"letter note after a footnote", "triplet oxygen.[2][b] The", "triplet oxygen. The"},
		{"a note's removal makes no marker", "Signed in 1648 [1[citation needed]] and [2[who?]-3].", "Signed in 1648 and."},
	}
	checkRewrites(t, "ForReading", ForReading, tests)
}

// FuzzForReading checks that what ForReading leaves holds nothing that
// CheckCitations would read as a citation, whatever notes and markers
// the text mixes.
func FuzzForReading(f *testing.F) {
	f.Add("Signed [1[citation needed]] and [2[who?]-3].[4][b]:7 x")
	f.Add("a [[2]1] b [1[update]]")
	f.Fuzz(func(t *testing.T, text string) {
		got := ForReading(text)
		if m := anyMarker.FindString(got); m != "" {
			t.Fatalf("ForReading(%q) = %q, which still holds marker %s", text, got, m)
		}
	})
}

// FuzzStripEditorNotes checks that StripEditorNotes only removes: it
// keeps valid UTF-8 valid, never lengthens the text, keeps text without
// brackets or colons as it is, and leaves nothing to remove for a second
// pass over its result.
func FuzzStripEditorNotes(f *testing.F) {
	f.Add("It grew.[citation needed][b] So.:33 At 10:30 \"[T]he\" [note 2]")
	f.Add("As of 2015[update], x.[a]:4–5\n[who?]")
	f.Fuzz(func(t *testing.T, text string) {
		got := StripEditorNotes(text)
		if utf8.ValidString(text) && !utf8.ValidString(got) {
			t.Fatalf("StripEditorNotes(%q) = %q, not valid UTF-8", text, got)
		}
		if len(got) > len(text) {
			t.Fatalf("StripEditorNotes(%q) = %q, longer", text, got)
		}
		if !strings.ContainsAny(text, "[:") && got != text {
			t.Fatalf("StripEditorNotes(%q) = %q, changed text without notes", text, got)
		}
		if again := StripEditorNotes(got); again != got {
			t.Fatalf("StripEditorNotes(%q) = %q, and again %q", text, got, again)
		}
	})
}
