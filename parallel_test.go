package weir

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/exec"
)

// parallelQueries are windowed aggregates whose rows and counters must not depend on how
// many workers run them.
var parallelQueries = []string{
	`SELECT k, window_start, count(*), sum(v), avg(v), min(v), max(v)
		FROM ev GROUP BY k, TUMBLE(ts, 10s)`,
	`SELECT s, k, window_end, p99(v), count(DISTINCT n), count(v)
		FROM ev GROUP BY s, k, HOP(ts, 2s, 7s)`,
	`SELECT k, window_start, window_end, count(*), max(v), sum(n)
		FROM ev GROUP BY k, SESSION(ts, 1500ms)`,
	`SELECT s, window_start, count(*), sum(n) FROM ev WHERE v > 10
		GROUP BY s, TUMBLE(ts, 5s) EMIT CHANGES`,
	`SELECT k, window_start, count(*), avg(v) FROM ev
		GROUP BY k, HOP(ts, 3s, 9s) ALLOWED LATENESS 2s`,
	`SELECT k, window_start, window_end, count(*), min(n) FROM ev
		GROUP BY k, SESSION(ts, 800ms) EMIT CHANGES`,
	`SELECT n % 5 AS m, window_end, count(*) FILTER (WHERE v > 50), max(v) FROM ev
		GROUP BY m, CUMULATE(ts, 2s, 8s) HAVING count(*) > 1`,
	`SELECT v > 50 AS big, k % 3 AS g, window_start, count(*) FROM ev
		GROUP BY big, g, TUMBLE(ts, 4s) ALLOWED LATENESS 1s`,
	`SELECT CASE WHEN n % 4 = 0 THEN NULL ELSE s END AS sk, (n % 3) * 0.5 - 0.5 AS f,
		window_start, count(*), sum(v) FROM ev GROUP BY sk, f, TUMBLE(ts, 6s)`,
}

// TestParallelAggregateMatchesOne runs each windowed query over a few thousand disordered
// events in small batches, with late ones, on 1, 2, 3 and 4 workers, and requires the same
// rows in the same order and the same counters.
func TestParallelAggregateMatchesOne(t *testing.T) {
	batches := parallelEvents(5000, 7)
	for qi, q := range parallelQueries {
		t.Run(fmt.Sprint(qi), func(t *testing.T) {
			want, wantStats := runParallel(t, q, 1, batches)
			require.NotEmpty(t, want)
			for _, n := range []int{2, 3, 4} {
				got, stats := runParallel(t, q, n, batches)
				require.Equal(t, want, got, "%d workers", n)
				require.Equal(t, wantStats, stats, "%d workers", n)
			}
		})
	}
}

// TestParallelEventsAreLate makes sure the test events have late ones, dropped and partly
// late, so that TestParallelAggregateMatchesOne covers them.
func TestParallelEventsAreLate(t *testing.T) {
	events := parallelEvents(5000, 7)
	_, stats := runParallel(t, parallelQueries[0], 3, events)
	require.Positive(t, stats.LateDropped)
	_, stats = runParallel(t, `SELECT k, count(*) FROM ev GROUP BY k, HOP(ts, 1s, 3s)
		EMIT CHANGES`, 3, events)
	require.Positive(t, stats.LatePartial)
}

// countersOf keeps the counters that must not depend on the workers. The state's size is
// summed over the workers' tables, whose capacities differ from one table's.
func countersOf(s exec.Snapshot) exec.Snapshot {
	return exec.Snapshot{EventsRead: s.EventsRead, EventsSkipped: s.EventsSkipped,
		LateDropped: s.LateDropped, LatePartial: s.LatePartial, WindowsFired: s.WindowsFired,
		OpenWindows: s.OpenWindows, RowsEmitted: s.RowsEmitted}
}

