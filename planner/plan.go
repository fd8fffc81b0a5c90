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
}

// Plan is a query ready to run.
type Plan struct {
	Root    exec.Operator
	Sources []connector.Source
	Explain *Node
}

// Node is one operator of a plan as EXPLAIN prints it.
type Node struct {
	Name     string
	Details  []string
	Children []*Node
}

// String prints the plan as an indented tree.
func (n *Node) String() string {
	var b strings.Builder
	n.write(&b, 0)
	return b.String()
}

func (n *Node) write(b *strings.Builder, depth int) {
	pad := strings.Repeat("  ", depth)
	b.WriteString(pad + n.Name + "\n")
	for _, d := range n.Details {
		b.WriteString(pad + "    " + d + "\n")
	}
	for _, c := range n.Children {
		c.write(b, depth+1)
	}
}

// relation is a plan under construction: its operator, the columns it produces and its node.
type relation struct {
	op     exec.Operator
	cols   []scopeColumn
	node   *Node
	stream *Stream
}

func (r *relation) scope(reg *functions.Registry, clause string) *scope {
	return &scope{cols: r.cols, reg: reg, clause: clause}
}

// PlanQuery builds the plan of a SELECT.
func PlanQuery(q *parser.Query, pc *Context) (*Plan, error) {
	if len(q.With) > 0 {
		return nil, errAt(q.Pos, ErrUnsupported, "unsupported: WITH")
	}
	if len(q.Union) > 0 {
		return nil, errAt(q.Union[0].Pos, ErrUnsupported, "unsupported: UNION ALL")
	}
	p := &Plan{}
	rel, err := planSelect(q.Select, pc, p)
	if err != nil {
		for _, s := range p.Sources {
			s.Close()
		}
		return nil, err
	}
	p.Root = rel.op
	p.Explain = rel.node
	return p, nil
}

func planSelect(sel *parser.Select, pc *Context, p *Plan) (*relation, error) {
	if sel.From == nil {
		return nil, errAt(sel.Pos, ErrUnsupported, "unsupported: SELECT without FROM")
	}
	rel, err := planFrom(sel.From, pc, p)
	if err != nil {
		return nil, err
	}
	if sel.Where != nil {
		pred, err := rel.scope(pc.Registry, "WHERE").compile(sel.Where)
		if err != nil {
			return nil, err
		}
		if err := checkBool(sel.Where, pred, "WHERE"); err != nil {
			return nil, err
		}
		rel = &relation{
			op:     &exec.Filter{Input: rel.op, Pred: pred, Env: pc.Env},
			cols:   rel.cols,
			node:   &Node{Name: "Filter", Details: []string{pred.String()}, Children: []*Node{rel.node}},
			stream: rel.stream,
		}
	}
	for _, clause := range []struct {
		name string
		set  bool
	}{
		{"DISTINCT", sel.Distinct}, {"QUALIFY", sel.Qualify != nil},
		{"ALLOWED LATENESS", sel.Lateness != nil}, {"EMIT", sel.Emit != nil},
		{"ORDER BY", len(sel.OrderBy) > 0}, {"LIMIT", sel.Limit != nil},
	} {
		if clause.set {
			return nil, errAt(sel.Pos, ErrUnsupported, "unsupported: %s", clause.name)
		}
	}
	if len(sel.GroupBy) > 0 || hasAggregate(sel, pc.Registry) {
		return planAggregate(sel, rel, pc)
	}
	if sel.Having != nil {
		return nil, errAt(sel.Having.Position(), ErrInvalid, "HAVING needs GROUP BY or an aggregate")
	}
	return planProject(sel, rel, rel.scope(pc.Registry, "the select list"), pc)
}

func checkBool(e parser.Expr, x exec.Expr, clause string) error {
	if id := x.Type().ID(); id != arrow.BOOL && id != arrow.NULL {
		return errAt(e.Position(), ErrTypeMismatch, "%s needs a BOOLEAN condition, got %s",
			clause, functions.TypeName(x.Type()))
	}
	return nil
}

// planFrom plans the relation a SELECT reads.
func planFrom(from *parser.FromItem, pc *Context, p *Plan) (*relation, error) {
	if from.Subquery != nil {
		return nil, errAt(from.Pos, ErrUnsupported, "unsupported: subquery in FROM")
	}
	ref, ok := from.Source.(*parser.ColumnRef)
	if !ok {
		return nil, errAt(from.Source.Position(), ErrUnsupported, "unsupported: FROM %s",
			from.Source.String())
	}
	if len(ref.Parts) != 1 {
		return nil, errAt(ref.Pos, ErrUnknownStream, "unknown stream %q%s", ref.String(),
			didYouMean(ref.String(), pc.Catalog.Names()))
	}
	st, ok := pc.Catalog.Lookup(ref.Parts[0])
	if !ok {
		return nil, errAt(ref.Pos, ErrUnknownStream, "unknown stream %q%s", ref.String(),
			didYouMean(ref.String(), pc.Catalog.Names()))
	}
	qual := st.Name
	if from.Alias != nil {
		qual = from.Alias.Name
	}
	return scanStream(st, qual, ref.Pos, pc, p)
}

// scanStream opens the stream's source and adds its computed columns.
func scanStream(st *Stream, qual string, pos parser.Pos, pc *Context, p *Plan) (*relation, error) {
	if _, err := fileOptions(st); err != nil && st.Options["connector"] != "" {
		return nil, errAt(pos, ErrInvalid, "stream %s: %v", st.Name, err)
	}
	src := &lazySource{name: st.Name, schema: st.PhysicalSchema(),
		open: func() (connector.Source, error) { return openSource(st, pc) }}
	p.Sources = append(p.Sources, src)
	rel := &relation{
		op:     &exec.Count{Input: src, Env: pc.Env},
		stream: st,
		node: &Node{Name: "Scan " + st.Name, Details: []string{
			"connector: " + describeSource(st),
		}},
	}
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
	return &relation{
		op:     &exec.Project{Input: rel.op, Exprs: exprs, Out: schemaOf(cols), Env: pc.Env},
		cols:   cols,
		stream: st,
		node:   &Node{Name: "Compute", Details: details, Children: []*Node{rel.node}},
	}, nil
}

func schemaOf(cols []scopeColumn) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// planProject computes the select list over rel.
func planProject(sel *parser.Select, rel *relation, sc *scope, pc *Context) (*relation, error) {
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
				return nil, errAt(star.Pos, ErrUnknownStream, "%s matches no column", star)
			}
			continue
		}
		x, err := sc.compile(it.Expr)
		if err != nil {
			return nil, err
		}
		exprs = append(exprs, x)
		cols = append(cols, scopeColumn{name: outputName(it), typ: x.Type()})
	}
	details := make([]string, len(exprs))
	for i, x := range exprs {
		details[i] = cols[i].name + " := " + x.String()
	}
	return &relation{
		op:   &exec.Project{Input: rel.op, Exprs: exprs, Out: schemaOf(cols), Env: pc.Env},
		cols: cols,
		node: &Node{Name: "Project", Details: details, Children: []*Node{rel.node}},
	}, nil
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
