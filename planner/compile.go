package planner

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
)

// scopeColumn is a column visible to expressions: its name, the relation it belongs to and
// its index in the batches the expression reads.
type scopeColumn struct {
	name      string
	qualifier string
	typ       arrow.DataType
}

// scope resolves the names an expression uses.
type scope struct {
	cols []scopeColumn
	reg  *functions.Registry
	// replace, when set, is tried on every node before it is compiled: after an aggregation
	// it turns aggregates and group keys into references to the aggregate's output.
	replace func(e parser.Expr) (exec.Expr, bool, error)
	// clause names where the expression stands, for messages ("WHERE", "GROUP BY").
	clause string
}

func (s *scope) names() []string {
	out := make([]string, len(s.cols))
	for i, c := range s.cols {
		out[i] = c.name
	}
	return out
}

// resolve finds the column a reference names.
func (s *scope) resolve(ref *parser.ColumnRef) (int, error) {
	name := ref.Name()
	var qual *parser.Ident
	if len(ref.Parts) > 1 {
		qual = &ref.Parts[len(ref.Parts)-2]
	}
	found := -1
	for i, c := range s.cols {
		if !name.Matches(c.name) || (qual != nil && !qual.Matches(c.qualifier)) {
			continue
		}
		if found >= 0 {
			return 0, errAt(ref.Pos, ErrInvalid, "column reference %q is ambiguous",
				refName(ref))
		}
		found = i
	}
	if found < 0 && len(ref.Parts) > 1 {
		found = s.dotted(ref)
	}
	if found < 0 {
		return 0, errAt(ref.Pos, ErrUnknownColumn, "unknown column %q%s", refName(ref),
			didYouMean(name.Name, s.names()))
	}
	return found, nil
}

