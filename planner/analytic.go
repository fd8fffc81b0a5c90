package planner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
)

// planAnalytics computes the analytic functions (OVER) that the select list, ORDER BY and
// QUALIFY use, as columns after rel's, and returns the relation with QUALIFY applied and the
// scope in which those calls read their columns. perWindow says that ORDER BY and LIMIT
// apply per window.
func planAnalytics(sel *parser.Select, rel *relation, sc *scope, pc *Context, p *Plan,
	perWindow bool) (*relation, *scope, error) {
	var calls []*parser.Call
	seen := map[string]bool{}
	visit := func(e parser.Expr) {
		walk(e, func(x parser.Expr) bool {
			if c, ok := x.(*parser.Call); ok && c.Over != nil {
				if !seen[c.String()] {
					seen[c.String()] = true
					calls = append(calls, c)
				}
				return false
			}
			return true
		})
	}
	for _, it := range sel.Items {
		visit(it.Expr)
	}
	for _, o := range sel.OrderBy {
		visit(o.Expr)
	}
	visit(sel.Qualify)
	if len(calls) == 0 {
		if sel.Qualify != nil {
			return nil, nil, errAt(sel.Qualify.Position(), ErrInvalid,
				"QUALIFY filters on analytic functions (OVER), and there is none")
		}
		return rel, sc, nil
	}
	if rel.changelog {
		return nil, nil, errAt(calls[0].Pos, ErrUnsupported, "unsupported: analytic "+
			"functions over a changelog (EMIT EVERY, EMIT CHANGES, ALLOWED LATENESS)")
	}
	// The functions partitioned by the window run first, over each firing as it comes; the
	// others run above them, as their partitions go on across firings (and lead may hold
	// rows back, which would split a firing).
	var groups [2]struct {
		calls []*parser.Call
		fns   []*exec.AnalyticFn
	}
	for _, c := range calls {
		fn, perBatch, err := planAnalyticCall(c, sc, rel.together)
		if err != nil {
			return nil, nil, err
		}
		if !perBatch && fn.Fn.Kind == functions.Lead && perWindow &&
			(len(sel.OrderBy) > 0 || sel.Limit != nil) {
			return nil, nil, errAt(c.Pos, ErrUnsupported, "unsupported: ORDER BY or LIMIT "+
				"per window with lead over a stream, whose rows come out after later windows")
		}
		g := &groups[b2i(!perBatch)]
		g.calls, g.fns = append(g.calls, c), append(g.fns, fn)
	}
	cols := append([]scopeColumn(nil), rel.cols...)
	index := map[string]int{}
	in := rel
	var node *Node
	for gi, g := range groups {
		if len(g.fns) == 0 {
			continue
		}
		op := &exec.Analytic{Input: in.op, Env: pc.Env, PerBatch: gi == 0, Fns: g.fns}
		node = &Node{Name: "Analytic", Children: []*Node{in.node}}
		for k, c := range g.calls {
			fn := g.fns[k]
			index[c.String()] = len(cols)
			cols = append(cols, scopeColumn{name: fmt.Sprintf("$over%d", len(index)-1),
				typ: fn.T})
			node.Details = append(node.Details, c.String())
			if !op.PerBatch && fn.Fn.Kind == functions.Lead {
				node.Details = append(node.Details, fmt.Sprintf("holds each row back until "+
					"the row %d after it in its partition arrives", fn.Offset))
			}
		}
		op.Out = schemaOf(cols)
		op.Op = pc.counters(node)
		if err := orderEvents(op, g.calls, in, node, pc, p, perWindow); err != nil {
			return nil, nil, err
		}
		if err := ties(op, g.calls, in); err != nil {
			return nil, nil, err
		}
		in = &relation{op: pc.measured(op, node), cols: cols, node: node,
			unbounded: rel.unbounded, together: rel.together, sessionKeys: rel.sessionKeys}
	}
	inner := sc.replace
	ext := &scope{cols: cols, reg: sc.reg, clause: sc.clause}
	ext.replace = func(e parser.Expr) (exec.Expr, bool, error) {
		if c, ok := e.(*parser.Call); ok && c.Over != nil {
			i := index[c.String()]
			return &exec.Column{Index: i, T: cols[i].typ, Name: c.String()}, true, nil
		}
		if inner != nil {
			return inner(e)
		}
		return nil, false, nil
	}
	out := &relation{op: in.op, cols: cols, node: node, unbounded: rel.unbounded}
	if sel.Qualify != nil {
		// QUALIFY may name the select list's aliases, as in DuckDB.
		q := &scope{cols: ext.cols, reg: ext.reg, clause: "QUALIFY"}
		q.replace = func(e parser.Expr) (exec.Expr, bool, error) {
			if ref, ok := e.(*parser.ColumnRef); ok && len(ref.Parts) == 1 {
				if _, err := q.resolve(ref); err != nil {
					for _, it := range sel.Items {
						if it.Alias != nil && ref.Parts[0].Matches(it.Alias.Name) {
							x, err := q.compile(it.Expr)
							return x, true, err
						}
					}
				}
			}
			return ext.replace(e)
		}
		pred, err := q.compile(sel.Qualify)
		if err != nil {
			return nil, nil, err
		}
		if err := checkBool(sel.Qualify, pred, "QUALIFY"); err != nil {
			return nil, nil, err
		}
		out = filtered(out, pred, pc)
		ext.clause = sc.clause
	}
	return out, ext, nil
}

