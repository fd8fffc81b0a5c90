package weir

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/internal/testdata"
)

// Tests of the functions over real data, through the whole engine, each checked against an
// independent computation in Go.

// nasaEvent is one request of the NASA log.
type nasaEvent struct {
	host, url      string
	time           int64 // epoch seconds
	response, size int64
}

// readNASA reads the NASA log in file order.
func readNASA(t testing.TB, path string) []nasaEvent {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var header map[string]int
	var out []nasaEvent
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = map[string]int{}
			for i, h := range fields {
				header[h] = i
			}
			continue
		}
		num := func(col string) int64 {
			v, err := strconv.ParseInt(fields[header[col]], 10, 64)
			require.NoError(t, err, col)
			return v
		}
		out = append(out, nasaEvent{host: fields[header["host"]], url: fields[header["url"]],
			time: num("time"), response: num("response"), size: num("bytes")})
	}
	require.NoError(t, sc.Err())
	return out
}

// nasaDB opens an engine with the NASA log as stream nasa; extra adds to its columns (a
// WATERMARK clause, say).
func nasaDB(t testing.TB, mem memory.Allocator, extra string) (*DB, string) {
	t.Helper()
	path := filepath.Join(testdata.Dir(t, "nasa-http"), "nasa_19950801.tsv")
	db, err := Open(WithAllocator(mem))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	require.NoError(t, db.Exec(context.Background(), `CREATE STREAM nasa (
		host VARCHAR, time BIGINT, url VARCHAR, response BIGINT, bytes BIGINT,
		ts AS to_timestamp(time)`+extra+`
	) WITH (connector = 'file', path = '`+path+`', format = 'tsv')`))
	return db, path
}

// queryAll runs a query and reads every row as Go values: int64 for BIGINT, TIMESTAMP and
// INTERVAL, float64, string, bool, nil for NULL.
func queryAll(t testing.TB, db *DB, sql string) ([][]any, Stats) {
	t.Helper()
	rows, err := db.Query(context.Background(), sql)
	require.NoError(t, err)
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		b := rows.Batch()
		for i := 0; i < int(b.NumRows()); i++ {
			row := make([]any, b.NumCols())
			for j, col := range b.Columns() {
				row[j] = cellValue(col, i)
			}
			out = append(out, row)
		}
	}
	require.NoError(t, rows.Err())
	return out, rows.Stats()
}

// cellValue reads row i of a column as a Go value.
func cellValue(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.Int64:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.String:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.Timestamp:
		return int64(a.Value(i))
	case *array.Duration:
		return int64(a.Value(i))
	}
	return a.ValueStr(i)
}

// windowsOf groups events by the start of their window of size seconds, in epoch seconds.
func windowsOf[T any](events []T, size int64, time func(T) int64) (map[int64][]T, []int64) {
	wins := map[int64][]T{}
	for _, e := range events {
		s := time(e) / size * size
		wins[s] = append(wins[s], e)
	}
	starts := make([]int64, 0, len(wins))
	for s := range wins {
		starts = append(starts, s)
	}
	slices.Sort(starts)
	return wins, starts
}

