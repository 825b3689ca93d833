package prompts

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Checked is the result of CheckCitations.
type Checked struct {
	// Text is the answer with invalid markers removed and the valid ones
	// renumbered 1..len(Cited).
	Text string
	// Cited holds the original 1-based passage numbers in order of first
	// use: marker [i] in Text refers to passage Cited[i-1].
	Cited []int
	// Dropped counts references that pointed at no passage and were removed.
	Dropped int
}

// marker matches one citation marker: [1], [1, 3], [1-2], [1–2] (en dash),
// [1—2] (em dash), and lists mixing them, e.g. [1, 3-4]. No whitespace is
// allowed right after "[" or before "]".
var marker = regexp.MustCompile(`\[(\d+(?:[ \t]*(?:,|-|–|—)[ \t]*\d+)*)\]`)

var markerSep = regexp.MustCompile(`[ \t]*(,|-|–|—)[ \t]*`)

// CheckCitations checks the citation markers of an answer written from
// nPassages passages numbered 1..nPassages. It accepts [1], [1, 3], [1][3]
// and ranges [1-2] / [1–2]; removes references to passages that do not
// exist (a marker left with none is removed with the space before it); and
// renumbers the cited passages 1..m in order of first use. A marker citing
// several passages is written "[1, 2]", with runs of three or more as
// "[1-3]". Every marker left in Text refers to 1..len(Cited), and checking
// Text again with len(Cited) passages changes nothing.
func CheckCitations(text string, nPassages int) Checked {
	var out Checked
	// Removing a marker can join the text around it into a new marker
	// ("[[9]1]"), so remove invalid references until none are left.
	for {
		next, dropped := dropInvalid(text, nPassages)
		out.Dropped += dropped
		if next == text {
			break
		}
		text = next
	}
	// Every marker is now valid; renumber. Replacing a marker by another
	// cannot create a marker across its edges.
	renum := map[int]int{}
	out.Text = marker.ReplaceAllStringFunc(text, func(m string) string {
		refs, _ := parseMarker(m, nPassages)
		var nums []int
		for _, r := range refs {
			n, ok := renum[r]
			if !ok {
				out.Cited = append(out.Cited, r)
				n = len(out.Cited)
				renum[r] = n
			}
			nums = append(nums, n)
		}
		slices.Sort(nums)
		return formatMarker(slices.Compact(nums))
	})
	return out
}

// dropInvalid rewrites each marker to hold only its valid references,
// removing markers left with none, and returns the count of invalid
// references. It returns text unchanged when every marker is valid.
func dropInvalid(text string, n int) (string, int) {
	locs := marker.FindAllStringSubmatchIndex(text, -1)
	var (
		b       strings.Builder
		dropped int
		last    int
		changed bool
	)
	for _, loc := range locs {
		start, end := loc[0], loc[1]
		refs, bad := parseMarker(text[start:end], n)
		if bad == 0 {
			continue
		}
		changed = true
		dropped += bad
		before := text[last:start]
		if len(refs) > 0 {
			b.WriteString(before)
			b.WriteString(formatMarker(refs))
			last = end
			continue
		}
		// Remove the marker and tidy the space it leaves.
		after := text[end:]
		if trimmed := strings.TrimRight(before, " \t"); trimmed != before && closesGap(after) {
			before = trimmed
		} else if atLineStart(before) {
			after = strings.TrimLeft(after, " \t")
			end = len(text) - len(after)
		}
		b.WriteString(before)
		last = end
	}
	if !changed {
		return text, 0
	}
	b.WriteString(text[last:])
	return b.String(), dropped
}

// closesGap reports whether the text after a removed marker starts so that
// the spaces before the marker are no longer needed: end of text, a line
// break, a space, or closing punctuation.
func closesGap(after string) bool {
	if after == "" {
		return true
	}
	return strings.ContainsAny(after[:1], " \t\r\n.,;:!?)]}")
}

func atLineStart(before string) bool {
	return before == "" || strings.HasSuffix(before, "\n")
}