// ties settles what a function does with rows of equal time over a stream: when the rows of
// one time come in one batch (events through a strict EventOrder, or the windows of one bound
// that fire together, see relation.together), a RANGE frame reaches the row's peers and
// ORDER BY keys after the time order them. Otherwise keys after the time are refused, as
// they could not be honoured.
func ties(op *exec.Analytic, calls []*parser.Call, rel *relation) error {
	if op.PerBatch {
		return nil
	}
	for i, fn := range op.Fns {
		if len(fn.Order) == 0 {
			continue
		}
		first := calls[i].Over.OrderBy[0].Expr
		if rel.sessionKeys != nil && namesOneOf(first, []string{"window_start"}) &&
			!partitionsBy(fn, rel.sessionKeys) {
			return errAt(first.Position(), ErrUnsupported, "unsupported: ORDER BY "+
				"window_start over sessions of several keys, which fire by their end: "+
				"ORDER BY window_end, or PARTITION BY the keys")
		}
		together := op.Ordered || namesOneOf(first, rel.together)
		if !together {
			if len(fn.Order) > 1 {
				return errAt(calls[i].Over.OrderBy[1].Expr.Position(), ErrUnsupported,
					"unsupported: ORDER BY keys after the time over rows whose times do not "+
						"come together (a subquery's, or sessions' and CUMULATE's by window_start)")
			}
			continue
		}
		fn.Frame.Peers = fn.Frame.Ranged
		// Events come in time order; a firing's rows by window_start, then keys, which is
		// not window_end's order when several ends fire at once.
		fn.SortBatch = !op.Ordered || fn.Frame.Ranged || len(fn.Order) > 1
	}
	return nil
}

// orderEvents puts the events of a stream in time order under op, as the watermark allows,
// when op's functions are ordered by their time: the Watermark of that time and an
// EventOrder go between op and its input. Functions in arrival order (no ORDER BY) then see
// the events in time order as well.
func orderEvents(op *exec.Analytic, calls []*parser.Call, rel *relation, node *Node,
	pc *Context, p *Plan, perWindow bool) error {
	if op.PerBatch || perWindow || rel.stream == nil {
		return nil
	}
	var t exec.Expr
	for i, fn := range op.Fns {
		if len(fn.Order) == 0 {
			continue
		}
		if t != nil && !sameExpr(fn.Order[0], t) {
			return errAt(calls[i].Over.Pos, ErrUnsupported, "unsupported: analytic functions "+
				"over events ordered by different times (%s and %s) in one query",
				t.String(), fn.Order[0].String())
		}
		t = fn.Order[0]
	}
	if t == nil {
		return nil
	}
	st := rel.stream
	// The watermark sees every event, before WHERE, as a window's does.
	base := rel
	if rel.unfiltered != nil {
		base = rel.unfiltered
	}
	state := &exec.WatermarkState{}
	in, inNode := watermarkOver(base, t, state, pc)
	if rel.unfiltered != nil {
		// The filter passes the $wm column on: it is the last, after the columns it reads.
		inNode = &Node{Name: "Filter", Details: []string{rel.where.String()},
			Children: []*Node{inNode}}
		in = pc.measured(&exec.Filter{Input: in, Pred: rel.where, Env: pc.Env}, inNode)
	}
	onode := &Node{Name: "Event Order", Details: []string{"by " + t.String() +
		" up to the watermark; older events are late"}, Children: []*Node{inNode}}
	order := &exec.EventOrder{Input: in, Env: pc.Env, Time: t, WM: state,
		Op: pc.counters(onode)}
	for _, fn := range op.Fns {
		// A RANGE frame reaches the row's peers, and keys after the time order them: the
		// events of a time come out together once the watermark has passed it (an event at
		// the watermark is not late).
		if fn.Frame.Ranged || len(fn.Order) > 1 {
			order.Strict = true
		}
	}
	if order.Strict {
		onode.Details[0] = "by " + t.String() + " below the watermark, each time's events " +
			"together; older events are late"
	}
	if pc.LateFile != "" {
		order.Late = lateSink(pc, p, st)
	}
	op.Input = pc.measured(order, onode)
	op.Ordered = true
	node.Children = []*Node{onode}
	return nil
}

