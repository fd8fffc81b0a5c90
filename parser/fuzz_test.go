package parser

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParse feeds the parser arbitrary text, seeded from every query of the tests. Parse and
// ParseExpr must never panic, must fail only with *Error, and whatever they accept must
// round-trip: printed, parsed again and printed again, it gives the same text and the same
// tree. Inputs that once failed are kept under testdata/fuzz/FuzzParse and run by go test.
//
//	go test ./parser -run '^$' -fuzz FuzzParse -fuzztime 60s
func FuzzParse(f *testing.F) {
	for _, sql := range fileQueries(f) {
		f.Add(sql)
	}
	for _, tc := range statementTests {
		f.Add(tc.sql)
	}
	for _, tc := range exprTests {
		f.Add(tc.sql)
		f.Add("SELECT " + tc.sql + " FROM s")
	}
	for _, tc := range printTests {
		f.Add(tc.sql)
		f.Add("SELECT " + tc.sql + " FROM s")
	}
	for _, tc := range errorTests {
		f.Add(tc.sql)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		if len(sql) > 1<<14 {
			t.Skip("longer than the fuzz target's 16 KiB")
		}
		checkParse(t, sql)
		checkParseExpr(t, sql)
	})
}

func requireParseError(t *testing.T, err error) {
	t.Helper()
	var perr *Error
	require.ErrorAs(t, err, &perr)
	require.GreaterOrEqual(t, perr.Pos.Line, 1, "error without a line: %v", err)
	require.GreaterOrEqual(t, perr.Pos.Column, 1, "error without a column: %v", err)
}

func checkParse(t *testing.T, sql string) {
	stmts, err := Parse(sql)
	if err != nil {
		requireParseError(t, err)
		return
	}
	for _, st := range stmts {
		kinds, texts := printable(st)
		for i, text := range texts {
			got, again, err := reparse(kinds[i], text)
			require.NoError(t, err, "%q printed as %q", sql, text)
			require.Equal(t, text, again, "%q printed as %q", sql, text)
			require.Equal(t, clearPos(printedTree(st, i)), clearPos(got),
				"%q printed as %q", sql, text)
		}
	}
}

func checkParseExpr(t *testing.T, sql string) {
	e, err := ParseExpr(sql)
	if err != nil {
		requireParseError(t, err)
		return
	}
	text := e.String()
	again, err := ParseExpr(text)
	require.NoError(t, err, "%q printed as %q", sql, text)
	require.Equal(t, text, again.String(), "%q printed as %q", sql, text)
	require.Equal(t, clearPos(e), clearPos(again), "%q printed as %q", sql, text)
}
