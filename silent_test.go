package weir

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// nextWithin reads the next batch of rows, failing when none comes within d: a query must
// not wait for more events to do what the processing-time clock asks of it.
func nextWithin(t *testing.T, rows *Rows, d time.Duration) [][]any {
	t.Helper()
	got := make(chan bool, 1)
	go func() { got <- rows.Next() }()
	select {
	case ok := <-got:
		require.True(t, ok, "the query ended: %v", rows.Err())
		return rows.Values()
	case <-time.After(d):
		t.Fatalf("no rows within %s while the stream was silent", d)
		return nil
	}
}

// TestEmitEveryOnSilentStream pushes one event and then nothing: EMIT EVERY must still
// emit the open window's row on the clock, though no batch arrives after the event.
func TestEmitEveryOnSilentStream(t *testing.T) {
	db, err := Open()
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM ev (ts TIMESTAMP, k VARCHAR)`))
	rows, err := db.Query(ctx, `SELECT k, count(*) AS n FROM ev
		GROUP BY k, TUMBLE(ts, 1h) EMIT EVERY 100ms`)
	require.NoError(t, err)
	defer rows.Close()
	app, err := db.Appender("ev")
	require.NoError(t, err)
	require.NoError(t, app.AppendRow(time.Date(2024, 1, 1, 0, 0, 1, 0, time.UTC), "a"))
	require.NoError(t, app.Flush())
	require.Equal(t, [][]any{{"+I", "a", int64(1)}}, nextWithin(t, rows, 10*time.Second))
	require.NoError(t, app.Close())
}

// TestIdlePartitionOnSilentStream has two partitions: p2 sends one early event and falls
// silent, p1 moves on. Once p2 has been idle for idle_timeout, the watermark follows p1 and
// the window fires, with no further event to prompt it.
func TestIdlePartitionOnSilentStream(t *testing.T) {
	db, err := Open()
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM ev (ts TIMESTAMP, k VARCHAR)
		WITH (idle_timeout = '200ms')`))
	rows, err := db.Query(ctx, `SELECT k, count(*) AS n, window_start FROM ev
		GROUP BY k, TUMBLE(ts, 10s)`)
	require.NoError(t, err)
	defer rows.Close()
	p1, err := db.Appender("ev")
	require.NoError(t, err)
	p2, err := db.Appender("ev")
	require.NoError(t, err)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, p2.AppendRow(t0.Add(2*time.Second), "b"))
	require.NoError(t, p2.Flush())
	require.NoError(t, p1.AppendRow(t0.Add(1*time.Second), "a"))
	require.NoError(t, p1.AppendRow(t0.Add(15*time.Second), "a"))
	require.NoError(t, p1.Flush())
	require.Equal(t, [][]any{{"a", int64(1), t0}, {"b", int64(1), t0}},
		nextWithin(t, rows, 10*time.Second))
	require.NoError(t, p1.Close())
	require.NoError(t, p2.Close())
}
