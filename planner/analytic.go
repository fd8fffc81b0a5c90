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

// analyticNames are the functions that run with OVER, and how many arguments each takes.
var analyticNames = map[string][2]int{
	"avg": {1, 1}, "sum": {1, 1}, "count": {0, 1}, "min": {1, 1}, "max": {1, 1},
	"stddev": {1, 1}, "lag": {1, 3}, "lead": {1, 3}, "row_number": {0, 0}, "rank": {0, 0},
	"ema": {2, 2}, "zscore": {1, 1}, "rate": {1, 1},
}

// planAnalytics computes the analytic functions (OVER) that the select list, ORDER BY and
// QUALIFY use, as columns after rel's, and returns the relation with QUALIFY applied and the
// scope in which those calls read their columns.
func planAnalytics(sel *parser.Select, rel *relation, sc *scope, pc *Context) (*relation,
	*scope, error) {
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
	op := &exec.Analytic{Input: rel.op, Env: pc.Env}
	cols := append([]scopeColumn(nil), rel.cols...)
	index := map[string]int{}
	node := &Node{Name: "Analytic", Children: []*Node{rel.node}}
	for i, c := range calls {
		fn, perBatch, err := planAnalyticCall(c, sc)
		if err != nil {
			return nil, nil, err
		}
		if i > 0 && perBatch != op.PerBatch {
			return nil, nil, errAt(c.Pos, ErrUnsupported, "unsupported: analytic functions "+
				"partitioned by the window beside others that are not, in one query")
		}
		op.PerBatch = perBatch
		op.Fns = append(op.Fns, fn)
		index[c.String()] = len(cols)
		cols = append(cols, scopeColumn{name: fmt.Sprintf("$over%d", i), typ: fn.T})
		node.Details = append(node.Details, c.String())
	}
	op.Out = schemaOf(cols)
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
	out := &relation{op: pc.measured(op, node), cols: cols, node: node,
		unbounded: rel.unbounded}
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

// planAnalyticCall compiles one OVER call; perBatch tells whether it is partitioned by the
// window (its partitions are whole in one firing).
func planAnalyticCall(c *parser.Call, sc *scope) (*exec.AnalyticFn, bool, error) {
	name := strings.ToLower(c.Name.Name)
	arity, ok := analyticNames[name]
	if !ok {
		return nil, false, errAt(c.Pos, ErrUnknownFunction, "unknown analytic function %q%s",
			c.Name.Name, didYouMean(c.Name.Name, keys2(analyticNames)))
	}
	if c.Star && name == "count" {
		arity = [2]int{0, 0}
	}
	if len(c.Args) < arity[0] || len(c.Args) > arity[1] {
		return nil, false, errAt(c.Pos, ErrInvalid, "%s OVER takes %d to %d arguments, got %d",
			name, arity[0], arity[1], len(c.Args))
	}
	if c.Distinct || c.Filter != nil {
		return nil, false, errAt(c.Pos, ErrUnsupported,
			"unsupported: DISTINCT or FILTER in an analytic function")
	}
	fn := &exec.AnalyticFn{Name: name, Text: c.String()}
	saved := sc.clause
	sc.clause = "an analytic function's argument"
	defer func() { sc.clause = saved }()
	for _, a := range c.Args {
		x, err := sc.compile(a)
		if err != nil {
			return nil, false, err
		}
		fn.Args = append(fn.Args, x)
	}
	perBatch := false
	for _, p := range c.Over.PartitionBy {
		x, err := sc.compile(p)
		if err != nil {
			return nil, false, err
		}
		if ref, ok := unparen(p).(*parser.ColumnRef); ok && len(ref.Parts) == 1 &&
			(ref.Parts[0].Matches("window_start") || ref.Parts[0].Matches("window_end")) {
			perBatch = true
		}
		fn.Partition = append(fn.Partition, x)
	}
	for _, o := range c.Over.OrderBy {
		x, err := sc.compile(o.Expr)
		if err != nil {
			return nil, false, err
		}
		fn.Order = append(fn.Order, x)
		fn.Desc = append(fn.Desc, o.Desc)
	}
	if !perBatch && name != "lag" && name != "row_number" && name != "ema" &&
		(len(fn.Order) == 0 || fn.Order[0].Type().ID() != arrow.TIMESTAMP || fn.Desc[0]) {
		return nil, false, errAt(c.Over.Pos, ErrUnsupported, "unsupported: %s OVER a stream "+
			"needs ORDER BY its time ascending (window_start or the event time), or PARTITION "+
			"BY window_start to rank the rows of each window", name)
	}
	if name == "lead" && !perBatch {
		return nil, false, errAt(c.Pos, ErrUnsupported, "unsupported: lead over a stream "+
			"(it needs rows that have not come yet); partition by window_start")
	}
	frame, err := parseFrame(c.Over)
	if err != nil {
		return nil, false, err
	}
	fn.Frame = frame
	switch name {
	case "row_number", "rank", "count":
		fn.T = functions.Bigint
	case "lag", "lead":
		fn.T = fn.Args[0].Type()
	default:
		for _, a := range fn.Args[:1] {
			if !functions.IsNumeric(a.Type()) {
				return nil, false, errAt(c.Pos, ErrTypeMismatch, "%s OVER expects a numeric "+
					"argument, got %s", name, functions.TypeName(a.Type()))
			}
		}
		fn.T = functions.Double
	}
	return fn, perBatch, nil
}

// parseFrame reads a frame clause: ROWS n PRECEDING, ROWS BETWEEN n PRECEDING AND m
// PRECEDING (or CURRENT ROW), RANGE interval PRECEDING, UNBOUNDED PRECEDING; without one, the
// frame is every row up to the current one.
func parseFrame(w *parser.WindowSpec) (exec.Frame, error) {
	words := strings.Fields(strings.ToUpper(w.Frame))
	bad := errAt(w.Pos, ErrUnsupported, "unsupported: frame %q (use ROWS BETWEEN n PRECEDING "+
		"AND m PRECEDING, ROWS n PRECEDING or RANGE INTERVAL '5' MINUTE PRECEDING)", w.Frame)
	if len(words) == 0 {
		return exec.Frame{Unbounded: true}, nil
	}
	kind, rest := words[0], words[1:]
	if kind != "ROWS" && kind != "RANGE" {
		return exec.Frame{}, bad
	}
	var lo, hi []string
	if len(rest) > 0 && rest[0] == "BETWEEN" {
		and := indexOf(rest, "AND")
		if and < 0 {
			return exec.Frame{}, bad
		}
		lo, hi = rest[1:and], rest[and+1:]
	} else {
		lo, hi = rest, []string{"CURRENT", "ROW"}
	}
	if kind == "RANGE" {
		if strings.Join(hi, " ") != "CURRENT ROW" {
			return exec.Frame{}, bad
		}
		if strings.Join(lo, " ") == "UNBOUNDED PRECEDING" {
			return exec.Frame{Unbounded: true}, nil
		}
		us, err := frameInterval(lo)
		if err != nil {
			return exec.Frame{}, bad
		}
		return exec.Frame{Range: us}, nil
	}
	if strings.Join(lo, " ") == "UNBOUNDED PRECEDING" && strings.Join(hi, " ") == "CURRENT ROW" {
		return exec.Frame{Unbounded: true}, nil
	}
	l, ok1 := frameRows(lo)
	h, ok2 := frameRows(hi)
	if !ok1 || !ok2 || h > l {
		return exec.Frame{}, bad
	}
	return exec.Frame{Lo: l, Hi: h}, nil
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

func keys2(m map[string][2]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