// planAnalyticCall compiles one OVER call; perBatch tells whether it is partitioned by the
// window (its partitions are whole in one firing).
func planAnalyticCall(c *parser.Call, sc *scope, together []string) (*exec.AnalyticFn, bool,
	error) {
	entry, ok := sc.reg.Analytic(c.Name.Name)
	if !ok {
		return nil, false, errAt(c.Pos, ErrUnknownFunction, "unknown analytic function %q%s",
			c.Name.Name, didYouMean(c.Name.Name, sc.reg.AnalyticNames()))
	}
	if err := checkAnalyticCall(c, entry); err != nil {
		return nil, false, err
	}
	fn := &exec.AnalyticFn{Fn: entry, Text: c.String()}
	saved := sc.clause
	sc.clause = "an analytic function's argument"
	defer func() { sc.clause = saved }()
	types := make([]arrow.DataType, len(c.Args))
	for i, a := range c.Args {
		x, err := sc.compile(a)
		if err != nil {
			return nil, false, err
		}
		fn.Args = append(fn.Args, x)
		types[i] = x.Type()
	}
	t, err := entry.Resolve(types)
	if err != nil {
		return nil, false, errAt(c.Pos, ErrTypeMismatch, "%s", unwrapMsg(err))
	}
	fn.T = t
	if err := analyticConstants(c, fn); err != nil {
		return nil, false, err
	}
	sc.clause = "OVER (...)"
	perBatch, err := compileOver(c.Over, sc, fn, together)
	if err != nil {
		return nil, false, err
	}
	if err := analyticFrame(c, sc, fn, perBatch); err != nil {
		return nil, false, err
	}
	return fn, perBatch, nil
}

// compileOver compiles the PARTITION BY and ORDER BY of an OVER clause into fn; perBatch
// tells a partition by the window.
func compileOver(w *parser.WindowSpec, sc *scope, fn *exec.AnalyticFn,
	together []string) (perBatch bool,
	err error) {
	for _, p := range w.PartitionBy {
		x, err := sc.compile(p)
		if err != nil {
			return false, err
		}
		perBatch = perBatch || namesOneOf(p, together)
		fn.Partition = append(fn.Partition, x)
	}
	for _, o := range w.OrderBy {
		x, err := sc.compile(o.Expr)
		if err != nil {
			return false, err
		}
		fn.Order = append(fn.Order, x)
		fn.Desc = append(fn.Desc, o.Desc)
		fn.NullsFirst = append(fn.NullsFirst, o.NullsFirst())
	}
	return perBatch, nil
}

// analyticFrame checks that the ORDER BY suits the call over a stream, and reads its frame
// (and, for rate, where each row ends in time).
func analyticFrame(c *parser.Call, sc *scope, fn *exec.AnalyticFn, perBatch bool) error {
	name, kind := fn.Fn.Name, fn.Fn.Kind
	timeOrdered := len(fn.Order) > 0 && fn.Order[0].Type().ID() == arrow.TIMESTAMP &&
		!fn.Desc[0]
	arrival := len(fn.Order) == 0 && kind != functions.FrameFunction && kind != functions.Rank
	if !perBatch && !timeOrdered && !arrival {
		return errAt(c.Over.Pos, ErrUnsupported, "unsupported: %s OVER a stream needs ORDER "+
			"BY its time ascending (window_start or the event time), or PARTITION BY "+
			"window_start (TUMBLE, HOP) or window_end (any window) to take each window's "+
			"rows as a whole", name)
	}
	frame, ranged, err := parseFrame(c.Over)
	if err != nil {
		return err
	}
	if frame.Range > 0 && (len(fn.Order) != 1 || !timeOrdered) {
		return errAt(c.Over.Pos, ErrInvalid, "a RANGE frame of an interval needs ORDER BY "+
			"one TIMESTAMP ascending")
	}
	frame.Ranged = ranged && kind == functions.FrameFunction
	frame.Peers = perBatch && frame.Ranged
	fn.Frame = frame
	if name == "rate" {
		if !timeOrdered {
			return errAt(c.Over.Pos, ErrInvalid, "rate OVER needs ORDER BY a TIMESTAMP "+
				"ascending: it divides by the time its frame covers")
		}
		fn.End = windowEnd(c.Over.OrderBy[0].Expr, sc)
	}
	return nil
}

