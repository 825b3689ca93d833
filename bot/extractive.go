package bot

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/sentence"
	"github.com/citebot/citebot/internal/text"
	"github.com/citebot/citebot/prompts"
	"github.com/citebot/citebot/retrieval"
)

// Extractive answers without a language model: it picks the sentences of
// the passages that best answer the question and cites each. It is
// deterministic and safe for concurrent use.
type Extractive struct {
	// MaxSentences bounds the answer's length; zero (or less) means
	// defaultMaxSentences (2).
	MaxSentences int
	// Meaning, when set, is the sentence model that helps choose the
	// sentence to quote, for the kinds of question in meaningTypes: each
	// sentence gains meaningWeight times its cosine with the question.
	// Nil chooses on words alone.
	Meaning *sentence.Cache
	// Reading, when set, takes Meaning's place in choosing the sentence:
	// a sentence model trained to find the sentence that answers a
	// question, not the one that says the most alike (scripts/readermodel
	// trains one on the SQuAD tune questions). It ranks every kind of
	// question but "how long", each sentence gaining readingWeight times
	// its cosine with the question. citebot ships no reader: the one
	// trained gained too little on articles it had not seen for its cost
	// (retrieval/README.md, Answerability); scripts/answerability -reader
	// measures one.
	Reading *sentence.Cache
}

// Name implements Answerer.
func (Extractive) Name() string { return "extractive" }

type candidate struct {
	passage int    // 0-based index into passages
	text    string // white space folded
	raw     string // as the passage has it: the text the sentence model reads
	terms   map[string]bool
	title   map[string]bool // terms of the passage's article title
	score   float64         // as an answer, by words
	rank    float64         // what chooses the best sentence: score, with meaning when that helps
	pos     int             // the sentence's place in its passage
	cos     float64         // its cosine with the question, when meaning ranked
}

var (
	// yearOrDate is what answers "when": a year from 1000 to 2099 (the
	// Black Death's and the Mongol conquests' years are years too) or a
	// month or day named.
	yearOrDate = regexp.MustCompile(`\b(1[0-9]\d\d|20\d\d)\b|(?i)\b(january|february|march|april|may|june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b`)
	number     = regexp.MustCompile(`\d|(?i)\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen|half)\b`)
	// duration is a length of time: "about 21 months", "two hours".
	duration       = regexp.MustCompile(`(?i)\b(\d[\d,.]*|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|several|few)[ -](?:[a-z]+[ -])?(second|minute|hour|day|night|week|month|year|decade|century|centurie)s?\b`)
	lengthQuestion = regexp.MustCompile(`how long (?:is|are|was|were)\b`)
	properName     = regexp.MustCompile(`\b[A-Z][a-z]+ (?:[A-Z]\. )?[A-Z][a-z]+\b`)
	// place is where a sentence says where: a preposition of place
	// before a name ("on the West Side", "near Shoreham", "to Asia"),
	// which is what "where" asks for.
	place = regexp.MustCompile(`\b(?:[Ii]n|[Aa]t|[Nn]ear|[Oo]n|[Ff]rom|[Tt]o|[Ii]nto|[Aa]cross|[Oo]utside|[Ii]nside|[Aa]long|[Tt]hroughout|[Oo]ff)\s+(?:the\s+)?[A-Z][\w'’-]+`)
	// reason is how a sentence gives a cause or a purpose, which is what
	// "why" asks for: "because", "due to", "led to", "in order to".
	reason = regexp.MustCompile(`(?i)\b(because|due to|owing to|thanks to|as a result|result(?:ed|s)? (?:in|from)|so that|in order to|caus(?:e|ed|es|ing)|reasons?|led to|leads? to|prompt(?:ed|ing)|aim(?:ed|s)? (?:to|at)|to (?:avoid|prevent|ensure|protect|reduce|allow|help|make|improve|increase|keep))\b`)
)

