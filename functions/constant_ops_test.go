package functions

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// TestConstOps checks that the kernels with a constant operand give what Arith and Compare
// give with the constant broadcast, on both sides, at every offset, NULLs included, and that
// they decline the cases they leave to them.
func TestConstOps(t *testing.T) {
	ints := []any{int64(7), nil, int64(-246), int64(0), int64(math.MaxInt64 / 2), int64(123),
		int64(-1), int64(math.MinInt64 + 5), int64(9), int64(10), int64(11)}
	floats := []any{1.5, nil, -0.25, 0.0, 1e300, math.Inf(1), 123.0, -7.0, 2.5}
	consts := []any{int64(123), int64(-7), int64(1), int64(0), int64(-1), 0.908, -2.5, 0.0,
		int64(math.MaxInt64)}
	ops := []string{"+", "-", "*", "/", "//", "%", "=", "<>", "<", "<=", ">", ">="}
	taken := 0
	for _, pad := range testPads {
		for _, in := range []struct {
			t    arrow.DataType
			vals []any
		}{{Bigint, ints}, {Double, floats}} {
			for _, c := range consts {
				for _, op := range ops {
					for _, left := range []bool{false, true} {
						if checkConstOp(t, op, in.t, in.vals, pad, c, left) {
							taken++
						}
					}
				}
			}
		}
	}
	require.Greater(t, taken, 300, "cases the kernels took")
}

// checkConstOp compares one case and reports whether the kernel took it.
func checkConstOp(t *testing.T, op string, typ arrow.DataType, vals []any, pad int, c any,
	left bool) bool {
	t.Helper()
	mem := newMem(t)
	a := newArr(t, mem, typ, pad, vals...)
	defer a.Release()
	ct := Bigint
	if _, ok := c.(float64); ok {
		ct = Double
	}
	k, err := Constant(mem, ct, c, a.Len())
	require.NoError(t, err)
	defer k.Release()
	l, r := a, k
	if left {
		l, r = k, a
	}

	cmp := op == "=" || op == "<>" || op == "<" || op == "<=" || op == ">" || op == ">="
	var got, want any
	var ok bool
	var werr error
	if cmp {
		out, okc := CompareConst(mem, op, a, c, left)
		ok = okc
		if ok {
			got = goValues(t, out)
			out.Release()
		}
		w, err := Compare(mem, op, l, r)
		werr = err
		if err == nil {
			want = goValues(t, w)
			w.Release()
		}
	} else {
		out, oka := ArithConst(mem, op, a, c, left)
		ok = oka
		if ok {
			require.True(t, arrow.TypeEqual(mustArithType(t, op, l, r), out.DataType()))
			got = goValues(t, out)
			out.Release()
		}
		w, err := Arith(mem, op, l, r)
		werr = err
		if err == nil {
			want = goValues(t, w)
			w.Release()
		}
	}
	if !ok {
		return false
	}
	require.NoError(t, werr, "%v %s %v (const left %v): taken but Arith fails", typ, op, c, left)
	require.Equal(t, want, got, "%v %s %v (const left %v), pad %d", typ, op, c, left, pad)
	return true
}

func mustArithType(t *testing.T, op string, l, r arrow.Array) arrow.DataType {
	typ, err := ArithType(op, l.DataType(), r.DataType())
	require.NoError(t, err)
	return typ
}

// TestConstOpsDecline checks the cases left to Arith: a divisor of 0 or -1, a variable
// divisor, an overflow.
func TestConstOpsDecline(t *testing.T) {
	mem := newMem(t)
	a := newArr(t, mem, Bigint, 0, int64(5), int64(math.MaxInt64))
	defer a.Release()
	for _, tt := range []struct {
		op   string
		c    any
		left bool
	}{{"%", int64(0), false}, {"//", int64(-1), false}, {"%", int64(3), true},
		{"/", int64(2), false}, {"+", int64(1), false}, {"*", int64(2), true},
		{"/", 0.0, false}, {"/", 2.0, true}} {
		_, ok := ArithConst(mem, tt.op, a, tt.c, tt.left)
		require.False(t, ok, "%s %v", tt.op, tt.c)
	}
}

// BenchmarkArithConst multiplies a batch of BIGINTs by a DOUBLE constant, as Nexmark q1 does.
func BenchmarkArithConst(b *testing.B) {
	mem := memory.DefaultAllocator
	vals := make([]any, 4096)
	for i := range vals {
		vals[i] = int64(i * 37)
	}
	a := newArr(b, mem, Bigint, 0, vals...)
	defer a.Release()
	for b.Loop() {
		out, _ := ArithConst(mem, "*", a, 0.908, true)
		out.Release()
	}
}
