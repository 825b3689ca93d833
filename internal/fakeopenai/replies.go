package fakeopenai

// The fake's answers: embeddings, chat completions (whole and streamed)
// and errors, as the OpenAI API writes them.

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

func parseEmbed(body []byte) (EmbedRequest, error) {
	var er EmbedRequest
	var raw struct {
		Input json.RawMessage `json:"input"`
	}
	if err := json.Unmarshal(body, &er); err != nil {
		return er, err
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return er, err
	}
	var one string
	if err := json.Unmarshal(raw.Input, &one); err == nil {
		er.Input = []string{one}
		return er, nil
	}
	return er, json.Unmarshal(raw.Input, &er.Input)
}

func (s *Server) embed(w http.ResponseWriter, req EmbedRequest, f *Failure) {
	dims := req.Dimensions
	if dims <= 0 {
		dims = s.opt.Dimensions
	}
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	data := make([]item, len(req.Input))
	tokens := 0
	for i, text := range req.Input {
		data[i] = item{Object: "embedding", Index: i, Embedding: Vector(text, dims)}
		tokens += len(strings.Fields(text))
	}
	if s.opt.ShuffleEmbeddings {
		for i, j := 0, len(data)-1; i < j; i, j = i+1, j-1 {
			data[i], data[j] = data[j], data[i]
		}
	}
	s.writeJSON(w, map[string]any{
		"object": "list", "model": req.Model, "data": data,
		"usage": map[string]int{"prompt_tokens": tokens, "total_tokens": tokens},
	}, f)
}

func (s *Server) chat(w http.ResponseWriter, req ChatRequest, f *Failure) {
	reply := s.opt.Reply(req)
	s.writeJSON(w, map[string]any{
		"id": "chatcmpl-fake", "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
		"choices": []map[string]any{{
			"index": 0, "finish_reason": "stop",
			"message": map[string]string{"role": "assistant", "content": reply},
		}},
		"usage": map[string]int{"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
	}, f)
}

// writeJSON writes v, or what f makes of it: broken JSON, or half of it
// followed by a cut connection.
func (s *Server) writeJSON(w http.ResponseWriter, v any, f *Failure) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case f != nil && f.Malformed:
		w.Write(b[:len(b)/2])
	case f != nil && f.Cut:
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b[:len(b)/2])
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	default:
		w.Write(b)
	}
}

func (s *Server) stream(w http.ResponseWriter, r *http.Request, req ChatRequest, f *Failure) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	rc := http.NewResponseController(w)
	event := func(delta map[string]string, finish any) {
		b, _ := json.Marshal(map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": time.Now().Unix(), "model": req.Model,
			"choices": []map[string]any{{"index": 0, "delta": delta, "finish_reason": finish}},
		})
		fmt.Fprintf(w, "data: %s\n\n", b)
		rc.Flush()
	}
	event(map[string]string{"role": "assistant"}, nil)
	for i, piece := range Pieces(s.opt.Reply(req)) {
		if f != nil && i == f.After {
			switch {
			case f.Cut:
				panic(http.ErrAbortHandler)
			case f.Stall:
				s.wait(r)
				return
			case f.Malformed:
				io.WriteString(w, "data: {\"choices\": [{\"delta\": \n\n")
				rc.Flush()
				return
			}
		}
		if s.opt.ChunkGate != nil && i > 0 {
			select {
			case <-s.opt.ChunkGate:
			case <-r.Context().Done():
				return
			}
		}
		event(map[string]string{"content": piece}, nil)
	}
	event(map[string]string{}, "stop")
	io.WriteString(w, "data: [DONE]\n\n")
	rc.Flush()
}

// Pieces splits a reply into the deltas a stream sends: each word with the
// space after it. Concatenated they give the reply back.
func Pieces(reply string) []string {
	var out []string
	start := 0
	for i := 1; i < len(reply); i++ {
		if reply[i-1] == ' ' && reply[i] != ' ' {
			out = append(out, reply[start:i])
			start = i
		}
	}
	if start < len(reply) {
		out = append(out, reply[start:])
	}
	return out
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": msg, "type": "fake_error", "param": nil, "code": strconv.Itoa(status),
	}})
	w.Write(b)
}

// Vector returns the fake's embedding of text: a deterministic hashed bag of
// words (so texts sharing words are similar) plus a constant component so it
// is never zero, deliberately not unit length.
func Vector(text string, dims int) []float32 {
	v := make([]float32, dims)
	v[0] = 0.5
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		h := fnv.New64a()
		h.Write([]byte(w))
		x := h.Sum64()
		sign := float32(1)
		if x>>63 == 1 {
			sign = -1
		}
		v[x%uint64(dims)] += 3 * sign
	}
	return v
}

var (
	passageText = regexp.MustCompile(`(?s)<passage n="(\d+)">.*?\nText:\n(.*?)\n</passage>`)
	lastQ       = regexp.MustCompile(`(?m)^Last question: (.*)$`)
	summaryPart = regexp.MustCompile(`(?s)<part>\n(.*?)\n</part>`)
	sentenceEnd = regexp.MustCompile(`[.!?](\s|$)`)
)

// DefaultReply answers like a well-behaved model given citebot's prompts:
// to a rewrite prompt it returns the last question unchanged; to a
// summary prompt, one bullet per passage (its first sentence, cited), at
// most summaryBullets; to the prompt that combines a long article's part
// summaries, their bullets in order, at most summaryBullets; to an answer
// prompt, the first sentence of passage 1 cited as [1]; without passages,
// a plain "not covered".
func DefaultReply(req ChatRequest) string {
	if len(req.Messages) == 0 {
		return ""
	}
	last := req.Messages[len(req.Messages)-1].Content
	if m := lastQ.FindStringSubmatch(last); m != nil {
		return m[1]
	}
	if parts := summaryPart.FindAllStringSubmatch(last, -1); parts != nil {
		var bullets []string
		for _, p := range parts {
			for _, l := range strings.Split(p[1], "\n") {
				if l = strings.TrimSpace(l); strings.HasPrefix(l, "- ") && len(bullets) < summaryBullets {
					bullets = append(bullets, l)
				}
			}
		}
		return strings.Join(bullets, "\n")
	}
	passages := passageText.FindAllStringSubmatch(last, -1)
	if passages != nil && strings.Contains(last, "Summarise") {
		var bullets []string
		for _, m := range passages[:min(len(passages), summaryBullets)] {
			bullets = append(bullets, "- "+firstSentence(m[2])+" ["+m[1]+"].")
		}
		return strings.Join(bullets, "\n")
	}
	if passages != nil {
		return firstSentence(passages[0][2]) + " [" + passages[0][1] + "]."
	}
	return "The articles do not cover this."
}

// summaryBullets is how many bullets the fake's summaries hold at most.
const summaryBullets = 5

// firstSentence is text's first sentence without its final stop.
func firstSentence(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if loc := sentenceEnd.FindStringIndex(text); loc != nil {
		text = text[:loc[0]]
	}
	return strings.TrimSpace(text)
}