// Answer implements Answerer.
func (e Extractive) Answer(ctx context.Context, question string, passages []retrieval.Passage, _ []Turn, onDelta func(string)) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if len(passages) == 0 {
		return "", fmt.Errorf("extractive answer to %q: no passages", question)
	}
	limit := e.MaxSentences
	if limit <= 0 {
		limit = defaultMaxSentences
	}
	qterms := text.Distinct(text.Terms(question))
	cands := scoreSentences(question, qterms, passages)
	if len(cands) == 0 {
		return "", fmt.Errorf("extractive answer to %q: passages hold no sentences", question)
	}
	meant, err := e.rankByMeaning(ctx, question, cands)
	if err != nil {
		return "", fmt.Errorf("extractive answer to %q: %w", question, err)
	}
	// Stable: ties keep the order sentences lists them in, by passage and
	// then by place in the passage.
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].rank > cands[j].rank })
	chosen := []candidate{cands[0]}
	// The best sentence is read with its article's title: a question term
	// the title holds is no term a second sentence adds.
	covered := copyTerms(cands[0].terms)
	for t := range cands[0].title {
		covered[t] = true
	}
	// A next sentence is judged on words, in the order of its score by
	// words (the order cands are in when words alone ranked them); when
	// meaning ranked the sentences, it must also be nearly as close in
	// meaning as the first: the sentence whose words match best would
	// otherwise be quoted beside the one meaning chose for its words alone.
	next := cands[1:]
	if meant {
		next = slices.Clone(next)
		sort.SliceStable(next, func(i, j int) bool { return next[i].score > next[j].score })
	}
	for _, c := range next {
		if len(chosen) >= limit || c.score < nextSentenceShare*cands[0].score {
			break
		}
		if meant && c.cos < cands[0].cos-nextMeaningGap {
			continue
		}
		// A second sentence from another article must be nearly as good:
		// two articles stitched together mislead more than one alone.
		sameArticle := passages[c.passage].ArticleID == passages[cands[0].passage].ArticleID
		if !sameArticle && c.score < otherArticleShare*cands[0].score {
			continue
		}
		if addsTerms(c.terms, covered, qterms) {
			chosen = append(chosen, c)
			for t := range c.terms {
				covered[t] = true
			}
		}
	}
	if len(chosen) == 1 && limit > 1 {
		chosen = withNeighbour(question, qterms, cands)
	}
	var b strings.Builder
	for i, c := range chosen {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s [%d]", withoutWireDateline(c.text), c.passage+1)
	}
	out := b.String()
	if onDelta != nil {
		onDelta(out)
	}
	return out, nil
}

// rankByMeaning adds to the rank of each of cands readingWeight times its
// cosine with question by the Reading model, when e has one and the
// question is not "how long"; otherwise meaningWeight times its cosine by
// the Meaning model, when e has it and the question is of a kind in
// meaningTypes. It reports whether it did.
// It encodes each sentence as the answerability decision encoded it (its
// passage's text read by prompts.ForReading): Meaning's cache has it.
func (e Extractive) rankByMeaning(ctx context.Context, question string, cands []candidate) (bool, error) {
	kind := questionType(question)
	model, weight := e.Reading, readingWeight
	if model == nil || kind == typeDuration {
		model, weight = e.Meaning, meaningWeight
		if model == nil || !meaningTypes[kind] {
			return false, nil
		}
	}
	texts := make([]string, 0, len(cands)+1)
	texts = append(texts, question)
	for _, c := range cands {
		texts = append(texts, c.raw)
	}
	vecs, err := model.Encode(ctx, texts)
	if err != nil {
		return false, err
	}
	for i := range cands {
		cands[i].cos = dot(vecs[0], vecs[i+1])
		cands[i].rank += weight * cands[i].cos
	}
	return true, nil
}

// scoreSentences splits passages into candidate sentences and scores each
// as an answer to question (whose distinct terms are qterms).
func scoreSentences(question string, qterms []string, passages []retrieval.Passage) []candidate {
	cands := sentences(passages)
	weights := termWeights(qterms, cands)
	total := 0.0
	for _, t := range qterms {
		total += weights[t]
	}
	cue := questionCue(question)
	for i := range cands {
		c := &cands[i]
		matched := 0.0
		for _, t := range qterms {
			w := weights[t]
			if c.title[t] {
				// A term of the article's title names its topic: every
				// sentence is about it, so it tells sentences apart less.
				w *= titleTermWeight
			}
			switch {
			case c.terms[t]:
				matched += w
			case text.SharesStem(t, c.terms):
				matched += stemCredit * w
			case text.HasSynonym(t, c.terms):
				matched += synonymCredit * w
			case c.title[t]:
				// A sentence is read in the context of its article.
				matched += titleCredit * w
			}
		}
		if total > 0 {
			c.score = matched / total
		}
		c.score += passagePrior * passages[c.passage].Coverage
		if cue != nil && cueOutsideQuestion(cue, c.text, question) {
			c.score += cueBonus
		}
		if len(strings.Fields(c.text)) < shortSentenceWords {
			c.score -= shortSentencePenalty
		}
		c.score -= passageRankPenalty * float64(c.passage)
		c.rank = c.score
	}
	return cands
}

