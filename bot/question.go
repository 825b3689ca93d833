package bot

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Turn is one earlier exchange of a conversation, oldest first.
type Turn struct {
	Question string
	Answer   string
}

// Question is what the answering core is asked.
type Question struct {
	Text string
	// Scope is where the question was asked: "shared" or "guild:<id>".
	// A guild scope sees that guild's articles plus the shared ones.
	Scope   string
	History []Turn
}

// Citation is one source of an answer: marker number N refers to it.
type Citation struct {
	N         int    `json:"n"`
	ArticleID string `json:"article_id"`
	Title     string `json:"title"`
	Source    string `json:"source"`
	URL       string `json:"url"`
	Quote     string `json:"quote"`
	// Published is the article's publication date, absent when unknown.
	Published time.Time `json:"published,omitzero"`
}

// DateLine is how a citation's date is written beside its source:
// "19 Jun 2024", the day in the article's own time zone; empty when the
// date is unknown.
func (c Citation) DateLine() string {
	if c.Published.IsZero() {
		return ""
	}
	return c.Published.Format("2 Jan 2006")
}

// SourceLine is one line of an answer's sources: an article and the
// numbers of its passages the answer cites.
type SourceLine struct {
	Citation       // the article's first citation
	Ns       []int // every citation number of the article, ascending
}

// SourceLines groups citations by article, in the order of their first
// number: a summary citing three passages of one article lists the
// article once, as "[1] [2] [3] Title".
func SourceLines(cits []Citation) []SourceLine {
	var lines []SourceLine
	at := make(map[[3]string]int, len(cits))
	for _, c := range cits {
		key := [3]string{c.ArticleID, c.Title, c.URL}
		if i, ok := at[key]; ok && c.ArticleID != "" {
			lines[i].Ns = append(lines[i].Ns, c.N)
			continue
		}
		at[key] = len(lines)
		lines = append(lines, SourceLine{Citation: c, Ns: []int{c.N}})
	}
	for i := range lines {
		slices.Sort(lines[i].Ns)
	}
	return lines
}

// Markers writes l's numbers as "[1] [2]", each through format (for
// bold, say).
func (l SourceLine) Markers(format string) string {
	marks := make([]string, len(l.Ns))
	for i, n := range l.Ns {
		marks[i] = fmt.Sprintf(format, n)
	}
	return strings.Join(marks, " ")
}

// Byline is the outlet and date of a citation, as "CBC, 19 Jun 2024",
// either alone when the other is unknown, or empty.
func (c Citation) Byline() string {
	parts := make([]string, 0, 2)
	for _, p := range []string{c.Source, c.DateLine()} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}
