package functions

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

const (
	maxI = int64(math.MaxInt64)
	minI = int64(math.MinInt64)
)

func TestArith(t *testing.T) {
	ts := tsMicros(2024, 1, 1, 0, 0, 0)
	tests := []struct {
		name   string
		op     string
		lt, rt arrow.DataType
		l, r   []any
		want   []any
		wantT  arrow.DataType
		err    error
	}{
		{"add", "+", Bigint, Bigint, anys(int64(1), nil, int64(3), int64(-5)),
			anys(int64(2), int64(4), nil, int64(5)), anys(int64(3), nil, nil, int64(0)), Bigint,
			nil},
		{"sub", "-", Bigint, Bigint, anys(int64(1), minI+1), anys(int64(3), int64(1)),
			anys(int64(-2), minI), Bigint, nil},
		{"mul", "*", Bigint, Bigint, anys(int64(-4), int64(1)<<31, maxI),
			anys(int64(3), int64(1)<<31, int64(-1)), anys(int64(-12), int64(1)<<62, -maxI),
			Bigint, nil},
		{"div is double", "/", Bigint, Bigint, anys(int64(7), int64(1), int64(-7), int64(5)),
			anys(int64(2), int64(0), int64(2), nil), anys(3.5, nil, -3.5, nil), Double, nil},
		{"intdiv truncates", "//", Bigint, Bigint,
			anys(int64(7), int64(-7), int64(7), minI, int64(0)),
			anys(int64(2), int64(2), int64(0), int64(1), int64(-1)),
			anys(int64(3), int64(-3), nil, minI, int64(0)), Bigint, nil},
		{"mod takes dividend sign", "%", Bigint, Bigint,
			anys(int64(7), int64(-7), int64(7), minI, int64(5)),
			anys(int64(2), int64(2), int64(0), int64(-1), int64(-3)),
			anys(int64(1), int64(-1), nil, int64(0), int64(2)), Bigint, nil},
		{"add overflows", "+", Bigint, Bigint, anys(int64(1), maxI), anys(int64(1), int64(1)),
			nil, nil, ErrOverflow},
		{"sub overflows", "-", Bigint, Bigint, anys(minI), anys(int64(1)), nil, nil, ErrOverflow},
		{"mul overflows", "*", Bigint, Bigint, anys(maxI), anys(int64(2)), nil, nil, ErrOverflow},
		{"mul min by -1", "*", Bigint, Bigint, anys(minI), anys(int64(-1)), nil, nil,
			ErrOverflow},
		{"intdiv min by -1", "//", Bigint, Bigint, anys(minI), anys(int64(-1)), nil, nil,
			ErrOverflow},
		{"mixed", "+", Bigint, Double, anys(int64(1), int64(2)), anys(0.5, nil),
			anys(1.5, nil), Double, nil},
		{"double div by zero", "/", Double, Double, anys(1.0, 0.0, -1.0), anys(0.0, 0.0, 4.0),
			anys(nil, nil, -0.25), Double, nil},
		{"double intdiv", "//", Double, Bigint, anys(7.5, -7.5, 1.0), anys(int64(2), int64(2),
			int64(0)), anys(3.0, -3.0, nil), Double, nil},
		{"double mod", "%", Double, Double, anys(7.5, -7.5), anys(2.0, 2.0), anys(1.5, -1.5),
			Double, nil},
		{"double nan", "*", Double, Double, anys(math.NaN(), math.Inf(1)), anys(1.0, 0.0),
			anys("NaN", "NaN"), Double, nil},
		{"ts plus interval", "+", Timestamp, Interval, anys(ts, nil), anys(int64(5e6), int64(1)),
			anys(ts+5e6, nil), Timestamp, nil},
		{"interval plus ts", "+", Interval, Timestamp, anys(int64(-1)), anys(ts),
			anys(ts - 1), Timestamp, nil},
		{"ts minus interval", "-", Timestamp, Interval, anys(ts), anys(int64(60e6)),
			anys(ts - 60e6), Timestamp, nil},
		{"ts minus ts", "-", Timestamp, Timestamp, anys(ts), anys(ts - 90e6), anys(int64(90e6)),
			Interval, nil},
		{"interval sum", "+", Interval, Interval, anys(int64(1)), anys(int64(2)),
			anys(int64(3)), Interval, nil},
		{"interval difference", "-", Interval, Interval, anys(int64(1)), anys(int64(2)),
			anys(int64(-1)), Interval, nil},
		{"interval times n", "*", Interval, Bigint, anys(int64(15e6)), anys(int64(4)),
			anys(int64(60e6)), Interval, nil},
		{"n times interval", "*", Bigint, Interval, anys(int64(4)), anys(int64(15e6)),
			anys(int64(60e6)), Interval, nil},
		{"ts overflow", "+", Timestamp, Interval, anys(maxI - 1), anys(int64(2)), nil, nil,
			ErrOverflow},
		{"null left", "+", Null, Bigint, nullRows(2), anys(int64(1), nil), nullRows(2), Bigint,
			nil},
		{"null right of ts", "-", Timestamp, Null, anys(ts), nullRows(1), nullRows(1),
			Timestamp, nil},
		{"null both", "*", Null, Null, nullRows(3), nullRows(3), nullRows(3), Null, nil},
		{"null divides", "/", Bigint, Null, anys(int64(1)), nullRows(1), nullRows(1), Double,
			nil},
		{"varchar", "+", Varchar, Bigint, anys("a"), anys(int64(1)), nil, nil, ErrSignature},
		{"ts plus ts", "+", Timestamp, Timestamp, anys(ts), anys(ts), nil, nil, ErrSignature},
		{"interval div", "/", Interval, Bigint, anys(int64(1)), anys(int64(1)), nil, nil,
			ErrSignature},
		{"unknown op", "^", Bigint, Bigint, anys(int64(1)), anys(int64(1)), nil, nil,
			ErrSignature},
	}
	for _, tc := range tests {
		for _, pad := range testPads {
			t.Run(subName(tc.name, pad), func(t *testing.T) {
				mem := newMem(t)
				l := newArr(t, mem, tc.lt, pad, tc.l...)
				defer l.Release()
				r := newArr(t, mem, tc.rt, pad, tc.r...)
				defer r.Release()

				typ, terr := ArithType(tc.op, tc.lt, tc.rt)
				got, err := Arith(mem, tc.op, l, r)
				if tc.err != nil {
					require.ErrorIs(t, err, tc.err)
					if tc.err == ErrSignature {
						require.ErrorIs(t, terr, ErrSignature)
					}
					return
				}
				require.NoError(t, err)
				require.NoError(t, terr)
				defer got.Release()
				require.Equal(t, TypeName(tc.wantT), TypeName(typ))
				checkResult(t, got, tc.wantT, tc.want)
			})
		}
	}
}

