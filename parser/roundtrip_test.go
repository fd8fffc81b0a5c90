package parser

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// requireRoundTrip parses sql, prints what of each statement has a printer, parses the
// printing again and requires the same tree (positions aside) and the same printing.
func requireRoundTrip(t *testing.T, sql string) {
	t.Helper()
	stmts, err := Parse(sql)
	require.NoError(t, err, sql)
	for _, st := range stmts {
		kinds, texts := printable(st)
		for i, text := range texts {
			got, again, err := reparse(kinds[i], text)
			require.NoError(t, err, "printed as %s", text)
			require.Equal(t, clearPos(printedTree(st, i)), clearPos(got), "printed as %s", text)
			require.Equal(t, text, again)
		}
	}
}

func TestRoundTripQueriesFile(t *testing.T) {
	queries := fileQueries(t)
	require.Greater(t, len(queries), 40)
	for _, sql := range queries {
		t.Run(sql, func(t *testing.T) { requireRoundTrip(t, sql) })
	}
}

func TestRoundTripStatements(t *testing.T) {
	for _, tc := range statementTests {
		t.Run(tc.name, func(t *testing.T) { requireRoundTrip(t, tc.sql) })
	}
}

func TestRoundTripExprs(t *testing.T) {
	for _, tc := range exprTests {
		t.Run(tc.sql, func(t *testing.T) {
			e, err := ParseExpr(tc.sql)
			require.NoError(t, err)
			text := e.String()
			again, err := ParseExpr(text)
			require.NoError(t, err, "printed as %s", text)
			require.Equal(t, clearPos(e), clearPos(again), "printed as %s", text)
			require.Equal(t, text, again.String())
			requireRoundTrip(t, "SELECT "+tc.sql+" FROM s")
		})
	}
}

// printTests pin the printing of expressions that read back only when printed with care.
var printTests = []struct {
	sql  string
	want string
}{
	{"- - 5", "- -5"},
	{"- -a", "- -a"},
	{"-(-5)", "-(-5)"},
	{"a - -1", "a - -1"},
	{"-5::int", "-CAST(5 AS INT)"},
	{"x::double precision", "CAST(x AS DOUBLE PRECISION)"},
	{"x::\"my type\"", `CAST(x AS "my type")`},
	{"cast(x as varchar(10))", "CAST(x AS VARCHAR)"},
	{"t.from", "t.from"},
	{"t.\"from\"", `t."from"`},
	{"\"from\".x", `"from".x`},
	{"nexmark.bid.*", "nexmark.bid.*"},
	{"t.from.*", "t.from.*"},
	{"left(s, 2)", "left(s, 2)"},
	{"\"left\"(s, 2)", `"left"(s, 2)`},
	{"EXTRACT('hour' FROM ts)", "EXTRACT(HOUR FROM ts)"},
	{"EXTRACT('a b' FROM ts)", "EXTRACT('A B' FROM ts)"},
	{"EXTRACT('from' FROM ts)", "EXTRACT('FROM' FROM ts)"},
	{"a IS TRUE", "a IS NOT DISTINCT FROM TRUE"},
	{"a != b", "a <> b"},
	{"interval '5' second", "INTERVAL '5' SECOND"},
	{"INTERVAL 5 MINUTES", "INTERVAL '5' MINUTES"},
	{"INTERVAL 5s", "5s"},
	{"DATE '2024-01-01'", "TIMESTAMP '2024-01-01'"},
	{"'it''s'", "'it''s'"},
	{"f(a, k => 'v')", "f(a, k => 'v')"},
	{"count(DISTINCT *)", "count(DISTINCT *)"},
	{"row_number() OVER (ORDER BY a nulls first)",
		"row_number() OVER (ORDER BY a NULLS FIRST)"},
	{"\"Quoted\" + unquoted", `"Quoted" + unquoted`},
	{"-+5", "-5"},
	{"- + a", "-a"},
	{"f(null => '-', \"select\" => 1)", `f(null => '-', "select" => 1)`},
}

func TestPrint(t *testing.T) {
	for _, tc := range printTests {
		t.Run(tc.sql, func(t *testing.T) {
			e, err := ParseExpr(tc.sql)
			require.NoError(t, err)
			require.Equal(t, tc.want, e.String())
		})
	}

	queries := []struct {
		sql  string
		want string
	}{
		{"select a from t order by a nulls first", "SELECT a FROM t ORDER BY a NULLS first"},
		{"select a x from t y", "SELECT a AS x FROM t AS y"},
		{"select a from t allowed lateness 1s emit final limit 1 offset 2",
			"SELECT a FROM t ALLOWED LATENESS 1s EMIT FINAL LIMIT 1 OFFSET 2"},
		{"with c as (select 1) select * from c union all select 2",
			"WITH c AS (SELECT 1) SELECT * FROM c UNION ALL SELECT 2"},
		{"select * from (select 1) s", "SELECT * FROM (SELECT 1) AS s"},
		{"select * from read_csv('f.csv', header = true, null = '-')",
			"SELECT * FROM read_csv('f.csv', header => TRUE, null => '-')"},
		{"SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY a, b, DESCRIPTOR(ts), 1m))",
			"SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY a, b, DESCRIPTOR(ts), 1m))"},
		{"SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY a, +descriptor, DESCRIPTOR(ts), 1m))",
			"SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY a, descriptor, DESCRIPTOR(ts), 1m))"},
		{"select 2 ** 3 ^ -x", "SELECT 2 ** 3 ^ -x"},
	}
	for _, tc := range queries {
		t.Run(tc.sql, func(t *testing.T) {
			require.Equal(t, tc.want, parseQuery(t, tc.sql).String())
		})
	}
}
