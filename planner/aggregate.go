package planner

import (
	"fmt"
	"reflect"
	"strings"
	"time"

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
	node   parser.Expr
	text   string
	expr   exec.Expr
	column int
	name   string
}

// planAggregate plans GROUP BY keys and window, the watermark, the aggregates, HAVING, the
// select list, and per-window ORDER BY and LIMIT.
func planAggregate(sel *parser.Select, rel *relation, where exec.Expr, pc *Context,
	p *Plan) (*relation, error) {
	in := rel.scope(pc.Registry, "GROUP BY")
	agg := &exec.HashAggregate{Env: pc.Env, WMIndex: -1}
	var keys []groupKey
	window := rel.window
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
		if ref, ok := g.(*parser.ColumnRef); ok && rel.window != nil && len(ref.Parts) == 1 &&
			(ref.Parts[0].Matches("window_start") || ref.Parts[0].Matches("window_end")) {
			continue // the bounds of the window the table function in FROM makes
		}
		x, err := in.compile(g)
		if err != nil {
			return nil, err
		}
		k := groupKey{node: g, text: g.String(), expr: x, column: -1, name: g.String()}
		if ref, ok := unparen(g).(*parser.ColumnRef); ok {
			k.column, _ = in.resolve(ref)
			k.name = ref.Name().Name
		}
		keys = append(keys, k)
		agg.Keys = append(agg.Keys, x)
	}
	// SESSION(TABLE t PARTITION BY k, ...) keeps sessions per k, grouped by k or not.
	for _, pk := range rel.partitionBy {
		grouped := false
		for _, k := range keys {
			grouped = grouped || k.text == pk.String()
		}
		if grouped {
			continue
		}
		x, err := in.compile(pk)
		if err != nil {
			return nil, err
		}
		keys = append(keys, groupKey{node: pk, text: pk.String(), expr: x, column: -1,
			name: pk.String()})
		agg.Keys = append(agg.Keys, x)
	}
	node := &Node{Name: "HashAggregate"}
	if window != nil {
		var err error
		if rel, err = planWindow(window, rel, in, agg, node, pc); err != nil {
			return nil, err
		}
	}
	rel = filtered(rel, where, pc)
	agg.Input = rel.op
	for _, k := range keys {
		node.Details = append(node.Details, "key: "+k.text)
	}
	if err := planEmit(sel, agg, node, rel); err != nil {
		return nil, err
	}
	if pc.LateFile != "" && agg.Time != nil {
		agg.Late = lateSink(pc, p, rel.stream)
	}

	// Collect the aggregates of the select list, HAVING, QUALIFY and ORDER BY (OVER clauses
	// included), each once.
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
				if call, err = planAggCall(c, fn, in, agg.Time, agg.Window); err == nil {
					aggIndex[c.String()] = len(agg.Aggs)
					agg.Aggs = append(agg.Aggs, call)
				}
			}
			return false
		})
		return err
	}
	exprs := []parser.Expr{sel.Having, sel.Qualify}
	for _, it := range sel.Items {
		exprs = append(exprs, it.Expr)
	}
	for _, o := range sel.OrderBy {
		exprs = append(exprs, o.Expr)
	}
	for _, e := range exprs {
		if err := collect(e); err != nil {
			return nil, err
		}
	}
	for _, a := range agg.Aggs {
		node.Details = append(node.Details, "aggregate: "+a.Text)
	}

	// The aggregate's output: op, keys, window bounds, aggregates.
	var cols []scopeColumn
	if agg.Changelog {
		cols = append(cols, scopeColumn{name: "op", typ: functions.Varchar})
	}
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
	agg.Op = pc.counters(node)
	var op exec.Operator = agg
	if n := workersFor(sel, agg, pc); n > 1 {
		op = &exec.ParallelAggregate{Input: agg.Input, Env: pc.Env, Agg: agg, Workers: n,
			Op: agg.Op}
		node.Details = append(node.Details, fmt.Sprintf("workers: %d", n))
	}
	out := &relation{op: pc.measured(op, node), cols: cols, node: node,
		changelog: agg.Changelog, together: firedTogether(agg)}
	if agg.Time != nil && agg.Window.Kind == exec.Session {
		out.sessionKeys = []int{}
		for i := range keys {
			out.sessionKeys = append(out.sessionKeys, b2i(agg.Changelog)+i)
		}
	}

	post := &scope{cols: cols, reg: pc.Registry, clause: "the select list"}
	base := 0
	if agg.Changelog {
		base = 1
	}
	post.replace = func(e parser.Expr) (exec.Expr, bool, error) {
		x, ok, err := replaceGrouped(e, keys, aggIndex, agg, in, cols, base)
		if err != nil && post.clause == "HAVING" {
			// HAVING may name a select-list alias, as in DuckDB.
			if ref, isRef := e.(*parser.ColumnRef); isRef && len(ref.Parts) == 1 {
				for _, it := range sel.Items {
					if it.Alias != nil && ref.Parts[0].Matches(it.Alias.Name) {
						x, err := post.compile(it.Expr)
						return x, true, err
					}
				}
			}
		}
		return x, ok, err
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
		having := &Node{Name: "Filter", Details: []string{"having: " + pred.String()},
			Children: []*Node{out.node}}
		out = &relation{
			op:          pc.measured(&exec.Filter{Input: out.op, Pred: pred, Env: pc.Env}, having),
			cols:        cols,
			node:        having,
			changelog:   agg.Changelog,
			together:    out.together,
			sessionKeys: out.sessionKeys,
		}
		post.clause = "the select list"
	}
	if agg.Changelog {
		if len(sel.OrderBy) > 0 || sel.Limit != nil {
			return nil, errAt(sel.Pos, ErrUnsupported,
				"unsupported: ORDER BY or LIMIT on a changelog (EMIT EVERY, EMIT CHANGES, "+
					"ALLOWED LATENESS)")
		}
		sel = withOp(sel)
	}
	var bounds []exec.Expr
	if agg.Time != nil {
		w := len(keys) + base
		bounds = []exec.Expr{
			&exec.Column{Index: w, T: functions.Timestamp, Name: "window_start"},
			&exec.Column{Index: w + 1, T: functions.Timestamp, Name: "window_end"},
		}
	}
	return planOutput(sel, out, post, pc, p, bounds)
}

