package ingest

import (
	"unicode"
	"unicode/utf8"
)

// ChunkOptions sizes chunks, in words. Zero values take the defaults
// TargetWords 130, MaxWords 250 (or 1.5 × TargetWords if that is larger),
// OverlapSentences 0 (no overlap; a negative value means the same). The
// defaults were measured on squad-dev (retrieval/README.md): an overlap
// sentence made passages 13 % longer without finding more answers, and
// paragraphs of up to 250 words kept whole are found more often than
// their halves.
type ChunkOptions struct {
	TargetWords      int // chunks are filled up to about this many words
	MaxWords         int // hard limit; only a sentence longer than this is cut
	OverlapSentences int // sentences repeated from the end of the previous chunk
}

// Defaults of ChunkOptions.
const (
	DefaultTargetWords = 130
	DefaultMaxWords    = 250
)

func (o ChunkOptions) withDefaults() ChunkOptions {
	if o.TargetWords <= 0 {
		o.TargetWords = DefaultTargetWords
	}
	if o.MaxWords <= 0 {
		o.MaxWords = max(DefaultMaxWords, o.TargetWords*3/2)
	}
	o.MaxWords = max(o.MaxWords, o.TargetWords)
	o.OverlapSentences = max(o.OverlapSentences, 0)
	return o
}

// longWordBytes is the length at which a run of non-space characters
// counts as more than one word, so text without spaces (or one enormous
// token) still yields bounded chunks.
const longWordBytes = 32

// unit is a sentence, or a piece of a sentence longer than MaxWords, as a
// byte span of the article text.
type unit struct{ start, end, words int }

// ChunkArticle splits a's text (Article.Text) into passages for retrieval.
//
// Chunks are made of whole sentences (see Sentences; a paragraph end
// always ends a sentence); a sentence is cut, at word boundaries, only
// when it alone has more than MaxWords words. A paragraph that fits in
// MaxWords stays in one chunk; short paragraphs are packed together up to
// TargetWords; a longer paragraph is split between sentences near
// TargetWords. A short heading-like paragraph (no end punctuation) that
// would end a chunk starts the next one instead, with the text it
// introduces. Each chunk after the first starts with the last
// OverlapSentences sentences of the one before, as far as MaxWords allows
// and never the whole previous chunk, so Start and End strictly increase;
// the overlap counts towards TargetWords. A short last chunk is merged
// into the one before when that stays within MaxWords. Words are runs of
// non-space characters, a run of more than 32 bytes counting as one word
// per 32 bytes (so text without spaces still gives bounded chunks).
//
// Start and End are byte offsets into a.Text(), Text is a.Text()[Start:End],
// Position counts from 0, and ArticleID and Title are copied from a. Every
// non-space byte of the text is in at least one chunk. An article without
// text has no chunks. ChunkArticle is deterministic and safe for
// concurrent use.
func ChunkArticle(a Article, opt ChunkOptions) []Chunk {
	opt = opt.withDefaults()
	text := a.Text()
	var paras [][]unit
	off := 0
	for i, p := range a.Paragraphs {
		if i > 0 {
			off += len(ParagraphSeparator)
		}
		var units []unit
		for _, sp := range Sentences(p) {
			units = append(units, splitLong(p, sp[0], sp[1], off, opt.MaxWords)...)
		}
		if len(units) > 0 {
			paras = append(paras, units)
		}
		off += len(p)
	}
	all, ranges := pack(text, paras, opt)
	chunks := make([]Chunk, 0, len(ranges))
	for i, r := range ranges {
		start, end := all[r[0]].start, all[r[1]-1].end
		chunks = append(chunks, Chunk{
			ArticleID: a.ID,
			Position:  i,
			Start:     start,
			End:       end,
			Text:      text[start:end],
			Title:     a.Title,
		})
	}
	return chunks
}

// pack groups the units of paras into chunks. It returns the units of
// all paragraphs in one sequence and each chunk's range [first, last+1)
// in it.
func pack(text string, paras [][]unit, opt ChunkOptions) ([]unit, [][2]int) {
	p := &packer{opt: opt, headingAt: -1}
	for _, para := range paras {
		p.all = append(p.all, para...)
	}
	for _, para := range paras {
		p.addParagraph(para)
		p.headingAt = -1
		if len(para) == 1 && isHeadingLike(text, para[0]) {
			p.headingAt = p.hi - 1
		}
	}
	if p.hi > p.newFrom {
		p.emitAt(p.hi)
	}
	p.mergeShortLast()
	return p.all, p.ranges
}

// packer is pack's state while it walks the units in order: the chunks
// made so far and the one being filled.
type packer struct {
	opt     ChunkOptions
	all     []unit   // the units of every paragraph, in order
	ranges  [][2]int // the chunks emitted so far, as ranges of all
	lo, hi  int      // the current chunk is all[lo:hi]
	newFrom int      // all[lo:newFrom] is overlap from the previous chunk
	words   int      // words in all[lo:hi]
	ovWords int      // words in all[lo:newFrom]
	// headingAt is the unit of the last paragraph when that paragraph
	// looks like a heading (see isHeadingLike), else -1.
	headingAt int
}

