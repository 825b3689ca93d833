// Package bot is citebot's answering core — question (plus earlier turns) →
// retrieval → answerer → checked citations — with the interfaces it
// answers through (Store, Answerer, Rewriter), the extractive and LLM
// answerers, and the admission of work (Admission). Its Discord frontend
// is bot/discord.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/sentence"
	"github.com/citebot/citebot/internal/text"
	"github.com/citebot/citebot/prompts"
	"github.com/citebot/citebot/retrieval"
)

// NotCoveredText is the answer given when no passage is relevant enough.
const NotCoveredText = "The ingested articles don't cover this."

// EmptyAnswerText tells the asker that the answerer (a language model)
// sent nothing back.
const EmptyAnswerText = "The language model sent an empty answer; please try again."

// NoArticlesText is the answer when there is nothing at all to search.
const NoArticlesText = "There are no articles to search here yet: add some first (citebot ingest, or /ingest in Discord)."

// MaxQuestionRunes bounds the length of a question.
const MaxQuestionRunes = 1000

// CheckQuestionLength refuses a question longer than MaxQuestionRunes
// with an error carrying the message for the asker (see UserMessage).
func CheckQuestionLength(question string) error {
	if n := utf8.RuneCountInString(question); n > MaxQuestionRunes {
		return UserError(fmt.Sprintf("That question is too long (%d characters); please keep it to at most %d.", n, MaxQuestionRunes),
			fmt.Errorf("question of %d characters", n))
	}
	return nil
}

// Store is what the core needs of the durable store; *retrieval.Store
// implements it.
type Store interface {
	Search(ctx context.Context, query string, opt retrieval.SearchOptions) ([]retrieval.Passage, error)
	AddBatch(ctx context.Context, scope string, items []retrieval.Item) []retrieval.ItemResult
	Forget(ctx context.Context, scope, articleID string) error
	Articles(ctx context.Context, scopes []string) ([]retrieval.ArticleInfo, error)
	// ArticlePassages returns one article's passages in order, from the
	// first of scopes that has it; a missing one wraps retrieval.ErrNotFound.
	ArticlePassages(ctx context.Context, scopes []string, articleID string) ([]retrieval.Passage, error)
	// TermCounts counts the passages of scopes holding each of terms.
	TermCounts(ctx context.Context, scopes []string, terms []string) (map[string]int, error)
	// Respell returns question with the words that look misspelt against
	// the passages of scopes spelt as the passages spell them.
	Respell(ctx context.Context, scopes []string, question string) (string, error)
}

// Answerer writes an answer from numbered passages.
type Answerer interface {
	// Name identifies the answerer in logs and on the command line.
	Name() string
	// Answer answers question from passages numbered 1..len(passages) in
	// order, citing them with [n] markers. onDelta, if non-nil, receives
	// the text as it is produced. It returns the whole raw text.
	Answer(ctx context.Context, question string, passages []retrieval.Passage, history []Turn, onDelta func(string)) (string, error)
}

// A Decliner is an Answerer that decides for itself whether the passages
// hold the answer: when they do not, its answer is prompts.DeclineMarker.
// The core then turns away only questions clearly unrelated to the
// passages (DeclineModel) and lets the answerer judge the rest.
type Decliner interface {
	Answerer
	Declines() bool
}

// Rewriter turns a follow-up question into a standalone one, using the
// earlier turns of the conversation.
type Rewriter interface {
	Rewrite(ctx context.Context, history []Turn, question string) (string, error)
}

// Answer is the core's reply to a Question.
type Answer struct {
	// Text is the answer with its citation markers renumbered 1..m.
	Text string
	// Found is false when the articles do not cover the question or the
	// answer cites none of the passages.
	Found bool
	// Citations lists the cited passages; Citations[i].N == i+1.
	Citations []Citation
	// Passages are the retrieved passages in rank order, cited or not.
	Passages []retrieval.Passage
	// Note explains an answer that needs a caveat (e.g. it cites nothing).
	Note string
	// Query is the text that was searched (the rewritten follow-up).
	Query string
	// Signals and Logit are what the decision to answer weighed (zero
	// when there was nothing to search).
	Signals Signals
	Logit   float64
}

