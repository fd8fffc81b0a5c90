package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/functions"
)

// TestEventOrderSortsUpToTheWatermark pushes 20,000 events whose times run up with a jitter
// of up to 3 s, some NULL, under a watermark delay of 2 s, in batches of 500, 37 and 1: the
// outcome is the same whatever the batches. Events whose
// jitter outruns the delay are late. It checks that the events come out in time order, each
// at most once, that every event is either out, late or skipped (NULL time), that the late
// ones are those older than the watermark the events before them raised, and that the state
// is back to 0 with every buffer released.
func TestEventOrderSortsUpToTheWatermark(t *testing.T) {
	for _, size := range []int{500, 37, 1} {
		t.Run(fmt.Sprintf("batches of %d", size), func(t *testing.T) {
			eventOrderRun(t, size)
		})
	}
}

func eventOrderRun(t *testing.T, size int) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "ts", Type: functions.Timestamp, Nullable: true},
		{Name: "id", Type: functions.Bigint, Nullable: true},
	}, nil)
	const rows, delay, jitter = 20_000, 2_000_000, 3_000_000
	rng := rand.New(rand.NewPCG(1, 2))
	times := make([]int64, rows)
	null := make([]bool, rows)
	for i := range times {
		times[i] = int64(i)*1000 + rng.Int64N(jitter)
		null[i] = rng.IntN(100) == 0
	}
	// The late events, found one by one: older than the largest time before them minus
	// the delay, wherever the batches begin.
	wantLate := map[int64]bool{}
	top := int64(minTime)
	for i := range rows {
		if null[i] {
			continue
		}
		if top != minTime && times[i] < top-delay {
			wantLate[int64(i)] = true
		}
		top = max(top, times[i])
	}
	var batches []arrow.RecordBatch
	for lo := 0; lo < rows; lo += size {
		b := array.NewRecordBuilder(mem, schema)
		for i := lo; i < min(lo+size, rows); i++ {
			if null[i] {
				b.Field(0).AppendNull()
			} else {
				b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(times[i]))
			}
			b.Field(1).(*array.Int64Builder).Append(int64(i))
		}
		batches = append(batches, b.NewRecordBatch())
		b.Release()
	}
	op, stats := eventOrderOver(mem, schema, batches, delay)
	ctx := context.Background()
	require.NoError(t, op.Open(ctx))
	require.Equal(t, schema.Fields(), op.Schema().Fields(), "the $wm column is left out")

	seen := map[int64]bool{}
	last := int64(minTime)
	for {
		b, err := op.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		tc, ids := b.Column(0).(*array.Timestamp), b.Column(1).(*array.Int64)
		for r := range int(b.NumRows()) {
			id := ids.Value(r)
			require.False(t, seen[id], "event %d comes out once", id)
			seen[id] = true
			require.GreaterOrEqual(t, int64(tc.Value(r)), last, "event %d in time order", id)
			last = int64(tc.Value(r))
			require.Equal(t, times[id], last)
		}
		b.Release()
	}
	require.NoError(t, op.Close())
	skipped := 0
	for i := range rows {
		switch {
		case null[i]:
			skipped++
			require.False(t, seen[int64(i)], "event %d has no time", i)
		case wantLate[int64(i)]:
			require.False(t, seen[int64(i)], "event %d is late", i)
		default:
			require.True(t, seen[int64(i)], "event %d came out", i)
		}
	}
	require.NotEmpty(t, wantLate, "the jitter makes some events late")
	require.EqualValues(t, len(wantLate), stats.LateDropped.Load())
	require.EqualValues(t, skipped, stats.EventsSkipped.Load())
	require.Zero(t, stats.StateBytes.Load())
	require.Positive(t, stats.PeakState.Load(), "the held batches were counted")
}

// TestAnalyticSweepsRangePartitions runs sum(ts) OVER (PARTITION BY k ORDER BY ts RANGE 500 µs
// PRECEDING) over 200,000 events in time order, each of a key of its own. In time order the
// partitions whose rows have left every later frame are dropped, so the partitions kept stay
// near the 500 of the last 500 µs; unordered (a frame may still see an older row), every
// partition is kept. Either way the state the operator reports is the partitions' bytes.
func TestAnalyticSweepsRangePartitions(t *testing.T) {
	for _, ordered := range []bool{true, false} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		schema := arrow.NewSchema([]arrow.Field{
			{Name: "ts", Type: functions.Timestamp, Nullable: true},
			{Name: "k", Type: functions.Bigint, Nullable: true},
		}, nil)
		const rows = 200_000
		sum, _ := functions.NewRegistry().Analytic("sum")
		ts := &Column{Index: 0, T: functions.Timestamp, Name: "ts"}
		k := &Column{Index: 1, T: functions.Bigint, Name: "k"}
		fn := &AnalyticFn{Fn: sum, Args: []Expr{k}, Partition: []Expr{k}, Order: []Expr{ts},
			Desc: []bool{false}, NullsFirst: []bool{false}, Frame: Frame{Range: 500},
			T: functions.Bigint, Text: "sum(k)"}
		out := arrow.NewSchema(append(schema.Fields(), arrow.Field{Name: "s",
			Type: functions.Bigint, Nullable: true}), nil)
		stats := &Stats{}
		op := &Analytic{Input: &batchList{schema: schema,
			batches: keyedBatches(mem, schema, rows, 1000, func(i int) int64 { return int64(i) })},
			Env: &Env{Mem: mem, Stats: stats}, Fns: []*AnalyticFn{fn}, Out: out,
			Ordered: ordered, Op: stats.NewOp()}
		ctx := context.Background()
		require.NoError(t, op.Open(ctx))
		most := 0
		for {
			b, err := op.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			s := b.Column(2).(*array.Int64)
			for r := range int(b.NumRows()) {
				require.EqualValues(t, b.Column(1).(*array.Int64).Value(r), s.Value(r))
			}
			b.Release()
			most = max(most, len(op.state[0]))
			var bytes int64
			for _, p := range op.state[0] {
				bytes += p.size()
			}
			require.Equal(t, bytes, op.Op.State.Load(), "the state is the partitions' bytes")
		}
		require.NoError(t, op.Close())
		mem.AssertSize(t, 0)
		if ordered {
			require.LessOrEqual(t, most, 2*minSweep, "partitions kept in time order")
		} else {
			require.Equal(t, rows, most, "partitions kept out of order")
		}
	}
}

