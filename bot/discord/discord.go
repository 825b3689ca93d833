// Package discord is citebot's Discord frontend on discordgo: slash
// commands (/ask, /ingest, /sources, /forget), mentions and reply chains,
// over the answering core of package bot. It is the only package that
// imports discordgo (besides the fake Discord of the tests); it reads no
// environment: cmd/citebot builds its Config.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/retrieval"
)

// Service is what the Discord frontend needs from the answering core;
// *bot.Core implements it. Implementations must be safe for concurrent use.
type Service interface {
	// Admission admits the frontend's work: before it starts an answer or
	// an ingest the frontend takes a place with TryAcquire, and tells the
	// user it is busy when none is free; AskStream called with the context
	// TryAcquire returned must not admit the answer again.
	Admission() *bot.Admission
	// AskStream answers q, passing text deltas to onDelta as they are
	// produced (onDelta may be called from another goroutine but never
	// concurrently with itself).
	AskStream(ctx context.Context, q bot.Question, onDelta func(string)) (bot.Answer, error)
	// Ingest stores a into scope.
	Ingest(ctx context.Context, scope string, a ingest.Article) (bot.IngestResult, error)
	// Sources lists the articles visible in scope (scope and shared).
	Sources(ctx context.Context, scope string) ([]retrieval.ArticleInfo, error)
	// Forget removes one article of scope; a missing one wraps
	// retrieval.ErrNotFound.
	Forget(ctx context.Context, scope, articleID string) error
	// Summarize summarises one article visible in scope, citing its
	// passages; a missing one wraps retrieval.ErrNotFound.
	Summarize(ctx context.Context, scope, articleID string) (bot.Answer, error)
}

// Fetcher downloads and extracts a web article; *ingest.Fetcher implements
// it. Fetch must refuse an address that is not http(s) before any network
// access, with an error carrying a UserMessage (ingest.PageError does).
type Fetcher interface {
	Fetch(ctx context.Context, rawURL string) (ingest.Article, error)
}

// DefaultAPIBase is where Discord's REST API lives.
const DefaultAPIBase = "https://discord.com"

// DefaultQuestionsPerMinute is Config.QuestionsPerMinute when it is not set.
const DefaultQuestionsPerMinute = 5

// Config configures the Discord frontend (cmd/citebot reads it from the
// environment); zero values of the optional fields mean the defaults
// noted on each. The cap on answers and ingests in flight is the
// Service's Admission.
type Config struct {
	Token string // bot token, with or without the "Bot " prefix; required
	// APIBase replaces https://discord.com for every REST call, keeping the
	// paths (a shared rate-limit proxy, or a fake Discord in tests).
	// Attachments are also accepted from its host. "" means DefaultAPIBase.
	APIBase string
	// DevGuild, when set, registers the commands in that server only
	// (instant) instead of globally.
	DevGuild string
	// ManagerRole, when set, is a role ID whose members may use /ingest,
	// /forget, /follow and /unfollow without the Manage Server permission.
	ManagerRole string
	// QuestionsPerMinute is the per-user limit on questions; 0 means
	// DefaultQuestionsPerMinute, negative means unlimited.
	QuestionsPerMinute int
	// EditInterval is the least time between two streaming edits of an
	// answer; 0 means one second.
	EditInterval time.Duration
	// ShutdownGrace bounds how long Serve waits for work in flight after
	// its context ends; 0 means 30 seconds.
	ShutdownGrace time.Duration
	// MaxAttachmentBytes caps an /ingest file; 0 means 8 MiB.
	MaxAttachmentBytes int64
	// ShardID and ShardCount make this process one shard of the gateway
	// (discordgo's Session.ShardID and ShardCount): it receives only the
	// events of servers with (guild_id >> 22) % ShardCount == ShardID.
	// Shard 0 registers the commands, gets direct messages and polls the
	// feeds. ShardCount 0 or 1 means one process serves every server.
	ShardID, ShardCount int
	// MessageContent asks Discord for the privileged Message Content
	// intent, which the application must have enabled in the Developer
	// Portal: a reply to one of the bot's answers is then read, and
	// answered, with the reply's ping off too, and every message in a
	// thread started from one of its answers is a question (threads.go).
	// Without it Discord shows the bot only messages that mention it.
	MessageContent bool
}

// ErrMessageContentRefused is returned by Serve when Config.MessageContent
// is set but the application may not use the Message Content intent.
var ErrMessageContentRefused = errors.New("discord: Discord refused the Message Content intent (gateway close 4014)")

