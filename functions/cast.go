package functions

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ErrConversion is wrapped by the error of a CAST whose value does not convert, such as
// CAST('abc' AS BIGINT).
var ErrConversion = errors.New("conversion error")

// CastType checks that CAST from type from to type to is supported: between BIGINT, DOUBLE,
// BOOLEAN and VARCHAR both ways, between VARCHAR and TIMESTAMP both ways, from a type to
// itself, and from NULL to anything.
func CastType(from, to arrow.DataType) error {
	if isNullType(from) || sameType(from, to) {
		return nil
	}
	if castable(from.ID()) && castable(to.ID()) {
		fid, tid := from.ID(), to.ID()
		isTS := fid == arrow.TIMESTAMP || tid == arrow.TIMESTAMP
		if !isTS || fid == arrow.STRING || tid == arrow.STRING {
			return nil
		}
	}
	err := errSignature("cannot cast %s to %s", TypeName(from), TypeName(to))
	switch {
	case from.ID() == arrow.INT64 && to.ID() == arrow.TIMESTAMP:
		err = fmt.Errorf("%w (use to_timestamp or to_timestamp_ms)", err)
	case from.ID() == arrow.TIMESTAMP && to.ID() == arrow.INT64:
		err = fmt.Errorf("%w (use epoch_ms)", err)
	}
	return err
}

// sameType reports whether a and b are the same SQL type.
func sameType(a, b arrow.DataType) bool {
	return a.ID() == b.ID() && TypeName(a) == TypeName(b)
}

// castable lists the types CAST converts between.
func castable(id arrow.Type) bool {
	switch id {
	case arrow.INT64, arrow.FLOAT64, arrow.BOOL, arrow.STRING, arrow.TIMESTAMP:
		return true
	}
	return false
}

// Cast converts a to type to (see CastType). A value that does not convert is an error
// wrapping ErrConversion, naming the value. The caller releases the result.
func Cast(mem memory.Allocator, a arrow.Array, to arrow.DataType) (arrow.Array, error) {
	from := a.DataType()
	if err := CastType(from, to); err != nil {
		return nil, err
	}
	switch {
	case isNullType(from):
		return array.MakeArrayOfNull(mem, to, a.Len()), nil
	case sameType(from, to):
		return retained(a), nil
	}
	switch to.ID() {
	case arrow.INT64:
		return castToBigint(mem, a)
	case arrow.FLOAT64:
		return castToDouble(mem, a)
	case arrow.BOOL:
		return castToBoolean(mem, a)
	case arrow.STRING:
		return castToVarchar(mem, a)
	default:
		return castToTimestamp(mem, a)
	}
}

// castFailed is the error for a value that does not convert.
func castFailed(text string, to arrow.DataType) error {
	return fmt.Errorf("%w: cannot cast %s to %s", ErrConversion, text, TypeName(to))
}

// sqlQuote writes s as a SQL string literal.
func sqlQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// rowValid reports whether row i is valid, given the result of validity.
func rowValid(bits []byte, off, i int) bool {
	return bits == nil || bitutil.BitIsSet(bits, off+i)
}

// castToBigint converts DOUBLE (rounding half to even, as DuckDB and PostgreSQL do), BOOLEAN
// and VARCHAR to BIGINT.
func castToBigint(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
	n := a.Len()
	bits, off := validity(a)
	buf, out := newInt64Buffer(mem, n)
	fail := func(err error) (arrow.Array, error) {
		buf.Release()
		return nil, err
	}
	switch a := a.(type) {
	case *array.Float64:
		for i, f := range float64Values(a)[:n] {
			r := math.RoundToEven(f)
			if r >= -(1<<63) && r < 1<<63 {
				out[i] = int64(r)
				continue
			}
			out[i] = 0
			switch {
			case !rowValid(bits, off, i):
			case math.IsNaN(f):
				return fail(castFailed("NaN", Bigint))
			default:
				return fail(fmt.Errorf("%w: %w", castFailed(FormatDouble(f), Bigint), ErrOverflow))
			}
		}
	case *array.Boolean:
		for i := range out {
			out[i] = int64(bit(a.Value(i)))
		}
	case *array.String:
		for i := range out {
			out[i] = 0
			if !rowValid(bits, off, i) {
				continue
			}
			s := a.Value(i)
			v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				cerr := castFailed(sqlQuote(s), Bigint)
				if errors.Is(err, strconv.ErrRange) {
					cerr = fmt.Errorf("%w: %w", cerr, ErrOverflow)
				}
				return fail(cerr)
			}
			out[i] = v
		}
	}
	return newArray(Bigint, n, combineValidity(mem, n, a), buf), nil
}

