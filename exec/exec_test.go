package exec_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
)

const (
	second = int64(1e6)
	minute = 60 * second
)

// newEnv returns an Env over a checked allocator that the test asserts empty at its end.
func newEnv(t *testing.T) (*exec.Env, *memory.CheckedAllocator) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return &exec.Env{Mem: mem, Stats: &exec.Stats{}}, mem
}

// eventSchema is the schema of the test events: an event time, a nullable key and a value.
var eventSchema = arrow.NewSchema([]arrow.Field{
	{Name: "ts", Type: functions.Timestamp, Nullable: true},
	{Name: "k", Type: functions.Bigint, Nullable: true},
	{Name: "v", Type: functions.Bigint, Nullable: true},
}, nil)

var (
	tsCol = &exec.Column{Index: 0, T: functions.Timestamp, Name: "ts"}
	kCol  = &exec.Column{Index: 1, T: functions.Bigint, Name: "k"}
	vCol  = &exec.Column{Index: 2, T: functions.Bigint, Name: "v"}
)

// event is one test row; nil fields are NULL.
type event struct {
	ts   any // int64 µs
	k, v any // int64
}

func ev(ts int64, k, v any) event { return event{ts: ts, k: k, v: v} }

// newBatch builds a batch of eventSchema.
func newBatch(t *testing.T, mem memory.Allocator, evs []event) arrow.RecordBatch {
	t.Helper()
	b := array.NewRecordBuilder(mem, eventSchema)
	defer b.Release()
	tb := b.Field(0).(*array.TimestampBuilder)
	for _, e := range evs {
		if e.ts == nil {
			tb.AppendNull()
		} else {
			tb.Append(arrow.Timestamp(e.ts.(int64)))
		}
		for j, x := range []any{e.k, e.v} {
			ib := b.Field(j + 1).(*array.Int64Builder)
			if x == nil {
				ib.AppendNull()
			} else {
				ib.Append(int64(toInt(x)))
			}
		}
	}
	return b.NewRecordBatch()
}

func toInt(x any) int64 {
	switch x := x.(type) {
	case int:
		return int64(x)
	case int64:
		return x
	}
	panic(fmt.Sprintf("not an int: %v", x))
}

// split builds batches of at most size events each.
func split(t *testing.T, mem memory.Allocator, evs []event, size int) []arrow.RecordBatch {
	var out []arrow.RecordBatch
	for i := 0; i < len(evs); i += size {
		out = append(out, newBatch(t, mem, evs[i:min(i+size, len(evs))]))
	}
	return out
}

// source is an in-memory operator: it hands out prepared batches, then io.EOF, or blocks
// until its context is done when block is set. It counts what it was asked.
type source struct {
	schema  *arrow.Schema
	batches []arrow.RecordBatch
	pulled  int
	opened  int
	closed  int
	block   bool // after the batches, wait for ctx instead of ending
	endless func() arrow.RecordBatch
}

var _ exec.Operator = (*source)(nil)

func newSource(batches ...arrow.RecordBatch) *source {
	return &source{schema: eventSchema, batches: batches}
}

func (s *source) Schema() *arrow.Schema { return s.schema }

func (s *source) Open(context.Context) error {
	s.opened++
	return nil
}

func (s *source) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if s.pulled < len(s.batches) {
		b := s.batches[s.pulled]
		s.batches[s.pulled] = nil // the caller owns it now
		s.pulled++
		return b, nil
	}
	switch {
	case s.endless != nil:
		s.pulled++
		return s.endless(), nil // never looks at ctx: the operator above must
	case s.block:
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return nil, io.EOF
}

func (s *source) Close() error {
	s.closed++
	for i, b := range s.batches {
		if b != nil {
			b.Release()
			s.batches[i] = nil
		}
	}
	return nil
}

