package functions

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// boolBits returns copies of the value and validity bitmaps of a BOOLEAN or NULL array,
// starting at bit 0; validity is all set when a has no NULLs.
func boolBits(op string, a arrow.Array) (vals, valid []byte, err error) {
	n := a.Len()
	size := int(bitutil.BytesForBits(int64(n)))
	vals, valid = make([]byte, size), make([]byte, size)
	switch a.DataType().ID() {
	case arrow.NULL:
		return vals, valid, nil
	case arrow.BOOL:
	default:
		return nil, nil, errSignature("%s expects BOOLEAN, got %s", op, TypeName(a.DataType()))
	}
	src, off := boolValues(a)
	bitutil.CopyBitmap(src, int(off), n, vals, 0)
	if bits, voff := validity(a); bits != nil {
		bitutil.CopyBitmap(bits, voff, n, valid, 0)
	} else {
		bitutil.SetBitsTo(valid, 0, int64(n), true)
	}
	return vals, valid, nil
}

// logic computes l AND r (isAnd) or l OR r a byte at a time.
func logic(mem memory.Allocator, l, r arrow.Array, isAnd bool) (arrow.Array, error) {
	n := l.Len()
	if err := checkLengths(n, r); err != nil {
		return nil, err
	}
	op := "OR"
	if isAnd {
		op = "AND"
	}
	lv, lk, err := boolBits(op, l)
	if err != nil {
		return nil, err
	}
	rv, rk, err := boolBits(op, r)
	if err != nil {
		return nil, err
	}

	vals, valid := newBitmap(mem, n), newBitmap(mem, n)
	vb, kb := vals.Bytes(), valid.Bytes()
	rv, rk, lk = rv[:len(lv)], rk[:len(lv)], lk[:len(lv)]
	if isAnd {
		// Known when both are known or either is a known FALSE.
		for i, v := range lv {
			k := lk[i]&rk[i] | lk[i]&^v | rk[i]&^rv[i]
			vb[i], kb[i] = v&rv[i]&k, k
		}
	} else {
		// Known when both are known or either is a known TRUE.
		for i, v := range lv {
			k := lk[i]&rk[i] | lk[i]&v | rk[i]&rv[i]
			vb[i], kb[i] = (v&lk[i]|rv[i]&rk[i])&k, k
		}
	}
	return newArray(Boolean, n, valid, vals), nil
}

// And computes l AND r with SQL's three-valued logic: FALSE AND NULL is FALSE. The caller
// releases the result.
func And(mem memory.Allocator, l, r arrow.Array) (arrow.Array, error) {
	return logic(mem, l, r, true)
}

// Or computes l OR r with SQL's three-valued logic: TRUE OR NULL is TRUE. The caller releases
// the result.
func Or(mem memory.Allocator, l, r arrow.Array) (arrow.Array, error) {
	return logic(mem, l, r, false)
}

// Not computes NOT a; NOT NULL is NULL. The caller releases the result.
func Not(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
	n := a.Len()
	switch a.DataType().ID() {
	case arrow.NULL:
		return array.NewNull(n), nil
	case arrow.BOOL:
	default:
		return nil, errSignature("NOT expects BOOLEAN, got %s",
			TypeName(a.DataType()))
	}
	vals := newBitmap(mem, n)
	src, off := boolValues(a)
	bitutil.InvertBitmap(src, int(off), n, vals.Bytes(), 0)
	return newArray(Boolean, n, combineValidity(mem, n, a), vals), nil
}

// IsNull computes a IS NULL, or a IS NOT NULL when negate is set; the result has no NULLs.
// The caller releases the result.
func IsNull(mem memory.Allocator, a arrow.Array, negate bool) (arrow.Array, error) {
	n := a.Len()
	vals := newBitmap(mem, n)
	vb := vals.Bytes()
	switch bits, off := validity(a); {
	case isNullType(a.DataType()):
		bitutil.SetBitsTo(vb, 0, int64(n), !negate)
	case bits == nil:
		bitutil.SetBitsTo(vb, 0, int64(n), negate)
	case negate:
		bitutil.CopyBitmap(bits, off, n, vb, 0)
	default:
		bitutil.InvertBitmap(bits, off, n, vb, 0)
	}
	return newArray(Boolean, n, nil, vals), nil
}

// Concat computes l || r over VARCHAR arrays; a NULL in either gives NULL. The caller releases
// the result.
func Concat(mem memory.Allocator, l, r arrow.Array) (arrow.Array, error) {
	n := l.Len()
	if err := checkLengths(n, r); err != nil {
		return nil, err
	}
	for _, a := range []arrow.Array{l, r} {
		if id := a.DataType().ID(); id != arrow.STRING && id != arrow.NULL {
			return nil, errSignature("|| expects VARCHAR, got %s",
				TypeName(a.DataType()))
		}
	}
	if isNullType(l.DataType()) || isNullType(r.DataType()) {
		return array.MakeArrayOfNull(mem, Varchar, n), nil
	}

	ls, rs := l.(*array.String), r.(*array.String)
	valid := combineValidity(mem, n, l, r)
	w := newStrWriter(n, len(ls.ValueBytes())+len(rs.ValueBytes()))
	for i := 0; i < n; i++ {
		if valid == nil || bitutil.BitIsSet(valid.Bytes(), i) {
			w.data = append(w.data, ls.Value(i)...)
			w.data = append(w.data, rs.Value(i)...)
		}
		w.end()
	}
	return w.finish(mem, valid)
}