// CoreOptions configures NewCore. Store and Answerer are required.
type CoreOptions struct {
	Store    Store
	Answerer Answerer
	// Rewriter rewrites follow-ups; nil joins the previous question to
	// the follow-up for retrieval instead.
	Rewriter Rewriter
	Chunking ingest.ChunkOptions
	// K is how many passages a model answerer reads for each question, in
	// rank order; zero means DefaultK. The decision and the extractive answerer
	// read the top decisionPassages whatever K is: they were fitted so.
	K int
	// DeclineBelow is the answerability logit (Signals.Logit) under which
	// a question is answered "not covered" without calling the answerer.
	// Zero means ModelGate for a Decliner that declines, else
	// DeclineExtractive; math.Inf(-1) never declines (for measuring).
	DeclineBelow float64
	// MaxAnswers bounds the answers computed at once, MaxIngests the
	// ingests; zero means DefaultMaxAnswers and 2. Answers beyond them
	// wait in a queue of MaxAnswers places, ingests in one of 4×MaxIngests
	// (they are slow and come in bursts), and beyond that are refused at
	// once with an error whose UserMessage says so. A frontend takes its
	// places in the answers' admission (see Core.Admission).
	MaxAnswers, MaxIngests int
	Logger                 *slog.Logger
	// Observer receives retrieval latencies and the answers in flight;
	// nil means none.
	Observer Observer
	// Meaning encodes the question and the top passages' sentences for
	// the decision (Signals.Meaning); nil decides on words alone.
	Meaning *sentence.Cache
}

// Core answers questions and manages articles. It is safe for concurrent
// use.
type Core struct {
	opt     CoreOptions
	log     *slog.Logger
	answers *Admission
	ingests *Admission
}

// NewCore returns a ready Core.
func NewCore(opt CoreOptions) *Core {
	if opt.K <= 0 {
		opt.K = DefaultK
	}
	if opt.DeclineBelow == 0 {
		opt.DeclineBelow = DeclineExtractive
		if d, ok := opt.Answerer.(Decliner); ok && d.Declines() {
			opt.DeclineBelow = ModelGate(opt.Meaning != nil)
		}
	}
	if opt.MaxAnswers <= 0 {
		opt.MaxAnswers = DefaultMaxAnswers
	}
	if opt.MaxIngests <= 0 {
		opt.MaxIngests = 2
	}
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	if opt.Observer == nil {
		opt.Observer = nopObserver{}
	}
	return &Core{
		opt:     opt,
		log:     log,
		answers: NewAdmission(opt.MaxAnswers, opt.MaxAnswers),
		ingests: NewAdmission(opt.MaxIngests, 4*opt.MaxIngests),
	}
}

// Admission is the admission of answers (MaxAnswers at once). A frontend
// that must refuse work at once rather than queue it takes a place with
// TryAcquire, before it does anything else for the request, and passes
// the context it returns to AskStream, which then does not admit the
// answer a second time; an ingest it counts against the same places is
// still admitted among the ingests by Ingest.
func (c *Core) Admission() *Admission { return c.answers }

// AnswererName names the answerer in use.
func (c *Core) AnswererName() string { return c.opt.Answerer.Name() }

// Ask answers q as a whole.
func (c *Core) Ask(ctx context.Context, q Question) (Answer, error) {
	return c.AskStream(ctx, q, nil)
}