// TestPercentilesOverNASA compares the sketch's p50, p90 and p99 of bytes per 5-minute
// window with the exact values at the same rank (percentile_disc's, or its neighbour), and
// percentile_cont with an independent computation, in every window.
func TestPercentilesOverNASA(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	db, path := nasaDB(t, mem, "")
	events := readNASA(t, path)
	wins, starts := windowsOf(events, 300, func(e nasaEvent) int64 { return e.time })

	got, _ := queryAll(t, db, `SELECT window_start, count(bytes) AS n,
		p50(bytes), p90(bytes), p99(bytes),
		percentile_disc(0.5) WITHIN GROUP (ORDER BY bytes) AS d50,
		percentile_disc(0.9) WITHIN GROUP (ORDER BY bytes) AS d90,
		quantile_disc(bytes, 0.99) AS d99,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY bytes) AS c50,
		percentile_cont(bytes, 0.9) AS c90, quantile_cont(bytes, 0.99) AS c99,
		median(bytes) AS med, approx_median(bytes) AS am, percentile(bytes, 0.999) AS a999,
		percentile(bytes, 0) AS p0, percentile(bytes, 1) AS p100
		FROM nasa GROUP BY TUMBLE(ts, 5m)`)
	require.Len(t, got, len(starts))
	qs := []float64{0.5, 0.9, 0.99}
	for w, row := range got {
		start := starts[w]
		require.Equal(t, start*1e6, row[0])
		vals := make([]float64, len(wins[start]))
		for i, e := range wins[start] {
			vals[i] = float64(e.size)
		}
		slices.Sort(vals)
		n := len(vals)
		require.EqualValues(t, n, row[1])
		for k, q := range qs {
			sketch, disc, cont := row[2+k].(float64), row[5+k].(int64), row[8+k].(float64)
			// percentile_disc: the first value whose cumulative share reaches q.
			require.EqualValues(t, vals[int(math.Ceil(q*float64(n)))-1], disc)
			// The sketch estimates the value at rank floor(q·(n-1)): percentile_disc's value or
			// its neighbour.
			r := int(q * float64(n-1))
			atRank := vals[r]
			i := slices.Index(vals, float64(disc))
			require.True(t, atRank == float64(disc) || atRank == vals[max(i-1, 0)] ||
				atRank == vals[min(i+1, n-1)], "window %d q=%v", start, q)
			require.LessOrEqual(t, math.Abs(sketch-atRank), functions.SketchAccuracy*atRank,
				"window %d q=%v: sketch %v, exact %v", start, q, sketch, atRank)
			require.Equal(t, contOf(vals, q), cont, "window %d q=%v", start, q)
		}
		require.Equal(t, contOf(vals, 0.5), row[11])
		require.LessOrEqual(t, math.Abs(row[12].(float64)-vals[int(0.5*float64(n-1))]),
			functions.SketchAccuracy*vals[int(0.5*float64(n-1))])
		r999 := vals[int(0.999*float64(n-1))]
		require.LessOrEqual(t, math.Abs(row[13].(float64)-r999),
			functions.SketchAccuracy*r999)
		require.Equal(t, []any{vals[0], vals[n-1]}, row[14:16])
	}
}

// contOf interpolates linearly between the values around rank q·(n-1), as PostgreSQL's
// percentile_cont does.
func contOf(sorted []float64, q float64) float64 {
	r := q * float64(len(sorted)-1)
	lo := math.Floor(r)
	hi := math.Min(lo+1, float64(len(sorted)-1))
	a, b := sorted[int(lo)], sorted[int(hi)]
	if a == b || r == lo {
		return a
	}
	return a + (b-a)*(r-lo)
}

// TestAggregatesOverNASA checks count(DISTINCT), approx_count_distinct, stddev, first, last,
// rate and FILTER per hour against Go.
func TestAggregatesOverNASA(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	db, path := nasaDB(t, mem, "")
	events := readNASA(t, path)
	wins, starts := windowsOf(events, 3600, func(e nasaEvent) int64 { return e.time })

	got, _ := queryAll(t, db, `SELECT window_start, count(DISTINCT host) AS hosts,
		approx_count_distinct(host) AS approx_hosts, stddev(bytes) AS sd,
		var_pop(bytes) AS vp, first(url) AS first_url, last(url) AS last_url,
		rate() AS per_second, rate(bytes) AS bytes_per_second,
		count(*) FILTER (WHERE response >= 400) AS errors,
		sum(bytes) FILTER (WHERE response = 200 AND bytes > 10000) AS big_ok_bytes,
		p50(bytes) FILTER (WHERE response <> 200) AS p50_other
		FROM nasa GROUP BY TUMBLE(ts, 1h)`)
	require.Len(t, got, len(starts))
	for w, row := range got {
		evs := wins[starts[w]]
		hosts := map[string]bool{}
		var errors, total, bigOK int64
		var other []float64
		first, last := evs[0], evs[0]
		for _, e := range evs {
			hosts[e.host] = true
			total += e.size
			if e.response >= 400 {
				errors++
			}
			if e.response == 200 && e.size > 10000 {
				bigOK += e.size
			}
			if e.response != 200 {
				other = append(other, float64(e.size))
			}
			if e.time < first.time {
				first = e
			}
			if e.time >= last.time {
				last = e
			}
		}
		mean := float64(total) / float64(len(evs))
		m2 := 0.0
		for _, e := range evs {
			m2 += (float64(e.size) - mean) * (float64(e.size) - mean)
		}
		require.EqualValues(t, len(hosts), row[1])
		require.EqualValues(t, len(hosts), row[2], "HyperLogLog is exact this small")
		require.InEpsilon(t, math.Sqrt(m2/float64(len(evs)-1)), row[3], 1e-9)
		require.InEpsilon(t, m2/float64(len(evs)), row[4], 1e-9)
		require.Equal(t, first.url, row[5])
		require.Equal(t, last.url, row[6])
		require.InEpsilon(t, float64(len(evs))/3600, row[7], 1e-12)
		require.InEpsilon(t, float64(total)/3600, row[8], 1e-12)
		require.EqualValues(t, errors, row[9])
		require.EqualValues(t, bigOK, row[10])
		slices.Sort(other)
		if len(other) == 0 {
			require.Nil(t, row[11])
			continue
		}
		atRank := other[int(0.5*float64(len(other)-1))]
		require.LessOrEqual(t, math.Abs(row[11].(float64)-atRank),
			functions.SketchAccuracy*atRank)
	}
}

