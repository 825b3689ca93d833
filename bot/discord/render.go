package discord

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/internal/text"
	"github.com/citebot/citebot/retrieval"
)

// outMessage is one Discord message of a rendered answer.
type outMessage struct {
	Content string
	Embeds  []*discordgo.MessageEmbed
}

// renderAnswer turns an answer into one or more messages: header, when
// there is one (see questionHeader), on the first line, then the text
// with its [n] markers, links shown as text (plainLinks), split at
// maxContent, and the sources as an embed on the last message.
func renderAnswer(a bot.Answer, header string) []outMessage {
	text := plainLinks(strings.TrimSpace(a.Text))
	if text == "" && !a.Found {
		text = bot.NotCoveredText
	}
	if fenceLeftOpen(text) { // else the note and the rest would show as code
		text += closeFence
	}
	if note := strings.TrimSpace(a.Note); note != "" {
		// A note may quote an article's title: shown as text, never as
		// markup or a link.
		text += "\n\n*" + plainText(note) + "*"
	}
	text = withHeader(header, text)
	var msgs []outMessage
	for _, part := range split(text, maxContent) {
		if strings.TrimSpace(part) == "" {
			continue
		}
		msgs = append(msgs, outMessage{Content: part})
	}
	if len(msgs) == 0 {
		msgs = []outMessage{{Content: bot.NotCoveredText}}
	}
	if e := sourcesEmbed(a.Citations); e != nil {
		msgs[len(msgs)-1].Embeds = []*discordgo.MessageEmbed{e}
	}
	return msgs
}

// fenceLeftOpen reports whether text ends inside a ``` code block.
func fenceLeftOpen(text string) bool {
	blocks := codeBlocks(text)
	if len(blocks) == 0 {
		return false
	}
	last := blocks[len(blocks)-1]
	if last.end < len(text) {
		return false
	}
	// The block runs to the end: closed only if its last line is a fence
	// other than the opening one.
	body := strings.TrimRight(text[last.start:], "\n")
	i := strings.LastIndexByte(body, '\n')
	return i < 0 || !strings.HasPrefix(strings.TrimLeft(body[i+1:], " \t"), "```")
}

// renderPartial shows an answer still being written, under header when
// there is one.
func renderPartial(header, text string) string {
	text = withHeader(header, plainLinks(strings.TrimSpace(text)))
	const more = " …"
	if utf8.RuneCountInString(text)+utf8.RuneCountInString(more) > maxContent {
		text = runePrefix(text, maxContent-utf8.RuneCountInString(more))
	}
	return text + more
}

// Bounds of one line of a sources list (an answer's sources, a page of
// /sources). A title shows at most maxSourceTitle characters (escaping may
// double them) and links only when its URL has at most maxSourceURL, so a
// line keeps its ID and outlet within maxSourceLine characters: a page of
// sourcesPerPage lines always fits an embed description.
const (
	maxSourceLine  = 400
	maxSourceTitle = 100
	maxSourceURL   = 200
)

// sourcesEmbed lists cited articles, once each: the markers of its cited
// passages, the title as a link when the URL is a web link, the outlet and
// the article's date when known. It returns nil without citations.
func sourcesEmbed(cits []bot.Citation) *discordgo.MessageEmbed {
	if len(cits) == 0 {
		return nil
	}
	lines := make([]string, 0, len(cits))
	for _, c := range bot.SourceLines(cits) {
		tail := outlet(c.Source)
		switch d := c.DateLine(); {
		case d != "" && tail != "":
			tail += ", " + d
		case d != "":
			tail = " — " + d
		}
		lines = append(lines, sourceLine(c.Markers("**[%d]**")+" ", c.Title, c.URL, tail))
	}
	return &discordgo.MessageEmbed{Title: "Sources", Description: joinLines(lines, maxEmbedDescription)}
}

