package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/retrieval"
)

func TestSourcesPagesAndForgetWithAutocomplete(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	var ids []string
	for n := range 23 {
		res := h.ingestArticle(retrieval.GuildScope("g1"), fmt.Sprintf("Council notice %02d", n), "Gazette", "",
			fmt.Sprintf("Notice number %d about the council meeting schedule.", n))
		ids = append(ids, res.ID)
	}
	h.ingestArticle(retrieval.SharedScope, "Shared handbook", "", "", "The shared handbook explains the rules.")

	i := h.interact(slash("g1", plainMember("u1"), "sources"))
	cb := callback(t, h.wait(callbackOf(i)))
	if cb.Data.Flags != discordgo.MessageFlagsEphemeral || len(cb.Data.Embeds) != 1 {
		t.Fatalf("/sources response %+v", cb)
	}
	e := cb.Data.Embeds[0]
	if e.Title != "Articles (24)" || e.Footer == nil || e.Footer.Text != "Page 1 of 3" || strings.Count(e.Description, "\n") != 9 {
		t.Errorf("first page: %q %q footer %+v", e.Title, e.Description, e.Footer)
	}
	// Each line shows the article's ID, title, outlet, size, scope and
	// when it was added (as a Discord timestamp).
	var first string
	for _, l := range strings.Split(e.Description, "\n") {
		if strings.Contains(l, "Council notice") {
			first = l
			break
		}
	}
	if !strings.Contains(first, "*Gazette*") ||
		!strings.Contains(first, "1 passage") || !strings.Contains(first, "added <t:") {
		t.Errorf("line %q lacks the article's details", first)
	}
	buttons := cb.Data.Components[0].Components
	if len(buttons) != 2 || !buttons[0].Disabled || buttons[1].Disabled || buttons[1].CustomID != "sources:1" {
		t.Fatalf("buttons = %+v", buttons)
	}
	// Clicking Next updates the same message to page 2.
	click := h.interact(&discordgo.Interaction{
		Type: discordgo.InteractionMessageComponent, GuildID: "g1", ChannelID: "c-g1", Member: plainMember("u1"),
		Message: &discordgo.Message{ID: "sources-msg", ChannelID: "c-g1"},
		Data:    discordgo.MessageComponentInteractionData{CustomID: buttons[1].CustomID, ComponentType: discordgo.ButtonComponent},
	})
	cb = callback(t, h.wait(callbackOf(click)))
	if cb.Type != discordgo.InteractionResponseUpdateMessage || cb.Data.Embeds[0].Footer.Text != "Page 2 of 3" {
		t.Errorf("Next gave %+v", cb)
	}
	last := h.interact(slash("g1", plainMember("u1"), "sources", &discordgo.ApplicationCommandInteractionDataOption{Name: "page", Type: discordgo.ApplicationCommandOptionInteger, Value: 3}))
	if cb := callback(t, h.wait(callbackOf(last))); strings.Count(cb.Data.Embeds[0].Description, "\n") != 3 || cb.Data.Embeds[0].Footer.Text != "Page 3 of 3" {
		t.Errorf("page 3 = %q", cb.Data.Embeds[0].Description)
	}

	// Autocomplete offers this server's matching articles only.
	auto := h.interact(&discordgo.Interaction{
		Type: discordgo.InteractionApplicationCommandAutocomplete, GuildID: "g1", ChannelID: "c-g1", Member: manager("m1"),
		Data: discordgo.ApplicationCommandInteractionData{Name: "forget", Options: []*discordgo.ApplicationCommandInteractionDataOption{
			{Name: "article", Type: discordgo.ApplicationCommandOptionString, Value: "notice 1", Focused: true},
		}},
	})
	cb = callback(t, h.wait(callbackOf(auto)))
	if cb.Type != discordgo.InteractionApplicationCommandAutocompleteResult || len(cb.Data.Choices) != 10 {
		t.Fatalf("autocomplete gave %d choices (want notices 10-19): %+v", len(cb.Data.Choices), cb.Data.Choices)
	}
	offered := map[string]string{}
	for _, c := range cb.Data.Choices {
		offered[fmt.Sprint(c.Value)] = c.Name
	}
	for n := 10; n < 20; n++ {
		if name := offered[ids[n]]; name != fmt.Sprintf("Council notice %d — Gazette", n) {
			t.Errorf("notice %d offered as %q", n, name)
		}
	}

	forget := h.interact(slash("g1", manager("m1"), "forget", strOpt("article", ids[10])))
	if cb := callback(t, h.wait(callbackOf(forget))); cb.Data.Flags != discordgo.MessageFlagsEphemeral || !strings.Contains(cb.Data.Content, "Removed **Council notice 10**") {
		t.Errorf("forget replied %+v", cb)
	}
	list, _ := h.svc.Sources(h.ctx, retrieval.GuildScope("g1"))
	if len(list) != 23 {
		t.Errorf("%d articles after forgetting one of 24", len(list))
	}
	// The shared article cannot be forgotten from a server.
	var sharedID string
	for _, a := range list {
		if a.Scope == retrieval.SharedScope {
			sharedID = a.ID
		}
	}
	shared := h.interact(slash("g1", manager("m1"), "forget", strOpt("article", sharedID)))
	if cb := callback(t, h.wait(callbackOf(shared))); !strings.Contains(cb.Data.Content, "This server has no article") {
		t.Errorf("forgetting a shared article replied %q", cb.Data.Content)
	}
}