// addParagraph adds the units of one paragraph: whole when it fits in
// MaxWords, emitting the current chunk first when the paragraph would
// take it past TargetWords (unless the chunk is still small and both fit
// in MaxWords); else sentence by sentence, emitting before each sentence
// that would pass TargetWords.
func (p *packer) addParagraph(para []unit) {
	pw := 0
	for _, u := range para {
		pw += u.words
	}
	if pw <= p.opt.MaxWords {
		if p.hi > p.newFrom {
			small := p.words-p.ovWords < p.opt.TargetWords/4
			if p.words+pw > p.opt.TargetWords && (!small || p.words+pw > p.opt.MaxWords) {
				p.emit(pw)
			}
		}
		p.fit(pw)
		p.add(len(para), pw)
		return
	}
	for _, u := range para {
		if p.hi > p.newFrom && p.words+u.words > p.opt.TargetWords {
			p.emit(u.words)
		}
		p.fit(u.words)
		p.add(1, u.words)
	}
}

// emitAt ends the current chunk before unit cut (newFrom < cut <= hi);
// the units from cut on start the next chunk, after the overlap.
func (p *packer) emitAt(cut int) {
	p.ranges = append(p.ranges, [2]int{p.lo, cut})
	// The overlap never repeats a whole chunk, so starts advance.
	p.lo = max(cut-p.opt.OverlapSentences, p.lo+1)
	p.newFrom = cut
	p.words, p.ovWords = 0, 0
	for i, u := range p.all[p.lo:p.hi] {
		p.words += u.words
		if p.lo+i < p.newFrom {
			p.ovWords += u.words
		}
	}
}

// emit ends the current chunk, if it has units of its own, before next
// words are added; a heading-like last paragraph moves on to the next
// chunk, to stay with the text it introduces, when the two fit within
// MaxWords together.
func (p *packer) emit(next int) {
	if p.hi == p.newFrom {
		return
	}
	if p.headingAt > p.newFrom && p.headingAt == p.hi-1 && p.all[p.headingAt].words+next <= p.opt.MaxWords {
		p.emitAt(p.headingAt)
		return
	}
	p.emitAt(p.hi)
}

// fit drops overlap units until n more words fit within MaxWords.
func (p *packer) fit(n int) {
	for p.lo < p.newFrom && p.words+n > p.opt.MaxWords {
		p.words -= p.all[p.lo].words
		p.ovWords -= p.all[p.lo].words
		p.lo++
	}
}

// add appends the next n units, of w words, to the current chunk.
func (p *packer) add(n, w int) {
	p.hi += n
	p.words += w
}

// mergeShortLast joins a short last chunk (under a quarter of
// TargetWords beyond the one before) to the one before when that stays
// within MaxWords.
func (p *packer) mergeShortLast() {
	n := len(p.ranges)
	if n < 2 {
		return
	}
	prev, last := p.ranges[n-2], p.ranges[n-1]
	extra := 0
	for _, u := range p.all[prev[1]:last[1]] {
		extra += u.words
	}
	total := 0
	for _, u := range p.all[prev[0]:last[1]] {
		total += u.words
	}
	if extra < p.opt.TargetWords/4 && total <= p.opt.MaxWords {
		p.ranges[n-2][1] = last[1]
		p.ranges = p.ranges[:n-1]
	}
}

// splitLong returns the sentence p[start:end] as one unit, or, when it has
// more than maxWords words, as pieces of at most maxWords words cut at
// word boundaries (inside an overlong word only when one word alone is
// longer than maxWords × 32 bytes). Offsets are shifted by off.
func splitLong(p string, start, end, off, maxWords int) []unit {
	s := p[start:end]
	n := countWords(s)
	if n <= maxWords {
		return []unit{{start + off, end + off, n}}
	}
	pieces := (n + maxWords - 1) / maxWords
	per := (n + pieces - 1) / pieces
	var units []unit
	cur := unit{start: -1}
	for _, w := range wordSpans(s) {
		if cur.start >= 0 && cur.words+w.words > per {
			units = append(units, cur)
			cur = unit{start: -1}
		}
		if cur.start < 0 {
			cur.start = start + off + w.start
		}
		cur.end = start + off + w.end
		cur.words += w.words
	}
	if cur.start >= 0 {
		units = append(units, cur)
	}
	return units
}

// countWords counts the words of s as ChunkArticle does.
func countWords(s string) int {
	n := 0
	for _, w := range wordSpans(s) {
		n += w.words
	}
	return n
}

// wordSpans returns the words of s: runs of non-space characters, a run
// longer than longWordBytes cut into pieces of about that length at rune
// boundaries, each piece one word.
func wordSpans(s string) []unit {
	var spans []unit
	start := -1
	flush := func(end int) {
		for start < end {
			cut := end
			if end-start > longWordBytes {
				cut = start + longWordBytes
				for cut > start+1 && !utf8.RuneStart(s[cut]) {
					cut--
				}
			}
			spans = append(spans, unit{start, cut, 1})
			start = cut
		}
		start = -1
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			if start >= 0 {
				flush(i)
			}
		} else if start < 0 {
			start = i
		}
		i += size
	}
	if start >= 0 {
		flush(len(s))
	}
	return spans
}

// isHeadingLike reports whether the one-sentence paragraph u looks like a
// heading: at most 12 words and no sentence punctuation at its end.
func isHeadingLike(text string, u unit) bool {
	if u.words > 12 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(text[u.start:u.end])
	return !isTerminal(r) && !isCloser(r) && r != ':' && r != ','
}
