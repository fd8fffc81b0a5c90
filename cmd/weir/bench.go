package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/weirsql/weir"
	"github.com/weirsql/weir/connector"
	"github.com/weirsql/weir/exec"
)

// The workloads of `weir --bench`: the four windowed aggregations of the performance issue over
// a generated stream (in memory, or parsed from a CSV file inside the clock), and Nexmark
// queries over the built-in generator (inside the clock). The generated stream is the one the
// bench/ module compares with DuckDB: the same generator, seed and shape.

// benchWorkload is one named workload.
type benchWorkload struct {
	name, summary string
	source        string // "memory", "csv" or "nexmark"
	sql           string
	events        int // the default number of events
}

// benchStreamQueries are the four queries over the generated stream ev.
var benchStreamQueries = []struct{ name, summary, sql string }{
	{"tumble", "count, sum, avg per key and 1-minute TUMBLE",
		`SELECT k, window_start, window_end, count(*) AS n, sum(v) AS s, avg(v) AS a
		 FROM ev GROUP BY k, TUMBLE(ts, 1m)`},
	{"tumble_p99", "count, sum, avg, p99, stddev per key and 1-minute TUMBLE",
		`SELECT k, window_start, window_end, count(*) AS n, sum(v) AS s, avg(v) AS a,
		        p99(v) AS p99, stddev(v) AS sd
		 FROM ev GROUP BY k, TUMBLE(ts, 1m)`},
	{"hop", "count, sum, avg per key and 5-minute HOP sliding 1 minute",
		`SELECT k, window_start, window_end, count(*) AS n, sum(v) AS s, avg(v) AS a
		 FROM ev GROUP BY k, HOP(ts, 1m, 5m)`},
	{"session", "count, sum, avg per key and 30-second SESSION",
		`SELECT k, window_start, window_end, count(*) AS n, sum(v) AS s, avg(v) AS a
		 FROM ev GROUP BY k, SESSION(ts, 30s)`},
}

// benchNexmark are Nexmark's queries over the bids of the built-in generator.
var benchNexmark = []struct{ name, summary, sql string }{
	{"q0", "Nexmark q0: pass-through", `SELECT * FROM bid`},
	{"q1", "Nexmark q1: currency conversion",
		`SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid`},
	{"q2", "Nexmark q2: selection", `SELECT auction, price FROM bid WHERE auction % 123 = 0`},
	{"q5", "Nexmark q5's windowed count: bids per auction, HOP 10 s sliding 2 s",
		`SELECT auction, count(*) AS num, window_start, window_end
		 FROM bid GROUP BY auction, HOP(dateTime, 2s, 10s)`},
	{"q11", "Nexmark q11: bids per bidder and 10-second SESSION",
		`SELECT bidder, count(*) AS bid_count, window_start, window_end
		 FROM bid GROUP BY bidder, SESSION(dateTime, 10s)`},
}

func benchWorkloads() []benchWorkload {
	var out []benchWorkload
	for _, q := range benchStreamQueries {
		out = append(out, benchWorkload{q.name, q.summary, "memory", q.sql, 10_000_000})
	}
	for _, q := range benchStreamQueries {
		out = append(out, benchWorkload{q.name + "_csv", q.summary + ", from CSV", "csv", q.sql,
			10_000_000})
	}
	for _, q := range benchStreamQueries {
		out = append(out, benchWorkload{q.name + "_parquet", q.summary + ", from Parquet",
			"parquet", q.sql, 10_000_000})
	}
	for _, q := range benchNexmark {
		out = append(out, benchWorkload{q.name, q.summary, "nexmark", q.sql, 10_000_000})
	}
	return out
}

const benchUsage = `usage: weir --bench WORKLOAD[:EVENTS]

Runs a workload with its results discarded, on one core (GOMAXPROCS=1), and prints events
per second, the events per CPU-second, the peak state memory and the latency from the
watermark passing a window's end to its row coming out. "weir --bench all" runs every
workload, "weir --bench list" lists them. EVENTS overrides the number of events.

workloads:
`