// checkAnalyticCall checks what an analytic call may be written with: its number of
// arguments, * for count only, no DISTINCT or FILTER, a frame only for the frame functions.
func checkAnalyticCall(c *parser.Call, entry *functions.Analytic) error {
	name := entry.Name
	n := len(c.Args)
	if c.Star && name != "count" {
		return errAt(c.Pos, ErrInvalid, "%s(*) is not a function: write %s()", name, name)
	}
	if n < entry.MinArgs || n > entry.MaxArgs || c.Star && n > 0 {
		want := fmt.Sprintf("%d to %d arguments", entry.MinArgs, entry.MaxArgs)
		if entry.MinArgs == entry.MaxArgs {
			want = fmt.Sprintf("%d arguments", entry.MinArgs)
		}
		return errAt(c.Pos, ErrInvalid, "%s OVER takes %s, got %d", name, want, n)
	}
	if c.Distinct || c.Filter != nil || len(c.WithinGroup) > 0 || len(c.Named) > 0 {
		return errAt(c.Pos, ErrUnsupported, "unsupported: DISTINCT, FILTER, WITHIN GROUP "+
			"or named arguments in an analytic function")
	}
	if c.Over.Frame != "" && !entry.Framed {
		return errAt(c.Over.Pos, ErrInvalid, "%s takes no frame (ROWS or RANGE): it looks "+
			"at row positions or at every earlier row", name)
	}
	return nil
}

