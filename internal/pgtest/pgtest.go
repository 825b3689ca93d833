// Package pgtest gives tests a real PostgreSQL database of their own.
//
// It uses the server at CITEBOT_TEST_DATABASE_URL when that is set (.ci/run
// starts one: scripts/pg); else it starts a throw-away cluster once per
// test binary (initdb into a temporary directory, pg_ctl start listening
// on a Unix socket only, as the unprivileged user nobody when the tests
// run as root), which Main stops at the end. Each DB call creates a fresh
// database and drops it when the test ends. When neither works, the test
// is skipped with the reason.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable of an existing server for tests; its user
// must be allowed to create databases.
const EnvURL = "CITEBOT_TEST_DATABASE_URL"

// EnvRequire, when set (.ci/run sets it), makes a test fail instead of
// skipping when no PostgreSQL can be had.
const EnvRequire = "CITEBOT_TEST_REQUIRE_POSTGRES"

var (
	once    sync.Once
	admin   string // URL of the maintenance database
	cluster *Cluster
	failure error
)

// Main runs the tests of a package (call it from TestMain) and stops the
// cluster this package started, if it started one.
func Main(m interface{ Run() int }) int {
	code := m.Run()
	if cluster != nil {
		cluster.Stop()
	}
	return code
}

// DB returns the URL of a new, empty database that is dropped when t
// ends, or skips t when no PostgreSQL can be had (saying why).
func DB(t testing.TB) string {
	t.Helper()
	once.Do(func() { admin, failure = server() })
	if failure != nil && os.Getenv(EnvRequire) != "" {
		t.Fatalf("no PostgreSQL for this test, and %s is set: %v", EnvRequire, failure)
	}
	if failure != nil {
		t.Skipf("no PostgreSQL for this test: %v (set %s, or install PostgreSQL so that initdb can run)", failure, EnvURL)
	}
	name := "citebot_test_" + randomHex(6)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v", admin, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, admin); err == nil {
			conn.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
			conn.Close(ctx)
		}
	})
	return WithDatabase(admin, name)
}

// WithDatabase returns the URL u naming database name instead.
func WithDatabase(u, name string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	p.Path = "/" + name
	return p.String()
}

// server returns the maintenance URL of the server to use.
func server() (string, error) {
	if u := os.Getenv(EnvURL); u != "" {
		return u, nil
	}
	dir, err := os.MkdirTemp("", "citebot-pgtest-")
	if err != nil {
		return "", err
	}
	c, err := Start(dir)
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	cluster = c
	return c.URL, nil
}

// Cluster is a throw-away PostgreSQL cluster started by Start.
type Cluster struct {
	Dir  string // holds data/ and the socket
	URL  string // the maintenance database "postgres", over the socket
	bin  string
	cred *syscall.Credential
}

// Start creates a cluster in dir (which it then owns) and starts it,
// listening on a Unix socket in dir only: no TCP port, so clusters of
// tests running at once never collide. As root, the server runs as the
// user nobody (PostgreSQL refuses to run as root).
func Start(dir string) (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			return nil, fmt.Errorf("running as root and no user nobody to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run("initdb", "-D", data, "-U", "citebot", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		return nil, fmt.Errorf("initdb: %w: %s", err, lastLines(out))
	}
	opts := strings.Join([]string{
		"-c listen_addresses=''",
		"-c unix_socket_directories=" + dir,
		"-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
		"-c max_connections=200", "-c shared_buffers=32MB",
	}, " ")
	if out, err := c.run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		return nil, fmt.Errorf("pg_ctl start: %w: %s %s", err, lastLines(out), lastLines(log))
	}
	c.URL = "postgres://citebot@/postgres?host=" + url.QueryEscape(dir)
	return c, nil
}

// Stop stops the cluster and removes its directory.
func (c *Cluster) Stop() {
	c.run("pg_ctl", "-D", filepath.Join(c.Dir, "data"), "-m", "immediate", "-w", "stop")
	os.RemoveAll(c.Dir)
}

func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd.CombinedOutput()
}

// binDir finds PostgreSQL's programs: on PATH, else in Debian's
// /usr/lib/postgresql/VERSION/bin.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	return "", errors.New("initdb not found on PATH nor in /usr/lib/postgresql/*/bin")
}

func lastLines(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-5):], " | ")
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