// titleCredit is the share of a term's weight that a sentence earns when
// the term is in its article's title rather than in the sentence;
// passagePrior weighs the whole passage's coverage of the question.
// titleTermWeight scales the weight of a question term that is in the
// article's title; stemCredit is what a term sharing only a stem with the
// sentence earns ("evacuated" and "evacuees"); cueBonus rewards a
// sentence holding what the question asks for (a date for "when", a
// number for "how many", a name for "who", a cause or purpose for "why",
// a place for "where") that the question lacks.
const (
	titleCredit     = 0.5
	passagePrior    = 0.3
	titleTermWeight = 0.6
	stemCredit      = 0.7
	cueBonus        = 0.25
)

// synonymCredit is what a term earns when the sentence holds only a word
// that can stand for it (text.Synonyms: "lend" and "loan", "attacked" and
// "aggression"). Over all 7,235 SQuAD tune questions, each article alone
// in its store, 26 answers gained the gold answer and 13 lost it; with
// the table before it kept only mutual synonyms, 30 and 17 at 0.3, 52 and
// 40 at 0.5 (retrieval/README.md, Answerability).
const synonymCredit = 0.3

// meaningWeight is what a sentence's cosine with the question, by the
// sentence model, adds to its rank (its score by words) for the kinds of
// question in meaningTypes: those that name no kind of answer ("what
// is", "why", "how") or name one the words find poorly ("which river",
// "where", "how many"). Not for "who", "when" and "how long": there the
// words' cue finds the name, the date or the length of time asked for,
// and the model, trained for likeness rather than answering, prefers a
// sentence that restates the question ("octopus eggs can take four years
// or more to hatch" over "development takes about 21 months"). Chosen on
// the SQuAD tune questions: see retrieval/README.md (Answerability).
const meaningWeight = 1.2

// readingWeight is meaningWeight for a Reading model, which ranks every
// kind of question but "how long": the one trained, on half the SQuAD
// tune articles and measured on the other half, chose the sentence that
// answers more often than the Meaning model for each kind of question
// (the first sentence right 77.7 % of the time against 76.6 %, and 79.7 %
// against 78.8 % the other way round), best at weights 1.2 to 1.6. For
// "how long" the evidence is thin: 2 more right of SQuAD's 34 such
// questions, and it quotes "octopus eggs can take four years or more to
// hatch" for "How long do the octopus eggs take to develop near the warm
// springs?" (not "development takes about 21 months", as the words
// choose): there Meaning's rule (words alone) holds.
const readingWeight = 1.2

var meaningTypes = map[answerType]bool{typeOther: true, typeName: true, typePlace: true, typeNumber: true}

// What Answer does with the scores: a sentence of fewer than
// shortSentenceWords words loses shortSentencePenalty (a fragment rarely
// answers); a sentence loses passageRankPenalty for each place its
// passage is below the first in the search's ranking. The best sentence
// is always chosen: the answer says it and stops. A next one, up to
// MaxSentences (defaultMaxSentences when unset), is added only when it is
// nearly as likely an answer — it scores at least nextSentenceShare of
// the best, and otherArticleShare of it when it comes from another
// article — and adds a question term the chosen ones lack. On the SQuAD
// tune questions (one article per store) a looser 0.75 put a second
// sentence in one answer in four, three in four of them without the
// answer; 0.85 puts one in one answer in seven, and close to a third of
// those hold the answer the best sentence missed. When meaning ranked the
// sentences, a next one's cosine with the question must also be at most
// nextMeaningGap below the best's (gold in the answer of those questions
// 81.5 %, 33.3 words; at 0.05: 81.0 %, 32.4; judged on words alone:
// 82.4 %, 35.0, where one added sentence in six or seven held an answer
// the first lacked; retrieval/README.md, Answerability).
const (
	defaultMaxSentences  = 2
	shortSentenceWords   = 5
	shortSentencePenalty = 0.1
	passageRankPenalty   = 0.03
	nextSentenceShare    = 0.85
	nextMeaningGap       = 0.1
	otherArticleShare    = 0.95
)

