package discord

import (
	"fmt"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/retrieval"
)

// TestCoreAdmitsAllTheBotLetsIn holds more answers in flight than the
// core's default limits (8 running, 8 queued) with the cap raised above
// them: every question the frontend admitted (taking a place in the
// core's Admission) must reach the answerer at once, none made to wait or
// refused by the core admitting it a second time.
func TestCoreAdmitsAllTheBotLetsIn(t *testing.T) {
	t.Parallel()
	const n = 20
	h := newHarnessAt(t, n, Config{QuestionsPerMinute: 100})
	h.ingestArticle(retrieval.SharedScope, "Ferry timetable", "", "", "The island ferry leaves the harbour at seven every morning.")
	var sent []*discordgo.Interaction
	for k := range n {
		sent = append(sent, h.interact(ask("g1", fmt.Sprint("u", k), "When does the island ferry leave the harbour?")))
	}
	var calls []*answerCall
	for range n { // all n at the answerer together
		calls = append(calls, h.nextCall())
	}
	for _, c := range calls {
		c.Result <- "At seven [1]."
	}
	for _, i := range sent {
		if got := body(t, h.wait(editsOf(i))).Content; got != askedAs("When does the island ferry leave the harbour?", "At seven [1].") {
			t.Errorf("interaction %s got %q", i.ID, got)
		}
	}
}