// TestApproxCountDistinctOverWikiticker compares approx_count_distinct of user per hour with
// count(DISTINCT user) and with Go: within 2% in every window.
func TestApproxCountDistinctOverWikiticker(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	path := filepath.Join(testdata.Dir(t, "wikiticker"), "wikiticker-2015-09-12-sampled.json.gz")
	db, err := Open(WithAllocator(mem))
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Exec(context.Background(), `CREATE STREAM wiki (
		time TIMESTAMP, "user" VARCHAR, page VARCHAR
	) WITH (connector = 'file', path = '`+path+`', format = 'json')`))

	type edit struct {
		Time time.Time `json:"time"`
		User *string   `json:"user"`
	}
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	require.NoError(t, err)
	var edits []edit
	dec := json.NewDecoder(zr)
	for dec.More() {
		var e edit
		require.NoError(t, dec.Decode(&e))
		edits = append(edits, e)
	}
	wins, starts := windowsOf(edits, 3600, func(e edit) int64 { return e.Time.Unix() })

	got, _ := queryAll(t, db, `SELECT window_start, count(DISTINCT "user") AS exact,
		approx_count_distinct("user") AS approx, approx_count_distinct(page) AS pages,
		count(DISTINCT page) AS exact_pages
		FROM wiki GROUP BY TUMBLE(time, 1h)`)
	require.Len(t, got, len(starts))
	for w, row := range got {
		users := map[string]bool{}
		for _, e := range wins[starts[w]] {
			if e.User != nil {
				users[*e.User] = true
			}
		}
		exact, approx := row[1].(int64), row[2].(int64)
		require.EqualValues(t, len(users), exact)
		require.InEpsilon(t, float64(exact), float64(approx), 0.02, "window %d", starts[w])
		require.InEpsilon(t, float64(row[4].(int64)), float64(row[3].(int64)), 0.02)
	}
}

// TestFunctionPlanErrors checks the planner's messages for calls that bind wrongly.
func TestFunctionPlanErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	db, _ := nasaDB(t, mem, "")
	for _, tc := range []struct{ sql, msg string }{
		{`SELECT percentile(bytes, response) FROM nasa GROUP BY TUMBLE(ts, 1m)`,
			"1:8: the fraction of percentile must be a constant"},
		{`SELECT percentile_cont(1.5) WITHIN GROUP (ORDER BY bytes) FROM nasa`,
			"1:8: the fraction of percentile_cont must be between 0 and 1, got 1.5"},
		{`SELECT min(bytes) WITHIN GROUP (ORDER BY bytes) FROM nasa`,
			"1:8: min is not an ordered-set aggregate; WITHIN GROUP is for percentile_cont " +
				"and percentile_disc"},
		{`SELECT rate() FROM nasa`, "1:8: rate needs a windowed GROUP BY: it divides by " +
			"the window's length"},
		{`SELECT rate() FROM nasa GROUP BY CUMULATE(ts, 1m, 1h)`,
			"1:8: unsupported: rate over CUMULATE windows, whose lengths vary"},
		{`SELECT first(DISTINCT url) FROM nasa GROUP BY TUMBLE(ts, 1m)`,
			"1:8: unsupported: first(DISTINCT ...)"},
		{`SELECT p99(ts) FROM nasa GROUP BY TUMBLE(ts, 1m)`, "1:8: p99 estimates within a " +
			"relative error, which means nothing for a TIMESTAMP; use percentile_disc"},
		{`SELECT count(DISTINCT *) FROM nasa`, "count(DISTINCT *)"},
	} {
		_, err := db.Query(context.Background(), tc.sql)
		require.Error(t, err, tc.sql)
		require.Contains(t, err.Error(), tc.msg, tc.sql)
	}
}

