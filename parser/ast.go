// Package parser turns weir's SQL into an AST whose every node carries its position. It owns the
// tokens, the grammar (participle v2 for statements, a precedence-climbing parser for
// expressions) and the printing of an AST back to SQL. It knows nothing of Arrow or plans.
package parser

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// Pos is a position in the SQL text: 1-based line and column.
type Pos = lexer.Position

// Node is any AST node.
type Node interface {
	Position() Pos
}

// Expr is an expression. The interface is sealed by exprNode.
type Expr interface {
	Node
	String() string
	exprNode()
}

// Ident is a name as written: unquoted names compare case-insensitively, quoted ones exactly.
type Ident struct {
	Name   string
	Quoted bool
}

// Capture implements participle.Capture: it unquotes a "quoted" name.
func (i *Ident) Capture(values []string) error {
	v := strings.Join(values, "")
	if strings.HasPrefix(v, `"`) {
		i.Name = strings.ReplaceAll(v[1:len(v)-1], `""`, `"`)
		i.Quoted = true
		return nil
	}
	i.Name = v
	return nil
}

// Matches reports whether the name written as i refers to name.
func (i Ident) Matches(name string) bool {
	if i.Quoted {
		return i.Name == name
	}
	return strings.EqualFold(i.Name, name)
}

// String prints the name, quoting it when it needs quotes to read back the same.
func (i Ident) String() string {
	if !i.Quoted && isPlainName(i.Name) {
		return i.Name
	}
	if i.Quoted || !isPlainName(i.Name) {
		return `"` + strings.ReplaceAll(i.Name, `"`, `""`) + `"`
	}
	return i.Name
}

// isPlainName reports whether s reads back as one unquoted name: a word of the Ident token
// that the lexer does not take for a reserved word.
func isPlainName(s string) bool {
	if !isPlainWord(s) {
		return false
	}
	// The lexer's Keyword rule ends a word at "$", so "from$x" would read as FROM then "$x".
	if i := strings.IndexByte(s, '$'); i >= 0 {
		s = s[:i]
	}
	return !isReserved(s)
}

// isPlainWord reports whether s has the shape of an unquoted name, reserved or not.
func isPlainWord(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		digit := r >= '0' && r <= '9'
		if !letter && (i == 0 || (!digit && r != '$')) {
			return false
		}
	}
	return true
}

// ColumnRef is a column, optionally qualified: v, t.v, nexmark.bid.price.
type ColumnRef struct {
	Pos   Pos
	Parts []Ident
}

// Literal kinds.
type LitKind int

// The kinds of literal.
const (
	LitInt LitKind = iota
	LitFloat
	LitString
	LitBool
	LitNull
	LitInterval  // Micros holds the length
	LitTimestamp // Text holds the timestamp text
)

// Literal is a constant. Text is the value as written (unquoted for strings).
type Literal struct {
	Pos    Pos
	Kind   LitKind
	Text   string
	Int    int64
	Float  float64
	Bool   bool
	Micros int64
}

// Unary is a prefix operator: - or NOT.
type Unary struct {
	Pos Pos
	Op  string
	X   Expr
}

// Binary is an infix operator: arithmetic, comparison, AND, OR, ||.
type Binary struct {
	Pos  Pos
	Op   string
	L, R Expr
}

// IsNull is `x IS [NOT] NULL`.
type IsNull struct {
	Pos Pos
	X   Expr
	Not bool
}

// IsDistinct is `l IS [NOT] DISTINCT FROM r`.
type IsDistinct struct {
	Pos  Pos
	L, R Expr
	Not  bool
}

// Between is `x [NOT] BETWEEN lo AND hi`.
type Between struct {
	Pos       Pos
	X, Lo, Hi Expr
	Not       bool
}

// InList is `x [NOT] IN (a, b, ...)`.
type InList struct {
	Pos  Pos
	X    Expr
	List []Expr
	Not  bool
}

// Like is `x [NOT] LIKE|ILIKE pattern`.
type Like struct {
	Pos             Pos
	X, Pattern      Expr
	Not             bool
	CaseInsensitive bool
}

