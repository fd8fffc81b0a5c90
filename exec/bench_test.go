package exec

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/functions"
)

// The hot operators of a windowed aggregation, benchmarked a batch at a time over the events
// of benchEvents: window assignment, group lookup, each aggregate's update, and the whole
// Watermark → HashAggregate pipeline. Run them with
//
//	go test -run '^$' -bench . -benchmem ./exec/
//
// Each reports ns/row (or events/s); allocs/op is per batch of benchBatch rows, so zero
// allocations per row shows as 0 allocs/op.

const (
	benchBatch = 4096
	benchKeys  = 1000
	benchStep  = 1000 // µs of event time between events: 1,000 events per second
)

// benchSchema is ts, k (BIGINT), ks (VARCHAR), v (DOUBLE) and the $wm column.
var benchSchema = arrow.NewSchema([]arrow.Field{
	{Name: "ts", Type: functions.Timestamp},
	{Name: "k", Type: functions.Bigint},
	{Name: "ks", Type: functions.Varchar},
	{Name: "v", Type: functions.Double},
	{Name: WatermarkColumn, Type: arrow.PrimitiveTypes.Int64},
}, nil)

var (
	benchTS = &Column{Index: 0, T: functions.Timestamp, Name: "ts"}
	benchK  = &Column{Index: 1, T: functions.Bigint, Name: "k"}
	benchKS = &Column{Index: 2, T: functions.Varchar, Name: "ks"}
	benchV  = &Column{Index: 3, T: functions.Double, Name: "v"}
)

// benchEvents makes n events in batches: timestamps mostly increasing, one in ten up to 2 s
// late, 1,000 keys drawn from a Zipf distribution, float values; $wm is the largest time
// seen minus 2 s, so that no event is late.
func benchEvents(n int) []arrow.RecordBatch {
	return genEvents(n, benchStep, 2e6, benchBatch)
}

// genEvents makes n events step µs apart in batches of size rows, one in ten up to disorder
// µs late.
func genEvents(n int, step, disorder int64, size int) []arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.1, 1, benchKeys-1)
	base := int64(1704067200) * 1e6
	var out []arrow.RecordBatch
	maxSeen := int64(math.MinInt64)
	b := array.NewRecordBuilder(memory.DefaultAllocator, benchSchema)
	defer b.Release()
	for i := 0; i < n; i++ {
		t := base + int64(i)*step
		if rng.IntN(10) == 0 {
			t -= rng.Int64N(disorder)
		}
		maxSeen = max(maxSeen, t)
		k := int64(zipf.Uint64())
		b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(t))
		b.Field(1).(*array.Int64Builder).Append(k)
		b.Field(2).(*array.StringBuilder).Append("key-" + strconv.FormatInt(k, 10))
		b.Field(3).(*array.Float64Builder).Append(math.Round(rng.ExpFloat64()*1e4) / 100)
		b.Field(4).(*array.Int64Builder).Append(maxSeen - 2e6)
		if (i+1)%size == 0 || i == n-1 {
			out = append(out, b.NewRecordBatch())
		}
	}
	return out
}

func benchWindows() map[string]Window {
	const minute = 60 * 1e6
	return map[string]Window{
		"tumble": {Kind: Tumble, Size: minute},
		"hop":    {Kind: Hop, Size: 5 * minute, Slide: minute},
	}
}

