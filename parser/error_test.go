package parser

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const reservedHint = ` (write "%s" in double quotes to use it as a name)`

func hint(w string) string { return strings.ReplaceAll(reservedHint, "%s", w) }

// errorTests are invalid scripts with the exact error each gives, `line:col: message`.
var errorTests = []struct {
	name string
	sql  string
	want string
}{
	// A misspelt clause word, which the parser would take for a name.
	{"misspelt SELECT", "SELEC price FROM s", `1:1: unexpected "SELEC" (did you mean SELECT?)`},
	{"misspelt FROM", "SELECT price FORM s", `1:14: unexpected "FORM" (did you mean FROM?)`},
	{"misspelt WHERE", "SELECT a FROM s\nWHER a > 1",
		`2:1: unexpected "WHER" (did you mean WHERE?)`},
	{"misspelt GROUP", "SELECT a FROM s GROPU BY a",
		`1:17: unexpected "GROPU" (did you mean GROUP?)`},

	// A missing expression.
	{"end after operator", "SELECT a +", "1:11: expected an expression, found end of input"},
	{"end after *", "SELECT 1 + 2 *", "1:15: expected an expression, found end of input"},
	{"end after ^", "SELECT 2 ^", "1:11: expected an expression, found end of input"},
	{"** without a left side", "SELECT ** 2", `1:8: expected an expression, found "**"`},
	{"^ twice", "SELECT 2 ^ ^ 3", `1:12: expected an expression, found "^"`},
	{"empty select list", "SELECT", "1:7: expected an expression, found end of input"},
	{"empty where", "SELECT a FROM t WHERE", "1:22: expected an expression, found end of input"},
	{"empty in list", "SELECT x IN () FROM t", `1:14: expected an expression, found ")"`},
	{"distinct without argument", "SELECT count(DISTINCT) FROM t",
		`1:22: expected an expression, found ")"`},

	// Unexpected tokens.
	{"comma before FROM", "SELECT a, FROM t",
		`1:11: expected an expression, found reserved word "FROM"` + hint("FROM")},
	{"two aliases", "SELECT a b c FROM t", `1:12: unexpected token "c"`},
	{"two numbers", "SELECT 1 2", `1:10: unexpected token "2"`},
	{"trailing words", "SELECT a FROM t garbage more", `1:25: unexpected token "more"`},
	{"unexpected character", "SELECT 1 # 2", `1:10: unexpected character '#'`},
	{"non-ASCII name", "SELECT été FROM t", `1:8: unexpected character 'é'`},
	{"double dot number", "SELECT 1.5.5 FROM t", `1:11: unexpected token ".5"`},
	{"operator twice", "SELECT a\nFROM t\nWHERE x = = 1",
		`3:11: expected an expression, found "="`},
	{"positional after named", "SELECT f(a => 1, 2) FROM t",
		"1:18: a positional argument cannot follow a named one"},
	{"positional after name = value", "SELECT * FROM read_csv(header = true, 'f.csv')",
		"1:39: a positional argument cannot follow a named one"},
	{"IS what", "SELECT x IS 5 FROM t",
		`1:13: expected NULL, DISTINCT FROM, TRUE or FALSE after IS, found "5"`},
	{"BETWEEN without AND", "SELECT x BETWEEN 1 OR 2 FROM t", `1:20: expected "AND", found "OR"`},
	{"CAST without AS", "SELECT CAST(x BIGINT) FROM t", `1:15: expected "AS", found "BIGINT"`},
	{"CAST without type", "SELECT CAST(x AS) FROM t", `1:17: expected a type name, found ")"`},
	{"cast to a number", "SELECT x::5 FROM t", `1:11: expected a type name, found "5"`},
	{"EXTRACT field", "SELECT EXTRACT(1 FROM ts) FROM t",
		`1:16: expected a field such as HOUR in EXTRACT, found "1"`},
	{"WITHIN GROUP without ORDER BY", "SELECT percentile_cont(0.5) WITHIN GROUP (v) FROM t",
		`1:43: expected "ORDER", found "v"`},
	{"FILTER without WHERE", "SELECT count(*) FILTER (x > 1) FROM t",
		`1:25: expected "WHERE", found "x"`},
	{"name after dot", "SELECT * FROM TABLE(TUMBLE(TABLE t., DESCRIPTOR(ts), 1m))",
		`1:36: expected a name after ".", found ","`},
	{"EMIT what", "SELECT a FROM t EMIT SOMETIMES",
		`1:22: unexpected token "SOMETIMES" (expected ("FINAL" | "CHANGES" | ("EVERY" Expr)))`},
	{"NULLS what", "SELECT a FROM t ORDER BY a NULLS MIDDLE",
		`1:34: unexpected token "MIDDLE" (expected ("FIRST" | "LAST"))`},
	{"GROUP without BY", "SELECT a FROM t GROUP a",
		`1:23: unexpected token "a" (expected "BY" Expr ("," Expr)*)`},
	{"UNION without ALL", "SELECT a FROM t UNION SELECT b FROM u",
		`1:23: unexpected token "SELECT" (expected "ALL" Select)`},
	{"LIMIT not a number", "SELECT a FROM t LIMIT x",
		`1:23: unexpected token "x" (expected <number> ("OFFSET" <number>)?)`},
	{"LIMIT not an integer", "SELECT a FROM t LIMIT 1.5", `1:23: expected an integer, found "1.5"`},
	{"DROP TABLE", "DROP TABLE t",
		`1:6: unexpected token "TABLE" (expected "STREAM" ("IF" "EXISTS")? QualifiedName)`},
	{"column without type", "CREATE STREAM s (a)",
		`1:19: unexpected token ")" (expected (("AS" Expr) | TypeName) ("NOT" "NULL")?)`},
	{"SET without value", "SET x", `1:6: unexpected end of input (expected ("=" | "TO") Value)`},
	{"EXPLAIN alone", "EXPLAIN",
		`1:8: unexpected end of input (expected Select ("UNION" "ALL" Select)*)`},
	{"CTE without parentheses", "WITH a AS SELECT 1 SELECT 1",
		`1:11: unexpected token "SELECT" (expected "(" Query ")")`},

	// A reserved word where a name is expected suggests double quotes.
	{"reserved column", "SELECT from FROM t",
		`1:8: expected an expression, found reserved word "from"` + hint("from")},
	{"reserved in WHERE", "SELECT a FROM t WHERE order = 1",
		`1:23: expected an expression, found reserved word "order"` + hint("order")},
	{"reserved stream", "SELECT user, window, key FROM group",
		`1:31: expected an expression, found reserved word "group"` + hint("group")},
	{"reserved alias", "SELECT a AS select FROM t",
		`1:13: unexpected reserved word "select"` + hint("select")},
	{"reserved function argument", "SELECT f(a, end) FROM t",
		`1:13: expected an expression, found reserved word "end"` + hint("end")},

	// Unterminated text.
	{"unterminated string", "SELECT 'abc FROM t", "1:8: unterminated string literal"},
	// 'it' is a string; the quote after it opens a second one.
	{"unterminated after escape", "SELECT 'it''s", "1:12: unterminated string literal"},
	{"unterminated quoted name", `SELECT "abc FROM t`, "1:8: unterminated quoted name"},
	{"unterminated comment", "SELECT 1 /* open", "1:10: unterminated /* comment"},
	{"unterminated comment on line 2", "SELECT 1;\n  /* never closed",
		"2:3: unterminated /* comment"},

	// Parentheses.
	{"unclosed parenthesis", "SELECT (a + 1 FROM t", `1:15: expected ")", found "FROM"`},
	{"unclosed at end", "SELECT (1", `1:10: expected ")", found end of input`},
	{"unclosed call", "SELECT f(a, b FROM t",
		`1:15: expected "," or ")" in the arguments of f, found "FROM"`},
	{"unclosed OVER", "SELECT row_number() OVER (PARTITION BY a FROM t",
		`1:48: expected ")" to close OVER (...), found end of input`},
	{"unclosed subquery", "SELECT * FROM (SELECT a FROM t",
		`1:31: unexpected end of input (expected ")")`},
	{"extra parenthesis", "SELECT (a + 1)) FROM t", `1:15: unexpected token ")"`},

	// Intervals.
	{"unknown unit", "SELECT INTERVAL '5 fortnights' FROM t",
		`1:17: invalid interval "5 fortnights": unknown unit "fortnights" (use microsecond, ` +
			`millisecond, second, minute, hour, day or week)`},
	{"unit not a unit", "SELECT INTERVAL '5' fortnights FROM t",
		`1:17: invalid interval "5": write it as '5 seconds' or '5' SECOND`},
	{"no unit", "SELECT INTERVAL 5 FROM t",
		`1:17: invalid interval "5": write it as '5 seconds' or '5' SECOND`},
	{"not a number", "SELECT INTERVAL 'five' SECOND FROM t",
		`1:17: invalid interval "five": "five" is not a number`},
	{"no length", "SELECT INTERVAL x FROM t",
		`1:17: expected the interval's length as a string such as '5' or '5 seconds', found "x"`},
	{"interval out of range", "SELECT INTERVAL '1e30' SECOND FROM t",
		`1:17: invalid interval "1e30": out of range`},
	{"interval infinite", "SELECT INTERVAL 'inf' SECOND FROM t",
		`1:17: invalid interval "inf": out of range`},
	{"interval sum out of range", "SELECT INTERVAL '9.2e12 seconds 1000000 weeks' FROM t",
		`1:17: invalid interval "9.2e12 seconds 1000000 weeks": out of range`},
	{"short interval out of range", "SELECT 99999999999999999999d FROM t",
		`1:8: invalid interval "99999999999999999999": out of range`},

	// Integers.
	{"integer too large", "SELECT 9223372036854775808 FROM t",
		"1:8: integer 9223372036854775808 is out of range for BIGINT"},
	{"integer much too large", "SELECT x + 99999999999999999999 FROM t",
		"1:12: integer 99999999999999999999 is out of range for BIGINT"},
	{"integer too small", "SELECT -9223372036854775809 FROM t",
		"1:8: integer -9223372036854775809 is out of range for BIGINT"},
	{"LIMIT too large", "SELECT a FROM t LIMIT 99999999999999999999",
		"1:23: integer 99999999999999999999 is out of range for BIGINT"},

	// CASE.
	{"CASE without WHEN", "SELECT CASE END FROM t",
		`1:13: expected an expression, found reserved word "END"` + hint("END")},
	{"CASE operand without WHEN", "SELECT CASE x END FROM t",
		`1:15: expected WHEN in CASE, found "END"`},
	{"CASE ELSE without WHEN", "SELECT CASE x ELSE 1 END FROM t",
		`1:15: expected WHEN in CASE, found "ELSE"`},
	{"CASE without END", "SELECT CASE WHEN a THEN 1 FROM t", `1:27: expected "END", found "FROM"`},
	{"CASE without THEN", "SELECT CASE WHEN a 1 END FROM t", `1:20: expected "THEN", found "1"`},

	// Unsupported SQL is refused.
	{"IN subquery", "SELECT x IN (SELECT 1) FROM t", "1:14: unsupported: IN (subquery)"},
	{"scalar subquery", "SELECT (SELECT 1) FROM t", "1:9: unsupported: subquery in an expression"},

	// Statements are separated by semicolons.
	{"missing semicolon", "SELECT 1 SELECT 2", `1:10: unexpected token "SELECT"`},
	{"missing semicolon after CREATE", "CREATE STREAM s (a BIGINT)\nSELECT a FROM s",
		`2:1: unexpected token "SELECT"`},

	// Errors on later lines of a script.
	{"line 3", "SELECT a FROM t;\nSELECT b,\nFROM t",
		`3:1: expected an expression, found reserved word "FROM"` + hint("FROM")},
	{"line 2", "SELECT 1;\nSELECT (2", `2:10: expected ")", found end of input`},
	{"line 2 string", "SELECT 1;\n\nSELECT 'abc", "3:8: unterminated string literal"},
	{"line 4 in CREATE", "CREATE STREAM s (\n  a BIGINT,\n  b\n)",
		`4:1: unexpected token ")" (expected (("AS" Expr) | TypeName) ("NOT" "NULL")?)`},
	{"after a comment", "-- first\nSELECT a\n/* x */ FROM t WHERE",
		"3:21: expected an expression, found end of input"},
}

