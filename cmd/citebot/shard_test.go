package main

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/internal/fakediscord"
	"github.com/citebot/citebot/internal/testlog"
)

// Two `citebot serve` processes, shards 0 and 1 of 2 on one data
// directory, against one fake Discord: each answers only its servers'
// questions, only shard 0 registers the commands and polls the feeds, and
// an article `citebot ingest --scope guild:<id>` adds beside them is
// answered in that server by its shard once its refresh has run.
// TestServeTwoShards runs two shard processes of one bot on one store,
// SQLite (where the periodic generation check brings the CLI's ingest to
// the serving processes) and PostgreSQL (where NOTIFY does: the periodic
// check is set to an hour, so only a notification can).
func TestServeTwoShards(t *testing.T) {
	forCLIBackends(t, testServeTwoShards)
}

func testServeTwoShards(t *testing.T, newCLI func(*testing.T) *cli) {
	guildOfShard0, guildOfShard1 := fakediscord.GuildInShard(0, 2, 0), fakediscord.GuildInShard(1, 2, 0)
	fake := fakediscord.New(fakediscord.Options{Guilds: []string{guildOfShard0, guildOfShard1}, Shards: 2})
	t.Cleanup(fake.Close)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cliProc := newCLI(t)
	type shard struct {
		stop   context.CancelFunc
		done   <-chan int
		stderr *testlog.Buffer
		auth   string
	}
	shards := make([]shard, 2)
	for id := range shards {
		c := &cli{t: t, dataDir: cliProc.dataDir, env: maps.Clone(cliProc.env)}
		// One token per process, to tell their requests apart; in
		// production every shard has the bot's one token.
		token := fmt.Sprintf("shard-%d-token-not-secret", id)
		c.env["DISCORD_TOKEN"] = token
		c.env["DISCORD_API_BASE"] = fake.URL
		c.env["CITEBOT_REFRESH_INTERVAL"] = "10ms"
		if c.env[envDatabaseURL] != "" {
			c.env["CITEBOT_REFRESH_INTERVAL"] = "1h"
		}
		c.env["CITEBOT_SHARD_ID"] = fmt.Sprint(id)
		c.env["CITEBOT_SHARD_COUNT"] = "2"
		stop, done, stderr := c.serve(ctx)
		shards[id] = shard{stop: stop, done: done, stderr: stderr, auth: "Bot " + token}
	}
	for id := range shards {
		if _, err := fake.WaitShardReady(ctx, id); err != nil {
			t.Fatal(err)
		}
	}

	// Two rounds: the first article of each server is on the store before
	// its shard loads the server's indexes (at the first question); the
	// second arrives once they are loaded, so the shard must notice another
	// process's write to a scope it holds (NOTIFY on PostgreSQL, where the
	// periodic check is an hour away; the 10 ms check on SQLite).
	asks := 0
	for round, articles := range [][]struct {
		guild, file, question, want string
		shard                       int
	}{{
		{guildOfShard0, "trade-agreement-signing.txt", "When was the trade agreement signed?", "March 14, 2025", 0},
		{guildOfShard1, "carson-ridge-wildfire.txt", "What started the fire near Carson Ridge?", "[1]", 1},
	}, {
		{guildOfShard0, "riverton-strike-talks.txt", "Who was named mediator in the Riverton transit dispute?", "Helen Straus", 0},
		{guildOfShard1, "deep-sea-octopus-discovery.txt", "How long do the octopus eggs take to develop near the warm springs?", "21 months", 1},
	}} {
		for _, a := range articles {
			if code, _, errOut := cliProc.run("", "ingest", "--scope", "guild:"+a.guild, filepath.Join(articlesDir, a.file)); code != 0 {
				t.Fatalf("ingest beside serve: %s", errOut)
			}
		}
		for _, tt := range articles {
			asked := time.Now()
			for { // until the shard's refresh has run
				asks++
				got, token := askOver(t, ctx, fake, tt.guild, fmt.Sprint("u", asks), tt.question)
				for _, r := range fake.Requests() {
					if strings.Contains(r.Path, token) && r.Authorization != shards[tt.shard].auth {
						t.Fatalf("%q in server %s: %s %s sent by the other shard", tt.question, tt.guild, r.Method, r.Path)
					}
				}
				if strings.Contains(got, "[1]") && strings.Contains(got, tt.want) {
					break
				}
				if time.Since(asked) > 20*time.Second {
					t.Fatalf("round %d: in 20 s, shard %d never answered %q from the article ingested beside it: %q", round, tt.shard, tt.question, got)
				}
			}
		}
	}
	// Each shard read again only the scope it holds: the other shard's
	// server was written to as well, but never loaded here.
	readAgain := func(log, guild string) bool {
		for line := range strings.SplitSeq(log, "\n") {
			if strings.Contains(line, "scope index read again") && strings.Contains(line, "scope=guild:"+guild+" ") {
				return true
			}
		}
		return false
	}
	for id, guilds := range [][2]string{{guildOfShard0, guildOfShard1}, {guildOfShard1, guildOfShard0}} {
		log := shards[id].stderr.String()
		if !readAgain(log, guilds[0]) {
			t.Errorf("shard %d never read its server's scope again after the other process's write:\n%s", id, log)
		}
		if readAgain(log, guilds[1]) {
			t.Errorf("shard %d read the other shard's server:\n%s", id, log)
		}
	}
	puts := 0
	for _, r := range fake.Requests() {
		if r.Method == "PUT" && strings.HasSuffix(r.Path, "/commands") {
			puts++
			if r.Authorization != shards[0].auth {
				t.Errorf("shard 1 registered the commands")
			}
		}
	}
	if puts != 1 {
		t.Errorf("commands registered %d times, want once (by shard 0)", puts)
	}

	for id, s := range shards {
		s.stop()
		select {
		case code := <-s.done:
			if code != 0 {
				t.Errorf("shard %d exited %d: %s", id, code, s.stderr.String())
			}
		case <-ctx.Done():
			t.Fatalf("shard %d did not shut down", id)
		}
	}
	for id, want := range []string{"discord: commands registered", "commands not registered: shard 0 registers them"} {
		if log := shards[id].stderr.String(); !strings.Contains(log, want) || strings.Contains(log, "token-not-secret") {
			t.Errorf("shard %d's log lacks %q or shows the token:\n%s", id, want, log)
		}
	}
	if log := shards[1].stderr.String(); !strings.Contains(log, "feeds not polled here: shard 0 polls them") {
		t.Errorf("shard 1 does not say it leaves the feeds to shard 0:\n%s", log)
	}
	if v := fake.Violations(); len(v) > 0 {
		t.Errorf("the fake saw broken rules: %q", v)
	}
}