// AskStream answers q; onDelta, if non-nil, receives the answer text as
// it is written, in pieces that, joined, read as the final Text does so
// far: citation markers numbered as there, markers to no passage left
// out, a marker being written held back until it is complete, white space
// at either end trimmed. With a Decliner it never receives
// prompts.DeclineMarker nor a part of it, and nothing more once the
// marker has appeared. The pieces of an answer that is not declined and
// holds no marker end with the whole Text. Errors carry a user-facing
// message (see UserMessage).
func (c *Core) AskStream(ctx context.Context, q Question, onDelta func(string)) (ans Answer, err error) {
	question := strings.TrimSpace(q.Text)
	if question == "" {
		return Answer{}, UserError("Please ask a question.", errors.New("ask: empty question"))
	}
	if wordless(question) {
		return Answer{}, UserError("Please ask a question in words.", fmt.Errorf("ask %q: no words to search for", question))
	}
	if err := CheckQuestionLength(question); err != nil {
		return Answer{}, fmt.Errorf("ask: %w", err)
	}
	scope := q.Scope
	if scope == "" {
		scope = retrieval.SharedScope
	}
	if !retrieval.ValidScope(scope) {
		return Answer{}, fmt.Errorf("ask: invalid scope %q", scope)
	}
	release, err := c.answers.Acquire(ctx)
	if err != nil {
		return Answer{}, err
	}
	defer release()
	c.opt.Observer.AnswerInFlight(1)
	defer c.opt.Observer.AnswerInFlight(-1)

	if respelt := c.respell(ctx, question, retrieval.SearchScopes(scope)); respelt != question {
		note := respeltNote(question, respelt)
		defer func() {
			if err == nil {
				ans.Note = strings.TrimSpace(note + " " + ans.Note)
			}
		}()
		question = respelt
	}
	query := c.standalone(ctx, q.History, question)
	searched := time.Now()
	passages, err := c.opt.Store.Search(ctx, query, retrieval.SearchOptions{Scopes: retrieval.SearchScopes(scope), K: max(c.opt.K, decisionPassages)})
	c.opt.Observer.ObserveRetrieval(time.Since(searched))
	if err != nil {
		return Answer{}, fmt.Errorf("ask %q: search: %w", query, err)
	}
	ans = Answer{Passages: passages, Query: query}
	if len(passages) == 0 {
		ans.Text = NoArticlesText
		return ans, nil
	}
	top := passages[:min(len(passages), decisionPassages)]
	if ans.Signals, err = c.signals(ctx, query, retrieval.SearchScopes(scope), top); err != nil {
		return Answer{}, fmt.Errorf("ask %q: %w", query, err)
	}
	ans.Logit = ans.Signals.Logit()
	if ans.Logit < c.opt.DeclineBelow {
		ans.Text, ans.Note = NotCoveredText, closestNote(ans)
		c.log.Info("question not covered", "scope", scope, "passages", len(passages), "answerability", round2(ans.Logit))
		return ans, nil
	}
	// A model reads the passages in rank order and judges them itself;
	// the extractive answerer quotes from those holding at least half as
	// much of the question as the best.
	relevant := passages[:min(len(passages), c.opt.K)]
	d, declines := c.opt.Answerer.(Decliner)
	declines = declines && d.Declines()
	if !declines {
		relevant = ExtractivePassages(passages)
	}
	var stream *citationStream
	if onDelta != nil {
		stream = &citationStream{onDelta: onDelta, nPassages: len(relevant), declines: declines}
		onDelta = stream.write
	}
	raw, err := c.opt.Answerer.Answer(ctx, question, relevant, q.History, onDelta)
	if err != nil {
		return Answer{}, fmt.Errorf("ask %q with %s: %w", question, c.opt.Answerer.Name(), err)
	}
	if strings.TrimSpace(raw) == "" {
		// Not an answer that cites nothing: nothing came back at all.
		return Answer{}, UserError(EmptyAnswerText, fmt.Errorf("ask %q with %s: empty answer", question, c.opt.Answerer.Name()))
	}
	if declines && prompts.IsDecline(raw) {
		ans.Text, ans.Note = NotCoveredText, closestNote(ans)
		c.log.Info("question not covered", "scope", scope, "passages", len(passages), "answerability", round2(ans.Logit), "decided_by", c.opt.Answerer.Name())
		return ans, nil
	}
	if declines {
		raw = prompts.WithoutDecline(raw) // a cited answer that also said the marker
	}
	cited := c.cite(raw, relevant)
	ans.Text, ans.Citations, ans.Found = cited.Text, cited.Citations, cited.Found
	if stream != nil {
		stream.finish(ans.Text)
	}
	switch {
	case !ans.Found:
		ans.Note = "The answer cites none of the passages, so it may not be grounded in the articles."
	case !declines && ans.Logit < HedgeExtractive:
		// A model judged the passages itself; quoted sentences were only
		// the closest the decision found.
		ans.Note = UnsureNote
	}
	return ans, nil
}

