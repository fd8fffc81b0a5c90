package planner

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
)

// hasAggregate reports whether the select list or HAVING calls an aggregate.
func hasAggregate(sel *parser.Select, reg *functions.Registry) bool {
	found := false
	visit := func(e parser.Expr) {
		walk(e, func(x parser.Expr) bool {
			if c, ok := x.(*parser.Call); ok && c.Over == nil {
				if _, ok := reg.Aggregate(c.Name.Name); ok {
					found = true
				}
			}
			return !found
		})
	}
	for _, it := range sel.Items {
		visit(it.Expr)
	}
	if sel.Having != nil {
		visit(sel.Having)
	}
	return found
}

// groupKey is one GROUP BY expression: its text, its compiled form, and the input column it
// is when it is a plain column.
type groupKey struct {
	text   string
	expr   exec.Expr
	column int
	name   string
}

// planAggregate plans GROUP BY keys and window, the aggregates, HAVING and the select list.
func planAggregate(sel *parser.Select, rel *relation, pc *Context) (*relation, error) {
	in := rel.scope(pc.Registry, "GROUP BY")
	agg := &exec.HashAggregate{Input: rel.op, Env: pc.Env}
	var keys []groupKey
	var window *parser.Call
	for _, g := range sel.GroupBy {
		g = resolveAlias(g, sel, in)
		if c, ok := g.(*parser.Call); ok && windowFunctions[strings.ToLower(c.Name.Name)] {
			if window != nil {
				return nil, errAt(c.Pos, ErrInvalid, "a query has one window; %s is a second",
					c.Name.Name)
			}
			window = c
			continue
		}
		x, err := in.compile(g)
		if err != nil {
			return nil, err
		}
		k := groupKey{text: g.String(), expr: x, column: -1, name: g.String()}
		if ref, ok := unparen(g).(*parser.ColumnRef); ok {
			k.column, _ = in.resolve(ref)
			k.name = ref.Name().Name
		}
		keys = append(keys, k)
		agg.Keys = append(agg.Keys, x)
	}
	node := &Node{Name: "HashAggregate"}
	if window != nil {
		if err := planWindow(window, rel, in, agg, node); err != nil {
			return nil, err
		}
	}
	for _, k := range keys {
		node.Details = append(node.Details, "key: "+k.text)
	}

	// Collect the aggregates of the select list and HAVING, each once.
	aggIndex := map[string]int{}
	in.clause = "an aggregate's argument"
	collect := func(e parser.Expr) error {
		var err error
		walk(e, func(x parser.Expr) bool {
			c, ok := x.(*parser.Call)
			if !ok || err != nil || c.Over != nil {
				return err == nil
			}
			fn, ok := pc.Registry.Aggregate(c.Name.Name)
			if !ok {
				return true
			}
			if _, seen := aggIndex[c.String()]; !seen {
				var call exec.AggCall
				if call, err = planAggCall(c, fn, in); err == nil {
					aggIndex[c.String()] = len(agg.Aggs)
					agg.Aggs = append(agg.Aggs, call)
				}
			}
			return false
		})
		return err
	}
	for _, it := range sel.Items {
		if err := collect(it.Expr); err != nil {
			return nil, err
		}
	}
	if sel.Having != nil {
		if err := collect(sel.Having); err != nil {
			return nil, err
		}
	}
	for _, a := range agg.Aggs {
		node.Details = append(node.Details, "aggregate: "+a.Text)
	}

	// The aggregate's output: keys, window bounds, aggregates.
	var cols []scopeColumn
	for i, k := range keys {
		cols = append(cols, scopeColumn{name: fmt.Sprintf("$key%d", i), typ: k.expr.Type()})
	}
	if agg.Time != nil {
		cols = append(cols, scopeColumn{name: "window_start", typ: functions.Timestamp},
			scopeColumn{name: "window_end", typ: functions.Timestamp})
	}
	for i, a := range agg.Aggs {
		t, err := aggResultType(a)
		if err != nil {
			return nil, err
		}
		cols = append(cols, scopeColumn{name: fmt.Sprintf("$agg%d", i), typ: t})
	}
	agg.Out = schemaOf(cols)
	node.Children = []*Node{rel.node}
	out := &relation{op: agg, cols: cols, node: node}

	post := &scope{cols: cols, reg: pc.Registry, clause: "the select list"}
	post.replace = func(e parser.Expr) (exec.Expr, bool, error) {
		return replaceGrouped(e, keys, aggIndex, agg, in, cols)
	}
	if sel.Having != nil {
		post.clause = "HAVING"
		pred, err := post.compile(sel.Having)
		if err != nil {
			return nil, err
		}
		if err := checkBool(sel.Having, pred, "HAVING"); err != nil {
			return nil, err
		}
		out = &relation{
			op:   &exec.Filter{Input: out.op, Pred: pred, Env: pc.Env},
			cols: cols,
			node: &Node{Name: "Filter", Details: []string{"having: " + pred.String()},
				Children: []*Node{out.node}},
		}
		post.clause = "the select list"
	}
	return planProject(sel, out, post, pc)
}