// BenchmarkWindowAssign computes the window of every event of a batch: the start of its
// TUMBLE window, or of its HOP pane (which is a TUMBLE over the panes' length); hop_windows
// lists every HOP window of each event, as the aggregate does when panes cannot serve
// (CUMULATE, or HOP with a changelog).
func BenchmarkWindowAssign(b *testing.B) {
	batches := benchEvents(benchBatch)
	defer releaseBatches(batches)
	times := batches[0].Column(0).(*array.Timestamp).TimestampValues()
	b.Run("tumble", func(b *testing.B) {
		w := benchWindows()["tumble"]
		var starts []int64
		b.ReportAllocs()
		for b.Loop() {
			starts = tumbleStarts(times, w.Size, w.Offset, starts)
		}
		reportPerRow(b, len(times))
	})
	b.Run("hop", func(b *testing.B) {
		w := benchWindows()["hop"]
		var starts []int64
		b.ReportAllocs()
		for b.Loop() {
			starts = tumbleStarts(times, gcd(w.Size, w.Slide), w.Offset, starts)
		}
		reportPerRow(b, len(times))
	})
	b.Run("hop_windows", func(b *testing.B) {
		w := benchWindows()["hop"]
		var wins [][2]int64
		var sink int64
		b.ReportAllocs()
		for b.Loop() {
			for _, t := range times {
				wins = w.Assign(int64(t), wins[:0])
				sink += wins[0][0]
			}
		}
		_ = sink
		reportPerRow(b, len(times))
	})
}

// newBenchAggregate returns a HashAggregate over benchSchema, opened on an empty input.
func newBenchAggregate(b testing.TB, keys []Expr, w Window, aggs ...string) *HashAggregate {
	b.Helper()
	reg := functions.NewRegistry()
	h := &HashAggregate{Input: &benchSource{}, Env: &Env{Mem: memory.DefaultAllocator,
		Stats: &Stats{}}, Keys: keys, Window: w, WM: &WatermarkState{}, WMIndex: 4}
	if w.Kind != NoWindow {
		h.Time = benchTS
	}
	for _, name := range aggs {
		fn, ok := reg.Aggregate(name)
		if !ok {
			b.Fatalf("no aggregate %s", name)
		}
		call := AggCall{Fn: fn, Text: name}
		if name != "count" {
			call.Args = []Expr{benchV}
		}
		h.Aggs = append(h.Aggs, call)
	}
	var fields []arrow.Field
	for _, k := range keys {
		fields = append(fields, arrow.Field{Name: k.String(), Type: k.Type(), Nullable: true})
	}
	if h.Time != nil {
		fields = append(fields,
			arrow.Field{Name: "window_start", Type: functions.Timestamp, Nullable: true},
			arrow.Field{Name: "window_end", Type: functions.Timestamp, Nullable: true})
	}
	for _, a := range h.Aggs {
		var types []arrow.DataType
		for _, x := range a.Args {
			types = append(types, x.Type())
		}
		t, err := a.Fn.Resolve(types)
		if err != nil {
			b.Fatal(err)
		}
		fields = append(fields, arrow.Field{Name: a.Text, Type: t, Nullable: true})
	}
	h.Out = arrow.NewSchema(fields, nil)
	if err := h.Open(context.Background()); err != nil {
		b.Fatal(err)
	}
	return h
}

// BenchmarkGroupLookup maps the rows of a batch to their group slots: key and window. The
// groups exist after the first pass, as they do for most events of a stream.
func BenchmarkGroupLookup(b *testing.B) {
	batches := benchEvents(benchBatch)
	defer releaseBatches(batches)
	for _, w := range []string{"tumble", "hop"} {
		for _, k := range []struct {
			name string
			key  Expr
		}{{"bigint", benchK}, {"varchar", benchKS}} {
			b.Run(w+"/"+k.name, func(b *testing.B) {
				h := newBenchAggregate(b, []Expr{k.key}, benchWindows()[w])
				b.ReportAllocs()
				for b.Loop() {
					if err := h.consume(batches[0]); err != nil {
						b.Fatal(err)
					}
				}
				reportPerRow(b, benchBatch)
			})
		}
	}
}

