package bot

// Temporary stand-ins for the lead's core types (bot/core.go, errors.go on
// main), only so this branch compiles its tests before main builds;
// deleted when main is merged.

import (
	"errors"

	"github.com/citebot/citebot/retrieval"
)

type Answer struct {
	Text      string
	Found     bool
	Citations []Citation
	Passages  []retrieval.Passage
	Note      string
	Query     string
}

type IngestResult struct {
	ID, Title string
	Chunks    int
	Status    retrieval.AddStatus
}

func UserMessage(err error) string {
	var u interface{ UserMessage() string }
	if errors.As(err, &u) {
		return u.UserMessage()
	}
	return "Something went wrong on my side; the details are in the bot's log."
}