// runBench runs `weir --bench WORKLOAD` and returns the exit status.
func runBench(workload string, stdout, stderr io.Writer) int {
	name, events := workload, 0
	if i := strings.LastIndexByte(workload, ':'); i >= 0 {
		n, err := strconv.Atoi(strings.ReplaceAll(workload[i+1:], "_", ""))
		if err != nil || n <= 0 {
			fmt.Fprintf(stderr, "weir: --bench %s: %q is not a number of events\n", workload,
				workload[i+1:])
			return exitUsage
		}
		name, events = workload[:i], n
	}
	all := benchWorkloads()
	if name == "list" || name == "help" {
		printBenchList(stdout, all)
		return exitOK
	}
	var run []benchWorkload
	for _, w := range all {
		if name == "all" || w.name == name {
			if events > 0 {
				w.events = events
			}
			run = append(run, w)
		}
	}
	if len(run) == 0 {
		fmt.Fprintf(stderr, "weir: unknown workload %q\n", name)
		printBenchList(stderr, all)
		return exitUsage
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for i, w := range run {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		res, err := runBenchWorkload(w)
		if err != nil {
			fmt.Fprintf(stderr, "weir: %s: %v\n", w.name, err)
			return exitError
		}
		res.print(stdout, w)
	}
	return exitOK
}

func printBenchList(w io.Writer, all []benchWorkload) {
	fmt.Fprint(w, benchUsage)
	width := 0
	for _, wl := range all {
		width = max(width, len(wl.name))
	}
	for _, wl := range all {
		fmt.Fprintf(w, "  %-*s %s (%s)\n", width, wl.name, wl.summary, wl.source)
	}
}

// benchResult is what one run measured.
type benchResult struct {
	events      int64
	elapsed     time.Duration
	cpu         time.Duration
	rows        int64
	peakState   int64
	peakWindows int64
	perWindow   float64
	latencies   []time.Duration // sorted; empty when not measured
}

func (r benchResult) print(w io.Writer, wl benchWorkload) {
	rate := float64(r.events) / r.elapsed.Seconds()
	fmt.Fprintf(w, "workload      %s: %s\n", wl.name, wl.summary)
	src := map[string]string{
		"memory":  "Arrow batches built before the clock, pushed through an appender",
		"csv":     "a CSV file, parsed inside the clock",
		"parquet": "a Parquet file (Snappy), decoded inside the clock",
		"nexmark": "the built-in Nexmark generator, inside the clock",
	}[wl.source]
	fmt.Fprintf(w, "input         %s events: %s\n", groupDigits(r.events), src)
	fmt.Fprintf(w, "time          %s wall, %s CPU, GOMAXPROCS=1\n",
		r.elapsed.Round(time.Millisecond), r.cpu.Round(time.Millisecond))
	fmt.Fprintf(w, "events/s      %s\n", groupDigits(int64(rate)))
	if r.cpu > 0 {
		fmt.Fprintf(w, "per core      %s events per CPU-second\n",
			groupDigits(int64(float64(r.events)/r.cpu.Seconds())))
	}
	fmt.Fprintf(w, "rows out      %s\n", groupDigits(r.rows))
	state := fmt.Sprintf("%s at the peak", exec.FormatBytes(r.peakState))
	if r.peakWindows > 0 {
		state += fmt.Sprintf("; %.0f bytes per open window with %s windows open",
			r.perWindow, groupDigits(r.peakWindows))
	}
	fmt.Fprintf(w, "state         %s\n", state)
	if len(r.latencies) > 0 {
		fmt.Fprintf(w, "emit latency  median %s, p99 %s (from the push of the batch that "+
			"moved the watermark past a window's end to the window's row coming out)\n",
			benchQuantile(r.latencies, 0.5), benchQuantile(r.latencies, 0.99))
	}
}

func benchQuantile(xs []time.Duration, q float64) time.Duration {
	d := xs[int(math.Round(q*float64(len(xs)-1)))]
	if d > time.Millisecond {
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// groupDigits writes n with commas between groups of three digits.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func benchCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func runBenchWorkload(w benchWorkload) (benchResult, error) {
	switch w.source {
	case "memory":
		return benchMemory(w)
	case "csv":
		dir, err := os.MkdirTemp("", "weir-bench")
		if err != nil {
			return benchResult{}, err
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "events.csv")
		if err := writeBenchCSV(path, w.events); err != nil {
			return benchResult{}, err
		}
		return benchQuery(benchStreamDDL(path, "csv"), w.sql)
	case "parquet":
		dir, err := os.MkdirTemp("", "weir-bench")
		if err != nil {
			return benchResult{}, err
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "events.parquet")
		if err := writeBenchParquet(path, w.events); err != nil {
			return benchResult{}, err
		}
		return benchQuery(benchStreamDDL(path, "parquet"), w.sql)
	}
	ddl := fmt.Sprintf(`CREATE STREAM bid (auction BIGINT, bidder BIGINT, price BIGINT,
		channel VARCHAR, url VARCHAR, dateTime TIMESTAMP, extra VARCHAR,
		WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND)
		WITH (connector = 'nexmark', table = 'bid', events = %d, seed = 1)`, w.events)
	return benchQuery(ddl, w.sql)
}

// benchStreamDDL declares the generated stream: fed by appenders, or read from path in
// format.
func benchStreamDDL(path, format string) string {
	s := `CREATE STREAM ev (ts TIMESTAMP, k BIGINT, v DOUBLE,
		WATERMARK FOR ts AS ts - INTERVAL '2' SECOND)`
	if path != "" {
		s += fmt.Sprintf(" WITH (connector = 'file', path = %s, format = %s)",
			quoteSQL(path), quoteSQL(format))
	}
	return s
}

// benchQuery runs sql after ddl, reading every row, and measures it from the start of the
// query: its source's work is inside the clock.
func benchQuery(ddl, sql string) (benchResult, error) {
	ctx := context.Background()
	db, err := weir.Open()
	if err != nil {
		return benchResult{}, err
	}
	defer db.Close()
	if err := db.Exec(ctx, ddl); err != nil {
		return benchResult{}, err
	}
	var res benchResult
	runtime.GC()
	start, cpu0 := time.Now(), benchCPU()
	rows, err := db.Query(ctx, sql)
	if err != nil {
		return res, err
	}
	defer rows.Close()
	for rows.Next() {
		res.rows += rows.Batch().NumRows()
	}
	res.elapsed, res.cpu = time.Since(start), benchCPU()-cpu0
	if err := rows.Err(); err != nil {
		return res, err
	}
	s := rows.Stats()
	res.events, res.peakState, res.peakWindows = s.EventsRead, s.PeakStateBytes, s.PeakWindows
	res.perWindow = s.BytesPerWindow()
	return res, nil
}

// benchMemory pushes the generated stream, built before the clock starts, through an
// appender while the query runs, and measures the emit latency of every window row: from the
// push of the batch after which the watermark reached the row's window_end (or the closing of
// the input) to the row coming out of Rows.Next.
func benchMemory(w benchWorkload) (benchResult, error) {
	ctx := context.Background()
	batches, wms := generateBench(w.events)
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	db, err := weir.Open()
	if err != nil {
		return benchResult{}, err
	}
	defer db.Close()
	if err := db.Exec(ctx, benchStreamDDL("", "")); err != nil {
		return benchResult{}, err
	}
	rows, err := db.Query(ctx, w.sql)
	if err != nil {
		return benchResult{}, err
	}
	defer rows.Close()
	app, err := db.Appender("ev")
	if err != nil {
		return benchResult{}, err
	}
	res := benchResult{events: int64(w.events)}
	pushed := make([]time.Duration, len(batches)+1) // the last: when the input closed
	done := make(chan error, 1)
	runtime.GC()
	start, cpu0 := time.Now(), benchCPU()
	go func() {
		for i, b := range batches {
			pushed[i] = time.Since(start)
			if err := app.Append(b); err != nil {
				done <- err
				return
			}
		}
		pushed[len(batches)] = time.Since(start)
		done <- app.Close()
	}()
	lat := make([]time.Duration, 0, 1<<16)
	for rows.Next() {
		out := time.Since(start)
		b := rows.Batch()
		res.rows += b.NumRows()
		idx := b.Schema().FieldIndices("window_end")
		if len(idx) == 0 {
			continue
		}
		for _, e := range b.Column(idx[0]).(*array.Timestamp).TimestampValues() {
			j := sort.Search(len(wms), func(i int) bool { return wms[i] >= int64(e) })
			lat = append(lat, out-pushed[j])
		}
	}
	res.elapsed, res.cpu = time.Since(start), benchCPU()-cpu0
	if err := rows.Err(); err != nil {
		return res, err
	}
	if err := <-done; err != nil {
		return res, err
	}
	s := rows.Stats()
	res.peakState, res.peakWindows, res.perWindow = s.PeakStateBytes, s.PeakWindows,
		s.BytesPerWindow()
	slices.Sort(lat)
	res.latencies = lat
	return res, nil
}

// The generated stream: 1,000 keys drawn from a Zipf distribution (s = 1.1), an event every
// millisecond of event time of which one in ten arrives up to 2 s late, values with two
// decimals; the watermark trails by 2 s, so that no event is late. bench/data.go makes the
// same events.
const (
	benchKeys      = 1000
	benchStep      = int64(1000)
	benchDisorder  = int64(2e6)
	benchBatchRows = 4096
	benchBase      = int64(1704067200) * 1e6
)

type benchGen struct {
	rng  *rand.Rand
	zipf *rand.Zipf
	i    int64
}

func newBenchGen() *benchGen {
	rng := rand.New(rand.NewPCG(1, 0x5eed))
	return &benchGen{rng: rng, zipf: rand.NewZipf(rng, 1.1, 1, benchKeys-1)}
}

func (g *benchGen) next() (ts, k int64, v float64) {
	ts = benchBase + g.i*benchStep
	g.i++
	if g.rng.IntN(10) == 0 {
		ts -= g.rng.Int64N(benchDisorder)
	}
	k = int64(g.zipf.Uint64())
	v = math.Round(g.rng.ExpFloat64()*1e4) / 100
	return ts, k, v
}

var benchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
		Nullable: true},
	{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "v", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

// generateBench makes n events in batches, and the watermark after each batch.
func generateBench(n int) ([]arrow.RecordBatch, []int64) {
	g := newBenchGen()
	b := array.NewRecordBuilder(memory.DefaultAllocator, benchSchema)
	defer b.Release()
	tb := b.Field(0).(*array.TimestampBuilder)
	kb := b.Field(1).(*array.Int64Builder)
	vb := b.Field(2).(*array.Float64Builder)
	var batches []arrow.RecordBatch
	var wms []int64
	maxSeen := int64(math.MinInt64)
	for i := 0; i < n; i++ {
		ts, k, v := g.next()
		maxSeen = max(maxSeen, ts)
		tb.Append(arrow.Timestamp(ts))
		kb.Append(k)
		vb.Append(v)
		if (i+1)%benchBatchRows == 0 || i == n-1 {
			batches = append(batches, b.NewRecordBatch())
			wms = append(wms, maxSeen-benchDisorder)
		}
	}
	return batches, wms
}

// writeBenchCSV writes n generated events to path: ts,k,v with a header.
func writeBenchCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("ts,k,v\n")
	g := newBenchGen()
	var buf []byte
	for i := 0; i < n; i++ {
		ts, k, v := g.next()
		buf = time.UnixMicro(ts).UTC().AppendFormat(buf[:0], "2006-01-02 15:04:05.000000")
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, k, 10)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, v, 'f', -1, 64)
		w.Write(append(buf, '\n'))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeBenchParquet writes n generated events to path as Parquet, in row groups of the
// writer's size.
func writeBenchParquet(path string, n int) error {
	batches, _ := generateBench(n)
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w, err := connector.NewRowWriter("parquet", f, benchSchema)
	if err != nil {
		f.Close()
		return err
	}
	for _, b := range batches {
		if err := w.WriteBatch(b); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
