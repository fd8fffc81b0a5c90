package planner

import (
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/weirsql/weir/connector"
	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
)

// Context is what planning needs besides the query.
type Context struct {
	Catalog  *Catalog
	Registry *functions.Registry
	Env      *exec.Env
	Stdin    io.Reader // what FROM stdin reads
	// StdinFormat is the format of FROM stdin: csv (the default), tsv or json.
	StdinFormat string
	// LateFile, when set, receives the events the query drops as late, as CSV.
	LateFile string
	// Progress, when set, shows a progress bar of the files read (the CLI sets it when stderr
	// is a terminal).
	Progress io.Writer
	// Analyze counts the rows each operator returns, for EXPLAIN ANALYZE.
	Analyze bool
	// OnWait is set on the sources fed by the program: it is called when the query waits
	// for events (tests use it to know that what they pushed has gone through).
	OnWait func()
	// Workers is how many aggregates a windowed GROUP BY may be split across by key (0 or 1:
	// one, on the query's goroutine).
	Workers int
	// Prefetch reads file and generator sources in a goroutine of their own, a few batches
	// ahead of the query.
	Prefetch bool
}

// Plan is a query ready to run.
type Plan struct {
	Root    exec.Operator
	Sources []connector.Source
	Explain *Node
	// Closers are closed when the query ends (the late file).
	Closers []io.Closer

	ctes map[string]*parser.Query // the WITH queries in scope, by lower-case name
}

// Node is one operator of a plan as EXPLAIN prints it.
type Node struct {
	Name     string
	Details  []string
	Children []*Node
	// Stats are the operator's counters. EXPLAIN ANALYZE prints them on the operator's line:
	// rows in (its children's rows out) and out, events dropped as late and skipped, and
	// the peak of the state it held.
	Stats *exec.OpStats

	analyzed bool         // Stats.RowsOut is counted
	skipped  func() int64 // the rows a Scan's source skipped, when it has a source
}

// counters returns the counters of n's operator, made when the operator has none yet.
func (pc *Context) counters(n *Node) *exec.OpStats {
	if n.Stats == nil {
		n.Stats = pc.Env.Stats.NewOp()
	}
	return n.Stats
}

// measured wraps op so that it counts its rows into n's counters, when the plan is for
// EXPLAIN ANALYZE.
func (pc *Context) measured(op exec.Operator, n *Node) exec.Operator {
	if !pc.Analyze {
		return op
	}
	n.analyzed = true
	return &exec.Measure{Input: op, Stats: pc.counters(n)}
}

// String prints the plan as an indented tree.
func (n *Node) String() string {
	var b strings.Builder
	n.write(&b, 0)
	return b.String()
}

func (n *Node) write(b *strings.Builder, depth int) {
	pad := strings.Repeat("  ", depth)
	b.WriteString(pad + n.Name)
	if n.analyzed {
		b.WriteString(" (" + n.counts() + ")")
	}
	b.WriteString("\n")
	for _, d := range n.Details {
		b.WriteString(pad + "    " + d + "\n")
	}
	for _, c := range n.Children {
		c.write(b, depth+1)
	}
}

// rowsIn adds up the rows n's children returned, looking through the nodes that are not
// operators (a Subquery), and says whether any child counted them.
func (n *Node) rowsIn() (int64, bool) {
	in, counted := int64(0), false
	for _, c := range n.Children {
		if c.analyzed {
			in, counted = in+c.Stats.RowsOut.Load(), true
		} else if r, ok := c.rowsIn(); ok {
			in, counted = in+r, true
		}
	}
	return in, counted
}

// counts prints the counters of an analyzed node.
func (n *Node) counts() string {
	s := n.Stats
	var b strings.Builder
	in, counted := n.rowsIn()
	if counted {
		fmt.Fprintf(&b, "rows in: %d, out: %d", in, s.RowsOut.Load())
	} else {
		fmt.Fprintf(&b, "rows out: %d", s.RowsOut.Load())
	}
	fmt.Fprintf(&b, ", late: %d", s.LateDropped.Load())
	if p := s.LatePartial.Load(); p > 0 {
		fmt.Fprintf(&b, ", partly late: %d", p)
	}
	skipped := s.Skipped.Load()
	if n.skipped != nil {
		skipped += n.skipped()
	}
	fmt.Fprintf(&b, ", skipped: %d, state: %s", skipped, exec.FormatBytes(s.PeakState.Load()))
	return b.String()
}

