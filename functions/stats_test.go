package functions

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// Tests of the aggregates whose calls are bound (functions.Aggregate.BindCall): DISTINCT,
// approx_count_distinct, the spreads, the sketch and exact percentiles, first, last and rate.

// callOfTypes describes a call of the given argument types, none of them constant.
func callOfTypes(types ...arrow.DataType) CallInfo {
	return CallInfo{Args: types, Consts: make([]Const, len(types))}
}

// withConst describes a call whose last argument is the constant v.
func withConst(c CallInfo, v any) CallInfo {
	t := Double
	switch v.(type) {
	case int64:
		t = Bigint
	case string:
		t = Varchar
	case nil:
		t = Null
	}
	c.Args = append(append([]arrow.DataType(nil), c.Args...), t)
	c.Consts = append(append([]Const(nil), c.Consts...), Const{Value: v, OK: true})
	return c
}

// bind binds an aggregate of the registry for a call and makes its state for slots; it
// returns the state, the result type and the types of the arguments Update takes.
func bind(t testing.TB, fn string, c CallInfo, slots int) (AggState, arrow.DataType,
	[]arrow.DataType) {
	t.Helper()
	agg, ok := NewRegistry().Aggregate(fn)
	require.True(t, ok, fn)
	b, err := agg.BindCall(c)
	require.NoError(t, err)
	var types []arrow.DataType
	for _, i := range b.Args {
		types = append(types, c.Args[i])
	}
	if b.Time {
		types = append(types, Timestamp)
	}
	rt, err := b.Fn.Resolve(types)
	require.NoError(t, err)
	s := b.Fn.New(types)
	s.Grow(slots)
	return s, rt, types
}

// rows is one batch of a bound aggregate's test: the slot of each row and its arguments, one
// column per argument Update takes.
type rows struct {
	groups []uint32
	cols   [][]any
}

