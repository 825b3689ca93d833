// Package metrics is citebot's Prometheus instrumentation and its
// operations endpoint: /healthz, /readyz and /metrics. It is the only
// package that imports client_golang. Its Metrics implements the
// observer interfaces of the answering core (bot.Observer), the Discord
// frontend (discord.Observer) and the model client (llm.Observer), which
// do not import it. Every label value comes from a small fixed set
// (never a user, a server or free text): a value outside its set is
// counted as "other".
package metrics

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Label values of the questions and ingests.
var (
	Entries          = []string{"slash", "mention"}
	Outcomes         = []string{"answered", "not_covered", "no_articles", "refused_busy", "rate_limited", "error"}
	IngestSources    = []string{"url", "file", "text", "feed"}
	IngestOutcomes   = []string{"added", "updated", "unchanged", "error"}
	Votes            = []string{"up", "down"}
	VoteReasons      = []string{"wrong", "not_in_articles", "incomplete", "other"}
	modelKinds       = []string{"chat", "stream", "rewrite", "embeddings", "summary", "other"}
	modelErrClasses  = []string{"rate_limit", "quota", "timeout", "server", "client", "bad_response", "canceled", "other"}
	modelRetryReason = []string{"rate_limit", "timeout", "server", "network"}
)

// Counts is what the store holds, for the articles and passages gauges.
type Counts func(ctx context.Context) (articles, passages int, err error)

// Metrics holds citebot's metrics in a registry of its own (never the
// global default). Its methods are safe for concurrent use; a nil
// *Metrics is not valid: leave the observer nil instead.
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	questions       *prometheus.CounterVec
	answerSeconds   prometheus.Histogram
	retrieval       prometheus.Histogram
	modelSeconds    *prometheus.HistogramVec
	modelErrors     *prometheus.CounterVec
	modelRetries    *prometheus.CounterVec
	tokens          *prometheus.CounterVec
	ingests         *prometheus.CounterVec
	discordRequests *prometheus.CounterVec
	discord429      prometheus.Counter
	inFlight        prometheus.Gauge
	votes           *prometheus.CounterVec
	voteReasons     *prometheus.CounterVec
	gateway         prometheus.Gauge

	connected atomic.Bool
}

// latencyBuckets span a fast extractive answer to a slow model.
var latencyBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20, 40, 80}

// New returns the metrics, registered in a new registry with the Go
// runtime and process collectors. counts, if non-nil, is asked at each
// scrape for the articles and passages held.
func New(counts Counts, log *slog.Logger) *Metrics {
	if log == nil {
		log = slog.Default()
	}
	m := &Metrics{reg: prometheus.NewRegistry(), log: log}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	}
	m.questions = counter("citebot_questions_total", "Questions by entry (slash, mention) and outcome.", "entry", "outcome")
	m.answerSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "citebot_answer_seconds",
		Help: "Time from a question's arrival to its final answer sent (admitted questions only).", Buckets: latencyBuckets})
	m.retrieval = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "citebot_retrieval_seconds",
		Help: "Time of one search of the store.", Buckets: latencyBuckets})
	m.modelSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "citebot_model_call_seconds",
		Help: "Time of one model API call, retries included, by kind.", Buckets: latencyBuckets}, []string{"kind"})
	m.modelErrors = counter("citebot_model_errors_total", "Model API calls that failed, by kind and error class.", "kind", "class")
	m.modelRetries = counter("citebot_model_retries_total", "Model API attempts retried, by kind and reason.", "kind", "reason")
	m.tokens = counter("citebot_model_tokens_total", "Tokens the model API reported using, by kind and type (prompt, completion).", "kind", "type")
	m.ingests = counter("citebot_ingests_total", "Articles ingested, by source and outcome.", "source", "outcome")
	m.discordRequests = counter("citebot_discord_requests_total", "Discord REST requests by HTTP status (\"error\": no response).", "status")
	m.discord429 = prometheus.NewCounter(prometheus.CounterOpts{Name: "citebot_discord_rate_limited_total", Help: "Discord REST requests answered 429."})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "citebot_answers_in_flight", Help: "Answers being computed now."})
	m.votes = counter("citebot_feedback_votes_total", "Feedback votes cast or changed, by vote (up, down).", "vote")
	m.voteReasons = counter("citebot_feedback_reasons_total", "Reasons given with a 👎, by reason.", "reason")
	m.gateway = prometheus.NewGauge(prometheus.GaugeOpts{Name: "citebot_discord_gateway_connected", Help: "1 while the Discord gateway is connected."})
	m.reg.MustRegister(m.questions, m.answerSeconds, m.retrieval, m.modelSeconds, m.modelErrors, m.modelRetries, m.tokens,
		m.ingests, m.discordRequests, m.discord429, m.inFlight, m.votes, m.voteReasons, m.gateway,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if counts != nil {
		m.reg.MustRegister(&storeCollector{counts: counts, log: log})
	}
	// Series that exist before their first event, so rate() and absent
	// alerts work from the start.
	for _, e := range Entries {
		for _, o := range Outcomes {
			m.questions.WithLabelValues(e, o)
		}
	}
	for _, v := range Votes {
		m.votes.WithLabelValues(v)
	}
	return m
}

