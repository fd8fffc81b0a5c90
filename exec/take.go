package exec

import (
	"fmt"
	mbits "math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// take builds a new array of the rows of a at idx, in that order.
func take(mem memory.Allocator, a arrow.Array, idx []int) (arrow.Array, error) {
	b := array.NewBuilder(mem, a.DataType())
	defer b.Release()
	b.Reserve(len(idx))
	nulls := a.NullN() > 0
	switch src := a.(type) {
	case *array.Int64:
		bb := b.(*array.Int64Builder)
		vals := src.Int64Values()
		for _, i := range idx {
			if nulls && src.IsNull(i) {
				bb.AppendNull()
			} else {
				bb.UnsafeAppend(vals[i])
			}
		}
	case *array.Float64:
		bb := b.(*array.Float64Builder)
		vals := src.Float64Values()
		for _, i := range idx {
			if nulls && src.IsNull(i) {
				bb.AppendNull()
			} else {
				bb.UnsafeAppend(vals[i])
			}
		}
	case *array.Timestamp:
		bb := b.(*array.TimestampBuilder)
		vals := src.TimestampValues()
		for _, i := range idx {
			if nulls && src.IsNull(i) {
				bb.AppendNull()
			} else {
				bb.UnsafeAppend(vals[i])
			}
		}
	case *array.Duration:
		bb := b.(*array.DurationBuilder)
		vals := src.DurationValues()
		for _, i := range idx {
			if nulls && src.IsNull(i) {
				bb.AppendNull()
			} else {
				bb.UnsafeAppend(vals[i])
			}
		}
	case *array.String:
		bb := b.(*array.StringBuilder)
		for _, i := range idx {
			if nulls && src.IsNull(i) {
				bb.AppendNull()
			} else {
				bb.Append(src.Value(i))
			}
		}
	case *array.Boolean:
		bb := b.(*array.BooleanBuilder)
		for _, i := range idx {
			if nulls && src.IsNull(i) {
				bb.AppendNull()
			} else {
				bb.UnsafeAppend(src.Value(i))
			}
		}
	case *array.Null:
		b.AppendNulls(len(idx))
	default:
		return nil, fmt.Errorf("%w: rows of type %s", ErrUnsupported, a.DataType())
	}
	return b.NewArray(), nil
}

// takeBatch builds a batch of the rows of b at idx.
func takeBatch(mem memory.Allocator, b arrow.RecordBatch, idx []int) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, b.NumCols())
	for i := range cols {
		c, err := take(mem, b.Column(i), idx)
		if err != nil {
			releaseAll(cols)
			return nil, err
		}
		cols[i] = c
	}
	defer releaseAll(cols)
	return array.NewRecordBatch(b.Schema(), cols, int64(len(idx))), nil
}

// selected lists the rows where the boolean array is TRUE (not FALSE, not NULL), a byte of
// the bitmaps at a time so that a byte with no row TRUE costs one test.
func selected(pred *array.Boolean, into []int) []int {
	into = into[:0]
	n := pred.Len()
	d := pred.Data()
	if n == 0 || d.Offset()%8 != 0 {
		return selectedRows(pred, into)
	}
	start := d.Offset() / 8
	vals := d.Buffers()[1].Bytes()[start:]
	var valid []byte
	if pred.NullN() > 0 {
		valid = d.Buffers()[0].Bytes()[start:]
	}
	for j, bits := range vals[:(n+7)/8] {
		if valid != nil {
			bits &= valid[j]
		}
		for bits != 0 {
			i := j*8 + mbits.TrailingZeros8(bits)
			if i >= n {
				break
			}
			into = append(into, i)
			bits &= bits - 1
		}
	}
	return into
}

// selectedRows is selected row by row, for arrays sliced inside a byte.
func selectedRows(pred *array.Boolean, into []int) []int {
	n := pred.Len()
	nulls := pred.NullN() > 0
	for i := 0; i < n; i++ {
		if pred.Value(i) && (!nulls || pred.IsValid(i)) {
			into = append(into, i)
		}
	}
	return into
}

// TakeRows builds a batch of the given rows of b's first schema.NumFields() columns.
func TakeRows(mem memory.Allocator, b arrow.RecordBatch, rows []int,
	schema *arrow.Schema) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, schema.NumFields())
	for i := range cols {
		c, err := take(mem, b.Column(i), rows)
		if err != nil {
			releaseAll(cols)
			return nil, err
		}
		cols[i] = c
	}
	defer releaseAll(cols)
	return array.NewRecordBatch(schema, cols, int64(len(rows))), nil
}
