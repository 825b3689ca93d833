package bot

import (
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
// "19 Jun 2024"; empty when the date is unknown.
func (c Citation) DateLine() string {
	if c.Published.IsZero() {
		return ""
	}
	return c.Published.UTC().Format("2 Jan 2006")
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
