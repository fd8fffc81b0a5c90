package exec

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/weirsql/weir/functions"
)

// Expr is a compiled expression: it evaluates to one array over a whole batch.
type Expr interface {
	// Type is the Arrow type of the result.
	Type() arrow.DataType
	// Eval computes the expression over every row of b. The caller owns the result.
	Eval(mem memory.Allocator, b arrow.RecordBatch) (arrow.Array, error)
	// String is the expression as SQL, for plans and error messages.
	String() string
}

// Text is an expression's text already made: a compiled expression's SQL when it has no
// parsed expression to print.
type Text string

func (t Text) String() string { return string(t) }

// textOf prints s, an expression's SQL: the parsed expression it was compiled from, which
// prints itself only when a plan or a message asks. Keeping the text of every node as a
// string when it is compiled would print a chain of n operators n times over, O(n²).
func textOf(s fmt.Stringer) string {
	if s == nil {
		return "?"
	}
	return s.String()
}

// Column reads one column of the input batch.
type Column struct {
	Index int
	T     arrow.DataType
	Name  string
}

func (c *Column) Type() arrow.DataType { return c.T }
func (c *Column) String() string       { return c.Name }

func (c *Column) Eval(_ memory.Allocator, b arrow.RecordBatch) (arrow.Array, error) {
	col := b.Column(c.Index)
	col.Retain()
	return col, nil
}

// Literal is a constant, broadcast to the batch's length.
type Literal struct {
	T     arrow.DataType
	Value any // int64, float64, string, bool, or nil for NULL; µs for time types
	Text  string
}

func (l *Literal) Type() arrow.DataType { return l.T }
func (l *Literal) String() string       { return l.Text }

func (l *Literal) Eval(mem memory.Allocator, b arrow.RecordBatch) (arrow.Array, error) {
	return functions.Constant(mem, l.T, l.Value, int(b.NumRows()))
}