// castToDouble converts BIGINT, BOOLEAN and VARCHAR to DOUBLE.
func castToDouble(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
	n := a.Len()
	bits, off := validity(a)
	buf, out := newFloat64Buffer(mem, n)
	switch a := a.(type) {
	case *array.Int64:
		for i, v := range int64Values(a)[:n] {
			out[i] = float64(v)
		}
	case *array.Boolean:
		for i := range out {
			out[i] = float64(bit(a.Value(i)))
		}
	case *array.String:
		for i := range out {
			out[i] = 0
			if !rowValid(bits, off, i) {
				continue
			}
			s := a.Value(i)
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				buf.Release()
				return nil, castFailed(sqlQuote(s), Double)
			}
			out[i] = v
		}
	}
	return newArray(Double, n, combineValidity(mem, n, a), buf), nil
}

// boolWords are the texts that cast to TRUE and FALSE, as in PostgreSQL.
var (
	trueWords  = []string{"true", "t", "yes", "y", "on", "1"}
	falseWords = []string{"false", "f", "no", "n", "off", "0"}
)

// parseBool reads a BOOLEAN written as text, ignoring case and surrounding spaces.
func parseBool(s string) (v, ok bool) {
	s = strings.TrimSpace(s)
	for i := range trueWords {
		if strings.EqualFold(s, trueWords[i]) {
			return true, true
		}
		if strings.EqualFold(s, falseWords[i]) {
			return false, true
		}
	}
	return false, false
}

// castToBoolean converts BIGINT and DOUBLE (zero is FALSE) and VARCHAR to BOOLEAN.
func castToBoolean(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
	n := a.Len()
	bits, off := validity(a)
	vals := newBitmap(mem, n)
	vb := vals.Bytes()
	switch a := a.(type) {
	case *array.Int64:
		for i, v := range int64Values(a)[:n] {
			vb[i>>3] |= bit(v != 0) << (i & 7)
		}
	case *array.Float64:
		for i, v := range float64Values(a)[:n] {
			vb[i>>3] |= bit(v != 0) << (i & 7)
		}
	case *array.String:
		for i := 0; i < n; i++ {
			if !rowValid(bits, off, i) {
				continue
			}
			v, ok := parseBool(a.Value(i))
			if !ok {
				vals.Release()
				return nil, castFailed(sqlQuote(a.Value(i)), Boolean)
			}
			vb[i>>3] |= bit(v) << (i & 7)
		}
	}
	return newArray(Boolean, n, combineValidity(mem, n, a), vals), nil
}

// castToVarchar writes BIGINT, DOUBLE, BOOLEAN and TIMESTAMP values as text.
func castToVarchar(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
	n := a.Len()
	bits, off := validity(a)
	w := newStrWriter(n, n*8)
	switch a.DataType().ID() {
	case arrow.INT64:
		for i, v := range int64Values(a)[:n] {
			if rowValid(bits, off, i) {
				w.data = strconv.AppendInt(w.data, v, 10)
			}
			w.end()
		}
	case arrow.FLOAT64:
		for i, v := range float64Values(a)[:n] {
			if rowValid(bits, off, i) {
				w.data = AppendDouble(w.data, v)
			}
			w.end()
		}
	case arrow.BOOL:
		b := a.(*array.Boolean)
		for i := 0; i < n; i++ {
			if rowValid(bits, off, i) {
				w.data = strconv.AppendBool(w.data, b.Value(i))
			}
			w.end()
		}
	case arrow.TIMESTAMP:
		for i, v := range int64Values(a)[:n] {
			if rowValid(bits, off, i) {
				w.data = AppendTimestamp(w.data, v)
			}
			w.end()
		}
	}
	return w.finish(mem, combineValidity(mem, n, a))
}

// castToTimestamp reads TIMESTAMP values from VARCHAR with ParseTimestamp.
func castToTimestamp(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
	n := a.Len()
	bits, off := validity(a)
	s := a.(*array.String)
	buf, out := newInt64Buffer(mem, n)
	for i := range out {
		out[i] = 0
		if !rowValid(bits, off, i) {
			continue
		}
		v, ok := ParseTimestamp(strings.TrimSpace(s.Value(i)))
		if !ok {
			buf.Release()
			return nil, castFailed(sqlQuote(s.Value(i)), Timestamp)
		}
		out[i] = v
	}
	return newArray(Timestamp, n, combineValidity(mem, n, a), buf), nil
}