// BenchmarkAggregateUpdate folds a batch into 1,000 groups, one aggregate at a time.
func BenchmarkAggregateUpdate(b *testing.B) {
	batches := benchEvents(benchBatch)
	defer releaseBatches(batches)
	keys := batches[0].Column(1).(*array.Int64).Int64Values()
	groups := make([]uint32, len(keys))
	for i, k := range keys {
		groups[i] = uint32(k) + 1
	}
	vals := batches[0].Column(3)
	reg := functions.NewRegistry()
	for _, name := range []string{"count", "sum", "avg", "min", "max", "stddev", "p99"} {
		b.Run(name, func(b *testing.B) {
			fn, ok := reg.Aggregate(name)
			if !ok {
				b.Skipf("%s is not registered", name)
			}
			args := []arrow.Array{vals}
			types := []arrow.DataType{functions.Double}
			if name == "count" {
				args, types = nil, nil
			}
			st := fn.New(types)
			st.Grow(benchKeys + 1)
			b.ReportAllocs()
			for b.Loop() {
				if err := st.Update(groups, args); err != nil {
					b.Fatal(err)
				}
			}
			reportPerRow(b, len(groups))
		})
	}
}

// BenchmarkHashAggregate runs the Watermark and HashAggregate operators over 1M events in
// memory, as a windowed query plans them, on one core.
func BenchmarkHashAggregate(b *testing.B) {
	const n = 1 << 20
	batches := benchEvents(n)
	defer releaseBatches(batches)
	cases := []struct {
		name string
		w    Window
		aggs []string
	}{
		{"tumble", benchWindows()["tumble"], []string{"count", "sum", "avg"}},
		{"tumble_p99_stddev", benchWindows()["tumble"],
			[]string{"count", "sum", "avg", "p99", "stddev"}},
		{"hop", benchWindows()["hop"], []string{"count", "sum", "avg"}},
		{"session", Window{Kind: Session, Gap: 30 * 1e6}, []string{"count", "sum", "avg"}},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rows := runBenchPipeline(b, batches, c.w, c.aggs)
				if rows == 0 {
					b.Fatal("no rows")
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// runBenchPipeline runs Watermark → HashAggregate over the batches and returns how many rows
// came out.
func runBenchPipeline(b *testing.B, batches []arrow.RecordBatch, w Window,
	aggs []string) int {
	b.Helper()
	rows := 0
	pipeline(b, batches, w, 2e6, false, aggs, func(out arrow.RecordBatch) {
		rows += int(out.NumRows())
	})
	return rows
}

// pipeline runs Watermark (with the given delay) → HashAggregate over the batches, grouped
// by k, handing each output batch to f; noPanes computes HOP window by window.
func pipeline(tb testing.TB, batches []arrow.RecordBatch, w Window, delay int64,
	noPanes bool, aggs []string, f func(arrow.RecordBatch)) Snapshot {
	tb.Helper()
	env := &Env{Mem: memory.DefaultAllocator, Stats: &Stats{}}
	src := &benchSource{batches: batches}
	ws := &WatermarkState{}
	h := newBenchAggregate(tb, []Expr{benchK}, w, aggs...)
	h.Env, h.noPanes, h.Op = env, noPanes, nil // counters of the new env
	// The source's batches already carry a $wm column; the Watermark operator adds its own,
	// which the aggregate reads.
	h.Input = &Watermark{Input: src, Env: env, Time: benchTS, Delay: delay, State: ws}
	h.WM, h.WMIndex = ws, benchSchema.NumFields()
	ctx := context.Background()
	if err := h.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	defer h.Close()
	for {
		out, err := h.Next(ctx)
		if err == io.EOF {
			return env.Stats.Snapshot()
		}
		if err != nil {
			tb.Fatal(err)
		}
		f(out)
		out.Release()
	}
}

// TestPanesMatchWindows checks that HOP computed from panes gives the rows and the late
// counts of HOP computed window by window, with events late for some or all of their
// windows, over several batch sizes.
func TestPanesMatchWindows(t *testing.T) {
	const minute = 60 * 1e6
	windows := []Window{
		{Kind: Hop, Size: 5 * minute, Slide: minute},
		{Kind: Hop, Size: 5 * minute, Slide: 2 * minute},
		{Kind: Hop, Size: 3 * minute, Slide: minute, Offset: 20 * 1e6},
	}
	for _, w := range windows {
		for _, size := range []int{1, 97, 4096} {
			t.Run(fmt.Sprintf("%s/batch=%d", w, size), func(t *testing.T) {
				batches := genEvents(20_000, 1e5, 8*minute, size)
				defer releaseBatches(batches)
				run := func(noPanes bool) ([]string, Snapshot) {
					var rows []string
					st := pipeline(t, batches, w, 30*1e6, noPanes,
						[]string{"count", "sum", "min", "max"}, func(b arrow.RecordBatch) {
							rows = append(rows, printBatch(b)...)
						})
					return rows, st
				}
				want, wantStats := run(true)
				got, gotStats := run(false)
				require.NotZero(t, wantStats.LateDropped)
				require.NotZero(t, wantStats.LatePartial)
				require.Equal(t, want, got)
				// Panes hold state of their own and open windows as their panes fill: only
				// the counts of events and windows fired must agree.
				for _, st := range []*Snapshot{&wantStats, &gotStats} {
					st.StateBytes, st.PeakStateBytes = 0, 0
					st.PeakWindows, st.WindowsState = 0, 0
				}
				require.Equal(t, wantStats, gotStats)
			})
		}
	}
}

// printBatch prints the rows of b, a value per column; DOUBLEs to 12 digits, since panes add
// in another order.
func printBatch(b arrow.RecordBatch) []string {
	out := make([]string, b.NumRows())
	for i := range out {
		for _, c := range b.Columns() {
			if f, ok := c.(*array.Float64); ok && f.IsValid(i) {
				out[i] += strconv.FormatFloat(f.Value(i), 'g', 12, 64) + " "
				continue
			}
			out[i] += c.ValueStr(i) + " "
		}
	}
	return out
}

// benchSource hands out shared batches, retaining each for its caller.
type benchSource struct {
	batches []arrow.RecordBatch
	next    int
}

func (s *benchSource) Schema() *arrow.Schema { return benchSchema }
func (s *benchSource) Open(context.Context) error {
	s.next = 0
	return nil
}

func (s *benchSource) Next(context.Context) (arrow.RecordBatch, error) {
	if s.next >= len(s.batches) {
		return nil, io.EOF
	}
	b := s.batches[s.next]
	s.next++
	b.Retain()
	return b, nil
}

func (s *benchSource) Close() error { return nil }

// reportPerRow reports the time per row of an operation over rows rows.
func reportPerRow(b *testing.B, rows int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
}

// BenchmarkParallelAggregate runs Watermark → aggregate over 1M events (tumble, count, sum,
// avg per key) on one HashAggregate and on ParallelAggregate with 2 workers; GOMAXPROCS is
// left as it is.
func BenchmarkParallelAggregate(b *testing.B) {
	const n = 1 << 20
	batches := benchEvents(n)
	defer releaseBatches(batches)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				if rows := runParallelBench(b, batches, workers); rows == 0 {
					b.Fatal("no rows")
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// runParallelBench runs the tumble pipeline of BenchmarkHashAggregate on workers workers and
// returns how many rows came out.
func runParallelBench(b *testing.B, batches []arrow.RecordBatch, workers int) int {
	env := &Env{Mem: memory.DefaultAllocator, Stats: &Stats{}}
	ws := &WatermarkState{}
	h := newBenchAggregate(b, []Expr{benchK}, benchWindows()["tumble"], "count", "sum", "avg")
	h.Env, h.WM, h.WMIndex, h.Op = env, ws, benchSchema.NumFields(), nil
	h.Input = &Watermark{Input: &benchSource{batches: batches}, Env: env, Time: benchTS,
		Delay: 2e6, State: ws}
	var op Operator = h
	if workers > 1 {
		op = &ParallelAggregate{Input: h.Input, Env: env, Agg: h, Workers: workers}
	}
	ctx := context.Background()
	if err := op.Open(ctx); err != nil {
		b.Fatal(err)
	}
	defer op.Close()
	rows := 0
	for {
		out, err := op.Next(ctx)
		if err == io.EOF {
			return rows
		}
		if err != nil {
			b.Fatal(err)
		}
		rows += int(out.NumRows())
		out.Release()
	}
}
