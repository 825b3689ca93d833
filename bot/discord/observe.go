package discord

// What the frontend reports to an Observer (package metrics implements
// it): questions by entry and outcome, ingests, Discord's REST requests,
// the gateway's state and feedback votes.

import (
	"net/http"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/retrieval"
)

// Observer receives the frontend's measurements; Deps.Observer nil means
// none. Every label comes from a small fixed set, never a user, server or
// message text.
type Observer interface {
	// Question reports a question that came in by entry ("slash",
	// "mention") and its outcome: "answered", "not_covered",
	// "no_articles", "error", or refused before any work:
	// "refused_busy", "rate_limited". took is the time from its arrival
	// to its final answer.
	Question(entry, outcome string, took time.Duration)
	// Ingest reports an /ingest of source ("url", "file", "text") with
	// outcome ("added", "updated", "unchanged", "error").
	Ingest(source, outcome string)
	// DiscordRequest reports one REST request to Discord by status (0
	// when no response came).
	DiscordRequest(status int)
	// Gateway reports the gateway connected (READY, RESUMED) or not.
	Gateway(connected bool)
	// Vote reports a feedback vote cast or changed ("up", "down");
	// VoteReason a reason given with a 👎 (see reasons).
	Vote(vote string)
	VoteReason(reason string)
}

// nopObserver observes nothing.
type nopObserver struct{}

func (nopObserver) Question(string, string, time.Duration) {}
func (nopObserver) Ingest(string, string)                  {}
func (nopObserver) DiscordRequest(int)                     {}
func (nopObserver) Gateway(bool)                           {}
func (nopObserver) Vote(string)                            {}
func (nopObserver) VoteReason(string)                      {}

// Entries of a question.
const (
	entrySlash   = "slash"
	entryMention = "mention"
)

// outcomeOf names how a question ended for Observer.Question.
func outcomeOf(ans bot.Answer, err error) string {
	switch {
	case err != nil:
		return "error"
	case ans.Text == bot.NoArticlesText:
		return "no_articles"
	case !ans.Found && (ans.Text == bot.NotCoveredText || ans.Text == ""):
		return "not_covered"
	}
	return "answered"
}

// ingestOutcome names an ingest's result for Observer.Ingest.
func ingestOutcome(res bot.IngestResult, err error) string {
	if err != nil {
		return "error"
	}
	switch res.Status {
	case retrieval.Added:
		return "added"
	case retrieval.Updated:
		return "updated"
	}
	return "unchanged"
}

// observedTransport counts each request to Discord by its status.
type observedTransport struct {
	obs  Observer
	next http.RoundTripper
}

func (t *observedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		t.obs.DiscordRequest(0)
		return resp, err
	}
	t.obs.DiscordRequest(resp.StatusCode)
	return resp, nil
}

// observeGateway reports the gateway's state changes to obs.
func observeGateway(s *discordgo.Session, obs Observer) {
	s.AddHandler(func(*discordgo.Session, *discordgo.Ready) { obs.Gateway(true) })
	s.AddHandler(func(*discordgo.Session, *discordgo.Resumed) { obs.Gateway(true) })
	s.AddHandler(func(*discordgo.Session, *discordgo.Disconnect) { obs.Gateway(false) })
}