// drain reads op to its end, closes it and returns its rows printed as `v1 | v2 | ...`.
func drain(t *testing.T, op exec.Operator) []string {
	t.Helper()
	ctx := context.Background()
	var rows []string
	for {
		b, err := op.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		require.True(t, b.Schema().Equal(op.Schema()), "batch schema %s", b.Schema())
		rows = append(rows, printRows(b)...)
		b.Release()
	}
	require.NoError(t, op.Close())
	return rows
}

func printRows(b arrow.RecordBatch) []string {
	var out []string
	for i := 0; i < int(b.NumRows()); i++ {
		vals := make([]string, b.NumCols())
		for j, col := range b.Columns() {
			vals[j] = printValue(col, i)
		}
		out = append(out, strings.Join(vals, " | "))
	}
	return out
}

func printValue(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	switch a := a.(type) {
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Float64:
		return functions.FormatDouble(a.Value(i))
	case *array.String:
		return a.Value(i)
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i))
	case *array.Timestamp:
		return strconv.FormatInt(int64(a.Value(i))/second, 10) + "s"
	case *array.Duration:
		return strconv.FormatInt(int64(a.Value(i)), 10) + "us"
	}
	return "?" + a.DataType().String()
}

func lit(v int64) *exec.Literal {
	return &exec.Literal{T: functions.Bigint, Value: v, Text: strconv.FormatInt(v, 10)}
}

func binary(op string, l, r exec.Expr, t arrow.DataType) *exec.Binary {
	return &exec.Binary{Op: op, L: l, R: r, T: t}
}

// someEvents are ten events, key i%3 (NULL for every fourth), value i.
func someEvents() []event {
	var evs []event
	for i := 0; i < 10; i++ {
		var k any = i % 3
		if i%4 == 3 {
			k = nil
		}
		evs = append(evs, ev(int64(i)*second, k, i))
	}
	return evs
}

func TestFilter(t *testing.T) {
	tests := []struct {
		name string
		pred exec.Expr
		want []string // the v of each row passed
	}{
		{"all", binary(">=", vCol, lit(0), functions.Boolean),
			[]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}},
		{"none", binary(">", vCol, lit(100), functions.Boolean), nil},
		{"some", binary("=", binary("%", vCol, lit(2), functions.Bigint), lit(0),
			functions.Boolean), []string{"0", "2", "4", "6", "8"}},
		{"NULL predicate rows drop", binary("=", kCol, lit(1), functions.Boolean),
			[]string{"1", "4"}},
		{"NULL literal", &exec.Literal{T: functions.Null, Text: "NULL"}, nil},
	}
	for _, tt := range tests {
		for _, size := range []int{1, 3, 10} {
			t.Run(fmt.Sprintf("%s/%d", tt.name, size), func(t *testing.T) {
				env, _ := newEnv(t)
				src := newSource(split(t, env.Mem, someEvents(), size)...)
				f := &exec.Filter{Input: src, Pred: tt.pred, Env: env}
				p := &exec.Project{Input: f, Exprs: []exec.Expr{vCol}, Env: env,
					Out: arrow.NewSchema([]arrow.Field{{Name: "v", Type: functions.Bigint,
						Nullable: true}}, nil)}
				require.NoError(t, p.Open(context.Background()))
				require.Equal(t, tt.want, drain(t, p))
				require.Equal(t, 1, src.closed)
			})
		}
	}
}

// TestFilterSlicedInput filters batches that are slices at an offset of larger ones.
func TestFilterSlicedInput(t *testing.T) {
	env, _ := newEnv(t)
	whole := newBatch(t, env.Mem, someEvents())
	defer whole.Release()
	src := newSource(whole.NewSlice(3, 9))
	f := &exec.Filter{Input: src, Env: env,
		Pred: binary("<>", kCol, lit(0), functions.Boolean)}
	require.NoError(t, f.Open(context.Background()))
	require.Equal(t, []string{"4s | 1 | 4", "5s | 2 | 5", "8s | 2 | 8"}, drain(t, f))
}

