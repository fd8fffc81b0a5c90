package exec

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/weirsql/weir/functions"
)

// Case is the searched CASE: the value of the first branch whose condition is TRUE, else the
// ELSE value, else NULL. Every branch has been cast to T by the planner.
type Case struct {
	Conds []Expr
	Thens []Expr
	Else  Expr // nil for NULL
	T     arrow.DataType
	SQL   fmt.Stringer // what String prints (see textOf)
}

func (e *Case) Type() arrow.DataType { return e.T }
func (e *Case) String() string       { return textOf(e.SQL) }

func (e *Case) Eval(mem memory.Allocator, b arrow.RecordBatch) (arrow.Array, error) {
	conds, err := evalAll(mem, b, e.Conds)
	if err != nil {
		return nil, err
	}
	defer releaseAll(conds)
	thens, err := evalAll(mem, b, e.Thens)
	if err != nil {
		return nil, err
	}
	defer releaseAll(thens)
	var els arrow.Array
	if e.Else != nil {
		if els, err = e.Else.Eval(mem, b); err != nil {
			return nil, err
		}
		defer els.Release()
	}
	n := int(b.NumRows())
	out := array.NewBuilder(mem, e.T)
	defer out.Release()
	out.Reserve(n)
	for i := 0; i < n; i++ {
		var src arrow.Array
		for j, c := range conds {
			if cb, ok := c.(*array.Boolean); ok && cb.IsValid(i) && cb.Value(i) {
				src = thens[j]
				break
			}
		}
		if src == nil {
			src = els
		}
		if src == nil {
			out.AppendNull()
			continue
		}
		if err := appendCell(out, src, i); err != nil {
			return nil, err
		}
	}
	return out.NewArray(), nil
}

// IsDistinct is `l IS [NOT] DISTINCT FROM r`: equality in which NULL equals NULL and differs
// from every value; never NULL itself.
type IsDistinct struct {
	L, R Expr
	Not  bool
	SQL  fmt.Stringer // what String prints (see textOf)
}

func (e *IsDistinct) Type() arrow.DataType { return functions.Boolean }
func (e *IsDistinct) String() string       { return textOf(e.SQL) }

func (e *IsDistinct) Eval(mem memory.Allocator, b arrow.RecordBatch) (arrow.Array, error) {
	args, err := evalAll(mem, b, []Expr{e.L, e.R})
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	ne, err := functions.Compare(mem, "<>", args[0], args[1])
	if err != nil {
		return nil, err
	}
	defer ne.Release()
	diff := ne.(*array.Boolean)
	n := int(b.NumRows())
	out := array.NewBooleanBuilder(mem)
	defer out.Release()
	out.Reserve(n)
	for i := 0; i < n; i++ {
		ln, rn := cellIsNull(args[0], i), cellIsNull(args[1], i)
		d := ln != rn || (!ln && !rn && diff.Value(i))
		out.UnsafeAppend(d != e.Not)
	}
	return out.NewArray(), nil
}

// Like is `x [NOT] LIKE|ILIKE pattern`: % matches any run of characters, _ one character,
// and a backslash makes the next character literal.
type Like struct {
	X, Pattern      Expr
	Not             bool
	CaseInsensitive bool
	SQL             fmt.Stringer // what String prints (see textOf)

	cache map[string]*regexp.Regexp
}

func (e *Like) Type() arrow.DataType { return functions.Boolean }
func (e *Like) String() string       { return textOf(e.SQL) }

// LikeRegexp translates a LIKE pattern into a regular expression.
func LikeRegexp(pattern string, caseInsensitive bool) (*regexp.Regexp, error) {
	var b strings.Builder
	if caseInsensitive {
		b.WriteString("(?is)^")
	} else {
		b.WriteString("(?s)^")
	}
	escaped := false
	for _, r := range pattern {
		switch {
		case escaped:
			b.WriteString(regexp.QuoteMeta(string(r)))
			escaped = false
		case r == '\\':
			escaped = true
		case r == '%':
			b.WriteString(".*")
		case r == '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	if escaped {
		return nil, fmt.Errorf("LIKE pattern %q ends with an escape character", pattern)
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}

func (e *Like) Eval(mem memory.Allocator, b arrow.RecordBatch) (arrow.Array, error) {
	args, err := evalAll(mem, b, []Expr{e.X, e.Pattern})
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	xs, ok1 := args[0].(*array.String)
	ps, ok2 := args[1].(*array.String)
	n := int(b.NumRows())
	out := array.NewBooleanBuilder(mem)
	defer out.Release()
	out.Reserve(n)
	if !ok1 || !ok2 {
		out.AppendNulls(n) // a NULL-typed operand
		return out.NewArray(), nil
	}
	if e.cache == nil {
		e.cache = map[string]*regexp.Regexp{}
	}
	for i := 0; i < n; i++ {
		if xs.IsNull(i) || ps.IsNull(i) {
			out.AppendNull()
			continue
		}
		p := ps.Value(i)
		re, ok := e.cache[p]
		if !ok {
			if re, err = LikeRegexp(p, e.CaseInsensitive); err != nil {
				return nil, err
			}
			if len(e.cache) > 1000 {
				e.cache = map[string]*regexp.Regexp{}
			}
			e.cache[strings.Clone(p)] = re
		}
		out.UnsafeAppend(re.MatchString(xs.Value(i)) != e.Not)
	}
	return out.NewArray(), nil
}

// cellIsNull reports whether row i of a is NULL; every row of a NULL-typed array is, whatever
// its validity bitmap says.
func cellIsNull(a arrow.Array, i int) bool {
	return a.DataType().ID() == arrow.NULL || a.IsNull(i)
}
