package functions

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// testPads are the offsets every kernel test runs at: none, inside a byte of the validity
// bitmap, and past a 64-bit word.
var testPads = []int{0, 3, 67}

// newMem returns a checked allocator that the test asserts empty at its end.
func newMem(t *testing.T) *memory.CheckedAllocator {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// junkValue is a value stored in padding rows, chosen to spoil any result that reads it.
func junkValue(dt arrow.DataType) any {
	switch dt.ID() {
	case arrow.INT64, arrow.TIMESTAMP, arrow.DURATION:
		return int64(math.MaxInt64)
	case arrow.FLOAT64:
		return math.NaN()
	case arrow.STRING:
		return "\xffjunk"
	case arrow.BOOL:
		return true
	}
	return nil
}

// newArr builds an array of type dt holding vals (nil is NULL). With pad > 0 the values sit
// between pad rows of junk on each side, half of them NULL, and the result is a slice at
// offset pad.
func newArr(t testing.TB, mem memory.Allocator, dt arrow.DataType, pad int,
	vals ...any) arrow.Array {
	t.Helper()
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	appendJunk := func() {
		for i := 0; i < pad; i++ {
			if i%2 == 0 {
				b.AppendNull()
			} else {
				appendValue(t, b, junkValue(dt))
			}
		}
	}
	appendJunk()
	for _, v := range vals {
		appendValue(t, b, v)
	}
	appendJunk()
	full := b.NewArray()
	if pad == 0 {
		return full
	}
	defer full.Release()
	return array.NewSlice(full, int64(pad), int64(pad+len(vals)))
}

// appendValue appends one Go value to a builder.
func appendValue(t testing.TB, b array.Builder, v any) {
	t.Helper()
	if v == nil {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		b.Append(v.(int64))
	case *array.Float64Builder:
		b.Append(v.(float64))
	case *array.StringBuilder:
		b.Append(v.(string))
	case *array.BooleanBuilder:
		b.Append(v.(bool))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v.(int64)))
	case *array.DurationBuilder:
		b.Append(arrow.Duration(v.(int64)))
	default:
		t.Fatalf("cannot append %v to %T", v, b)
	}
}

// goValues reads an array back as Go values: nil for NULL, "NaN" for a NaN.
func goValues(t *testing.T, a arrow.Array) []any {
	t.Helper()
	out := make([]any, a.Len())
	if isNullType(a.DataType()) {
		return out
	}
	for i := range out {
		if a.IsNull(i) {
			continue
		}
		switch a := a.(type) {
		case *array.Int64:
			out[i] = a.Value(i)
		case *array.Float64:
			out[i] = a.Value(i)
			if math.IsNaN(a.Value(i)) {
				out[i] = "NaN"
			}
		case *array.String:
			out[i] = a.Value(i)
		case *array.Boolean:
			out[i] = a.Value(i)
		case *array.Timestamp:
			out[i] = int64(a.Value(i))
		case *array.Duration:
			out[i] = int64(a.Value(i))
		default:
			t.Fatalf("cannot read %T", a)
		}
	}
	return out
}

// anys is shorthand for a list of Go values.
func anys(v ...any) []any { return v }

// nullRows returns n NULLs.
func nullRows(n int) []any { return make([]any, n) }

// checkResult asserts the type and the values of a kernel's result, and that its null count
// agrees with its validity bitmap.
func checkResult(t *testing.T, got arrow.Array, wantType arrow.DataType, want []any) {
	t.Helper()
	require.Equal(t, TypeName(wantType), TypeName(got.DataType()))
	require.Equal(t, want, goValues(t, got))
	n := 0
	for i := 0; i < got.Len(); i++ {
		if !got.IsValid(i) || isNullType(got.DataType()) {
			n++
		}
	}
	require.Equal(t, n, got.NullN(), "null count")
	if v, ok := got.(interface{ ValidateFull() error }); ok {
		require.NoError(t, v.ValidateFull())
	}
}

// subName formats a subtest name with its pad.
func subName(s string, pad int) string { return fmt.Sprintf("%s/pad%d", s, pad) }

// tsMicros is a TIMESTAMP in microseconds from a date and time in UTC.
func tsMicros(year, month, day, hour, min, sec int) int64 {
	return time.Date(year, time.Month(month), day, hour, min, sec, 0, time.UTC).UnixMicro()
}
