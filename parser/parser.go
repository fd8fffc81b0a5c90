package parser

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

var scriptParser = participle.MustBuild[Script](
	participle.Lexer(sqlLexer),
	participle.Elide("Whitespace", "Comment"),
	participle.CaseInsensitive("Keyword", "Ident"),
	participle.ParseTypeWith(parseExpr),
	participle.UseLookahead(3),
)

// Error is a parse error at a position in the SQL text.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Column, e.Msg) }

// Parse parses a script of statements separated by semicolons.
func Parse(sql string) ([]*Statement, error) {
	peek, err := lex(sql)
	if err != nil {
		return nil, err
	}
	start := peek.MakeCheckpoint()
	script, err := scriptParser.ParseFromLexer(peek)
	if err != nil {
		var uerr *participle.UnexpectedTokenError
		if errors.As(err, &uerr) {
			peek.LoadCheckpoint(start)
			if e := misspeltKeyword(peek, uerr.Unexpected); e != nil {
				return nil, e
			}
		}
		cerr := convertError(err)
		var nerr *strconv.NumError
		if e, ok := cerr.(*Error); ok && errors.As(err, &nerr) {
			// participle places a conversion error at the whitespace before the number.
			peek.LoadCheckpoint(start)
			e.Pos = tokenFrom(peek, e.Pos).Pos
		}
		return nil, cerr
	}
	for _, st := range script.Stmts {
		if err := normalize(st); err != nil {
			return nil, err
		}
	}
	return script.Stmts, nil
}

// ParseExpr parses a single expression.
func ParseExpr(sql string) (Expr, error) {
	peek, err := lex(sql)
	if err != nil {
		return nil, err
	}
	e, err := parseExpr(peek)
	if err != nil {
		return nil, convertError(err)
	}
	if t := peek.Peek(); !t.EOF() {
		return nil, &Error{Pos: t.Pos, Msg: "unexpected " + describe(t) + " after the expression"}
	}
	return e, nil
}

// lex tokenises sql and checks what the grammar cannot: that every /* comment is closed and
// that parentheses nest at most maxDepth deep, so that no query, subqueries included, can
// exhaust the stack.
func lex(sql string) (*lexer.PeekingLexer, error) {
	l, err := sqlLexer.LexString("", sql)
	if err != nil {
		return nil, lexError(sql, err)
	}
	peek, err := participleUpgrade(l)
	if err != nil {
		return nil, lexError(sql, err)
	}
	cp := peek.MakeCheckpoint()
	defer peek.LoadCheckpoint(cp)
	depth := 0
	for t := peek.Next(); !t.EOF(); t = peek.Next() {
		switch {
		case isOp(t, "/") && isOp(peek.Peek(), "*") && peek.Peek().Pos.Offset == t.Pos.Offset+1:
			// A closed comment is one Comment token: "/*" here never ends.
			return nil, &Error{Pos: t.Pos, Msg: "unterminated /* comment"}
		case isOp(t, "("):
			depth++
			if depth > maxDepth {
				return nil, &Error{Pos: t.Pos, Msg: fmt.Sprintf(
					"expression nested too deeply (more than %d levels)", maxDepth)}
			}
		case isOp(t, ")") && depth > 0:
			depth--
		}
	}
	return peek, nil
}

// tokenFrom returns the first token of peek at or after pos.
func tokenFrom(peek *lexer.PeekingLexer, pos Pos) *lexer.Token {
	t := peek.Next()
	for !t.EOF() && t.Pos.Offset < pos.Offset {
		t = peek.Next()
	}
	return t
}

// lexError names what the lexer could not read: an unterminated string or quoted name, or a
// character that no token starts with.
func lexError(sql string, err error) error {
	var lerr *lexer.Error
	if !errors.As(err, &lerr) {
		return convertError(err)
	}
	pos := lerr.Pos
	if pos.Offset < 0 || pos.Offset >= len(sql) {
		return &Error{Pos: pos, Msg: lerr.Msg}
	}
	switch c, _ := utf8.DecodeRuneInString(sql[pos.Offset:]); c {
	case '\'':
		return &Error{Pos: pos, Msg: "unterminated string literal"}
	case '"':
		return &Error{Pos: pos, Msg: "unterminated quoted name"}
	default:
		return &Error{Pos: pos, Msg: fmt.Sprintf("unexpected character %q", c)}
	}
}

// normalize turns what the grammar captures as written into the values callers use: a
// quoted option key such as 'fields.x.kind' loses its quotes, and `name = value` in the
// arguments of a table function is a named argument.
func normalize(st *Statement) error {
	switch {
	case st.CreateStream != nil:
		for _, o := range st.CreateStream.Options {
			if len(o.Key) >= 2 && o.Key[0] == '\'' {
				o.Key = unquoteString(o.Key)
			}
		}
	case st.Query != nil:
		return normalizeQuery(st.Query)
	case st.Explain != nil:
		return normalizeQuery(st.Explain.Query)
	case st.Describe != nil && st.Describe.File != nil:
		d := st.Describe
		file := &Literal{Pos: d.File.Pos, Kind: LitString, Text: unquoteString(d.File.Path)}
		d.Query = &Query{Pos: d.Pos, Select: &Select{Pos: d.Pos,
			Items: []*SelectItem{{Pos: d.Pos, Expr: &Star{Pos: d.Pos}}},
			From:  &FromItem{Pos: d.Pos, Source: file}}}
		d.File = nil
	case st.Describe != nil && st.Describe.Query != nil:
		return normalizeQuery(st.Describe.Query)
	}
	return nil
}