// wakeEvery is how often a query waiting for events looks at the clock for something due
// every d: a tenth of d, and not more often than every 10 ms.
func wakeEvery(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return max(d/10, 10*time.Millisecond)
}

// workersFor is how many workers the aggregate runs on: pc.Workers for a windowed GROUP BY
// with keys whose result workers give exactly, else 1. Per-window ORDER BY and LIMIT,
// analytic functions, user-defined functions and expressions that are not safe for
// concurrent evaluation keep one worker.
func workersFor(sel *parser.Select, agg *exec.HashAggregate, pc *Context) int {
	if pc.Workers <= 1 || agg.Time == nil || len(agg.Keys) == 0 || len(sel.OrderBy) > 0 ||
		sel.Limit != nil || pc.Registry.Custom() || hasAnalytic(sel) {
		return 1
	}
	exprs := append([]exec.Expr{agg.Time}, agg.Keys...)
	for _, a := range agg.Aggs {
		exprs = append(exprs, a.Args...)
		if a.Filter != nil {
			exprs = append(exprs, a.Filter)
		}
	}
	for _, e := range exprs {
		if !exec.ParallelSafe(e) {
			return 1
		}
	}
	return pc.Workers
}

// hasAnalytic reports whether the select list, HAVING or QUALIFY calls a function with OVER.
func hasAnalytic(sel *parser.Select) bool {
	found := false
	exprs := []parser.Expr{sel.Having, sel.Qualify}
	for _, it := range sel.Items {
		exprs = append(exprs, it.Expr)
	}
	for _, e := range exprs {
		walk(e, func(x parser.Expr) bool {
			if c, ok := x.(*parser.Call); ok && c.Over != nil {
				found = true
			}
			return !found
		})
	}
	return found
}

