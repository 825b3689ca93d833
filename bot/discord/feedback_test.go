package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/internal/fakediscord"
	"github.com/citebot/citebot/retrieval"
)

// recordingObserver keeps what the frontend reports, as lines.
type recordingObserver struct {
	mu     sync.Mutex
	events []string
	rest   map[int]int
	up     bool
	added  chan struct{} // signalled (never blocking) at each event
}

func (o *recordingObserver) add(format string, a ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, fmt.Sprintf(format, a...))
	select {
	case o.notify() <- struct{}{}:
	default:
	}
}

// notify is o.added, made on first use; o.mu is held.
func (o *recordingObserver) notify() chan struct{} {
	if o.added == nil {
		o.added = make(chan struct{}, 1)
	}
	return o.added
}

// waitEvents returns the events once there are at least n, or what there
// is when ctx ends. A question is reported once its answer is sent: after
// the fake Discord has seen the answer, the report may still be on its way.
func (o *recordingObserver) waitEvents(ctx context.Context, n int) []string {
	for {
		o.mu.Lock()
		ev, added := slices.Clone(o.events), o.notify()
		o.mu.Unlock()
		if len(ev) >= n {
			return ev
		}
		select {
		case <-added:
		case <-ctx.Done():
			return ev
		}
	}
}

func (o *recordingObserver) Question(entry, outcome string, took time.Duration) {
	o.add("question %s %s", entry, outcome)
}
func (o *recordingObserver) Ingest(source, outcome string) { o.add("ingest %s %s", source, outcome) }
func (o *recordingObserver) DiscordRequest(status int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.rest == nil {
		o.rest = map[int]int{}
	}
	o.rest[status]++
}
func (o *recordingObserver) Gateway(connected bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.up = connected
}
func (o *recordingObserver) Vote(vote string)         { o.add("vote %s", vote) }
func (o *recordingObserver) VoteReason(reason string) { o.add("reason %s", reason) }

