package bot

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/fakeopenai"
	"github.com/citebot/citebot/retrieval"
)

func TestSummarizeQuotesTheLeadOffline(t *testing.T) {
	t.Parallel()
	st := storeOf(t, "../testdata/articles/riverton-transit-strike.txt")
	core := NewCore(CoreOptions{Store: st, Answerer: Extractive{}})
	infos, err := core.Sources(t.Context(), retrieval.SharedScope)
	if err != nil || len(infos) != 1 {
		t.Fatalf("sources: %v %v", infos, err)
	}
	ans, err := core.Summarize(t.Context(), retrieval.GuildScope("7"), infos[0].ID) // a guild sees shared articles
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(ans.Text, "\n")
	if !ans.Found || len(lines) != leadSentences || len(ans.Citations) == 0 {
		t.Fatalf("summary %q with %d citations, want %d cited lead sentences", ans.Text, len(ans.Citations), leadSentences)
	}
	if !strings.HasPrefix(lines[0], "- About 3,800 bus drivers") || !strings.HasSuffix(lines[0], "[1]") {
		t.Errorf("first bullet %q, want the article's first sentence cited [1]", lines[0])
	}
	for _, c := range ans.Citations {
		if c.ArticleID != infos[0].ID {
			t.Errorf("citation of another article: %+v", c)
		}
	}
}

func TestSummarizeRefusesArticlesNotHere(t *testing.T) {
	t.Parallel()
	st := storeOf(t)
	core := NewCore(CoreOptions{Store: st, Answerer: Extractive{}})
	a, err := ingest.ParseFile("../testdata/articles/carson-ridge-wildfire.txt")
	if err != nil {
		t.Fatal(err)
	}
	res, err := core.Ingest(t.Context(), retrieval.GuildScope("1"), a)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ scope, id string }{
		{retrieval.GuildScope("2"), res.ID}, // another server's article
		{retrieval.SharedScope, res.ID},
		{retrieval.GuildScope("1"), "tnosuchid"},
	} {
		_, err := core.Summarize(t.Context(), tt.scope, tt.id)
		if !errors.Is(err, retrieval.ErrNotFound) || !strings.Contains(UserMessage(err), "No article with ID") {
			t.Errorf("summarize %s in %s: %v (%q), want not found", tt.id, tt.scope, err, UserMessage(err))
		}
	}
	if _, err := core.Summarize(t.Context(), retrieval.GuildScope("1"), res.ID); err != nil {
		t.Errorf("its own server: %v", err)
	}
}

// TestModelSummarisesLongArticlesInParts: an article longer than one call
// holds is summarised part by part, then combined; the summary cites
// passages of both parts with their article-wide numbers, keeps at most
// MaxSummaryBullets points, and its sources are that article's passages.
func TestModelSummarisesLongArticlesInParts(t *testing.T) {
	t.Parallel()
	var (
		mu      sync.Mutex
		prompts []string
	)
	env := newLLMEnv(t, fakeopenai.Options{Reply: func(req fakeopenai.ChatRequest) string {
		p := req.Messages[len(req.Messages)-1].Content
		mu.Lock()
		prompts = append(prompts, p)
		mu.Unlock()
		switch {
		case strings.Contains(p, "part 1 of 2"):
			return "- The harbour plan begins [1].\n- Its cost is set [2]."
		case strings.Contains(p, "part 2 of"):
			return "- Work ends in spring [30]."
		case strings.Contains(p, "Combine them"):
			return "Here is the summary:\n- The harbour plan begins [1].\n- Its cost is set [2].\n- Work ends in spring [30].\n- One more [2].\n- And more [1].\n- Too many [30].\n\nHope this helps!"
		}
		return "unexpected prompt"
	}})
	res, ans := summariseHarbourPlan(t, env)
	mu.Lock()
	calls := len(prompts)
	mu.Unlock()
	if calls < 3 {
		t.Fatalf("%d chat calls, want one per part and one to combine", calls)
	}
	bullets := strings.Count(ans.Text, "- ")
	if bullets != MaxSummaryBullets || strings.Contains(ans.Text, "Hope this helps") {
		t.Errorf("summary %q: want %d bullets and nothing after them", ans.Text, MaxSummaryBullets)
	}
	if len(ans.Citations) != 3 || ans.Citations[2].Quote != ans.Passages[29].Text {
		t.Errorf("citations %+v, want passages 1, 2 and 30", ans.Citations)
	}
	for _, c := range ans.Citations {
		if c.ArticleID != res.ID || c.Published.IsZero() {
			t.Errorf("citation %+v", c)
		}
	}
}