func TestParseErrors(t *testing.T) {
	for _, tc := range errorTests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.sql)
			require.Error(t, err)
			var perr *Error
			require.ErrorAs(t, err, &perr)
			require.Equal(t, tc.want, err.Error())
		})
	}
}

func TestParseExprErrors(t *testing.T) {
	tests := []struct {
		sql  string
		want string
	}{
		{"", "1:1: expected an expression, found end of input"},
		{"1 +", "1:4: expected an expression, found end of input"},
		{"a b", `1:3: unexpected "b" after the expression`},
		{"'a' 'b'", `1:5: unexpected "'b'" after the expression`},
		{"5 s", `1:3: unexpected "s" after the expression`},
		{"(1", `1:3: expected ")", found end of input`},
		{"'abc", "1:1: unterminated string literal"},
		{"select", `1:1: expected an expression, found reserved word "select"` + hint("select")},
		{"f(DISTINCT)", `1:11: expected an expression, found ")"`},
		{"TABLE t.", `1:9: expected a name after ".", found end of input`},
		{"t.", `1:3: expected a name after ".", found end of input`},
		{"x IN (1,)", `1:9: expected an expression, found ")"`},
		{"CASE WHEN 1 THEN 2", `1:19: expected "END", found end of input`},
		{"1\n+\n", "3:1: expected an expression, found end of input"},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			_, err := ParseExpr(tc.sql)
			require.Error(t, err)
			var perr *Error
			require.ErrorAs(t, err, &perr)
			require.Equal(t, tc.want, err.Error())
		})
	}
}

