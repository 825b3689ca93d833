// Command capacity measures citebot on PostgreSQL at a million passages,
// as issue 17 asks: ingest throughput into PostgreSQL from one process and
// from two at once (the built binary's `citebot ingest`; again once the
// database is full), then, with the database filled to -passages by
// copying one ingested server's articles into more servers (server-side,
// in SQL: the same real text and vectors, under other scopes), what a
// shard process costs as a function of the servers it holds: the time to
// open the store, the time to load the search indexes of k servers (what
// a shard does at the first question in each), and its memory.
//
// It needs a PostgreSQL server whose user may create databases (the one
// `scripts/pg start` prints) and the real-text corpus of scripts/benchreal
// (`scripts/bench real` writes it). It creates, and at the end drops, the
// database citebot_capacity (-keep keeps it). Without either it says so
// and exits 0.
//
//	go run ./scripts/capacity -db "$CITEBOT_TEST_DATABASE_URL" [-corpus DIR] [-passages 1000000] [-servers 1,10,25,50,100] [-keep]
package main

import (
	"bufio"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/citebot/citebot/retrieval"
)

const dbName = "citebot_capacity"

func main() {
	admin := flag.String("db", os.Getenv("CITEBOT_TEST_DATABASE_URL"), "a postgres:// URL whose user may create databases")
	corpus := flag.String("corpus", filepath.Join(os.TempDir(), "citebot-bench-real", "articles"), "the real-text articles of scripts/benchreal")
	passages := flag.Int("passages", 1_000_000, "passages to fill the database to")
	perIngest := flag.Int("ingest", 2500, "articles per ingesting process")
	servers := flag.String("servers", "1,10,25,50,100", "servers held by the measured shard processes")
	keep := flag.Bool("keep", false, "keep the database "+dbName+" at the end")
	child := flag.String("child", "", "internal: measure one shard process over this database URL")
	scopes := flag.String("scopes", "", "internal: the scopes the child loads")
	flag.Parse()
	if *child != "" {
		if err := measureShard(*child, strings.Split(*scopes, ",")); err != nil {
			fmt.Fprintln(os.Stderr, "capacity child:", err)
			os.Exit(1)
		}
		return
	}
	if *admin == "" {
		fmt.Println("capacity: no PostgreSQL (-db or CITEBOT_TEST_DATABASE_URL; eval \"$(scripts/pg start)\" starts one); nothing measured")
		return
	}
	files, _ := filepath.Glob(filepath.Join(*corpus, "*.txt"))
	if len(files) < 5**perIngest {
		fmt.Printf("capacity: %d articles in %s, want %d (run scripts/bench real first); nothing measured\n", len(files), *corpus, 5**perIngest)
		return
	}
	slices.Sort(files)
	var ks []int
	for f := range strings.SplitSeq(*servers, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || k < 1 {
			fmt.Fprintf(os.Stderr, "capacity: -servers: %q is not a count\n", f)
			os.Exit(2)
		}
		ks = append(ks, k)
	}
	if err := run(*admin, files, *perIngest, *passages, ks, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "capacity:", err)
		os.Exit(1)
	}
}