// feedRows runs Update over each batch, building its arguments at the given pad.
func feedRows(t *testing.T, mem memory.Allocator, s AggState, types []arrow.DataType, pad int,
	batches ...rows) error {
	t.Helper()
	for _, b := range batches {
		args := make([]arrow.Array, len(types))
		for i, typ := range types {
			args[i] = newArr(t, mem, typ, pad, b.cols[i]...)
		}
		err := s.Update(b.groups, args)
		for _, a := range args {
			a.Release()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// cols is shorthand for the columns of a batch.
func cols(c ...[]any) [][]any { return c }

func TestBoundAggregates(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	ts := tsMicros(2024, 3, 1, 0, 0, 0)
	g := func(slots ...uint32) []uint32 { return slots }
	distinct := func(c CallInfo) CallInfo { c.Distinct = true; return c }
	desc := func(c CallInfo) CallInfo { c.WithinGroup, c.Desc = true, true; return c }
	timed := func(c CallInfo) CallInfo { c.EventTime = true; return c }
	minute := WindowInfo{Kind: TumbleWindow, Size: 60e6}
	window := func(c CallInfo, w WindowInfo) CallInfo {
		c.Window, c.EventTime = w, true
		return c
	}
	i64 := func(v ...int64) []any {
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = x
		}
		return out
	}
	tests := []struct {
		name    string
		fn      string
		call    CallInfo
		slots   int // the last slot never gets a row: the empty input
		batches []rows
		want    []any
	}{
		// count(DISTINCT) and other aggregates over distinct values.
		{"count distinct", "count", distinct(callOfTypes(Bigint)), 3, []rows{
			{g(0, 0, 0, 1, 0), cols(anys(int64(1), int64(1), int64(2), nil, nil))},
			{g(0, 1), cols(anys(int64(3), int64(3)))}},
			anys(int64(3), int64(1), int64(0))},
		{"count distinct nan and zeros", "count", distinct(callOfTypes(Double)), 2, []rows{
			{g(0, 0, 0, 0, 0), cols(anys(nan, nan, 0.0, math.Copysign(0, -1), 1.5))}},
			anys(int64(3), int64(0))},
		{"count distinct varchar", "count", distinct(callOfTypes(Varchar)), 2, []rows{
			{g(0, 0, 0, 0, 0), cols(anys("a", "b", "a", "", nil))}}, anys(int64(3), int64(0))},
		{"count distinct boolean", "count", distinct(callOfTypes(Boolean)), 2, []rows{
			{g(0, 0, 0), cols(anys(true, true, false))}}, anys(int64(2), int64(0))},
		{"count distinct null", "count", distinct(callOfTypes(Null)), 1, []rows{
			{g(0), cols(nullRows(1))}}, anys(int64(0))},
		{"sum distinct", "sum", distinct(callOfTypes(Bigint)), 2, []rows{
			{g(0, 0, 0, 0), cols(anys(int64(1), int64(1), int64(2), nil))}}, anys(int64(3), nil)},
		{"avg distinct", "avg", distinct(callOfTypes(Double)), 2, []rows{
			{g(0, 0, 0), cols(anys(1.0, 1.0, 3.0))}}, anys(2.0, nil)},
		{"max distinct timestamp", "max", distinct(callOfTypes(Timestamp)), 2, []rows{
			{g(0, 0), cols(anys(ts, ts+1))}}, anys(ts+1, nil)},
		{"min distinct varchar", "min", distinct(callOfTypes(Varchar)), 2, []rows{
			{g(0, 0), cols(anys("b", "a"))}}, anys("a", nil)},

		// approx_count_distinct is exact on small inputs.
		{"approx_count_distinct", "approx_count_distinct", callOfTypes(Bigint), 3, []rows{
			{g(0, 0, 0, 1, 0), cols(anys(int64(1), int64(2), int64(2), nil, int64(3)))}},
			anys(int64(3), int64(0), int64(0))},
		{"approx_count_distinct varchar", "approx_count_distinct", callOfTypes(Varchar), 2,
			[]rows{{g(0, 0, 0, 0), cols(anys("x", "y", "x", ""))}}, anys(int64(3), int64(0))},
		{"approx_count_distinct nan", "approx_count_distinct", callOfTypes(Double), 2, []rows{
			{g(0, 0, 0), cols(anys(nan, nan, 1.0))}}, anys(int64(2), int64(0))},
		{"approx_count_distinct null", "approx_count_distinct", callOfTypes(Null), 1, []rows{
			{g(0), cols(nullRows(1))}}, anys(int64(0))},

		// The spreads: sample forms are NULL for one value, population forms 0.
		{"stddev", "stddev", callOfTypes(Bigint), 4, []rows{
			{g(0, 0, 1, 0, 0, 2), cols(i64(1, 2, 5, 3, 4, 7))}, {g(2), cols(anys(nil))}},
			anys(math.Sqrt(5.0/3), nil, nil, nil)},
		{"variance", "variance", callOfTypes(Double), 2, []rows{
			{g(0, 0, 0, 0), cols(anys(1.0, 2.0, 3.0, 4.0))}}, anys(5.0/3, nil)},
		{"var_samp", "var_samp", callOfTypes(Double), 2, []rows{
			{g(0, 0, 0, 0, 0), cols(anys(1.0, 2.0, nil, 3.0, 4.0))}}, anys(5.0/3, nil)},
		{"var_pop", "var_pop", callOfTypes(Double), 3, []rows{
			{g(0, 0, 0, 0, 1), cols(anys(1.0, 2.0, 3.0, 4.0, 9.0))}}, anys(1.25, 0.0, nil)},
		{"stddev_pop", "stddev_pop", callOfTypes(Bigint), 3, []rows{
			{g(0, 0, 1), cols(i64(1, 3, -4))}}, anys(1.0, 0.0, nil)},
		{"stddev_samp nan", "stddev_samp", callOfTypes(Double), 3, []rows{
			{g(0, 0, 1, 1), cols(anys(1.0, nan, nan, nil))}}, anys("NaN", nil, nil)},
		{"var_pop nan", "var_pop", callOfTypes(Double), 2, []rows{
			{g(0), cols(anys(nan))}}, anys("NaN", nil)},
		{"variance infinity", "variance", callOfTypes(Double), 2, []rows{
			{g(0, 0), cols(anys(1.0, inf))}}, anys("NaN", nil)},
		{"stddev null", "stddev", callOfTypes(Null), 1, []rows{{g(0), cols(nullRows(1))}},
			nullRows(1)},

		// The sketch: single values and the extremes are exact; NaN ranks last.
		{"p99 single", "p99", callOfTypes(Bigint), 3, []rows{
			{g(0, 1, 1), cols(anys(int64(1234), nil, nil))}}, anys(1234.0, nil, nil)},
		{"p50 two", "p50", callOfTypes(Double), 2, []rows{
			{g(0, 0), cols(anys(-2.5, 7.25))}}, anys(-2.5, nil)},
		{"percentile 0 and 1", "percentile", withConst(callOfTypes(Double), 1.0), 2, []rows{
			{g(0, 0, 0, 0), cols(anys(3.0, -1e300, 17.125, 0.0))}}, anys(17.125, nil)},
		{"percentile 0", "percentile", withConst(callOfTypes(Double), int64(0)), 2, []rows{
			{g(0, 0, 0), cols(anys(3.0, -1e300, 0.0))}}, anys(-1e300, nil)},
		{"p999 nan", "p999", callOfTypes(Double), 3, []rows{
			{g(0, 0, 1, 1), cols(anys(1.0, nan, nan, nan))}}, anys(1.0, "NaN", nil)},
		{"percentile 1 nan", "approx_quantile", withConst(callOfTypes(Double), 1.0), 2, []rows{
			{g(0, 0), cols(anys(1.0, nan))}}, anys("NaN", nil)},
		{"p50 infinities", "approx_median", callOfTypes(Double), 2, []rows{
			{g(0, 0, 0, 0, 0), cols(anys(-inf, -inf, -inf, 1.0, inf))}},
			anys(math.Inf(-1), nil)},
		{"p90 interval", "p90", callOfTypes(Interval), 2, []rows{
			{g(0), cols(anys(int64(1500)))}}, anys(int64(1500), nil)},
		{"p95 null", "p95", callOfTypes(Null), 1, []rows{{g(0), cols(nullRows(1))}}, nullRows(1)},

		// The exact percentiles, as PostgreSQL computes them.
		{"percentile_disc", "percentile_disc", withConst(callOfTypes(Bigint), 0.5), 2, []rows{
			{g(0, 0, 0, 0, 0), cols(i64(4, 2, 1, 3, 3))}}, anys(int64(3), nil)},
		{"percentile_disc 0.9", "percentile_disc", withConst(callOfTypes(Bigint), 0.9), 2,
			[]rows{{g(0, 0, 0, 0), cols(i64(4, 2, 1, 3))}}, anys(int64(4), nil)},
		{"percentile_disc 0", "quantile_disc", withConst(callOfTypes(Double), int64(0)), 2,
			[]rows{{g(0, 0, 0, 0), cols(anys(4.0, 2.0, nil, -3.0))}}, anys(-3.0, nil)},
		{"percentile_disc desc", "percentile_disc", desc(withConst(callOfTypes(Bigint), 0.5)),
			2, []rows{{g(0, 0, 0, 0), cols(i64(4, 2, 1, 3))}}, anys(int64(3), nil)},
		{"percentile_disc nan", "quantile", withConst(callOfTypes(Double), 0.75), 2, []rows{
			{g(0, 0, 0, 0), cols(anys(nan, 2.0, 1.0, 3.0))}}, anys(3.0, nil)},
		{"percentile_disc timestamp", "percentile_disc", withConst(callOfTypes(Timestamp), 1.0),
			2, []rows{{g(0, 0), cols(anys(ts, ts-5))}}, anys(ts, nil)},
		{"percentile_cont", "percentile_cont", withConst(callOfTypes(Bigint), 0.5), 2, []rows{
			{g(0, 0, 0, 0), cols(i64(4, 2, 1, 3))}}, anys(2.5, nil)},
		{"percentile_cont quarter", "quantile_cont", withConst(callOfTypes(Double), 0.25), 2,
			[]rows{{g(0, 0, 0, 0, 0), cols(anys(5.0, 4.0, 3.0, 2.0, 1.0))}}, anys(2.0, nil)},
		{"percentile_cont desc", "percentile_cont", desc(withConst(callOfTypes(Double), 0.25)),
			2, []rows{{g(0, 0, 0, 0, 0), cols(anys(5.0, 4.0, 3.0, 2.0, 1.0))}}, anys(4.0, nil)},
		{"percentile_cont nan", "percentile_cont", withConst(callOfTypes(Double), 0.5), 3,
			[]rows{{g(0, 0, 1, 1), cols(anys(1.0, nan, nan, nan))}}, anys("NaN", "NaN", nil)},
		{"percentile_cont single", "percentile_cont", withConst(callOfTypes(Double), 0.3), 2,
			[]rows{{g(0), cols(anys(inf))}}, anys(inf, nil)},
		{"percentile_cont interval", "percentile_cont", withConst(callOfTypes(Interval), 0.5),
			2, []rows{{g(0, 0), cols(anys(int64(10), int64(13)))}}, anys(int64(12), nil)},
		{"median", "median", callOfTypes(Bigint), 3, []rows{
			{g(0, 0, 1, 1, 1), cols(i64(1, 2, 7, 9, 8))}}, anys(1.5, 8.0, nil)},
		{"median timestamp", "median", callOfTypes(Timestamp), 2, []rows{
			{g(0, 0, 0), cols(anys(ts+9, ts, nil))}}, anys(ts+5, nil)},
		{"median null", "median", callOfTypes(Null), 1, []rows{{g(0), cols(nullRows(1))}},
			nullRows(1)},

		// first and last by event time (ties by arrival), or by arrival without a window.
		{"first by time", "first", timed(callOfTypes(Varchar)), 3, []rows{
			{g(0, 0, 0, 1), cols(anys("a", "b", "c", nil), anys(ts+3, ts+1, ts+1, ts))},
			{g(0), cols(anys("d"), anys(ts+1))}},
			anys("b", nil, nil)},
		{"last by time", "last", timed(callOfTypes(Varchar)), 2, []rows{
			{g(0, 0, 0), cols(anys("a", "b", "c"), anys(ts+3, ts+1, ts+3))},
			{g(0), cols(anys("d"), anys(ts+2))}},
			anys("c", nil)},
		{"first by arrival", "first", callOfTypes(Double), 2, []rows{
			{g(0, 0), cols(anys(nil, nan))}, {g(0), cols(anys(2.0))}}, anys("NaN", nil)},
		{"last by arrival", "last", callOfTypes(Bigint), 2, []rows{
			{g(0, 0), cols(i64(1, 2))}, {g(0, 0), cols(anys(int64(3), nil))}},
			anys(int64(3), nil)},
		{"last boolean", "last", timed(callOfTypes(Boolean)), 2, []rows{
			{g(0, 0), cols(anys(false, true), anys(ts+1, ts))}}, anys(false, nil)},
		{"first interval", "first", timed(callOfTypes(Interval)), 2, []rows{
			{g(0, 0), cols(anys(int64(7), int64(8)), anys(ts, nil))}}, anys(int64(7), nil)},
		{"first null", "first", callOfTypes(Null), 1, []rows{{g(0), cols(nullRows(1))}},
			nullRows(1)},

		// rate per second of the window's length.
		{"rate rows", "rate", window(CallInfo{}, minute), 2, []rows{
			{g(0, 0, 0), cols()}}, anys(0.05, 0.0)},
		{"rate values", "rate", window(callOfTypes(Bigint), minute), 3, []rows{
			{g(0, 0, 0, 1), cols(anys(int64(30), nil, int64(60), nil))}}, anys(1.5, nil, nil)},
		{"rate session", "rate", window(callOfTypes(Double),
			WindowInfo{Kind: SessionWindow, Gap: 10e6}), 2, []rows{
			{g(0, 0, 0), cols(anys(1.0, 2.0, nil), anys(ts, ts+5e6, ts+20e6))}},
			anys(0.1, nil)},
		{"rate hop", "rate", window(CallInfo{}, WindowInfo{Kind: HopWindow, Size: 4e6}), 1,
			[]rows{{g(0, 0), cols()}}, anys(0.5)},
	}
	for _, tc := range tests {
		for _, pad := range testPads {
			t.Run(subName(tc.name, pad), func(t *testing.T) {
				mem := newMem(t)
				s, rt, types := bind(t, tc.fn, tc.call, tc.slots)
				require.NoError(t, feedRows(t, mem, s, types, pad, tc.batches...))
				got, err := finals(t, mem, s, rt, tc.slots)
				require.NoError(t, err)
				require.Equal(t, tc.want, got)
			})
		}
	}
}

// TestBoundAggregatesEmpty runs every bound aggregate over an empty batch and an empty slot.
func TestBoundAggregatesEmpty(t *testing.T) {
	mem := newMem(t)
	for _, c := range []struct {
		fn   string
		call CallInfo
	}{
		{"count", CallInfo{Args: []arrow.DataType{Bigint}, Consts: []Const{{}}, Distinct: true}},
		{"approx_count_distinct", callOfTypes(Varchar)},
		{"stddev", callOfTypes(Double)}, {"var_pop", callOfTypes(Bigint)},
		{"p99", callOfTypes(Double)}, {"percentile", withConst(callOfTypes(Bigint), 0.3)},
		{"median", callOfTypes(Double)},
		{"percentile_disc", withConst(callOfTypes(Timestamp), 0.3)},
		{"first", callOfTypes(Varchar)}, {"last", CallInfo{Args: []arrow.DataType{Double},
			Consts: []Const{{}}, EventTime: true}},
		{"rate", CallInfo{Window: WindowInfo{Kind: TumbleWindow, Size: 1e6}}},
	} {
		s, rt, types := bind(t, c.fn, c.call, 1)
		empty := make([][]any, len(types))
		require.NoError(t, feedRows(t, mem, s, types, 3, rows{groups: []uint32{},
			cols: empty}), c.fn)
		got, err := finals(t, mem, s, rt, 1)
		require.NoError(t, err, c.fn)
		switch c.fn {
		case "count", "approx_count_distinct":
			require.Equal(t, anys(int64(0)), got, c.fn)
		case "rate":
			require.Equal(t, anys(0.0), got, c.fn)
		default:
			require.Equal(t, nullRows(1), got, c.fn)
		}
	}
}

func TestBindErrors(t *testing.T) {
	minute := WindowInfo{Kind: TumbleWindow, Size: 60e6}
	tests := []struct {
		fn   string
		call CallInfo
		err  error
		msg  string
	}{
		{"percentile", callOfTypes(Double, Double), ErrInvalidArgument,
			"invalid argument: the fraction of percentile must be a constant"},
		{"percentile", withConst(callOfTypes(Double), 1.5), ErrInvalidArgument,
			"invalid argument: the fraction of percentile must be between 0 and 1, got 1.5"},
		{"percentile_cont", withConst(callOfTypes(Double), nil), ErrInvalidArgument,
			"invalid argument: the fraction of percentile_cont must be a number between 0 " +
				"and 1, got NULL"},
		{"percentile_disc", withConst(callOfTypes(Double), "x"), ErrSignature,
			"percentile_disc expects a numeric fraction, got VARCHAR"},
		{"percentile_cont", callOfTypes(Double), ErrSignature,
			"percentile_cont expects (value, fraction) or (fraction) WITHIN GROUP " +
				"(ORDER BY value)"},
		{"percentile_cont", withConst(callOfTypes(Varchar), 0.5), ErrSignature,
			"percentile_cont expects a numeric, TIMESTAMP or INTERVAL value, got VARCHAR"},
		{"p99", withConst(callOfTypes(Timestamp), 0.5), ErrSignature,
			"p99 expects one argument, got 2"},
		{"percentile", withConst(callOfTypes(Timestamp), 0.5), ErrSignature,
			"percentile estimates within a relative error, which means nothing for a " +
				"TIMESTAMP; use percentile_disc"},
		{"min", CallInfo{Args: []arrow.DataType{Double}, Consts: []Const{{}},
			WithinGroup: true}, ErrInvalidArgument, "invalid argument: min is not an " +
			"ordered-set aggregate; WITHIN GROUP is for percentile_cont and percentile_disc"},
		{"rate", CallInfo{}, ErrInvalidArgument, "invalid argument: rate needs a windowed " +
			"GROUP BY: it divides by the window's length"},
		{"rate", CallInfo{Window: WindowInfo{Kind: CumulateWindow, Size: 1}}, ErrUnsupported,
			"unsupported: rate over CUMULATE windows, whose lengths vary"},
		{"rate", CallInfo{Window: WindowInfo{Kind: SessionWindow, Gap: 1}, EventTime: true,
			Filter: true}, ErrUnsupported,
			"unsupported: rate with FILTER over a SESSION window"},
		{"rate", CallInfo{Args: []arrow.DataType{Bigint}, Consts: []Const{{}}, Window: minute,
			Distinct: true}, ErrUnsupported, "unsupported: rate(DISTINCT ...)"},
		{"first", CallInfo{Args: []arrow.DataType{Bigint}, Consts: []Const{{}},
			Distinct: true}, ErrUnsupported, "unsupported: first(DISTINCT ...)"},
		{"first", callOfTypes(Bigint, Bigint), ErrSignature, "first expects one argument, got 2"},
	}
	reg := NewRegistry()
	for _, tc := range tests {
		t.Run(tc.msg, func(t *testing.T) {
			agg, ok := reg.Aggregate(tc.fn)
			require.True(t, ok)
			_, err := agg.BindCall(tc.call)
			require.ErrorIs(t, err, tc.err)
			require.EqualError(t, err, tc.msg)
		})
	}
}

// TestBoundMergeAndReset checks, for every new aggregate, that splitting rows over two
// states and merging gives what one state gives, that merging into a reset slot copies (as
// the changelog's shadow state does), and that a reset slot is empty.
func TestBoundMergeAndReset(t *testing.T) {
	ts := tsMicros(2024, 3, 1, 0, 0, 0)
	n := 300
	ints, floats, strs, times := make([]any, n), make([]any, n), make([]any, n), make([]any, n)
	for i := range ints {
		x := int64(i*7919%1000) - 200
		ints[i], floats[i], strs[i] = x, float64(x)*1.5+0.25, string(rune('a'+i%20))
		times[i] = ts + int64(i*37%n)*1e6
		if i%11 == 0 {
			ints[i], floats[i], strs[i] = nil, nil, nil
		}
	}
	floats[5] = math.NaN()
	distinct := func(c CallInfo) CallInfo { c.Distinct = true; return c }
	session := WindowInfo{Kind: SessionWindow, Gap: 5e6}
	tests := []struct {
		fn   string
		call CallInfo
		col  []any
	}{
		{"count", distinct(callOfTypes(Varchar)), strs},
		{"sum", distinct(callOfTypes(Bigint)), ints},
		{"approx_count_distinct", callOfTypes(Bigint), ints},
		{"stddev", callOfTypes(Bigint), ints},
		{"var_pop", callOfTypes(Double), floats},
		{"p99", callOfTypes(Bigint), ints},
		{"p50", callOfTypes(Double), floats},
		{"percentile", withConst(callOfTypes(Bigint), 0.37), ints},
		{"median", callOfTypes(Double), floats},
		{"percentile_disc", withConst(callOfTypes(Bigint), 0.9), ints},
		{"first", CallInfo{Args: []arrow.DataType{Varchar}, Consts: []Const{{}},
			EventTime: true}, strs},
		{"last", CallInfo{Args: []arrow.DataType{Double}, Consts: []Const{{}},
			EventTime: true}, floats},
		{"rate", CallInfo{Args: []arrow.DataType{Bigint}, Consts: []Const{{}},
			Window: session, EventTime: true}, ints},
	}
	for _, tc := range tests {
		t.Run(tc.fn, func(t *testing.T) {
			mem := newMem(t)
			whole, rt, types := bind(t, tc.fn, tc.call, 1)
			a, _, _ := bind(t, tc.fn, tc.call, 3)
			b, _, _ := bind(t, tc.fn, tc.call, 2)
			columns := func(lo, hi int) [][]any {
				c := [][]any{tc.col[lo:hi]}
				if len(types) == 2 {
					c = append(c, times[lo:hi])
				}
				return c
			}
			zeros := func(k int) []uint32 { return make([]uint32, k) }
			require.NoError(t, feedRows(t, mem, whole, types, 0, rows{zeros(n), columns(0, n)}))
			// a gets the first rows in slot 1, b the rest in slot 1 (slot 0 is trash).
			require.NoError(t, feedRows(t, mem, a, types, 0,
				rows{fill(120, 1), columns(0, 120)}))
			require.NoError(t, feedRows(t, mem, b, types, 3,
				rows{fill(n-120, 1), columns(120, n)}))
			a.Merge(1, b, 1)
			want, err := finals(t, mem, whole, rt, 1)
			require.NoError(t, err)
			got, err := finals(t, mem, a, rt, 2)
			require.NoError(t, err)
			if tc.fn == "approx_count_distinct" {
				require.InDelta(t, want[0], got[1], 1)
			} else {
				requireClose(t, want[0], got[1])
			}

			// The shadow copy: reset a slot, then merge another state's slot into it.
			a.Reset(2)
			a.Merge(2, whole, 0)
			got, err = finals(t, mem, a, rt, 3)
			require.NoError(t, err)
			require.Equal(t, want[0], got[2])

			a.Reset(1)
			fresh, _, _ := bind(t, tc.fn, tc.call, 1)
			empty, err := finals(t, mem, fresh, rt, 1)
			require.NoError(t, err)
			got, err = finals(t, mem, a, rt, 2)
			require.NoError(t, err)
			require.Equal(t, empty[0], got[1])
			require.Positive(t, a.SizeBytes())
		})
	}
}

// fill returns n copies of slot.
func fill(n int, slot uint32) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = slot
	}
	return out
}

// requireClose compares two results, DOUBLEs within a relative 1e-12 (merging spreads adds
// in another order).
func requireClose(t *testing.T, want, got any) {
	t.Helper()
	w, ok1 := want.(float64)
	g, ok2 := got.(float64)
	if ok1 && ok2 {
		require.InEpsilon(t, w, g, 1e-12)
		return
	}
	require.Equal(t, want, got)
}
