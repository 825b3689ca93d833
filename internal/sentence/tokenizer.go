package sentence

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// reserved is how many pieces at the start of the vocabulary are control
// symbols that text never produces (the unknown piece is the first).
const reserved = 6

// tokenizer splits text into SentencePiece pieces: NFKC, spaces as "▁",
// then the segmentation whose pieces' scores sum highest. A character no
// piece starts with is the unknown piece, id 0; a run of them is one.
type tokenizer struct {
	pieces []string
	root   *trieNode
}

type trieNode struct {
	children map[rune]*trieNode
	id       int32 // -1 when no piece ends here
	score    float32
	length   int // in runes
}

func newTokenizer(pieces []string, scores []float32) *tokenizer {
	t := &tokenizer{pieces: pieces, root: &trieNode{id: -1}}
	for i := reserved; i < len(pieces); i++ {
		node := t.root
		n := 0
		for _, r := range pieces[i] {
			if node.children == nil {
				node.children = map[rune]*trieNode{}
			}
			next := node.children[r]
			if next == nil {
				next = &trieNode{id: -1}
				node.children[r] = next
			}
			node = next
			n++
		}
		if n > 0 {
			node.id, node.score, node.length = int32(i), scores[i], n
		}
	}
	return t
}

// encode returns the ids of text's pieces.
func (t *tokenizer) encode(text string) []int32 {
	s := norm.NFKC.String(text)
	if s == "" {
		return nil
	}
	syms := []rune("▁" + strings.ReplaceAll(s, " ", "▁"))
	n := len(syms)
	// best[e] is the best score of a segmentation of syms[:e]; 0 means
	// none yet, as in the reference implementation (scores are negative).
	best := make([]float32, n+1)
	word := make([]int32, n+1)
	wordLen := make([]int, n+1)
	type arc struct {
		start, length int
		id            int32
		score         float32
	}
	// arcs ending at each position, in order of their start.
	ends := make([][]arc, n+1)
	for i := range n {
		node := t.root.children[syms[i]]
		found := false
		for j := i; j < n && node != nil; j++ {
			if node.id >= 0 {
				ends[i+node.length] = append(ends[i+node.length], arc{i, node.length, node.id, node.score})
				found = true
			}
			if j+1 < n {
				node = node.children[syms[j+1]]
			} else {
				node = nil
			}
		}
		if !found {
			ends[i+1] = append(ends[i+1], arc{i, 1, 0, 0})
		}
	}
	for e := 0; e <= n; e++ {
		// the reference visits the arcs ending at e by ascending start,
		// the order they were added in.
		for _, a := range ends[e] {
			s := a.score + best[e-a.length]
			if best[e] == 0 || s >= best[e] {
				best[e] = s
				word[e] = a.id
				wordLen[e] = a.length
			}
		}
	}
	var ids []int32
	for e := n; e > 0; {
		ids = append(ids, word[e])
		if word[e] == 0 {
			e -= 1
		} else {
			e -= len([]rune(t.pieces[word[e]]))
		}
	}
	// reverse, merging runs of unknown pieces into one.
	out := make([]int32, 0, len(ids))
	prevUnk := false
	for i := len(ids) - 1; i >= 0; i-- {
		id := ids[i]
		if !(prevUnk && id == 0) {
			out = append(out, id)
		}
		prevUnk = id == 0
	}
	return out
}
