package discord

// Feedback on answers: the final answer to a question carries 👍 and 👎
// buttons whose custom IDs name the answer's record in the FeedbackStore,
// so they keep working after a restart, and a reply to the answer finds
// its question and whole text there (see keptTurn). A 👎 opens an
// optional reason.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/retrieval"
)

// FeedbackStore keeps answers and the votes on them; *retrieval.Store
// implements it.
type FeedbackStore interface {
	SaveAnswer(ctx context.Context, a retrieval.AnswerRecord) error
	// RecordVote replaces the voter's earlier vote on the answer; an
	// unknown answer wraps retrieval.ErrNotFound.
	RecordVote(ctx context.Context, v retrieval.Vote) error
	// Answer returns the record of an answer; an unknown one wraps
	// retrieval.ErrNotFound.
	Answer(ctx context.Context, id string) (retrieval.AnswerRecord, error)
}

// Custom IDs of the vote buttons ("vote:up:<answer>") and of the reason
// modal ("vote-reason:<answer>").
const (
	voteCustomID   = "vote:"
	reasonCustomID = "vote-reason:"
	reasonInputID  = "reason"
)

// Reasons a 👎 may carry, as stored.
const (
	reasonWrong      = "wrong"
	reasonNotInThem  = "not_in_articles"
	reasonIncomplete = "incomplete"
	reasonOther      = "other"
)

// Replies to a vote.
const (
	voteThanksText   = "Thanks for the feedback!"
	voteTooOldText   = "That answer is too old to vote on now."
	voteFailedText   = "I couldn't record that vote; please try again later."
	reasonThanksText = "Thanks, noted."
)

// newAnswerID returns a fresh random ID for an answer's record.
func newAnswerID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// voterHash stands for a voter in the store: a SHA-256 of the user ID,
// never the ID itself.
func voterHash(userID string) string {
	sum := sha256.Sum256([]byte("citebot-voter:" + userID))
	return hex.EncodeToString(sum[:])
}

// saveAnswer records ans, the answer to q, so that votes can be cast on
// it; it returns the record's ID, or "" when feedback is off, the answer
// is not one to judge (nothing to search) or saving failed (logged).
func (d *Bot) saveAnswer(ctx context.Context, q bot.Question, ans bot.Answer) string {
	if d.deps.Feedback == nil || ans.Text == bot.NoArticlesText {
		return ""
	}
	rec := retrieval.AnswerRecord{
		ID: newAnswerID(), Scope: q.Scope, Question: q.Text, Answer: ans.Text,
		Answerer: d.deps.AnswererName, Embedder: d.deps.EmbedderName,
	}
	for _, c := range ans.Citations {
		rank := 0
		for k, p := range ans.Passages {
			if p.ArticleID == c.ArticleID && p.Text == c.Quote {
				rank = k + 1
				break
			}
		}
		rec.Citations = append(rec.Citations, retrieval.CitedPassage{ArticleID: c.ArticleID, Rank: rank})
	}
	if err := d.deps.Feedback.SaveAnswer(ctx, rec); err != nil {
		d.log.Warn("discord: saving an answer for feedback failed; sent without vote buttons", "err", err)
		return ""
	}
	return rec.ID
}

// voteButtons are the 👍 and 👎 of the answer recorded as id.
func voteButtons(id string) []discordgo.MessageComponent {
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Emoji: &discordgo.ComponentEmoji{Name: "👍"}, Style: discordgo.SecondaryButton, CustomID: voteCustomID + "up:" + id},
		discordgo.Button{Emoji: &discordgo.ComponentEmoji{Name: "👎"}, Style: discordgo.SecondaryButton, CustomID: voteCustomID + "down:" + id},
	}}}
}