// sentences splits every passage, footnote markers and editors' notes
// removed (prompts.ForReading), into candidate sentences, leaving out
// what is not the story (notStory): teasers, photo captions and credits,
// bylines and date lines.
func sentences(passages []retrieval.Passage) []candidate {
	var out, furniture []candidate // furniture: what is not the story
	for i, p := range passages {
		title := map[string]bool{}
		for _, t := range text.Terms(p.Title) {
			title[t] = true
		}
		// Footnote numerals in the article must not become the answer's
		// citation markers, and its editors' notes ("[citation needed]")
		// are not what it says.
		body := prompts.ForReading(p.Text)
		for k, span := range ingest.Sentences(body) {
			raw := body[span[0]:span[1]]
			sentence := strings.Join(strings.Fields(raw), " ")
			if sentence == "" {
				continue
			}
			terms := map[string]bool{}
			for _, t := range text.Terms(sentence) {
				terms[t] = true
			}
			c := candidate{passage: i, text: sentence, raw: raw, terms: terms, title: title, pos: k}
			if notStory(sentence) {
				furniture = append(furniture, c)
				continue
			}
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		// Passages of nothing but those: better one quoted than no answer.
		return furniture
	}
	return out
}

// withoutWireDateline returns sentence without the wire service's dateline
// that opens it ("KYIV, Ukraine (AP) — ", "LONDON, June 17 (Reuters) - ",
// "(CNN) — "), which says where the story was filed, not what the answer
// is. The sentence is still scored whole: the place and the date may be
// what a question asks. A dateline without a place's region or an
// agency ("NATO — …") is kept: it may be the sentence's subject.
func withoutWireDateline(sentence string) string {
	rest := withoutDateline(sentence)
	if !strings.ContainsAny(sentence[:len(sentence)-len(rest)], "(,") {
		return sentence
	}
	return rest
}

// termWeights gives each question term its inverse sentence frequency
// over the candidates times its general weight (everyday words weigh
// less), so rare, telling terms decide between sentences.
func termWeights(qterms []string, cands []candidate) map[string]float64 {
	w := make(map[string]float64, len(qterms))
	n := float64(len(cands))
	for _, t := range qterms {
		df := 0.0
		for _, c := range cands {
			if c.terms[t] {
				df++
			}
		}
		w[t] = text.GeneralWeight(t) * math.Log(1+(n+1)/(df+0.5))
	}
	return w
}

// questionCue returns a pattern that sentences answering this kind of
// question tend to match, or nil.
func questionCue(q string) *regexp.Regexp {
	l := strings.ToLower(q)
	switch {
	case asksWhoSomeoneIs(q):
		return nil
	case strings.HasPrefix(l, "when") || strings.Contains(l, "what year") || strings.Contains(l, "what date") || strings.Contains(l, "what day"):
		return yearOrDate
	case strings.Contains(l, "how long") && !lengthQuestion.MatchString(l):
		// "How long did the talks last?" asks for a time; "how long is
		// the bridge?" for a number.
		return duration
	case strings.Contains(l, "how many") || strings.Contains(l, "how much") || strings.Contains(l, "how old") || strings.Contains(l, "what percentage"):
		return number
	case strings.HasPrefix(l, "who"):
		return properName
	case strings.HasPrefix(l, "why") || strings.Contains(l, " why "):
		return reason
	case strings.HasPrefix(l, "where") || strings.Contains(l, " where "):
		return place
	}
	return nil
}

// withNeighbour returns the best sentence, cands[0], with the sentence
// next to it (before or after, in its passage) when the question asks
// for a kind of thing (a date, a number, a name) that the best sentence
// does not hold beyond what the question says and the neighbour does:
// "Its exterior was covered with an ablative heat shield" after the
// sentence naming the command module. Otherwise the best sentence alone.
func withNeighbour(question string, qterms []string, cands []candidate) []candidate {
	best := cands[0]
	want := questionType(question)
	if want == typeOther || asksWhoSomeoneIs(question) {
		return cands[:1]
	}
	qset := make(map[string]bool, len(qterms))
	for _, t := range qterms {
		qset[t] = true
	}
	if findNewFacts(best.text, qset, question).holds(want) {
		return cands[:1]
	}
	for _, c := range cands[1:] {
		if c.passage != best.passage || (c.pos != best.pos+1 && c.pos != best.pos-1) {
			continue
		}
		if findNewFacts(c.text, qset, question).holds(want) {
			if c.pos < best.pos {
				return []candidate{c, best}
			}
			return []candidate{best, c}
		}
	}
	return cands[:1]
}

func addsTerms(terms, covered map[string]bool, qterms []string) bool {
	for _, t := range qterms {
		if terms[t] && !covered[t] {
			return true
		}
	}
	return false
}

func copyTerms(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// cueOutsideQuestion reports whether cue matches sentence somewhere the
// question does not already say (a name the question gives is no answer
// to "who").
func cueOutsideQuestion(cue *regexp.Regexp, sentence, question string) bool {
	q := strings.ToLower(question)
	for _, m := range cue.FindAllString(sentence, -1) {
		if !strings.Contains(q, strings.ToLower(strings.TrimSpace(m))) {
			return true
		}
	}
	return false
}
