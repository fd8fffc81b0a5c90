package functions

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// numericSame resolves a function of one numeric argument whose result has its type.
func numericSame(name string) func([]arrow.DataType) (arrow.DataType, error) {
	return unaryResolve(name, "a numeric argument", sameOr(Double), arrow.INT64, arrow.FLOAT64)
}

// numericPair resolves a function of two numeric arguments with result type t.
func numericPair(name string, t arrow.DataType) func([]arrow.DataType) (arrow.DataType, error) {
	return func(args []arrow.DataType) (arrow.DataType, error) {
		if err := argCount(name, args, 2, 2); err != nil {
			return nil, err
		}
		for _, a := range args {
			if err := argOf(name, "numeric arguments", a, arrow.INT64, arrow.FLOAT64); err != nil {
				return nil, err
			}
		}
		return t, nil
	}
}

// roundingKernel applies f (floor or ceil) to DOUBLE; BIGINT values are already whole.
func roundingKernel(f func(float64) float64) kernel {
	return func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
		a := args[0]
		if a.DataType().ID() == arrow.INT64 {
			return retained(a), nil
		}
		buf, out := newFloat64Buffer(mem, n)
		for i, x := range float64Values(a)[:n] {
			out[i] = f(x)
		}
		return newArray(Double, n, combineValidity(mem, n, a), buf), nil
	}
}

// absKernel computes abs; abs of the smallest BIGINT overflows.
func absKernel(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	a := args[0]
	if a.DataType().ID() == arrow.FLOAT64 {
		buf, out := newFloat64Buffer(mem, n)
		for i, x := range float64Values(a)[:n] {
			out[i] = math.Abs(x)
		}
		return newArray(Double, n, combineValidity(mem, n, a), buf), nil
	}
	bits, off := validity(a)
	buf, out := newInt64Buffer(mem, n)
	for i, x := range int64Values(a)[:n] {
		if x == math.MinInt64 && rowValid(bits, off, i) {
			buf.Release()
			return nil, fmt.Errorf("%w: abs(%d) is out of range", ErrOverflow, x)
		}
		out[i] = x
		if x < 0 {
			out[i] = -x
		}
	}
	return newArray(Bigint, n, combineValidity(mem, n, a), buf), nil
}

// round is round(x[, digits]): half away from zero, as in DuckDB; digits may be negative.
var round = scalarEntry("round", "(BIGINT|DOUBLE[, BIGINT]) -> same", nullIfAny,
	"x rounded to digits decimal places (0 by default), halves away from zero",
	func(args []arrow.DataType) (arrow.DataType, error) {
		if err := argCount("round", args, 1, 2); err != nil {
			return nil, err
		}
		if err := argOf("round", "a numeric argument", args[0],
			arrow.INT64, arrow.FLOAT64); err != nil {
			return nil, err
		}
		if len(args) == 2 {
			if err := argOf("round", "BIGINT digits", args[1], arrow.INT64); err != nil {
				return nil, err
			}
		}
		return sameOr(Double)(args[0]), nil
	}, roundKernel)

// roundKernel computes round.
func roundKernel(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	a := args[0]
	isInt := a.DataType().ID() == arrow.INT64
	if len(args) == 1 {
		if isInt {
			return retained(a), nil
		}
		buf, out := newFloat64Buffer(mem, n)
		for i, x := range float64Values(a)[:n] {
			out[i] = math.Round(x)
		}
		return newArray(Double, n, combineValidity(mem, n, a), buf), nil
	}

	digits := int64Values(args[1])[:n]
	valid := combineValidity(mem, n, a, args[1])
	if !isInt {
		buf, out := newFloat64Buffer(mem, n)
		for i, x := range float64Values(a)[:n] {
			out[i] = roundDouble(x, digits[i])
		}
		return newArray(Double, n, valid, buf), nil
	}
	buf, out := newInt64Buffer(mem, n)
	for i, x := range int64Values(a)[:n] {
		r, ok := roundBigint(x, digits[i])
		if !ok && (valid == nil || bitutil.BitIsSet(valid.Bytes(), i)) {
			buf.Release()
			if valid != nil {
				valid.Release()
			}
			return nil, fmt.Errorf("%w: round(%d, %d) is out of range", ErrOverflow, x, digits[i])
		}
		out[i] = r
	}
	return newArray(Bigint, n, valid, buf), nil
}

// roundDouble rounds x to d decimal places; when scaling x leaves the range of DOUBLE, x is
// returned unchanged, as DuckDB does.
func roundDouble(x float64, d int64) float64 {
	switch {
	case d >= 0:
		p := math.Pow10(int(min(d, 400)))
		s := math.Round(x * p)
		if math.IsInf(s, 0) || math.IsNaN(s) {
			return x
		}
		return s / p
	case d < -308:
		return 0 * x
	}
	p := math.Pow10(int(-d))
	return math.Round(x/p) * p
}

// roundBigint rounds x to a multiple of 10^-d for negative d, halves away from zero; ok is
// false when the result does not fit.
func roundBigint(x, d int64) (int64, bool) {
	switch {
	case d >= 0:
		return x, true
	case d < -18:
		return 0, true
	}
	p := int64(1)
	for ; d < 0; d++ {
		p *= 10
	}
	q, r := x/p, x%p
	if r >= p-r {
		q++
	} else if -r >= p+r {
		q--
	}
	v, o := mul64(q, p)
	return v, o >= 0
}

// mathFunc makes a function of one numeric argument with a DOUBLE result; where domain is not
// nil and returns false, the result is NULL.
func mathFunc(name, summary string, f func(float64) float64,
	domain func(float64) bool) *Scalar {
	rule := nullIfArgIs
	if domain != nil {
		rule = nullIfUndef
	}
	resolve := unaryResolve(name, "a numeric argument", always(Double),
		arrow.INT64, arrow.FLOAT64)
	return scalarEntry(name, "(DOUBLE) -> DOUBLE", rule, summary, resolve,
		func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
			a := args[0]
			valid := combineValidity(mem, n, a)
			buf, out := newFloat64Buffer(mem, n)
			xs := asFloat64s(a)[:n]
			if domain == nil {
				for i, x := range xs {
					out[i] = f(x)
				}
				return newArray(Double, n, valid, buf), nil
			}
			var vb []byte
			for i, x := range xs {
				if domain(x) {
					out[i] = f(x)
					continue
				}
				out[i] = 0
				if vb == nil {
					valid = fullValidity(mem, n, valid)
					vb = valid.Bytes()
				}
				bitutil.ClearBit(vb, i)
			}
			return newArray(Double, n, valid, buf), nil
		})
}

// powerKernel computes power(x, y) over DOUBLE.
func powerKernel(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	xs, ys := asFloat64s(args[0])[:n], asFloat64s(args[1])[:n]
	buf, out := newFloat64Buffer(mem, n)
	for i, x := range xs {
		out[i] = math.Pow(x, ys[i])
	}
	return newArray(Double, n, combineValidity(mem, n, args[0], args[1]), buf), nil
}

// modResolve resolves mod(x, y) as x % y.
func modResolve(args []arrow.DataType) (arrow.DataType, error) {
	if _, err := numericPair("mod", Double)(args); err != nil {
		return nil, err
	}
	return ArithType("%", args[0], args[1])
}

// modKernel computes mod(x, y) as x % y.
func modKernel(mem memory.Allocator, args []arrow.Array, _ int) (arrow.Array, error) {
	return Arith(mem, "%", args[0], args[1])
}
