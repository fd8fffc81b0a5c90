package parser

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// reserved lists the structural words DESIGN.md reserves; every other word is a name wherever
// a name is expected.
var reserved = []string{
	"SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "QUALIFY", "ORDER", "LIMIT", "OFFSET",
	"AS", "AND", "OR", "NOT", "CASE", "WHEN", "THEN", "ELSE", "END", "JOIN", "INNER", "LEFT",
	"RIGHT", "FULL", "OUTER", "CROSS", "ON", "USING", "UNION", "WITH", "DISTINCT", "IN", "IS",
	"NULL", "TRUE", "FALSE", "BETWEEN", "LIKE", "ILIKE", "INTERVAL", "FILTER", "EMIT", "OVER",
}

var reservedSet = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range reserved {
		m[w] = true
	}
	return m
}()

func isReserved(s string) bool { return reservedSet[strings.ToUpper(s)] }

// sqlLexer tokenises SQL. Keyword holds only the reserved words; other words are Ident and
// the grammar recognises them by position.
var sqlLexer = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "Whitespace", Pattern: `[ \t\r\n]+`},
	{Name: "Comment", Pattern: `--[^\n]*|/\*(?s:.*?)\*/`},
	{Name: "String", Pattern: `'(?:[^']|'')*'`},
	{Name: "QIdent", Pattern: `"(?:[^"]|"")*"`},
	{Name: "Duration", Pattern: `\d+(?:\.\d+)?(?:ms|us|s|m|h|d)\b`},
	{Name: "Number", Pattern: `(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?`},
	{Name: "Keyword", Pattern: `(?i)\b(?:` + strings.Join(reserved, "|") + `)\b`},
	{Name: "Ident", Pattern: `[A-Za-z_][A-Za-z0-9_$]*`},
	{Name: "Op", Pattern: `::|\|\||<=|>=|<>|!=|=>|//|\*\*|[-+*/%^=<>(),.;:\[\]]`},
})

var symbols = sqlLexer.Symbols()

var (
	tokEOF      = lexer.EOF
	tokString   = symbols["String"]
	tokQIdent   = symbols["QIdent"]
	tokDuration = symbols["Duration"]
	tokNumber   = symbols["Number"]
	tokKeyword  = symbols["Keyword"]
	tokIdent    = symbols["Ident"]
	tokOp       = symbols["Op"]
)

// unquoteString reads a SQL string literal: 'it”s' is it's; backslashes are ordinary.
func unquoteString(s string) string {
	if len(s) >= 2 && s[0] == '\'' {
		s = s[1 : len(s)-1]
	}
	return strings.ReplaceAll(s, "''", "'")
}

// quoteString writes s as a SQL string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func participleUpgrade(lex lexer.Lexer) (*lexer.PeekingLexer, error) {
	return lexer.Upgrade(lex, symbols["Whitespace"], symbols["Comment"])
}