// TestFakeModelSummarisesLongArticles: with the fake's default replies,
// which summarise and combine like a model, a long article's summary is
// bullets citing its passages, not a decline.
func TestFakeModelSummarisesLongArticles(t *testing.T) {
	t.Parallel()
	env := newLLMEnv(t, fakeopenai.Options{})
	_, ans := summariseHarbourPlan(t, env)
	if got := strings.Count(ans.Text, "- Paragraph "); got != MaxSummaryBullets || len(ans.Citations) == 0 {
		t.Errorf("summary %q with %d citations: want %d bullets of the article, cited", ans.Text, len(ans.Citations), MaxSummaryBullets)
	}
}

// summariseHarbourPlan ingests an article of 30 long paragraphs, one
// passage each (more than one model call holds), and summarises it with
// env's model.
func summariseHarbourPlan(t *testing.T, env *llmEnv) (IngestResult, Answer) {
	t.Helper()
	var paras []string
	for i := range 30 {
		paras = append(paras, fmt.Sprintf("Paragraph %d of the harbour plan says the council will dredge the harbour and rebuild its north quay, %s.", i+1, strings.Repeat("with detail on costs, dates and contractors ", 12)))
	}
	a := ingest.Article{Title: "Harbour plan", Source: "Port Gazette", Published: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), Paragraphs: paras}
	core := NewCore(CoreOptions{Store: storeOf(t), Answerer: env.answerer(), Chunking: ingest.ChunkOptions{TargetWords: 40, MaxWords: 130}})
	res, err := core.Ingest(t.Context(), retrieval.SharedScope, a)
	if err != nil || res.Chunks < 30 {
		t.Fatalf("ingest: %+v %v", res, err)
	}
	ans, err := core.Summarize(t.Context(), retrieval.SharedScope, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	return res, ans
}

