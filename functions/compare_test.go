package functions

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"
)

func TestCompare(t *testing.T) {
	nan := math.NaN()
	ts := tsMicros(2024, 5, 1, 12, 0, 0)
	// Each case compares l and r under all six operators; want lists, per operator in the
	// order = <> < <= > >=, the results row by row.
	ops := []string{"=", "<>", "<", "<=", ">", ">="}
	T, F := true, false
	tests := []struct {
		name   string
		lt, rt arrow.DataType
		l, r   []any
		want   [6][]any
	}{
		{"bigint", Bigint, Bigint, anys(int64(1), int64(2), int64(3), nil),
			anys(int64(2), int64(2), int64(2), int64(1)), [6][]any{
				anys(F, T, F, nil), anys(T, F, T, nil), anys(T, F, F, nil),
				anys(T, T, F, nil), anys(F, F, T, nil), anys(F, T, T, nil)}},
		{"double with nan", Double, Double, anys(nan, nan, 1.0, math.Inf(1), -0.0),
			anys(nan, 1.0, nan, nan, 0.0), [6][]any{
				anys(T, F, F, F, T), anys(F, T, T, T, F), anys(F, F, T, T, F),
				anys(T, F, T, T, T), anys(F, T, F, F, F), anys(T, T, F, F, T)}},
		{"mixed numeric", Bigint, Double, anys(int64(1), int64(2), nil),
			anys(1.0, 2.5, 3.0), [6][]any{
				anys(T, F, nil), anys(F, T, nil), anys(F, T, nil),
				anys(T, T, nil), anys(F, F, nil), anys(T, F, nil)}},
		{"varchar", Varchar, Varchar, anys("a", "b", "", "ab"), anys("b", "b", "a", "a"),
			[6][]any{
				anys(F, T, F, F), anys(T, F, T, T), anys(T, F, T, F),
				anys(T, T, T, F), anys(F, F, F, T), anys(F, T, F, T)}},
		{"timestamp", Timestamp, Timestamp, anys(ts, ts), anys(ts, ts+1), [6][]any{
			anys(T, F), anys(F, T), anys(F, T), anys(T, T), anys(F, F), anys(T, F)}},
		{"interval", Interval, Interval, anys(int64(-1)), anys(int64(1)), [6][]any{
			anys(F), anys(T), anys(T), anys(T), anys(F), anys(F)}},
		{"boolean", Boolean, Boolean, anys(F, F, T, T, nil), anys(F, T, F, T, T), [6][]any{
			anys(T, F, F, T, nil), anys(F, T, T, F, nil), anys(F, T, F, F, nil),
			anys(T, T, F, T, nil), anys(F, F, T, F, nil), anys(T, F, T, T, nil)}},
		{"null", Null, Bigint, nullRows(2), anys(int64(1), nil), [6][]any{
			nullRows(2), nullRows(2), nullRows(2), nullRows(2), nullRows(2), nullRows(2)}},
	}
	for _, tc := range tests {
		for _, pad := range testPads {
			for k, op := range ops {
				t.Run(subName(tc.name+op, pad), func(t *testing.T) {
					mem := newMem(t)
					l := newArr(t, mem, tc.lt, pad, tc.l...)
					defer l.Release()
					r := newArr(t, mem, tc.rt, pad, tc.r...)
					defer r.Release()
					require.NoError(t, CompareType(tc.lt, tc.rt))
					got, err := Compare(mem, op, l, r)
					require.NoError(t, err)
					defer got.Release()
					checkResult(t, got, Boolean, tc.want[k])
				})
			}
		}
	}
}

func TestCompareLongBatch(t *testing.T) {
	// Many rows, so that bit packing crosses bytes and words.
	mem := newMem(t)
	n := 200
	l, r, want := make([]any, n), make([]any, n), make([]any, n)
	for i := range l {
		l[i], r[i] = int64(i%7), int64(i%5)
		want[i] = i%7 < i%5
		if i%11 == 0 {
			l[i], want[i] = nil, nil
		}
	}
	for _, pad := range testPads {
		la := newArr(t, mem, Bigint, pad, l...)
		ra := newArr(t, mem, Bigint, pad, r...)
		got, err := Compare(mem, "<", la, ra)
		require.NoError(t, err)
		checkResult(t, got, Boolean, want)
		got.Release()
		la.Release()
		ra.Release()
	}
}

func TestCompareType(t *testing.T) {
	tests := []struct {
		l, r arrow.DataType
		ok   bool
	}{
		{Bigint, Double, true},
		{Varchar, Varchar, true},
		{Null, Varchar, true},
		{Boolean, Boolean, true},
		{Timestamp, Timestamp, true},
		{Varchar, Bigint, false},
		{Timestamp, Bigint, false},
		{Timestamp, Interval, false},
		{Boolean, Bigint, false},
	}
	for _, tc := range tests {
		t.Run(TypeName(tc.l)+"_"+TypeName(tc.r), func(t *testing.T) {
			err := CompareType(tc.l, tc.r)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrSignature)
			require.Contains(t, err.Error(), "cannot compare")
		})
	}
}

func TestCompareErrors(t *testing.T) {
	mem := newMem(t)
	a := newArr(t, mem, Varchar, 0, "a")
	defer a.Release()
	b := newArr(t, mem, Bigint, 0, int64(1))
	defer b.Release()
	_, err := Compare(mem, "=", a, b)
	require.ErrorIs(t, err, ErrSignature)
	_, err = Compare(mem, "~", b, b)
	require.ErrorIs(t, err, ErrSignature)
}
