package parser

// Script is a sequence of statements separated by semicolons.
type Script struct {
	Stmts []*Statement `parser:"';'* ( @@ ( ';'+ @@ )* ';'* )?"`
}

// Statement is one statement of a script; exactly one field is set.
type Statement struct {
	Pos          Pos
	CreateStream *CreateStream `parser:"  @@"`
	DropStream   *DropStream   `parser:"| @@"`
	Explain      *Explain      `parser:"| @@"`
	Set          *Set          `parser:"| @@"`
	Show         *Show         `parser:"| @@"`
	Describe     *Describe     `parser:"| @@"`
	Insert       *Insert       `parser:"| @@"`
	Query        *Query        `parser:"| @@"`
	EndPos       Pos
}

// CreateStream is `CREATE [OR REPLACE] STREAM [IF NOT EXISTS] name (columns, WATERMARK ...)
// WITH (options)`.
type CreateStream struct {
	Pos         Pos
	OrReplace   bool            `parser:"'CREATE' @( 'OR' 'REPLACE' )? 'STREAM'"`
	IfNotExists bool            `parser:"@( 'IF' 'NOT' 'EXISTS' )?"`
	Name        QualifiedName   `parser:"@@"`
	Elements    []*TableElement `parser:"( '(' ( @@ ( ',' @@ )* )? ')' )?"`
	Options     []*Option       `parser:"( 'WITH' '(' ( @@ ( ',' @@ )* )? ')' )?"`
}

// QualifiedName is a dotted name such as nexmark.bid.
type QualifiedName struct {
	Pos   Pos
	Parts []Ident `parser:"@(Ident|QIdent) ( '.' @(Ident|QIdent) )*"`
}

// String prints the name as written.
func (q QualifiedName) String() string {
	s := ""
	for i, p := range q.Parts {
		if i > 0 {
			s += "."
		}
		s += p.String()
	}
	return s
}

// TableElement is a column definition or a WATERMARK clause in CREATE STREAM.
type TableElement struct {
	Pos       Pos
	Watermark *Watermark `parser:"  @@"`
	Column    *ColumnDef `parser:"| @@"`
}

// Watermark is `WATERMARK FOR col AS expr`.
type Watermark struct {
	Pos    Pos
	Column Ident `parser:"'WATERMARK' 'FOR' @(Ident|QIdent) 'AS'"`
	Expr   Expr  `parser:"@@"`
}

// ColumnDef is `name TYPE` or the computed `name AS expr`.
type ColumnDef struct {
	Pos      Pos
	Name     Ident     `parser:"@(Ident|QIdent)"`
	Computed Expr      `parser:"( 'AS' @@"`
	Type     *TypeName `parser:"| @@ )"`
	NotNull  bool      `parser:"@( 'NOT' 'NULL' )?"`
}

// Option is `key = value` in a WITH clause.
type Option struct {
	Pos Pos
	// Key may be a reserved word: the file connector's option null is one.
	Key   string `parser:"( @String | @(Ident|Keyword) ( @'.' @(Ident|Keyword) )* )"`
	Value Value  `parser:"'=' @@"`
}

// Value is an option's value: a string, a number, a boolean or a bare word.
type Value struct {
	Pos    Pos
	String *string `parser:"  @String"`
	Number *string `parser:"| @('-'? (Number|Duration))"`
	Word   *string `parser:"| @(Ident|'TRUE'|'FALSE'|'NULL')"`
}

// Text is the value as a plain string (strings unquoted).
func (v Value) Text() string {
	switch {
	case v.String != nil:
		return unquoteString(*v.String)
	case v.Number != nil:
		return *v.Number
	case v.Word != nil:
		return *v.Word
	}
	return ""
}

// DropStream is `DROP STREAM [IF EXISTS] name`.
type DropStream struct {
	Pos      Pos
	IfExists bool          `parser:"'DROP' 'STREAM' @( 'IF' 'EXISTS' )?"`
	Name     QualifiedName `parser:"@@"`
}

// Explain is `EXPLAIN [ANALYZE] query`.
type Explain struct {
	Pos     Pos
	Analyze bool   `parser:"'EXPLAIN' @'ANALYZE'?"`
	Query   *Query `parser:"@@"`
}

// Set is `SET name = value` (also `SET name TO value`).
type Set struct {
	Pos   Pos
	Name  string `parser:"'SET' @Ident ( @'.' @Ident )*"`
	Value Value  `parser:"( '=' | 'TO' ) @@"`
}

// Show is `SHOW STREAMS` or `SHOW FUNCTIONS`.
type Show struct {
	Pos  Pos
	What string `parser:"'SHOW' @Ident"`
}

// Describe is `DESCRIBE name`, `DESCRIBE query` or `DESCRIBE [TABLE] 'file'` (DESC too, and
// the query may be in parentheses): the columns and types of a stream, of a query's result,
// or of a file as FROM 'file' reads it. Exactly one of Name and Query is set: Parse turns
// `DESCRIBE 'file'` into the query SELECT * FROM 'file'.
type Describe struct {
	Pos   Pos
	Query *Query         `parser:"( 'DESCRIBE' | 'DESC' ) ( @@ | '(' @@ ')'"`
	File  *QuotedFile    `parser:"  | 'TABLE'? @@"`
	Name  *QualifiedName `parser:"  | @@ )"`
}

// QuotedFile is a file named by a string, as written (quoted).
type QuotedFile struct {
	Pos  Pos
	Path string `parser:"@String"`
}

// Insert is `INSERT INTO stream query`: the query's rows written to the stream's sink.
type Insert struct {
	Pos    Pos
	Target QualifiedName `parser:"'INSERT' 'INTO' @@"`
	Query  *Query        `parser:"@@"`
}