// dotted finds the column a reference such as a.b names when no qualifier a matches: the
// column "a.b" of a nested JSON object, flattened. It returns -1 when there is none, or when
// the name is ambiguous.
func (s *scope) dotted(ref *parser.ColumnRef) int {
	want := refName(ref)
	quoted := false
	for _, p := range ref.Parts {
		quoted = quoted || p.Quoted
	}
	found := -1
	for i, c := range s.cols {
		if c.name == want || !quoted && strings.EqualFold(c.name, want) {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
	return found
}

// refName is a reference's name as messages quote it: its parts without SQL's own quotes,
// which %q would otherwise escape ("\"Zone\"").
func refName(ref *parser.ColumnRef) string {
	parts := make([]string, len(ref.Parts))
	for i, p := range ref.Parts {
		parts[i] = p.Name
	}
	return strings.Join(parts, ".")
}

// compile turns a parsed expression into an executable one.
func (s *scope) compile(e parser.Expr) (exec.Expr, error) {
	if s.replace != nil {
		if out, ok, err := s.replace(e); ok || err != nil {
			return out, err
		}
	}
	switch e := e.(type) {
	case *parser.Paren:
		return s.compile(e.X)
	case *parser.ColumnRef:
		i, err := s.resolve(e)
		if err != nil {
			return nil, err
		}
		return &exec.Column{Index: i, T: s.cols[i].typ, Name: e.String()}, nil
	case *parser.Literal:
		return compileLiteral(e)
	case *parser.Unary:
		return s.unary(e)
	case *parser.Binary:
		return s.binary(e)
	case *parser.IsNull:
		x, err := s.compile(e.X)
		if err != nil {
			return nil, err
		}
		return &exec.IsNull{X: x, Not: e.Not, SQL: e}, nil
	case *parser.Between:
		return s.between(e)
	case *parser.InList:
		return s.inList(e)
	case *parser.Cast:
		return s.cast(e)
	case *parser.Call:
		return s.call(e)
	case *parser.Star:
		return nil, errAt(e.Pos, ErrInvalid, "* is only allowed in the select list and count(*)")
	case *parser.Case:
		return s.caseExpr(e)
	case *parser.Like:
		return s.like(e)
	case *parser.IsDistinct:
		return s.isDistinct(e)
	case *parser.Extract:
		return s.extract(e)
	case *parser.TableArg:
		return nil, errAt(e.Pos, ErrInvalid, "TABLE %s is only allowed as the first argument "+
			"of a window table function", e.Name.String())
	}
	return nil, errAt(e.Position(), ErrUnsupported, "unsupported: expression %s", e.String())
}

func compileLiteral(e *parser.Literal) (exec.Expr, error) {
	lit := &exec.Literal{Text: e.String()}
	switch e.Kind {
	case parser.LitInt:
		lit.T, lit.Value = functions.Bigint, e.Int
	case parser.LitFloat:
		lit.T, lit.Value = functions.Double, e.Float
	case parser.LitString:
		lit.T, lit.Value = functions.Varchar, e.Text
	case parser.LitBool:
		lit.T, lit.Value = functions.Boolean, e.Bool
	case parser.LitNull:
		lit.T, lit.Value = functions.Null, nil
	case parser.LitInterval:
		lit.T, lit.Value = functions.Interval, e.Micros
	case parser.LitTimestamp:
		us, ok := functions.ParseTimestamp(e.Text)
		if !ok {
			return nil, errAt(e.Pos, ErrInvalid, "invalid timestamp %q", e.Text)
		}
		lit.T, lit.Value = functions.Timestamp, us
	}
	return lit, nil
}

func (s *scope) unary(e *parser.Unary) (exec.Expr, error) {
	x, err := s.compile(e.X)
	if err != nil {
		return nil, err
	}
	t := x.Type()
	if e.Op == "NOT" {
		if t.ID() != arrow.BOOL && t.ID() != arrow.NULL {
			return nil, errAt(e.Pos, ErrTypeMismatch, "NOT expects BOOLEAN, got %s",
				functions.TypeName(t))
		}
	} else if !functions.IsNumeric(t) && t.ID() != arrow.DURATION && t.ID() != arrow.NULL {
		return nil, errAt(e.Pos, ErrTypeMismatch, "cannot negate %s", functions.TypeName(t))
	}
	return &exec.Unary{Op: e.Op, X: x, SQL: e}, nil
}

func (s *scope) binary(e *parser.Binary) (exec.Expr, error) {
	xs, err := s.compileAll(e.L, e.R)
	if err != nil {
		return nil, err
	}
	if e.Op == "^" || e.Op == "**" {
		return s.power(e, xs[0], xs[1])
	}
	l, r := coerceLiterals(xs[0], xs[1])
	return binaryOf(e.Pos, e.Op, l, r, e)
}

// power compiles x ^ y and x ** y as power(x, y): DOUBLE, as in PostgreSQL and DuckDB.
func (s *scope) power(e *parser.Binary, x, y exec.Expr) (exec.Expr, error) {
	fn, ok := s.reg.Scalar("power")
	if !ok {
		return nil, errAt(e.Pos, ErrUnsupported, "unsupported: operator %s", e.Op)
	}
	for _, v := range []exec.Expr{x, y} {
		if t := v.Type(); !functions.IsNumeric(t) && t.ID() != arrow.NULL {
			return nil, errAt(e.Pos, ErrTypeMismatch, "%s expects numeric operands, got %s",
				e.Op, functions.TypeName(t))
		}
	}
	t, err := fn.Resolve([]arrow.DataType{x.Type(), y.Type()})
	if err != nil {
		return nil, errAt(e.Pos, ErrTypeMismatch, "%s: %s", e.Op, unwrapMsg(err))
	}
	return &exec.Call{Fn: fn, Args: []exec.Expr{x, y}, T: t, SQL: e}, nil
}

// coerceLiterals reads a string literal compared with a timestamp as a timestamp, so that
// `ts >= '2024-01-01 00:00:00'` works as in PostgreSQL.
func coerceLiterals(l, r exec.Expr) (exec.Expr, exec.Expr) {
	conv := func(x, other exec.Expr) exec.Expr {
		lit, ok := x.(*exec.Literal)
		if !ok || lit.T.ID() != arrow.STRING || other.Type().ID() != arrow.TIMESTAMP {
			return x
		}
		if us, ok := functions.ParseTimestamp(lit.Value.(string)); ok {
			return &exec.Literal{T: functions.Timestamp, Value: us, Text: lit.Text}
		}
		return x
	}
	return conv(l, r), conv(r, l)
}

// binaryOf compiles l op r, printed as sql (the parsed expression it comes from).
func binaryOf(pos parser.Pos, op string, l, r exec.Expr, sql parser.Expr) (exec.Expr, error) {
	lt, rt := l.Type(), r.Type()
	var t arrow.DataType
	var err error
	switch op {
	case "+", "-", "*", "/", "//", "%":
		t, err = functions.ArithType(op, lt, rt)
	case "=", "<>", "<", "<=", ">", ">=":
		err = functions.CompareType(lt, rt)
		t = functions.Boolean
	case "AND", "OR":
		for _, x := range []arrow.DataType{lt, rt} {
			if x.ID() != arrow.BOOL && x.ID() != arrow.NULL {
				err = fmt.Errorf("%s expects BOOLEAN operands, got %s", op, functions.TypeName(x))
			}
		}
		t = functions.Boolean
	case "||":
		for _, x := range []arrow.DataType{lt, rt} {
			if x.ID() != arrow.STRING && x.ID() != arrow.NULL {
				err = fmt.Errorf("|| expects VARCHAR operands, got %s", functions.TypeName(x))
			}
		}
		t = functions.Varchar
	default:
		return nil, errAt(pos, ErrUnsupported, "unsupported: operator %s", op)
	}
	if err != nil {
		// The message names the operator and the types already: "cannot compare TIMESTAMP
		// and VARCHAR", "AND expects BOOLEAN operands, got VARCHAR".
		return nil, errAt(pos, ErrTypeMismatch, "%s", unwrapMsg(err))
	}
	return &exec.Binary{Op: op, L: l, R: r, T: t, SQL: sql}, nil
}

// unwrapMsg is the innermost message of err, without the sentinel's words.
func unwrapMsg(err error) string {
	msg := err.Error()
	for _, s := range []error{functions.ErrSignature, functions.ErrOverflow} {
		if errors.Is(err, s) {
			msg = strings.TrimSuffix(strings.TrimPrefix(msg, s.Error()+": "), ": "+s.Error())
		}
	}
	return msg
}

// compileAll compiles each expression in turn.
func (s *scope) compileAll(es ...parser.Expr) ([]exec.Expr, error) {
	out := make([]exec.Expr, len(es))
	for i, e := range es {
		x, err := s.compile(e)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

func (s *scope) between(e *parser.Between) (exec.Expr, error) {
	xs, err := s.compileAll(e.X, e.Lo, e.Hi)
	if err != nil {
		return nil, err
	}
	x, lo, hi := xs[0], xs[1], xs[2]
	x1, lo := coerceLiterals(x, lo)
	x2, hi := coerceLiterals(x, hi)
	ge, err := binaryOf(e.Pos, ">=", x1, lo, e)
	if err != nil {
		return nil, err
	}
	le, err := binaryOf(e.Pos, "<=", x2, hi, e)
	if err != nil {
		return nil, err
	}
	var out exec.Expr = &exec.Binary{Op: "AND", L: ge, R: le, T: functions.Boolean, SQL: e}
	if e.Not {
		out = &exec.Unary{Op: "NOT", X: out, SQL: e}
	}
	return out, nil
}

func (s *scope) inList(e *parser.InList) (exec.Expr, error) {
	x, err := s.compile(e.X)
	if err != nil {
		return nil, err
	}
	var out exec.Expr
	for _, item := range e.List {
		v, err := s.compile(item)
		if err != nil {
			return nil, err
		}
		xl, v := coerceLiterals(x, v)
		eq, err := binaryOf(item.Position(), "=", xl, v, e)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = eq
		} else {
			out = &exec.Binary{Op: "OR", L: out, R: eq, T: functions.Boolean, SQL: e}
		}
	}
	if e.Not {
		out = &exec.Unary{Op: "NOT", X: out, SQL: e}
	}
	return out, nil
}

func (s *scope) cast(e *parser.Cast) (exec.Expr, error) {
	x, err := s.compile(e.X)
	if err != nil {
		return nil, err
	}
	to, ok := functions.TypeByName(e.Type.Name)
	if !ok {
		return nil, errAt(e.Type.Pos, ErrInvalid, "unknown type %q%s", e.Type.Name,
			didYouMean(e.Type.Name, typeNames))
	}
	if err := functions.CastType(x.Type(), to); err != nil {
		return nil, errAt(e.Pos, ErrTypeMismatch, "cannot cast %s to %s",
			functions.TypeName(x.Type()), functions.TypeName(to))
	}
	return &exec.Cast{X: x, To: to, SQL: e}, nil
}

var typeNames = []string{"BOOLEAN", "BIGINT", "INTEGER", "DOUBLE", "VARCHAR", "TEXT",
	"TIMESTAMP", "INTERVAL"}

// windowFunctions are the names that define windows in GROUP BY or name their bounds.
var windowFunctions = map[string]bool{"tumble": true, "hop": true, "session": true,
	"cumulate": true}

var windowBoundFunctions = map[string]string{
	"tumble_start": "window_start", "tumble_end": "window_end",
	"hop_start": "window_start", "hop_end": "window_end",
	"session_start": "window_start", "session_end": "window_end",
	"cumulate_start": "window_start", "cumulate_end": "window_end",
}

func (s *scope) call(e *parser.Call) (exec.Expr, error) {
	name := strings.ToLower(e.Name.Name)
	if e.Over != nil {
		return nil, errAt(e.Pos, ErrInvalid, "analytic function %s is not allowed in %s "+
			"(filter on it with QUALIFY or in an outer query)", e.Name.Name, s.clauseName())
	}
	if _, ok := s.reg.Aggregate(name); ok {
		return nil, errAt(e.Pos, ErrInvalid, "aggregate %s is not allowed in %s", e.String(),
			s.clauseName())
	}
	if windowFunctions[name] {
		return nil, errAt(e.Pos, ErrInvalid, "window %s belongs in GROUP BY", e.Name.Name)
	}
	if _, ok := windowBoundFunctions[name]; ok {
		return nil, errAt(e.Pos, ErrInvalid, "%s needs a windowed GROUP BY", e.Name.Name)
	}
	fn, ok := s.reg.Scalar(name)
	if _, analytic := s.reg.Analytic(name); !ok && analytic {
		return nil, errAt(e.Pos, ErrInvalid, "%s is an analytic function: it needs OVER "+
			"(PARTITION BY ... ORDER BY ...)", e.Name.Name)
	}
	if !ok {
		names := append(s.reg.Names(), keys(windowFunctions)...)
		return nil, errAt(e.Pos, ErrUnknownFunction, "unknown function %q%s", e.Name.Name,
			didYouMean(e.Name.Name, names))
	}
	switch {
	case e.Star, e.Distinct, e.Filter != nil, len(e.WithinGroup) > 0:
		return nil, errAt(e.Pos, ErrInvalid, "%s is not an aggregate", e.Name.Name)
	case len(e.Named) > 0:
		return nil, errAt(e.Named[0].Value.Position(), ErrInvalid,
			"%s takes no named arguments", e.Name.Name)
	}
	args := make([]exec.Expr, len(e.Args))
	types := make([]arrow.DataType, len(e.Args))
	for i, a := range e.Args {
		x, err := s.compile(a)
		if err != nil {
			return nil, err
		}
		args[i], types[i] = x, x.Type()
	}
	t, err := fn.Resolve(types)
	if err != nil {
		msg := unwrapMsg(err)
		if !strings.HasPrefix(strings.ToLower(msg), strings.ToLower(e.Name.Name)+" ") {
			msg = e.Name.Name + ": " + msg // say which function, unless the message does
		}
		return nil, errAt(e.Pos, ErrTypeMismatch, "%s", msg)
	}
	return &exec.Call{Fn: fn, Args: args, T: t, SQL: e}, nil
}

func (s *scope) clauseName() string {
	if s.clause == "" {
		return "this clause"
	}
	return s.clause
}

// caseExpr compiles both forms of CASE; the simple form compares its operand with each WHEN.
func (s *scope) caseExpr(e *parser.Case) (exec.Expr, error) {
	var operand exec.Expr
	if e.Operand != nil {
		x, err := s.compile(e.Operand)
		if err != nil {
			return nil, err
		}
		operand = x
	}
	out := &exec.Case{SQL: e}
	var results []exec.Expr
	var positions []parser.Pos
	for _, w := range e.Whens {
		c, err := s.compile(w.Cond)
		if err != nil {
			return nil, err
		}
		if operand != nil {
			l, r := coerceLiterals(operand, c)
			if c, err = binaryOf(w.Cond.Position(), "=", l, r, e); err != nil {
				return nil, err
			}
		} else if err := checkBool(w.Cond, c, "WHEN"); err != nil {
			return nil, err
		}
		t, err := s.compile(w.Then)
		if err != nil {
			return nil, err
		}
		out.Conds = append(out.Conds, c)
		results = append(results, t)
		positions = append(positions, w.Then.Position())
	}
	if e.Else != nil {
		x, err := s.compile(e.Else)
		if err != nil {
			return nil, err
		}
		results = append(results, x)
		positions = append(positions, e.Else.Position())
	}
	t, err := commonType(results, positions)
	if err != nil {
		return nil, err
	}
	for i, r := range results {
		if !arrow.TypeEqual(r.Type(), t) {
			results[i] = &exec.Cast{X: r, To: t, SQL: r}
		}
	}
	out.T = t
	out.Thens = results[:len(e.Whens)]
	if e.Else != nil {
		out.Else = results[len(e.Whens)]
	}
	return out, nil
}

// commonType is the type every branch converts to: their one type, NULL aside, with BIGINT
// widened to DOUBLE when both appear.
func commonType(xs []exec.Expr, pos []parser.Pos) (arrow.DataType, error) {
	var t arrow.DataType = functions.Null
	for i, x := range xs {
		xt := x.Type()
		switch {
		case xt.ID() == arrow.NULL:
		case t.ID() == arrow.NULL:
			t = xt
		case arrow.TypeEqual(t, xt):
		case functions.IsNumeric(t) && functions.IsNumeric(xt):
			t = functions.Double
		default:
			return nil, errAt(pos[i], ErrTypeMismatch, "CASE branches have different types: "+
				"%s and %s", functions.TypeName(t), functions.TypeName(xt))
		}
	}
	if t.ID() == arrow.NULL {
		t = functions.Varchar
	}
	return t, nil
}

func (s *scope) like(e *parser.Like) (exec.Expr, error) {
	xs, err := s.compileAll(e.X, e.Pattern)
	if err != nil {
		return nil, err
	}
	x, p := xs[0], xs[1]
	for _, v := range []exec.Expr{x, p} {
		if id := v.Type().ID(); id != arrow.STRING && id != arrow.NULL {
			return nil, errAt(e.Pos, ErrTypeMismatch, "LIKE expects VARCHAR operands, got %s",
				functions.TypeName(v.Type()))
		}
	}
	if lit, ok := p.(*exec.Literal); ok && lit.Value != nil {
		if _, err := exec.LikeRegexp(lit.Value.(string), e.CaseInsensitive); err != nil {
			return nil, errAt(e.Pattern.Position(), ErrInvalid, "%v", err)
		}
	}
	return &exec.Like{X: x, Pattern: p, Not: e.Not, CaseInsensitive: e.CaseInsensitive,
		SQL: e}, nil
}

func (s *scope) isDistinct(e *parser.IsDistinct) (exec.Expr, error) {
	xs, err := s.compileAll(e.L, e.R)
	if err != nil {
		return nil, err
	}
	l, r := coerceLiterals(xs[0], xs[1])
	if err := functions.CompareType(l.Type(), r.Type()); err != nil {
		return nil, errAt(e.Pos, ErrTypeMismatch, "cannot compare %s and %s",
			functions.TypeName(l.Type()), functions.TypeName(r.Type()))
	}
	return &exec.IsDistinct{L: l, R: r, Not: e.Not, SQL: e}, nil
}

// extract compiles EXTRACT(field FROM x) as date_part('field', x).
func (s *scope) extract(e *parser.Extract) (exec.Expr, error) {
	call := &parser.Call{Pos: e.Pos, Name: parser.Ident{Name: "date_part"},
		Args: []parser.Expr{&parser.Literal{Pos: e.Pos, Kind: parser.LitString,
			Text: strings.ToLower(e.Field)}, e.X}}
	if _, ok := s.reg.Scalar("date_part"); !ok {
		return nil, errAt(e.Pos, ErrUnsupported, "unsupported: EXTRACT")
	}
	x, err := s.compile(call)
	if err != nil {
		return nil, err
	}
	if c, ok := x.(*exec.Call); ok {
		c.SQL = e
	}
	return x, nil
}