// TestFunctionsOverSessions checks first, last and rate over SESSION windows, whose lengths
// the state measures from the event times.
func TestFunctionsOverSessions(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	db, path := nasaDB(t, mem, "")
	events := readNASA(t, path)
	got, _ := queryAll(t, db, `SELECT host, window_start, window_end, count(*) AS n,
		rate() AS r, first(url) AS f, last(url) AS l
		FROM nasa WHERE host = 'piweba3y.prodigy.com' GROUP BY host, SESSION(ts, 10m)`)
	require.NotEmpty(t, got)
	var mine []nasaEvent
	for _, e := range events {
		if e.host == "piweba3y.prodigy.com" {
			mine = append(mine, e)
		}
	}
	k := 0
	for _, row := range got {
		start, end, n := row[1].(int64), row[2].(int64), row[3].(int64)
		session := mine[k : k+int(n)]
		k += int(n)
		require.Equal(t, session[0].time*1e6, start)
		require.Equal(t, session[len(session)-1].time*1e6+600e6, end)
		require.InEpsilon(t, float64(n)/(float64(end-start)/1e6), row[4], 1e-12)
		require.Equal(t, session[0].url, row[5])
		require.Equal(t, session[len(session)-1].url, row[6])
	}
	require.Equal(t, len(mine), k)
}

// stateQueries are the queries whose state per open window the benchmark measures: per host
// and 5-minute window of the NASA log.
var stateQueries = []struct{ name, sql string }{
	{"count+avg+min+max", `SELECT host, count(*), avg(bytes), min(bytes), max(bytes)
		FROM nasa GROUP BY host, TUMBLE(ts, 5m)`},
	{"p99", `SELECT host, p99(bytes) FROM nasa GROUP BY host, TUMBLE(ts, 5m)`},
}

// stateBytesPerWindow runs a query over the NASA log with a watermark a day behind, so that
// every window is still open when the input ends, and returns the state's bytes (keys and
// slots included, as the aggregate accounts them after its last batch) per window.
func stateBytesPerWindow(t testing.TB, sql string) float64 {
	db, _ := nasaDB(t, memory.NewGoAllocator(), ",\n WATERMARK FOR ts AS ts - INTERVAL '1' DAY")
	rows, st := queryAll(t, db, sql)
	require.EqualValues(t, len(rows), st.WindowsFired)
	return float64(st.StateBytes) / float64(st.WindowsFired)
}

// TestStatePerWindow holds the state per open window under the targets of issue 5: 200
// bytes without the sketch, 2 KB with it.
func TestStatePerWindow(t *testing.T) {
	for i, target := range []float64{200, 2048} {
		q := stateQueries[i]
		got := stateBytesPerWindow(t, q.sql)
		t.Logf("%s: %.0f bytes of state per open window", q.name, got)
		require.Less(t, got, target, q.name)
	}
}

// BenchmarkStatePerWindow reports the bytes of state per open window of each query.
func BenchmarkStatePerWindow(b *testing.B) {
	for _, q := range stateQueries {
		b.Run(q.name, func(b *testing.B) {
			var perWindow float64
			for b.Loop() {
				perWindow = stateBytesPerWindow(b, q.sql)
			}
			b.ReportMetric(perWindow, "B/window")
		})
	}
}