func run(admin string, files []string, perIngest, passages int, ks []int, keep bool) error {
	ctx := context.Background()
	dbURL, err := freshDatabase(ctx, admin)
	if err != nil {
		return err
	}
	if !keep {
		defer dropDatabase(admin)
	}
	tmp, err := os.MkdirTemp("", "citebot-capacity-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "citebot")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/citebot").CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, out)
	}
	var rows [][2]string
	add := func(what, result string) {
		rows = append(rows, [2]string{what, result})
		fmt.Fprintf(os.Stderr, "%s: %s\n", what, result)
	}
	load := loadAverage()

	// Ingest: one process, then two at once, each into its own server.
	batch := func(i int, scope string) job { return job{scope, files[i*perIngest : (i+1)*perIngest]} }
	secs, err := ingest(ctx, bin, dbURL, tmp, batch(0, server(0)))
	if err != nil {
		return err
	}
	add(fmt.Sprintf("ingest, one process, %d articles into an empty database", perIngest),
		fmt.Sprintf("%.1f s (%.0f articles/s)", secs, float64(perIngest)/secs))
	secs, err = ingest(ctx, bin, dbURL, tmp, batch(1, server(1)), batch(2, server(2)))
	if err != nil {
		return err
	}
	add(fmt.Sprintf("ingest, two processes at once, %d articles each", perIngest),
		fmt.Sprintf("%.1f s (%.0f articles/s together)", secs, float64(2*perIngest)/secs))

	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	total, n, perServer, err := fill(ctx, db, passages)
	if err != nil {
		return err
	}
	add(fmt.Sprintf("fill by copying %s (%d passages) in SQL", server(0), perServer),
		fmt.Sprintf("%d servers, %d passages in %.0f s", n, total, time.Since(start).Seconds()))
	var size int64
	if err := db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&size); err != nil {
		return err
	}
	add(fmt.Sprintf("database size at %d passages", total), fmt.Sprintf("%.1f GiB", float64(size)/(1<<30)))
	// Into servers of their own, so that the shards below hold copies only.
	secs, err = ingest(ctx, bin, dbURL, tmp, batch(3, "guild:3"), batch(4, "guild:4"))
	if err != nil {
		return err
	}
	add(fmt.Sprintf("ingest, two processes at once, %d articles each, into that database", perIngest),
		fmt.Sprintf("%.1f s (%.0f articles/s together)", secs, float64(2*perIngest)/secs))

	// Shard processes holding k servers each.
	fmt.Println()
	fmt.Printf("Machine: %d cores, %s, PostgreSQL on the same machine (Unix socket); load average before: %s.\n\n", runtime.NumCPU(), cpuModel(), load)
	fmt.Println("| measured | result |")
	fmt.Println("|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s |\n", r[0], r[1])
	}
	fmt.Println()
	fmt.Println("| servers held | passages loaded | open the store | load their indexes | live heap | RSS after | peak RSS |")
	fmt.Println("|---|---|---|---|---|---|---|")
	ks = slices.DeleteFunc(ks, func(k int) bool { return k >= n })
	for _, k := range append(ks, n) {
		var scopes []string
		for i := range k {
			scopes = append(scopes, server(i))
		}
		r, err := shard(bin, dbURL, scopes)
		if err != nil {
			return err
		}
		fmt.Printf("| %d | %s | %s s | %s s | %s MiB | %s MiB | %s MiB |\n", k, r["passages"], r["open_s"], r["load_s"], r["heap_mib"], r["rss_mib"], r["peak_mib"])
	}
	return nil
}

// server names the i-th server's scope.
func server(i int) string { return fmt.Sprintf("guild:%d", 100000+i) }

// job is what one ingesting process ingests, and where.
type job struct {
	scope string
	files []string
}

// ingest runs one `citebot ingest` per job, at once, and returns the wall
// time of all.
func ingest(ctx context.Context, bin, dbURL, tmp string, jobs ...job) (float64, error) {
	dirs := make([]string, len(jobs))
	for i, j := range jobs {
		dirs[i] = filepath.Join(tmp, strings.ReplaceAll(j.scope, ":", "-"))
		if err := os.MkdirAll(dirs[i], 0o755); err != nil {
			return 0, err
		}
		for _, f := range j.files {
			if err := os.Symlink(f, filepath.Join(dirs[i], filepath.Base(f))); err != nil {
				return 0, err
			}
		}
	}
	start := time.Now()
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() {
			cmd := exec.CommandContext(ctx, bin, "ingest", "--scope", j.scope, dirs[i])
			cmd.Env = append(offlineEnv(), "CITEBOT_DATABASE_URL="+dbURL, "CITEBOT_DATA_DIR="+tmp)
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("ingest %s: %v\n%s", j.scope, err, tail(out))
			}
		})
	}
	wg.Wait()
	return time.Since(start).Seconds(), firstErr(errs)
}

// fill copies the first server's articles and passages into new servers
// until the database holds at least passages, one transaction per server;
// it returns the passages and servers it then holds, and the passages of
// each copy.
func fill(ctx context.Context, db *sql.DB, passages int) (total, n, per int, err error) {
	if err := db.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT scope) FROM chunks`).Scan(&total, &n); err != nil {
		return 0, 0, 0, err
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM chunks WHERE scope = $1`, server(0)).Scan(&per); err != nil {
		return 0, 0, 0, err
	}
	for ; total < passages; n++ {
		to := server(n)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, 0, 0, err
		}
		for _, q := range []string{
			`INSERT INTO articles (scope, id, title, source, url, author, language, published, ingested, content_hash)
				SELECT $1, id, title, source, url, author, language, published, ingested, content_hash FROM articles WHERE scope = $2`,
			`INSERT INTO chunks (scope, article_id, position, start_byte, end_byte, text, title, embedding)
				SELECT $1, article_id, position, start_byte, end_byte, text, title, embedding FROM chunks WHERE scope = $2 ORDER BY id`,
		} {
			if _, err := tx.ExecContext(ctx, q, to, server(0)); err != nil {
				tx.Rollback()
				return 0, 0, 0, fmt.Errorf("copy into %s: %w", to, err)
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, 0, 0, err
		}
		total += per
		if n%10 == 0 {
			fmt.Fprintf(os.Stderr, "fill: %d servers, %d passages\n", n+1, total)
		}
	}
	if _, err := db.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
		return 0, 0, 0, err
	}
	return total, n, per, nil
}