// When is one branch of a CASE.
type When struct {
	Cond, Then Expr
}

// Case is `CASE [operand] WHEN ... THEN ... [ELSE ...] END`.
type Case struct {
	Pos     Pos
	Operand Expr // nil for the searched form
	Whens   []When
	Else    Expr
}

// TypeName is a SQL type as written, e.g. BIGINT or VARCHAR(10).
type TypeName struct {
	Pos  Pos    `parser:""`
	Name string `parser:"@(Ident|Keyword) ( '(' Number (',' Number)? ')' )?"`
	// Precision catches DOUBLE PRECISION.
	Precision bool `parser:"@'PRECISION'?"`
}

// String prints the type: an unquoted name in upper case, with PRECISION when written.
func (t TypeName) String() string {
	if strings.HasPrefix(t.Name, `"`) {
		return t.Name
	}
	if t.Precision {
		return strings.ToUpper(t.Name) + " PRECISION"
	}
	return strings.ToUpper(t.Name)
}

// Cast is `CAST(x AS type)` or `x::type`.
type Cast struct {
	Pos  Pos
	X    Expr
	Type TypeName
}

// NamedArg is `name => value` in a call.
type NamedArg struct {
	Name  Ident
	Value Expr
}

// Call is a function call: f(a, b), count(*), count(DISTINCT x), f(x) FILTER (WHERE ...).
type Call struct {
	Pos      Pos
	Name     Ident
	Args     []Expr
	Named    []NamedArg
	Star     bool
	Distinct bool
	Filter   Expr
	// WithinGroup holds the ORDER BY of `percentile_cont(q) WITHIN GROUP (ORDER BY v)`.
	WithinGroup []OrderItem
	Over        *WindowSpec
}

// WindowSpec is the OVER clause of an analytic function.
type WindowSpec struct {
	Pos         Pos
	PartitionBy []Expr
	OrderBy     []OrderItem
	Frame       string // the frame as written, e.g. "ROWS BETWEEN 20 PRECEDING AND 1 PRECEDING"
}

// Star is `*` or `t.*`.
type Star struct {
	Pos       Pos
	Qualifier *Ident
	// Prefix holds the names before the qualifier: nexmark in nexmark.bid.*.
	Prefix []Ident
}

// Paren is a parenthesised expression, kept so that printing reads back the same tree.
type Paren struct {
	Pos Pos
	X   Expr
}

// Extract is `EXTRACT(field FROM x)`.
type Extract struct {
	Pos   Pos
	Field string
	X     Expr
}

func (e *ColumnRef) Position() Pos  { return e.Pos }
func (e *Literal) Position() Pos    { return e.Pos }
func (e *Unary) Position() Pos      { return e.Pos }
func (e *Binary) Position() Pos     { return e.Pos }
func (e *IsNull) Position() Pos     { return e.Pos }
func (e *IsDistinct) Position() Pos { return e.Pos }
func (e *Between) Position() Pos    { return e.Pos }
func (e *InList) Position() Pos     { return e.Pos }
func (e *Like) Position() Pos       { return e.Pos }
func (e *Case) Position() Pos       { return e.Pos }
func (e *Cast) Position() Pos       { return e.Pos }
func (e *Call) Position() Pos       { return e.Pos }
func (e *Star) Position() Pos       { return e.Pos }
func (e *Paren) Position() Pos      { return e.Pos }
func (e *Extract) Position() Pos    { return e.Pos }

func (*ColumnRef) exprNode()  {}
func (*Literal) exprNode()    {}
func (*Unary) exprNode()      {}
func (*Binary) exprNode()     {}
func (*IsNull) exprNode()     {}
func (*IsDistinct) exprNode() {}
func (*Between) exprNode()    {}
func (*InList) exprNode()     {}
func (*Like) exprNode()       {}
func (*Case) exprNode()       {}
func (*Cast) exprNode()       {}
func (*Call) exprNode()       {}
func (*Star) exprNode()       {}
func (*Paren) exprNode()      {}
func (*Extract) exprNode()    {}