// Registry is where the metrics are registered.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// oneOf returns v when it is in set, else "other".
func oneOf(v string, set []string) string {
	if slices.Contains(set, v) {
		return v
	}
	return "other"
}

// Question counts a question that came in by entry with outcome; took is
// the time to its final answer, measured for admitted questions.
func (m *Metrics) Question(entry, outcome string, took time.Duration) {
	outcome = oneOf(outcome, Outcomes)
	m.questions.WithLabelValues(oneOf(entry, Entries), outcome).Inc()
	if outcome != "refused_busy" && outcome != "rate_limited" {
		m.answerSeconds.Observe(took.Seconds())
	}
}

// Ingest counts an article ingested from source with outcome.
func (m *Metrics) Ingest(source, outcome string) {
	m.ingests.WithLabelValues(oneOf(source, IngestSources), oneOf(outcome, IngestOutcomes)).Inc()
}

// DiscordRequest counts one REST request to Discord by its status (0: no
// response).
func (m *Metrics) DiscordRequest(status int) {
	label := "error"
	if status >= 100 && status <= 599 {
		label = strconv.Itoa(status)
	}
	m.discordRequests.WithLabelValues(label).Inc()
	if status == 429 {
		m.discord429.Inc()
	}
}

// Gateway records whether the Discord gateway is connected.
func (m *Metrics) Gateway(connected bool) {
	m.connected.Store(connected)
	if connected {
		m.gateway.Set(1)
	} else {
		m.gateway.Set(0)
	}
}

// Connected reports what Gateway last recorded.
func (m *Metrics) Connected() bool { return m.connected.Load() }

// Vote counts a vote (up or down) cast or changed.
func (m *Metrics) Vote(vote string) { m.votes.WithLabelValues(oneOf(vote, Votes)).Inc() }

// VoteReason counts a reason given with a 👎.
func (m *Metrics) VoteReason(reason string) {
	m.voteReasons.WithLabelValues(oneOf(reason, VoteReasons)).Inc()
}

// ObserveRetrieval records one search of the store.
func (m *Metrics) ObserveRetrieval(d time.Duration) { m.retrieval.Observe(d.Seconds()) }

// AnswerInFlight moves the answers in flight by delta.
func (m *Metrics) AnswerInFlight(delta int) { m.inFlight.Add(float64(delta)) }

// ObserveCall records one model call of kind; class is "" on success.
func (m *Metrics) ObserveCall(kind string, d time.Duration, class string) {
	kind = oneOf(kind, modelKinds)
	m.modelSeconds.WithLabelValues(kind).Observe(d.Seconds())
	if class != "" {
		m.modelErrors.WithLabelValues(kind, oneOf(class, modelErrClasses)).Inc()
	}
}

// ObserveRetry records a retried model attempt.
func (m *Metrics) ObserveRetry(kind, reason string) {
	m.modelRetries.WithLabelValues(oneOf(kind, modelKinds), oneOf(reason, modelRetryReason)).Inc()
}

// ObserveTokens records the tokens one model call used.
func (m *Metrics) ObserveTokens(kind string, prompt, completion int) {
	kind = oneOf(kind, modelKinds)
	if prompt > 0 {
		m.tokens.WithLabelValues(kind, "prompt").Add(float64(prompt))
	}
	if completion > 0 {
		m.tokens.WithLabelValues(kind, "completion").Add(float64(completion))
	}
}

// storeCollector reports the articles and passages held, asking the store
// once per scrape.
type storeCollector struct {
	counts Counts
	log    *slog.Logger
}

var (
	articlesDesc = prometheus.NewDesc("citebot_articles", "Articles held in the store, all scopes.", nil, nil)
	passagesDesc = prometheus.NewDesc("citebot_passages", "Passages held in the store, all scopes.", nil, nil)
)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- articlesDesc
	ch <- passagesDesc
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	a, p, err := c.counts(ctx)
	if err != nil {
		c.log.Warn("metrics: counting the store's articles", "err", err)
		return
	}
	ch <- prometheus.MustNewConstMetric(articlesDesc, prometheus.GaugeValue, float64(a))
	ch <- prometheus.MustNewConstMetric(passagesDesc, prometheus.GaugeValue, float64(p))
}
