package functions

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Arithmetic follows DuckDB:
//
//   - BIGINT op BIGINT is BIGINT, except "/", which is DOUBLE; any DOUBLE operand makes the
//     result DOUBLE.
//   - "//" is integer division: for BIGINT it truncates toward zero, as DuckDB's // and Go's /
//     do (-7 // 2 = -3). For DOUBLE operands DuckDB's // is plain division; weir truncates
//     the quotient toward zero instead, so that // means the same for both types.
//   - "%" takes the sign of the dividend (-7 % 2 = -1), as in DuckDB and PostgreSQL.
//   - Division and modulo by zero give NULL, for DOUBLE too.
//   - BIGINT overflow on + - * // is an error wrapping ErrOverflow, never a wrapped value.
//   - TIMESTAMP ± INTERVAL and INTERVAL + TIMESTAMP are TIMESTAMP, TIMESTAMP - TIMESTAMP is
//     INTERVAL, INTERVAL ± INTERVAL and INTERVAL * BIGINT are INTERVAL.

// ArithType returns the result type of l op r for op one of + - * / // %, or an error wrapping
// ErrSignature. A NULL operand takes the type that makes the expression valid.
func ArithType(op string, l, r arrow.DataType) (arrow.DataType, error) {
	switch op {
	case "+", "-", "*", "/", "//", "%":
	default:
		return nil, errSignature("unknown arithmetic operator %q", op)
	}
	ln, rn := isNullType(l), isNullType(r)
	switch {
	case ln && rn:
		return Null, nil
	case ln:
		for _, c := range nullStandIns(r) {
			if t, ok := arithType(op, c, r); ok {
				return t, nil
			}
		}
	case rn:
		for _, c := range nullStandIns(l) {
			if t, ok := arithType(op, l, c); ok {
				return t, nil
			}
		}
	default:
		if t, ok := arithType(op, l, r); ok {
			return t, nil
		}
	}
	return nil, errSignature("cannot apply %s to %s and %s",
		op, TypeName(l), TypeName(r))
}

// nullStandIns lists the types a NULL operand may stand for beside an operand of type t, in
// order of preference.
func nullStandIns(t arrow.DataType) []arrow.DataType {
	if t.ID() == arrow.TIMESTAMP {
		return []arrow.DataType{Interval, Timestamp}
	}
	return []arrow.DataType{t, Bigint}
}

// arithType is ArithType over two types that are not NULL.
func arithType(op string, l, r arrow.DataType) (arrow.DataType, bool) {
	lid, rid := l.ID(), r.ID()
	switch {
	case lid == arrow.INT64 && rid == arrow.INT64:
		if op == "/" {
			return Double, true
		}
		return Bigint, true
	case IsNumeric(l) && IsNumeric(r):
		return Double, true
	}
	switch op {
	case "+":
		switch {
		case lid == arrow.TIMESTAMP && rid == arrow.DURATION,
			lid == arrow.DURATION && rid == arrow.TIMESTAMP:
			return Timestamp, true
		case lid == arrow.DURATION && rid == arrow.DURATION:
			return Interval, true
		}
	case "-":
		switch {
		case lid == arrow.TIMESTAMP && rid == arrow.DURATION:
			return Timestamp, true
		case lid == arrow.TIMESTAMP && rid == arrow.TIMESTAMP,
			lid == arrow.DURATION && rid == arrow.DURATION:
			return Interval, true
		}
	case "*":
		if lid == arrow.DURATION && rid == arrow.INT64 ||
			lid == arrow.INT64 && rid == arrow.DURATION {
			return Interval, true
		}
	}
	return nil, false
}

// Arith computes l op r row by row for op one of + - * / // %. Both arrays have the same
// length; a NULL in either gives NULL. The caller releases the result.
func Arith(mem memory.Allocator, op string, l, r arrow.Array) (arrow.Array, error) {
	t, err := ArithType(op, l.DataType(), r.DataType())
	if err != nil {
		return nil, err
	}
	n := l.Len()
	if err := checkLengths(n, r); err != nil {
		return nil, err
	}
	if isNullType(l.DataType()) || isNullType(r.DataType()) {
		return array.MakeArrayOfNull(mem, t, n), nil
	}

	valid := combineValidity(mem, n, l, r)
	if isInt64Like(l.DataType()) && isInt64Like(r.DataType()) {
		if op == "/" {
			return divIntsToDouble(mem, n, valid, int64Values(l), int64Values(r)), nil
		}
		return arithInts(mem, op, t, n, valid, int64Values(l), int64Values(r))
	}
	return arithFloats(mem, op, n, valid, asFloat64s(l), asFloat64s(r)), nil
}

