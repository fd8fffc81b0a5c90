package functions

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// aggBatch is one batch of an aggregate test: the group slot of each row and its argument.
type aggBatch struct {
	groups []uint32
	vals   []any
}

// newAgg looks an aggregate up, resolves it for argTypes and makes its state for slots.
func newAgg(t *testing.T, fn string, argTypes []arrow.DataType,
	slots int) (AggState, arrow.DataType) {
	t.Helper()
	agg, ok := NewRegistry().Aggregate(fn)
	require.True(t, ok, fn)
	rt, err := agg.Resolve(argTypes)
	require.NoError(t, err)
	s := agg.New(argTypes)
	s.Grow(slots)
	return s, rt
}

// feed runs Update over each batch, building its argument at the given pad.
func feed(t *testing.T, mem memory.Allocator, s AggState, argTypes []arrow.DataType,
	pad int, batches []aggBatch) error {
	t.Helper()
	for _, b := range batches {
		var args []arrow.Array
		if len(argTypes) == 1 {
			a := newArr(t, mem, argTypes[0], pad, b.vals...)
			defer a.Release()
			args = []arrow.Array{a}
		}
		if err := s.Update(b.groups, args); err != nil {
			return err
		}
	}
	return nil
}

// finals appends the final value of every slot and reads them back.
func finals(t *testing.T, mem memory.Allocator, s AggState, rt arrow.DataType,
	slots int) ([]any, error) {
	t.Helper()
	b := array.NewBuilder(mem, rt)
	defer b.Release()
	for slot := 0; slot < slots; slot++ {
		if err := s.Append(b, uint32(slot)); err != nil {
			return nil, err
		}
	}
	a := b.NewArray()
	defer a.Release()
	return goValues(t, a), nil
}

