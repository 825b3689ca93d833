package retrieval

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// timeIntent is what a question says about when: the latest news
// ("latest", "now", "this week"), the earliest ("originally", "at first"),
// or a named period ("in June", "in March 2025", "in 2024", "last month").
// The zero value asks nothing about time.
type timeIntent struct {
	recent, early bool
	from, to      time.Time // a named period [from, to); zero when none
}

var (
	recentWords = regexp.MustCompile(`\b(latest|newest|most recent|recently|recent|now|currently|current|today|tonight|this week|this month|yesterday|so far|as of now|still|anymore|any more)\b`)
	earlyWords  = regexp.MustCompile(`\b(originally|initially|at first|at the start|earliest|oldest|first announced|first reported)\b`)
	monthYear   = regexp.MustCompile(`\b(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b(?:\s+(?:of\s+)?((?:19|20)\d\d))?`)
	inYear      = regexp.MustCompile(`\b(?:in|during|of|since)\s+((?:19|20)\d\d)\b`)
	lastPeriod  = regexp.MustCompile(`\blast (week|month|year)\b`)
)

var monthNumbers = map[string]time.Month{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
	"september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

// timeIntentOf reads what query asks about time, now being today. A
// month without a year is the latest such month not after now; "may" as
// a month needs a year or "in" before it ("in May"), since "may" is
// mostly a verb.
func timeIntentOf(query string, now time.Time) timeIntent {
	q := strings.ToLower(query)
	var w timeIntent
	now = now.UTC()
	if m := lastPeriod.FindStringSubmatch(q); m != nil {
		switch m[1] {
		case "week":
			w.from, w.to = now.AddDate(0, 0, -14), now.AddDate(0, 0, -7)
		case "month":
			first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
			w.from, w.to = first.AddDate(0, -1, 0), first
		case "year":
			w.from, w.to = time.Date(now.Year()-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(now.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		}
		return w
	}
	for _, loc := range monthYear.FindAllStringSubmatchIndex(q, -1) {
		name := q[loc[2]:loc[3]]
		hasYear := loc[4] >= 0
		if name == "may" && !hasYear && !strings.HasSuffix(strings.TrimSpace(q[:loc[0]]), "in") {
			continue
		}
		year := now.Year()
		if hasYear {
			year, _ = strconv.Atoi(q[loc[4]:loc[5]])
		}
		from := time.Date(year, monthNumbers[name], 1, 0, 0, 0, 0, time.UTC)
		if !hasYear && from.After(now) {
			from = from.AddDate(-1, 0, 0)
		}
		w.from, w.to = from, from.AddDate(0, 1, 0)
		return w
	}
	if m := inYear.FindStringSubmatch(q); m != nil {
		year, _ := strconv.Atoi(m[1])
		w.from, w.to = time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(year+1, 1, 1, 0, 0, 0, 0, time.UTC)
		return w
	}
	w.early = earlyWords.MatchString(q)
	w.recent = !w.early && recentWords.MatchString(q)
	return w
}

// rerank adds to each candidate's score up to weight×its Coverage for
// being of the time w asks about: the whole of it for the newest article
// (recent) or the oldest (early) among the candidates, and shares of it
// for those between, by the order of their dates; the whole of it for an
// article published in the named period. Candidates without a date gain
// nothing. Scaling by Coverage keeps a date from lifting a passage that
// is not about the question.
func (w timeIntent) rerank(cands []*candidate, weight float64) {
	if weight <= 0 || (!w.recent && !w.early && w.from.IsZero()) {
		return
	}
	if !w.from.IsZero() {
		for _, c := range cands {
			p := c.Published
			if w.from.Hour() == 0 && w.from.Minute() == 0 && w.from.Second() == 0 {
				// A month or a year, of whole days: the article's own
				// calendar day decides, as its date shows it.
				p = time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, w.from.Location())
			}
			if !c.Published.IsZero() && !p.Before(w.from) && p.Before(w.to) {
				c.Score += weight * c.Coverage
			}
		}
		return
	}
	var dates []time.Time
	for _, c := range cands {
		if !c.Published.IsZero() {
			dates = append(dates, c.Published)
		}
	}
	slices.SortFunc(dates, func(a, b time.Time) int { return a.Compare(b) })
	dates = slices.CompactFunc(dates, func(a, b time.Time) bool { return a.Equal(b) })
	if len(dates) < 2 {
		return
	}
	for _, c := range cands {
		if c.Published.IsZero() {
			continue
		}
		i, _ := slices.BinarySearchFunc(dates, c.Published, func(a, b time.Time) int { return a.Compare(b) })
		share := float64(i) / float64(len(dates)-1)
		if w.early {
			share = 1 - share
		}
		c.Score += weight * share * c.Coverage
	}
}