func TestProject(t *testing.T) {
	env, _ := newEnv(t)
	whole := newBatch(t, env.Mem, someEvents())
	defer whole.Release()
	src := newSource(whole.NewSlice(0, 4), whole.NewSlice(4, 10))
	out := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: functions.Bigint, Nullable: true},
		{Name: "v10", Type: functions.Bigint, Nullable: true},
		{Name: "one", Type: functions.Bigint, Nullable: true},
		{Name: "big", Type: functions.Boolean, Nullable: true},
	}, nil)
	p := &exec.Project{Input: src, Env: env, Out: out, Exprs: []exec.Expr{
		kCol,
		binary("+", binary("*", vCol, lit(10), functions.Bigint), kCol, functions.Bigint),
		lit(1),
		binary(">", vCol, lit(7), functions.Boolean),
	}}
	require.NoError(t, p.Open(context.Background()))
	require.Equal(t, []string{
		"0 | 0 | 1 | false",
		"1 | 11 | 1 | false",
		"2 | 22 | 1 | false",
		"NULL | NULL | 1 | false",
		"1 | 41 | 1 | false",
		"2 | 52 | 1 | false",
		"0 | 60 | 1 | false",
		"NULL | NULL | 1 | false",
		"2 | 82 | 1 | true",
		"0 | 90 | 1 | true",
	}, drain(t, p))
	require.Equal(t, 1, src.closed)
}

// aggSpec builds a count(*), sum(v) aggregate grouped by k over TUMBLE(ts, size) with the
// given watermark delay, as the planner does: a Watermark operator under a HashAggregate.
type aggSpec struct {
	size, offset, delay int64
	keys                []exec.Expr
	noWindow            bool
}

func (s aggSpec) build(t *testing.T, env *exec.Env, in exec.Operator) *exec.HashAggregate {
	t.Helper()
	reg := functions.NewRegistry()
	count, ok := reg.Aggregate("count")
	require.True(t, ok)
	sum, ok := reg.Aggregate("sum")
	require.True(t, ok)
	aggs := []exec.AggCall{
		{Fn: count, Text: "count(*)"},
		{Fn: sum, Args: []exec.Expr{vCol}, Text: "sum(v)"},
	}
	var fields []arrow.Field
	for _, k := range s.keys {
		fields = append(fields, arrow.Field{Name: k.String(), Type: k.Type(), Nullable: true})
	}
	h := &exec.HashAggregate{Input: in, Env: env, Keys: s.keys, Aggs: aggs}
	if !s.noWindow {
		ws := &exec.WatermarkState{}
		h.Input = &exec.Watermark{Input: in, Env: env, Time: tsCol, Delay: s.delay, State: ws}
		h.Time = tsCol
		h.Window = exec.Window{Kind: exec.Tumble, Size: s.size, Offset: s.offset}
		h.WM = ws
		h.WMIndex = in.Schema().NumFields()
		fields = append(fields,
			arrow.Field{Name: "window_start", Type: functions.Timestamp, Nullable: true},
			arrow.Field{Name: "window_end", Type: functions.Timestamp, Nullable: true})
	}
	for _, a := range aggs {
		var types []arrow.DataType
		for _, x := range a.Args {
			types = append(types, x.Type())
		}
		rt, err := a.Fn.Resolve(types)
		require.NoError(t, err)
		fields = append(fields, arrow.Field{Name: a.Text, Type: rt, Nullable: true})
	}
	h.Out = arrow.NewSchema(fields, nil)
	return h
}

// runAgg runs the aggregate of spec over the events, size events per batch.
func runAgg(t *testing.T, spec aggSpec, evs []event, size int) ([]string, exec.Snapshot) {
	t.Helper()
	env, mem := newEnv(t)
	src := newSource(split(t, env.Mem, evs, size)...)
	h := spec.build(t, env, src)
	require.NoError(t, h.Open(context.Background()))
	rows := drain(t, h)
	require.Equal(t, 1, src.closed)
	mem.AssertSize(t, 0)
	return rows, env.Stats.Snapshot()
}

