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
	"runtime/debug"
	"strings"
	"syscall"
)

// exitError carries a process exit status.
type exitError struct {
	code int
	err  error
	// hint adds the line pointing at the command's help (bad flags).
	hint bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func main() {
	if pct, ok := servingGC(os.Args[1:], os.LookupEnv); ok {
		debug.SetGCPercent(pct)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &environment{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, environ: os.Environ()}
	code := runEnv(ctx, os.Args[1:], env)
	stop()
	os.Exit(code)
}

// run executes one citebot command and returns the exit status: 0 on
// success, 1 on failure, 2 on a usage error.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	return runEnv(ctx, args, &environment{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv})
}

// runEnv is run with the whole environment: env.environ, when set, is
// looked through for variables citebot does not know.
func runEnv(ctx context.Context, args []string, env *environment) int {
	root := newRoot(env)
	if len(args) == 0 {
		root.SetOut(env.stdout)
		writeRootHelp(env.stdout, root)
		return 2
	}
	if err := checkCommandName(root, args[0]); err != nil {
		fmt.Fprintf(env.stderr, "citebot: %s\n", err)
		return 2
	}
	root.SetArgs(singleDashCompat(root, args))
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	name := "citebot"
	if cmd != nil && cmd != root {
		name = cmd.CommandPath()
	}
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		if ee.err == nil || ee.err.Error() == "" {
			return code
		}
	} else if strings.HasPrefix(err.Error(), "unknown command") {
		code = 2 // as cobra words it (after flags, before the command)
	}
	msg, hint := err.Error(), ""
	if ee != nil && ee.hint {
		if cmd == nil {
			cmd = root
		}
		msg, hint = flagHint(cmd, err, args)
	}
	fmt.Fprintf(env.stderr, "%s: %s\n", name, clipMessage(msg))
	if hint != "" {
		fmt.Fprintln(env.stderr, hint)
	}
	return code
}

// usageError reports bad arguments (exit status 2).
func usageError(format string, a ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, a...)}
}

// failure reports a failed command (exit status 1) with a message of its
// own: the details, if any, are in the log.
func failure(format string, a ...any) error {
	return &exitError{code: 1, err: fmt.Errorf(format, a...)}
}
