package parser

import (
	"errors"
	"fmt"

	"github.com/alecthomas/participle/v2"
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
	script, err := scriptParser.ParseString("", sql)
	if err != nil {
		return nil, convertError(err)
	}
	return script.Stmts, nil
}

// ParseExpr parses a single expression.
func ParseExpr(sql string) (Expr, error) {
	lex, err := sqlLexer.LexString("", sql)
	if err != nil {
		return nil, convertError(err)
	}
	peek, err := participleUpgrade(lex)
	if err != nil {
		return nil, convertError(err)
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

func convertError(err error) error {
	var perr participle.Error
	if errors.As(err, &perr) {
		return &Error{Pos: perr.Position(), Msg: perr.Message()}
	}
	return err
}
