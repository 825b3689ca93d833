// Command benchreal measures citebot on real text, as issue 14 asks: the
// SQuAD dev paragraphs (all 48 articles: only their text is used, no
// question of a held-out article is read) multiplied into 20,000
// news-length articles, ingested once into a cached data directory with the
// built binary. It then times fresh processes of the binary — `citebot
// ask` (start to answer, peak RSS), `citebot sources` — and, in one
// process, `citebot eval` over every 5th tune question (search p50, peak
// RSS while serving), and prints a markdown table of medians with the
// machine and its load. Without the data it says so and exits 0.
//
//	go run ./scripts/benchreal [-data ../shared/data/squad-dev] [-cache DIR] [-runs 5] [-fresh]
package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite"
)

const articles = 20_000

func main() {
	data := flag.String("data", "../shared/data/squad-dev", "the SQuAD folder (articles/, qa-tune.jsonl)")
	cache := flag.String("cache", filepath.Join(os.TempDir(), "citebot-bench-real"), "where the corpus, the store and the binary are kept between runs")
	runs := flag.Int("runs", 5, "runs of each measurement (medians are reported)")
	fresh := flag.Bool("fresh", false, "build the corpus and ingest it again")
	flag.Parse()
	if _, err := os.Stat(filepath.Join(*data, "articles")); err != nil {
		fmt.Printf("benchreal: no SQuAD data in %s (%v); nothing measured\n", *data, err)
		return
	}
	if err := run(*data, *cache, *runs, *fresh); err != nil {
		fmt.Fprintln(os.Stderr, "benchreal:", err)
		os.Exit(1)
	}
}

func run(data, cache string, runs int, fresh bool) error {
	loadBefore := loadAverage()
	bin := filepath.Join(cache, "citebot")
	src, store := filepath.Join(cache, "articles"), filepath.Join(cache, "data")
	if fresh {
		if err := os.RemoveAll(cache); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/citebot").CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, out)
	}
	rate, err := ingestOnce(data, src, store, bin)
	if err != nil {
		return err
	}
	chunks, textBytes, dims, err := storeSize(store)
	if err != nil {
		return err
	}
	raw := float64(chunks*dims*4+textBytes) / (1 << 20)
	dbBytes := fileSize(filepath.Join(store, "citebot.db"))

	question := "What did the 1973 oil crisis do to the price of oil?"
	// The first ask after the ingest builds shared's index from the
	// chunks and writes its snapshot; later ones read the snapshot.
	os.RemoveAll(filepath.Join(store, "index"))
	cold, coldRSS, err := timed(bin, "ask", "--data-dir", store, question)
	if err != nil {
		return err
	}
	var ask, askRSS, src2, srcRSS []float64
	for range runs {
		d, rss, err := timed(bin, "ask", "--data-dir", store, question)
		if err != nil {
			return err
		}
		ask, askRSS = append(ask, d), append(askRSS, rss)
		d, rss, err = timed(bin, "sources", "--data-dir", store)
		if err != nil {
			return err
		}
		src2, srcRSS = append(src2, d), append(srcRSS, rss)
	}
	var p50, evalRSS, r1, r5 []float64
	for range max(1, runs/2) {
		rep, rss, err := evalRun(bin, store, filepath.Join(data, "qa-tune.jsonl"))
		if err != nil {
			return err
		}
		p50, evalRSS = append(p50, rep.LatencyP50MS), append(evalRSS, rss)
		r1, r5 = append(r1, rep.at(1)), append(r5, rep.at(5))
	}

	fmt.Printf("Machine: %d cores, %s, %s, %s; load average (1, 5, 15 min) before: %s, after: %s.\n", runtime.NumCPU(), cpuName(), runtime.Version(),
		time.Now().UTC().Format("2006-01-02"), loadBefore, loadAverage())
	fmt.Printf("Corpus: %d articles from the SQuAD dev paragraphs, %d passages, %.0f MiB store, raw vectors + text %.0f MiB (%d dimensions). Medians of %d runs.\n\n",
		articles, chunks, float64(dbBytes)/(1<<20), raw, dims, runs)
	fmt.Println("| | measured | target |")
	fmt.Println("|---|---|---|")
	fmt.Printf("| fresh `citebot ask` (process start → answer), snapshot present | %.2f s, peak %.0f MiB | ≤ 1.0 s |\n", median(ask), median(askRSS))
	fmt.Printf("| first `citebot ask` after the ingest (builds the index, writes the snapshot) | %.2f s, peak %.0f MiB | |\n", cold, coldRSS)
	fmt.Printf("| `citebot sources` | %.2f s, peak %.0f MiB | ≤ 0.3 s |\n", median(src2), median(srcRSS))
	fmt.Printf("| warm question, one process (search p50, `citebot eval --every 5`) | %.1f ms | ≤ 35 ms p50 |\n", median(p50))
	fmt.Printf("| ingest (`citebot ingest` of the 20,000 files, one run) | %.0f articles/s | ≥ 500 articles/s |\n", rate)
	fmt.Printf("| peak memory while serving (the eval process) | %.0f MiB = %.2f × raw | ≤ 1.3× raw vectors + text |\n", median(evalRSS), median(evalRSS)/raw)
	fmt.Printf("\nrecall@1/@5 of that eval on this multiplied corpus (duplicated paragraphs: not the tune figure): %.4f / %.4f\n", median(r1), median(r5))
	return nil
}