// TestLeadSummarySkipsCaptionsAndDatelines: the offline summary quotes the
// story's first sentences, not the photo caption, credit, byline, date
// line or teaser a lead often opens with, and not a wire dateline; sentences that only look like
// those stay, and an article of nothing but a caption is still quoted.
func TestLeadSummarySkipsCaptionsAndDatelines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		passages []string
		want     []string
	}{
		{"AP dateline", []string{"WASHINGTON (AP) — The council voted 7-2 on Tuesday to add bike lanes.\n\nWork starts in May."},
			[]string{"- The council voted 7-2 on Tuesday to add bike lanes. [1]", "- Work starts in May. [1]"}},
		{"dateline with a region and no spaces", []string{"KYIV, Ukraine (AP)—Power returned to most of the city overnight."},
			[]string{"- Power returned to most of the city overnight. [1]"}},
		{"Reuters dateline and file photo", []string{"FILE PHOTO: A view of the port at dawn.\n\nLONDON, June 17 (Reuters) - Britain's ports handled more cargo in May."},
			[]string{"- Britain's ports handled more cargo in May. [1]"}},
		{"broadcaster dateline", []string{"(CNN) — Flights resumed at noon."},
			[]string{"- Flights resumed at noon. [1]"}},
		{"FILE caption with a credit", []string{"FILE - A worker picks apples near Cedar Falls, Sept. 12, 2019. (Photo by Jane Roe/Valley Post)\n\nGrowers harvested a record crop this season.\n\nWarm weather helped."},
			[]string{"- Growers harvested a record crop this season. [1]", "- Warm weather helped. [1]"}},
		{"Photo: caption", []string{"Photo: Seals rest on a sandbar at low tide.\n\nSeals have returned to the estuary."},
			[]string{"- Seals have returned to the estuary. [1]"}},
		{"caption ending in an agency credit", []string{"The mayor speaks at the opening of the bridge. (AP Photo/John Doe)\n\nThe bridge opened on Monday."},
			[]string{"- The bridge opened on Monday. [1]"}},
		{"byline", []string{"By JANE ROE, Associated Press\n\nThe strike ended on Friday."},
			[]string{"- The strike ended on Friday. [1]"}},
		{"date line under the title", []string{"June 17, 2025\n\nThe night market returns to the quay."},
			[]string{"- The night market returns to the quay. [1]"}},
		{"time stamp", []string{"Updated 3:45 p.m. EDT, Tue June 17, 2025\n\nFlights resumed at noon."},
			[]string{"- Flights resumed at noon. [1]"}},
		{"video teaser", []string{"The summit opened on Monday.\n\nWATCH l Leaders arrive for the summit:\n\nTalks ran late."},
			[]string{"- The summit opened on Monday. [1]", "- Talks ran late. [1]"}},
		{"read-more teaser", []string{"READ MORE: Five things to know about the summit\n\nMore than 200 delegates came."},
			[]string{"- More than 200 delegates came. [1]"}},
		{"a dated sentence is the story", []string{"On May 5, 12 people were hurt."},
			[]string{"- On May 5, 12 people were hurt. [1]"}},
		{"caption alone in the first passage", []string{"Image: The new library at night.", "The library opens on Monday."},
			[]string{"- The library opens on Monday. [2]"}},
		{"look-alikes are the story", []string{"NASA said on Monday that the launch would slip.\n\nUS officials — including two senators — met on Friday.\n\nBy Tuesday, the river had risen two metres."},
			[]string{"- NASA said on Monday that the launch would slip. [1]", "- US officials — including two senators — met on Friday. [1]", "- By Tuesday, the river had risen two metres. [1]"}},
		{"another language", []string{"Die Stadt baut eine neue Brücke. Sie soll zwölf Millionen Euro kosten."},
			[]string{"- Die Stadt baut eine neue Brücke. [1]", "- Sie soll zwölf Millionen Euro kosten. [1]"}},
		{"nothing but a caption", []string{"FILE - The old mill in 1950."},
			[]string{"- FILE - The old mill in 1950. [1]"}},
		{"at most the lead's sentences", []string{"WASHINGTON (AP) — One. Two. Three. Four."},
			[]string{"- One. [1]", "- Two. [1]", "- Three. [1]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ps []retrieval.Passage
			for _, text := range tt.passages {
				ps = append(ps, retrieval.Passage{ArticleID: "a", Text: text})
			}
			if got, want := strings.TrimSpace(leadSummary(ps)), strings.Join(tt.want, "\n"); got != want {
				t.Errorf("summary\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// TestLimitBulletsKeepsFivePoints: a model's summary keeps at most n
// points whether it writes them as "-", "*" or a numbered list, a bold
// heading is not taken for one of them, and what follows the points goes.
func TestLimitBulletsKeepsFivePoints(t *testing.T) {
	t.Parallel()
	items := func(format string, k int) string {
		var lines []string
		for i := 1; i <= k; i++ {
			lines = append(lines, fmt.Sprintf(format, i))
		}
		return strings.Join(lines, "\n")
	}
	tests := []struct{ name, in, want string }{
		{"dashes", items("- point %d [1]", 7), items("- point %d [1]", 5)},
		{"bold heading and stars", "**Summary**\n" + items("* point %d [1]", 7), "**Summary**\n" + items("* point %d [1]", 5)},
		{"numbered", items("%d. point [1]", 7), items("%d. point [1]", 5)},
		{"numbered with parentheses", items("%d) point [1]", 6), items("%d) point [1]", 5)},
		{"bullets apart, then commentary", "Here is a summary:\n\n- a [1]\n\n- b [2]\n\nLet me know if you want more.", "Here is a summary:\n\n- a [1]\n\n- b [2]"},
		{"no bullets", "The council approved the plan [1]. Work starts in May [2].", "The council approved the plan [1]. Work starts in May [2]."},
		{"a year is not a number point", "2025 was the year the bridge opened [1].\n- it cost $4 million [1].", "2025 was the year the bridge opened [1].\n- it cost $4 million [1]."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := limitBullets(tt.in, 5); got != tt.want {
				t.Errorf("limitBullets(%q)\n= %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestEmptyModelSummaryIsAnError: a model that sends nothing back (an
// empty or blank reply) fails the summary with a message saying so, where
// it showed an empty summary "citing none of the passages"; a summary
// without citations is still shown, with its note.
func TestEmptyModelSummaryIsAnError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, reply string
		wantErr     bool
		wantNote    bool
	}{
		{"empty", "", true, false},
		{"blank lines", "  \n\n ", true, false},
		{"cited", "- The council approved dredging [1].", false, false},
		{"uncited", "- The council approved dredging.", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newLLMEnv(t, fakeopenai.Options{Reply: func(fakeopenai.ChatRequest) string { return tt.reply }})
			core := NewCore(CoreOptions{Store: storeOf(t), Answerer: env.answerer()})
			res, err := core.Ingest(t.Context(), retrieval.SharedScope, ingest.Article{Title: "Harbour dredging approved",
				Paragraphs: []string{"The council approved dredging the harbour on Tuesday."}})
			if err != nil {
				t.Fatal(err)
			}
			ans, err := core.Summarize(t.Context(), retrieval.SharedScope, res.ID)
			if tt.wantErr {
				if err == nil || UserMessage(err) != "The language model sent an empty summary; please try again." {
					t.Errorf("summary %+v, error %v (%q), want the empty summary refused", ans, err, UserMessage(err))
				}
				return
			}
			if err != nil || ans.Text == "" || (ans.Note != "") != tt.wantNote || ans.Found == tt.wantNote {
				t.Errorf("summary %+v, error %v", ans, err)
			}
		})
	}
}