// ErrNoToken is returned when no bot token is configured.
var ErrNoToken = errors.New("discord: no bot token")

// ErrBadAPIBase is returned when Config.APIBase is not an http(s) URL
// with a host.
var ErrBadAPIBase = errors.New("discord: the API base is not an http(s) URL like https://discord.com")

// Validate checks what New requires of c: a token, an API base that is
// empty or an http(s) URL with a host, and a shard inside the shard count.
// Its errors wrap ErrNoToken, ErrBadAPIBase or ErrBadShard and never
// contain the token.
func (c Config) Validate() error {
	if c.APIBase != "" {
		u, err := url.Parse(c.APIBase)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%q: %w", c.APIBase, ErrBadAPIBase)
		}
	}
	if err := validShard(c.ShardID, c.ShardCount); err != nil {
		return err
	}
	if c.Token == "" {
		// Last, so that a caller without a token yet (citebot config)
		// learns what else is wrong.
		return ErrNoToken
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.APIBase == "" {
		c.APIBase = DefaultAPIBase
	}
	if c.QuestionsPerMinute == 0 {
		c.QuestionsPerMinute = DefaultQuestionsPerMinute
	}
	if c.EditInterval == 0 {
		c.EditInterval = time.Second
	}
	if c.ShutdownGrace == 0 {
		c.ShutdownGrace = 30 * time.Second
	}
	if c.MaxAttachmentBytes == 0 {
		c.MaxAttachmentBytes = 8 << 20
	}
	return c
}

// Deps are the services the Discord frontend drives.
type Deps struct {
	Service Service // required
	// Fetcher fetches /ingest url:; nil refuses URLs.
	Fetcher Fetcher
	// Parse turns an attachment or pasted text into an Article
	// (ingest.Parse); nil refuses files and text.
	Parse func(name string, data []byte) (ingest.Article, error)
	// Feeds follows feeds (/follow, /unfollow, /feeds) and polls them
	// while the bot serves, announcing new articles; nil: not enabled.
	Feeds  FeedService
	Logger *slog.Logger // nil: slog.Default()
	// Observer receives questions, ingests, REST requests, the gateway's
	// state and votes (see Observer); nil means none.
	Observer Observer
	// Feedback keeps answers and votes: with it the final answer to a
	// question (/ask, a mention or a reply) carries 👍 and 👎 buttons,
	// except the answer that there is nothing to search, and a reply to an
	// answer finds its question there after a restart; nil means no
	// buttons.
	Feedback FeedbackStore
	// AnswererName and EmbedderName are recorded with each answer kept
	// for feedback.
	AnswererName, EmbedderName string
}

// Bot is the Discord frontend: slash commands, mentions and reply chains
// on top of a Service. Create it with New and run it with Serve.
type Bot struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	obs     Observer
	session *discordgo.Session
	files   *http.Client // attachment downloads

	// rate limits each user's questions a minute; admission of work in
	// flight is the Service's (deps.Service.Admission()).
	rate *userLimiter
	// newTicker makes the ticker that paces streaming edits; tests replace it.
	newTicker func(time.Duration) (<-chan time.Time, func())

	mu      sync.Mutex
	closing bool
	// draining is closed once shutdown has begun turning new work away.
	draining chan struct{}
	work     sync.WaitGroup // handlers running
	// workCtx is the context of work in flight: it outlives Serve's
	// context by the shutdown grace.
	workCtx    context.Context
	cancelWork context.CancelFunc

	sent  *sentMemory
	feeds feedLoop // the feed poll loop, while serving
	// threadStarts remembers, by channel ID, the answer a thread was
	// started from, or nil for a channel that is no such thread;
	// threadTurns the bot's answers in those threads (threads.go).
	threadStarts *sentMemory
	threadTurns  *threadTurns
}

