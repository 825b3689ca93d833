package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The command line is built on github.com/spf13/cobra (with pflag): it
// gives each command its own help, suggestions for mistyped commands and
// shell completion, and parses flags wherever they stand among the
// arguments.

func init() { cobra.EnableCommandSorting = false } // listed in the order added

// newRoot returns the citebot command with every subcommand, writing to
// env's streams. Commands share one common: only one runs.
func newRoot(env *environment) *cobra.Command {
	c := &common{}
	root := &cobra.Command{
		Use:           "citebot",
		Short:         "answers questions about your articles, citing the passages",
		SilenceErrors: true,
		SilenceUsage:  true,
		// "igest" is 1 edit from ingest, "sorces" 1 from sources.
		SuggestionsMinimumDistance: 2,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			warnUnknownVars(env.stderr, env.environ)
			if !readsSettings(cmd) {
				return nil
			}
			if _, err := envBool(env.getenv, envAllowPrivate); err != nil {
				return usageError("%v", err)
			}
			c.defaultLevel = slog.LevelWarn
			if cmd.Name() == "serve" {
				c.defaultLevel = slog.LevelInfo // what the bot answered, ingested and refused
			}
			c.hasScope = cmd.Flags().Lookup("scope") != nil
			return c.applyEnv(cmd.Flags(), env.getenv)
		},
	}
	root.SetIn(env.stdin)
	root.SetOut(env.stdout)
	root.SetErr(env.stderr)
	c.registerGlobal(root.PersistentFlags())
	root.AddCommand(
		newIngestCmd(c, env), newAskCmd(c, env), newSummarizeCmd(c, env), newSourcesCmd(c, env), newForgetCmd(c, env),
		newFollowCmd(c, env), newUnfollowCmd(c, env), newFeedsCmd(c, env),
		newReindexCmd(c, env), newBackupCmd(c, env), newEvalCmd(c, env), newFeedbackCmd(c, env), newServeCmd(c, env),
		newDemoCmd(c, env), newConfigCmd(c, env), newVersionCmd(env),
	)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, cmd := range root.Commands() {
		switch cmd.Name() {
		case "help":
			checkHelpTopic(root, cmd)
		case "completion":
			checkShell(cmd)
		}
	}
	root.SetHelpFunc(func(cmd *cobra.Command, _ []string) {
		if cmd == root {
			writeRootHelp(env.stdout, root)
			return
		}
		writeHelp(env.stdout, cmd) // asked for: to standard output, to be paged or searched
	})
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		var ne *pflag.NotExistError
		if errors.As(err, &ne) {
			u := &unknownFlagError{err: err, token: "--" + ne.GetSpecifiedName()}
			if group := ne.GetSpecifiedShortnames(); group != "" {
				u.token, u.short = "-"+group, true
			}
			err = u
		}
		return &exitError{code: 2, err: err, hint: true}
	})
	return root
}

// readsSettings reports whether cmd reads citebot's settings (the
// environment and the shared flags). help, version and completion (and
// cobra's __complete, which shells call to complete a command line) print
// text about citebot and read none: they work whatever the settings hold,
// so that a wrong one can be looked up in the help.
func readsSettings(cmd *cobra.Command) bool {
	for cmd.HasParent() && cmd.Parent().HasParent() {
		cmd = cmd.Parent() // the command below the root
	}
	switch cmd.Name() {
	case "help", "version", "completion", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
		return false
	}
	return true
}

// unknownFlagError is a flag the command does not define, in the words of
// Go's flag package, which citebot used before cobra.
type unknownFlagError struct {
	err error // pflag's
	// token is the flag as pflag read it: "--name" (without any "=value"),
	// or "-" and the shorthand letters from the unknown one on.
	token string
	short bool // a group of one-letter flags
}

func (e *unknownFlagError) Error() string { return "flag provided but not defined: " + e.token }
func (e *unknownFlagError) Unwrap() error { return e.err }