func TestHostileInputIsHarmless(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.answerer.auto = func(_ string, ps []retrieval.Passage) string {
		return "@everyone the notice says <@123> and <@&456> must go [1]."
	}
	h.ingestArticle(retrieval.SharedScope, "@everyone notice ](javascript:x)", "<@123>", "javascript:alert(1)",
		"@everyone and <@123> and <@&456>: the evacuation notice says residents must go.")

	// A server the bot never saw in GUILD_CREATE still gets an answer.
	i := h.interact(ask("g-unseen", "u1", "What does the evacuation notice say residents must do?"))
	final := body(t, h.wait(editsOf(i)))
	if !strings.Contains(final.Content, "@everyone") || len(final.Embeds) != 1 {
		t.Fatalf("answer %+v", final)
	}
	if d := final.Embeds[0].Description; strings.Contains(d, "](") || !strings.Contains(d, `\]\(javascript:x\)`) {
		t.Errorf("sources embed does not neutralise the title and URL: %q", d)
	}
	// assertNoPings (at cleanup) checks allowed mentions on all of it.

	for _, tt := range []struct {
		name, question, want string
	}{
		{"empty", "   ", helpText},
		{"too long", strings.Repeat("why ", 2600), "That question is too long"},
	} {
		i := h.interact(ask("g1", "u2", tt.question))
		if cb := callback(t, h.wait(callbackOf(i))); cb.Data.Flags != discordgo.MessageFlagsEphemeral || !strings.Contains(cb.Data.Content, tt.want) {
			t.Errorf("%s question: %+v", tt.name, cb)
		}
	}
}

func TestManyInteractionsAtOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{QuestionsPerMinute: 100}) // default cap of 8 answers in flight
	h.answerer.auto = func(string, []retrieval.Passage) string { return "The ferry leaves at seven [1]." }
	h.ingestArticle(retrieval.SharedScope, "Ferry timetable", "", "", "The island ferry leaves the harbour at seven every morning.")
	const n = 24
	var wg sync.WaitGroup
	sent := make(chan *discordgo.Interaction, n)
	for k := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			i, err := h.fake.Interact(h.ctx, ask(fmt.Sprint("g", k%3), fmt.Sprint("u", k), "When does the island ferry leave the harbour?"))
			if err != nil {
				t.Error(err)
				return
			}
			sent <- i
		}()
	}
	wg.Wait()
	close(sent)
	answered := 0
	for i := range sent {
		// Each one is answered, or turned away at once with a friendly note.
		cb := callback(t, h.wait(callbackOf(i)))
		if cb.Type == discordgo.InteractionResponseChannelMessageWithSource {
			if !strings.Contains(cb.Data.Content, "I'm busy") || cb.Data.Flags != discordgo.MessageFlagsEphemeral {
				t.Errorf("interaction %s refused with %+v", i.ID, cb)
			}
			continue
		}
		if got := body(t, h.wait(editsOf(i))).Content; got != askedAs("When does the island ferry leave the harbour?", "The ferry leaves at seven [1].") {
			t.Errorf("interaction %s got %q", i.ID, got)
		}
		answered++
	}
	if answered < 8 {
		t.Errorf("only %d of %d answered", answered, n)
	}
}