// cite checks the citation markers of raw, written from passages numbered
// 1..len(passages): markers to no passage are dropped (and logged), the
// cited passages renumbered 1..m in order of first use and listed as
// Citations. Found is whether anything is cited.
func (c *Core) cite(raw string, passages []retrieval.Passage) Answer {
	checked := prompts.CheckCitations(raw, len(passages))
	ans := Answer{Text: strings.TrimSpace(checked.Text)}
	for i, n := range checked.Cited {
		p := passages[n-1]
		ans.Citations = append(ans.Citations, Citation{
			N: i + 1, ArticleID: p.ArticleID, Title: p.Title, Source: p.Source, URL: p.URL, Quote: p.Text, Published: p.Published,
		})
	}
	ans.Found = len(ans.Citations) > 0
	if checked.Dropped > 0 {
		c.log.Warn("answer cited passages that do not exist", "dropped", checked.Dropped, "answerer", c.opt.Answerer.Name())
	}
	return ans
}

// respell returns question with the words that look misspelt against
// the articles of scopes spelt as the articles spell them
// (retrieval.Store.Respell): "How is circuit switching charecterized" is
// searched, weighed and answered as "… characterized". Respelling is a
// help, never a condition: when it fails, the question is asked as
// written.
func (c *Core) respell(ctx context.Context, question string, scopes []string) string {
	respelt, err := c.opt.Store.Respell(ctx, scopes, question)
	if err != nil {
		c.log.Warn("respelling the question failed; asking it as written", "err", err)
		return question
	}
	if respelt != question {
		c.log.Info("question respelt against the articles")
	}
	return respelt
}

// respeltNote tells which words of question respelt reads otherwise:
// "Read “Bedigo” as “Bendigo”." A word read in the articles' spelling of
// it ("center" as "centre", "cooperation" as "co-operation", "rain forest"
// as "rainforest") is the same word and goes unsaid.
func respeltNote(question, respelt string) string {
	typed, read := noteWords(text.WriteOne(question)), noteWords(text.WriteOne(respelt))
	var pairs []string
	seen := make(map[string]bool)
	say := func(t, r string) {
		if !seen[t] && !sameWord(t, r) {
			seen[t] = true
			pairs = append(pairs, "“"+t+"” as “"+r+"”")
		}
	}
	for _, d := range wordDiff(typed, read) {
		// Respell replaces words, it never drops one: where a stretch
		// lost or gained words (len(t) or len(r) 0), say nothing rather
		// than something wrong. Otherwise word for word, but a word read
		// as two ("superbowl" as "super bowl") or two as one is taken
		// together.
		t, r := d[0], d[1]
		for i, j := 0, 0; i < len(t) && j < len(r); {
			if k := joins(t[i], r[j:]); k > 1 {
				say(t[i], strings.Join(r[j:j+k], " "))
				i, j = i+1, j+k
			} else if k := joins(r[j], t[i:]); k > 1 {
				say(strings.Join(t[i:i+k], " "), r[j])
				i, j = i+k, j+1
			} else {
				say(t[i], r[j])
				i, j = i+1, j+1
			}
		}
	}
	if len(pairs) == 0 {
		return ""
	}
	if len(pairs) > 1 {
		pairs[len(pairs)-2] += " and " + pairs[len(pairs)-1]
		pairs = pairs[:len(pairs)-1]
	}
	return "Read " + strings.Join(pairs, ", ") + "."
}

// joins returns how many of the first words make w when written together
// ("super", "bowl" make "superbowl": 2), or 0.
func joins(w string, words []string) int {
	bare := strings.ToLower(bareWord.Replace(w))
	joined := ""
	for k, x := range words {
		joined += strings.ToLower(x)
		if joined == bare {
			return k + 1
		}
		if !strings.HasPrefix(bare, joined) {
			return 0
		}
	}
	return 0
}