func TestAggregates(t *testing.T) {
	nan := math.NaN()
	ts := tsMicros(2024, 3, 1, 0, 0, 0)
	g := func(slots ...uint32) []uint32 { return slots }
	tests := []struct {
		name    string
		fn      string
		arg     arrow.DataType // nil for count(*)
		slots   int
		batches []aggBatch
		want    []any
		err     error
	}{
		{"count star", "count", nil, 3, []aggBatch{{g(0, 1, 0), nil}, {g(0), nil}},
			anys(int64(3), int64(1), int64(0)), nil},
		{"count x", "count", Bigint, 3, []aggBatch{
			{g(0, 1, 0, 2), anys(int64(1), nil, nil, int64(4))}, {g(1), anys(int64(2))}},
			anys(int64(1), int64(1), int64(1)), nil},
		{"count varchar", "count", Varchar, 2, []aggBatch{{g(0, 0, 1), anys("a", "", nil)}},
			anys(int64(2), int64(0)), nil},
		{"count null", "count", Null, 1, []aggBatch{{g(0, 0), nullRows(2)}},
			anys(int64(0)), nil},
		{"sum bigint", "sum", Bigint, 3, []aggBatch{
			{g(0, 1, 0), anys(int64(1), nil, int64(2))}, {g(0, 2), anys(int64(-10), int64(5))}},
			anys(int64(-7), nil, int64(5)), nil},
		{"sum passes the limit and comes back", "sum", Bigint, 2, []aggBatch{
			{g(0, 0, 1, 1), anys(maxI, int64(10), minI, int64(-1))},
			{g(0, 1), anys(int64(-20), int64(2))}},
			anys(maxI-10, minI+1), nil},
		{"sum many large values", "sum", Bigint, 1, []aggBatch{
			{g(0, 0, 0, 0), anys(maxI, maxI, maxI, maxI)},
			{g(0, 0, 0, 0), anys(minI+1, minI+1, minI+1, minI+1)}},
			anys(int64(0)), nil},
		{"sum overflows", "sum", Bigint, 1, []aggBatch{{g(0, 0), anys(maxI, int64(1))}},
			nil, ErrOverflow},
		{"sum overflows below", "sum", Bigint, 1, []aggBatch{{g(0, 0), anys(minI, int64(-1))}},
			nil, ErrOverflow},
		{"sum double", "sum", Double, 2, []aggBatch{{g(0, 0, 1), anys(0.5, 0.25, nil)}},
			anys(0.75, nil), nil},
		{"sum interval", "sum", Interval, 1, []aggBatch{{g(0, 0), anys(int64(5e6), int64(7))}},
			anys(int64(5e6 + 7)), nil},
		{"sum null", "sum", Null, 1, []aggBatch{{g(0), nullRows(1)}}, nullRows(1), nil},
		{"avg bigint", "avg", Bigint, 3, []aggBatch{
			{g(0, 0, 1), anys(int64(1), int64(2), nil)}, {g(2), anys(int64(-5))}},
			anys(1.5, nil, -5.0), nil},
		{"avg never overflows", "avg", Bigint, 2, []aggBatch{
			{g(0, 0, 1, 1, 1), anys(maxI, maxI, minI, minI, minI)}},
			anys(float64(maxI), float64(minI)), nil},
		{"avg double", "avg", Double, 1, []aggBatch{{g(0, 0, 0), anys(1.0, nil, 2.0)}},
			anys(1.5), nil},
		{"avg null", "avg", Null, 1, []aggBatch{{g(0), nullRows(1)}}, nullRows(1), nil},
		{"min bigint", "min", Bigint, 3, []aggBatch{
			{g(0, 0, 1), anys(int64(3), int64(-2), nil)}, {g(0, 2), anys(int64(7), maxI)}},
			anys(int64(-2), nil, maxI), nil},
		{"max bigint", "max", Bigint, 3, []aggBatch{
			{g(0, 0, 1), anys(int64(3), int64(-2), nil)}, {g(0, 2), anys(int64(7), minI)}},
			anys(int64(7), nil, minI), nil},
		{"min double ignores nan", "min", Double, 3, []aggBatch{
			{g(0, 0, 0, 1, 1, 2), anys(nan, 2.0, nan, nan, nan, math.Inf(-1))}},
			anys(2.0, "NaN", math.Inf(-1)), nil},
		{"max double takes nan", "max", Double, 3, []aggBatch{
			{g(0, 0, 0, 1, 2), anys(1.0, nan, 3.0, math.Inf(-1), nil)}},
			anys("NaN", math.Inf(-1), nil), nil},
		{"min varchar", "min", Varchar, 2, []aggBatch{
			{g(0, 0, 1), anys("pear", "apple", nil)}, {g(0, 1), anys("banana", "")}},
			anys("apple", ""), nil},
		{"max varchar", "max", Varchar, 2, []aggBatch{
			{g(0, 0, 1), anys("pear", "apple", nil)}, {g(0), anys("pearl")}},
			anys("pearl", nil), nil},
		{"min timestamp", "min", Timestamp, 1, []aggBatch{{g(0, 0), anys(ts, ts-1)}},
			anys(ts - 1), nil},
		{"max timestamp", "max", Timestamp, 1, []aggBatch{{g(0, 0), anys(ts, ts-1)}},
			anys(ts), nil},
		{"max interval", "max", Interval, 1, []aggBatch{{g(0, 0), anys(int64(1), int64(2))}},
			anys(int64(2)), nil},
		{"min boolean", "min", Boolean, 3, []aggBatch{
			{g(0, 0, 1, 2), anys(true, false, true, nil)}}, anys(false, true, nil), nil},
		{"max boolean", "max", Boolean, 3, []aggBatch{
			{g(0, 0, 1, 2), anys(true, false, false, nil)}}, anys(true, false, nil), nil},
		{"min null", "min", Null, 1, []aggBatch{{g(0), nullRows(1)}}, nullRows(1), nil},
	}
	for _, tc := range tests {
		for _, pad := range testPads {
			t.Run(subName(tc.name, pad), func(t *testing.T) {
				mem := newMem(t)
				var argTypes []arrow.DataType
				if tc.arg != nil {
					argTypes = []arrow.DataType{tc.arg}
				}
				s, rt := newAgg(t, tc.fn, argTypes, tc.slots)
				require.NoError(t, feed(t, mem, s, argTypes, pad, tc.batches))
				got, err := finals(t, mem, s, rt, tc.slots)
				if tc.err != nil {
					require.ErrorIs(t, err, tc.err)
					return
				}
				require.NoError(t, err)
				require.Equal(t, tc.want, got)
				if tc.arg == nil || !isNullType(tc.arg) {
					require.Positive(t, s.SizeBytes())
				}
			})
		}
	}
}

