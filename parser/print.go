package parser

import (
	"strconv"
	"strings"
)

// Each String method prints the expression back as SQL that parses to the same tree.

func (e *ColumnRef) String() string {
	parts := make([]string, len(e.Parts))
	for i, p := range e.Parts {
		parts[i] = p.String()
		if i > 0 && !p.Quoted && isPlainWord(p.Name) {
			// After a dot a reserved word is a name (t.from), and reads back unquoted.
			parts[i] = p.Name
		}
	}
	return strings.Join(parts, ".")
}

// Name is the column's own name, its last part.
func (e *ColumnRef) Name() Ident { return e.Parts[len(e.Parts)-1] }

func (e *Literal) String() string {
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

func (e *Unary) String() string {
	x := e.X.String()
	if e.Op == "NOT" {
		return "NOT " + x
	}
	if strings.HasPrefix(x, "-") {
		// - -5, not --5, which would start a comment.
		return e.Op + " " + x
	}
	return e.Op + x
}

// String prints a chain of binary operators, such as a + b + c + ..., in one pass down its
// left side, so that a chain of n terms prints in time linear in n.
func (e *Binary) String() string {
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
	var sb strings.Builder
	sb.WriteString(x.String())
	for i := len(chain) - 1; i >= 0; i-- {
		sb.WriteString(" " + chain[i].Op + " ")
		sb.WriteString(chain[i].R.String())
	}
	return sb.String()
}

func (e *IsNull) String() string {
	if e.Not {
		return e.X.String() + " IS NOT NULL"
	}
	return e.X.String() + " IS NULL"
}

func (e *IsDistinct) String() string {
	not := ""
	if e.Not {
		not = "NOT "
	}
	return e.L.String() + " IS " + not + "DISTINCT FROM " + e.R.String()
}

func (e *Between) String() string {
	return e.X.String() + notWord(e.Not) + " BETWEEN " + e.Lo.String() + " AND " + e.Hi.String()
}

func notWord(not bool) string {
	if not {
		return " NOT"
	}
	return ""
}

func (e *InList) String() string {
	return e.X.String() + notWord(e.Not) + " IN (" + joinExprs(e.List) + ")"
}

func (e *Like) String() string {
	op := " LIKE "
	if e.CaseInsensitive {
		op = " ILIKE "
	}
	return e.X.String() + notWord(e.Not) + op + e.Pattern.String()
}

func (e *Case) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	if e.Operand != nil {
		b.WriteString(" " + e.Operand.String())
	}
	for _, w := range e.Whens {
		b.WriteString(" WHEN " + w.Cond.String() + " THEN " + w.Then.String())
	}
	if e.Else != nil {
		b.WriteString(" ELSE " + e.Else.String())
	}
	b.WriteString(" END")
	return b.String()
}

func (e *Cast) String() string {
	return "CAST(" + e.X.String() + " AS " + e.Type.String() + ")"
}

func (e *Call) String() string {
	var b strings.Builder
	name := e.Name.String()
	if !e.Name.Quoted && isPlainWord(e.Name.Name) {
		// LEFT and RIGHT are reserved but name functions when a "(" follows.
		name = e.Name.Name
	}
	b.WriteString(name + "(")
	if e.Distinct {
		b.WriteString("DISTINCT ")
	}
	if e.Star {
		b.WriteString("*")
	}
	b.WriteString(joinExprs(e.Args))
	for i, n := range e.Named {
		if i > 0 || len(e.Args) > 0 {
			b.WriteString(", ")
		}
		name := n.Name.String()
		if !n.Name.Quoted && isPlainWord(n.Name.Name) {
			name = n.Name.Name // a reserved word reads back as a name before =>
		}
		b.WriteString(name + " => " + n.Value.String())
	}
	b.WriteString(")")
	if len(e.WithinGroup) > 0 {
		b.WriteString(" WITHIN GROUP (ORDER BY " + joinOrder(e.WithinGroup) + ")")
	}
	if e.Filter != nil {
		b.WriteString(" FILTER (WHERE " + e.Filter.String() + ")")
	}
	if e.Over != nil {
		b.WriteString(" OVER (" + e.Over.String() + ")")
	}
	return b.String()
}