// componentIDs returns the custom IDs of the buttons a message body carries.
func componentIDs(t *testing.T, r fakediscord.Request) []string {
	t.Helper()
	var m struct {
		Components []struct {
			Components []struct {
				CustomID string `json:"custom_id"`
			} `json:"components"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	var ids []string
	for _, row := range m.Components {
		for _, c := range row.Components {
			ids = append(ids, c.CustomID)
		}
	}
	return ids
}

func click(guild, user, customID string) *discordgo.Interaction {
	return &discordgo.Interaction{
		Type: discordgo.InteractionMessageComponent, GuildID: guild, ChannelID: "c-" + guild, Member: plainMember(user),
		Message: &discordgo.Message{ID: "answer-msg", ChannelID: "c-" + guild},
		Data:    discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.ButtonComponent},
	}
}

// modalData is a modal submit as Discord sends it: discordgo's own type
// does not marshal its components.
type modalData struct {
	CustomID   string                       `json:"custom_id"`
	Components []discordgo.MessageComponent `json:"components"`
}

func (modalData) Type() discordgo.InteractionType { return discordgo.InteractionModalSubmit }

func submitReason(guild, user, customID, reason string) *discordgo.Interaction {
	return &discordgo.Interaction{
		Type: discordgo.InteractionModalSubmit, GuildID: guild, ChannelID: "c-" + guild, Member: plainMember(user),
		Data: modalData{CustomID: customID, Components: []discordgo.MessageComponent{
			discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{CustomID: reasonInputID, Value: reason}}},
		}},
	}
}

// TestVotesOnAnswersSurviveARestart drives the 👍/👎 buttons and the
// reason form through the fake Discord, changes a vote, restarts the bot
// over the same store and votes on the old answer's buttons.
func TestVotesOnAnswersSurviveARestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fb, err := retrieval.Open(t.Context(), dir, retrieval.Options{Embedder: retrieval.NewLocalEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	obs := &recordingObserver{}
	withFeedback := func(store FeedbackStore) func(*Deps) {
		return func(d *Deps) {
			d.Feedback, d.Observer, d.AnswererName, d.EmbedderName = store, obs, "scripted", "local-test"
		}
	}
	h := newHarness(t, Config{}, withFeedback(fb))
	h.answerer.auto = func(string, []retrieval.Passage) string { return "At seven [1]." }
	ferry := h.ingestArticle(retrieval.SharedScope, "Ferry timetable", "", "", "The island ferry leaves the harbour at seven every morning.")

	// /ask: the final answer carries 👍 and 👎.
	i := h.interact(ask("g1", "u1", "When does the island ferry leave the harbour?"))
	ids := componentIDs(t, h.wait(editsOf(i)))
	if len(ids) != 2 || !strings.HasPrefix(ids[0], "vote:up:") || !strings.HasPrefix(ids[1], "vote:down:") {
		t.Fatalf("answer buttons %q, want vote:up:<id> and vote:down:<id>", ids)
	}
	up, down := ids[0], ids[1]

	// A mention's answer carries them too.
	botUser := h.fake.BotUser()
	h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: &discordgo.User{ID: "u5"}, Content: "<@" + botUser.ID + "> when does the ferry leave?", Mentions: []*discordgo.User{botUser}})
	if ids := componentIDs(t, h.wait(editsIn("c-g1"))); len(ids) != 2 || ids[0] == up {
		t.Errorf("mention answer buttons %q, want a new answer's pair", ids)
	}

	// 👍 thanks privately; 👎 opens the optional reason form.
	c1 := h.interact(click("g1", "u1", up))
	if cb := callback(t, h.wait(callbackOf(c1))); cb.Data.Content != voteThanksText || cb.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("👍 answered %+v", cb)
	}
	c2 := h.interact(click("g1", "u2", down))
	var modal struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data struct {
			CustomID string `json:"custom_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(h.wait(callbackOf(c2)).Body, &modal); err != nil || modal.Type != discordgo.InteractionResponseModal ||
		modal.Data.CustomID != reasonCustomID+strings.TrimPrefix(down, "vote:down:") {
		t.Fatalf("👎 answered %+v (%v), want the reason form", modal, err)
	}
	s := h.interact(submitReason("g1", "u2", modal.Data.CustomID, "Not in the articles at all"))
	if cb := callback(t, h.wait(callbackOf(s))); cb.Data.Content != reasonThanksText {
		t.Errorf("reason answered %q", cb.Data.Content)
	}
	// u1 changes their mind: still one vote of theirs, now 👎 without a reason.
	c3 := h.interact(click("g1", "u1", down))
	h.wait(callbackOf(c3))
	// A button of an answer the store does not hold.
	c4 := h.interact(click("g1", "u1", "vote:up:0123456789abcdef"))
	if cb := callback(t, h.wait(callbackOf(c4))); cb.Data.Content != voteTooOldText {
		t.Errorf("unknown answer's button answered %q", cb.Data.Content)
	}

	// Restart: a new bot over the store reopened from disk.
	h.shutdown()
	fb.Close()
	fb2, err := retrieval.Open(t.Context(), dir, retrieval.Options{Embedder: retrieval.NewLocalEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	defer fb2.Close()
	h2 := newHarness(t, Config{}, withFeedback(fb2))
	c5 := h2.interact(click("g1", "u3", up))
	if cb := callback(t, h2.wait(callbackOf(c5))); cb.Data.Content != voteThanksText {
		t.Errorf("👍 after the restart answered %q", cb.Data.Content)
	}

	votes, err := fb2.Feedback(t.Context(), retrieval.FeedbackQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range votes {
		if v.Question != "When does the island ferry leave the harbour?" || v.Answer != "At seven [1]." || v.Scope != "guild:g1" ||
			v.Answerer != "scripted" || v.Embedder != "local-test" ||
			!slices.Equal(v.Citations, []retrieval.CitedPassage{{ArticleID: ferry.ID, Rank: 1}}) {
			t.Errorf("vote recorded with %+v", v.AnswerRecord)
		}
		for _, u := range []string{"u1", "u2", "u3"} {
			if v.VoterHash == u || v.VoterHash == voterHash("x") {
				t.Errorf("voter stored as %q", v.VoterHash)
			}
		}
		got = append(got, v.Vote+" "+v.Reason)
	}
	want := []string{"down not_in_articles", "down ", "up "} // u2, u1 (changed), u3
	if !slices.Equal(got, want) {
		t.Errorf("votes %q, want %q", got, want)
	}
	// Questions are reported once their answers are sent, which may be
	// after a vote on them.
	wantEvents := []string{"question mention answered", "question slash answered", "reason not_in_articles", "vote down", "vote down", "vote up", "vote up"}
	if ev := obs.waitEvents(h.ctx, len(wantEvents)); !slices.Equal(slices.Sorted(slices.Values(ev)), wantEvents) {
		t.Errorf("observer heard %q, want %q", ev, wantEvents)
	}
}

func TestParseReason(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"": "", "  ": "", "Wrong": reasonWrong, "it's incorrect": reasonWrong, "not in the articles": reasonNotInThem,
		"NOT IN ARTICLES": reasonNotInThem, "incomplete": reasonIncomplete, "2": reasonNotInThem, "meh": reasonOther,
	} {
		if got := parseReason(in); got != want {
			t.Errorf("parseReason(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestObserverHearsRefusalsAndRESTStatuses checks the outcomes of
// questions turned away and that every REST request is counted.
func TestObserverHearsRefusalsAndRESTStatuses(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	h := newHarness(t, Config{QuestionsPerMinute: 1}, func(d *Deps) { d.Observer = obs })
	h.answerer.auto = func(string, []retrieval.Passage) string { return "At seven [1]." }
	first := h.interact(ask("g1", "u1", "When does the island ferry leave the harbour?"))
	if got := body(t, h.wait(editsOf(first))).Content; got != askedAs("When does the island ferry leave the harbour?", noArticlesHereText) {
		t.Errorf("first question: %q", got)
	}
	second := h.interact(ask("g1", "u1", "And on Sundays?"))
	h.wait(callbackOf(second))
	in := h.interact(slash("g1", manager("m1"), "ingest", strOpt("title", "Ferry timetable"), strOpt("text", "The island ferry leaves the harbour at seven every morning.")))
	h.wait(editsOf(in))
	// The first question is reported once its answer is sent, which may
	// be after the second is refused.
	want := []string{"ingest text added", "question slash no_articles", "question slash rate_limited"}
	if ev := obs.waitEvents(h.ctx, len(want)); !slices.Equal(slices.Sorted(slices.Values(ev)), want) {
		t.Errorf("observer heard %q, want %q", ev, want)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if !obs.up || obs.rest[200] == 0 || obs.rest[204] == 0 {
		t.Errorf("gateway up %v, REST statuses %v", obs.up, obs.rest)
	}
}
