package main

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/retrieval"
)

func newIngestCmd(c *common, env *environment) *cobra.Command {
	cmd := command("ingest [flags] PATH|URL...",
		"add articles: files, directories (recursively), web pages",
		`Add articles to the store (creating it if needed): .txt, .md and .html files, directories of
them (walked recursively; files of other types are named and skipped) and http(s) URLs.
Prints one line per article on standard output (ID, title, passages, added|updated|already
ingested) and a summary on standard error. An input that fails is named; the others are
still ingested, and the exit status is 1.`,
		`  citebot ingest notes/harbour-report.md
  citebot ingest --scope guild:123456789 ~/articles https://example.com/news/story
  citebot ingest --chunk-words 80 ~/articles`,
		[][]string{envStore, envEmbed, {envAllowPrivate}},
		func(cmd *cobra.Command, pos []string) error {
			if len(pos) == 0 {
				return usageError("nothing to ingest: name files, directories or URLs")
			}
			a, err := c.open(cmd.Context(), env, mayCreate)
			if err != nil {
				return err
			}
			defer a.Close()
			t := ingestAll(cmd.Context(), env, a, c.scope, pos)
			switch {
			case t.interrupted:
				return failure("interrupted after %s; run it again to ingest the rest", t)
			case t.failed > 0:
				return failure("%s", t)
			}
			fmt.Fprintf(env.stderr, "citebot ingest: %s\n", t)
			return nil
		})
	c.register(cmd.Flags(), withScope|showEmbed|showChunk)
	return cmd
}

// ingestBatch is how many articles are embedded together: a remote
// embedder then gets one request per 256 passages, not one per article.
const ingestBatch = 64

// ingestTally counts what an ingest did.
type ingestTally struct {
	added, updated, unchanged, failed int
	// interrupted: the context ended before every input was read.
	interrupted bool
}

func (t ingestTally) String() string {
	return fmt.Sprintf("%d added, %d updated, %d unchanged, %d failed", t.added, t.updated, t.unchanged, t.failed)
}

// ingestAll ingests every input, printing one line per article on
// standard output and one per failure on standard error, and names the
// files of unsupported types it skipped in directories. When ctx ends it
// stops without a line per input left: the tally says it was interrupted.
func ingestAll(ctx context.Context, env *environment, a *app, scope string, inputs []string) ingestTally {
	var t ingestTally
	report := func(input string, err error) {
		if ctx.Err() != nil {
			t.interrupted = true // said once, at the end, not per input
			return
		}
		t.failed++
		a.log.Debug("ingest failed", "input", clip(input), "err", clipText(err.Error(), input))
		msg := withCause(err)
		// The error names the input, mostly; a bare scheme ("https://") is
		// named only by the message's own words about schemes.
		if !strings.Contains(msg, input) || strings.HasSuffix(input, "://") {
			msg = input + ": " + msg
		}
		fmt.Fprintf(env.stderr, "citebot ingest: %s\n", clipText(msg, input))
	}
	var (
		names    []string
		articles []ingest.Article
		fetcher  *ingest.Fetcher // made at the first URL
	)
	flush := func() {
		for i, out := range a.core.IngestBatch(ctx, scope, articles) {
			if out.Err != nil {
				report(names[i], out.Err)
				continue
			}
			r := out.Result
			switch r.Status {
			case retrieval.Added:
				t.added++
			case retrieval.Updated:
				t.updated++
			default:
				t.unchanged++
			}
			// "1 chunk", "2 chunks" (issue 13; before, "1 chunks"): a
			// script reads the number before the space.
			fmt.Fprintf(env.stdout, "%s\t%s\t%s\t%s\n", r.ID, r.Title, plural(r.Chunks, "chunk"), r.Status)
		}
		names, articles = names[:0], articles[:0]
	}
	add := func(name string, art ingest.Article, err error) {
		if err != nil {
			report(name, err)
			return
		}
		names, articles = append(names, name), append(articles, art)
		if len(articles) == ingestBatch {
			flush()
		}
	}
	stopped := func() bool {
		if ctx.Err() != nil {
			t.interrupted = true
		}
		return t.interrupted
	}
	for _, in := range inputs {
		if stopped() {
			break
		}
		if isURL(in) || otherScheme.MatchString(in) { // the fetcher refuses other schemes, as it does a bad http(s) URL
			if fetcher == nil {
				fetcher = newFetcher(env)
			}
			art, err := fetcher.Fetch(ctx, in)
			add(in, art, err)
			continue
		}
		files, err := ingest.Files([]string{in})
		if err != nil {
			report(in, err)
		}
		reportSkipped(env, in)
		for _, f := range files {
			if stopped() {
				break
			}
			art, err := ingest.ParseFile(f)
			add(f, art, err)
		}
	}
	if len(articles) > 0 && !stopped() {
		flush()
	}
	return t
}

// maxSkippedNamed is how many skipped files are named, of one directory.
const maxSkippedNamed = 10

// reportSkipped names the files of dir (if it is one) that ingest skips
// for their type, on standard error.
func reportSkipped(env *environment, dir string) {
	var skipped []string
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil: // reported by ingest.Files
			return nil
		case path == dir && !d.IsDir():
			return filepath.SkipAll // a file named directly: Parse says what is wrong with it
		case path != dir && strings.HasPrefix(d.Name(), "."):
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		case d.Type().IsRegular() && !ingest.Supported(path):
			skipped = append(skipped, path)
		}
		return nil
	})
	if len(skipped) == 0 {
		return
	}
	named := skipped[:min(len(skipped), maxSkippedNamed)]
	for i, p := range named {
		if rel, err := filepath.Rel(dir, p); err == nil {
			named[i] = rel
		}
	}
	more := ""
	if n := len(skipped) - len(named); n > 0 {
		more = fmt.Sprintf(" and %d more", n)
	}
	fmt.Fprintf(env.stderr, "citebot ingest: %s: skipped %s not .txt, .md or .html: %s%s\n",
		clip(dir), plural(len(skipped), "file"), clipMessage(strings.Join(named, ", ")), more)
}

// plural is "1 chunk", "2 chunks".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// otherScheme matches the start of an address of any scheme (ftp://,
// file://), not a path; the scheme has two letters or more, so that a
// Windows drive (C://) stays a path.
var otherScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]+://`)

func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// withCause is the user text of err followed by the last part of its
// text (the cause, after the contexts that name the input), when the user
// text does not say it already: one line with what a person needs and
// what an operator needs.
func withCause(err error) string {
	msg := userText(err)
	text := err.Error()
	cause := text[strings.LastIndex(text, ": ")+1:]
	if cause = strings.TrimSpace(cause); !strings.Contains(msg, cause) {
		msg += " (cause: " + cause + ")"
	}
	return msg
}

// userText is the short text of err for a person: its user message when
// it has one, else the error itself (the command line is for operators).
func userText(err error) string {
	msg := bot.UserMessage(err)
	if msg == bot.GenericUserMessage {
		return err.Error()
	}
	return withPrivateHint(msg, err)
}