// parseMarker returns the valid references of marker m (in textual order,
// without repeats, ranges expanded within 1..n) and how many of its numbers
// or ranges pointed at no passage.
func parseMarker(m string, n int) (refs []int, bad int) {
	body := m[1 : len(m)-1]
	nums := markerSep.Split(body, -1)
	seps := markerSep.FindAllStringSubmatch(body, -1)
	seen := map[int]bool{}
	add := func(r int) {
		if !seen[r] {
			seen[r] = true
			refs = append(refs, r)
		}
	}
	for i := 0; i < len(nums); i++ {
		a := atoi(nums[i])
		// A range is a number, a dash, a number.
		if i < len(seps) && seps[i][1] != "," {
			b := atoi(nums[i+1])
			i++
			lo, hi := min(a, b), max(a, b)
			if lo < 1 || hi > n {
				bad++
			}
			for r := max(lo, 1); r <= min(hi, n); r++ {
				add(r)
			}
			continue
		}
		if a < 1 || a > n {
			bad++
			continue
		}
		add(a)
	}
	return refs, bad
}

// atoi parses a marker number; numbers too large for an int become -1,
// which is never a passage.
func atoi(s string) int {
	v, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return v
}

// formatMarker writes sorted or ordered numbers as one marker: runs of three
// or more consecutive numbers become a range.
func formatMarker(nums []int) string {
	var parts []string
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		if j-i >= 2 {
			parts = append(parts, strconv.Itoa(nums[i])+"-"+strconv.Itoa(nums[j]))
		} else {
			for k := i; k <= j; k++ {
				parts = append(parts, strconv.Itoa(nums[k]))
			}
		}
		i = j + 1
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// StripFootnotes removes from a passage's text every bracketed numeral
// that CheckCitations would read as a citation marker — Wikipedia's
// footnotes ("…first year.[2][3]"), "[1-99]" — with the spaces before it
// when the text after it does not need them, so that what an article
// says can never become a citation of the answer quoting it. Removal
// that joins the text around a marker into a new one ("[[2]1]") is
// repeated until none is left. Other brackets ("[citation needed]",
// "[ 1 ]") are kept.
func StripFootnotes(text string) string {
	for {
		locs := marker.FindAllStringIndex(text, -1)
		if len(locs) == 0 {
			return text
		}
		var b strings.Builder
		last := 0
		for _, loc := range locs {
			start, end := loc[0], loc[1]
			before, after := text[last:start], text[end:]
			if trimmed := strings.TrimRight(before, " \t"); trimmed != before && closesGap(after) {
				before = trimmed
			} else if before != "" && atLineStart(before) || before == "" && atLineStart(b.String()) {
				end = len(text) - len(strings.TrimLeft(after, " \t"))
			}
			b.WriteString(before)
			last = end
		}
		b.WriteString(text[last:])
		text = b.String()
	}
}

// CheckPartialCitations returns what of a partly written answer can be
// shown while the rest is written: its text as CheckCitations renders
// it, so that the markers already carry the numbers they will have in
// the whole answer, less what more text could still change — a marker
// not yet closed ("[", "[1", "[1, 2"), with what follows it, and white
// space at either end. For any more, the result is the start of
// CheckPartialCitations(partial+more, nPassages) and of
// strings.TrimSpace(CheckCitations(partial+more, nPassages).Text): shown
// text is never taken back or renumbered.
func CheckPartialCitations(partial string, nPassages int) string {
	// A rune cut in two could be a dash of a range.
	for i := max(0, len(partial)-utf8.UTFMax+1); i < len(partial); i++ {
		if utf8.RuneStart(partial[i]) && !utf8.FullRuneInString(partial[i:]) {
			partial = partial[:i]
			break
		}
	}
	text := CheckCitations(partial, nPassages).Text
	// Every complete marker left is valid, so stays as it is; a marker
	// still open may yet close, and one inside it ("[2[9") be dropped,
	// joining what is around it: hold back from the first "[" of the
	// trailing run of what a marker can be made of.
	cut := len(text)
	for i := len(text); i > 0; {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		if !strings.ContainsRune(openMarker, r) {
			break
		}
		i -= size
		if r == '[' {
			cut = i
		}
	}
	return strings.TrimSpace(text[:cut])
}

// openMarker holds what an unclosed marker, with markers inside it, is
// made of.
const openMarker = "[0123456789 \t,-–—"
