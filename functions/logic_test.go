package functions

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

func TestAndOr(t *testing.T) {
	T, F := true, false
	l := anys(T, T, T, F, F, F, nil, nil, nil)
	r := anys(T, F, nil, T, F, nil, T, F, nil)
	tests := []struct {
		name   string
		f      func(memory.Allocator, arrow.Array, arrow.Array) (arrow.Array, error)
		lt, rt arrow.DataType
		l, r   []any
		want   []any
	}{
		{"and", And, Boolean, Boolean, l, r, anys(T, F, nil, F, F, F, nil, F, nil)},
		{"or", Or, Boolean, Boolean, l, r, anys(T, T, T, T, F, nil, T, nil, nil)},
		{"and null", And, Boolean, Null, anys(T, F, nil), nullRows(3), anys(nil, F, nil)},
		{"or null", Or, Null, Boolean, nullRows(3), anys(T, F, nil), anys(T, nil, nil)},
	}
	for _, tc := range tests {
		for _, pad := range testPads {
			t.Run(subName(tc.name, pad), func(t *testing.T) {
				mem := newMem(t)
				la := newArr(t, mem, tc.lt, pad, tc.l...)
				defer la.Release()
				ra := newArr(t, mem, tc.rt, pad, tc.r...)
				defer ra.Release()
				got, err := tc.f(mem, la, ra)
				require.NoError(t, err)
				defer got.Release()
				checkResult(t, got, Boolean, tc.want)
			})
		}
	}
}

func TestAndRejectsNonBoolean(t *testing.T) {
	mem := newMem(t)
	a := newArr(t, mem, Bigint, 0, int64(1))
	defer a.Release()
	_, err := And(mem, a, a)
	require.ErrorIs(t, err, ErrSignature)
	require.EqualError(t, err, "AND expects BOOLEAN, got BIGINT")
	_, err = Not(mem, a)
	require.ErrorIs(t, err, ErrSignature)
}

func TestNotAndIsNull(t *testing.T) {
	tests := []struct {
		name string
		typ  arrow.DataType
		in   []any
		not  []any
		null []any
	}{
		{"boolean", Boolean, anys(true, false, nil), anys(false, true, nil),
			anys(false, false, true)},
		{"no nulls", Boolean, anys(true, false), anys(false, true), anys(false, false)},
		{"null", Null, nullRows(2), nullRows(2), anys(true, true)},
	}
	for _, tc := range tests {
		for _, pad := range testPads {
			t.Run(subName(tc.name, pad), func(t *testing.T) {
				mem := newMem(t)
				a := newArr(t, mem, tc.typ, pad, tc.in...)
				defer a.Release()

				not, err := Not(mem, a)
				require.NoError(t, err)
				defer not.Release()
				checkResult(t, not, tc.typ, tc.not)

				isNull, err := IsNull(mem, a, false)
				require.NoError(t, err)
				defer isNull.Release()
				checkResult(t, isNull, Boolean, tc.null)

				notNull, err := IsNull(mem, a, true)
				require.NoError(t, err)
				defer notNull.Release()
				want := make([]any, len(tc.null))
				for i, v := range tc.null {
					want[i] = !v.(bool)
				}
				checkResult(t, notNull, Boolean, want)
			})
		}
	}
}

func TestIsNullOfOtherTypes(t *testing.T) {
	for _, pad := range testPads {
		mem := newMem(t)
		a := newArr(t, mem, Varchar, pad, "a", nil, "")
		got, err := IsNull(mem, a, false)
		require.NoError(t, err)
		checkResult(t, got, Boolean, anys(false, true, false))
		got.Release()
		a.Release()
	}
}

func TestConcat(t *testing.T) {
	tests := []struct {
		name   string
		lt, rt arrow.DataType
		l, r   []any
		want   []any
		err    bool
	}{
		{"varchar", Varchar, Varchar, anys("a", "", nil, "é"), anys("b", "", "x", nil),
			anys("ab", "", nil, nil), false},
		{"null", Varchar, Null, anys("a"), nullRows(1), nullRows(1), false},
		{"bigint", Varchar, Bigint, anys("a"), anys(int64(1)), nil, true},
	}
	for _, tc := range tests {
		for _, pad := range testPads {
			t.Run(subName(tc.name, pad), func(t *testing.T) {
				mem := newMem(t)
				l := newArr(t, mem, tc.lt, pad, tc.l...)
				defer l.Release()
				r := newArr(t, mem, tc.rt, pad, tc.r...)
				defer r.Release()
				got, err := Concat(mem, l, r)
				if tc.err {
					require.ErrorIs(t, err, ErrSignature)
					return
				}
				require.NoError(t, err)
				defer got.Release()
				checkResult(t, got, Varchar, tc.want)
			})
		}
	}
}
