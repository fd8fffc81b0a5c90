package functions

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The kernels of text and time functions do real work per row (parsing, searching), so they
// share these builders: each runs f over the rows where every argument is valid and assembles
// the result. f may return ok false to make a row NULL (try_strptime), or an error that stops
// the whole call.

// rowsValid is the validity of the rows where every argument is valid, writable, and a
// reader of it.
type rowsValid struct {
	buf  *memory.Buffer // nil while every row is valid
	mem  memory.Allocator
	n    int
	bits []byte
}

func newRowsValid(mem memory.Allocator, n int, args []arrow.Array) *rowsValid {
	v := &rowsValid{buf: combineValidity(mem, n, args...), mem: mem, n: n}
	if v.buf != nil {
		v.bits = v.buf.Bytes()
	}
	return v
}

func (v *rowsValid) ok(i int) bool { return v.bits == nil || bitutil.BitIsSet(v.bits, i) }

// clear makes row i NULL.
func (v *rowsValid) clear(i int) {
	if v.buf == nil {
		v.buf = fullValidity(v.mem, v.n, nil)
		v.bits = v.buf.Bytes()
	}
	bitutil.ClearBit(v.bits, i)
}

func (v *rowsValid) release() {
	if v.buf != nil {
		v.buf.Release()
	}
}

// buildStrings makes a VARCHAR result: f appends row i's text to dst and returns it.
func buildStrings(mem memory.Allocator, n, hint int, args []arrow.Array,
	f func(i int, dst []byte) ([]byte, bool, error)) (arrow.Array, error) {
	v := newRowsValid(mem, n, args)
	w := newStrWriter(n, hint)
	for i := 0; i < n; i++ {
		if v.ok(i) {
			out, ok, err := f(i, w.data)
			if err != nil {
				v.release()
				return nil, err
			}
			if w.data = out; !ok {
				v.clear(i)
			}
		}
		w.end()
	}
	return w.finish(mem, v.buf)
}

// buildInt64s makes a result of type t stored as int64 (BIGINT, TIMESTAMP, INTERVAL).
func buildInt64s(mem memory.Allocator, t arrow.DataType, n int, args []arrow.Array,
	f func(i int) (int64, bool, error)) (arrow.Array, error) {
	v := newRowsValid(mem, n, args)
	buf, out := newInt64Buffer(mem, n)
	for i := range out {
		out[i] = 0
		if !v.ok(i) {
			continue
		}
		x, ok, err := f(i)
		if err != nil {
			v.release()
			buf.Release()
			return nil, err
		}
		if out[i] = x; !ok {
			v.clear(i)
		}
	}
	return newArray(t, n, v.buf, buf), nil
}

// buildBools makes a BOOLEAN result.
func buildBools(mem memory.Allocator, n int, args []arrow.Array,
	f func(i int) (bool, error)) (arrow.Array, error) {
	v := newRowsValid(mem, n, args)
	vals := newBitmap(mem, n)
	vb := vals.Bytes()
	for i := 0; i < n; i++ {
		if !v.ok(i) {
			continue
		}
		x, err := f(i)
		if err != nil {
			v.release()
			vals.Release()
			return nil, err
		}
		if x {
			bitutil.SetBit(vb, i)
		}
	}
	return newArray(Boolean, n, v.buf, vals), nil
}

// typesResolve resolves a function of fixed argument types (NULL accepted for any of them)
// with result type t; optional is how many trailing arguments may be left out.
func typesResolve(name string, t arrow.DataType, optional int,
	want ...arrow.DataType) func([]arrow.DataType) (arrow.DataType, error) {
	return func(args []arrow.DataType) (arrow.DataType, error) {
		if err := argCount(name, args, len(want)-optional, len(want)); err != nil {
			return nil, err
		}
		for i, a := range args {
			if !isNullType(a) && a.ID() != want[i].ID() {
				return nil, errSignature("%s expects %s as argument %d, got %s", name,
					TypeName(want[i]), i+1, TypeName(a))
			}
		}
		return t, nil
	}
}