func TestTumbleOrder(t *testing.T) {
	// Rows of one firing come out by window_start, then key, NULL keys last.
	evs := []event{
		ev(70*second, 2, 1), ev(10*second, 2, 2), ev(20*second, nil, 4),
		ev(80*second, 1, 8), ev(30*second, 1, 16), ev(40*second, nil, 32),
		ev(65*second, nil, 64), ev(75*second, 1, 128), ev(5*second, 2, 256),
	}
	spec := aggSpec{size: minute, delay: 2 * minute, keys: []exec.Expr{kCol}}
	rows, stats := runAgg(t, spec, evs, len(evs))
	require.Equal(t, []string{
		"1 | 0s | 60s | 1 | 16",
		"2 | 0s | 60s | 2 | 258",
		"NULL | 0s | 60s | 2 | 36",
		"1 | 60s | 120s | 2 | 136",
		"2 | 60s | 120s | 1 | 1",
		"NULL | 60s | 120s | 1 | 64",
	}, rows)
	require.Equal(t, int64(0), stats.LateDropped)
	require.Equal(t, int64(6), stats.WindowsFired)
	require.Equal(t, int64(0), stats.OpenWindows)
}

// TestTumbleFiresBeforeTheEnd checks that a window is returned as soon as the watermark
// reaches its end, while the input is still open.
func TestTumbleFiresBeforeTheEnd(t *testing.T) {
	env, _ := newEnv(t)
	src := newSource(
		newBatch(t, env.Mem, []event{ev(10*second, 1, 1), ev(50*second, 1, 2)}),
		newBatch(t, env.Mem, []event{ev(64*second, 1, 4)}),   // watermark 59s: nothing fires
		newBatch(t, env.Mem, []event{ev(65*second, 1, 8)}),   // watermark 60s: [0, 60) fires
		newBatch(t, env.Mem, []event{ev(130*second, 1, 16)}), // watermark 125s: [60, 120)
	)
	src.block = true // the input never ends
	h := aggSpec{size: minute, delay: 5 * second, keys: []exec.Expr{kCol}}.build(t, env, src)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, h.Open(ctx))

	b, err := h.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"1 | 0s | 60s | 2 | 3"}, printRows(b))
	require.Equal(t, 3, src.pulled, "the window fires with the batch that reaches its end")
	b.Release()

	b, err = h.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"1 | 60s | 120s | 2 | 12"}, printRows(b))
	require.Equal(t, 4, src.pulled)
	b.Release()
	require.Equal(t, int64(1), env.Stats.OpenWindows.Load())

	// Nothing more can fire until the input moves on: Next waits, and stops when cancelled.
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	_, err = h.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, h.Close())
	require.NoError(t, h.Close())
}

func TestTumbleLateEvents(t *testing.T) {
	evs := []event{
		ev(10*second, 1, 1),
		ev(70*second, 1, 2), // watermark 60s: [0, 60) fires
		ev(30*second, 1, 4), // late: dropped
		ev(60*second, 1, 8), // at the watermark: not late
		ev(59*second, 2, 16),
		ev(115*second, 2, 32),
		ev(119*second, 2, 64),
	}
	for _, size := range []int{1, 2, 7} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			spec := aggSpec{size: minute, delay: 10 * second, keys: []exec.Expr{kCol}}
			rows, stats := runAgg(t, spec, evs, size)
			require.Equal(t, []string{
				"1 | 0s | 60s | 1 | 1",
				"1 | 60s | 120s | 2 | 10",
				"2 | 60s | 120s | 2 | 96",
			}, rows)
			require.Equal(t, int64(2), stats.LateDropped)
			require.Equal(t, int64(0), stats.LatePartial)
		})
	}
}

// TestTumbleLateInsideABatch checks that the watermark advances event by event inside a batch:
// an event behind an earlier event of the same batch by more than the delay is late.
func TestTumbleLateInsideABatch(t *testing.T) {
	evs := []event{ev(125*second, 1, 1), ev(5*second, 1, 2), ev(10*second, 1, 4)}
	rows, stats := runAgg(t, aggSpec{size: minute, keys: []exec.Expr{kCol}}, evs, 3)
	require.Equal(t, []string{"1 | 120s | 180s | 1 | 1"}, rows)
	require.Equal(t, int64(2), stats.LateDropped)
}

