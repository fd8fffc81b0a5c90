package functions

import (
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// caseMap makes lower (upper false) and upper: ASCII bytes are mapped in place, other
// characters through Unicode's simple case mapping.
func caseMap(name string, upper bool) *Scalar {
	summary := "the text in lower case"
	if upper {
		summary = "the text in upper case"
	}
	resolve := unaryResolve(name, "a VARCHAR argument", always(Varchar), arrow.STRING)
	return scalarEntry(name, "(VARCHAR) -> VARCHAR", nullIfArgIs, summary, resolve,
		func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
			a := args[0].(*array.String)
			bits, off := validity(a)
			w := newStrWriter(n, len(a.ValueBytes()))
			lo, hi, delta := byte('A'), byte('Z'), byte('a'-'A')
			mapRune := unicode.ToLower
			if upper {
				lo, hi, delta = 'a', 'z', -delta // adding -32 mod 256 subtracts 32
				mapRune = unicode.ToUpper
			}
			for i := 0; i < n; i++ {
				if rowValid(bits, off, i) {
					s := a.Value(i)
					for j := 0; j < len(s); {
						c := s[j]
						if c < utf8.RuneSelf {
							if lo <= c && c <= hi {
								c += delta
							}
							w.data = append(w.data, c)
							j++
							continue
						}
						r, size := utf8.DecodeRuneInString(s[j:])
						w.data = utf8.AppendRune(w.data, mapRune(r))
						j += size
					}
				}
				w.end()
			}
			return w.finish(mem, combineValidity(mem, n, a))
		})
}

// length counts the characters (Unicode code points) of a VARCHAR.
var length = scalarEntry("length", "(VARCHAR) -> BIGINT", nullIfArgIs,
	"number of characters in the text",
	unaryResolve("length", "a VARCHAR argument", always(Bigint), arrow.STRING),
	func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
		a := args[0].(*array.String)
		buf, out := newInt64Buffer(mem, n)
		for i := range out {
			out[i] = int64(utf8.RuneCountInString(a.Value(i)))
		}
		return newArray(Bigint, n, combineValidity(mem, n, a), buf), nil
	})

// commonType is the type of a value that may come from any of types: their one type, DOUBLE
// for a mix of BIGINT and DOUBLE, NULL when all are NULL; ok is false for any other mix.
func commonType(types []arrow.DataType) (t arrow.DataType, ok bool) {
	t = Null
	for _, a := range types {
		switch {
		case isNullType(a):
		case isNullType(t) || sameType(t, a):
			t = a
		case IsNumeric(t) && IsNumeric(a):
			t = Double
		default:
			return nil, false
		}
	}
	return t, true
}

// coalesce returns its first argument that is not NULL.
var coalesce = &Scalar{
	Name:     "coalesce",
	Args:     "(T, ...) -> T",
	NullRule: "NULL only if every argument is NULL",
	Summary:  "the first argument that is not NULL",
	Resolve:  coalesceResolve,
	Eval:     coalesceEval,
}

// coalesceResolve checks that the arguments share one type.
func coalesceResolve(args []arrow.DataType) (arrow.DataType, error) {
	if err := argCount("coalesce", args, 1, -1); err != nil {
		return nil, err
	}
	t, ok := commonType(args)
	if !ok {
		return nil, errSignature("coalesce expects arguments of one type, got %s", typeList(args))
	}
	return t, nil
}

// coalesceEval picks, row by row, the value of the first argument that is not NULL.
func coalesceEval(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	types := make([]arrow.DataType, len(args))
	for i, a := range args {
		types[i] = a.DataType()
	}
	t, err := coalesceResolve(types)
	if err != nil {
		return nil, err
	}
	if err := checkLengths(n, args...); err != nil {
		return nil, err
	}
	if isNullType(t) {
		return array.NewNull(n), nil
	}

	var cast []arrow.Array // the non-NULL arguments as type t
	defer func() {
		for _, c := range cast {
			c.Release()
		}
	}()
	for _, a := range args {
		if isNullType(a.DataType()) {
			continue
		}
		c, err := Cast(mem, a, t)
		if err != nil {
			return nil, err
		}
		cast = append(cast, c)
	}
	if len(cast) == 1 {
		return retained(cast[0]), nil
	}

	// pick[i] is the argument row i comes from, -1 when every one is NULL.
	pick := make([]int32, n)
	for i := range pick {
		pick[i] = -1
	}
	for k := len(cast) - 1; k >= 0; k-- {
		bits, off := validity(cast[k])
		for i := range pick {
			if rowValid(bits, off, i) {
				pick[i] = int32(k)
			}
		}
	}
	return gather(mem, t, cast, pick)
}