func normalizeQuery(q *Query) error {
	for _, c := range q.With {
		if err := normalizeQuery(c.Query); err != nil {
			return err
		}
	}
	for _, s := range append([]*Select{q.Select}, q.Union...) {
		switch {
		case s.From == nil:
		case s.From.Subquery != nil:
			if err := normalizeQuery(s.From.Subquery); err != nil {
				return err
			}
		default:
			if c, ok := s.From.Source.(*Call); ok {
				if err := namedByEquals(c); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// namedByEquals makes each argument `name = value` of the table function c a named
// argument, as DESIGN.md allows beside `name => value`.
func namedByEquals(c *Call) error {
	var args []Expr
	var named []NamedArg
	for _, a := range c.Args {
		b, _ := a.(*Binary)
		switch name, ok := argName(b); {
		case ok:
			named = append(named, NamedArg{Name: name, Value: b.R})
		case len(named) > 0:
			return &Error{Pos: a.Position(), Msg: "a positional argument cannot follow a named one"}
		default:
			args = append(args, a)
		}
	}
	if len(named) > 0 {
		c.Args = args
		c.Named = append(named, c.Named...)
	}
	return nil
}

// argName returns the name of `name = value`, b, when its left side is a name. The
// reserved word null is one there: it names the file connector's option.
func argName(b *Binary) (Ident, bool) {
	if b == nil || b.Op != "=" {
		return Ident{}, false
	}
	switch l := b.L.(type) {
	case *ColumnRef:
		return l.Parts[0], len(l.Parts) == 1
	case *Literal:
		return Ident{Name: "null"}, l.Kind == LitNull
	}
	return Ident{}, false
}

// convertError turns participle's errors into *Error, rewording those that would otherwise
// speak of Go or of participle rather than of SQL.
func convertError(err error) error {
	var perr participle.Error
	if !errors.As(err, &perr) {
		return err
	}
	pos, msg := perr.Position(), perr.Message()
	var nerr *strconv.NumError
	var uerr *participle.UnexpectedTokenError
	switch {
	case errors.As(err, &nerr) && errors.Is(nerr.Err, strconv.ErrRange):
		// LIMIT and OFFSET are the integers the grammar converts itself.
		msg = fmt.Sprintf("integer %s is out of range for BIGINT", nerr.Num)
	case errors.As(err, &nerr):
		msg = fmt.Sprintf("expected an integer, found %q", nerr.Num)
	case errors.As(err, &uerr) && joinWords[strings.ToUpper(uerr.Unexpected.Value)]:
		msg = "unsupported: JOIN (weir reads one stream per SELECT; UNION ALL combines streams)"
	case errors.As(err, &uerr) && strings.EqualFold(uerr.Unexpected.Value, "OFFSET"):
		msg = "OFFSET needs a LIMIT before it"
	case errors.As(err, &uerr) && uerr.Unexpected.EOF():
		msg = strings.Replace(msg, `token "<EOF>"`, "end of input", 1)
	case errors.As(err, &uerr) && uerr.Unexpected.Type == tokKeyword &&
		strings.Contains(msg, "<ident>"):
		w := uerr.Unexpected.Value
		msg = fmt.Sprintf("unexpected reserved word %q (write \"%s\" in double quotes to use it "+
			"as a name)", w, w)
	}
	return &Error{Pos: pos, Msg: msg}
}

// clauseWords are the keywords a misspelling of which the parser takes for a name: a
// statement's first word, or a clause's after a select list or a FROM item (where a name is
// an alias).
var clauseWords = []string{"SELECT", "FROM", "WHERE", "GROUP", "HAVING", "QUALIFY", "ORDER",
	"LIMIT", "WITH", "CREATE", "EXPLAIN", "DESCRIBE", "SHOW", "INSERT", "UNION"}

// misspeltKeyword returns an error at a name that is a misspelt clause word (SELEC, FORM),
// when the parse failed at that name or just after it, or nil. peek starts at the input's
// beginning.
func misspeltKeyword(peek *lexer.PeekingLexer, unexpected lexer.Token) error {
	var prev *lexer.Token
	for t := peek.Next(); !t.EOF() && t.Pos.Offset < unexpected.Pos.Offset; t = peek.Next() {
		tok := *t
		prev = &tok
	}
	for _, t := range []*lexer.Token{&unexpected, prev} {
		if t == nil || t.Type != tokIdent {
			continue
		}
		for _, w := range clauseWords {
			if d := editDistance(strings.ToUpper(t.Value), w); d == 1 || d == 2 && len(w) > 5 {
				return &Error{Pos: t.Pos, Msg: fmt.Sprintf("unexpected %q (did you mean %s?)",
					t.Value, w)}
			}
		}
	}
	return nil
}

// editDistance counts the insertions, deletions, substitutions and swaps of two neighbours
// that turn a into b.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// joinWords start a join after a FROM item.
var joinWords = map[string]bool{"JOIN": true, "INNER": true, "LEFT": true, "RIGHT": true,
	"FULL": true, "CROSS": true, "NATURAL": true}