func TestShutdownFinishesAnswersInFlight(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	i, call := h.askInFlight()

	h.stop() // SIGTERM: Serve must wait for the answer in flight
	select {
	case err := <-h.served:
		t.Fatalf("Serve returned with an answer in flight: %v", err)
	default:
	}
	// New work is turned away while draining.
	select {
	case <-h.d.draining:
	case <-h.ctx.Done():
		t.Fatal("shutdown did not begin")
	}
	late := h.interact(ask("g1", "u2", "When does the island ferry leave the harbour?"))
	if cb := callback(t, h.wait(callbackOf(late))); !strings.Contains(cb.Data.Content, "restarting") || cb.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("work during shutdown got %+v", cb)
	}
	call.Result <- "At seven [1]."
	if got := body(t, h.wait(editsOf(i))).Content; got != askedAs("When does the island ferry leave the harbour?", "At seven [1].") {
		t.Errorf("answer in flight ended as %q", got)
	}
	select {
	case err := <-h.served:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-h.ctx.Done():
		t.Fatal("Serve did not return after the answer finished")
	}
	h.stopOnce.Do(func() {}) // already stopped
	if err := h.fake.WaitDisconnected(h.ctx); err != nil {
		t.Error(err)
	}
}

func TestNewNeedsAToken(t *testing.T) {
	t.Parallel()
	if _, err := New(Config{}, Deps{}); !errors.Is(err, ErrNoToken) {
		t.Errorf("New without a token: %v", err)
	}
	if _, err := New(Config{Token: "s3cr3t", APIBase: "discord.com"}, Deps{}); !errors.Is(err, ErrBadAPIBase) || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("New with an API base that is no URL: %v", err)
	}
}

func TestBaseTransportKeepsPaths(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Host+" "+r.URL.RequestURI())
		mu.Unlock()
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL + "/proxy/")
	c := &http.Client{Transport: &baseTransport{base: base, next: http.DefaultTransport}}
	for _, u := range []string{
		discordgo.EndpointChannelMessages("1") + "?limit=2",
		discordgo.EndpointWebhookMessage("800", "tok", "@original"),
	} {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	want := []string{host + " /proxy/api/v9/channels/1/messages?limit=2", host + " /proxy/api/v9/webhooks/800/tok/messages/@original"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("requests went to %q, want %q", got, want)
	}
}

// TestSourcesPagesListEveryArticle fills pages with the longest lines an
// article can make (a 200-character title of Markdown characters, which
// escaping doubles, long URLs and outlets): every article is still listed on
// its page, with its ID for /forget, and no page is cut short.
func TestSourcesPagesListEveryArticle(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	const n = 25
	ids := map[string]bool{}
	for k := range n {
		title := fmt.Sprintf("%02d ", k) + strings.Repeat("*_", 99)
		url := fmt.Sprintf("https://news.example/%02d/", k) + strings.Repeat("(x)", 60+k*8) // 200 to 390 characters
		source := strings.Repeat("[Gazette]", 10)
		res := h.ingestArticle(retrieval.GuildScope("g1"), title, source, url, fmt.Sprintf("Notice %d about the harbour works.", k))
		ids[res.ID] = true
	}
	listed := map[string]bool{}
	for page := 1; page <= 3; page++ {
		i := h.interact(slash("g1", plainMember("u1"), "sources", &discordgo.ApplicationCommandInteractionDataOption{Name: "page", Type: discordgo.ApplicationCommandOptionInteger, Value: page}))
		e := callback(t, h.wait(callbackOf(i))).Data.Embeds[0]
		if strings.Contains(e.Description, "… and ") {
			t.Errorf("page %d is cut short: %q", page, e.Description)
		}
		for l := range strings.SplitSeq(e.Description, "\n") {
			if c := utf8.RuneCountInString(l); c > maxSourceLine {
				t.Errorf("page %d has a line of %d characters: %q", page, c, l)
			}
			id, _, _ := strings.Cut(strings.TrimPrefix(l, "`"), "`")
			listed[id] = true
		}
	}
	for id := range ids {
		if !listed[id] {
			t.Errorf("article %s is on no page", id)
		}
	}
}

// sourcesFail is a Service whose article list cannot be read.
type sourcesFail struct {
	Service
	err error
}

func (s sourcesFail) Sources(context.Context, string) ([]retrieval.ArticleInfo, error) {
	return nil, s.err
}

