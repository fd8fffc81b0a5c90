package parser

import (
	"strconv"
	"strings"
)

// Each String method prints the node back as SQL that parses to the same tree.
//
// Every node is written into one buffer by a printer, so that printing takes time linear in
// the size of the tree, whatever its shape: a node that concatenated its children's strings
// would copy a chain such as x IS NULL IS NULL ... or x::T::T ... once per level.

// printer writes ASTs as SQL.
type printer struct {
	strings.Builder
}

// sqlOf prints e.
func sqlOf(e Expr) string {
	var p printer
	p.expr(e)
	return p.String()
}

func (e *ColumnRef) String() string  { return sqlOf(e) }
func (e *Literal) String() string    { return sqlOf(e) }
func (e *Unary) String() string      { return sqlOf(e) }
func (e *Binary) String() string     { return sqlOf(e) }
func (e *IsNull) String() string     { return sqlOf(e) }
func (e *IsDistinct) String() string { return sqlOf(e) }
func (e *Between) String() string    { return sqlOf(e) }
func (e *InList) String() string     { return sqlOf(e) }
func (e *Like) String() string       { return sqlOf(e) }
func (e *Case) String() string       { return sqlOf(e) }
func (e *Cast) String() string       { return sqlOf(e) }
func (e *Call) String() string       { return sqlOf(e) }
func (e *Star) String() string       { return sqlOf(e) }
func (e *Paren) String() string      { return sqlOf(e) }
func (e *Extract) String() string    { return sqlOf(e) }
func (e *TableArg) String() string   { return sqlOf(e) }

// Name is the column's own name, its last part.
func (e *ColumnRef) Name() Ident { return e.Parts[len(e.Parts)-1] }

// expr writes e.
func (p *printer) expr(e Expr) {
	switch e := e.(type) {
	case *ColumnRef:
		p.columnRef(e.Parts)
	case *Literal:
		p.WriteString(e.sql())
	case *Unary:
		p.WriteString(e.Op)
		if e.Op == "NOT" || startsWithMinus(e.X) {
			// NOT x; and - -5, not --5, which would start a comment.
			p.WriteByte(' ')
		}
		p.expr(e.X)
	case *Binary:
		p.binary(e)
	case *IsNull:
		p.expr(e.X)
		p.WriteString(" IS ")
		p.not(e.Not, "NOT ")
		p.WriteString("NULL")
	case *IsDistinct:
		p.expr(e.L)
		p.WriteString(" IS ")
		p.not(e.Not, "NOT ")
		p.WriteString("DISTINCT FROM ")
		p.expr(e.R)
	case *Between:
		p.expr(e.X)
		p.not(e.Not, " NOT")
		p.WriteString(" BETWEEN ")
		p.expr(e.Lo)
		p.WriteString(" AND ")
		p.expr(e.Hi)
	case *InList:
		p.expr(e.X)
		p.not(e.Not, " NOT")
		p.WriteString(" IN (")
		p.list(e.List)
		p.WriteString(")")
	case *Like:
		p.expr(e.X)
		p.not(e.Not, " NOT")
		if e.CaseInsensitive {
			p.WriteString(" ILIKE ")
		} else {
			p.WriteString(" LIKE ")
		}
		p.expr(e.Pattern)
	case *Case:
		p.caseExpr(e)
	case *Cast:
		p.WriteString("CAST(")
		p.expr(e.X)
		p.WriteString(" AS " + e.Type.String() + ")")
	case *Call:
		p.call(e)
	case *Star:
		if e.Qualifier != nil {
			p.columnRef(append(append([]Ident{}, e.Prefix...), *e.Qualifier))
			p.WriteString(".")
		}
		p.WriteString("*")
	case *Paren:
		p.WriteString("(")
		p.expr(e.X)
		p.WriteString(")")
	case *Extract:
		field := e.Field
		if !isPlainName(field) {
			field = quoteString(field)
		}
		p.WriteString("EXTRACT(" + field + " FROM ")
		p.expr(e.X)
		p.WriteString(")")
	case *TableArg:
		p.WriteString("TABLE " + e.Name.String())
		if len(e.PartitionBy) > 0 {
			p.WriteString(" PARTITION BY ")
			p.list(e.PartitionBy)
		}
	}
}

