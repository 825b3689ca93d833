package main

import (
	"os"
	"testing"

	"github.com/citebot/citebot/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// testBackendVar, set to "postgres", runs every test of this package that
// makes its cli with newCLI against PostgreSQL (a database of its own)
// instead of SQLite; .ci/run runs the package a second time so. Tests of
// what only a SQLite file has (back-ups, a missing data directory) make
// theirs with newSQLiteCLI.
const testBackendVar = "CITEBOT_TEST_BACKEND"

// cliBackends make a cli whose store is SQLite in its data directory, or
// a PostgreSQL database of its own through CITEBOT_DATABASE_URL (skipped
// when no PostgreSQL can be had; see internal/pgtest).
var cliBackends = []struct {
	name   string
	newCLI func(t *testing.T) *cli
}{
	{"sqlite", newSQLiteCLI},
	{"postgres", func(t *testing.T) *cli {
		c := newSQLiteCLI(t)
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
