package functions

import (
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Constant returns an array of type t holding n copies of v: an int64 for BIGINT, TIMESTAMP
// and INTERVAL (microseconds), a float64 for DOUBLE (an int64 is converted), a string for
// VARCHAR, a bool for BOOLEAN, and nil for NULL of any type. The caller releases the result.
func Constant(mem memory.Allocator, t arrow.DataType, v any, n int) (arrow.Array, error) {
	if v == nil || isNullType(t) {
		if v != nil {
			return nil, fmt.Errorf("constant %v given for type NULL", v)
		}
		return array.MakeArrayOfNull(mem, t, n), nil
	}
	switch t.ID() {
	case arrow.INT64, arrow.TIMESTAMP, arrow.DURATION:
		x, ok := v.(int64)
		if !ok {
			break
		}
		buf, out := newInt64Buffer(mem, n)
		for i := range out {
			out[i] = x
		}
		return newArray(t, n, nil, buf), nil
	case arrow.FLOAT64:
		var x float64
		switch y := v.(type) {
		case float64:
			x = y
		case int64:
			x = float64(y)
		default:
			return nil, constantError(t, v)
		}
		buf, out := newFloat64Buffer(mem, n)
		for i := range out {
			out[i] = x
		}
		return newArray(t, n, nil, buf), nil
	case arrow.BOOL:
		x, ok := v.(bool)
		if !ok {
			break
		}
		vals := newBitmap(mem, n)
		bitutil.SetBitsTo(vals.Bytes(), 0, int64(n), x)
		return newArray(t, n, nil, vals), nil
	case arrow.STRING:
		x, ok := v.(string)
		if !ok {
			break
		}
		if n > 0 && len(x) > math.MaxInt32/n {
			return nil, fmt.Errorf("constant of %d copies of %d bytes is too large", n, len(x))
		}
		w := newStrWriter(n, 0)
		w.data = []byte(strings.Repeat(x, n))
		for i := 0; i < n; i++ {
			w.offsets = append(w.offsets, int32((i+1)*len(x)))
		}
		return w.finish(mem, nil)
	}
	return nil, constantError(t, v)
}

// constantError is the error for a Go value that does not fit type t.
func constantError(t arrow.DataType, v any) error {
	return fmt.Errorf("constant of Go type %T cannot be %s", v, TypeName(t))
}