// withNullAt returns a copy of a whose rows at idx are NULL, keeping the values under them.
func withNullAt(t *testing.T, mem memory.Allocator, a arrow.Array, idx ...int) arrow.Array {
	t.Helper()
	require.Zero(t, a.Data().Offset())
	valid := newBitmap(mem, a.Len())
	defer valid.Release()
	bitutil.SetBitsTo(valid.Bytes(), 0, int64(a.Len()), true)
	for _, i := range idx {
		bitutil.ClearBit(valid.Bytes(), i)
	}
	bufs := append([]*memory.Buffer{valid}, a.Data().Buffers()[1:]...)
	d := array.NewData(a.DataType(), a.Len(), bufs, nil, len(idx), 0)
	defer d.Release()
	return array.MakeFromData(d)
}

func TestArithOverflowUnderNullIsNotAnError(t *testing.T) {
	tests := []struct {
		op   string
		x, y int64
	}{{"+", maxI, 1}, {"-", minI, 1}, {"*", maxI, 2}, {"//", minI, -1}}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			mem := newMem(t)
			l := newArr(t, mem, Bigint, 0, tc.x, int64(6))
			defer l.Release()
			raw := newArr(t, mem, Bigint, 0, tc.y, int64(3))
			defer raw.Release()
			r := withNullAt(t, mem, raw, 0)
			defer r.Release()

			_, err := Arith(mem, tc.op, l, raw)
			require.ErrorIs(t, err, ErrOverflow)
			got, err := Arith(mem, tc.op, l, r)
			require.NoError(t, err)
			defer got.Release()
			require.Nil(t, goValues(t, got)[0])
			require.NotNil(t, goValues(t, got)[1])
		})
	}
}

func TestArithLengthMismatch(t *testing.T) {
	mem := newMem(t)
	l := newArr(t, mem, Bigint, 0, int64(1), int64(2))
	defer l.Release()
	r := newArr(t, mem, Bigint, 0, int64(1))
	defer r.Release()
	_, err := Arith(mem, "+", l, r)
	require.Error(t, err)
}