// shard runs one child process that opens the store and loads scopes, and
// returns what it reports.
func shard(bin, dbURL string, scopes []string) (map[string]string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-child", dbURL, "-scopes", strings.Join(scopes, ","))
	cmd.Env = offlineEnv()
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("shard process with %d servers: %w", len(scopes), err)
	}
	r := make(map[string]string)
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			r[k] = v
		}
	}
	return r, nil
}

// measureShard is the child: it opens the store as `citebot serve` does
// (listening for changes; garbage collected sooner while loading, as
// cmd/citebot does), loads the scopes and shared, asks one question in
// each of a few, and prints what it measured as key=value lines.
func measureShard(dbURL string, scopes []string) error {
	ctx := context.Background()
	start := time.Now()
	store, err := retrieval.Open(ctx, "", retrieval.Options{Embedder: retrieval.NewLocalEmbedder(), DatabaseURL: dbURL, Loading: tightGC})
	if err != nil {
		return err
	}
	defer store.Close()
	open := time.Since(start)
	start = time.Now()
	if err := store.Preload(ctx, append(scopes, "shared")...); err != nil {
		return err
	}
	loadTime := time.Since(start)
	for _, sc := range scopes[:min(len(scopes), 5)] {
		if _, err := store.Search(ctx, "What did the oil crisis do to the price of oil?", retrieval.SearchOptions{Scopes: retrieval.SearchScopes(sc)}); err != nil {
			return fmt.Errorf("search %s: %w", sc, err)
		}
	}
	st, err := store.Stats(ctx)
	if err != nil {
		return err
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	status, _ := os.ReadFile("/proc/self/status")
	fmt.Printf("passages=%d\nopen_s=%.2f\nload_s=%.1f\nheap_mib=%.0f\nrss_mib=%s\npeak_mib=%s\n",
		st.LoadedChunks, open.Seconds(), loadTime.Seconds(), float64(ms.HeapAlloc)/(1<<20),
		kib2mib(procField(status, "VmRSS")), kib2mib(procField(status, "VmHWM")))
	return nil
}

var (
	gcMu    sync.Mutex
	gcLoads int
	gcPrev  int
)

// tightGC is cmd/citebot's: GOGC 20 while a scope loads.
func tightGC() func() {
	gcMu.Lock()
	defer gcMu.Unlock()
	if gcLoads == 0 {
		gcPrev = debug.SetGCPercent(20)
	}
	gcLoads++
	return func() {
		gcMu.Lock()
		defer gcMu.Unlock()
		if gcLoads--; gcLoads == 0 {
			debug.SetGCPercent(gcPrev)
		}
	}
}

func freshDatabase(ctx context.Context, admin string) (string, error) {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+dbName); err != nil {
		return "", fmt.Errorf("drop %s: %w", dbName, err)
	}
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+dbName); err != nil {
		return "", fmt.Errorf("create %s: %w", dbName, err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	u.Path = "/" + dbName
	return u.String(), nil
}

func dropDatabase(admin string) {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return
	}
	defer db.Close()
	db.Exec(`DROP DATABASE IF EXISTS ` + dbName + ` WITH (FORCE)`)
}

// offlineEnv is the environment without citebot's or OpenAI's settings:
// the offline defaults.
func offlineEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CITEBOT_") && !strings.HasPrefix(kv, "OPENAI_") && !strings.HasPrefix(kv, "AZURE_") {
			env = append(env, kv)
		}
	}
	return env
}

func procField(status []byte, name string) string {
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strings.TrimSuffix(strings.TrimSpace(v), " kB")
		}
	}
	return "0"
}

func kib2mib(kib string) string {
	n, _ := strconv.ParseFloat(kib, 64)
	return strconv.FormatFloat(n/1024, 'f', 0, 64)
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return "unknown CPU"
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
