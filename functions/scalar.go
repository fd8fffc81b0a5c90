package functions

import (
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Null rules shared by many entries.
const (
	nullIfAny    = "NULL if any argument is NULL"
	nullIfArgIs  = "NULL if the argument is NULL"
	nullIfUndef  = "NULL if the argument is NULL or outside the function's domain"
	nullIfAnyDiv = "NULL if any argument is NULL or the divisor is 0"
)

// kernel computes a scalar function over arguments of types other than NULL.
type kernel func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error)

// strict makes the Eval of a function that is NULL whenever an argument is NULL: a NULL-typed
// argument gives an all-NULL result of the resolved type without running k.
func strict(resolve func([]arrow.DataType) (arrow.DataType, error), k kernel) kernel {
	return func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
		types := make([]arrow.DataType, len(args))
		for i, a := range args {
			types[i] = a.DataType()
		}
		t, err := resolve(types)
		if err != nil {
			return nil, err
		}
		if err := checkLengths(n, args...); err != nil {
			return nil, err
		}
		for _, a := range args {
			if isNullType(a.DataType()) {
				return array.MakeArrayOfNull(mem, t, n), nil
			}
		}
		return k(mem, args, n)
	}
}

// scalarEntry makes a Scalar whose Eval is strict over k.
func scalarEntry(name, args, nullRule, summary string,
	resolve func([]arrow.DataType) (arrow.DataType, error), k kernel) *Scalar {
	return &Scalar{Name: name, Args: args, NullRule: nullRule, Summary: summary,
		Resolve: resolve, Eval: strict(resolve, k)}
}

// alias copies a Scalar under another name.
func alias(s *Scalar, name string) *Scalar {
	c := *s
	c.Name = name
	return &c
}

// argCount checks that a function got between lo and hi arguments (hi < 0: no limit).
func argCount(name string, args []arrow.DataType, lo, hi int) error {
	n := len(args)
	switch {
	case n >= lo && (hi < 0 || n <= hi):
		return nil
	case lo == hi && lo == 1:
		return errSignature("%s expects one argument, got %d", name, n)
	case lo == hi:
		return errSignature("%s expects %d arguments, got %d", name, lo, n)
	case hi < 0:
		return errSignature("%s expects at least %d argument(s), got %d", name, lo, n)
	}
	return errSignature("%s expects %d to %d arguments, got %d", name, lo, hi, n)
}

// argOf checks that t, the type of an argument of name, is NULL or one of ids; what names the
// accepted types in the error, e.g. "a numeric argument".
func argOf(name, what string, t arrow.DataType, ids ...arrow.Type) error {
	if isNullType(t) {
		return nil
	}
	for _, id := range ids {
		if t.ID() == id {
			return nil
		}
	}
	return errSignature("%s expects %s, got %s", name, what, TypeName(t))
}

// unaryResolve resolves a function of one argument among ids, whose result type is result(t)
// for an argument of type t (NULL standing for ids[0]).
func unaryResolve(name, what string, result func(arrow.DataType) arrow.DataType,
	ids ...arrow.Type) func([]arrow.DataType) (arrow.DataType, error) {
	return func(args []arrow.DataType) (arrow.DataType, error) {
		if err := argCount(name, args, 1, 1); err != nil {
			return nil, err
		}
		if err := argOf(name, what, args[0], ids...); err != nil {
			return nil, err
		}
		return result(args[0]), nil
	}
}

// always returns a result function giving t.
func always(t arrow.DataType) func(arrow.DataType) arrow.DataType {
	return func(arrow.DataType) arrow.DataType { return t }
}

// sameOr returns a result function giving the argument's type, or t for NULL.
func sameOr(t arrow.DataType) func(arrow.DataType) arrow.DataType {
	return func(a arrow.DataType) arrow.DataType {
		if isNullType(a) {
			return t
		}
		return a
	}
}

// scalarFunctions lists the built-in scalar functions.
func scalarFunctions() []*Scalar {
	ceil := scalarEntry("ceil", "(BIGINT|DOUBLE) -> same", nullIfArgIs,
		"smallest integer not below x", numericSame("ceil"), roundingKernel(math.Ceil))
	power := scalarEntry("power", "(DOUBLE, DOUBLE) -> DOUBLE", nullIfAny,
		"x raised to the power y; also written x ^ y and x ** y", numericPair("power", Double),
		powerKernel)
	return []*Scalar{
		timestampFrom("to_timestamp", "seconds", 1e6),
		timestampFrom("to_timestamp_ms", "milliseconds", 1e3),
		timestampFrom("to_timestamp_us", "microseconds", 1),
		epochMs, epochSeconds,
		caseMap("lower", false), caseMap("upper", true), length,
		scalarEntry("abs", "(BIGINT|DOUBLE) -> same", nullIfArgIs, "absolute value",
			numericSame("abs"), absKernel),
		round,
		scalarEntry("floor", "(BIGINT|DOUBLE) -> same", nullIfArgIs,
			"largest integer not above x", numericSame("floor"), roundingKernel(math.Floor)),
		ceil, alias(ceil, "ceiling"),
		mathFunc("sqrt", "square root; NULL for a negative x", math.Sqrt,
			func(x float64) bool { return !(x < 0) }),
		mathFunc("ln", "natural logarithm; NULL for x <= 0", math.Log,
			func(x float64) bool { return !(x <= 0) }),
		mathFunc("exp", "e raised to the power x", math.Exp, nil),
		power, alias(power, "pow"),
		scalarEntry("mod", "(BIGINT, BIGINT) -> BIGINT, (DOUBLE, DOUBLE) -> DOUBLE",
			nullIfAnyDiv, "remainder of x / y, with the sign of x", modResolve, modKernel),
		coalesce, nullif, concat,
	}
}