// New validates cfg (see Config.Validate) and prepares a session; it
// does not connect.
func New(cfg Config, deps Deps) (*Bot, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Service == nil {
		return nil, errors.New("discord: no Service")
	}
	cfg = cfg.withDefaults()
	logger := deps.Logger
	if logger == nil {
		logger = slog.Default()
	}
	token := cfg.Token
	if !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	obs := deps.Observer
	if obs == nil {
		obs = nopObserver{}
	}
	base, _ := url.Parse(cfg.APIBase)
	s.Client = &http.Client{Timeout: 20 * time.Second, Transport: &observedTransport{obs: obs, next: &baseTransport{base: base, next: http.DefaultTransport}}}
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
	if cfg.MessageContent {
		s.Identify.Intents |= discordgo.IntentsMessageContent
	}
	s.ShouldReconnectOnError = true
	s.StateEnabled = true
	s.LogLevel = discordgo.LogError
	s.ShardID, s.ShardCount = cfg.ShardID, max(cfg.ShardCount, 1)

	workCtx, cancel := context.WithCancel(context.Background())
	d := &Bot{
		cfg:          cfg,
		deps:         deps,
		log:          logger,
		obs:          obs,
		session:      s,
		rate:         newUserLimiter(cfg.QuestionsPerMinute, time.Minute, nil),
		newTicker:    realTicker,
		workCtx:      workCtx,
		cancelWork:   cancel,
		sent:         newSentMemory(4096),
		threadStarts: newSentMemory(4096),
		threadTurns:  newThreadTurns(),
		draining:     make(chan struct{}),
	}
	d.files = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 3 {
			return errors.New("too many redirects")
		}
		if !d.attachmentHostAllowed(req.URL) {
			return fmt.Errorf("redirect to %s: not a Discord attachment host", req.URL.Host)
		}
		return nil
	}}
	s.AddHandler(d.onInteraction)
	s.AddHandler(d.onMessage)
	observeGateway(s, obs)
	return d, nil
}

func realTicker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// baseTransport sends every request for discord.com to base instead,
// keeping the path (prefixed with base's path) and query. Other hosts pass
// through unchanged.
type baseTransport struct {
	base *url.URL
	next http.RoundTripper
}

func (t *baseTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != "discord.com" || (t.base.Scheme == "https" && t.base.Host == "discord.com" && t.base.Path == "") {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme = t.base.Scheme
	r.URL.Host = t.base.Host
	r.URL.Path = strings.TrimSuffix(t.base.Path, "/") + req.URL.Path
	if req.URL.RawPath != "" {
		r.URL.RawPath = strings.TrimSuffix(t.base.EscapedPath(), "/") + req.URL.RawPath
	}
	r.Host = ""
	return t.next.RoundTrip(r)
}

// noMentions is set on every message the bot sends or edits: nothing in an
// answer, article or title can ping anyone.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// begin registers one unit of work; it returns false once shutdown began.
func (d *Bot) begin() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closing {
		return false
	}
	d.work.Add(1)
	return true
}

func (d *Bot) botID() string {
	d.session.State.RLock()
	defer d.session.State.RUnlock()
	if d.session.State.User == nil {
		return ""
	}
	return d.session.State.User.ID
}

// scopeOf returns the scope of a guild ID: the guild's own, or shared in DMs.
func scopeOf(guildID string) string {
	if guildID == "" {
		return retrieval.SharedScope
	}
	return retrieval.GuildScope(guildID)
}

// sentMemory remembers, by message ID, what the bot's recent messages
// were, so that a reply to one can be a follow-up: each part of an
// answer stands for the whole answer and the question it answered (the
// messages of an /ask answer carry no reference to the question); a
// refusal, the help, an error or an answer still being written stands
// for no answer (nil). It is bounded; the oldest entries are dropped
// first.
type sentMemory struct {
	mu    sync.Mutex
	max   int
	order []string
	byMsg map[string]*bot.Turn
}

func newSentMemory(max int) *sentMemory {
	return &sentMemory{max: max, byMsg: make(map[string]*bot.Turn)}
}

// Put remembers that the messages ids hold turn's answer to its
// question, or no answer when turn is nil.
func (m *sentMemory) Put(turn *bot.Turn, ids ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range ids {
		if id == "" {
			continue
		}
		if _, ok := m.byMsg[id]; !ok {
			m.order = append(m.order, id)
		}
		m.byMsg[id] = turn
	}
	for len(m.order) > m.max {
		delete(m.byMsg, m.order[0])
		m.order = m.order[1:]
	}
}

// Get returns what message id holds: the turn of an answer, or nil for
// no answer; ok is false when it is not remembered.
func (m *sentMemory) Get(id string) (turn *bot.Turn, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	turn, ok = m.byMsg[id]
	return turn, ok
}

// *ingest.Fetcher is the production Fetcher.
var _ Fetcher = (*ingest.Fetcher)(nil)