// TestTumbleWindowOpenedAndClosedInOneBatch checks a window whose first event and the event
// that moves the watermark past its end arrive in the same batch.
func TestTumbleWindowOpenedAndClosedInOneBatch(t *testing.T) {
	evs := []event{ev(10*second, 1, 1), ev(70*second, 1, 2)}
	for _, size := range []int{1, 2} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			rows, stats := runAgg(t, aggSpec{size: minute, keys: []exec.Expr{kCol}}, evs, size)
			require.Equal(t, []string{"1 | 0s | 60s | 1 | 1", "1 | 60s | 120s | 1 | 2"}, rows)
			require.Equal(t, int64(0), stats.LateDropped)
		})
	}
}

// disorderly makes n events with jittered times, keys 0..4 and NULL, values 1..n.
func disorderly(n int) []event {
	var evs []event
	seed := uint64(42)
	rnd := func(m int64) int64 {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int64(seed>>33) % m
	}
	for i := 0; i < n; i++ {
		ts := int64(i)*700*1000 + rnd(30*second) - 15*second // about 0.7s apart, ±15s
		var k any = rnd(6)
		if k == int64(5) {
			k = nil
		}
		evs = append(evs, ev(ts, k, i+1))
	}
	return evs
}

// model computes the expected rows of TUMBLE(size) with delay, event by event.
func model(evs []event, size, delay int64) (rows []string, late int64) {
	type group struct {
		start int64
		k     any
		n, s  int64
	}
	groups := map[string]*group{}
	var order []string
	wm, seen := int64(0), false
	for _, e := range evs {
		ts := e.ts.(int64)
		start := exec.TumbleStart(ts, size, 0)
		if seen && start+size <= wm {
			late++
		} else {
			key := fmt.Sprint(start, "/", e.k)
			g, ok := groups[key]
			if !ok {
				g = &group{start: start, k: e.k}
				groups[key] = g
				order = append(order, key)
			}
			g.n++
			g.s += toInt(e.v)
		}
		if !seen || ts-delay > wm {
			wm, seen = ts-delay, true
		}
	}
	var list []*group
	for _, key := range order {
		list = append(list, groups[key])
	}
	less := func(a, b *group) bool {
		if a.start != b.start {
			return a.start < b.start
		}
		switch {
		case a.k == nil:
			return false
		case b.k == nil:
			return true
		}
		return a.k.(int64) < b.k.(int64)
	}
	for i := range list { // insertion sort: the lists are short
		for j := i; j > 0 && less(list[j], list[j-1]); j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
	for _, g := range list {
		k := "NULL"
		if g.k != nil {
			k = strconv.FormatInt(g.k.(int64), 10)
		}
		rows = append(rows, fmt.Sprintf("%s | %ds | %ds | %d | %d", k, g.start/second,
			(g.start+size)/second, g.n, g.s))
	}
	return rows, late
}

// TestTumbleBatchSizes checks that the final rows do not depend on how the input is split.
func TestTumbleBatchSizes(t *testing.T) {
	evs := disorderly(1000)
	spec := aggSpec{size: 10 * second, delay: 5 * second, keys: []exec.Expr{kCol}}
	want, late := model(evs, spec.size, spec.delay)
	require.NotZero(t, late, "the test needs late events")
	for _, size := range []int{1, 7, 1000} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			rows, stats := runAgg(t, spec, evs, size)
			require.Equal(t, want, rows)
			require.Equal(t, late, stats.LateDropped)
			require.Equal(t, int64(len(want)), stats.WindowsFired)
		})
	}
}