// withOp returns sel with the changelog's op column first in its select list.
func withOp(sel *parser.Select) *parser.Select {
	c := *sel
	// The zero position marks the reference as the changelog's own op column.
	op := &parser.SelectItem{Pos: sel.Pos, Expr: &parser.ColumnRef{
		Parts: []parser.Ident{{Name: "op"}}}}
	c.Items = append([]*parser.SelectItem{op}, sel.Items...)
	return &c
}

// planEmit reads EMIT and ALLOWED LATENESS.
func planEmit(sel *parser.Select, agg *exec.HashAggregate, node *Node, rel *relation) error {
	if sel.Lateness != nil {
		if agg.Time == nil {
			return errAt(sel.Lateness.Position(), ErrInvalid,
				"ALLOWED LATENESS needs a windowed GROUP BY")
		}
		l, err := intervalArg(sel.Lateness, "lateness")
		if err != nil {
			return err
		}
		if l < 0 {
			return errAt(sel.Lateness.Position(), ErrInvalid, "ALLOWED LATENESS must not be negative")
		}
		agg.Lateness = l
		node.Details = append(node.Details, "allowed lateness: "+formatMicros(l))
	}
	e := sel.Emit
	switch {
	case e == nil && rel.unbounded && agg.Time == nil:
		agg.Emit = exec.EmitChanges
	case e == nil || e.Final:
		agg.Emit = exec.EmitFinal
	case e.Changes:
		agg.Emit = exec.EmitChanges
	default:
		every, err := intervalArg(e.Every, "period of EMIT EVERY")
		if err != nil {
			return err
		}
		if every <= 0 {
			return errAt(e.Every.Position(), ErrInvalid, "EMIT EVERY needs a positive interval")
		}
		agg.Emit = exec.EmitEvery
		agg.Every = time.Duration(every) * time.Microsecond
		if rel.source != nil {
			rel.source.tickAt(wakeEvery(agg.Every))
		}
	}
	agg.Changelog = agg.Emit != exec.EmitFinal || agg.Lateness > 0
	names := map[exec.EmitMode]string{exec.EmitFinal: "final", exec.EmitEvery: "every " +
		agg.Every.String(), exec.EmitChanges: "changes"}
	node.Details = append(node.Details, "emit: "+names[agg.Emit])
	return nil
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

// planWindow reads TUMBLE(ts, size [, offset]), HOP(ts, slide, size [, offset]),
// CUMULATE(ts, step, size [, offset]) or SESSION(ts, gap) into the aggregate, and puts the
// stream's Watermark operator on rel, below any WHERE filter.
func planWindow(c *parser.Call, rel *relation, in *scope, agg *exec.HashAggregate,
	node *Node, pc *Context) (*relation, error) {
	name := strings.ToUpper(c.Name.Name)
	arity := map[string][2]int{"TUMBLE": {2, 3}, "HOP": {3, 4}, "CUMULATE": {3, 4},
		"SESSION": {2, 2}}[name]
	forms := map[string]string{"TUMBLE": "(time, size [, offset])",
		"HOP": "(time, slide, size [, offset])", "CUMULATE": "(time, step, size [, offset])",
		"SESSION": "(time, gap)"}
	if len(c.Args) < arity[0] || len(c.Args) > arity[1] {
		return nil, errAt(c.Pos, ErrInvalid, "%s takes %s, got %d arguments", name, forms[name],
			len(c.Args))
	}
	in.clause = "a window's time argument"
	t, err := in.compile(c.Args[0])
	if err != nil {
		return nil, err
	}
	if t.Type().ID() != arrow.TIMESTAMP {
		return nil, errAt(c.Args[0].Position(), ErrTypeMismatch,
			"the time argument of %s must be a TIMESTAMP, got %s "+
				"(convert epoch seconds with to_timestamp(%s))",
			name, functions.TypeName(t.Type()), c.Args[0].String())
	}
	var lens []int64
	for i, a := range c.Args[1:] {
		what := []string{"size", "offset"}[min(i, 1)]
		if name != "TUMBLE" && name != "SESSION" {
			what = []string{"slide", "size", "offset"}[i]
			if name == "CUMULATE" && i == 0 {
				what = "step"
			}
		}
		if name == "SESSION" {
			what = "gap"
		}
		v, err := intervalArg(a, what)
		if err != nil {
			return nil, err
		}
		if what != "offset" && v <= 0 {
			return nil, errAt(a.Position(), ErrInvalid, "the window %s must be positive", what)
		}
		lens = append(lens, v)
	}
	w := exec.Window{}
	switch name {
	case "TUMBLE":
		w = exec.Window{Kind: exec.Tumble, Size: lens[0]}
		if len(lens) > 1 {
			w.Offset = lens[1]
		}
	case "HOP":
		w = exec.Window{Kind: exec.Hop, Slide: lens[0], Size: lens[1]}
		if len(lens) > 2 {
			w.Offset = lens[2]
		}
	case "CUMULATE":
		w = exec.Window{Kind: exec.Cumulate, Slide: lens[0], Size: lens[1]}
		if len(lens) > 2 {
			w.Offset = lens[2]
		}
		if w.Size%w.Slide != 0 {
			return nil, errAt(c.Args[2].Position(), ErrInvalid,
				"CUMULATE's size must be a whole number of steps")
		}
	case "SESSION":
		w = exec.Window{Kind: exec.Session, Gap: lens[0]}
	}
	if w.MaxWindowsPerEvent() > 10000 {
		return nil, errAt(c.Pos, ErrInvalid, "%s puts each event in %d windows; at most "+
			"10000 are allowed", name, w.MaxWindowsPerEvent())
	}
	agg.Time = t
	agg.Window = w
	agg.WM = &exec.WatermarkState{}
	agg.WMIndex = len(rel.cols)
	cols := append(append([]scopeColumn(nil), rel.cols...),
		scopeColumn{name: exec.WatermarkColumn, typ: arrow.PrimitiveTypes.Int64})
	node.Details = append(node.Details, "window: "+w.String()+" on "+t.String())
	out := *rel
	out.op, out.node = watermarkOver(rel, t, agg.WM, pc)
	out.cols = cols
	return &out, nil
}

// watermarkOver puts a Watermark of time t over rel's events, with the delay and idle
// timeout of rel's stream, and returns it measured with its node.
func watermarkOver(rel *relation, t exec.Expr, state *exec.WatermarkState,
	pc *Context) (exec.Operator, *Node) {
	wop := &exec.Watermark{Input: rel.op, Env: pc.Env, Time: t, State: state}
	if st := rel.stream; st != nil {
		wop.Delay = st.Delay
		wop.IdleTimeout = st.IdleTimeout
		if st.Hub != nil && rel.source != nil {
			wop.Parts = rel.source
			rel.source.tickAt(wakeEvery(st.IdleTimeout))
		}
	}
	wnode := &Node{Name: "Watermark", Details: []string{
		fmt.Sprintf("max(%s) - %s", t.String(), formatMicros(wop.Delay))},
		Children: []*Node{rel.node}}
	if wop.IdleTimeout > 0 {
		wnode.Details = append(wnode.Details, "idle timeout: "+wop.IdleTimeout.String())
	}
	return pc.measured(wop, wnode), wnode
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

// planAggCall plans one aggregate call of the aggregate's input scope. eventTime is the
// window's event time (nil without a window), which first and last compare and rate over
// sessions measures; window's lengths are what rate divides by.
func planAggCall(c *parser.Call, fn *functions.Aggregate, in *scope, eventTime exec.Expr,
	window exec.Window) (exec.AggCall, error) {
	return bindAggCall(c, fn, in, eventTime, window)
}

// aggResultType is the type of an aggregate call's result.
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
	agg *exec.HashAggregate, in *scope, cols []scopeColumn, base int) (exec.Expr, bool, error) {
	col := func(i int, text string) (exec.Expr, bool, error) {
		return &exec.Column{Index: i, T: cols[i].typ, Name: text}, true, nil
	}
	// Every node of the select list is asked about: print it only when it may be a key.
	for i, k := range keys {
		if k.node == e || sameShape(k.node, e) && k.text == e.String() {
			return col(base+i, k.name)
		}
	}
	windowed := agg.Time != nil
	bounds := base + len(keys)
	switch e := e.(type) {
	case *parser.Call:
		text := e.String()
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
		if base == 1 && len(e.Parts) == 1 && e.Parts[0].Name == "op" && !e.Parts[0].Quoted &&
			e.Pos == (parser.Pos{}) {
			return col(0, "op")
		}
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
				return col(base+j, k.name)
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
	for _, c := range children(e) {
		walk(c, f)
	}
}

// children are the subexpressions of e, in the order they are written (those of a call's
// WITHIN GROUP and OVER aside).
func children(e parser.Expr) []parser.Expr {
	var out []parser.Expr
	add := func(xs ...parser.Expr) {
		for _, x := range xs {
			if x != nil {
				out = append(out, x)
			}
		}
	}
	switch e := e.(type) {
	case *parser.Paren:
		add(e.X)
	case *parser.Unary:
		add(e.X)
	case *parser.Binary:
		add(e.L, e.R)
	case *parser.IsNull:
		add(e.X)
	case *parser.IsDistinct:
		add(e.L, e.R)
	case *parser.Between:
		add(e.X, e.Lo, e.Hi)
	case *parser.InList:
		add(e.X)
		add(e.List...)
	case *parser.Like:
		add(e.X, e.Pattern)
	case *parser.Case:
		add(e.Operand)
		for _, w := range e.Whens {
			add(w.Cond, w.Then)
		}
		add(e.Else)
	case *parser.Cast:
		add(e.X)
	case *parser.Extract:
		add(e.X)
	case *parser.Call:
		add(e.Args...)
		for _, a := range e.Named {
			add(a.Value)
		}
		add(e.Filter)
		if e.Over != nil {
			add(e.Over.PartitionBy...)
			for _, o := range e.Over.OrderBy {
				add(o.Expr)
			}
		}
	}
	return out
}

// sameShape reports whether a and b are nodes of the same kinds down to their leaves. Two
// expressions that print alike pass, and the test costs no more than the smaller of them,
// where printing the larger would cost its whole length.
func sameShape(a, b parser.Expr) bool {
	if reflect.TypeOf(a) != reflect.TypeOf(b) {
		return false
	}
	ca, cb := children(a), children(b)
	if len(ca) != len(cb) {
		return false
	}
	for i := range ca {
		if !sameShape(ca[i], cb[i]) {
			return false
		}
	}
	return true
}

// firedTogether names the window bounds whose rows of one value an aggregate emits in one
// batch, in ascending order from batch to batch: the windows of one end fire together, as
// the watermark passes it, so window_end always (without a changelog: a session's end no
// longer moves once it fires), and window_start too when the windows of one start share
// their end (TUMBLE and HOP, not CUMULATE's growing windows or sessions).
func firedTogether(agg *exec.HashAggregate) []string {
	if agg.Time == nil || agg.Changelog {
		return nil
	}
	switch agg.Window.Kind {
	case exec.Tumble, exec.Hop:
		return []string{"window_start", "window_end"}
	}
	return []string{"window_end"}
}
