package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersionCmd(env *environment) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "print the version and the revision it was built from",
		Long:    "Print citebot's module version, the VCS revision it was built from (when built from a checkout) and the Go version.",
		Example: "  citebot version",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			info, _ := debug.ReadBuildInfo()
			fmt.Fprintln(env.stdout, versionLine(info))
			return nil
		},
	}
}

// versionLine describes the build: "citebot v1.2.0 (revision 0123abcd,
// 2025-03-14T10:00:00Z, modified) go1.26.0". A binary built outside a
// module checkout has version "(devel)" and no revision.
func versionLine(info *debug.BuildInfo) string {
	version, rev, when, modified := "(unknown)", "", "", false
	if info != nil {
		version = info.Main.Version
		if version == "" {
			version = "(devel)"
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	line := "citebot " + version
	if rev != "" {
		line += " (revision " + rev[:min(len(rev), 12)]
		if when != "" {
			line += ", " + when
		}
		if modified {
			line += ", modified"
		}
		line += ")"
	}
	return line + " " + runtime.Version()
}