func TestTumbleStart(t *testing.T) {
	tests := []struct{ t, size, offset, want int64 }{
		{0, minute, 0, 0},
		{1, minute, 0, 0},
		{minute - 1, minute, 0, 0},
		{minute, minute, 0, minute},
		{-1, minute, 0, -minute},
		{-minute, minute, 0, -minute},
		{-minute - 1, minute, 0, -2 * minute},
		{10 * second, minute, 30 * second, -30 * second},
		{40 * second, minute, 30 * second, 30 * second},
		{-1, minute, 30 * second, -30 * second},
		{-31 * second, minute, 30 * second, -90 * second},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, exec.TumbleStart(tt.t, tt.size, tt.offset),
			"TumbleStart(%d, %d, %d)", tt.t, tt.size, tt.offset)
	}
	require.Equal(t, int64(-60e6), exec.TumbleStart(-1, 60e6, 0))
}

func TestTumbleBefore1970(t *testing.T) {
	evs := []event{
		ev(-90*second, 1, 1), ev(-60*second, 1, 2), ev(-1, 1, 4), ev(0, 1, 8),
		ev(10*second, 1, 16),
	}
	rows, _ := runAgg(t, aggSpec{size: minute, delay: minute, keys: []exec.Expr{kCol}}, evs, 2)
	require.Equal(t, []string{
		"1 | -120s | -60s | 1 | 1",
		"1 | -60s | 0s | 2 | 6",
		"1 | 0s | 60s | 2 | 24",
	}, rows)
}

func TestAggregateNullKeys(t *testing.T) {
	evs := []event{ev(1, nil, 1), ev(2, 1, 2), ev(3, nil, 4), ev(4, 0, 8), ev(5, nil, nil)}
	spec := aggSpec{keys: []exec.Expr{kCol}, noWindow: true}
	rows, _ := runAgg(t, spec, evs, 2)
	require.Equal(t, []string{"0 | 1 | 8", "1 | 1 | 2", "NULL | 3 | 5"}, rows)

	// Two keys: (NULL, x) and (x, NULL) are different groups.
	spec.keys = []exec.Expr{kCol, vCol}
	evs = []event{ev(1, nil, 1), ev(2, 1, nil), ev(3, nil, 1), ev(4, nil, nil)}
	rows, _ = runAgg(t, spec, evs, 3)
	require.Equal(t, []string{"1 | NULL | 1 | NULL", "NULL | 1 | 2 | 2",
		"NULL | NULL | 1 | NULL"}, rows)
}

func TestAggregateNullEventTime(t *testing.T) {
	evs := []event{ev(1, 1, 1), {ts: nil, k: 1, v: 2}, ev(2, 1, 4)}
	rows, _ := runAgg(t, aggSpec{size: minute, keys: []exec.Expr{kCol}}, evs, 3)
	require.Equal(t, []string{"1 | 0s | 60s | 2 | 5"}, rows, "a NULL time is in no window")
}

func TestAggregateWithoutGroupByOverNoRows(t *testing.T) {
	rows, _ := runAgg(t, aggSpec{noWindow: true}, nil, 1)
	require.Equal(t, []string{"0 | NULL"}, rows)
}

func TestAggregateWithoutGroupBy(t *testing.T) {
	rows, _ := runAgg(t, aggSpec{noWindow: true}, someEvents(), 4)
	require.Equal(t, []string{"10 | 45"}, rows)
}

// runFiltered runs count(*) FILTER (WHERE pred) over someEvents without a window.
func runFiltered(t *testing.T, pred exec.Expr) []string {
	t.Helper()
	env, _ := newEnv(t)
	count, _ := functions.NewRegistry().Aggregate("count")
	src := newSource(split(t, env.Mem, someEvents(), 3)...)
	h := &exec.HashAggregate{Input: src, Env: env, WMIndex: -1,
		Aggs: []exec.AggCall{{Fn: count, Filter: pred, Text: "count(*) FILTER"}},
		Out:  arrow.NewSchema([]arrow.Field{{Name: "n", Type: functions.Bigint}}, nil)}
	require.NoError(t, h.Open(context.Background()))
	return drain(t, h)
}

func TestAggregateFilter(t *testing.T) {
	// k = 1 holds for rows 1 and 4; it is NULL for row 7, whose k is NULL: not counted.
	require.Equal(t, []string{"2"}, runFiltered(t, binary("=", kCol, lit(1), functions.Boolean)))
}