// ingestOnce writes the corpus and ingests it unless the cache holds it,
// and returns the ingest rate in articles per second (remembered).
func ingestOnce(data, src, store, bin string) (float64, error) {
	mark := filepath.Join(store, "bench-ingest-rate")
	if b, err := os.ReadFile(mark); err == nil {
		var rate float64
		if _, err := fmt.Sscan(string(b), &rate); err == nil {
			return rate, nil
		}
	}
	os.RemoveAll(src)
	os.RemoveAll(store)
	if err := writeCorpus(data, src); err != nil {
		return 0, err
	}
	secs, _, err := timed(bin, "ingest", "--data-dir", store, src)
	if err != nil {
		return 0, err
	}
	rate := articles / secs
	return rate, os.WriteFile(mark, fmt.Appendf(nil, "%f\n", rate), 0o644)
}

// writeCorpus writes 20,000 articles, each three to five paragraphs of one
// SQuAD article in a seeded random order, titled after it.
func writeCorpus(data, dir string) error {
	files, err := filepath.Glob(filepath.Join(data, "articles", "*.txt"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no articles in %s: %v", data, err)
	}
	slices.Sort(files)
	type source struct {
		title string
		paras []string
	}
	var srcs []source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		title, body, _ := strings.Cut(string(b), "\n")
		var paras []string
		for _, p := range strings.Split(body, "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				paras = append(paras, strings.ReplaceAll(p, "\n", " "))
			}
		}
		srcs = append(srcs, source{strings.TrimSpace(title), paras})
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(14, 14))
	for i := range articles {
		s := srcs[i%len(srcs)]
		k := min(len(s.paras), 3+rng.IntN(3))
		var b bytes.Buffer
		fmt.Fprintf(&b, "%s: report %d\n", s.title, i/len(srcs)+1)
		for _, j := range rng.Perm(len(s.paras))[:k] {
			b.WriteString("\n" + s.paras[j] + "\n")
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("a%05d.txt", i)), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// timed runs the binary offline (no model configured) and returns its
// wall time in seconds and peak RSS in MiB.
func timed(bin string, args ...string) (float64, float64, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = offlineEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, stderr.String())
	}
	d := time.Since(start).Seconds()
	return d, float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) / 1024, nil
}

type evalReport struct {
	LatencyP50MS float64 `json:"latency_p50_ms"`
	Recall       []struct {
		K      int     `json:"k"`
		Recall float64 `json:"recall"`
	} `json:"recall"`
}

func (r evalReport) at(k int) float64 {
	for _, x := range r.Recall {
		if x.K == k {
			return x.Recall
		}
	}
	return 0
}

func evalRun(bin, store, qa string) (evalReport, float64, error) {
	cmd := exec.Command(bin, "eval", "--data-dir", store, "--every", "5", "--k", "1,5", "--json", qa)
	cmd.Env = offlineEnv()
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return evalReport{}, 0, fmt.Errorf("eval: %v\n%s", err, stderr.String())
	}
	var rep evalReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		return rep, 0, fmt.Errorf("eval output: %v\n%s", err, out.String())
	}
	return rep, float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) / 1024, nil
}

// offlineEnv is the environment without any citebot or model variable.
func offlineEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "CITEBOT_") || strings.HasPrefix(k, "OPENAI_") || strings.HasPrefix(k, "AZURE_OPENAI_") || k == "DISCORD_TOKEN" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func storeSize(dir string) (chunks, textBytes, dims int, err error) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "citebot.db")+"?mode=ro")
	if err != nil {
		return 0, 0, 0, err
	}
	defer db.Close()
	err = db.QueryRowContext(context.Background(), `SELECT count(*), sum(length(CAST(text AS BLOB))), max(length(embedding))/4 FROM chunks`).Scan(&chunks, &textBytes, &dims)
	return chunks, textBytes, dims, err
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// loadAverage is the machine's load average over 1, 5 and 15 minutes.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func cpuName() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