func TestNegate(t *testing.T) {
	tests := []struct {
		name string
		typ  arrow.DataType
		in   []any
		want []any
		err  error
	}{
		{"bigint", Bigint, anys(int64(1), nil, int64(-3), maxI), anys(int64(-1), nil, int64(3),
			-maxI), nil},
		{"double", Double, anys(1.5, nil, math.Inf(1)), anys(-1.5, nil, math.Inf(-1)), nil},
		{"interval", Interval, anys(int64(5)), anys(int64(-5)), nil},
		{"null", Null, nullRows(2), nullRows(2), nil},
		{"overflow", Bigint, anys(int64(1), minI), nil, ErrOverflow},
		{"varchar", Varchar, anys("a"), nil, ErrSignature},
		{"timestamp", Timestamp, anys(int64(1)), nil, ErrSignature},
	}
	for _, tc := range tests {
		for _, pad := range testPads {
			t.Run(subName(tc.name, pad), func(t *testing.T) {
				mem := newMem(t)
				a := newArr(t, mem, tc.typ, pad, tc.in...)
				defer a.Release()
				got, err := Negate(mem, a)
				if tc.err != nil {
					require.ErrorIs(t, err, tc.err)
					return
				}
				require.NoError(t, err)
				defer got.Release()
				checkResult(t, got, tc.typ, tc.want)
			})
		}
	}
}

func TestNegateMinUnderNull(t *testing.T) {
	mem := newMem(t)
	raw := newArr(t, mem, Bigint, 0, minI, int64(2))
	defer raw.Release()
	a := withNullAt(t, mem, raw, 0)
	defer a.Release()
	got, err := Negate(mem, a)
	require.NoError(t, err)
	defer got.Release()
	checkResult(t, got, Bigint, anys(nil, int64(-2)))
}

func TestConstant(t *testing.T) {
	tests := []struct {
		name string
		typ  arrow.DataType
		v    any
		want any
		err  bool
	}{
		{"bigint", Bigint, int64(7), int64(7), false},
		{"double", Double, 2.5, 2.5, false},
		{"double from int", Double, int64(2), 2.0, false},
		{"varchar", Varchar, "ab", "ab", false},
		{"empty varchar", Varchar, "", "", false},
		{"true", Boolean, true, true, false},
		{"false", Boolean, false, false, false},
		{"timestamp", Timestamp, int64(1e6), int64(1e6), false},
		{"interval", Interval, int64(-5), int64(-5), false},
		{"null bigint", Bigint, nil, nil, false},
		{"null", Null, nil, nil, false},
		{"mismatch", Bigint, "1", nil, true},
		{"bool mismatch", Boolean, int64(1), nil, true},
		{"value for null", Null, int64(1), nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := newMem(t)
			for _, n := range []int{0, 1, 9} {
				got, err := Constant(mem, tc.typ, tc.v, n)
				if tc.err {
					require.Error(t, err)
					return
				}
				require.NoError(t, err)
				want := make([]any, n)
				for i := range want {
					want[i] = tc.want
				}
				checkResult(t, got, tc.typ, want)
				got.Release()
			}
		})
	}
}

// benchArrays builds two arrays of 4096 rows of typ, one row in ten NULL.
func benchArrays(b *testing.B, typ arrow.DataType) (arrow.Array, arrow.Array) {
	b.Helper()
	mk := func(seed int) arrow.Array {
		bld := array.NewBuilder(memory.DefaultAllocator, typ)
		defer bld.Release()
		for i := 0; i < 4096; i++ {
			switch bld := bld.(type) {
			case *array.Int64Builder:
				bld.Append(int64(i * seed))
			case *array.Float64Builder:
				bld.Append(float64(i * seed))
			}
			if i%10 == seed {
				bld.AppendNull()
			}
		}
		a := bld.NewArray()
		return array.NewSlice(a, 0, 4096)
	}
	return mk(1), mk(3)
}

func BenchmarkArithAddBigint(b *testing.B) {
	l, r := benchArrays(b, Bigint)
	b.SetBytes(4096)
	for i := 0; i < b.N; i++ {
		out, err := Arith(memory.DefaultAllocator, "+", l, r)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}

func BenchmarkCompareDouble(b *testing.B) {
	l, r := benchArrays(b, Double)
	b.SetBytes(4096)
	for i := 0; i < b.N; i++ {
		out, err := Compare(memory.DefaultAllocator, "<", l, r)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
}