// TestAnalyticMemoryLimit runs row_number() over a partition per event under a 1 MB memory
// limit: the partitions, kept for good, take the query past it.
func TestAnalyticMemoryLimit(t *testing.T) {
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "ts", Type: functions.Timestamp, Nullable: true},
		{Name: "k", Type: functions.Bigint, Nullable: true},
	}, nil)
	rn, _ := functions.NewRegistry().Analytic("row_number")
	k := &Column{Index: 1, T: functions.Bigint, Name: "k"}
	fn := &AnalyticFn{Fn: rn, Partition: []Expr{k}, T: functions.Bigint, Text: "row_number()"}
	out := arrow.NewSchema(append(schema.Fields(), arrow.Field{Name: "rn",
		Type: functions.Bigint, Nullable: true}), nil)
	stats := &Stats{}
	op := &Analytic{Input: &batchList{schema: schema,
		batches: keyedBatches(mem, schema, 100_000, 1000, func(i int) int64 { return int64(i) })},
		Env: &Env{Mem: mem, Stats: stats, MemoryLimit: 1 << 20}, Fns: []*AnalyticFn{fn},
		Out: out, Op: stats.NewOp()}
	ctx := context.Background()
	require.NoError(t, op.Open(ctx))
	defer op.Close()
	var err error
	for err == nil {
		var b arrow.RecordBatch
		if b, err = op.Next(ctx); err == nil {
			b.Release()
		}
	}
	require.ErrorIs(t, err, ErrMemoryLimit)
	require.Greater(t, stats.StateBytes.Load(), int64(1<<20))
}

// BenchmarkEventOrder pushes events with up to 3 s of disorder under a 10 s watermark delay
// through a Watermark and an EventOrder, in batches of 1 and of 1,024: the cost per event of
// holding and releasing them, which must not grow with the events held.
func BenchmarkEventOrder(b *testing.B) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "ts", Type: functions.Timestamp, Nullable: true},
	}, nil)
	for _, size := range []int{1, 1024} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			mem := memory.NewGoAllocator()
			rng := rand.New(rand.NewPCG(3, 4))
			const rows = 100_000
			var batches []arrow.RecordBatch
			for lo := 0; lo < rows; lo += size {
				bld := array.NewRecordBuilder(mem, schema)
				for i := lo; i < min(lo+size, rows); i++ {
					t := int64(i)*1000 + rng.Int64N(3_000_000)
					bld.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(t))
				}
				batches = append(batches, bld.NewRecordBatch())
				bld.Release()
			}
			b.ResetTimer()
			for range b.N {
				for _, rb := range batches {
					rb.Retain()
				}
				op, _ := eventOrderOver(mem, schema,
					append([]arrow.RecordBatch(nil), batches...), 10_000_000)
				if err := op.Open(context.Background()); err != nil {
					b.Fatal(err)
				}
				for {
					out, err := op.Next(context.Background())
					if errors.Is(err, io.EOF) {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					out.Release()
				}
				op.Close()
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// TestEventOrderClosedEarly closes an EventOrder while it holds events (as LIMIT or a cancel
// does): its buffers go and its state is back to 0.
func TestEventOrderClosedEarly(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "ts", Type: functions.Timestamp, Nullable: true},
	}, nil)
	var batches []arrow.RecordBatch
	for lo := 0; lo < 10_000; lo += 100 {
		b := array.NewRecordBuilder(mem, schema)
		for i := lo; i < lo+100; i++ {
			b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(i * 1000))
		}
		batches = append(batches, b.NewRecordBatch())
		b.Release()
	}
	op, stats := eventOrderOver(mem, schema, batches, 1_000_000)
	ctx := context.Background()
	require.NoError(t, op.Open(ctx))
	b, err := op.Next(ctx)
	require.NoError(t, err)
	b.Release()
	require.Positive(t, stats.StateBytes.Load(), "events are held")
	require.NoError(t, op.Close())
	require.Zero(t, op.Op.State.Load())
	require.Zero(t, stats.StateBytes.Load())
}

// eventOrderOver puts a Watermark of the first column, with the delay, and an EventOrder
// over the batches.
func eventOrderOver(mem memory.Allocator, schema *arrow.Schema, batches []arrow.RecordBatch,
	delay int64) (*EventOrder, *Stats) {
	stats := &Stats{}
	env := &Env{Mem: mem, Stats: stats}
	ts := &Column{Index: 0, T: functions.Timestamp, Name: "ts"}
	state := &WatermarkState{}
	wm := &Watermark{Input: &batchList{schema: schema, batches: batches}, Env: env, Time: ts,
		Delay: delay, State: state}
	return &EventOrder{Input: wm, Env: env, Time: ts, WM: state, Op: stats.NewOp()}, stats
}
