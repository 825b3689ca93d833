package discord

import (
	"context"
	"encoding/json"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/fakediscord"
	"github.com/citebot/citebot/internal/testlog"
	"github.com/citebot/citebot/retrieval"
)

// waitTimeout bounds every wait in these tests.
const waitTimeout = 15 * time.Second

// interactionTokenRE matches the tokens the fake gives interactions.
var interactionTokenRE = regexp.MustCompile(`\btok\d+`)

// scriptedAnswerer is an Answerer whose output the test controls: each
// call is handed to the test on calls, which streams deltas with OnDelta
// and finishes it by sending the raw answer on Result. With auto set it
// answers at once instead.
type scriptedAnswerer struct {
	calls chan *answerCall
	auto  func(question string, passages []retrieval.Passage) string
}

type answerCall struct {
	Question string
	Passages []retrieval.Passage
	History  []bot.Turn
	OnDelta  func(string)
	Result   chan string
}

func newScriptedAnswerer() *scriptedAnswerer {
	return &scriptedAnswerer{calls: make(chan *answerCall)}
}

func (a *scriptedAnswerer) Name() string { return "scripted" }

func (a *scriptedAnswerer) Answer(ctx context.Context, question string, passages []retrieval.Passage, history []bot.Turn, onDelta func(string)) (string, error) {
	if a.auto != nil {
		text := a.auto(question, passages)
		if onDelta != nil {
			onDelta(text)
		}
		return text, nil
	}
	c := &answerCall{Question: question, Passages: passages, History: history, OnDelta: onDelta, Result: make(chan string, 1)}
	select {
	case a.calls <- c:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	select {
	case r := <-c.Result:
		return r, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// harness runs the real discordgo session of a Discord against a fake
// Discord, over the service under test.
type harness struct {
	t        *testing.T
	ctx      context.Context // deadline for every wait
	fake     *fakediscord.Server
	d        *Bot
	svc      *bot.Core
	answerer *scriptedAnswerer
	logs     *testlog.Buffer // the bot's log
	ticks    chan time.Time
	stop     context.CancelFunc
	served   chan error
	stopOnce sync.Once
}

// newHarness serves a Discord frontend over a real Core and store against
// a fake Discord; with options may adjust its dependencies (a Fetcher,
// say) before it starts.
func newHarness(t *testing.T, cfg Config, with ...func(*Deps)) *harness {
	t.Helper()
	return newHarnessAt(t, 0, cfg, with...)
}

// newHarnessAt is newHarness with the core's cap on work in flight
// (bot.CoreOptions.MaxAnswers, the Service's Admission) at maxInFlight;
// 0 means its default.
func newHarnessAt(t *testing.T, maxInFlight int, cfg Config, with ...func(*Deps)) *harness {
	t.Helper()
	ctx, cancelWaits := context.WithTimeout(context.Background(), waitTimeout)
	opt := fakediscord.Options{Guilds: []string{"g1", "g2"}, Channels: map[string]string{"news-g1": "g1", "c-g1": "g1", "news-g2": "g2"}}
	if cfg.MessageContent {
		opt.PrivilegedIntents = discordgo.IntentsMessageContent // enabled in the Developer Portal
	}
	fake := fakediscord.New(opt)
	cfg.Token = "secret-test-token"
	cfg.APIBase = fake.URL
	logs := &testlog.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	store, err := retrieval.Open(ctx, t.TempDir(), retrieval.Options{Embedder: retrieval.NewLocalEmbedder(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() }) // after the cleanup below: Serve has returned
	answerer := newScriptedAnswerer()
	svc := bot.NewCore(bot.CoreOptions{Store: store, Answerer: answerer, Logger: logger, MaxAnswers: maxInFlight})
	deps := Deps{Service: svc, Parse: ingest.Parse, Logger: logger}
	for _, w := range with {
		w(&deps)
	}
	d, err := New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	d.session.ShouldReconnectOnError = false
	h := &harness{t: t, ctx: ctx, fake: fake, d: d, svc: svc, answerer: answerer, logs: logs, ticks: make(chan time.Time), served: make(chan error, 1)}
	d.newTicker = func(time.Duration) (<-chan time.Time, func()) { return h.ticks, func() {} }
	serveCtx, stop := context.WithCancel(context.Background())
	h.stop = stop
	go func() { h.served <- d.Serve(serveCtx) }()
	t.Cleanup(func() {
		h.shutdown()
		fake.Close()
		cancelWaits()
		for _, v := range fake.Violations() {
			t.Errorf("fake Discord saw a violation: %s", v)
		}
		assertNoPings(t, fake.Requests())
		if strings.Contains(logs.String(), "secret-test-token") {
			t.Error("the token appears in the log")
		}
		if tok := interactionTokenRE.FindString(logs.String()); tok != "" {
			t.Errorf("an interaction token (%s) appears in the log", tok)
		}
		if t.Failed() {
			t.Logf("bot log:\n%s", logs.String())
		}
	})
	registered := make(chan error, 1)
	go func() {
		_, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool { return r.Method == "PUT" && strings.HasSuffix(r.Path, "/commands") })
		registered <- err
	}()
	select {
	case err := <-registered:
		if err != nil {
			t.Fatalf("commands not registered: %v", err)
		}
	case err := <-h.served:
		h.served <- err // for shutdown
		t.Fatalf("Serve returned before registering: %v", err)
	}
	return h
}

// shutdown ends Serve and waits for it (once).
func (h *harness) shutdown() {
	h.stopOnce.Do(func() {
		h.stop()
		select {
		case err := <-h.served:
			if err != nil {
				h.t.Errorf("Serve: %v", err)
			}
		case <-time.After(waitTimeout):
			h.t.Error("Serve did not return after its context ended")
		}
	})
}

// assertNoPings checks that every message the bot sent or edited allowed
// no mentions at all.
func assertNoPings(t *testing.T, reqs []fakediscord.Request) {
	t.Helper()
	for _, r := range reqs {
		body := r.Body
		if strings.HasSuffix(r.Path, "/callback") {
			var cb struct {
				Type int             `json:"type"`
				Data json.RawMessage `json:"data"`
			}
			json.Unmarshal(body, &cb)
			if cb.Type != 4 && cb.Type != 7 {
				continue
			}
			body = cb.Data
		} else if !(r.Method == "POST" || r.Method == "PATCH") || !(strings.Contains(r.Path, "/messages") || strings.HasPrefix(r.Path, "/webhooks/")) {
			continue
		}
		var m struct {
			AllowedMentions *struct {
				Parse       []string `json:"parse"`
				Users       []string `json:"users"`
				Roles       []string `json:"roles"`
				RepliedUser bool     `json:"replied_user"`
			} `json:"allowed_mentions"`
		}
		if err := json.Unmarshal(body, &m); err != nil {
			t.Errorf("%s %s: body %s: %v", r.Method, r.Path, body, err)
			continue
		}
		am := m.AllowedMentions
		if am == nil || am.Parse == nil || len(am.Parse) > 0 || len(am.Users) > 0 || len(am.Roles) > 0 || am.RepliedUser {
			t.Errorf("%s %s may ping: allowed_mentions %+v", r.Method, r.Path, am)
		}
	}
}

// tick lets every streaming answer make its next edit.
func (h *harness) tick() {
	h.t.Helper()
	select {
	case h.ticks <- time.Now():
	case <-h.ctx.Done():
		h.t.Fatal("no streaming answer took the tick")
	}
}

// nextCall waits for the answerer to be asked.
func (h *harness) nextCall() *answerCall {
	h.t.Helper()
	select {
	case c := <-h.answerer.calls:
		return c
	case <-h.ctx.Done():
		h.t.Fatal("the answerer was not called")
		return nil
	}
}

func (h *harness) interact(i *discordgo.Interaction) *discordgo.Interaction {
	h.t.Helper()
	sent, err := h.fake.Interact(h.ctx, i)
	if err != nil {
		h.t.Fatal(err)
	}
	return sent
}

func (h *harness) post(m *discordgo.Message) *discordgo.Message {
	h.t.Helper()
	sent, err := h.fake.PostMessage(h.ctx, m)
	if err != nil {
		h.t.Fatal(err)
	}
	return sent
}

// waitN waits for n requests matching and returns them.
func (h *harness) waitN(n int, match func(fakediscord.Request) bool) []fakediscord.Request {
	h.t.Helper()
	rs, err := h.fake.WaitRequests(h.ctx, n, match)
	if err != nil {
		h.t.Fatalf("%v; requests so far: %s", err, describe(h.fake.Requests()))
	}
	return rs
}

func (h *harness) wait(match func(fakediscord.Request) bool) fakediscord.Request {
	h.t.Helper()
	return h.waitN(1, match)[0]
}

func describe(reqs []fakediscord.Request) string {
	var b strings.Builder
	for _, r := range reqs {
		b.WriteString("\n  " + r.Method + " " + r.Path + " " + string(r.Body))
	}
	return b.String()
}

// Request matchers.

func callbackOf(i *discordgo.Interaction) func(fakediscord.Request) bool {
	return func(r fakediscord.Request) bool {
		return r.Method == "POST" && r.Path == "/interactions/"+i.ID+"/"+i.Token+"/callback"
	}
}

func editsOf(i *discordgo.Interaction) func(fakediscord.Request) bool {
	return func(r fakediscord.Request) bool {
		return r.Method == "PATCH" && r.Path == "/webhooks/"+i.AppID+"/"+i.Token+"/messages/@original" && r.Status == 200
	}
}

func followupsOf(i *discordgo.Interaction) func(fakediscord.Request) bool {
	return func(r fakediscord.Request) bool {
		return r.Method == "POST" && r.Path == "/webhooks/"+i.AppID+"/"+i.Token && r.Status == 200
	}
}

func sendsTo(channel string) func(fakediscord.Request) bool {
	return func(r fakediscord.Request) bool {
		return r.Method == "POST" && r.Path == "/channels/"+channel+"/messages" && r.Status == 200
	}
}

func editsIn(channel string) func(fakediscord.Request) bool {
	return func(r fakediscord.Request) bool {
		return r.Method == "PATCH" && strings.HasPrefix(r.Path, "/channels/"+channel+"/messages/") && r.Status == 200
	}
}

// msgBody is the part of a message body the tests look at.
type msgBody struct {
	Content   string                      `json:"content"`
	Embeds    []*discordgo.MessageEmbed   `json:"embeds"`
	Flags     discordgo.MessageFlags      `json:"flags"`
	Reference *discordgo.MessageReference `json:"message_reference"`
}

func body(t *testing.T, r fakediscord.Request) msgBody {
	t.Helper()
	var m msgBody
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	return m
}

// callback decodes an interaction response.
type callbackBody struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data struct {
		msgBody
		Choices    []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
		Components []struct {
			Components []struct {
				CustomID string `json:"custom_id"`
				Disabled bool   `json:"disabled"`
			} `json:"components"`
		} `json:"components"`
	} `json:"data"`
}

func callback(t *testing.T, r fakediscord.Request) callbackBody {
	t.Helper()
	var cb callbackBody
	if err := json.Unmarshal(r.Body, &cb); err != nil {
		t.Fatalf("callback %s: %v", r.Body, err)
	}
	return cb
}

// Interaction builders.

func manager(userID string) *discordgo.Member {
	return &discordgo.Member{User: &discordgo.User{ID: userID, Username: "u" + userID}, Permissions: discordgo.PermissionManageGuild}
}

func plainMember(userID string, roles ...string) *discordgo.Member {
	return &discordgo.Member{User: &discordgo.User{ID: userID, Username: "u" + userID}, Permissions: discordgo.PermissionSendMessages, Roles: roles}
}

func strOpt(name, v string) *discordgo.ApplicationCommandInteractionDataOption {
	return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionString, Value: v}
}

func slash(guild string, m *discordgo.Member, name string, opts ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	i := &discordgo.Interaction{
		Type:      discordgo.InteractionApplicationCommand,
		GuildID:   guild,
		ChannelID: "c-" + guild,
		Member:    m,
		Data:      discordgo.ApplicationCommandInteractionData{ID: "cmd-" + name, Name: name, CommandType: discordgo.ChatApplicationCommand, Options: opts},
	}
	if guild == "" {
		i.ChannelID = "dm-" + m.User.ID
		i.User, i.Member = m.User, nil
	}
	return i
}

// ingestFile is /ingest with att as its file option, resolved as Discord
// sends it.
func ingestFile(guild string, m *discordgo.Member, att *discordgo.MessageAttachment) *discordgo.Interaction {
	i := slash(guild, m, "ingest", &discordgo.ApplicationCommandInteractionDataOption{Name: "file", Type: discordgo.ApplicationCommandOptionAttachment, Value: att.ID})
	data := i.Data.(discordgo.ApplicationCommandInteractionData)
	data.Resolved = &discordgo.ApplicationCommandInteractionDataResolved{Attachments: map[string]*discordgo.MessageAttachment{att.ID: att}}
	i.Data = data
	return i
}

func ask(guild, user, question string) *discordgo.Interaction {
	return slash(guild, plainMember(user), "ask", strOpt("question", question))
}

// askedAs is how an /ask answer (or streamed edit) whose text is text
// shows to the channel: under the question quoted, as plain text.
func askedAs(question, text string) string {
	return "> " + question + "\n" + text
}

// ingestArticle stores an article directly through the service.
func (h *harness) ingestArticle(scope, title, source, url string, paragraphs ...string) bot.IngestResult {
	h.t.Helper()
	a := ingest.Article{Title: title, Source: source, URL: url, Paragraphs: paragraphs}
	a.ID = ingest.NewID(url, title, paragraphs)
	res, err := h.svc.Ingest(h.ctx, scope, a)
	if err != nil {
		h.t.Fatal(err)
	}
	return res
}

// askInFlight stores a ferry timetable, asks about it with /ask and
// returns the interaction and the answerer's call, not yet answered.
func (h *harness) askInFlight() (*discordgo.Interaction, *answerCall) {
	h.t.Helper()
	h.ingestArticle(retrieval.SharedScope, "Ferry timetable", "", "", "The island ferry leaves the harbour at seven every morning.")
	i := h.interact(ask("g1", "u1", "When does the island ferry leave the harbour?"))
	return i, h.nextCall()
}
