package weir

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// TestConcurrentAppenders pushes one million events from four goroutines while a windowed
// query runs, and checks that every event is counted exactly once.
func TestConcurrentAppenders(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	db, err := Open(WithAllocator(mem))
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM ev (ts TIMESTAMP, k BIGINT, v BIGINT)`))
	rows, err := db.Query(ctx, `SELECT k, count(*) AS n, sum(v) AS total
		FROM ev GROUP BY k, TUMBLE(ts, 1s)`)
	require.NoError(t, err)
	defer rows.Close()

	const writers, perWriter = 4, 250_000
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	// Every appender opens its partition before any writes: a partition that opened after
	// another had moved the watermark on would have its first events late, by design.
	apps := make([]*Appender, writers)
	for w := range apps {
		apps[w], err = db.Appender("ev")
		require.NoError(t, err)
	}
	for w, app := range apps {
		wg.Add(1)
		go func(w int, app *Appender) {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				ts := base.Add(time.Duration(i) * time.Millisecond)
				if err := app.AppendRow(ts, int64(w), int64(1)); err != nil {
					errs <- err
					return
				}
			}
			errs <- app.Close()
		}(w, app)
	}

	var count, sum int64
	perKey := map[int64]int64{}
	for rows.Next() {
		b := rows.Batch()
		ks := b.Column(0).(*array.Int64)
		ns := b.Column(1).(*array.Int64)
		vs := b.Column(2).(*array.Int64)
		for i := 0; i < int(b.NumRows()); i++ {
			count += ns.Value(i)
			sum += vs.Value(i)
			perKey[ks.Value(i)] += ns.Value(i)
		}
	}
	require.NoError(t, rows.Err())
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.EqualValues(t, writers*perWriter, count)
	require.EqualValues(t, writers*perWriter, sum)
	for w := 0; w < writers; w++ {
		require.EqualValues(t, perWriter, perKey[int64(w)])
	}
	require.Zero(t, rows.Stats().LateDropped, "each appender's events are in order and "+
		"the watermark is the minimum over the appenders")
	require.NoError(t, rows.Close())
}

// TestCancelWaitingQuery cancels a query that waits for events that never come, and checks
// that it returns promptly and leaves nothing behind.
func TestCancelWaitingQuery(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	db, err := Open(WithAllocator(mem))
	require.NoError(t, err)
	defer db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, db.Exec(ctx, `CREATE STREAM ev (ts TIMESTAMP, v BIGINT)`))
	rows, err := db.Query(ctx, `SELECT count(*) FROM ev GROUP BY TUMBLE(ts, 1s)`)
	require.NoError(t, err)
	app, err := db.Appender("ev")
	require.NoError(t, err)
	require.NoError(t, app.AppendRow("2024-01-01T00:00:00Z", 1))
	require.NoError(t, app.Flush())

	done := make(chan bool)
	go func() { done <- rows.Next() }()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case more := <-done:
		require.False(t, more)
	case <-time.After(2 * time.Second):
		t.Fatal("the query did not return within 2 s of its cancellation")
	}
	t.Logf("returned %s after the cancellation", time.Since(start))
	require.True(t, errors.Is(rows.Err(), context.Canceled), "%v", rows.Err())
	require.NoError(t, rows.Close())
	require.NoError(t, app.Close())
	mem.AssertSize(t, 0)
}

func TestMemoryLimit(t *testing.T) {
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprint(workers), func(t *testing.T) { testMemoryLimit(t, workers) })
	}
}

// testMemoryLimit runs a query past its memory limit on the given workers: the workers'
// state is summed.
func testMemoryLimit(t *testing.T, workers int) {
	db, err := Open(WithWorkers(workers))
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM ev (ts TIMESTAMP, k BIGINT);
		SET memory_limit = '1MB'`))
	rows, err := db.Query(ctx, `SELECT k, count(*) FROM ev GROUP BY k, TUMBLE(ts, 1h)`)
	require.NoError(t, err)
	defer rows.Close()
	app, err := db.Appender("ev")
	require.NoError(t, err)
	go func() {
		defer app.Close()
		for i := 0; i < 1_000_000; i++ {
			if app.AppendRow("2024-01-01T00:00:00Z", int64(i)) != nil {
				return
			}
		}
	}()
	for rows.Next() {
	}
	require.Error(t, rows.Err())
	require.Contains(t, rows.Err().Error(), "memory limit exceeded")
	require.Contains(t, rows.Err().Error(), "1.0MB")
	// The limit holds for the sum: the state reached it, with fewer than 1M keys.
	s := rows.Stats()
	require.Greater(t, s.PeakStateBytes, int64(1<<20))
	require.Less(t, s.PeakStateBytes, int64(2<<20))
	require.NoError(t, rows.Close())
	require.Error(t, db.Exec(ctx, `SET memory_limit = 'lots'`))
	require.Error(t, db.Exec(ctx, `SET no_such_setting = 1`))
}