// TestNestingCap checks that deep nesting of any kind gives an error at the level past the
// cap (256) instead of exhausting the stack.
func TestNestingCap(t *testing.T) {
	const n = 10000
	const deep = "expression nested too deeply (more than 256 levels)"
	rep := strings.Repeat
	tests := []struct {
		name string
		sql  string
		expr bool // parse with ParseExpr rather than Parse
		want string
	}{
		// The 257th "(" is past the cap.
		{"parentheses", rep("(", n) + "1" + rep(")", n), true, "1:257: " + deep},
		{"parentheses in SELECT", "SELECT " + rep("(", n) + "1" + rep(")", n), false,
			"1:264: " + deep},
		{"unclosed parentheses", "SELECT " + rep("(", n), false, "1:264: " + deep},
		{"calls", "SELECT " + rep("f(", n) + "1" + rep(")", n), false, "1:521: " + deep},
		// Without parentheses the expression parser counts: the 256th "-" is level 257.
		{"minus signs", rep("- ", n) + "1", true, "1:511: " + deep},
		{"minus signs in SELECT", "SELECT " + rep("- ", n) + "1", false, "1:518: " + deep},
		// "--" starts a comment.
		{"minus signs without spaces", "SELECT " + rep("-", n) + "1", false, "1:10009: " +
			"expected an expression, found end of input"},
		{"NOT", rep("NOT ", n) + "x", true, "1:1021: " + deep},
		{"CASE", "SELECT " + rep("CASE WHEN ", n) + "1", false, "1:2568: " + deep},
		{"signs and parentheses", rep("-(", 200) + "1" + rep(")", 200), true, "1:257: " + deep},
		{"256 parentheses", rep("(", 256) + "1" + rep(")", 256), true, "1:257: " + deep},
		{"255 parentheses", rep("(", 255) + "1" + rep(")", 255), true, ""},
		{"subqueries", rep("SELECT * FROM (", n) + "SELECT 1" + rep(")", n), false,
			"1:3855: " + deep},
		{"CTEs", rep("WITH a AS (", n) + "SELECT 1" + rep(") SELECT 1", n), false,
			"1:2827: " + deep},
		{"FROM parentheses", "SELECT * FROM " + rep("(", n) + "t" + rep(")", n), false,
			"1:271: " + deep},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() {
				if tc.expr {
					_, err = ParseExpr(tc.sql)
				} else {
					_, err = Parse(tc.sql)
				}
			})
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tc.want)
		})
	}
}
