// Command citebot ingests articles and answers questions about them with
// cited passages, on the command line or as a Discord bot.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `citebot — answers questions about your articles, citing the passages.

Usage:
  citebot ingest  [--scope S] PATH|URL...     add articles (files, directories, web pages)
  citebot ask     [--scope S] [--json] QUESTION   answer with citations ("-": one question per line from stdin)
  citebot sources [--scope S] [--json]        list the ingested articles
  citebot forget  [--scope S] ARTICLE_ID      remove an article
  citebot reindex                             re-embed every article with the current embedder
  citebot backup  DEST_DIR                    copy the store into DEST_DIR/citebot.db (safe while serving)
  citebot eval    [--scope S] [--k 1,5,10] [--json] QA.jsonl   measure retrieval: recall@k, MRR, passage length, latency
  citebot demo                                ingest testdata/articles into a temporary store and answer sample questions
  citebot serve                               run the Discord bot

Every command takes --data-dir (default $CITEBOT_DATA_DIR, else $XDG_DATA_HOME/citebot
or ~/.local/share/citebot). Run "citebot COMMAND -h" for a command's flags.
`

// exitError carries a process exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run executes one citebot command and returns the exit status: 0 on
// success, 1 on failure, 2 on a usage error.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	env := &environment{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	commands := map[string]func(context.Context, *environment, []string) error{
		"ingest":  cmdIngest,
		"ask":     cmdAsk,
		"sources": cmdSources,
		"forget":  cmdForget,
		"reindex": cmdReindex,
		"backup":  cmdBackup,
		"eval":    cmdEval,
		"demo":    cmdDemo,
		"serve":   cmdServe,
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "citebot: unknown command %q\n\n%s", clip(args[0]), usage)
		return 2
	}
	err := cmd(ctx, env, args[1:])
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintf(stderr, "citebot %s: %s\n", args[0], clipMessage(ee.err.Error()))
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "citebot %s: %s\n", args[0], clipMessage(err.Error()))
	return 1
}

// usageError reports bad arguments (exit status 2).
func usageError(format string, a ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, a...)}
}
