package main

import (
	"os"
	"testing"

	"github.com/citebot/citebot/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// cliBackends make a cli whose store is SQLite in its data directory, or
// a PostgreSQL database of its own through CITEBOT_DATABASE_URL (skipped
// when no PostgreSQL can be had; see internal/pgtest).
var cliBackends = []struct {
	name   string
	newCLI func(t *testing.T) *cli
}{
	{"sqlite", newCLI},
	{"postgres", func(t *testing.T) *cli {
		c := newCLI(t)
		c.env[envDatabaseURL] = pgtest.DB(t)
		return c
	}},
}

// forCLIBackends runs test once per store backend, in parallel.
func forCLIBackends(t *testing.T, test func(t *testing.T, newCLI func(*testing.T) *cli)) {
	t.Parallel()
	for _, b := range cliBackends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			test(t, b.newCLI)
		})
	}
}
