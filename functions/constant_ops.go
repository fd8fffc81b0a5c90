package functions

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The kernels with a constant operand: `price * 0.908`, `auction % 123`, `x = 0`. They give
// what Arith and Compare give with the constant broadcast to an array, without making that
// array, and take only the common cases; ok false sends the caller to Arith or Compare.

// ArithConst computes a op c, or c op a when constLeft, for op one of + - * / // %, a a
// BIGINT or DOUBLE array and c an int64 (BIGINT) or float64 (DOUBLE) constant, not NULL.
// ok is false for other types, for a division whose divisor is not a constant other than 0
// (and -1 for BIGINT), for / of two BIGINTs, and when a BIGINT result overflows. The caller
// releases the result.
func ArithConst(mem memory.Allocator, op string, a arrow.Array, c any,
	constLeft bool) (out arrow.Array, ok bool) {
	id := a.DataType().ID()
	if id != arrow.INT64 && id != arrow.FLOAT64 {
		return nil, false
	}
	div := op == "/" || op == "//" || op == "%"
	switch c := c.(type) {
	case int64:
		if id == arrow.INT64 {
			if op == "/" || div && (constLeft || c == 0 || c == -1) {
				return nil, false
			}
			return arithIntsConst(mem, op, a, c, constLeft)
		}
		return arithFloatsConst(mem, op, a, float64(c), constLeft)
	case float64:
		return arithFloatsConst(mem, op, a, c, constLeft)
	}
	return nil, false
}

// arithIntsConst runs + - * // % over a BIGINT array and a constant; // and % have a constant
// divisor other than 0 and -1.
func arithIntsConst(mem memory.Allocator, op string, a arrow.Array, c int64,
	constLeft bool) (arrow.Array, bool) {
	n := a.Len()
	x := int64Values(a)[:n]
	buf, out := newInt64Buffer(mem, n)
	var ovf int64 // sign bit set when some row overflowed, NULL rows included
	switch {
	case op == "+":
		for i, v := range x {
			s := v + c
			ovf |= (v ^ s) & (c ^ s)
			out[i] = s
		}
	case op == "-" && constLeft:
		for i, v := range x {
			d := c - v
			ovf |= (c ^ v) & (c ^ d)
			out[i] = d
		}
	case op == "-":
		for i, v := range x {
			d := v - c
			ovf |= (v ^ c) & (v ^ d)
			out[i] = d
		}
	case op == "*":
		for i, v := range x {
			p, o := mul64(v, c)
			ovf |= o
			out[i] = p
		}
	case op == "//":
		for i, v := range x {
			out[i] = v / c
		}
	case op == "%":
		for i, v := range x {
			out[i] = v % c
		}
	default:
		buf.Release()
		return nil, false
	}
	if ovf < 0 {
		buf.Release()
		return nil, false // Arith finds the row, or that it is NULL
	}
	return newArray(Bigint, n, combineValidity(mem, n, a), buf), true
}

// arithFloatsConst runs + - * / over a BIGINT or DOUBLE array and a constant as DOUBLE; / has
// a constant divisor other than 0.
func arithFloatsConst(mem memory.Allocator, op string, a arrow.Array, c float64,
	constLeft bool) (arrow.Array, bool) {
	if op != "+" && op != "-" && op != "*" && (op != "/" || constLeft || c == 0) {
		return nil, false
	}
	n := a.Len()
	buf, out := newFloat64Buffer(mem, n)
	if a.DataType().ID() == arrow.FLOAT64 {
		for i, v := range float64Values(a)[:n] {
			out[i] = v
		}
	} else {
		for i, v := range int64Values(a)[:n] {
			out[i] = float64(v)
		}
	}
	switch {
	case op == "+" && constLeft:
		for i, v := range out {
			out[i] = c + v
		}
	case op == "+":
		for i, v := range out {
			out[i] = v + c
		}
	case op == "-" && constLeft:
		for i, v := range out {
			out[i] = c - v
		}
	case op == "-":
		for i, v := range out {
			out[i] = v - c
		}
	case op == "*" && constLeft:
		for i, v := range out {
			out[i] = c * v
		}
	case op == "*":
		for i, v := range out {
			out[i] = v * c
		}
	default:
		for i, v := range out {
			out[i] = v / c
		}
	}
	return newArray(Double, n, combineValidity(mem, n, a), buf), true
}

// CompareConst computes a op c, or c op a when constLeft, for op one of = <> < <= > >=, a a
// BIGINT array and c an int64 constant, not NULL; ok is false for other types. The caller
// releases the result.
func CompareConst(mem memory.Allocator, op string, a arrow.Array, c any,
	constLeft bool) (out arrow.Array, ok bool) {
	k, isInt := c.(int64)
	if a.DataType().ID() != arrow.INT64 || !isInt {
		return nil, false
	}
	if constLeft {
		op = flipCompare(op)
	}
	n := a.Len()
	x := int64Values(a)[:n]
	bits := newBitmap(mem, n)
	ob := bits.Bytes()
	switch op {
	case "=":
		for i, v := range x {
			ob[i>>3] |= bit(v == k) << (i & 7)
		}
	case "<>":
		for i, v := range x {
			ob[i>>3] |= bit(v != k) << (i & 7)
		}
	case "<":
		for i, v := range x {
			ob[i>>3] |= bit(v < k) << (i & 7)
		}
	case "<=":
		for i, v := range x {
			ob[i>>3] |= bit(v <= k) << (i & 7)
		}
	case ">":
		for i, v := range x {
			ob[i>>3] |= bit(v > k) << (i & 7)
		}
	case ">=":
		for i, v := range x {
			ob[i>>3] |= bit(v >= k) << (i & 7)
		}
	default:
		bits.Release()
		return nil, false
	}
	return newArray(Boolean, n, combineValidity(mem, n, a), bits), true
}

// flipCompare returns the comparison with its operands swapped: c < a is a > c.
func flipCompare(op string) string {
	switch op {
	case "<":
		return ">"
	case "<=":
		return ">="
	case ">":
		return "<"
	case ">=":
		return "<="
	}
	return op
}