// relation is a plan under construction: its operator, the columns it produces and its node.
type relation struct {
	op     exec.Operator
	cols   []scopeColumn
	node   *Node
	stream *Stream
	source *lazySource
	// window is the window a table function in FROM asks for, written as the equivalent
	// GROUP BY call; partitionBy are SESSION's PARTITION BY keys.
	window      *parser.Call
	partitionBy []parser.Expr
	// bounded is false for sources that never end.
	unbounded bool
	// changelog marks rows that revise earlier ones (an op column first).
	changelog bool
	// together names the window bounds (window_start, window_end) whose rows of one value
	// all come out in one batch: the windows of one end fire at once.
	together []string
	// sessionKeys are the group keys' columns of SESSION windows' rows (nil for other
	// rows): sessions fire by their end, so their starts ascend across firings only per key.
	sessionKeys []int
	// unfiltered and where are the relation before a WHERE filter and the filter, so that a
	// watermark can see every event, as the windows' does.
	unfiltered *relation
	where      exec.Expr
}

func (r *relation) scope(reg *functions.Registry, clause string) *scope {
	return &scope{cols: r.cols, reg: reg, clause: clause}
}

// PlanQuery builds the plan of a SELECT.
func PlanQuery(q *parser.Query, pc *Context) (*Plan, error) {
	p := &Plan{ctes: map[string]*parser.Query{}}
	rel, err := planQuery(q, pc, p)
	if err != nil {
		for _, s := range p.Sources {
			s.Close()
		}
		return nil, err
	}
	p.Root = rel.op
	p.Explain = rel.node
	skipUnread(p)
	return p, nil
}

// skipUnread tells the stream under a plan that is a chain of projections and filters over
// it which of its columns the query reads, so that a generator skips making the others.
func skipUnread(p *Plan) {
	leaf, read, ok := exec.ColumnsRead(p.Root)
	src, isSource := leaf.(*lazySource)
	if !ok || !isSource || !src.skips {
		return
	}
	var names []string
	for i, f := range src.schema.Fields() {
		if read[i] {
			names = append(names, f.Name)
		}
	}
	if len(names) == len(read) {
		return
	}
	src.read = read
	src.node.Details = append(src.node.Details, "columns read: "+strings.Join(names, ", "))
}

// planQuery plans a query with its CTEs and UNION ALL branches.
func planQuery(q *parser.Query, pc *Context, p *Plan) (*relation, error) {
	if len(q.With) > 0 {
		saved := p.ctes
		p.ctes = make(map[string]*parser.Query, len(saved)+len(q.With))
		for k, v := range saved {
			p.ctes[k] = v
		}
		for _, c := range q.With {
			p.ctes[strings.ToLower(c.Name.Name)] = c.Query
		}
		defer func() { p.ctes = saved }()
	}
	rel, err := planSelect(q.Select, pc, p)
	if err != nil || len(q.Union) == 0 {
		return rel, err
	}
	// ORDER BY and LIMIT after the last branch apply to the whole union.
	last := *q.Union[len(q.Union)-1]
	outer := &parser.Select{Pos: last.Pos, OrderBy: last.OrderBy, Limit: last.Limit,
		Offset: last.Offset, Items: []*parser.SelectItem{{Pos: last.Pos,
			Expr: &parser.Star{Pos: last.Pos}}}}
	last.OrderBy, last.Limit, last.Offset = nil, nil, nil
	branches := append(append([]*parser.Select(nil), q.Union[:len(q.Union)-1]...), &last)
	inputs := []exec.Operator{rel.op}
	node := &Node{Name: "Union All", Children: []*Node{rel.node}}
	for _, u := range branches {
		r, err := planSelect(u, pc, p)
		if err != nil {
			return nil, err
		}
		if len(r.cols) != len(rel.cols) {
			return nil, errAt(u.Pos, ErrInvalid, "UNION ALL branches have %d and %d columns",
				len(rel.cols), len(r.cols))
		}
		for i, c := range r.cols {
			if !arrow.TypeEqual(c.typ, rel.cols[i].typ) {
				return nil, errAt(u.Pos, ErrTypeMismatch, "UNION ALL column %d is %s in the "+
					"first branch and %s here (CAST one of them)", i+1,
					functions.TypeName(rel.cols[i].typ), functions.TypeName(c.typ))
			}
		}
		inputs = append(inputs, r.op)
		node.Children = append(node.Children, r.node)
		rel.unbounded = rel.unbounded || r.unbounded
	}
	union := &relation{op: pc.measured(&exec.Union{Inputs: inputs, Out: schemaOf(rel.cols)},
		node), cols: rel.cols, node: node, unbounded: rel.unbounded}
	if len(outer.OrderBy) == 0 && outer.Limit == nil {
		return union, nil
	}
	return planOutput(outer, union, union.scope(pc.Registry, "ORDER BY"), pc, p, nil)
}

