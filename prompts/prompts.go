// Package prompts renders the language-model prompts of citebot from
// templates embedded in the binary, and checks the citation markers of the
// model's answers against the passages it was given.
package prompts

import (
	"embed"
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"time"
)

//go:embed system.tmpl answer.tmpl passage.tmpl rewrite.tmpl summarize.tmpl combine.tmpl
var files embed.FS

var templates = template.Must(template.ParseFS(files, "*.tmpl"))

// Passage is one retrieved passage as the answer prompt shows it: N is its
// marker number (1-based), Title and Source name its article.
type Passage struct {
	N      int
	Title  string
	Source string
	// Published is the article's publication date; zero when unknown.
	Published time.Time
	Text      string
}

// Date is how the prompt writes the passage's date: "Wednesday, 19 June
// 2024"; empty when unknown.
func (p Passage) Date() string { return longDate(p.Published) }

func longDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("Monday, 2 January 2006") // the day where the article was dated
}

// Turn is one earlier exchange of a conversation, oldest first.
type Turn struct {
	Question string
	Answer   string
}

// Limits applied by RenderRewrite so a follow-up rewrite stays a short call.
const (
	// RewriteTurns is how many of the most recent turns the rewrite prompt shows.
	RewriteTurns = 4
	// RewriteAnswerRunes is how much of each earlier answer it shows.
	RewriteAnswerRunes = 600
)

// RenderSystem returns the system prompt: the answering rules.
func RenderSystem() string {
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, "system.tmpl", struct{ Decline string }{DeclineMarker}); err != nil {
		// The template is static and its data fixed: this is a build defect.
		panic(fmt.Sprintf("prompts: render system.tmpl: %v", err))
	}
	return b.String()
}

// RenderAnswer returns the user prompt holding the question and the passages,
// each fenced in <passage n="N"> ... </passage>. Fence tags inside any field
// are defused so passage text cannot close its fence or open a new one;
// titles and sources are folded onto one line.
//
// today is the date the question is asked: the model anchors "on
// Wednesday" in a passage to that passage's date, and says how old its
// information is.
func RenderAnswer(question string, passages []Passage, today time.Time) (string, error) {
	data := struct {
		Question string
		Passages []Passage
		Decline  string
		Today    string
	}{Question: defuse(question), Passages: fenced(passages), Decline: DeclineMarker, Today: longDate(today.UTC())}
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, "answer.tmpl", data); err != nil {
		return "", fmt.Errorf("render answer prompt: %w", err)
	}
	return b.String(), nil
}

// fenced returns passages ready for the passage fence of a template:
// fence tags in every field defused, title and source on one line, text
// trimmed.
func fenced(passages []Passage) []Passage {
	out := make([]Passage, len(passages))
	for i, p := range passages {
		out[i] = Passage{
			N:         p.N,
			Title:     oneLine(defuse(p.Title)),
			Source:    oneLine(defuse(p.Source)),
			Published: p.Published,
			Text:      strings.TrimSpace(defuse(p.Text)),
		}
	}
	return out
}

// RenderRewrite returns the prompt asking the model to turn question, a
// follow-up in the conversation history, into a standalone question. Only
// the last RewriteTurns turns are shown, each answer cut to
// RewriteAnswerRunes runes.
func RenderRewrite(history []Turn, question string) (string, error) {
	if len(history) > RewriteTurns {
		history = history[len(history)-RewriteTurns:]
	}
	data := struct {
		Question string
		History  []Turn
	}{Question: oneLine(defuse(question))}
	for _, t := range history {
		data.History = append(data.History, Turn{
			Question: oneLine(defuse(t.Question)),
			Answer:   oneLine(truncate(defuse(t.Answer), RewriteAnswerRunes)),
		})
	}
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, "rewrite.tmpl", data); err != nil {
		return "", fmt.Errorf("render rewrite prompt: %w", err)
	}
	return b.String(), nil
}

// fenceTag matches anything that could read as an opening or closing fence
// tag of the prompts: <passage, </passage, <turn, </turn (any case, spaces
// allowed after the bracket and the slash).
var fenceTag = regexp.MustCompile(`(?i)<(\s*/?\s*(?:passage|turn))`)

// defuse replaces the "<" of fence-like tags with a look-alike that the
// fence does not use, so quoted text can neither close nor open a fence.
func defuse(s string) string {
	return fenceTag.ReplaceAllString(s, "‹$1")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// RenderSummarize returns the prompt asking for a summary of an article
// from its passages (numbered as they will be cited), in at most bullets
// bullet points. part and parts (1-based; 0 and 0 for a whole article)
// say which part of a long article the passages are. Fences are defused
// as in RenderAnswer.
func RenderSummarize(passages []Passage, bullets, part, parts int) (string, error) {
	data := struct {
		Passages             []Passage
		Bullets, Part, Parts int
	}{Passages: fenced(passages), Bullets: bullets, Part: part, Parts: parts}
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, "summarize.tmpl", data); err != nil {
		return "", fmt.Errorf("render summary prompt: %w", err)
	}
	return b.String(), nil
}

// RenderCombine returns the prompt asking to merge the summaries of an
// article's parts into one of at most bullets bullet points, keeping
// their passage markers.
func RenderCombine(parts []string, bullets int) (string, error) {
	data := struct {
		Parts   []string
		Bullets int
	}{Bullets: bullets}
	for _, p := range parts {
		data.Parts = append(data.Parts, strings.TrimSpace(defusePart(p)))
	}
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, "combine.tmpl", data); err != nil {
		return "", fmt.Errorf("render combine prompt: %w", err)
	}
	return b.String(), nil
}

var partTag = regexp.MustCompile(`(?i)<(\s*/?\s*part)`)

// defusePart keeps a part summary from closing its fence.
func defusePart(s string) string { return partTag.ReplaceAllString(defuse(s), "‹$1") }
