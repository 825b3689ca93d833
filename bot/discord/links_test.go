package discord

import (
	"fmt"
	"strings"
	"testing"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/retrieval"
)

func TestPlainLinks(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, text, want string }{
		{"masked link", "See [Official notice](https://evil.example/login) [1].",
			`See [Official notice\]\(https:\//evil.example/login) [1].`},
		{"bare URL", "Register at https://evil.example/x today [2].", `Register at https:\//evil.example/x today [2].`},
		{"between angle brackets", "<http://evil.example>", `<http:\//evil.example>`},
		{"any scheme, any case", "_HTTPS://a.example and steam://run", `_HTTPS:\//a.example and steam:\//run`},
		{"citation markers stay", "A [1], B [1, 2] and C [3-5].", "A [1], B [1, 2] and C [3-5]."},
		{"code block kept", "Run:\n```\ncurl https://x.example/[a](b)\n```\nthen [x](https://y.example)",
			"Run:\n```\ncurl https://x.example/[a](b)\n```\n" + `then [x\]\(https:\//y.example)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := plainLinks(tt.text); got != tt.want {
				t.Errorf("plainLinks(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// liveLink reports whether text, outside code blocks, still holds what
// Discord makes a link of: a masked link's "](" or a URL's "://".
func liveLink(text string) bool {
	var outside []string
	last := 0
	for _, blk := range codeBlocks(text) {
		outside = append(outside, text[last:blk.start])
		last = blk.end
	}
	for _, s := range append(outside, text[last:]) {
		if strings.Contains(s, "](") || strings.Contains(s, "://") {
			return true
		}
	}
	return false
}

// TestNoteQuotingATitleIsText: a declined answer's note names the closest
// article; a title holding a masked link, a bare URL or markup shows as
// the text it is.
func TestNoteQuotingATitleIsText(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, title string }{
		{"masked link", "[Official notice](https://evil.example/login)"},
		{"bare URL", "Register at https://evil.example/x"},
		{"markup", "**Bold** _claims_ `code` > quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msgs := renderAnswer(bot.Answer{Text: bot.NotCoveredText, Note: "The closest article is “" + tt.title + "”."}, "")
			if len(msgs) != 1 {
				t.Fatalf("%d messages, want 1", len(msgs))
			}
			got := msgs[0].Content
			if liveLink(got) {
				t.Errorf("the note keeps a link: %q", got)
			}
			if !strings.HasPrefix(got, bot.NotCoveredText+"\n\n*The closest article is") || strings.Count(got, "*")-strings.Count(got, `\*`) != 2 {
				t.Errorf("got %q, want the note in italics with the title's markup escaped", got)
			}
		})
	}
}

// TestAnswerNotesReachDiscord asks, through the fake Discord, questions
// the core answers plainly, answers unsure, declines near the article and
// declines as unrelated: each final message carries the core's note, the
// closest article's title (which holds a masked link) as text.
func TestAnswerNotesReachDiscord(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.answerer.auto = func(string, []retrieval.Passage) string { return "The ferry leaves at seven [1]." }
	const title = "Island ferry [timetable](https://evil.example/x) changes"
	h.ingestArticle(retrieval.GuildScope("g1"), title, "Harbour News", "https://news.example/ferry",
		"The island ferry leaves the harbour at seven every morning and returns at six in the evening.",
		"Tickets are sold at the harbour office. Children under five travel free.")
	tests := []struct{ question, note string }{
		{"When does the island ferry leave?", ""},
		{"How much does a ferry ticket cost?", bot.UnsureNote},
		{"Who owns the ferry?", "The closest article is “" + title + "”."},
		{"When does the museum open?", ""},
	}
	for n, tt := range tests {
		// The core's own answer says which note to expect; the test
		// checks that it is the one meant.
		ans, err := h.svc.Ask(h.ctx, bot.Question{Text: tt.question, Scope: retrieval.GuildScope("g1")})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Note != tt.note {
			t.Fatalf("%q: the core's note is %q (logit %.2f), want %q", tt.question, ans.Note, ans.Logit, tt.note)
		}
		i := h.interact(ask("g1", fmt.Sprintf("u%d", n+1), tt.question))
		got := body(t, h.wait(editsOf(i))).Content
		hasNote := strings.Contains(got, "\n\n*")
		if hasNote != (tt.note != "") || liveLink(got) {
			t.Errorf("%q: posted %q, want note %v and no live link", tt.question, got, tt.note != "")
		}
		if tt.note != "" && !strings.HasSuffix(got, "*"+unlink.Replace(escapeMarkdown(tt.note))+"*") {
			t.Errorf("%q: posted %q, want it to end with the note %q as text", tt.question, got, tt.note)
		}
	}
}

func FuzzPlainLinks(f *testing.F) {
	f.Add("[a](https://e.example) <http://x> ```\nhttps://in.code\n``` https://after")
	f.Add("[[a]](b) ]]((:// :/:/")
	f.Fuzz(func(t *testing.T, text string) {
		if got := plainLinks(text); liveLink(got) {
			t.Fatalf("plainLinks(%q) = %q keeps a link", text, got)
		}
	})
}

// TestArticleLinksAreNotLiveInAnswers posts, through the fake Discord, an
// answer quoting an article that holds a masked link and a bare URL:
// neither the streamed edits nor the final answer carry a link, while
// the Sources embed still links the article.
func TestArticleLinksAreNotLiveInAnswers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	const quoted = "Residents must confirm their address at [Official notice](https://evil.example/login) or https://evil.example/form by Friday."
	h.ingestArticle(retrieval.GuildScope("g1"), "Flood relief payments open", "Riverton Post", "https://news.example/relief",
		"Flood relief payments opened on Monday. "+quoted)

	i := h.interact(ask("g1", "u1", "How do residents confirm their address for flood relief?"))
	call := h.nextCall()
	call.OnDelta(quoted)
	h.tick()
	partial := body(t, h.waitN(1, editsOf(i))[0]).Content
	call.Result <- quoted + " [1]"
	final := body(t, h.waitN(2, editsOf(i))[1])
	for name, content := range map[string]string{"streamed edit": partial, "answer": final.Content} {
		if liveLink(content) || !strings.Contains(content, `[Official notice\]\(https:\//evil.example/login)`) {
			t.Errorf("%s %q: want the masked link and the URL shown as text", name, content)
		}
	}
	if len(final.Embeds) != 1 || !strings.Contains(final.Embeds[0].Description, "](https://news.example/relief)") {
		t.Errorf("Sources embed %+v: want the article linked", final.Embeds)
	}
}