func TestAggregateMergeAndReset(t *testing.T) {
	tests := []struct {
		fn    string
		arg   arrow.DataType
		a, b  []any // values of slot 0 in two states
		want  any   // after merging b's slot 0 into a's slot 1 and a's slot 0
		empty any   // the final value of a reset slot
	}{
		{"count", Bigint, anys(int64(1), nil), anys(int64(2), int64(3)), int64(3), int64(0)},
		{"sum", Bigint, anys(maxI, int64(1)), anys(int64(-1), int64(-1)), maxI - 1, nil},
		{"sum", Double, anys(1.5), anys(2.0), 3.5, nil},
		{"avg", Bigint, anys(int64(1)), anys(int64(2), int64(6)), 3.0, nil},
		{"avg", Double, anys(1.0), anys(2.0), 1.5, nil},
		{"min", Bigint, anys(int64(5)), anys(int64(7), int64(3)), int64(3), nil},
		{"max", Double, anys(5.0), anys(math.NaN()), "NaN", nil},
		{"min", Double, anys(5.0), anys(math.NaN()), 5.0, nil},
		{"max", Varchar, anys("b"), anys("a", "c"), "c", nil},
		{"min", Boolean, anys(true), anys(false), false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.fn+"_"+TypeName(tc.arg), func(t *testing.T) {
			mem := newMem(t)
			types := []arrow.DataType{tc.arg}
			a, rt := newAgg(t, tc.fn, types, 2)
			b, _ := newAgg(t, tc.fn, types, 1)
			require.NoError(t, feed(t, mem, a, types, 0,
				[]aggBatch{{make([]uint32, len(tc.a)), tc.a}}))
			require.NoError(t, feed(t, mem, b, types, 0,
				[]aggBatch{{make([]uint32, len(tc.b)), tc.b}}))

			// Slot 1 of a is empty: merging into it copies; merging into slot 0 combines.
			a.Merge(1, b, 0)
			a.Merge(0, b, 0)
			got, err := finals(t, mem, a, rt, 2)
			require.NoError(t, err)
			single, err := finals(t, mem, b, rt, 1)
			require.NoError(t, err)
			require.Equal(t, single[0], got[1])
			require.Equal(t, tc.want, got[0])

			// Merging an empty slot changes nothing.
			a.Grow(3)
			a.Merge(0, a, 2)
			again, err := finals(t, mem, a, rt, 1)
			require.NoError(t, err)
			require.Equal(t, tc.want, again[0])

			a.Reset(0)
			got, err = finals(t, mem, a, rt, 1)
			require.NoError(t, err)
			require.Equal(t, tc.empty, got[0])

			// A reset slot starts afresh.
			require.NoError(t, feed(t, mem, a, types, 0, []aggBatch{{[]uint32{0}, tc.b[:1]}}))
			got, err = finals(t, mem, a, rt, 1)
			require.NoError(t, err)
			first, err := finals(t, mem, func() AggState {
				s, _ := newAgg(t, tc.fn, types, 1)
				require.NoError(t, feed(t, mem, s, types, 0,
					[]aggBatch{{[]uint32{0}, tc.b[:1]}}))
				return s
			}(), rt, 1)
			require.NoError(t, err)
			require.Equal(t, first, got)
		})
	}
}

func TestMinMaxVarcharCopiesValues(t *testing.T) {
	mem := newMem(t)
	for _, fn := range []string{"min", "max"} {
		s, rt := newAgg(t, fn, []arrow.DataType{Varchar}, 1)
		a := newArr(t, mem, Varchar, 0, "kept")
		require.NoError(t, s.Update([]uint32{0}, []arrow.Array{a}))
		copy(a.Data().Buffers()[2].Bytes(), "zzzz") // the batch's buffer is reused
		a.Release()
		got, err := finals(t, mem, s, rt, 1)
		require.NoError(t, err)
		require.Equal(t, anys("kept"), got)
	}
}