// flagHint returns the message and the hint line of err, a flag error of
// cmd (args: the command line). The hint points at the command's help;
// for an unknown flag that may be an argument beginning with "-" (a
// question "-where …", a file "-notes.md"), it also says how to pass it:
// after "--". An argument holding white space cannot be a flag: the
// message then names it whole, as an argument.
func flagHint(cmd *cobra.Command, err error, args []string) (msg, hint string) {
	path := cmd.CommandPath()
	msg, hint = err.Error(), fmt.Sprintf("Run '%s --help' for its flags.", path)
	var u *unknownFlagError
	if !errors.As(err, &u) || !takesArguments(cmd) {
		return msg, hint
	}
	arg := flagArgument(u, args)
	quoted := shellQuote(clip(arg))
	switch {
	case strings.ContainsFunc(arg, unicode.IsSpace):
		return fmt.Sprintf("%s is an argument, not a flag: one that begins with \"-\" goes after --", quoted),
			fmt.Sprintf("Put -- before it, after any flags: %s -- %s", path, quoted)
	case !strings.HasPrefix(arg, "--"):
		hint = fmt.Sprintf("Run '%s --help' for its flags; if %s is an argument, put -- before it: %s -- %s", path, quoted, path, quoted)
	}
	return msg, hint
}

// flagArgument returns the argument of args (before any "--") in which
// pflag found the unknown flag u: u's token is cut at "=" (a long flag)
// or starts at the unknown letter (a group of one-letter flags).
func flagArgument(u *unknownFlagError, args []string) string {
	for _, a := range args {
		switch {
		case a == "--":
			return u.token
		case u.short && !strings.HasPrefix(a, "--") && strings.HasPrefix(a, "-") && strings.HasSuffix(a, u.token[1:]):
			return a
		case !u.short && (a == u.token || strings.HasPrefix(a, u.token+"=")):
			return a
		}
	}
	return u.token
}

// takesArguments reports whether cmd takes positional arguments: its use
// line names some after "[flags]" ("ask [flags] QUESTION|-").
func takesArguments(cmd *cobra.Command) bool {
	for _, f := range strings.Fields(cmd.Use)[1:] {
		if f != "[flags]" {
			return true
		}
	}
	return false
}

// shellSafe matches a word a shell reads as it is.
var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellQuote quotes s for a POSIX shell: as it is when it needs no
// quotes, in double quotes when nothing in it is special there, else in
// single quotes.
func shellQuote(s string) string {
	switch {
	case shellSafe.MatchString(s):
		return s
	case !strings.ContainsAny(s, "\"$`\\!"):
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// checkHelpTopic makes help, cobra's help command, refuse a name that is
// no command (a usage error, with the nearest command's name, as for
// "citebot igest") instead of printing the usage with exit status 0.
func checkHelpTopic(root, help *cobra.Command) {
	show := help.Run
	help.RunE = func(cmd *cobra.Command, args []string) error {
		parent := root
		for _, name := range args {
			if !parent.HasSubCommands() {
				break // the rest is for the command: cobra shows its help
			}
			sub, err := subcommand(parent, name)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			parent = sub
		}
		show(cmd, args)
		return nil
	}
}

// checkShell makes completion, cobra's completion command, refuse a shell
// it has no script for, and no shell, with a usage error naming the shells,
// instead of printing its help with exit status 0.
func checkShell(completion *cobra.Command) {
	var shells []string
	for _, sh := range completion.Commands() {
		shells = append(shells, sh.Name())
	}
	list := strings.Join(shells, ", ")
	if n := len(shells); n > 1 {
		list = strings.Join(shells[:n-1], ", ") + " or " + shells[n-1]
	}
	completion.Args = cobra.ArbitraryArgs // RunE says what is wrong
	completion.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageError("name a shell: %s (%s --help says how to load the script)", list, cmd.CommandPath())
		}
		return usageError("unknown shell %q: %s takes %s", clip(args[0]), cmd.CommandPath(), list)
	}
}

// command returns a subcommand. env names the environment variables it
// reads, listed in its help; run gets the positional arguments.
func command(use, short, long, example string, env [][]string, run func(cmd *cobra.Command, args []string) error) *cobra.Command {
	var names []string
	for _, group := range env {
		names = append(names, group...)
	}
	return &cobra.Command{
		Use: use, Short: short, Long: long, Example: example,
		Annotations: map[string]string{"env": strings.Join(names, " ")},
		RunE:        run,
	}
}