func planSelect(sel *parser.Select, pc *Context, p *Plan) (*relation, error) {
	rel, err := planFrom(sel.From, pc, p)
	if err != nil {
		return nil, err
	}
	var where exec.Expr
	if sel.Where != nil {
		if where, err = rel.scope(pc.Registry, "WHERE").compile(sel.Where); err != nil {
			return nil, err
		}
		if err := checkBool(sel.Where, where, "WHERE"); err != nil {
			return nil, err
		}
	}
	if sel.Distinct {
		if len(sel.GroupBy) > 0 || hasAggregate(sel, pc.Registry) || rel.window != nil {
			return nil, errAt(sel.Pos, ErrUnsupported,
				"unsupported: SELECT DISTINCT with GROUP BY or aggregates")
		}
		sel = distinctAsGroupBy(sel)
	}
	if len(sel.GroupBy) > 0 || hasAggregate(sel, pc.Registry) || rel.window != nil {
		return planAggregate(sel, rel, where, pc, p)
	}
	switch {
	case sel.Having != nil:
		return nil, errAt(sel.Having.Position(), ErrInvalid,
			"HAVING needs GROUP BY or an aggregate")
	case sel.Lateness != nil:
		return nil, errAt(sel.Lateness.Position(), ErrInvalid,
			"ALLOWED LATENESS needs a windowed GROUP BY")
	case sel.Emit != nil:
		return nil, errAt(sel.Emit.Pos, ErrInvalid, "EMIT needs an aggregate")
	}
	rel = filtered(rel, where, pc)
	return planOutput(sel, rel, rel.scope(pc.Registry, "the select list"), pc, p, nil)
}

// distinctAsGroupBy turns SELECT DISTINCT a, b into SELECT a, b ... GROUP BY a, b.
func distinctAsGroupBy(sel *parser.Select) *parser.Select {
	c := *sel
	c.Distinct = false
	for _, it := range sel.Items {
		c.GroupBy = append(c.GroupBy, it.Expr)
	}
	return &c
}

// filtered puts the WHERE filter, if any, on top of rel.
func filtered(rel *relation, where exec.Expr, pc *Context) *relation {
	if where == nil {
		return rel
	}
	out := *rel
	out.node = &Node{Name: "Filter", Details: []string{where.String()},
		Children: []*Node{rel.node}}
	out.op = pc.measured(&exec.Filter{Input: rel.op, Pred: where, Env: pc.Env}, out.node)
	out.unfiltered, out.where = rel, where
	return &out
}

func checkBool(e parser.Expr, x exec.Expr, clause string) error {
	if id := x.Type().ID(); id != arrow.BOOL && id != arrow.NULL {
		return errAt(e.Position(), ErrTypeMismatch, "%s needs a BOOLEAN condition, got %s",
			clause, functions.TypeName(x.Type()))
	}
	return nil
}

// planFrom plans the relation a SELECT reads: without FROM, a single row of no columns.
func planFrom(from *parser.FromItem, pc *Context, p *Plan) (*relation, error) {
	if from == nil {
		node := &Node{Name: "Single Row"}
		return &relation{op: pc.measured(&exec.SingleRow{}, node), node: node}, nil
	}
	alias := ""
	if from.Alias != nil {
		alias = from.Alias.Name
	}
	if from.Subquery != nil {
		return planSubquery(from.Subquery, alias, pc, p)
	}
	switch src := from.Source.(type) {
	case *parser.ColumnRef:
		return planStreamRef(src, alias, pc, p)
	case *parser.Literal:
		return planFile(src, alias, pc, p)
	case *parser.Call:
		if strings.EqualFold(src.Name.Name, "TABLE") && len(src.Args) == 1 {
			if inner, ok := src.Args[0].(*parser.Call); ok {
				return planWindowTVF(inner, alias, pc, p)
			}
		}
		if _, ok := fileFunctions[strings.ToLower(src.Name.Name)]; ok {
			return planFile(src, alias, pc, p)
		}
	}
	return nil, errAt(from.Source.Position(), ErrUnsupported, "unsupported: FROM %s",
		from.Source.String())
}