func unparen(e parser.Expr) parser.Expr {
	for {
		p, ok := e.(*parser.Paren)
		if !ok {
			return e
		}
		e = p.X
	}
}

// resolveAlias turns a GROUP BY name that is no input column but a select-list alias into
// the aliased expression, as DuckDB does.
func resolveAlias(g parser.Expr, sel *parser.Select, in *scope) parser.Expr {
	ref, ok := g.(*parser.ColumnRef)
	if !ok || len(ref.Parts) != 1 {
		return g
	}
	if _, err := in.resolve(ref); err == nil {
		return g
	}
	for _, it := range sel.Items {
		if it.Alias != nil && ref.Parts[0].Matches(it.Alias.Name) {
			return it.Expr
		}
	}
	return g
}

// planWindow reads TUMBLE(ts, size [, offset]) into the aggregate.
func planWindow(c *parser.Call, rel *relation, in *scope, agg *exec.HashAggregate,
	node *Node) error {
	name := strings.ToUpper(c.Name.Name)
	if name != "TUMBLE" {
		return errAt(c.Pos, ErrUnsupported, "unsupported: %s windows", name)
	}
	if len(c.Args) < 2 || len(c.Args) > 3 {
		return errAt(c.Pos, ErrInvalid, "TUMBLE takes (time, size [, offset]), got %d arguments",
			len(c.Args))
	}
	in.clause = "a window's time argument"
	t, err := in.compile(c.Args[0])
	if err != nil {
		return err
	}
	if t.Type().ID() != arrow.TIMESTAMP {
		return errAt(c.Args[0].Position(), ErrTypeMismatch,
			"the time argument of TUMBLE must be a TIMESTAMP, got %s "+
				"(convert epoch seconds with to_timestamp(%s))",
			functions.TypeName(t.Type()), c.Args[0].String())
	}
	size, err := intervalArg(c.Args[1], "size")
	if err != nil {
		return err
	}
	if size <= 0 {
		return errAt(c.Args[1].Position(), ErrInvalid, "window size must be positive")
	}
	var offset int64
	if len(c.Args) == 3 {
		if offset, err = intervalArg(c.Args[2], "offset"); err != nil {
			return err
		}
	}
	agg.Time = t
	agg.Window = exec.Window{Kind: exec.Tumble, Size: size, Offset: offset}
	if rel.stream != nil {
		agg.Delay = rel.stream.Delay
	}
	node.Details = append(node.Details, "window: "+agg.Window.String()+" on "+t.String(),
		"watermark: max(event time) - "+formatMicros(agg.Delay))
	return nil
}

// intervalArg reads a window's constant interval argument.
func intervalArg(e parser.Expr, what string) (int64, error) {
	lit, ok := unparen(e).(*parser.Literal)
	if !ok || lit.Kind != parser.LitInterval {
		return 0, errAt(e.Position(), ErrInvalid,
			"the window %s must be an interval such as INTERVAL '1' MINUTE or 1m, got %s",
			what, e.String())
	}
	return lit.Micros, nil
}