// wordDiff returns the stretches where a and b differ, aligned on their
// longest common subsequence of words: each as the words of a and the
// words of b in their place.
func wordDiff(a, b []string) [][2][]string {
	// lcs[i][j] is the length of the longest common subsequence of a[i:]
	// and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out [][2][]string
	i, j, si, sj := 0, 0, 0, 0
	flush := func() {
		if si < i || sj < j {
			out = append(out, [2][]string{a[si:i], b[sj:j]})
		}
	}
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			flush()
			i, j = i+1, j+1
			si, sj = i, j
		case lcs[i+1][j] >= lcs[i][j+1]:
			i++
		default:
			j++
		}
	}
	i, j = len(a), len(b)
	flush()
	return out
}

// noteWords returns the words of s as written, a word joined to the next
// by a hyphen ("co-operation") and a number's groups ("1,510") taken as
// one.
func noteWords(s string) []string {
	var words []string
	last := -1
	text.ForEachWordAt(s, func(start, end int, w string) {
		n := len(words)
		joined := n > 0 && last == start-1 && (s[last] == '-' ||
			s[last] == ',' && digits(words[n-1]) && len(w) == 3 && digits(w))
		if joined {
			words[n-1] += s[last:end]
		} else {
			words = append(words, s[start:end])
		}
		last = end
	})
	return words
}

// sameWord reports whether read is typed spelt as the articles spell the
// same word: the other side of the Atlantic's way ("center", "centre"),
// as one word or two ("cooperation", "co-operation", "rain forest",
// "rainforest"), with or without accents ("Gospic", "Gospić"), or a
// number with or without commas ("1510", "1,510").
func sameWord(typed, read string) bool {
	typed, read = strings.ToLower(typed), strings.ToLower(read)
	return text.IsVariant(typed, read) || bareWord.Replace(read) == bareWord.Replace(typed) || text.Fold(typed) == text.Fold(read)
}

// bareWord writes a word, or words, without the hyphens, commas and spaces
// that one writer puts in and another leaves out ("co-operation", "1,510",
// "rain forest").
var bareWord = strings.NewReplacer("-", "", ",", "", " ", "")

// digits reports whether w is digits alone, with commas between groups.
func digits(w string) bool {
	return w != "" && strings.Trim(w, "0123456789,") == ""
}

// standalone returns the text to search for: the question itself, or a
// follow-up rewritten into a standalone question.
func (c *Core) standalone(ctx context.Context, history []Turn, question string) string {
	if len(history) == 0 {
		return question
	}
	if c.opt.Rewriter != nil {
		rewritten, err := c.opt.Rewriter.Rewrite(ctx, history, question)
		if err == nil && strings.TrimSpace(rewritten) != "" {
			return strings.TrimSpace(rewritten)
		}
		c.log.Warn("follow-up rewrite failed; searching with the previous question", "err", err)
	}
	return history[len(history)-1].Question + " " + question
}

// ExtractivePassages returns the passages of a search, in rank order, that
// Ask lets an answerer that does not decline itself (the extractive one)
// quote from: of the top few it judges answerability on, those that
// cover at least half as much of the question's terms as the best one.
func ExtractivePassages(passages []retrieval.Passage) []retrieval.Passage {
	passages = passages[:min(len(passages), decisionPassages)]
	best := 0.0
	for _, p := range passages {
		best = max(best, p.Coverage)
	}
	var out []retrieval.Passage
	for _, p := range passages {
		if p.Coverage >= best/2 {
			out = append(out, p)
		}
	}
	return out
}

// closestNote names the article of the top passage of a declined
// answer, when the question came near enough to be worth a look: its
// logit reaches NearLogit.
// Most covered questions declined offline do (14 of the 20 declined in
// protocol (a) of scripts/answerability), so their askers learn where to
// look or which words to ask with; three in four uncovered questions
// declined in (c) do not, and get no note.
func closestNote(ans Answer) string {
	if ans.Logit < NearLogit || len(ans.Passages) == 0 {
		return ""
	}
	title := strings.Join(strings.Fields(ans.Passages[0].Title), " ")
	if title == "" {
		return ""
	}
	return "The closest article is “" + text.Truncate(title, maxNoteTitle) + "”."
}

// maxNoteTitle bounds the title closestNote quotes, in characters.
const maxNoteTitle = 120

// DefaultK is CoreOptions.K when it is not set.
const DefaultK = 5

// DefaultMaxAnswers is CoreOptions.MaxAnswers when it is not set.
const DefaultMaxAnswers = 8

