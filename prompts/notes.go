package prompts

import (
	"regexp"
	"strings"
)

// ForReading returns a passage's text as an answer may quote it and a
// model should read it: without footnote markers (StripFootnotes) and
// without the notes editors leave in a text about the text
// (StripEditorNotes). Footnotes go first, so that ".[12]:245" and
// ".[2][a]" show the page or letter note to remove, and again last: a
// note's removal must not join the text around it into a marker
// ("[1[citation needed]]" would read as "[1]"); when no note was removed
// there is nothing to join, and StripFootnotes' result holds no marker.
func ForReading(text string) string {
	text = StripFootnotes(text)
	noted := StripEditorNotes(text)
	if noted == text {
		return text
	}
	return StripFootnotes(noted)
}

// namedNote matches one of the notes Wikipedia's editors leave inline,
// which say something about the text ("[citation needed]", "[update]",
// "[who?]"), not what the text says, or a named footnote ("[note 3]",
// "[n 1]"), with the spaces before it. Brackets an editor puts in a
// quotation ("[the company]", "any act[s]") are none of these and are
// kept, and so is a capitalised "[Update]", which is more likely a
// button's name in a how-to than a note.
var namedNote = regexp.MustCompile(`[ \t]*\[(?:` +
	`(?:full |better |additional )?citations? needed|better source needed|verification needed|failed verification|` +
	`not in citation given|not verified in body|pages? needed|year needed|date missing|` +
	`clarification needed|further explanation needed|definition needed|examples? needed|` +
	`improper synthesis\??|original research\??|unreliable (?:medical )?source\??|` +
	`dubious(?: [–—-] discuss)?|disputed(?: [–—-] discuss)?|vague|specify|ambiguous|contradictory|` +
	`update|needs update|out of date|obsolete source|dead link|permanent dead link|` +
	`according to whom\?|by whom\?|who\?|whom\?|when\?|where\?|which\?|why\?|how\?|what\?|` +
	`notes? \d+|n \d+` +
	`)\]`)

// letterNote matches lettered footnotes ("…triplet oxygen.[b] The") right
// after the punctuation that ends a sentence or clause and before white
// space, punctuation or the end: "[a]ccompanied" and "\"[T]he" are an
// editor's brackets in a quotation, and "f(x)[i] =" is code, kept.
var letterNote = regexp.MustCompile(`([.,;:!?"”’])(?:\[[a-z]\])+([\s.,;:!?"”’)]|$)`)

// pageRef matches the page numbers Wikipedia puts after a footnote
// (".[12]:245" is ".:245" once the marker is gone; its pages show them
// after a hair space, ".: 245"): a colon and numbers right after the
// punctuation that ends a sentence or clause and before white space or
// the end. Times ("at 10:30") and verses ("John 3:16") follow a digit and
// are kept.
var pageRef = regexp.MustCompile(`([.,;!?"”’)\]]):[ \x{200A}\x{2009}\x{202F}]?\d+(?:[–—-]\d+)?(?:, ?\d+(?:[–—-]\d+)?)*(\s|$)`)

// StripEditorNotes removes from text the notes of namedNote and letterNote
// and the page references of pageRef, which are about the text, not what
// it says. A note between two words leaves the space after it. Removal
// that joins the text around a note into a new one ("[[n 1]n 2]") is
// repeated until none is left; each pass shortens the text.
func StripEditorNotes(text string) string {
	for strings.ContainsAny(text, "[:") {
		out := namedNote.ReplaceAllString(text, "")
		out = letterNote.ReplaceAllString(out, "${1}${2}")
		out = pageRef.ReplaceAllString(out, "${1}${2}")
		if out == text {
			break
		}
		text = out
	}
	return text
}