func planAggCall(c *parser.Call, fn *functions.Aggregate, in *scope) (exec.AggCall, error) {
	call := exec.AggCall{Fn: fn, Text: c.String()}
	switch {
	case c.Distinct:
		return call, errAt(c.Pos, ErrUnsupported, "unsupported: %s(DISTINCT ...)", c.Name.Name)
	case len(c.WithinGroup) > 0:
		return call, errAt(c.Pos, ErrUnsupported, "unsupported: WITHIN GROUP")
	case len(c.Named) > 0:
		return call, errAt(c.Pos, ErrInvalid, "%s takes no named arguments", c.Name.Name)
	case c.Star && !strings.EqualFold(c.Name.Name, "count"):
		return call, errAt(c.Pos, ErrInvalid, "only count takes *, not %s", c.Name.Name)
	}
	types := make([]arrow.DataType, len(c.Args))
	for i, a := range c.Args {
		if containsAggregate(a, in.reg) {
			return call, errAt(a.Position(), ErrInvalid, "aggregates cannot be nested: %s",
				c.String())
		}
		x, err := in.compile(a)
		if err != nil {
			return call, err
		}
		call.Args = append(call.Args, x)
		types[i] = x.Type()
	}
	if !c.Star && len(c.Args) == 0 && strings.EqualFold(c.Name.Name, "count") {
		return call, errAt(c.Pos, ErrInvalid, "count needs an argument or *")
	}
	if _, err := fn.Resolve(types); err != nil {
		return call, errAt(c.Pos, ErrTypeMismatch, "%v", unwrapMsg(err))
	}
	if c.Filter != nil {
		in.clause = "FILTER"
		f, err := in.compile(c.Filter)
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

func aggResultType(a exec.AggCall) (arrow.DataType, error) {
	types := make([]arrow.DataType, len(a.Args))
	for i, x := range a.Args {
		types[i] = x.Type()
	}
	return a.Fn.Resolve(types)
}

func containsAggregate(e parser.Expr, reg *functions.Registry) bool {
	found := false
	walk(e, func(x parser.Expr) bool {
		if c, ok := x.(*parser.Call); ok && c.Over == nil {
			if _, ok := reg.Aggregate(c.Name.Name); ok {
				found = true
			}
		}
		return !found
	})
	return found
}

// replaceGrouped maps an expression over the aggregate's input to a column of its output:
// an aggregate call, a group key, or a window bound.
func replaceGrouped(e parser.Expr, keys []groupKey, aggIndex map[string]int,
	agg *exec.HashAggregate, in *scope, cols []scopeColumn) (exec.Expr, bool, error) {
	col := func(i int, text string) (exec.Expr, bool, error) {
		return &exec.Column{Index: i, T: cols[i].typ, Name: text}, true, nil
	}
	text := e.String()
	for i, k := range keys {
		if k.text == text {
			return col(i, k.name)
		}
	}
	windowed := agg.Time != nil
	bounds := len(keys)
	switch e := e.(type) {
	case *parser.Call:
		name := strings.ToLower(e.Name.Name)
		if i, ok := aggIndex[text]; ok && e.Over == nil {
			return col(bounds+2*b2i(windowed)+i, text)
		}
		if bound, ok := windowBoundFunctions[name]; ok && windowed {
			if bound == "window_start" {
				return col(bounds, text)
			}
			return col(bounds+1, text)
		}
	case *parser.ColumnRef:
		if windowed && len(e.Parts) == 1 {
			switch {
			case e.Parts[0].Matches("window_start"):
				return col(bounds, "window_start")
			case e.Parts[0].Matches("window_end"):
				return col(bounds+1, "window_end")
			}
		}
		i, err := in.resolve(e)
		if err != nil {
			return nil, false, err
		}
		for j, k := range keys {
			if k.column == i {
				return col(j, k.name)
			}
		}
		return nil, false, errAt(e.Pos, ErrInvalid,
			"column %q must appear in GROUP BY or be used in an aggregate function", e.String())
	}
	return nil, false, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// walk calls f on e and, while f returns true, on its subexpressions.
func walk(e parser.Expr, f func(parser.Expr) bool) {
	if e == nil || !f(e) {
		return
	}
	switch e := e.(type) {
	case *parser.Paren:
		walk(e.X, f)
	case *parser.Unary:
		walk(e.X, f)
	case *parser.Binary:
		walk(e.L, f)
		walk(e.R, f)
	case *parser.IsNull:
		walk(e.X, f)
	case *parser.IsDistinct:
		walk(e.L, f)
		walk(e.R, f)
	case *parser.Between:
		walk(e.X, f)
		walk(e.Lo, f)
		walk(e.Hi, f)
	case *parser.InList:
		walk(e.X, f)
		for _, x := range e.List {
			walk(x, f)
		}
	case *parser.Like:
		walk(e.X, f)
		walk(e.Pattern, f)
	case *parser.Case:
		walk(e.Operand, f)
		for _, w := range e.Whens {
			walk(w.Cond, f)
			walk(w.Then, f)
		}
		walk(e.Else, f)
	case *parser.Cast:
		walk(e.X, f)
	case *parser.Extract:
		walk(e.X, f)
	case *parser.Call:
		for _, a := range e.Args {
			walk(a, f)
		}
		for _, a := range e.Named {
			walk(a.Value, f)
		}
		walk(e.Filter, f)
	}
}