// decisionPassages is how many of the top passages the answerability
// decision weighs and the extractive answerer quotes from: the number they
// were fitted and measured with (scripts/answerability).
const decisionPassages = 5

// round2 rounds x to two decimals, for logs.
func round2(x float64) float64 { return math.Round(x*100) / 100 }

// IngestResult says what Ingest stored.
type IngestResult struct {
	ID     string
	Title  string
	Chunks int
	Status retrieval.AddStatus
}

// Ingest chunks a and stores it in scope, replacing an earlier version.
func (c *Core) Ingest(ctx context.Context, scope string, a ingest.Article) (IngestResult, error) {
	out := c.IngestBatch(ctx, scope, []ingest.Article{a})[0]
	return out.Result, out.Err
}

// IngestOutcome is what IngestBatch did with one article.
type IngestOutcome struct {
	Result IngestResult
	Err    error
}

// IngestBatch ingests several articles into scope, each as Ingest does,
// with their passages embedded together (one request per 256 passages
// for a remote embedder, instead of one per article). Each article is
// written in its own transaction and succeeds or fails on its own, except
// that a failed embedding request fails every article it was for. The
// outcomes are in the order of arts.
func (c *Core) IngestBatch(ctx context.Context, scope string, arts []ingest.Article) []IngestOutcome {
	out := make([]IngestOutcome, len(arts))
	fail := func(err error) []IngestOutcome {
		for i := range out {
			out[i].Err = err
		}
		return out
	}
	if !retrieval.ValidScope(scope) {
		return fail(fmt.Errorf("ingest: invalid scope %q", scope))
	}
	release, err := c.ingests.Acquire(ctx)
	if err != nil {
		return fail(err)
	}
	defer release()
	var (
		items []retrieval.Item
		index []int // of each item in arts
	)
	for i, a := range arts {
		if strings.TrimSpace(a.Text()) == "" {
			out[i].Err = UserError("That article has no text to ingest.", fmt.Errorf("ingest %q: %w", a.Title, ingest.ErrEmpty))
			continue
		}
		if a.ID == "" {
			a.ID = ingest.NewID(a.URL, a.Title, a.Paragraphs)
		}
		chunks := ingest.ChunkArticle(a, c.opt.Chunking)
		out[i].Result = IngestResult{ID: a.ID, Title: a.Title, Chunks: len(chunks)}
		items = append(items, retrieval.Item{Article: a, Chunks: chunks})
		index = append(index, i)
	}
	if len(items) == 0 {
		return out
	}
	for k, r := range c.opt.Store.AddBatch(ctx, scope, items) {
		i, a := index[k], items[k].Article
		if r.Err != nil {
			out[i].Err = fmt.Errorf("ingest %q into %s: %w", a.Title, scope, r.Err)
			continue
		}
		out[i].Result.Status = r.Status
		c.log.Info("article ingested", "id", a.ID, "title", a.Title, "scope", scope, "chunks", len(items[k].Chunks), "status", r.Status.String())
	}
	return out
}

// Sources lists the articles visible in scope: its own and the shared ones.
func (c *Core) Sources(ctx context.Context, scope string) ([]retrieval.ArticleInfo, error) {
	if !retrieval.ValidScope(scope) {
		return nil, fmt.Errorf("sources: invalid scope %q", scope)
	}
	infos, err := c.opt.Store.Articles(ctx, retrieval.SearchScopes(scope))
	if err != nil {
		return nil, fmt.Errorf("sources of %s: %w", scope, err)
	}
	return infos, nil
}

// Forget removes an article of scope (only of that scope: a guild cannot
// remove a shared article).
func (c *Core) Forget(ctx context.Context, scope, articleID string) error {
	if !retrieval.ValidScope(scope) {
		return fmt.Errorf("forget: invalid scope %q", scope)
	}
	// The store's error names the article and the scope already.
	if err := c.opt.Store.Forget(ctx, scope, articleID); err != nil {
		if errors.Is(err, retrieval.ErrNotFound) {
			return UserError(fmt.Sprintf("No article with ID %s here.", articleID), err)
		}
		return err
	}
	c.log.Info("article forgotten", "id", articleID, "scope", scope)
	return nil
}