// writeRootHelp writes the top-level usage: the commands and the flags
// every command takes.
func writeRootHelp(w io.Writer, root *cobra.Command) {
	fmt.Fprint(w, "citebot — answers questions about your articles, citing the passages.\n\nUsage:\n  citebot COMMAND [flags] [arguments]\n\nCommands:\n")
	for _, cmd := range root.Commands() {
		if cmd.IsAvailableCommand() || cmd.Name() == "help" {
			fmt.Fprintf(w, "  %-11s %s\n", cmd.Name(), cmd.Short)
		}
	}
	fmt.Fprintf(w, "\nGlobal flags (every command):\n%s", root.PersistentFlags().FlagUsages())
	fmt.Fprint(w, "\nFlags may stand before or after the arguments. Exit status: 0 ok, 1 failure, 2 usage error.\n"+
		`Run "citebot COMMAND --help" for a command's flags, environment variables and examples.`+"\n")
}

// writeHelp writes a command's help: its usage, what it does, its own
// flags, the global ones, the environment variables it reads and examples.
func writeHelp(w io.Writer, cmd *cobra.Command) {
	fmt.Fprintf(w, "Usage: %s\n\n", cmd.UseLine())
	desc := cmd.Long
	if desc == "" {
		desc = cmd.Short
	}
	fmt.Fprintln(w, strings.TrimSpace(desc))
	if cmd.HasAvailableSubCommands() {
		fmt.Fprint(w, "\nCommands:\n")
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() {
				fmt.Fprintf(w, "  %-11s %s\n", sub.Name(), sub.Short)
			}
		}
	}
	if fl := cmd.LocalFlags().FlagUsages(); fl != "" {
		fmt.Fprintf(w, "\nFlags:\n%s", fl)
	}
	if fl := cmd.InheritedFlags().FlagUsages(); fl != "" {
		fmt.Fprintf(w, "\nGlobal flags:\n%s", fl)
	}
	if names := strings.Fields(cmd.Annotations["env"]); len(names) > 0 {
		fmt.Fprint(w, "\nEnvironment (flags take precedence):\n")
		for _, n := range names {
			v, _ := lookupVar(n)
			fmt.Fprintf(w, "  %-29s %s\n", n, v.help)
		}
	}
	if cmd.Example != "" {
		fmt.Fprintf(w, "\nExamples:\n%s\n", strings.TrimRight(cmd.Example, "\n"))
	}
}

// checkCommandName refuses a first argument that names no command, with
// the nearest command's name when one is close ("igest": ingest).
func checkCommandName(root *cobra.Command, name string) error {
	if strings.HasPrefix(name, "-") || strings.HasPrefix(name, "__complete") {
		return nil
	}
	_, err := subcommand(root, name)
	return err
}

// subcommand returns parent's command called name, or an error naming
// name, parent unless it is the root, and the nearest command's name when
// one is close.
func subcommand(parent *cobra.Command, name string) (*cobra.Command, error) {
	for _, cmd := range parent.Commands() {
		if cmd.Name() == name || cmd.HasAlias(name) {
			return cmd, nil
		}
	}
	msg := fmt.Sprintf("unknown command %q", clip(name))
	if parent.HasParent() {
		msg += fmt.Sprintf(" for %q", parent.CommandPath())
	}
	if s := parent.SuggestionsFor(name); len(s) > 0 {
		msg += fmt.Sprintf(": did you mean %q?", s[0])
	}
	return nil, errors.New(msg + "\nRun '" + parent.CommandPath() + " --help' for the commands.")
}

// longFlag is a flag written with one dash, as Go's flag package allowed
// ("-data-dir x", "-json").
var longFlag = regexp.MustCompile(`^-([a-z][a-z0-9-]+)(=.*)?$`)

// singleDashCompat rewrites "-name" as "--name" for the long flags of the
// command args name, so that command lines written for the flag package
// citebot used before cobra keep working.
func singleDashCompat(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args[:1])
	if err != nil || cmd == root {
		return args
	}
	out := make([]string, len(args))
	copy(out, args)
	for i, a := range out {
		if a == "--" {
			break
		}
		m := longFlag.FindStringSubmatch(a)
		if m == nil {
			continue
		}
		if cmd.Flags().Lookup(m[1]) != nil || root.PersistentFlags().Lookup(m[1]) != nil {
			out[i] = "-" + a
		}
	}
	return out
}