// analyticConstants reads the constant arguments: lag's and lead's offset, ema's alpha; and
// casts lag's and lead's value and default to the result type.
func analyticConstants(c *parser.Call, fn *exec.AnalyticFn) error {
	switch fn.Fn.Kind {
	case functions.Lag, functions.Lead:
		fn.Offset = 1
		if len(c.Args) > 1 {
			v, ok := constValue(c.Args[1], fn.Args[1])
			n, isInt := v.(int64)
			if !ok || !isInt || n < 0 {
				return errAt(c.Args[1].Position(), ErrInvalid, "%s's offset must be a "+
					"constant BIGINT of 0 or more", fn.Fn.Name)
			}
			fn.Offset = n
		}
		for _, i := range []int{0, 2} {
			if i < len(fn.Args) && !arrow.TypeEqual(fn.Args[i].Type(), fn.T) &&
				fn.Args[i].Type().ID() != arrow.NULL {
				fn.Args[i] = &exec.Cast{X: fn.Args[i], To: fn.T, SQL: fn.Args[i]}
			}
		}
	case functions.EMA:
		v, ok := constValue(c.Args[1], fn.Args[1])
		alpha, isNum := toFloat(v)
		if !ok || !isNum || !(alpha > 0 && alpha <= 1) {
			return errAt(c.Args[1].Position(), ErrInvalid, "ema's alpha must be a constant "+
				"in (0, 1]")
		}
		fn.Alpha = alpha
	}
	return nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// namesOneOf reports whether e is a column named by one of names.
func namesOneOf(e parser.Expr, names []string) bool {
	ref, ok := unparen(e).(*parser.ColumnRef)
	if !ok || len(ref.Parts) != 1 {
		return false
	}
	for _, n := range names {
		if ref.Parts[0].Matches(n) {
			return true
		}
	}
	return false
}

// windowEnd is the window_end column beside an ORDER BY window_start, where each row of a
// windowed query ends in time; nil for any other ORDER BY (events end at their time).
func windowEnd(order parser.Expr, sc *scope) exec.Expr {
	ref, ok := unparen(order).(*parser.ColumnRef)
	if !ok || len(ref.Parts) != 1 || !ref.Parts[0].Matches("window_start") {
		return nil
	}
	end := &parser.ColumnRef{Pos: ref.Pos, Parts: []parser.Ident{{Name: "window_end"}}}
	x, err := sc.compile(end)
	if err != nil || x.Type().ID() != arrow.TIMESTAMP {
		return nil
	}
	return x
}

// parseFrame reads a frame clause: ROWS n PRECEDING, ROWS BETWEEN n PRECEDING AND m
// PRECEDING (or CURRENT ROW), RANGE interval PRECEDING, UNBOUNDED PRECEDING; without one, the
// frame is every row up to the current one and its peers. ranged tells a RANGE frame (or
// none) from a ROWS one: only a RANGE frame reaches the current row's peers.
func parseFrame(w *parser.WindowSpec) (f exec.Frame, ranged bool, err error) {
	words := strings.Fields(strings.ToUpper(w.Frame))
	bad := errAt(w.Pos, ErrUnsupported, "unsupported: frame %q (use ROWS BETWEEN n PRECEDING "+
		"AND m PRECEDING, ROWS n PRECEDING or RANGE INTERVAL '5' MINUTE PRECEDING)", w.Frame)
	if len(words) == 0 {
		return exec.Frame{Unbounded: true}, true, nil
	}
	kind, rest := words[0], words[1:]
	if kind != "ROWS" && kind != "RANGE" {
		return exec.Frame{}, false, bad
	}
	var lo, hi []string
	if len(rest) > 0 && rest[0] == "BETWEEN" {
		and := indexOf(rest, "AND")
		if and < 0 {
			return exec.Frame{}, false, bad
		}
		lo, hi = rest[1:and], rest[and+1:]
	} else {
		lo, hi = rest, []string{"CURRENT", "ROW"}
	}
	if strings.Join(lo, " ") == "UNBOUNDED PRECEDING" && strings.Join(hi, " ") == "CURRENT ROW" {
		return exec.Frame{Unbounded: true}, kind == "RANGE", nil
	}
	if kind == "RANGE" {
		if strings.Join(hi, " ") != "CURRENT ROW" {
			return exec.Frame{}, false, bad
		}
		us, err := frameInterval(lo)
		if err != nil || us <= 0 {
			return exec.Frame{}, false, bad
		}
		return exec.Frame{Range: us}, true, nil
	}
	l, ok1 := frameRows(lo)
	h, ok2 := frameRows(hi)
	if !ok1 || !ok2 || h > l {
		return exec.Frame{}, false, bad
	}
	return exec.Frame{Lo: l, Hi: h}, false, nil
}

// frameRows reads `n PRECEDING` or `CURRENT ROW` as how many rows back it is.
func frameRows(words []string) (int64, bool) {
	if strings.Join(words, " ") == "CURRENT ROW" {
		return 0, true
	}
	if len(words) != 2 || words[1] != "PRECEDING" {
		return 0, false
	}
	n, err := strconv.ParseInt(words[0], 10, 64)
	return n, err == nil && n >= 0
}

// frameInterval reads `INTERVAL '5' MINUTE PRECEDING` or `5m PRECEDING`.
func frameInterval(words []string) (int64, error) {
	if len(words) < 2 || words[len(words)-1] != "PRECEDING" {
		return 0, fmt.Errorf("no PRECEDING")
	}
	words = words[:len(words)-1]
	if words[0] == "INTERVAL" {
		words = words[1:]
	}
	if len(words) == 1 {
		return parser.ParseShortInterval(strings.ToLower(strings.Trim(words[0], "'")))
	}
	if len(words) == 2 {
		return parser.ParseInterval(strings.Trim(words[0], "'"), words[1])
	}
	return 0, fmt.Errorf("bad interval")
}

func indexOf(words []string, w string) int {
	for i, x := range words {
		if x == w {
			return i
		}
	}
	return -1
}

// sameExpr reports whether two compiled expressions are the same: one column, however it was
// written, or the same text.
func sameExpr(a, b exec.Expr) bool {
	ca, ok1 := a.(*exec.Column)
	cb, ok2 := b.(*exec.Column)
	if ok1 && ok2 {
		return ca.Index == cb.Index
	}
	return a.String() == b.String()
}

// partitionsBy reports whether fn's PARTITION BY holds each of the columns keys.
func partitionsBy(fn *exec.AnalyticFn, keys []int) bool {
	for _, k := range keys {
		found := false
		for _, p := range fn.Partition {
			if c, ok := p.(*exec.Column); ok && c.Index == k {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}