func TestAppendRowErrorsNameTheColumn(t *testing.T) {
	db, err := Open()
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM ev (ts TIMESTAMP, k BIGINT, name VARCHAR)`))
	rows, err := db.Query(ctx, `SELECT k, name FROM ev`)
	require.NoError(t, err)
	defer rows.Close()
	app, err := db.Appender("ev")
	require.NoError(t, err)
	err = app.AppendRow("2024-01-01T00:00:00Z", "seven", "x")
	require.EqualError(t, err, `column "k" (BIGINT): cannot use string seven as BIGINT`)
	err = app.AppendRow("yesterday", 7, "x")
	require.EqualError(t, err, `column "ts" (TIMESTAMP): cannot read "yesterday" as a TIMESTAMP`)
	require.Error(t, app.AppendRow(time.Now(), 7))
	// A failed row adds nothing: the next good row is the only one.
	require.NoError(t, app.AppendRow(time.Now(), 7, nil))
	require.NoError(t, app.Close())
	var got [][]any
	for rows.Next() {
		got = append(got, rows.Values()...)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, [][]any{{int64(7), nil}}, got)

	_, err = db.Appender("nope")
	require.Error(t, err)
}

// TestCancelNexmark cancels a running query over the unbounded Nexmark stream: it returns
// promptly and the checked allocator shows nothing leaked.
func TestCancelNexmark(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	db, err := Open(WithAllocator(mem))
	require.NoError(t, err)
	defer db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	rows, err := db.Query(ctx, `SELECT auction, count(*) FROM nexmark.bid
		GROUP BY auction, TUMBLE(dateTime, 10s)`)
	require.NoError(t, err)
	require.True(t, rows.Next(), "windows fire as the generator runs")

	done := make(chan struct{})
	go func() {
		for rows.Next() {
		}
		close(done)
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("the query did not return within 2 s of its cancellation")
	}
	t.Logf("cancellation latency: %s", time.Since(start))
	require.ErrorIs(t, rows.Err(), context.Canceled)
	require.NoError(t, rows.Close())
	mem.AssertSize(t, 0)
}

// TestLogger checks that operational messages go to the caller's logger, and that weir is
// silent without one.
func TestLogger(t *testing.T) {
	var buf strings.Builder
	db, err := Open(WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM r (time BIGINT) WITH (connector = 'file',
		path = 'examples/requests.csv')`))
	rows, err := db.Query(ctx, `SELECT count(*) FROM r`)
	require.NoError(t, err)
	for rows.Next() {
	}
	require.NoError(t, rows.Close())
	require.Contains(t, buf.String(), "query started")
	require.Contains(t, buf.String(), "query ended")
	require.Contains(t, buf.String(), "events=518")
}