// String prints the inside of OVER (...).
func (w *WindowSpec) String() string {
	var parts []string
	if len(w.PartitionBy) > 0 {
		parts = append(parts, "PARTITION BY "+joinExprs(w.PartitionBy))
	}
	if len(w.OrderBy) > 0 {
		parts = append(parts, "ORDER BY "+joinOrder(w.OrderBy))
	}
	if w.Frame != "" {
		parts = append(parts, w.Frame)
	}
	return strings.Join(parts, " ")
}

func (e *Star) String() string {
	if e.Qualifier == nil {
		return "*"
	}
	ref := ColumnRef{Parts: append(append([]Ident{}, e.Prefix...), *e.Qualifier)}
	return ref.String() + ".*"
}

func (e *Paren) String() string { return "(" + e.X.String() + ")" }

func (e *Extract) String() string {
	field := e.Field
	if !isPlainName(field) {
		field = quoteString(field)
	}
	return "EXTRACT(" + field + " FROM " + e.X.String() + ")"
}

func (e *TableArg) String() string {
	s := "TABLE " + e.Name.String()
	if len(e.PartitionBy) > 0 {
		s += " PARTITION BY " + joinExprs(e.PartitionBy)
	}
	return s
}

func joinExprs(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

// String prints one ORDER BY key.
func (o OrderItem) String() string {
	s := o.Expr.String()
	if o.Desc {
		s += " DESC"
	}
	if o.Nulls != nil {
		// As written: the grammar keeps the case in which FIRST or LAST was written.
		s += " NULLS " + *o.Nulls
	}
	return s
}

func joinOrder(items []OrderItem) string {
	parts := make([]string, len(items))
	for i, o := range items {
		parts[i] = o.String()
	}
	return strings.Join(parts, ", ")
}

// String prints the SELECT back as SQL.
func (s *Select) String() string {
	var b strings.Builder
	b.WriteString("SELECT ")
	if s.Distinct {
		b.WriteString("DISTINCT ")
	}
	for i, it := range s.Items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(it.Expr.String())
		if it.Alias != nil {
			b.WriteString(" AS " + it.Alias.String())
		}
	}
	if s.From != nil {
		b.WriteString(" FROM ")
		if s.From.Subquery != nil {
			b.WriteString("(" + s.From.Subquery.String() + ")")
		} else {
			b.WriteString(s.From.Source.String())
		}
		if s.From.Alias != nil {
			b.WriteString(" AS " + s.From.Alias.String())
		}
	}
	clause := func(word string, e Expr) {
		if e != nil {
			b.WriteString(" " + word + " " + e.String())
		}
	}
	clause("WHERE", s.Where)
	if len(s.GroupBy) > 0 {
		b.WriteString(" GROUP BY " + joinExprs(s.GroupBy))
	}
	clause("HAVING", s.Having)
	clause("QUALIFY", s.Qualify)
	clause("ALLOWED LATENESS", s.Lateness)
	if s.Emit != nil {
		switch {
		case s.Emit.Final:
			b.WriteString(" EMIT FINAL")
		case s.Emit.Changes:
			b.WriteString(" EMIT CHANGES")
		default:
			b.WriteString(" EMIT EVERY " + s.Emit.Every.String())
		}
	}
	if len(s.OrderBy) > 0 {
		items := make([]OrderItem, len(s.OrderBy))
		for i, o := range s.OrderBy {
			items[i] = *o
		}
		b.WriteString(" ORDER BY " + joinOrder(items))
	}
	if s.Limit != nil {
		b.WriteString(" LIMIT " + strconv.FormatInt(*s.Limit, 10))
		if s.Offset != nil {
			b.WriteString(" OFFSET " + strconv.FormatInt(*s.Offset, 10))
		}
	}
	return b.String()
}

// String prints the query back as SQL.
func (q *Query) String() string {
	var b strings.Builder
	if len(q.With) > 0 {
		b.WriteString("WITH ")
		for i, c := range q.With {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(c.Name.String() + " AS (" + c.Query.String() + ")")
		}
		b.WriteString(" ")
	}
	b.WriteString(q.Select.String())
	for _, u := range q.Union {
		b.WriteString(" UNION ALL " + u.String())
	}
	return b.String()
}