func planStreamRef(ref *parser.ColumnRef, alias string, pc *Context, p *Plan) (*relation,
	error) {
	if st, ok := builtinStream(ref); ok {
		if alias == "" {
			alias = ref.Name().Name
		}
		return scanStream(st, alias, ref.Pos, pc, p)
	}
	if len(ref.Parts) == 1 {
		if q, ok := p.ctes[strings.ToLower(ref.Parts[0].Name)]; ok {
			if alias == "" {
				alias = ref.Parts[0].Name
			}
			return planSubquery(q, alias, pc, p)
		}
	}
	if len(ref.Parts) != 1 {
		return nil, errAt(ref.Pos, ErrUnknownStream, "unknown stream %q%s", ref.String(),
			didYouMean(ref.String(), StreamNames(pc.Catalog)))
	}
	st, ok := pc.Catalog.Lookup(ref.Parts[0])
	if !ok && ref.Parts[0].Matches("stdin") {
		return planStdin(ref, alias, pc, p)
	}
	if !ok {
		return nil, errAt(ref.Pos, ErrUnknownStream, "unknown stream %q%s", ref.String(),
			didYouMean(ref.String(), StreamNames(pc.Catalog)))
	}
	if alias == "" {
		alias = st.Name
	}
	return scanStream(st, alias, ref.Pos, pc, p)
}

// planSubquery plans a query in FROM (or a CTE) as a relation named alias.
func planSubquery(q *parser.Query, alias string, pc *Context, p *Plan) (*relation, error) {
	rel, err := planQuery(q, pc, p)
	if err != nil {
		return nil, err
	}
	cols := make([]scopeColumn, len(rel.cols))
	for i, c := range rel.cols {
		cols[i] = scopeColumn{name: c.name, qualifier: alias, typ: c.typ}
	}
	return &relation{op: rel.op, cols: cols, unbounded: rel.unbounded,
		node: &Node{Name: "Subquery " + alias, Children: []*Node{rel.node}}}, nil
}

// planWindowTVF plans Flink's window table functions, TUMBLE(TABLE t, DESCRIPTOR(ts), size)
// and likewise HOP, CUMULATE and SESSION: the stream, with the window to group by.
func planWindowTVF(c *parser.Call, alias string, pc *Context, p *Plan) (*relation, error) {
	name := strings.ToLower(c.Name.Name)
	if !windowFunctions[name] {
		return nil, errAt(c.Pos, ErrUnsupported, "unsupported: FROM TABLE(%s(...))", c.Name.Name)
	}
	var table *parser.TableArg
	var desc *parser.Call
	if len(c.Args) >= 2 {
		table, _ = c.Args[0].(*parser.TableArg)
		desc, _ = c.Args[1].(*parser.Call)
	}
	if table == nil || desc == nil || !strings.EqualFold(desc.Name.Name, "DESCRIPTOR") ||
		len(desc.Args) != 1 {
		return nil, errAt(c.Pos, ErrInvalid, "write %s(TABLE stream, DESCRIPTOR(time), ...)",
			strings.ToUpper(name))
	}
	ref := &parser.ColumnRef{Pos: table.Name.Pos, Parts: table.Name.Parts}
	if ref.Pos.Line == 0 {
		ref.Pos = table.Pos
	}
	rel, err := planStreamRef(ref, alias, pc, p)
	if err != nil {
		return nil, err
	}
	sc := rel.scope(pc.Registry, "PARTITION BY")
	for _, k := range table.PartitionBy {
		if _, err := sc.compile(k); err != nil {
			return nil, err
		}
	}
	args := append([]parser.Expr{desc.Args[0]}, c.Args[2:]...)
	rel.window = &parser.Call{Pos: c.Pos, Name: c.Name, Args: args}
	rel.partitionBy = table.PartitionBy
	return rel, nil
}

// prefetched are the connectors whose parsing or generating runs ahead of the query in a
// goroutine of its own when Context.Prefetch is set: not a stream fed by the program, whose
// partitions the watermark follows batch by batch, nor stdin, whose reads cannot be
// interrupted.
var prefetched = map[string]bool{"file": true, "nexmark": true, "datagen": true}