// parallelEvents makes n events (ts, k, s, v, n) in batches of 1 to 40 rows: time goes
// forward with up to 3 s of disorder (the watermark allows 1 s), keys are skewed, some v are
// NULL.
func parallelEvents(n int, seed uint64) [][]any {
	r := rand.New(rand.NewPCG(seed, 1))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var rows [][]any
	for i := 0; i < n; i++ {
		ts := base.Add(time.Duration(i)*7*time.Millisecond -
			time.Duration(r.IntN(3000))*time.Millisecond*time.Duration(b2i(r.IntN(8) == 0)))
		k := int64(r.IntN(40) * r.IntN(40) / 40)
		var v any = float64(r.IntN(10000)) / 100
		if r.IntN(20) == 0 {
			v = nil
		}
		rows = append(rows, []any{ts, k, fmt.Sprintf("u%d", k%7), v, int64(r.IntN(30))})
	}
	return rows
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// runParallel runs q on workers workers over the events, pushed in batches of 1 to 40 rows,
// and returns its rows, printed, and its counters.
func runParallel(t *testing.T, q string, workers int, events [][]any) ([]string,
	exec.Snapshot) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	db, err := Open(WithAllocator(mem), WithWorkers(workers))
	require.NoError(t, err)
	defer db.Close()
	return runParallelOn(t, db, mem, q, workers, events)
}

// runParallelOn is runParallel on db.
func runParallelOn(t *testing.T, db *DB, mem memory.Allocator, q string, workers int,
	events [][]any) ([]string, exec.Snapshot) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM ev (ts TIMESTAMP, k BIGINT, s VARCHAR,
		v DOUBLE, n BIGINT, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)`))
	plan := explain(t, db, q)
	if workers > 1 {
		require.Contains(t, plan, fmt.Sprintf("workers: %d", workers))
	} else {
		require.NotContains(t, plan, "workers:")
	}

	rows, err := db.Query(ctx, q)
	require.NoError(t, err)
	defer rows.Close()
	app, err := db.Appender("ev")
	require.NoError(t, err)
	pushed := make(chan error, 1)
	go func() { pushed <- pushBatches(app, mem, events) }()
	var out []string
	for rows.Next() {
		for _, row := range rows.Values() {
			out = append(out, fmt.Sprint(row...))
		}
		out = append(out, "--") // batch boundaries must match too
	}
	require.NoError(t, rows.Err())
	require.NoError(t, <-pushed)
	stats := countersOf(rows.Stats())
	require.NoError(t, rows.Close())
	return out, stats
}

// pushBatches appends the events in batches of 1 to 40 rows, then closes the appender.
func pushBatches(app *Appender, mem memory.Allocator, events [][]any) error {
	r := rand.New(rand.NewPCG(3, 4))
	for len(events) > 0 {
		n := min(1+r.IntN(40), len(events))
		b := eventBatch(app.schema, mem, events[:n])
		err := app.Append(b)
		b.Release()
		if err != nil {
			return err
		}
		events = events[n:]
	}
	return app.Close()
}

func eventBatch(schema *arrow.Schema, mem memory.Allocator, rows [][]any) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for _, row := range rows {
		b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(row[0].(time.Time).
			UnixMicro()))
		b.Field(1).(*array.Int64Builder).Append(row[1].(int64))
		b.Field(2).(*array.StringBuilder).Append(row[2].(string))
		if v, ok := row[3].(float64); ok {
			b.Field(3).(*array.Float64Builder).Append(v)
		} else {
			b.Field(3).AppendNull()
		}
		b.Field(4).(*array.Int64Builder).Append(row[4].(int64))
	}
	return b.NewRecordBatch()
}

func explain(t *testing.T, db *DB, q string) string {
	t.Helper()
	rows, err := db.Query(context.Background(), "EXPLAIN "+q)
	require.NoError(t, err)
	defer rows.Close()
	var lines []string
	for rows.Next() {
		for _, row := range rows.Values() {
			lines = append(lines, fmt.Sprint(row...))
		}
	}
	require.NoError(t, rows.Err())
	return strings.Join(lines, "\n")
}

// TestParallelLateFile checks that the workers write the late events to the late file as one
// aggregate does: the same rows in the same order.
func TestParallelLateFile(t *testing.T) {
	events := parallelEvents(3000, 9)
	var files []string
	for _, n := range []int{1, 3} {
		path := filepath.Join(t.TempDir(), "late.csv")
		db, err := Open(WithWorkers(n))
		require.NoError(t, err)
		require.NoError(t, db.Exec(context.Background(), "SET late_file = '"+path+"'"))
		_, stats := runParallelOn(t, db, memory.DefaultAllocator, parallelQueries[0], n,
			events)
		require.Positive(t, stats.LateDropped)
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		require.EqualValues(t, stats.LateDropped+1, strings.Count(string(data), "\n"))
		files = append(files, string(data))
		require.NoError(t, db.Close())
	}
	require.Equal(t, files[0], files[1])
}

// TestParallelAggregateStops closes a query while its workers wait for events, and checks
// that no goroutine and no memory is left.
func TestParallelAggregateStops(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	before := runtime.NumGoroutine()
	db, err := Open(WithAllocator(mem), WithWorkers(4))
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM ev (ts TIMESTAMP, k BIGINT, s VARCHAR,
		v DOUBLE, n BIGINT, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)`))
	rows, err := db.Query(ctx, parallelQueries[0])
	require.NoError(t, err)
	app, err := db.Appender("ev")
	require.NoError(t, err)
	events := parallelEvents(2000, 5)
	pushed := make(chan error, 1)
	go func() {
		b := eventBatch(app.schema, mem, events)
		defer b.Release()
		pushed <- app.Append(b)
	}()
	require.True(t, rows.Next(), "a window fired")
	require.NoError(t, <-pushed)
	require.NoError(t, rows.Close())
	require.NoError(t, app.Close())
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before)
}