// timestampFrom makes to_timestamp and friends: epoch numbers in a unit of 1/scale seconds
// to TIMESTAMP.
func timestampFrom(name, unit string, scale float64) *Scalar {
	resolve := unaryResolve(name, "a numeric argument", always(Timestamp),
		arrow.INT64, arrow.FLOAT64)
	return scalarEntry(name, "(BIGINT|DOUBLE) -> TIMESTAMP", nullIfArgIs,
		"TIMESTAMP from "+unit+" since the Unix epoch", resolve,
		func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
			return toTimestamp(mem, name, args[0], scale)
		})
}

// toTimestamp multiplies epoch numbers by scale to get microseconds; a value beyond the
// range of TIMESTAMP is an error wrapping ErrOverflow.
func toTimestamp(mem memory.Allocator, name string, a arrow.Array,
	scale float64) (arrow.Array, error) {
	n := a.Len()
	bits, off := validity(a)
	buf, out := newInt64Buffer(mem, n)
	fail := func(text string) (arrow.Array, error) {
		buf.Release()
		return nil, fmt.Errorf("%w: %s(%s) is out of range for TIMESTAMP", ErrOverflow, name, text)
	}
	if a.DataType().ID() == arrow.INT64 {
		m := int64(scale)
		var ovf int64
		for i, v := range int64Values(a)[:n] {
			p, o := mul64(v, m)
			ovf |= o
			out[i] = p
		}
		if ovf < 0 {
			for i, v := range int64Values(a)[:n] {
				if _, o := mul64(v, m); o < 0 && rowValid(bits, off, i) {
					return fail(fmt.Sprint(v))
				}
			}
		}
	} else {
		for i, f := range float64Values(a)[:n] {
			r := math.Round(f * scale)
			if r >= -(1<<63) && r < 1<<63 {
				out[i] = int64(r)
				continue
			}
			out[i] = 0
			if rowValid(bits, off, i) {
				return fail(FormatDouble(f))
			}
		}
	}
	return newArray(Timestamp, n, combineValidity(mem, n, a), buf), nil
}

// epochMs is epoch_ms: TIMESTAMP to milliseconds, and BIGINT milliseconds to TIMESTAMP as
// DuckDB's epoch_ms does.
var epochMs = scalarEntry("epoch_ms", "(TIMESTAMP) -> BIGINT, (BIGINT) -> TIMESTAMP", nullIfArgIs,
	"milliseconds since the Unix epoch (rounded down), or the TIMESTAMP of such a number",
	unaryResolve("epoch_ms", "TIMESTAMP or BIGINT", func(t arrow.DataType) arrow.DataType {
		if t.ID() == arrow.INT64 {
			return Timestamp
		}
		return Bigint
	}, arrow.TIMESTAMP, arrow.INT64),
	func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
		a := args[0]
		if a.DataType().ID() == arrow.INT64 {
			return toTimestamp(mem, "epoch_ms", a, 1e3)
		}
		buf, out := newInt64Buffer(mem, n)
		for i, v := range int64Values(a)[:n] {
			q := v / 1000
			if v%1000 < 0 {
				q--
			}
			out[i] = q
		}
		return newArray(Bigint, n, combineValidity(mem, n, a), buf), nil
	})

// epochSeconds is epoch: TIMESTAMP to seconds as DOUBLE.
var epochSeconds = scalarEntry("epoch", "(TIMESTAMP) -> DOUBLE", nullIfArgIs,
	"seconds since the Unix epoch, with the fraction",
	unaryResolve("epoch", "a TIMESTAMP argument", always(Double), arrow.TIMESTAMP),
	func(mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
		buf, out := newFloat64Buffer(mem, n)
		for i, v := range int64Values(args[0])[:n] {
			out[i] = float64(v) / 1e6
		}
		return newArray(Double, n, combineValidity(mem, n, args[0]), buf), nil
	})

// typeList names types for error messages: "BIGINT and VARCHAR".
func typeList(types []arrow.DataType) string {
	seen := map[string]bool{}
	var names []string
	for _, t := range types {
		if n := TypeName(t); !seen[n] && !isNullType(t) {
			seen[n] = true
			names = append(names, n)
		}
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