func TestAggregateFilterNullLiteral(t *testing.T) {
	require.Equal(t, []string{"0"}, runFiltered(t, &exec.Literal{T: functions.Null, Text: "NULL"}))
}

// TestGroupKeyTypes groups by DOUBLE, VARCHAR and BOOLEAN keys: -0 and 0 are one group, so
// are all NaNs, which sort above every number; NULL is a group of its own, sorted last.
func TestGroupKeyTypes(t *testing.T) {
	env, _ := newEnv(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "d", Type: functions.Double, Nullable: true},
		{Name: "s", Type: functions.Varchar, Nullable: true},
		{Name: "b", Type: functions.Boolean, Nullable: true},
	}, nil)
	rb := array.NewRecordBuilder(env.Mem, schema)
	defer rb.Release()
	db := rb.Field(0).(*array.Float64Builder)
	sb := rb.Field(1).(*array.StringBuilder)
	bb := rb.Field(2).(*array.BooleanBuilder)
	db.AppendValues([]float64{0, 2.5, math.Copysign(0, -1), math.NaN(), -1, 0, math.NaN()}, nil)
	db.AppendNull()
	sb.AppendValues([]string{"b", "", "a", "b", "é", "a", ""}, nil)
	sb.AppendNull()
	bb.AppendValues([]bool{true, false, true, true, false, true, true}, nil)
	bb.AppendNull()
	batch := rb.NewRecordBatch()
	defer batch.Release()

	count, _ := functions.NewRegistry().Aggregate("count")
	for i, want := range [][]string{
		{"-1 | 1", "0 | 3", "2.5 | 1", "NaN | 2", "NULL | 1"},
		{" | 2", "a | 2", "b | 2", "é | 1", "NULL | 1"},
		{"false | 2", "true | 5", "NULL | 1"},
	} {
		f := schema.Field(i)
		key := &exec.Column{Index: i, T: f.Type, Name: f.Name}
		src := &source{schema: schema, batches: []arrow.RecordBatch{batch.NewSlice(0, 3),
			batch.NewSlice(3, 8)}}
		h := &exec.HashAggregate{Input: src, Env: env, WMIndex: -1, Keys: []exec.Expr{key},
			Aggs: []exec.AggCall{{Fn: count, Text: "count(*)"}},
			Out:  arrow.NewSchema([]arrow.Field{f, {Name: "n", Type: functions.Bigint}}, nil)}
		require.NoError(t, h.Open(context.Background()))
		require.Equal(t, want, drain(t, h), f.Name)
	}
}

// TestFilterTypes filters columns of every type, sliced, so that take copies each kind.
func TestFilterTypes(t *testing.T) {
	env, _ := newEnv(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "d", Type: functions.Double, Nullable: true},
		{Name: "s", Type: functions.Varchar, Nullable: true},
		{Name: "b", Type: functions.Boolean, Nullable: true},
		{Name: "i", Type: functions.Interval, Nullable: true},
		{Name: "ts", Type: functions.Timestamp, Nullable: true},
	}, nil)
	rb := array.NewRecordBuilder(env.Mem, schema)
	defer rb.Release()
	for i := 0; i < 6; i++ {
		if i == 3 {
			for _, f := range rb.Fields() {
				f.AppendNull()
			}
			continue
		}
		rb.Field(0).(*array.Float64Builder).Append(float64(i) / 2)
		rb.Field(1).(*array.StringBuilder).Append(strings.Repeat("x", i))
		rb.Field(2).(*array.BooleanBuilder).Append(i%2 == 0)
		rb.Field(3).(*array.DurationBuilder).Append(arrow.Duration(i))
		rb.Field(4).(*array.TimestampBuilder).Append(arrow.Timestamp(int64(i) * second))
	}
	batch := rb.NewRecordBatch()
	defer batch.Release()
	src := &source{schema: schema, batches: []arrow.RecordBatch{batch.NewSlice(1, 6)}}
	f := &exec.Filter{Input: src, Env: env, Pred: binary("<>",
		&exec.Column{Index: 0, T: functions.Double, Name: "d"},
		&exec.Literal{T: functions.Double, Value: 1.0, Text: "1"}, functions.Boolean)}
	require.NoError(t, f.Open(context.Background()))
	require.Equal(t, []string{
		"0.5 | x | false | 1us | 1s",
		"2 | xxxx | true | 4us | 4s",
		"2.5 | xxxxx | false | 5us | 5s",
	}, drain(t, f), "row 2 fails, row 3 (all NULL) drops")
}