// BenchmarkParallelCSV runs a tumble query (count, sum, avg per key) over a CSV file of 1M
// events: on one core (the source read inline), with the source prefetched on a goroutine of
// its own, and with that and 2 workers.
func BenchmarkParallelCSV(b *testing.B) {
	const n = 1 << 20
	path := filepath.Join(b.TempDir(), "events.csv")
	var sb strings.Builder
	sb.WriteString("ts,k,v\n")
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		ts := base.Add(time.Duration(i) * time.Millisecond)
		fmt.Fprintf(&sb, "%s,%d,%.2f\n", ts.Format("2006-01-02 15:04:05.000"),
			r.IntN(1000), r.Float64()*100)
	}
	require.NoError(b, os.WriteFile(path, []byte(sb.String()), 0o644))
	for _, c := range []struct {
		name           string
		procs, workers int
	}{{"inline", 1, 1}, {"prefetch", 2, 1}, {"prefetch+2workers", 2, 2}} {
		b.Run(c.name, func(b *testing.B) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(c.procs))
			for b.Loop() {
				runCSVBench(b, path, c.workers)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func runCSVBench(b *testing.B, path string, workers int) {
	ctx := context.Background()
	db, err := Open(WithWorkers(workers))
	require.NoError(b, err)
	defer db.Close()
	require.NoError(b, db.Exec(ctx, `CREATE STREAM ev (ts TIMESTAMP, k BIGINT, v DOUBLE)
		WITH (connector = 'file', path = '`+path+`')`))
	rows, err := db.Query(ctx, `SELECT k, count(*), sum(v), avg(v) FROM ev
		GROUP BY k, TUMBLE(ts, 1m)`)
	require.NoError(b, err)
	defer rows.Close()
	got := 0
	for rows.Next() {
		got += int(rows.Batch().NumRows())
	}
	require.NoError(b, rows.Err())
	require.Positive(b, got)
}

func TestSetWorkers(t *testing.T) {
	db, err := Open(WithWorkers(1))
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM ev (ts TIMESTAMP, k BIGINT)`))
	q := `SELECT k, count(*) FROM ev GROUP BY k, TUMBLE(ts, 1m)`
	require.NotContains(t, explain(t, db, q), "workers:")
	require.NoError(t, db.Exec(ctx, `SET workers = 3`))
	require.Contains(t, explain(t, db, q), "workers: 3")
	err = db.Exec(ctx, `SET workers = 0`)
	require.ErrorContains(t, err, `1:15: workers: "0" is not a number from 1 to 256`)
	require.Contains(t, explain(t, db, q), "workers: 3")
}