// TestSelectWithoutFrom runs SELECTs without FROM through the API: one row of Go values, the
// query's counters, and now() as the engine's clock reads it.
func TestSelectWithoutFrom(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	db, err := Open(WithAllocator(mem))
	require.NoError(t, err)
	defer db.Close()
	query := func(sql string) ([][]any, Stats) {
		rows, err := db.Query(context.Background(), sql)
		require.NoError(t, err)
		defer rows.Close()
		var out [][]any
		for rows.Next() {
			out = append(out, rows.Values()...)
		}
		require.NoError(t, rows.Err())
		return out, rows.Stats()
	}
	before := time.Now().UTC()
	got, st := query(`SELECT 1 + 2 AS x, 'a' || 'b', now(), CAST('2024-01-01' AS TIMESTAMP)`)
	after := time.Now().UTC()
	require.Len(t, got, 1)
	require.Equal(t, []any{int64(3), "ab"}, got[0][:2])
	require.WithinRange(t, got[0][2].(time.Time), before.Truncate(time.Microsecond), after)
	require.Equal(t, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), got[0][3])
	require.Equal(t, int64(1), st.RowsEmitted)
	require.Zero(t, st.EventsRead)

	got, _ = query(`SELECT 1 WHERE false`)
	require.Empty(t, got)
	got, _ = query(`SELECT count(*), count(*) FILTER (WHERE false)`)
	require.Equal(t, [][]any{{int64(1), int64(0)}}, got)
}

// TestDescribe lists the columns of a stream, of a query and of a file in one layout
// (column, type, computed), and refuses what cannot be planned with the query's error.
func TestDescribe(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	db, err := Open(WithAllocator(mem))
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM r (time BIGINT, host VARCHAR,
		status BIGINT, ts AS to_timestamp(time)) WITH (connector = 'file',
		path = 'examples/requests.csv')`))
	describe := func(sql string) [][]any {
		rows, err := db.Query(ctx, sql)
		require.NoError(t, err, sql)
		defer rows.Close()
		var names []string
		for _, f := range rows.Schema().Fields() {
			names = append(names, f.Name)
		}
		require.Equal(t, []string{"column", "type", "computed"}, names)
		var out [][]any
		for rows.Next() {
			out = append(out, rows.Values()...)
		}
		require.NoError(t, rows.Err())
		return out
	}
	require.Equal(t, [][]any{{"time", "BIGINT", ""}, {"host", "VARCHAR", ""},
		{"status", "BIGINT", ""}, {"ts", "TIMESTAMP", "to_timestamp(time)"}},
		describe(`DESCRIBE r`))
	require.Equal(t, [][]any{{"host", "VARCHAR", ""}, {"sq", "DOUBLE", ""},
		{"n", "BIGINT", ""}, {"window_start", "TIMESTAMP", ""}},
		describe(`DESCRIBE SELECT host, status ^ 2 AS sq, count(*) AS n, window_start
			FROM r GROUP BY host, status, TUMBLE(ts, 1m)`))
	require.Equal(t, [][]any{{"op", "VARCHAR", ""}, {"host", "VARCHAR", ""},
		{"count(*)", "BIGINT", ""}},
		describe(`DESC (SELECT host, count(*) FROM r GROUP BY host EMIT CHANGES)`))
	require.Equal(t, [][]any{{"one", "BIGINT", ""}, {"2 ** 10", "DOUBLE", ""},
		{"'a' || 'b'", "VARCHAR", ""}},
		describe(`DESCRIBE WITH c AS (SELECT 1 AS one) SELECT one, 2 ** 10, 'a' || 'b'
			FROM c`))
	described := describe(`DESCRIBE 'examples/requests.csv'`)
	require.Equal(t, describe(`DESCRIBE TABLE 'examples/requests.csv'`), described)
	require.Equal(t, describe(`DESCRIBE SELECT * FROM 'examples/requests.csv'`), described)
	require.Equal(t, []any{"latency_ms", "DOUBLE", ""}, described[len(described)-1])

	_, err = db.Query(ctx, "DESCRIBE SELECT hots FROM r")
	require.EqualError(t, err, `1:17: unknown column "hots" (did you mean "host"?)`)
	_, err = db.Query(ctx, "DESCRIBE 'no such file.csv'")
	require.ErrorContains(t, err, "1:10: ")
}