func TestAggregateUpdateDoesNotAllocate(t *testing.T) {
	mem := newMem(t)
	n := 4096
	groups := make([]uint32, n)
	ints, floats, strs, bools := make([]any, n), make([]any, n), make([]any, n), make([]any, n)
	for i := range groups {
		groups[i] = uint32(i % 16)
		ints[i], floats[i] = int64(i), float64(i)
		strs[i], bools[i] = string(rune('a'+i%26)), i%3 == 0
		if i%7 == 0 {
			ints[i], floats[i], strs[i], bools[i] = nil, nil, nil, nil
		}
	}
	tests := []struct {
		fn   string
		typ  arrow.DataType
		vals []any
	}{
		{"count", nil, nil}, {"count", Bigint, ints},
		{"sum", Bigint, ints}, {"sum", Double, floats},
		{"avg", Bigint, ints}, {"avg", Double, floats},
		{"min", Bigint, ints}, {"max", Double, floats}, {"max", Timestamp, ints},
		{"min", Varchar, strs}, {"max", Boolean, bools},
	}
	for _, tc := range tests {
		t.Run(tc.fn+"_"+subName(TypeName(orNull(tc.typ)), 3), func(t *testing.T) {
			var types []arrow.DataType
			var args []arrow.Array
			if tc.typ != nil {
				types = []arrow.DataType{tc.typ}
				a := newArr(t, mem, tc.typ, 3, tc.vals...)
				defer a.Release()
				args = []arrow.Array{a}
			}
			s, _ := newAgg(t, tc.fn, types, 16)
			require.NoError(t, s.Update(groups, args)) // warm up: strings reach their size
			allocs := testing.AllocsPerRun(20, func() {
				if err := s.Update(groups, args); err != nil {
					t.Fatal(err)
				}
			})
			require.Zero(t, allocs)
		})
	}
}

// orNull is t, or NULL for nil.
func orNull(t arrow.DataType) arrow.DataType {
	if t == nil {
		return Null
	}
	return t
}

func TestAggregateResolve(t *testing.T) {
	tests := []struct {
		fn   string
		args []arrow.DataType
		want arrow.DataType
		err  string
	}{
		{"count", nil, Bigint, ""},
		{"count", []arrow.DataType{Varchar}, Bigint, ""},
		{"count", []arrow.DataType{Varchar, Bigint}, nil,
			"count expects one argument or *, got 2"},
		{"sum", []arrow.DataType{Bigint}, Bigint, ""},
		{"sum", []arrow.DataType{Double}, Double, ""},
		{"sum", []arrow.DataType{Varchar}, nil, "sum expects a numeric argument, got VARCHAR"},
		{"sum", nil, nil, "sum expects one argument, got 0"},
		{"avg", []arrow.DataType{Bigint}, Double, ""},
		{"avg", []arrow.DataType{Timestamp}, nil,
			"avg expects a numeric argument, got TIMESTAMP"},
		{"min", []arrow.DataType{Timestamp}, Timestamp, ""},
		{"max", []arrow.DataType{Varchar}, Varchar, ""},
		{"max", []arrow.DataType{Bigint, Bigint}, nil, "max expects one argument, got 2"},
	}
	r := NewRegistry()
	for _, tc := range tests {
		t.Run(tc.fn, func(t *testing.T) {
			agg, ok := r.Aggregate(tc.fn)
			require.True(t, ok)
			got, err := agg.Resolve(tc.args)
			if tc.err != "" {
				require.ErrorIs(t, err, ErrSignature)
				require.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, TypeName(tc.want), TypeName(got))
		})
	}
}

func TestAggregateUpdateErrors(t *testing.T) {
	mem := newMem(t)
	s, _ := newAgg(t, "sum", []arrow.DataType{Bigint}, 1)
	a := newArr(t, mem, Varchar, 0, "x")
	defer a.Release()
	require.Error(t, s.Update([]uint32{0}, []arrow.Array{a}))
	b := newArr(t, mem, Bigint, 0, int64(1), int64(2))
	defer b.Release()
	require.Error(t, s.Update([]uint32{0}, []arrow.Array{b}))

	fb := array.NewFloat64Builder(mem)
	defer fb.Release()
	require.Error(t, s.Append(fb, 0))
}

func BenchmarkSumBigintUpdate(b *testing.B) {
	benchUpdate(b, "sum", Bigint)
}

func BenchmarkMaxDoubleUpdate(b *testing.B) {
	benchUpdate(b, "max", Double)
}

// benchUpdate measures Update over batches of 4096 rows in 1,000 groups.
func benchUpdate(b *testing.B, fn string, typ arrow.DataType) {
	n := 4096
	groups := make([]uint32, n)
	bld := array.NewBuilder(memory.DefaultAllocator, typ)
	for i := range groups {
		groups[i] = uint32(i * 7919 % 1000)
		if i%10 == 0 {
			bld.AppendNull()
			continue
		}
		switch bld := bld.(type) {
		case *array.Int64Builder:
			bld.Append(int64(i))
		case *array.Float64Builder:
			bld.Append(float64(i))
		}
	}
	a := bld.NewArray()
	agg, _ := NewRegistry().Aggregate(fn)
	s := agg.New([]arrow.DataType{typ})
	s.Grow(1000)
	b.SetBytes(int64(n))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = s.Update(groups, []arrow.Array{a})
	}
}