// gather builds an array of type t whose row i is row i of arrs[pick[i]], NULL when pick[i]
// is negative.
func gather(mem memory.Allocator, t arrow.DataType, arrs []arrow.Array,
	pick []int32) (arrow.Array, error) {
	n := len(pick)
	valid := newBitmap(mem, n)
	vb := valid.Bytes()
	for i, k := range pick {
		if k >= 0 {
			bitutil.SetBit(vb, i)
		}
	}
	switch t.ID() {
	case arrow.STRING:
		strs := make([]*array.String, len(arrs))
		size := 0
		for k, a := range arrs {
			strs[k] = a.(*array.String)
			size = max(size, len(strs[k].ValueBytes()))
		}
		w := newStrWriter(n, size)
		for i, k := range pick {
			if k >= 0 {
				w.data = append(w.data, strs[k].Value(i)...)
			}
			w.end()
		}
		return w.finish(mem, valid)
	case arrow.BOOL:
		vals := newBitmap(mem, n)
		ob := vals.Bytes()
		for i, k := range pick {
			if k >= 0 && arrs[k].(*array.Boolean).Value(i) {
				bitutil.SetBit(ob, i)
			}
		}
		return newArray(t, n, valid, vals), nil
	case arrow.FLOAT64:
		src := make([][]float64, len(arrs))
		for k, a := range arrs {
			src[k] = float64Values(a)
		}
		buf, out := newFloat64Buffer(mem, n)
		for i, k := range pick {
			out[i] = 0
			if k >= 0 {
				out[i] = src[k][i]
			}
		}
		return newArray(t, n, valid, buf), nil
	}
	src := make([][]int64, len(arrs))
	for k, a := range arrs {
		src[k] = int64Values(a)
	}
	buf, out := newInt64Buffer(mem, n)
	for i, k := range pick {
		out[i] = 0
		if k >= 0 {
			out[i] = src[k][i]
		}
	}
	return newArray(t, n, valid, buf), nil
}

// nullif returns NULL where its two arguments are equal, else the first.
var nullif = &Scalar{
	Name:     "nullif",
	Args:     "(T, T) -> T",
	NullRule: "NULL if the first argument is NULL or equals the second",
	Summary:  "NULL when a = b, else a",
	Resolve:  nullifResolve,
	Eval:     nullifEval,
}

// nullifResolve checks that the arguments compare.
func nullifResolve(args []arrow.DataType) (arrow.DataType, error) {
	if err := argCount("nullif", args, 2, 2); err != nil {
		return nil, err
	}
	if err := CompareType(args[0], args[1]); err != nil {
		return nil, errSignature("nullif expects comparable arguments, got %s and %s",
			TypeName(args[0]), TypeName(args[1]))
	}
	return args[0], nil
}

// nullifEval clears the validity of the rows of a that equal b, sharing a's values.
func nullifEval(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	a, b := args[0], args[1]
	if _, err := nullifResolve([]arrow.DataType{a.DataType(), b.DataType()}); err != nil {
		return nil, err
	}
	if err := checkLengths(n, a, b); err != nil {
		return nil, err
	}
	if isNullType(a.DataType()) || isNullType(b.DataType()) {
		return retained(a), nil
	}
	eq, err := Compare(mem, "=", a, b)
	if err != nil {
		return nil, err
	}
	defer eq.Release()

	// Row i stays when a is valid and a = b is not TRUE.
	off := a.Data().Offset()
	valid := newBitmap(mem, off+n)
	vb := valid.Bytes()
	abits, aoff := validity(a)
	isEq := eq.(*array.Boolean)
	for i := 0; i < n; i++ {
		if rowValid(abits, aoff, i) && !(isEq.IsValid(i) && isEq.Value(i)) {
			bitutil.SetBit(vb, off+i)
		}
	}
	nulls := n - bitutil.CountSetBits(vb, off, n)
	bufs := append([]*memory.Buffer{valid}, a.Data().Buffers()[1:]...)
	data := array.NewData(a.DataType(), n, bufs, nil, nulls, off)
	valid.Release()
	defer data.Release()
	return array.MakeFromData(data), nil
}

// concat joins its arguments as text, skipping NULLs as PostgreSQL does.
var concat = &Scalar{
	Name:     "concat",
	Args:     "(any, ...) -> VARCHAR",
	NullRule: "NULL arguments are skipped; never NULL",
	Summary:  "the arguments written as text and joined",
	Resolve: func(args []arrow.DataType) (arrow.DataType, error) {
		if err := argCount("concat", args, 1, -1); err != nil {
			return nil, err
		}
		for _, t := range args {
			if err := CastType(t, Varchar); err != nil {
				return nil, errSignature("concat cannot write %s as text", TypeName(t))
			}
		}
		return Varchar, nil
	},
	Eval: concatEval,
}

// concatEval joins the arguments row by row.
func concatEval(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	if err := checkLengths(n, args...); err != nil {
		return nil, err
	}
	var strs []*array.String
	defer func() {
		for _, s := range strs {
			s.Release()
		}
	}()
	size := 0
	for _, a := range args {
		if isNullType(a.DataType()) {
			continue
		}
		c, err := Cast(mem, a, Varchar)
		if err != nil {
			return nil, err
		}
		s := c.(*array.String)
		strs = append(strs, s)
		size += len(s.ValueBytes())
	}

	w := newStrWriter(n, size)
	for i := 0; i < n; i++ {
		for _, s := range strs {
			if s.IsValid(i) {
				w.data = append(w.data, s.Value(i)...)
			}
		}
		w.end()
	}
	return w.finish(mem, nil)
}
