package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/prompts"
	"github.com/citebot/citebot/retrieval"
)

// MaxSummaryBullets bounds a summary's bullet points.
const MaxSummaryBullets = 5

// leadSentences is how many of an article's first sentences the offline
// summary quotes: news writing puts the essentials first.
const leadSentences = 3

// A Summarizer summarises an article from its passages, numbered 1..n in
// order, in at most MaxSummaryBullets bullet points citing them as [n].
// The LLM answerer is one; without one the core quotes the lead.
type Summarizer interface {
	Summarize(ctx context.Context, passages []retrieval.Passage) (string, error)
}

// Summarize returns a short summary of one article visible in scope (the
// scope's own or a shared one) with its passages cited: the answerer's
// summary when it is a Summarizer, else the article's lead sentences. An
// unknown article is an error with a message for the user.
func (c *Core) Summarize(ctx context.Context, scope, articleID string) (Answer, error) {
	if !retrieval.ValidScope(scope) {
		return Answer{}, fmt.Errorf("summarize: invalid scope %q", scope)
	}
	passages, err := c.opt.Store.ArticlePassages(ctx, retrieval.SearchScopes(scope), articleID)
	if errors.Is(err, retrieval.ErrNotFound) {
		return Answer{}, UserError(fmt.Sprintf("No article with ID %s here.", articleID), fmt.Errorf("summarize %s in %s: %w", articleID, scope, err))
	}
	if err != nil {
		return Answer{}, fmt.Errorf("summarize %s in %s: %w", articleID, scope, err)
	}
	release, err := c.answers.Acquire(ctx)
	if err != nil {
		return Answer{}, err
	}
	defer release()
	var raw string
	if s, ok := c.opt.Answerer.(Summarizer); ok {
		if raw, err = s.Summarize(ctx, passages); err != nil {
			return Answer{}, fmt.Errorf("summarize %s with %s: %w", articleID, c.opt.Answerer.Name(), err)
		}
		if raw = limitBullets(raw, MaxSummaryBullets); raw == "" {
			return Answer{}, UserError("The language model sent an empty summary; please try again.",
				fmt.Errorf("summarize %s with %s: empty summary", articleID, c.opt.Answerer.Name()))
		}
	} else {
		raw = leadSummary(passages)
	}
	ans := c.cite(raw, passages)
	ans.Passages = passages
	if !ans.Found {
		ans.Note = "The summary cites none of the article's passages."
	}
	return ans, nil
}

// leadSummary quotes the first leadSentences sentences of the article as
// bullet points, each citing its passage. Paragraphs that are not the
// story (a photo caption, "FILE - …", a byline) are passed over, and a
// sentence's dateline ("WASHINGTON (AP) —") is left out; an article that
// is nothing but such paragraphs is quoted as it is.
func leadSummary(passages []retrieval.Passage) string {
	if s := quoteLead(passages, true); s != "" {
		return s
	}
	return quoteLead(passages, false)
}

func quoteLead(passages []retrieval.Passage, skipFurniture bool) string {
	var b strings.Builder
	n := 0
	for i, p := range passages {
		for _, para := range strings.Split(p.Text, "\n\n") {
			para = strings.Join(strings.Fields(prompts.ForReading(para)), " ")
			if skipFurniture && notStory(para) {
				continue
			}
			for _, span := range ingest.Sentences(para) {
				s := strings.TrimSpace(para[span[0]:span[1]])
				if skipFurniture {
					s = withoutDateline(s)
				}
				if s == "" {
					continue
				}
				fmt.Fprintf(&b, "- %s [%d]\n", s, i+1)
				if n++; n == leadSentences {
					return b.String()
				}
			}
		}
	}
	return b.String()
}