// scanStream opens the stream's source and adds its computed columns.
func scanStream(st *Stream, qual string, pos parser.Pos, pc *Context, p *Plan) (*relation, error) {
	if _, err := fileOptions(st); err != nil && st.Options["connector"] != "" {
		return nil, errAt(pos, ErrInvalid, "stream %s: %v", st.Name, err)
	}
	src := &lazySource{name: st.Name, schema: st.PhysicalSchema(),
		open: func() (connector.Source, error) { return openSource(st, pc) }}
	p.Sources = append(p.Sources, src)
	var read exec.Operator = src
	if pc.Prefetch && prefetched[st.Options["connector"]] {
		read = &exec.Prefetch{Input: src}
	}
	rel := &relation{
		op:        &exec.Count{Input: read, Env: pc.Env},
		stream:    st,
		source:    src,
		unbounded: streamUnbounded(st),
		node: &Node{Name: "Scan " + st.Name, Details: []string{
			"connector: " + describeSource(st),
		}},
	}
	rel.op = pc.measured(rel.op, rel.node)
	rel.node.skipped = func() int64 { return src.Stats().RowsSkipped.Load() }
	src.node, src.skips = rel.node, st.Options["connector"] == "nexmark"
	if st.WatermarkColumn != "" {
		rel.node.Details = append(rel.node.Details, fmt.Sprintf("watermark: %s - %s",
			st.WatermarkColumn, formatMicros(st.Delay)))
	}
	var computed []Column
	for _, c := range st.Columns {
		if c.Computed == nil {
			rel.cols = append(rel.cols, scopeColumn{name: c.Name, qualifier: qual, typ: c.Type})
		} else {
			computed = append(computed, c)
		}
	}
	if len(computed) == 0 {
		return rel, nil
	}
	sc := rel.scope(pc.Registry, "a computed column")
	exprs := make([]exec.Expr, 0, len(rel.cols)+len(computed))
	for i, c := range rel.cols {
		exprs = append(exprs, &exec.Column{Index: i, T: c.typ, Name: c.name})
	}
	cols := append([]scopeColumn(nil), rel.cols...)
	var details []string
	for _, c := range computed {
		x, err := sc.compile(c.Computed)
		if err != nil {
			return nil, err
		}
		exprs = append(exprs, x)
		cols = append(cols, scopeColumn{name: c.Name, qualifier: qual, typ: x.Type()})
		details = append(details, c.Name+" := "+x.String())
	}
	node := &Node{Name: "Compute", Details: details, Children: []*Node{rel.node}}
	return &relation{
		op: pc.measured(&exec.Project{Input: rel.op, Exprs: exprs, Out: schemaOf(cols),
			Env: pc.Env}, node),
		cols:   cols,
		stream: st,
		source: src,
		node:   node,
	}, nil
}

func schemaOf(cols []scopeColumn) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// planOutput computes the select list over rel, then ORDER BY and LIMIT: per window when
// window is set (the window_start and window_end of the rows), over the whole result
// otherwise.
func planOutput(sel *parser.Select, rel *relation, sc *scope, pc *Context, p *Plan,
	window []exec.Expr) (*relation, error) {
	rel, sc, err := planAnalytics(sel, rel, sc, pc, p, window != nil)
	if err != nil {
		return nil, err
	}
	exprs, cols, err := selectList(sel, rel, sc)
	if err != nil {
		return nil, err
	}
	visible := len(exprs)
	keys, extra, err := orderKeys(sel, cols, sc, visible)
	if err != nil {
		return nil, err
	}
	ordered := len(keys) > 0 || sel.Limit != nil
	if ordered && window != nil {
		extra = append(extra, window...)
	}
	for i, x := range extra {
		exprs = append(exprs, x)
		cols = append(cols, scopeColumn{name: fmt.Sprintf("$order%d", i), typ: x.Type()})
	}
	details := make([]string, visible)
	for i, x := range exprs[:visible] {
		details[i] = cols[i].name + " := " + x.String()
	}
	out := &relation{
		op:   &exec.Project{Input: rel.op, Exprs: exprs, Out: schemaOf(cols), Env: pc.Env},
		cols: cols,
		node: &Node{Name: "Project", Details: details, Children: []*Node{rel.node}},
	}
	out.op = pc.measured(out.op, out.node)
	if !ordered {
		return out, nil
	}
	limit, offset := int64(-1), int64(0)
	if sel.Limit != nil {
		limit = *sel.Limit
		if sel.Offset != nil {
			offset = *sel.Offset
		}
	}
	node := &Node{Children: []*Node{out.node}}
	var op exec.Operator
	switch {
	case window != nil:
		node.Name = "TopN per window"
		op = &exec.TopN{Input: out.op, Env: pc.Env, Keys: keys, Limit: limit, Offset: offset,
			Op: pc.counters(node), PerWindow: true, WindowStart: len(cols) - 2,
			WindowEnd: len(cols) - 1, Visible: visible}
	case len(keys) > 0:
		if rel.unbounded {
			return nil, errAt(sel.OrderBy[0].Pos, ErrUnsupported,
				"unsupported: ORDER BY over a stream that never ends without a window")
		}
		node.Name = "Sort"
		op = &exec.TopN{Input: out.op, Env: pc.Env, Keys: keys, Limit: limit, Offset: offset,
			Op: pc.counters(node), Visible: visible}
	default:
		node.Name = "Limit"
		op = &exec.Limit{Input: out.op, Env: pc.Env, N: limit, Offset: offset}
		if len(cols) != visible {
			op = &exec.TopN{Input: op, Env: pc.Env, Limit: -1, PerWindow: false,
				Op: pc.counters(node), Visible: visible}
		}
	}
	for _, o := range sel.OrderBy {
		node.Details = append(node.Details, "order: "+o.String())
	}
	if limit >= 0 {
		node.Details = append(node.Details, fmt.Sprintf("limit: %d", limit))
	}
	return &relation{op: pc.measured(op, node), cols: cols[:visible], node: node}, nil
}

