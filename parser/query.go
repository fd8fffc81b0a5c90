package parser

import "strings"

// Query is a SELECT, possibly with CTEs and UNION ALL.
type Query struct {
	Pos    Pos
	With   []*CTE    `parser:"( 'WITH' @@ ( ',' @@ )* )?"`
	Select *Select   `parser:"@@"`
	Union  []*Select `parser:"( 'UNION' 'ALL' @@ )*"`
}

// CTE is `name AS (query)` in a WITH clause.
type CTE struct {
	Pos   Pos
	Name  Ident  `parser:"@(Ident|QIdent) 'AS'"`
	Query *Query `parser:"'(' @@ ')'"`
}

// Select is one SELECT block with weir's clause order.
type Select struct {
	Pos      Pos
	Distinct bool          `parser:"'SELECT' @'DISTINCT'?"`
	Items    []*SelectItem `parser:"@@ ( ',' @@ )*"`
	From     *FromItem     `parser:"( 'FROM' @@ )?"`
	Where    Expr          `parser:"( 'WHERE' @@ )?"`
	GroupBy  []Expr        `parser:"( 'GROUP' 'BY' @@ ( ',' @@ )* )?"`
	Having   Expr          `parser:"( 'HAVING' @@ )?"`
	Qualify  Expr          `parser:"( 'QUALIFY' @@ )?"`
	Lateness Expr          `parser:"( 'ALLOWED' 'LATENESS' @@ )?"`
	Emit     *Emit         `parser:"@@?"`
	OrderBy  []*OrderItem  `parser:"( 'ORDER' 'BY' @@ ( ',' @@ )* )?"`
	Limit    *int64        `parser:"( 'LIMIT' @Number"`
	Offset   *int64        `parser:"  ( 'OFFSET' @Number )? )?"`
}

// SelectItem is one expression of the select list with its optional alias.
type SelectItem struct {
	Pos   Pos
	Expr  Expr   `parser:"@@"`
	Alias *Ident `parser:"( 'AS'? @(Ident|QIdent) )?"`
}

// FromItem is what a SELECT reads: a stream, a file, a table function or a subquery.
type FromItem struct {
	Pos      Pos
	Subquery *Query `parser:"( '(' @@ ')'"`
	// Source is a ColumnRef (a stream name), a string Literal (a file) or a Call (a table
	// function such as read_csv or TABLE(TUMBLE(...))).
	Source Expr `parser:"| @@ )"`
	// Alias is not taken from ALLOWED LATENESS, which may follow the FROM item.
	Alias *Ident `parser:"( (?! 'ALLOWED' 'LATENESS' ) 'AS'? @(Ident|QIdent) )?"`
}

// Emit is the EMIT clause.
type Emit struct {
	Pos     Pos
	Final   bool `parser:"'EMIT' ( @'FINAL'"`
	Changes bool `parser:"| @'CHANGES'"`
	Every   Expr `parser:"| 'EVERY' @@ )"`
}

// OrderItem is one key of ORDER BY.
type OrderItem struct {
	Pos   Pos
	Expr  Expr    `parser:"@@"`
	Desc  bool    `parser:"( @'DESC' | 'ASC' )?"`
	Nulls *string `parser:"( 'NULLS' @( 'FIRST' | 'LAST' ) )?"`
}

// NullsFirst reports whether NULLs sort first (only when written; last by default).
func (o *OrderItem) NullsFirst() bool {
	return o.Nulls != nil && strings.EqualFold(*o.Nulls, "FIRST")
}