// TestTitlesAreText: an article's title (chosen by whoever wrote the
// article) shows in Sources as text: a bare URL in it is no link, and a
// mention in it neither renders nor reads as one; the bot's own link to
// the article stays the only link.
func TestTitlesAreText(t *testing.T) {
	t.Parallel()
	const title = "Read https://evil.example/x now <@&1> @everyone"
	for _, url := range []string{"", "https://news.example/a"} {
		msgs := renderAnswer(bot.Answer{Text: "The ferry leaves at seven [1].", Found: true,
			Citations: []bot.Citation{{N: 1, ArticleID: "t1", Title: title, Source: "Harbour <@2> https://x.example", URL: url}}}, "")
		var all strings.Builder
		for _, m := range msgs {
			all.WriteString(m.Content + "\n")
			for _, e := range m.Embeds {
				all.WriteString(e.Title + "\n" + e.Description + "\n")
				for _, f := range e.Fields {
					all.WriteString(f.Name + "\n" + f.Value + "\n")
				}
			}
		}
		got := all.String()
		wantLinks := 0
		if url != "" {
			wantLinks = 1
		}
		if n := strings.Count(got, "://"); n != wantLinks {
			t.Errorf("URL %q: %d live URLs, want %d (the article's own link): %q", url, n, wantLinks, got)
		}
		if strings.Contains(got, "<@") && !strings.Contains(got, `\<@`) || strings.Contains(got, "@everyone") {
			t.Errorf("URL %q: a mention in the title renders: %q", url, got)
		}
	}
	if got := plainText("Added " + title); strings.Contains(got, "://") || strings.Contains(got, "@everyone") {
		t.Errorf("an ingest report's title %q", got)
	}
}