// not writes word when not is set.
func (p *printer) not(not bool, word string) {
	if not {
		p.WriteString(word)
	}
}

func (p *printer) columnRef(parts []Ident) {
	for i, id := range parts {
		if i > 0 {
			p.WriteString(".")
		}
		if i > 0 && !id.Quoted && isPlainWord(id.Name) {
			// After a dot a reserved word is a name (t.from), and reads back unquoted.
			p.WriteString(id.Name)
			continue
		}
		p.WriteString(id.String())
	}
}

// sql is the literal as SQL.
func (e *Literal) sql() string {
	switch e.Kind {
	case LitInt, LitFloat:
		return e.Text
	case LitString:
		return quoteString(e.Text)
	case LitBool:
		if e.Bool {
			return "TRUE"
		}
		return "FALSE"
	case LitNull:
		return "NULL"
	case LitInterval:
		if strings.HasPrefix(e.Text, "'") {
			return "INTERVAL " + e.Text
		}
		return e.Text
	case LitTimestamp:
		return "TIMESTAMP " + quoteString(e.Text)
	}
	return e.Text
}

// startsWithMinus reports whether e, the operand of a prefix operator, prints starting with
// a minus sign.
func startsWithMinus(e Expr) bool {
	switch e := e.(type) {
	case *Unary:
		return e.Op == "-"
	case *Literal:
		return strings.HasPrefix(e.sql(), "-")
	}
	return false
}

// binary writes a chain of binary operators, such as a + b + c + ..., in one pass down its
// left side, without recursing once per link.
func (p *printer) binary(e *Binary) {
	var chain []*Binary
	var x Expr = e
	for {
		b, ok := x.(*Binary)
		if !ok {
			break
		}
		chain = append(chain, b)
		x = b.L
	}
	p.expr(x)
	for i := len(chain) - 1; i >= 0; i-- {
		p.WriteString(" " + chain[i].Op + " ")
		p.expr(chain[i].R)
	}
}

func (p *printer) caseExpr(e *Case) {
	p.WriteString("CASE")
	if e.Operand != nil {
		p.WriteString(" ")
		p.expr(e.Operand)
	}
	for _, w := range e.Whens {
		p.WriteString(" WHEN ")
		p.expr(w.Cond)
		p.WriteString(" THEN ")
		p.expr(w.Then)
	}
	if e.Else != nil {
		p.WriteString(" ELSE ")
		p.expr(e.Else)
	}
	p.WriteString(" END")
}

func (p *printer) call(e *Call) {
	name := e.Name.String()
	if !e.Name.Quoted && isPlainWord(e.Name.Name) {
		// LEFT and RIGHT are reserved but name functions when a "(" follows.
		name = e.Name.Name
	}
	p.WriteString(name + "(")
	if e.Distinct {
		p.WriteString("DISTINCT ")
	}
	if e.Star {
		p.WriteString("*")
	}
	p.list(e.Args)
	for i, n := range e.Named {
		if i > 0 || len(e.Args) > 0 {
			p.WriteString(", ")
		}
		name := n.Name.String()
		if !n.Name.Quoted && isPlainWord(n.Name.Name) {
			name = n.Name.Name // a reserved word reads back as a name before =>
		}
		p.WriteString(name + " => ")
		p.expr(n.Value)
	}
	p.WriteString(")")
	if len(e.WithinGroup) > 0 {
		p.WriteString(" WITHIN GROUP (ORDER BY ")
		p.order(e.WithinGroup)
		p.WriteString(")")
	}
	if e.Filter != nil {
		p.WriteString(" FILTER (WHERE ")
		p.expr(e.Filter)
		p.WriteString(")")
	}
	if e.Over != nil {
		p.WriteString(" OVER (")
		p.window(e.Over)
		p.WriteString(")")
	}
}

// String prints the inside of OVER (...).
func (w *WindowSpec) String() string {
	var p printer
	p.window(w)
	return p.String()
}

