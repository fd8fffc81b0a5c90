package planner

import (
	"errors"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
)

// bindAggCall plans one aggregate call. It compiles the arguments as written (for
// `f(q) WITHIN GROUP (ORDER BY v)`, v first and then q, like the short form f(v, q)), finds
// which are constants, and lets the function bind the call (functions.Aggregate.BindCall): the
// bound aggregate says which arguments run per row and whether it needs the event time.
func bindAggCall(c *parser.Call, fn *functions.Aggregate, in *scope, eventTime exec.Expr,
	window exec.Window) (exec.AggCall, error) {
	call := exec.AggCall{Fn: fn, Text: c.String()}
	name := c.Name.Name
	isCount := strings.EqualFold(name, "count")
	switch {
	case len(c.Named) > 0:
		return call, errAt(c.Named[0].Value.Position(), ErrInvalid,
			"%s takes no named arguments", name)
	case c.Star && !isCount:
		return call, errAt(c.Pos, ErrInvalid, "only count takes *, not %s", name)
	case c.Star && c.Distinct:
		return call, errAt(c.Pos, ErrInvalid, "count(DISTINCT *) is not valid; "+
			"write count(DISTINCT column)")
	case !c.Star && len(c.Args) == 0 && isCount:
		return call, errAt(c.Pos, ErrInvalid, "count needs an argument or *")
	case len(c.WithinGroup) > 1:
		return call, errAt(c.WithinGroup[1].Pos, ErrInvalid,
			"WITHIN GROUP takes one ORDER BY expression")
	}

	info := functions.CallInfo{
		Distinct:  c.Distinct,
		Filter:    c.Filter != nil,
		EventTime: eventTime != nil,
		Window:    windowInfo(window),
	}
	written := c.Args
	if len(c.WithinGroup) == 1 {
		o := c.WithinGroup[0]
		written = append([]parser.Expr{o.Expr}, c.Args...)
		info.WithinGroup, info.Desc = true, o.Desc
	}
	clause := in.clause
	compiled := make([]exec.Expr, len(written))
	for i, a := range written {
		if containsAggregate(a, in.reg) {
			return call, errAt(a.Position(), ErrInvalid, "aggregates cannot be nested: %s",
				c.String())
		}
		x, err := in.compile(a)
		if err != nil {
			return call, err
		}
		compiled[i] = x
		v, ok := constValue(a, x)
		info.Args = append(info.Args, x.Type())
		info.Consts = append(info.Consts, functions.Const{Value: v, OK: ok})
	}

	bound, err := fn.BindCall(info)
	if err != nil {
		return call, bindError(c.Pos, err)
	}
	call.Fn = bound.Fn
	for _, i := range bound.Args {
		call.Args = append(call.Args, compiled[i])
	}
	if bound.Time {
		call.Args = append(call.Args, eventTime)
	}
	if _, err := aggResultType(call); err != nil {
		return call, errAt(c.Pos, ErrTypeMismatch, "%v", unwrapMsg(err))
	}

	if c.Filter != nil {
		in.clause = "FILTER"
		f, err := in.compile(c.Filter)
		in.clause = clause
		if err != nil {
			return call, err
		}
		if err := checkBool(c.Filter, f, "FILTER"); err != nil {
			return call, err
		}
		call.Filter = f
	}
	return call, nil
}

// bindError turns an error of BindCall into a planning error at pos.
func bindError(pos parser.Pos, err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, functions.ErrUnsupported):
		return errAt(pos, ErrUnsupported, "%s", msg) // reads "unsupported: ..."
	case errors.Is(err, functions.ErrInvalidArgument):
		return errAt(pos, ErrInvalid, "%s",
			strings.TrimPrefix(msg, functions.ErrInvalidArgument.Error()+": "))
	}
	return errAt(pos, ErrTypeMismatch, "%s", unwrapMsg(err))
}

// windowInfo describes a query's window to the functions package.
func windowInfo(w exec.Window) functions.WindowInfo {
	kinds := map[exec.WindowKind]functions.WindowKind{
		exec.NoWindow: functions.NoWindow, exec.Tumble: functions.TumbleWindow,
		exec.Hop: functions.HopWindow, exec.Cumulate: functions.CumulateWindow,
		exec.Session: functions.SessionWindow,
	}
	return functions.WindowInfo{Kind: kinds[w.Kind], Size: w.Size, Gap: w.Gap}
}

// constValue evaluates an argument that reads no column, such as a percentile's fraction
// `0.99` or `1 - 0.01`; ok is false for any other argument, and for one whose evaluation
// fails (the error then shows when the query runs).
func constValue(e parser.Expr, x exec.Expr) (v any, ok bool) {
	constant := true
	walk(e, func(n parser.Expr) bool {
		switch n.(type) {
		case *parser.ColumnRef, *parser.Star:
			constant = false
		}
		return constant
	})
	if !constant {
		return nil, false
	}
	b := array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1)
	defer b.Release()
	a, err := x.Eval(memory.DefaultAllocator, b)
	if err != nil || a.Len() != 1 {
		if a != nil {
			a.Release()
		}
		return nil, false
	}
	defer a.Release()
	if a.IsNull(0) {
		return nil, true
	}
	switch a := a.(type) {
	case *array.Int64:
		return a.Value(0), true
	case *array.Float64:
		return a.Value(0), true
	case *array.String:
		return a.Value(0), true
	case *array.Boolean:
		return a.Value(0), true
	case *array.Timestamp:
		return int64(a.Value(0)), true
	case *array.Duration:
		return int64(a.Value(0)), true
	}
	return nil, false
}