func TestConfigShowsTheShard(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		env  map[string]string
		code int
		want []string // regular expressions
	}{
		{nil, 0, []string{`CITEBOT_SHARD_ID +0 +default`, `CITEBOT_SHARD_COUNT +1 \(unsharded\) +default`}},
		{map[string]string{"CITEBOT_SHARD_ID": "3", "CITEBOT_SHARD_COUNT": "4"}, 0, []string{`CITEBOT_SHARD_ID +3 +environment`, `CITEBOT_SHARD_COUNT +4 +environment`}},
		{map[string]string{"CITEBOT_SHARD_COUNT": "4"}, 2, []string{`CITEBOT_SHARD_ID and CITEBOT_SHARD_COUNT go together`}},
		{map[string]string{"CITEBOT_SHARD_ID": "4", "CITEBOT_SHARD_COUNT": "4"}, 2, []string{`CITEBOT_SHARD_ID=4 is not below CITEBOT_SHARD_COUNT=4`}},
	} {
		c := newCLI(t)
		maps.Copy(c.env, tt.env)
		code, out, errOut := c.run("", "config")
		for _, w := range tt.want {
			if code != tt.code || !regexp.MustCompile(w).MatchString(out+errOut) {
				t.Errorf("%v: exit %d, want %d and %q:\n%s%s", tt.env, code, tt.code, w, out, errOut)
			}
		}
	}
}