// evalAll evaluates each expression; on error it releases what it made.
func evalAll(mem memory.Allocator, b arrow.RecordBatch, exprs []Expr) ([]arrow.Array, error) {
	out := make([]arrow.Array, 0, len(exprs))
	for _, e := range exprs {
		a, err := e.Eval(mem, b)
		if err != nil {
			releaseAll(out)
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func releaseAll(arrs []arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}

// Binary applies an infix operator to two operands.
type Binary struct {
	Op   string
	L, R Expr
	T    arrow.DataType
	SQL  fmt.Stringer // what String prints (see textOf)
}

func (e *Binary) Type() arrow.DataType { return e.T }

// String prints SQL, or the operands around the operator when SQL is not set.
func (e *Binary) String() string {
	if e.SQL == nil {
		return e.L.String() + " " + e.Op + " " + e.R.String()
	}
	return e.SQL.String()
}

func (e *Binary) Eval(mem memory.Allocator, b arrow.RecordBatch) (arrow.Array, error) {
	if lit, x, constLeft := e.constOperand(); lit != nil {
		return e.evalConst(mem, b, lit, x, constLeft)
	}
	args, err := evalAll(mem, b, []Expr{e.L, e.R})
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	return e.apply(mem, args[0], args[1])
}

// constOperand returns the operand that is a BIGINT or DOUBLE constant, not NULL, and the
// other one; lit is nil when neither is.
func (e *Binary) constOperand() (lit *Literal, x Expr, constLeft bool) {
	isConst := func(x Expr) *Literal {
		l, ok := x.(*Literal)
		if !ok {
			return nil
		}
		switch l.Value.(type) {
		case int64:
			if l.T.ID() == arrow.INT64 {
				return l
			}
		case float64:
			if l.T.ID() == arrow.FLOAT64 {
				return l
			}
		}
		return nil
	}
	if l := isConst(e.R); l != nil {
		return l, e.L, false
	}
	if l := isConst(e.L); l != nil {
		return l, e.R, true
	}
	return nil, nil, false
}

// evalConst computes the operator with a constant operand without making an array of it
// when a kernel takes the case, and with one otherwise.
func (e *Binary) evalConst(mem memory.Allocator, b arrow.RecordBatch, lit *Literal, x Expr,
	constLeft bool) (arrow.Array, error) {
	xa, err := x.Eval(mem, b)
	if err != nil {
		return nil, err
	}
	defer xa.Release()
	var out arrow.Array
	ok := false
	switch e.Op {
	case "+", "-", "*", "/", "//", "%":
		out, ok = functions.ArithConst(mem, e.Op, xa, lit.Value, constLeft)
	case "=", "<>", "<", "<=", ">", ">=":
		out, ok = functions.CompareConst(mem, e.Op, xa, lit.Value, constLeft)
	}
	if ok {
		return out, nil
	}
	la, err := lit.Eval(mem, b)
	if err != nil {
		return nil, err
	}
	defer la.Release()
	if constLeft {
		return e.apply(mem, la, xa)
	}
	return e.apply(mem, xa, la)
}

// apply computes l op r over two arrays.
func (e *Binary) apply(mem memory.Allocator, l, r arrow.Array) (arrow.Array, error) {
	var (
		out arrow.Array
		err error
	)
	args := [2]arrow.Array{l, r}
	switch e.Op {
	case "+", "-", "*", "/", "//", "%":
		out, err = functions.Arith(mem, e.Op, args[0], args[1])
	case "=", "<>", "<", "<=", ">", ">=":
		out, err = functions.Compare(mem, e.Op, args[0], args[1])
	case "AND":
		out, err = functions.And(mem, args[0], args[1])
	case "OR":
		out, err = functions.Or(mem, args[0], args[1])
	case "||":
		out, err = functions.Concat(mem, args[0], args[1])
	default:
		return nil, fmt.Errorf("%w: operator %s", ErrUnsupported, e.Op)
	}
	if errors.Is(err, functions.ErrOverflow) {
		return nil, fmt.Errorf("BIGINT overflow in %s: %w", e, err)
	}
	return out, err
}

// Unary applies NOT or unary minus.
type Unary struct {
	Op  string
	X   Expr
	SQL fmt.Stringer // what String prints (see textOf)
}

func (e *Unary) Type() arrow.DataType {
	if e.Op == "NOT" {
		return functions.Boolean
	}
	return e.X.Type()
}

func (e *Unary) String() string { return textOf(e.SQL) }

func (e *Unary) Eval(mem memory.Allocator, b arrow.RecordBatch) (arrow.Array, error) {
	x, err := e.X.Eval(mem, b)
	if err != nil {
		return nil, err
	}
	defer x.Release()
	if e.Op == "NOT" {
		return functions.Not(mem, x)
	}
	out, err := functions.Negate(mem, x)
	if errors.Is(err, functions.ErrOverflow) {
		return nil, fmt.Errorf("BIGINT overflow in %s: %w", e, err)
	}
	return out, err
}

// IsNull is `x IS [NOT] NULL`.
type IsNull struct {
	X   Expr
	Not bool
	SQL fmt.Stringer // what String prints (see textOf)
}

func (e *IsNull) Type() arrow.DataType { return functions.Boolean }
func (e *IsNull) String() string       { return textOf(e.SQL) }

func (e *IsNull) Eval(mem memory.Allocator, b arrow.RecordBatch) (arrow.Array, error) {
	x, err := e.X.Eval(mem, b)
	if err != nil {
		return nil, err
	}
	defer x.Release()
	return functions.IsNull(mem, x, e.Not)
}

// Cast converts a value to another type.
type Cast struct {
	X   Expr
	To  arrow.DataType
	SQL fmt.Stringer // what String prints (see textOf)
}

func (e *Cast) Type() arrow.DataType { return e.To }
func (e *Cast) String() string       { return textOf(e.SQL) }

func (e *Cast) Eval(mem memory.Allocator, b arrow.RecordBatch) (arrow.Array, error) {
	x, err := e.X.Eval(mem, b)
	if err != nil {
		return nil, err
	}
	defer x.Release()
	out, err := functions.Cast(mem, x, e.To)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e, err)
	}
	return out, nil
}

// Call applies a scalar function from the registry.
type Call struct {
	Fn   *functions.Scalar
	Args []Expr
	T    arrow.DataType
	SQL  fmt.Stringer // what String prints (see textOf)
}

func (e *Call) Type() arrow.DataType { return e.T }
func (e *Call) String() string       { return textOf(e.SQL) }

func (e *Call) Eval(mem memory.Allocator, b arrow.RecordBatch) (arrow.Array, error) {
	args, err := evalAll(mem, b, e.Args)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	out, err := e.Fn.Eval(mem, args, int(b.NumRows()))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e, err)
	}
	return out, nil
}