var (
	// captionStart opens a photo caption or credit: "FILE - …", "FILE
	// PHOTO: …", "Photo: …", "Image: …", "Photo by …".
	captionStart = regexp.MustCompile(`^(?:FILE(?: PHOTO)?(?:\s*[-–—]\s|:)|\(?(?i:(?:file )?photos?|photograph|image|picture|caption|credit|foto|bild)\s*:|\(?(?i:photos? by|photo credit)\b)`)
	// creditEnd closes a caption: "… (AP Photo/Jane Roe)", "… (Photo by
	// Jane Roe/Valley Post)", "… (Getty Images)".
	creditEnd = regexp.MustCompile(`\([^()]*\b(?i:photo|photograph|foto|getty images)\b[^()]*\)$`)
	// byline is a paragraph naming the writers: "By Jane Roe", "By JANE
	// ROE, Associated Press".
	byline = regexp.MustCompile(`^(?i:by)\s+\p{Lu}.*[^.!?"”’']$`)
	// dateline opens a wire story's first sentence: "WASHINGTON (AP) — ",
	// "KYIV, Ukraine (AP) — ", "LONDON, June 17 (Reuters) - ", "(CNN) — ".
	dateline = regexp.MustCompile(`^(?:\p{Lu}[\p{Lu}.'’]+(?:[ -]\p{Lu}[\p{Lu}.'’]*)*(?:,(?: [\p{L}\d.'’]+){1,3})?(?: \([^()]{1,30}\))?|\([^()]{1,30}\))(?:\s*[—–]\s*|\s+--?\s+)`)
)

// notStory reports whether a paragraph (or a sentence) is a photo
// caption, a credit, a byline, a date line or a teaser rather than part
// of the story.
func notStory(para string) bool {
	return captionStart.MatchString(para) || creditEnd.MatchString(para) || teaser.MatchString(para) ||
		byline.MatchString(para) && len(strings.Fields(para)) <= 8 || dateOnly(para)
}

// dateOnly reports whether a paragraph is nothing but a date or a time
// stamp, as pages and pasted text put under the title: "June 17, 2025",
// "Updated 3:45 p.m. EDT, Tue June 17, 2025".
func dateOnly(para string) bool {
	if len(strings.Fields(para)) > 12 || !strings.ContainsAny(para, "0123456789") {
		return false
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(para), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if !dateWords[w] {
			return false
		}
	}
	return true
}

// teaser matches a news page's pointer to other content that extraction
// kept as text: "WATCH | Putin says Moscow would consider …:" (a video's
// caption; CBC's pages print the bar as "l"), "READ MORE: …", "RELATED: …".
// It restates a headline and answers nothing, so it is quoted only when
// the passages hold nothing else.
var teaser = regexp.MustCompile(`^(?:WATCH|LISTEN|READ MORE|READ|RELATED|MORE|PHOTOS|VIDEO|SEE ALSO)(?:\s*[|:]|\s+[l|]\s|\s*[-–—]\s)`)

// dateWords are the words of an English date or time stamp.
var dateWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`january february march april may june july august september october november december
		jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday
		mon tue tues wed thu thur thurs fri sat sun updated published posted modified last on at a p m am pm st nd rd th
		utc gmt bst cet cest et est edt ct cst cdt mt mst mdt pt pst pdt`) {
		m[w] = true
	}
	return m
}()

// withoutDateline returns s without its opening dateline, when what
// follows reads as a sentence (a capital or a digit first).
func withoutDateline(s string) string {
	loc := dateline.FindStringIndex(s)
	if loc == nil {
		return s
	}
	rest := s[loc[1]:]
	if r, _ := utf8.DecodeRuneInString(rest); !unicode.IsUpper(r) && !unicode.IsDigit(r) {
		return s
	}
	return rest
}

// limitBullets keeps at most n bullet points of a summary (lines starting
// with "-", "* ", "•", "+ " or a number, "1." or "1)") and the lines before
// the first; text without bullets is kept whole. A bold heading
// ("**Summary**") is not a bullet.
func limitBullets(text string, n int) string {
	var out []string
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		t := strings.TrimSpace(line)
		if bullet.MatchString(t) {
			if seen++; seen > n {
				break
			}
		} else if seen > 0 && t != "" {
			break // text after the bullets: commentary, not summary
		}
		out = append(out, line)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// bullet opens a bullet point or a numbered item.
var bullet = regexp.MustCompile(`^(?:[-•]|[*+](?:\s|$)|\d{1,2}[.)](?:\s|$))`)
