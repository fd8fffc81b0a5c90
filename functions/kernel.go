package functions

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// This file holds the helpers every kernel shares: reading values and validity bitmaps out of
// arrays (the array's offset applied), and assembling result arrays from buffers.

// signatureError is an error in the arguments of a function or operator; it reads as its
// message alone and wraps ErrSignature.
type signatureError struct{ msg string }

func (e *signatureError) Error() string { return e.msg }
func (e *signatureError) Unwrap() error { return ErrSignature }

// errSignature formats a signatureError.
func errSignature(format string, args ...any) error {
	return &signatureError{msg: fmt.Sprintf(format, args...)}
}

// isNullType reports whether t is the type of a bare NULL.
func isNullType(t arrow.DataType) bool { return t.ID() == arrow.NULL }

// isInt64Like reports whether t is stored as int64: BIGINT, TIMESTAMP or INTERVAL.
func isInt64Like(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT64, arrow.TIMESTAMP, arrow.DURATION:
		return true
	}
	return false
}

// int64Values returns the values of an Int64, Timestamp or Duration array, offset applied.
// Values under NULL rows are unspecified.
func int64Values(a arrow.Array) []int64 {
	d := a.Data()
	bufs := d.Buffers()
	if d.Len() == 0 || len(bufs) < 2 || bufs[1] == nil {
		return nil
	}
	vals := arrow.Int64Traits.CastFromBytes(bufs[1].Bytes())
	return vals[d.Offset() : d.Offset()+d.Len()]
}

// float64Values returns the values of a Float64 array, offset applied.
func float64Values(a arrow.Array) []float64 {
	d := a.Data()
	bufs := d.Buffers()
	if d.Len() == 0 || len(bufs) < 2 || bufs[1] == nil {
		return nil
	}
	vals := arrow.Float64Traits.CastFromBytes(bufs[1].Bytes())
	return vals[d.Offset() : d.Offset()+d.Len()]
}

// asFloat64s returns the values of a BIGINT or DOUBLE array as float64, converting BIGINT into
// a new slice.
func asFloat64s(a arrow.Array) []float64 {
	if a.DataType().ID() == arrow.FLOAT64 {
		return float64Values(a)
	}
	in := int64Values(a)
	out := make([]float64, len(in))
	for i, v := range in {
		out[i] = float64(v)
	}
	return out
}

// validity returns the validity bitmap of a and the bit offset of its first row, or nil when a
// has no NULLs.
func validity(a arrow.Array) ([]byte, int) {
	if a.NullN() == 0 {
		return nil, 0
	}
	b := a.Data().Buffers()[0]
	if b == nil {
		return nil, 0
	}
	return b.Bytes(), a.Data().Offset()
}

// newBuffer allocates a buffer of size bytes from mem; its contents are unspecified.
func newBuffer(mem memory.Allocator, size int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(size)
	return b
}

// newBitmap allocates a bitmap of n bits from mem, every bit cleared.
func newBitmap(mem memory.Allocator, n int) *memory.Buffer {
	b := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	clear(b.Bytes())
	return b
}

// newInt64Buffer allocates room for n int64 values.
func newInt64Buffer(mem memory.Allocator, n int) (*memory.Buffer, []int64) {
	b := newBuffer(mem, n*8)
	return b, arrow.Int64Traits.CastFromBytes(b.Bytes())[:n]
}

// newFloat64Buffer allocates room for n float64 values.
func newFloat64Buffer(mem memory.Allocator, n int) (*memory.Buffer, []float64) {
	b := newBuffer(mem, n*8)
	return b, arrow.Float64Traits.CastFromBytes(b.Bytes())[:n]
}

// combineValidity returns the AND of the validity bitmaps of arrs (all of length n) as a new
// bitmap, or nil when none has NULLs. The caller releases the buffer.
func combineValidity(mem memory.Allocator, n int, arrs ...arrow.Array) *memory.Buffer {
	var out *memory.Buffer
	for _, a := range arrs {
		bits, off := validity(a)
		if bits == nil {
			continue
		}
		if out == nil {
			out = newBitmap(mem, n)
			bitutil.CopyBitmap(bits, off, n, out.Bytes(), 0)
			continue
		}
		ob := out.Bytes()
		bitutil.BitmapAnd(ob, bits, 0, int64(off), ob, 0, int64(n))
	}
	return out
}

// fullValidity returns a writable validity bitmap for n rows: v itself, or a new bitmap with
// every bit set when v is nil.
func fullValidity(mem memory.Allocator, n int, v *memory.Buffer) *memory.Buffer {
	if v != nil {
		return v
	}
	v = newBitmap(mem, n)
	bitutil.SetBitsTo(v.Bytes(), 0, int64(n), true)
	return v
}

// nullCount counts the cleared bits of a validity bitmap of n rows; nil means none.
func nullCount(v *memory.Buffer, n int) int {
	if v == nil {
		return 0
	}
	return n - bitutil.CountSetBits(v.Bytes(), 0, n)
}

// newArray assembles an array of a fixed-width type from its validity (nil when no NULLs) and
// values buffers, and releases the caller's references to them.
func newArray(t arrow.DataType, n int, valid, values *memory.Buffer) arrow.Array {
	nulls := nullCount(valid, n)
	if nulls == 0 && valid != nil {
		valid.Release()
		valid = nil
	}
	data := array.NewData(t, n, []*memory.Buffer{valid, values}, nil, nulls, 0)
	if valid != nil {
		valid.Release()
	}
	values.Release()
	defer data.Release()
	return array.MakeFromData(data)
}

// checkLengths fails unless every array has n rows.
func checkLengths(n int, arrs ...arrow.Array) error {
	for _, a := range arrs {
		if a.Len() != n {
			return fmt.Errorf("array of %d rows where %d were expected", a.Len(), n)
		}
	}
	return nil
}

// strWriter gathers the values of a VARCHAR result: append bytes to data, then call end for
// each row.
type strWriter struct {
	offsets []int32
	data    []byte
}

// newStrWriter makes a writer for n rows and about dataHint bytes.
func newStrWriter(n, dataHint int) *strWriter {
	w := &strWriter{offsets: make([]int32, 1, n+1), data: make([]byte, 0, dataHint)}
	return w
}

// end closes the current row.
func (w *strWriter) end() { w.offsets = append(w.offsets, int32(len(w.data))) }

// finish builds the array with the given validity (nil when no NULLs) and releases the
// caller's reference to valid.
func (w *strWriter) finish(mem memory.Allocator, valid *memory.Buffer) (arrow.Array, error) {
	if len(w.data) > math.MaxInt32 {
		if valid != nil {
			valid.Release()
		}
		return nil, fmt.Errorf("string result of %d bytes is too large", len(w.data))
	}
	n := len(w.offsets) - 1
	offs := newBuffer(mem, len(w.offsets)*4)
	copy(arrow.Int32Traits.CastFromBytes(offs.Bytes()), w.offsets)
	data := newBuffer(mem, len(w.data))
	copy(data.Bytes(), w.data)
	nulls := nullCount(valid, n)
	if nulls == 0 && valid != nil {
		valid.Release()
		valid = nil
	}
	d := array.NewData(Varchar, n, []*memory.Buffer{valid, offs, data}, nil, nulls, 0)
	if valid != nil {
		valid.Release()
	}
	offs.Release()
	data.Release()
	defer d.Release()
	return array.MakeFromData(d), nil
}

// retained returns a with one more reference, for kernels whose result is their input.
func retained(a arrow.Array) arrow.Array {
	a.Retain()
	return a
}