// TestAggregateCloseEarly closes an aggregate whose input is not drained: Close releases what
// it holds, closes its input, and may be called again.
func TestAggregateCloseEarly(t *testing.T) {
	env, mem := newEnv(t)
	src := newSource(split(t, env.Mem, disorderly(300), 10)...)
	h := aggSpec{size: 10 * second, keys: []exec.Expr{kCol}}.build(t, env, src)
	require.NoError(t, h.Open(context.Background()))
	b, err := h.Next(context.Background())
	require.NoError(t, err)
	require.Less(t, src.pulled, len(src.batches))
	require.NoError(t, h.Close())
	require.NoError(t, h.Close())
	require.GreaterOrEqual(t, src.closed, 1)
	b.Release()
	mem.AssertSize(t, 0)
}

// TestCancel checks that each operator returns ctx.Err() from Next once its context is done,
// even over an input that never ends and never looks at the context.
func TestCancel(t *testing.T) {
	build := map[string]func(env *exec.Env, in exec.Operator) exec.Operator{
		"filter passing nothing": func(env *exec.Env, in exec.Operator) exec.Operator {
			return &exec.Filter{Input: in, Env: env,
				Pred: binary(">", vCol, lit(100), functions.Boolean)}
		},
		"tumble that never fires": func(env *exec.Env, in exec.Operator) exec.Operator {
			return aggSpec{size: minute, delay: 1000 * minute}.build(t, env, in)
		},
		"aggregate without window": func(env *exec.Env, in exec.Operator) exec.Operator {
			return aggSpec{noWindow: true, keys: []exec.Expr{kCol}}.build(t, env, in)
		},
	}
	for name, mk := range build {
		t.Run(name, func(t *testing.T) {
			env, _ := newEnv(t)
			src := newSource()
			src.endless = func() arrow.RecordBatch {
				return newBatch(t, env.Mem, []event{ev(int64(src.pulled)*second, 1, 1)})
			}
			op := mk(env, src)
			ctx, cancel := context.WithCancel(context.Background())
			require.NoError(t, op.Open(ctx))
			go func() {
				time.Sleep(10 * time.Millisecond)
				cancel()
			}()
			done := make(chan error, 1)
			go func() {
				for {
					b, err := op.Next(ctx)
					if err != nil {
						done <- err
						return
					}
					b.Release() // an operator may return empty batches as it goes
				}
			}()
			select {
			case err := <-done:
				require.ErrorIs(t, err, context.Canceled)
			case <-time.After(10 * time.Second):
				t.Fatal("Next did not return after the context was cancelled")
			}
			_, err := op.Next(ctx)
			require.ErrorIs(t, err, context.Canceled, "Next after the cancel")
			require.NoError(t, op.Close())
			require.NoError(t, op.Close())
		})
	}
}

// TestSingleRow returns one row of no columns, then the end; a cancelled context stops it.
func TestSingleRow(t *testing.T) {
	ctx := context.Background()
	s := &exec.SingleRow{}
	require.NoError(t, s.Open(ctx))
	b, err := s.Next(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, b.NumRows())
	require.Zero(t, b.NumCols())
	b.Release()
	_, err = s.Next(ctx)
	require.ErrorIs(t, err, io.EOF)
	require.NoError(t, s.Close())

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = (&exec.SingleRow{}).Next(cancelled)
	require.ErrorIs(t, err, context.Canceled)
}
