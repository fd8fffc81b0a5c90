package parser

import (
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// This file holds what the parser's tests share: clearing positions so that trees compare
// by shape, short builders for expected trees, and the queries of testdata/queries.sql.

var posType = reflect.TypeOf(Pos{})

// clearPos zeroes every position in the tree v, in place, and returns v.
func clearPos[T any](v T) T {
	clearValue(reflect.ValueOf(&v).Elem())
	return v
}

func clearValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			clearValue(v.Elem())
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			clearValue(v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == posType {
			if v.CanSet() {
				v.Set(reflect.Zero(posType))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			clearValue(v.Field(i))
		}
	}
}

// Builders of expected trees, positions left zero.

func id(name string) Ident { return Ident{Name: name} }

func qid(name string) Ident { return Ident{Name: name, Quoted: true} }

func col(parts ...string) *ColumnRef {
	ref := &ColumnRef{}
	for _, p := range parts {
		ref.Parts = append(ref.Parts, id(p))
	}
	return ref
}

func intLit(text string, n int64) *Literal { return &Literal{Kind: LitInt, Text: text, Int: n} }

func num(n int64) *Literal { return intLit(strconv.FormatInt(n, 10), n) }

func float(text string, f float64) *Literal {
	return &Literal{Kind: LitFloat, Text: text, Float: f}
}

func str(s string) *Literal { return &Literal{Kind: LitString, Text: s} }

func boolLit(b bool) *Literal { return &Literal{Kind: LitBool, Bool: b} }

func null() *Literal { return &Literal{Kind: LitNull} }

func interval(text string, us int64) *Literal {
	return &Literal{Kind: LitInterval, Text: text, Micros: us}
}

func bin(op string, l, r Expr) *Binary { return &Binary{Op: op, L: l, R: r} }

func neg(x Expr) *Unary { return &Unary{Op: "-", X: x} }

func not(x Expr) *Unary { return &Unary{Op: "NOT", X: x} }

func paren(x Expr) *Paren { return &Paren{X: x} }

func call(name string, args ...Expr) *Call { return &Call{Name: id(name), Args: args} }

func cast(x Expr, typ string) *Cast { return &Cast{X: x, Type: TypeName{Name: typ}} }

func order(e Expr, desc bool) OrderItem { return OrderItem{Expr: e, Desc: desc} }

// parseQuery parses sql, which must be one SELECT, and returns its query.
func parseQuery(t testing.TB, sql string) *Query {
	t.Helper()
	stmts, err := Parse(sql)
	require.NoError(t, err, sql)
	require.Len(t, stmts, 1, sql)
	require.NotNil(t, stmts[0].Query, sql)
	return stmts[0].Query
}

const queriesFile = "testdata/queries.sql"

// fileQueries returns the text of each statement of testdata/queries.sql, which is one valid
// script: a statement runs from its first token to the token after it.
func fileQueries(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile(queriesFile)
	require.NoError(t, err)
	sql := string(data)
	stmts, err := Parse(sql)
	require.NoError(t, err, queriesFile)
	out := make([]string, len(stmts))
	for i, st := range stmts {
		out[i] = strings.TrimSpace(sql[st.Pos.Offset:st.EndPos.Offset])
	}
	return out
}

// printable returns the parts of a statement that the package prints back to SQL, each as a
// kind ("query" or "expr") and the text printed.
func printable(st *Statement) (kinds, texts []string) {
	add := func(kind, text string) {
		kinds = append(kinds, kind)
		texts = append(texts, text)
	}
	switch {
	case st.Query != nil:
		add("query", st.Query.String())
	case st.Explain != nil:
		add("query", st.Explain.Query.String())
	case st.Describe != nil && st.Describe.Query != nil:
		add("query", st.Describe.Query.String())
	case st.CreateStream != nil:
		for _, el := range st.CreateStream.Elements {
			switch {
			case el.Watermark != nil:
				add("expr", el.Watermark.Expr.String())
			case el.Column.Computed != nil:
				add("expr", el.Column.Computed.String())
			}
		}
	}
	return kinds, texts
}

// reparse parses text printed as kind and returns the tree and its printing again.
func reparse(kind, text string) (any, string, error) {
	if kind == "expr" {
		e, err := ParseExpr(text)
		if err != nil {
			return nil, "", err
		}
		return e, e.String(), nil
	}
	stmts, err := Parse(text)
	if err != nil {
		return nil, "", err
	}
	if len(stmts) != 1 || stmts[0].Query == nil {
		return nil, "", &Error{Msg: "printed text is not one query: " + text}
	}
	return stmts[0].Query, stmts[0].Query.String(), nil
}

// printedTree returns the tree of the printable part i of st, for comparison with reparse.
func printedTree(st *Statement, i int) any {
	switch {
	case st.Query != nil:
		return st.Query
	case st.Explain != nil:
		return st.Explain.Query
	case st.Describe != nil:
		return st.Describe.Query
	}
	n := 0
	for _, el := range st.CreateStream.Elements {
		var e Expr
		switch {
		case el.Watermark != nil:
			e = el.Watermark.Expr
		case el.Column.Computed != nil:
			e = el.Column.Computed
		default:
			continue
		}
		if n == i {
			return e
		}
		n++
	}
	return nil
}