// voteAnswerID returns the ID of the answer whose vote buttons are among
// comps (as sent, or as read back from Discord), or "".
func voteAnswerID(comps []discordgo.MessageComponent) string {
	for _, c := range comps {
		var row []discordgo.MessageComponent
		switch r := c.(type) {
		case discordgo.ActionsRow:
			row = r.Components
		case *discordgo.ActionsRow:
			row = r.Components
		}
		for _, b := range row {
			var id string
			switch b := b.(type) {
			case discordgo.Button:
				id = b.CustomID
			case *discordgo.Button:
				id = b.CustomID
			}
			if answer, ok := strings.CutPrefix(id, voteCustomID+"up:"); ok && answer != "" {
				return answer
			}
		}
	}
	return ""
}

// voteClicked records a click on 👍 or 👎 (customID without its prefix)
// and thanks the voter privately; a 👎 opens the optional reason.
func (d *Bot) voteClicked(ctx context.Context, i *discordgo.Interaction, customID string) {
	vote, id, ok := strings.Cut(customID, ":")
	if (vote != "up" && vote != "down") || !ok || id == "" || d.deps.Feedback == nil {
		d.reply(i, voteTooOldText, true)
		return
	}
	if !d.recordVote(ctx, i, retrieval.Vote{AnswerID: id, Up: vote == "up"}) {
		return
	}
	d.obs.Vote(vote)
	if vote == "up" {
		d.reply(i, voteThanksText, true)
		return
	}
	modal := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: &discordgo.InteractionResponseData{
		CustomID: reasonCustomID + id, Title: "What was wrong? (optional)",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.TextInput{
				CustomID: reasonInputID, Label: "Reason (you may leave it empty)", Style: discordgo.TextInputShort,
				Placeholder: "wrong · not in the articles · incomplete · other", Required: false, MaxLength: 100,
			},
		}}},
	}}
	if err := d.session.InteractionRespond(i, modal, discordgo.WithContext(ctx)); err != nil {
		d.log.Warn("discord: opening the reason form failed", "interaction", i.ID, "err", redact(err))
	}
}

// reasonGiven records the reason of a 👎 sent from the modal.
func (d *Bot) reasonGiven(ctx context.Context, i *discordgo.Interaction, id string) {
	if d.deps.Feedback == nil || id == "" {
		d.reply(i, voteTooOldText, true)
		return
	}
	var text string
	for _, row := range i.ModalSubmitData().Components {
		r, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range r.Components {
			if in, ok := c.(*discordgo.TextInput); ok && in.CustomID == reasonInputID {
				text = in.Value
			}
		}
	}
	reason := parseReason(text)
	if !d.recordVote(ctx, i, retrieval.Vote{AnswerID: id, Up: false, Reason: reason}) {
		return
	}
	if reason != "" {
		d.obs.VoteReason(reason)
	}
	d.reply(i, reasonThanksText, true)
}

// recordVote stores v for the user of i; on failure it tells the user
// and returns false.
func (d *Bot) recordVote(ctx context.Context, i *discordgo.Interaction, v retrieval.Vote) bool {
	v.VoterHash = voterHash(userOf(i).ID)
	err := d.deps.Feedback.RecordVote(ctx, v)
	switch {
	case err == nil:
		return true
	case errors.Is(err, retrieval.ErrNotFound):
		d.reply(i, voteTooOldText, true)
	default:
		d.log.Warn("discord: recording a vote failed", "err", err)
		d.reply(i, voteFailedText, true)
	}
	return false
}

// parseReason reads what a voter typed as one of the reasons; "" when
// they typed nothing.
func parseReason(text string) string {
	t := strings.ToLower(strings.Join(strings.Fields(text), " "))
	switch {
	case t == "":
		return ""
	case strings.Contains(t, "not in") || strings.Contains(t, "not covered") || t == "2":
		return reasonNotInThem
	case strings.Contains(t, "incomplete") || strings.Contains(t, "missing") || t == "3":
		return reasonIncomplete
	case strings.Contains(t, "wrong") || strings.Contains(t, "incorrect") || t == "1":
		return reasonWrong
	}
	return reasonOther
}