func (p *printer) window(w *WindowSpec) {
	sep := ""
	if len(w.PartitionBy) > 0 {
		p.WriteString("PARTITION BY ")
		p.list(w.PartitionBy)
		sep = " "
	}
	if len(w.OrderBy) > 0 {
		p.WriteString(sep + "ORDER BY ")
		p.order(w.OrderBy)
		sep = " "
	}
	if w.Frame != "" {
		p.WriteString(sep + w.Frame)
	}
}

// list writes es separated by commas.
func (p *printer) list(es []Expr) {
	for i, e := range es {
		if i > 0 {
			p.WriteString(", ")
		}
		p.expr(e)
	}
}

// String prints one ORDER BY key.
func (o OrderItem) String() string {
	var p printer
	p.orderItem(o)
	return p.String()
}

func (p *printer) orderItem(o OrderItem) {
	p.expr(o.Expr)
	if o.Desc {
		p.WriteString(" DESC")
	}
	if o.Nulls != nil {
		// As written: the grammar keeps the case in which FIRST or LAST was written.
		p.WriteString(" NULLS " + *o.Nulls)
	}
}

func (p *printer) order(items []OrderItem) {
	for i, o := range items {
		if i > 0 {
			p.WriteString(", ")
		}
		p.orderItem(o)
	}
}

// String prints the SELECT back as SQL.
func (s *Select) String() string {
	var p printer
	p.selectStmt(s)
	return p.String()
}

func (p *printer) selectStmt(s *Select) {
	p.WriteString("SELECT ")
	if s.Distinct {
		p.WriteString("DISTINCT ")
	}
	for i, it := range s.Items {
		if i > 0 {
			p.WriteString(", ")
		}
		p.expr(it.Expr)
		if it.Alias != nil {
			p.WriteString(" AS " + it.Alias.String())
		}
	}
	if s.From != nil {
		p.WriteString(" FROM ")
		if s.From.Subquery != nil {
			p.WriteString("(")
			p.query(s.From.Subquery)
			p.WriteString(")")
		} else {
			p.expr(s.From.Source)
		}
		if s.From.Alias != nil {
			p.WriteString(" AS " + s.From.Alias.String())
		}
	}
	p.clause("WHERE", s.Where)
	if len(s.GroupBy) > 0 {
		p.WriteString(" GROUP BY ")
		p.list(s.GroupBy)
	}
	p.clause("HAVING", s.Having)
	p.clause("QUALIFY", s.Qualify)
	p.clause("ALLOWED LATENESS", s.Lateness)
	if s.Emit != nil {
		switch {
		case s.Emit.Final:
			p.WriteString(" EMIT FINAL")
		case s.Emit.Changes:
			p.WriteString(" EMIT CHANGES")
		default:
			p.WriteString(" EMIT EVERY ")
			p.expr(s.Emit.Every)
		}
	}
	if len(s.OrderBy) > 0 {
		p.WriteString(" ORDER BY ")
		for i, o := range s.OrderBy {
			if i > 0 {
				p.WriteString(", ")
			}
			p.orderItem(*o)
		}
	}
	if s.Limit != nil {
		p.WriteString(" LIMIT " + strconv.FormatInt(*s.Limit, 10))
		if s.Offset != nil {
			p.WriteString(" OFFSET " + strconv.FormatInt(*s.Offset, 10))
		}
	}
}

// clause writes ` word e` when e is set.
func (p *printer) clause(word string, e Expr) {
	if e != nil {
		p.WriteString(" " + word + " ")
		p.expr(e)
	}
}

// String prints the query back as SQL.
func (q *Query) String() string {
	var p printer
	p.query(q)
	return p.String()
}

func (p *printer) query(q *Query) {
	if len(q.With) > 0 {
		p.WriteString("WITH ")
		for i, c := range q.With {
			if i > 0 {
				p.WriteString(", ")
			}
			p.WriteString(c.Name.String() + " AS (")
			p.query(c.Query)
			p.WriteString(")")
		}
		p.WriteString(" ")
	}
	p.selectStmt(q.Select)
	for _, u := range q.Union {
		p.WriteString(" UNION ALL ")
		p.selectStmt(u)
	}
}