// arithInts runs + - * // % over int64 values; valid (may be nil) is consumed.
func arithInts(mem memory.Allocator, op string, t arrow.DataType, n int,
	valid *memory.Buffer, a, b []int64) (arrow.Array, error) {
	buf, out := newInt64Buffer(mem, n)
	a, b = a[:len(out)], b[:len(out)]
	var ovf int64 // sign bit set when some row overflowed, NULL rows included
	switch op {
	case "+":
		for i := range out {
			s := a[i] + b[i]
			ovf |= (a[i] ^ s) & (b[i] ^ s)
			out[i] = s
		}
	case "-":
		for i := range out {
			d := a[i] - b[i]
			ovf |= (a[i] ^ b[i]) & (a[i] ^ d)
			out[i] = d
		}
	case "*":
		for i := range out {
			p, o := mul64(a[i], b[i])
			ovf |= o
			out[i] = p
		}
	case "//", "%":
		valid = fullValidity(mem, n, valid)
		vb := valid.Bytes()
		div := op == "//"
		for i := range out {
			switch y := b[i]; {
			case y == 0:
				bitutil.ClearBit(vb, i)
				out[i] = 0
			case y == -1:
				// x // -1 overflows for the smallest x; x % -1 is always 0.
				if div {
					ovf |= a[i] & -a[i]
					out[i] = -a[i]
				} else {
					out[i] = 0
				}
			case div:
				out[i] = a[i] / y
			default:
				out[i] = a[i] % y
			}
		}
	}
	if ovf < 0 {
		if i := firstOverflow(op, valid, a, b); i >= 0 {
			buf.Release()
			if valid != nil {
				valid.Release()
			}
			return nil, fmt.Errorf("%w: %d %s %d is out of range", ErrOverflow, a[i], op, b[i])
		}
	}
	return newArray(t, n, valid, buf), nil
}

// mul64 returns x*y wrapped and a value whose sign bit is set when the product overflows.
func mul64(x, y int64) (int64, int64) {
	hi, lo := bits.Mul64(uint64(x), uint64(y))
	shi := int64(hi) - (x>>63)&y - (y>>63)&x // signed high word of the 128-bit product
	return int64(lo), (shi ^ int64(lo)>>63) | -(shi ^ int64(lo)>>63)
}

// firstOverflow finds the first row that is not NULL whose result overflows, or -1.
func firstOverflow(op string, valid *memory.Buffer, a, b []int64) int {
	for i := range a {
		if valid != nil && bitutil.BitIsNotSet(valid.Bytes(), i) {
			continue
		}
		x, y := a[i], b[i]
		var o int64
		switch op {
		case "+":
			s := x + y
			o = (x ^ s) & (y ^ s)
		case "-":
			d := x - y
			o = (x ^ y) & (x ^ d)
		case "*":
			_, o = mul64(x, y)
		case "//":
			if x == math.MinInt64 && y == -1 {
				o = -1
			}
		}
		if o < 0 {
			return i
		}
	}
	return -1
}

// divIntsToDouble computes a / b as DOUBLE; valid (may be nil) is consumed.
func divIntsToDouble(mem memory.Allocator, n int, valid *memory.Buffer, a, b []int64) arrow.Array {
	valid = fullValidity(mem, n, valid)
	vb := valid.Bytes()
	buf, out := newFloat64Buffer(mem, n)
	a, b = a[:len(out)], b[:len(out)]
	for i := range out {
		if b[i] == 0 {
			bitutil.ClearBit(vb, i)
			out[i] = 0
			continue
		}
		out[i] = float64(a[i]) / float64(b[i])
	}
	return newArray(Double, n, valid, buf)
}

// arithFloats runs an operator over float64 values; valid (may be nil) is consumed.
func arithFloats(mem memory.Allocator, op string, n int, valid *memory.Buffer,
	a, b []float64) arrow.Array {
	buf, out := newFloat64Buffer(mem, n)
	a, b = a[:len(out)], b[:len(out)]
	switch op {
	case "+":
		for i := range out {
			out[i] = a[i] + b[i]
		}
	case "-":
		for i := range out {
			out[i] = a[i] - b[i]
		}
	case "*":
		for i := range out {
			out[i] = a[i] * b[i]
		}
	default:
		valid = fullValidity(mem, n, valid)
		vb := valid.Bytes()
		quo, trunc := op == "/", op == "//"
		for i := range out {
			y := b[i]
			switch {
			case y == 0:
				bitutil.ClearBit(vb, i)
				out[i] = 0
			case quo:
				out[i] = a[i] / y
			case trunc:
				out[i] = math.Trunc(a[i] / y)
			default:
				out[i] = math.Mod(a[i], y)
			}
		}
	}
	return newArray(Double, n, valid, buf)
}

// Negate computes -a for BIGINT (failing on overflow), DOUBLE and INTERVAL arrays. The caller
// releases the result.
func Negate(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
	n := a.Len()
	switch a.DataType().ID() {
	case arrow.NULL:
		return array.NewNull(n), nil
	case arrow.FLOAT64:
		buf, out := newFloat64Buffer(mem, n)
		for i, v := range float64Values(a)[:n] {
			out[i] = -v
		}
		return newArray(Double, n, combineValidity(mem, n, a), buf), nil
	case arrow.INT64, arrow.DURATION:
		vals := int64Values(a)
		buf, out := newInt64Buffer(mem, n)
		var ovf int64
		for i, v := range vals[:n] {
			ovf |= v & -v
			out[i] = -v
		}
		if ovf < 0 {
			for i, v := range vals {
				if v == math.MinInt64 && a.IsValid(i) {
					buf.Release()
					return nil, fmt.Errorf("%w: -(%d) is out of range", ErrOverflow, v)
				}
			}
		}
		return newArray(a.DataType(), n, combineValidity(mem, n, a), buf), nil
	}
	return nil, errSignature("cannot negate %s", TypeName(a.DataType()))
}