// joinLines joins lines with newlines, dropping the last ones (and saying
// so) if the result would exceed limit characters.
func joinLines(lines []string, limit int) string {
	var b strings.Builder
	n := 0
	for i, l := range lines {
		more := fmt.Sprintf("… and %d more", len(lines)-i)
		if n+utf8.RuneCountInString(l)+1+utf8.RuneCountInString(more) > limit && i < len(lines)-1 ||
			n+utf8.RuneCountInString(l)+1 > limit {
			b.WriteString(more)
			break
		}
		b.WriteString(l)
		b.WriteByte('\n')
		n += utf8.RuneCountInString(l) + 1
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// sourceLine renders head, the title (linked when it has a web URL) and
// tail in at most maxSourceLine characters; head and tail are kept whole.
func sourceLine(head, title, rawURL, tail string) string {
	room := maxSourceLine - utf8.RuneCountInString(head) - utf8.RuneCountInString(tail)
	return head + articleLink(title, rawURL, max(room, 10)) + tail
}

// outlet renders an article's outlet as the end of a sources line, or "".
func outlet(source string) string {
	if src := strings.TrimSpace(source); src != "" {
		return " — *" + plainText(text.Truncate(src, 60)) + "*"
	}
	return ""
}

// articleLink renders a title, cut to maxSourceTitle characters, as a
// Markdown link when rawURL is an http(s) URL of at most maxSourceURL
// characters and the link fits in room characters; else as plain
// (escaped) text cut to room.
func articleLink(title, rawURL string, room int) string {
	title = strings.TrimSpace(title)
	if title == "" {
		title = "untitled"
	}
	t := plainText(text.Truncate(title, maxSourceTitle))
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cutEscaped(t, room)
	}
	// Parentheses, spaces and angle brackets would end or break the link.
	link := strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(u.String())
	if n := utf8.RuneCountInString(link); n > maxSourceURL || utf8.RuneCountInString(t)+n+len("[]()") > room {
		return cutEscaped(t, room)
	}
	return "[" + t + "](" + link + ")"
}

// cutEscaped cuts s, the output of escapeMarkdown, to at most n
// characters, ending with "…" if it was cut; it never splits an escape
// from the character it escapes.
func cutEscaped(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	k, used := 0, 0
	for k < len(rs) {
		w := 1
		if rs[k] == '\\' && k+1 < len(rs) { // escapeMarkdown escapes backslashes too
			w = 2
		}
		if used+w > n-1 {
			break
		}
		k += w
		used += w
	}
	return strings.TrimRight(string(rs[:k]), " ") + "…"
}

// escapeMarkdown makes text display literally in Discord.
func escapeMarkdown(s string) string {
	s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\*_~`|>[]()", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// inlineCode shows s, on one line, as inline code: Discord shows what is
// inside as typed, Markdown and mentions included, so it needs no escapes
// (they would show); only backticks, which would end it, are dropped.
func inlineCode(s string) string {
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "`", "")), " ")
	if s == "" {
		s = " "
	}
	return "`" + s + "`"
}

// sourcesPerPage is the page size of /sources.
const sourcesPerPage = 10

// sourcesCustomID prefixes the page buttons of /sources.
const sourcesCustomID = "sources:"

// renderSourcesPage renders one page (0-based, clamped) of an article list
// with previous/next buttons when there is more than one page.
func renderSourcesPage(list []retrieval.ArticleInfo, page int) (*discordgo.MessageEmbed, []discordgo.MessageComponent) {
	pages := max(1, (len(list)+sourcesPerPage-1)/sourcesPerPage)
	page = min(max(page, 0), pages-1)
	if len(list) == 0 {
		return &discordgo.MessageEmbed{Title: "Articles", Description: "No articles yet. A server manager can add some with /ingest."}, nil
	}
	lines := make([]string, 0, sourcesPerPage)
	for _, a := range list[page*sourcesPerPage : min(len(list), (page+1)*sourcesPerPage)] {
		where := "this server"
		if a.Scope == retrieval.SharedScope {
			where = "shared"
		}
		// The ID stays whole: /forget takes it.
		tail := outlet(a.Source)
		if !a.Published.IsZero() {
			tail += " · " + a.Published.Format(time.DateOnly)
		}
		tail += fmt.Sprintf(" · %s · %s", plural(a.Chunks, "passage"), where)
		if !a.Ingested.IsZero() {
			// Discord shows a timestamp in each reader's own time zone.
			tail += fmt.Sprintf(" · added <t:%d:R>", a.Ingested.Unix())
		}
		lines = append(lines, sourceLine("`"+a.ID+"` ", a.Title, a.URL, tail))
	}
	e := &discordgo.MessageEmbed{
		Title:       fmt.Sprintf("Articles (%d)", len(list)),
		Description: joinLines(lines, maxEmbedDescription),
		Footer:      &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("Page %d of %d", page+1, pages)},
	}
	return e, pageButtons(sourcesCustomID, page, pages)
}

// byteSize writes a size for people: "1,000 bytes", "4.9 KiB", "9 MiB"
// (to one decimal, binary units).
func byteSize(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size {
			v := strconv.FormatFloat(float64(n)/float64(u.size), 'f', 1, 64)
			return strings.TrimSuffix(v, ".0") + " " + u.name
		}
	}
	if n == 1 {
		return "1 byte"
	}
	return thousands(n) + " bytes"
}

// thousands writes n, a count, with a comma between thousands:
// "8,388,608".
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// plural says "1 passage", "2 passages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
