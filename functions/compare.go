package functions

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// cmpOp is a comparison reduced to one of three forms: every operator is =, < or <= with the
// operands possibly swapped and the result possibly negated.
type cmpOp int

const (
	cmpEq cmpOp = iota
	cmpLt
	cmpLe
)

// parseCmp reduces op to a cmpOp, whether to swap the operands and whether to negate.
func parseCmp(op string) (c cmpOp, swap, negate bool, err error) {
	switch op {
	case "=", "==":
		return cmpEq, false, false, nil
	case "<>", "!=":
		return cmpEq, false, true, nil
	case "<":
		return cmpLt, false, false, nil
	case "<=":
		return cmpLe, false, false, nil
	case ">":
		return cmpLt, true, false, nil
	case ">=":
		return cmpLe, true, false, nil
	}
	return 0, false, false, errSignature("unknown comparison operator %q", op)
}

// CompareType checks that values of types l and r can be compared: both of one type among
// BOOLEAN, BIGINT, DOUBLE, VARCHAR, TIMESTAMP and INTERVAL, both numeric, or either NULL.
func CompareType(l, r arrow.DataType) error {
	if isNullType(l) || isNullType(r) || IsNumeric(l) && IsNumeric(r) {
		return nil
	}
	if arrow.TypeEqual(l, r) {
		switch l.ID() {
		case arrow.BOOL, arrow.STRING, arrow.TIMESTAMP, arrow.DURATION:
			return nil
		}
	}
	return errSignature("cannot compare %s and %s", TypeName(l), TypeName(r))
}

// Compare computes l op r row by row for op one of = <> != < <= > >=, as a BOOLEAN array; a
// NULL in either operand gives NULL. BIGINT and DOUBLE compare as DOUBLE. For DOUBLE, NaN
// equals NaN and is greater than every other value, as in PostgreSQL. The caller releases the
// result.
func Compare(mem memory.Allocator, op string, l, r arrow.Array) (arrow.Array, error) {
	c, swap, negate, err := parseCmp(op)
	if err != nil {
		return nil, err
	}
	if err := CompareType(l.DataType(), r.DataType()); err != nil {
		return nil, err
	}
	n := l.Len()
	if err := checkLengths(n, r); err != nil {
		return nil, err
	}
	if isNullType(l.DataType()) || isNullType(r.DataType()) {
		return array.MakeArrayOfNull(mem, Boolean, n), nil
	}

	if swap {
		l, r = r, l
	}
	out := newBitmap(mem, n)
	ob := out.Bytes()
	lid, rid := l.DataType().ID(), r.DataType().ID()
	switch {
	case lid == arrow.FLOAT64 || rid == arrow.FLOAT64:
		compareFloats(c, asFloat64s(l), asFloat64s(r), ob)
	case lid == arrow.STRING:
		compareStrings(c, l.(*array.String), r.(*array.String), ob)
	case lid == arrow.BOOL:
		compareBools(c, l, r, ob)
	default:
		compareInts(c, int64Values(l), int64Values(r), ob)
	}
	if negate {
		bitutil.InvertBitmap(ob, 0, n, ob, 0)
	}
	return newArray(Boolean, n, combineValidity(mem, n, l, r), out), nil
}

// bit is 1 for true and 0 for false.
func bit(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// compareInts sets bit i of out when a[i] c b[i].
func compareInts(c cmpOp, a, b []int64, out []byte) {
	b = b[:len(a)]
	switch c {
	case cmpEq:
		for i := range a {
			out[i>>3] |= bit(a[i] == b[i]) << (i & 7)
		}
	case cmpLt:
		for i := range a {
			out[i>>3] |= bit(a[i] < b[i]) << (i & 7)
		}
	case cmpLe:
		for i := range a {
			out[i>>3] |= bit(a[i] <= b[i]) << (i & 7)
		}
	}
}

// compareFloats sets bit i of out when a[i] c b[i], NaN being equal to NaN and above every
// number.
func compareFloats(c cmpOp, a, b []float64, out []byte) {
	b = b[:len(a)]
	switch c {
	case cmpEq:
		for i := range a {
			x, y := a[i], b[i]
			out[i>>3] |= bit(x == y || x != x && y != y) << (i & 7)
		}
	case cmpLt:
		for i := range a {
			x, y := a[i], b[i]
			out[i>>3] |= bit(x < y || y != y && x == x) << (i & 7)
		}
	case cmpLe:
		for i := range a {
			x, y := a[i], b[i]
			out[i>>3] |= bit(x <= y || y != y) << (i & 7)
		}
	}
}

// compareStrings sets bit i of out when a[i] c b[i], comparing bytes.
func compareStrings(c cmpOp, a, b *array.String, out []byte) {
	n := a.Len()
	switch c {
	case cmpEq:
		for i := 0; i < n; i++ {
			out[i>>3] |= bit(a.Value(i) == b.Value(i)) << (i & 7)
		}
	case cmpLt:
		for i := 0; i < n; i++ {
			out[i>>3] |= bit(a.Value(i) < b.Value(i)) << (i & 7)
		}
	case cmpLe:
		for i := 0; i < n; i++ {
			out[i>>3] |= bit(a.Value(i) <= b.Value(i)) << (i & 7)
		}
	}
}

// compareBools sets the bits of out for BOOLEAN operands, FALSE being below TRUE, a word at a
// time.
func compareBools(c cmpOp, a, b arrow.Array, out []byte) {
	n := int64(a.Len())
	av, ao := boolValues(a)
	bv, bo := boolValues(b)
	switch c {
	case cmpEq:
		bitutil.BitmapXnor(av, bv, ao, bo, out, 0, n)
	case cmpLt: // !a && b
		bitutil.BitmapAndNot(bv, av, bo, ao, out, 0, n)
	case cmpLe: // !(a && !b)
		bitutil.BitmapAndNot(av, bv, ao, bo, out, 0, n)
		bitutil.InvertBitmap(out, 0, int(n), out, 0)
	}
}

// boolValues returns the value bitmap of a BOOLEAN array and its bit offset.
func boolValues(a arrow.Array) ([]byte, int64) {
	d := a.Data()
	if b := d.Buffers()[1]; b != nil {
		return b.Bytes(), int64(d.Offset())
	}
	return make([]byte, bitutil.BytesForBits(int64(d.Offset()+d.Len()))), int64(d.Offset())
}