// selectList compiles the select list, expanding * and t.*.
func selectList(sel *parser.Select, rel *relation, sc *scope) ([]exec.Expr, []scopeColumn,
	error) {
	var exprs []exec.Expr
	var cols []scopeColumn
	for _, it := range sel.Items {
		if star, ok := it.Expr.(*parser.Star); ok {
			n := 0
			for i, c := range rel.cols {
				if star.Qualifier != nil && !star.Qualifier.Matches(c.qualifier) {
					continue
				}
				if strings.HasPrefix(c.name, "$") {
					continue
				}
				exprs = append(exprs, &exec.Column{Index: i, T: c.typ, Name: c.name})
				cols = append(cols, scopeColumn{name: c.name, typ: c.typ})
				n++
			}
			if n == 0 {
				return nil, nil, errAt(star.Pos, ErrUnknownStream, "%s matches no column", star)
			}
			continue
		}
		x, err := sc.compile(it.Expr)
		if err != nil {
			return nil, nil, err
		}
		exprs = append(exprs, x)
		cols = append(cols, scopeColumn{name: outputName(it), typ: x.Type()})
	}
	return exprs, cols, nil
}

// orderKeys resolves ORDER BY: an output column by position or name, else an expression
// computed as a hidden column after the visible ones.
func orderKeys(sel *parser.Select, cols []scopeColumn, sc *scope, visible int) (
	[]exec.SortKey, []exec.Expr, error) {
	var keys []exec.SortKey
	var extra []exec.Expr
	for _, o := range sel.OrderBy {
		k := exec.SortKey{Column: -1, Desc: o.Desc, NullsFirst: o.NullsFirst()}
		switch e := unparen(o.Expr).(type) {
		case *parser.Literal:
			if e.Kind == parser.LitInt {
				if e.Int < 1 || int(e.Int) > visible {
					return nil, nil, errAt(e.Pos, ErrInvalid,
						"ORDER BY position %d is not in the select list (1 to %d)", e.Int, visible)
				}
				k.Column = int(e.Int) - 1
			}
		case *parser.ColumnRef:
			if len(e.Parts) == 1 {
				for i, c := range cols[:visible] {
					if e.Parts[0].Matches(c.name) {
						k.Column = i
						break
					}
				}
			}
		}
		if k.Column < 0 {
			sc.clause = "ORDER BY"
			x, err := sc.compile(o.Expr)
			if err != nil {
				return nil, nil, err
			}
			k.Column = visible + len(extra)
			extra = append(extra, x)
		}
		keys = append(keys, k)
	}
	return keys, extra, nil
}

// outputName names an output column: its alias, else the column it is, else the expression
// as written.
func outputName(it *parser.SelectItem) string {
	if it.Alias != nil {
		return it.Alias.Name
	}
	e := it.Expr
	if ref, ok := e.(*parser.ColumnRef); ok {
		return ref.Name().Name
	}
	return e.String()
}
