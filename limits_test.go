package weir

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
)

// TestMemoryLimitTenMillionKeys feeds ten million distinct keys into one window under a 64 MB
// limit: the query stops with the limit error, and the heap never grows past four times the
// limit.
func TestMemoryLimitTenMillionKeys(t *testing.T) {
	if testing.Short() {
		t.Skip("pushes up to ten million events")
	}
	runtime.GC()
	db, err := Open(WithMemoryLimit(64 << 20))
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM ev (ts TIMESTAMP, k BIGINT, v DOUBLE)`))
	rows, err := db.Query(ctx, `SELECT k, count(*), avg(v), max(v) FROM ev
		GROUP BY k, TUMBLE(ts, 1h)`)
	require.NoError(t, err)

	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()

	app, err := db.Appender("ev")
	require.NoError(t, err)
	schema := app.schema
	go func() {
		defer app.Close()
		const batch = 8192
		for start := 0; start < 10_000_000; start += batch {
			b := keyBatch(schema, start, batch)
			err := app.Append(b)
			b.Release()
			if err != nil {
				return // the query has stopped
			}
		}
	}()
	for rows.Next() {
	}
	err = rows.Err()
	close(stop)
	<-sampled
	require.Error(t, err)
	require.Contains(t, err.Error(), "memory limit exceeded")
	require.Contains(t, err.Error(), "64.0MB")
	require.NoError(t, rows.Close())
	t.Logf("heap peak %.1f MB under a 64 MB limit", float64(peak.Load())/(1<<20))
	require.Less(t, peak.Load(), uint64(4*64<<20), "heap peak over four times the limit")
}

// keyBatch makes n events of distinct keys from start, all in the same hour.
func keyBatch(schema *arrow.Schema, start, n int) arrow.RecordBatch {
	mem := memory.DefaultAllocator
	tb := array.NewTimestampBuilder(mem, functions.Timestamp.(*arrow.TimestampType))
	kb := array.NewInt64Builder(mem)
	vb := array.NewFloat64Builder(mem)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	for i := 0; i < n; i++ {
		tb.Append(arrow.Timestamp(base + int64(i)))
		kb.Append(int64(start + i))
		vb.Append(float64(i))
	}
	cols := []arrow.Array{tb.NewArray(), kb.NewArray(), vb.NewArray()}
	defer func() {
		for _, c := range cols {
			c.Release()
		}
		tb.Release()
		kb.Release()
		vb.Release()
	}()
	return array.NewRecordBatch(schema, cols, int64(n))
}

// TestBackpressure reads results slowly and checks that the writer is held back: what it has
// pushed stays within a bounded distance of what the query has returned, and nothing is lost.
func TestBackpressure(t *testing.T) {
	db, err := Open()
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM ev (ts TIMESTAMP, k BIGINT, v DOUBLE)`))
	rows, err := db.Query(ctx, `SELECT k, v FROM ev WHERE v >= 0`)
	require.NoError(t, err)
	defer rows.Close()

	const batches, size = 100, 1000
	var pushed atomic.Int64
	app, err := db.Appender("ev")
	require.NoError(t, err)
	go func() {
		defer app.Close()
		for i := 0; i < batches; i++ {
			b := keyBatch(app.schema, i*size, size)
			err := app.Append(b)
			b.Release()
			if err != nil {
				return
			}
			pushed.Add(size)
		}
	}()
	var read, worst int64
	for rows.Next() {
		read += rows.Batch().NumRows()
		worst = max(worst, pushed.Load()-read)
		time.Sleep(2 * time.Millisecond) // a slow reader
	}
	require.NoError(t, rows.Err())
	require.EqualValues(t, batches*size, read, "nothing is dropped")
	t.Logf("the writer ran at most %d rows ahead of the reader", worst)
	// The query's queue holds 16 batches; a few more are in flight in the operators.
	require.LessOrEqual(t, worst, int64(20*size))
}

// TestMemoryLimitSort holds the rows an ORDER BY over a whole file buffers under the memory
// limit, as an aggregate's state is: past it the query stops with the limit error.
func TestMemoryLimitSort(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		limit string
		fails bool
	}{{"16KB", true}, {"16MB", false}} {
		t.Run(c.limit, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			db, err := Open(WithAllocator(mem))
			require.NoError(t, err)
			defer db.Close()
			require.NoError(t, db.Exec(ctx, "SET memory_limit = '"+c.limit+"'"))
			rows, err := db.Query(ctx, `SELECT * FROM 'examples/requests.csv' ORDER BY time`)
			require.NoError(t, err)
			n := 0
			for rows.Next() {
				n += int(rows.Batch().NumRows())
			}
			if c.fails {
				require.ErrorIs(t, rows.Err(), exec.ErrMemoryLimit)
				require.Contains(t, rows.Err().Error(), "over the limit of 16.0KB")
			} else {
				require.NoError(t, rows.Err())
				require.Equal(t, 518, n)
				require.Greater(t, rows.Stats().PeakStateBytes, int64(16<<10))
			}
			require.NoError(t, rows.Close())
		})
	}
}