// TestForgetReportsAStoreError: when the article list cannot be read,
// /forget says so (and logs why) instead of claiming there is no such
// article.
func TestForgetReportsAStoreError(t *testing.T) {
	t.Parallel()
	storeErr := bot.UserError("I can't read the article list right now.", errors.New("sqlite: database is locked"))
	h := newHarness(t, Config{}, func(d *Deps) { d.Service = sourcesFail{Service: d.Service, err: storeErr} })
	res := h.ingestArticle(retrieval.GuildScope("g1"), "Council notice", "", "", "The council meets on Monday.")
	i := h.interact(slash("g1", manager("m1"), "forget", strOpt("article", res.ID)))
	cb := callback(t, h.wait(callbackOf(i)))
	if cb.Data.Flags != discordgo.MessageFlagsEphemeral || !strings.Contains(cb.Data.Content, bot.UserMessage(storeErr)) {
		t.Errorf("forget with a failing store replied %+v, want %q", cb, bot.UserMessage(storeErr))
	}
	if !strings.Contains(h.logs.String(), "database is locked") {
		t.Error("the store error is not in the log")
	}
	if list, _ := h.svc.Sources(h.ctx, retrieval.GuildScope("g1")); len(list) != 1 {
		t.Errorf("%d articles after a failed forget, want 1", len(list))
	}
}

// TestShutdownGraceEndsAnswerWithANote: an answer still streaming when the
// shutdown grace runs out is cancelled, and its message is edited to say
// so rather than left ending in "…".
func TestShutdownGraceEndsAnswerWithANote(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{ShutdownGrace: time.Millisecond})
	i, call := h.askInFlight()
	call.OnDelta("The ferry leaves")
	h.tick()
	if got := body(t, h.wait(editsOf(i))).Content; got != askedAs("When does the island ferry leave the harbour?", "The ferry leaves …") {
		t.Fatalf("streamed edit = %q", got)
	}
	h.shutdown() // the answerer never finishes: the grace runs out
	edits := h.waitN(2, editsOf(i))
	if got, want := body(t, edits[len(edits)-1]).Content, askedAs("When does the island ferry leave the harbour?", restartingText); got != want {
		t.Errorf("the cancelled answer ends as %q, want %q", got, want)
	}
}

// TestNetworkErrorsDoNotLogInteractionTokens: when Discord cannot be
// reached, the error discordgo returns names the request's URL, which
// holds the interaction's token; the log must not.
func TestNetworkErrorsDoNotLogInteractionTokens(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	i, call := h.askInFlight()
	h.fake.Close() // Discord is gone: the answer's edit fails to connect
	call.Result <- "At seven [1]."
	h.shutdown() // returns once the handler has finished
	logs := h.logs.String()
	if !strings.Contains(logs, "sending the answer failed") {
		t.Fatalf("the failed edit was not logged:\n%s", logs)
	}
	if strings.Contains(logs, i.Token) {
		t.Errorf("the interaction token %s is in the log", i.Token)
	}
}

func TestRedactTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{name: "nil", err: nil, want: ""},
		{
			name: "webhook URL in a network error",
			err:  &url.Error{Op: "Patch", URL: "https://discord.com/api/v9/webhooks/800/aW50ZXJhY3Rpb24.abc-_x/messages/@original", Err: errors.New("connection refused")},
			want: `Patch "https://discord.com/api/v9/webhooks/800/<redacted>/messages/@original": connection refused`,
		},
		{
			name: "interaction callback, wrapped",
			err:  fmt.Errorf("respond: %w", &url.Error{Op: "Post", URL: "https://discord.com/api/v9/interactions/1234/tok5/callback", Err: errors.New("EOF")}),
			want: `respond: Post "https://discord.com/api/v9/interactions/1234/<redacted>/callback": EOF`,
		},
		{name: "follow-up at the end", err: errors.New("POST https://discord.com/api/v9/webhooks/800/tok7 failed"), want: "POST https://discord.com/api/v9/webhooks/800/<redacted> failed"},
		{name: "nothing secret", err: errors.New("HTTP 404 Not Found, {\"code\": 10008}"), want: "HTTP 404 Not Found, {\"code\": 10008}"},
	}
	for _, tt := range tests {
		if got := redact(tt.err); got != tt.want {
			t.Errorf("%s: redact = %q, want %q", tt.name, got, tt.want)
		}
	}
}
