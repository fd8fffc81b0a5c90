package parser

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// exprTests are expressions with their exact trees, positions left out. The round trip and
// the fuzz target reuse them.
var exprTests = []struct {
	sql  string
	want Expr
}{
	// Precedence, loosest first: OR < AND < NOT < comparison < || < + - < * / // % < ^ ** <
	// unary - < ::.
	{"a OR b AND c", bin("OR", col("a"), bin("AND", col("b"), col("c")))},
	{"a AND b OR c", bin("OR", bin("AND", col("a"), col("b")), col("c"))},
	{"a OR b OR c", bin("OR", bin("OR", col("a"), col("b")), col("c"))},
	{"NOT a AND b", bin("AND", not(col("a")), col("b"))},
	{"NOT a OR NOT b", bin("OR", not(col("a")), not(col("b")))},
	{"NOT a = b", not(bin("=", col("a"), col("b")))},
	{"NOT NOT a", not(not(col("a")))},
	{"a = 1 OR NOT b = 2 AND c",
		bin("OR", bin("=", col("a"), num(1)),
			bin("AND", not(bin("=", col("b"), num(2))), col("c")))},
	{"a = b AND c <> d", bin("AND", bin("=", col("a"), col("b")), bin("<>", col("c"), col("d")))},
	{"a != b", bin("<>", col("a"), col("b"))},
	{"a < b AND a <= b AND a > b AND a >= b",
		bin("AND", bin("AND", bin("AND", bin("<", col("a"), col("b")),
			bin("<=", col("a"), col("b"))), bin(">", col("a"), col("b"))),
			bin(">=", col("a"), col("b")))},
	{"a = b = c", bin("=", bin("=", col("a"), col("b")), col("c"))},
	{"a || b = c || d", bin("=", bin("||", col("a"), col("b")), bin("||", col("c"), col("d")))},
	{"'a' || 'b' || 'c'", bin("||", bin("||", str("a"), str("b")), str("c"))},
	{"a + b || c", bin("||", bin("+", col("a"), col("b")), col("c"))},
	{"a || b + c", bin("||", col("a"), bin("+", col("b"), col("c")))},
	{"a + b * c", bin("+", col("a"), bin("*", col("b"), col("c")))},
	{"a * b + c", bin("+", bin("*", col("a"), col("b")), col("c"))},
	{"a - b - c", bin("-", bin("-", col("a"), col("b")), col("c"))},
	{"a - b + c", bin("+", bin("-", col("a"), col("b")), col("c"))},
	{"a / b / c", bin("/", bin("/", col("a"), col("b")), col("c"))},
	{"a // b % c * d", bin("*", bin("%", bin("//", col("a"), col("b")), col("c")), col("d"))},
	{"a * -b", bin("*", col("a"), neg(col("b")))},
	{"-a * b", bin("*", neg(col("a")), col("b"))},
	{"a - -b", bin("-", col("a"), neg(col("b")))},
	{"a - -1", bin("-", col("a"), num(-1))},
	{"- - 5", neg(num(-5))},
	{"- -a", neg(neg(col("a")))},
	{"+a", col("a")},
	{"-(-5)", neg(paren(num(-5)))},
	{"-a::int", neg(cast(col("a"), "INT"))},
	{"-5::int", neg(cast(num(5), "INT"))},
	{"a::int::varchar", cast(cast(col("a"), "INT"), "VARCHAR")},
	{"a + b::double", bin("+", col("a"), cast(col("b"), "DOUBLE"))},
	{"2 ^ 3", bin("^", num(2), num(3))},
	{"2 ** 3", bin("**", num(2), num(3))},
	{"2**3", bin("**", num(2), num(3))},
	{"a * b ^ c", bin("*", col("a"), bin("^", col("b"), col("c")))},
	{"a ^ b * c", bin("*", bin("^", col("a"), col("b")), col("c"))},
	{"a ^ b / c % d", bin("%", bin("/", bin("^", col("a"), col("b")), col("c")), col("d"))},
	{"a + b ** c", bin("+", col("a"), bin("**", col("b"), col("c")))},
	{"a ^ b ^ c", bin("^", bin("^", col("a"), col("b")), col("c"))},
	{"a ** b ^ c", bin("^", bin("**", col("a"), col("b")), col("c"))},
	{"a ^ (b ^ c)", bin("^", col("a"), paren(bin("^", col("b"), col("c"))))},
	{"-a ^ 2", bin("^", neg(col("a")), num(2))},
	{"-2 ^ 2", bin("^", num(-2), num(2))},
	{"2 ^ -a", bin("^", num(2), neg(col("a")))},
	{"-(2 ^ 2)", neg(paren(bin("^", num(2), num(2))))},
	{"a::double ^ 2", bin("^", cast(col("a"), "DOUBLE"), num(2))},
	{"a ^ 2 = 4", bin("=", bin("^", col("a"), num(2)), num(4))},
	{"1 + 2 = 3 AND 4 > 5 OR NOT 6 < 7",
		bin("OR", bin("AND", bin("=", bin("+", num(1), num(2)), num(3)), bin(">", num(4), num(5))),
			not(bin("<", num(6), num(7))))},

	// Parentheses are kept.
	{"(a + b) * c", bin("*", paren(bin("+", col("a"), col("b"))), col("c"))},
	{"a - (b - c)", bin("-", col("a"), paren(bin("-", col("b"), col("c"))))},
	{"a / (b / c)", bin("/", col("a"), paren(bin("/", col("b"), col("c"))))},
	{"(a OR b) AND c", bin("AND", paren(bin("OR", col("a"), col("b"))), col("c"))},
	{"((a))", paren(paren(col("a")))},
	{"NOT (a AND b)", not(paren(bin("AND", col("a"), col("b"))))},

	// IS, BETWEEN, IN, LIKE.
	{"a IS NULL", &IsNull{X: col("a")}},
	{"a IS NOT NULL", &IsNull{X: col("a"), Not: true}},
	{"a IS NULL AND b IS NOT NULL",
		bin("AND", &IsNull{X: col("a")}, &IsNull{X: col("b"), Not: true})},
	{"a + 1 IS NULL", &IsNull{X: bin("+", col("a"), num(1))}},
	{"a = b IS NULL", &IsNull{X: bin("=", col("a"), col("b"))}},
	{"NOT a IS NULL", not(&IsNull{X: col("a")})},
	{"a IS DISTINCT FROM b", &IsDistinct{L: col("a"), R: col("b")}},
	{"a IS NOT DISTINCT FROM b + 1",
		&IsDistinct{L: col("a"), R: bin("+", col("b"), num(1)), Not: true}},
	{"a IS TRUE", &IsDistinct{L: col("a"), R: boolLit(true), Not: true}},
	{"a IS NOT FALSE", &IsDistinct{L: col("a"), R: boolLit(false)}},
	{"x BETWEEN 1 AND 10", &Between{X: col("x"), Lo: num(1), Hi: num(10)}},
	{"x BETWEEN 1 AND 2 AND y",
		bin("AND", &Between{X: col("x"), Lo: num(1), Hi: num(2)}, col("y"))},
	{"x NOT BETWEEN a + 1 AND b * 2", &Between{X: col("x"), Lo: bin("+", col("a"), num(1)),
		Hi: bin("*", col("b"), num(2)), Not: true}},
	{"x IN (1, 2, 3)", &InList{X: col("x"), List: []Expr{num(1), num(2), num(3)}}},
	{"x NOT IN ('a')", &InList{X: col("x"), List: []Expr{str("a")}, Not: true}},
	{"x + 1 IN (a, b * 2)",
		&InList{X: bin("+", col("x"), num(1)), List: []Expr{col("a"), bin("*", col("b"), num(2))}}},
	{"name LIKE 'a%'", &Like{X: col("name"), Pattern: str("a%")}},
	{"name NOT LIKE 'a' || '%'", &Like{X: col("name"),
		Pattern: bin("||", str("a"), str("%")), Not: true}},
	{"name ILIKE 'A%'", &Like{X: col("name"), Pattern: str("A%"), CaseInsensitive: true}},
	{"name NOT ILIKE 'A%' OR b",
		bin("OR", &Like{X: col("name"), Pattern: str("A%"), Not: true, CaseInsensitive: true},
			col("b"))},

	// CASE, both forms.
	{"CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' ELSE 'zero' END", &Case{Whens: []When{
		{Cond: bin(">", col("a"), num(0)), Then: str("pos")},
		{Cond: bin("<", col("a"), num(0)), Then: str("neg")},
	}, Else: str("zero")}},
	{"CASE x WHEN 1 THEN 'one' WHEN 2 THEN 'two' END", &Case{Operand: col("x"), Whens: []When{
		{Cond: num(1), Then: str("one")}, {Cond: num(2), Then: str("two")},
	}}},
	{"case when a then b end + 1",
		bin("+", &Case{Whens: []When{{Cond: col("a"), Then: col("b")}}}, num(1))},

	// CAST and ::.
	{"CAST(x AS BIGINT)", cast(col("x"), "BIGINT")},
	{"cast(x as bigint)", cast(col("x"), "BIGINT")},
	{"CAST(v AS varchar(10))", cast(col("v"), "VARCHAR")},
	{"CAST(a + 1 AS double precision)", &Cast{X: bin("+", col("a"), num(1)),
		Type: TypeName{Name: "DOUBLE", Precision: true}}},
	{"x::timestamp", cast(col("x"), "TIMESTAMP")},
	{"'5'::bigint + 1", bin("+", cast(str("5"), "BIGINT"), num(1))},
	{"(a + b)::double", cast(paren(bin("+", col("a"), col("b"))), "DOUBLE")},

	// Calls.
	{"count(*)", &Call{Name: id("count"), Star: true}},
	{"COUNT(*)", &Call{Name: id("COUNT"), Star: true}},
	{"count(DISTINCT user)", &Call{Name: id("count"), Args: []Expr{col("user")}, Distinct: true}},
	{"now()", call("now")},
	{"coalesce(a, b, 0)", call("coalesce", col("a"), col("b"), num(0))},
	{"TUMBLE(ts, 15m)", call("TUMBLE", col("ts"), interval("15m", 15*60e6))},
	{"to_timestamp(epoch) + INTERVAL '1' HOUR",
		bin("+", call("to_timestamp", col("epoch")), interval("'1' HOUR", 3600e6))},
	{"read_csv('f.csv', header => true, delimiter => ';')", &Call{Name: id("read_csv"),
		Args: []Expr{str("f.csv")}, Named: []NamedArg{
			{Name: id("header"), Value: boolLit(true)}, {Name: id("delimiter"), Value: str(";")},
		}}},
	{"f(\"Key\" => 1)", &Call{Name: id("f"), Named: []NamedArg{{Name: qid("Key"), Value: num(1)}}}},
	{"count(*) FILTER (WHERE fare > 0)", &Call{Name: id("count"), Star: true,
		Filter: bin(">", col("fare"), num(0))}},
	{"sum(x) FILTER (WHERE y IS NOT NULL) + 1", bin("+", &Call{Name: id("sum"),
		Args: []Expr{col("x")}, Filter: &IsNull{X: col("y"), Not: true}}, num(1))},
	{"percentile_cont(0.5) WITHIN GROUP (ORDER BY fare DESC)", &Call{Name: id("percentile_cont"),
		Args: []Expr{float("0.5", 0.5)}, WithinGroup: []OrderItem{order(col("fare"), true)}}},
	{"row_number() OVER (PARTITION BY window_start, window_end ORDER BY price DESC NULLS LAST)",
		&Call{Name: id("row_number"), Over: &WindowSpec{
			PartitionBy: []Expr{col("window_start"), col("window_end")},
			OrderBy:     []OrderItem{{Expr: col("price"), Desc: true, Nulls: ptr("LAST")}},
		}}},
	{"zscore(avg(latency)) OVER (PARTITION BY host ORDER BY window_start " +
		"ROWS BETWEEN 20 PRECEDING AND 1 PRECEDING)",
		&Call{Name: id("zscore"), Args: []Expr{call("avg", col("latency"))}, Over: &WindowSpec{
			PartitionBy: []Expr{col("host")},
			OrderBy:     []OrderItem{order(col("window_start"), false)},
			Frame:       "ROWS BETWEEN 20 PRECEDING AND 1 PRECEDING",
		}}},
	{"avg(v) OVER (PARTITION BY k ORDER BY ts RANGE INTERVAL '5' MINUTE PRECEDING)",
		&Call{Name: id("avg"), Args: []Expr{col("v")}, Over: &WindowSpec{
			PartitionBy: []Expr{col("k")},
			OrderBy:     []OrderItem{order(col("ts"), false)},
			Frame:       "RANGE INTERVAL '5' MINUTE PRECEDING",
		}}},
	{"count(DISTINCT x) FILTER (WHERE y) OVER ()", &Call{Name: id("count"),
		Args: []Expr{col("x")}, Distinct: true, Filter: col("y"), Over: &WindowSpec{}}},
	{"left(s, 2) || right(s, 1)",
		bin("||", call("left", col("s"), num(2)), call("right", col("s"), num(1)))},
	{"\"count\"(x)", &Call{Name: qid("count"), Args: []Expr{col("x")}}},
	{"EXTRACT(HOUR FROM ts)", &Extract{Field: "HOUR", X: col("ts")}},
	{"extract('epoch' from ts)", &Extract{Field: "EPOCH", X: col("ts")}},

	// Literals.
	{"42", num(42)},
	{"-42", num(-42)},
	{"007", intLit("007", 7)},
	{"9223372036854775807", num(9223372036854775807)},
	{"-9223372036854775808", num(-9223372036854775808)},
	{"3.14", float("3.14", 3.14)},
	{".5", float(".5", 0.5)},
	{"1.", float("1.", 1)},
	{"1e10", float("1e10", 1e10)},
	{"2.5E-3", float("2.5E-3", 2.5e-3)},
	{"-1.5e+2", float("-1.5e+2", -150)},
	{"'hello'", str("hello")},
	{"'it''s'", str("it's")},
	{"''''", str("'")},
	{"''", str("")},
	{"'back\\slash'", str(`back\slash`)},
	{"'two\nlines'", str("two\nlines")},
	{"TRUE", boolLit(true)},
	{"false", boolLit(false)},
	{"NULL", null()},
	{"TIMESTAMP '2024-01-01 00:00:00'", &Literal{Kind: LitTimestamp, Text: "2024-01-01 00:00:00"}},
	{"timestamp '2024-01-01T00:01:00.493Z'",
		&Literal{Kind: LitTimestamp, Text: "2024-01-01T00:01:00.493Z"}},
	{"INTERVAL '5' SECOND", interval("'5' SECOND", 5e6)},
	{"interval '10' minute", interval("'10' MINUTE", 10*60e6)},
	{"INTERVAL '1.5' HOUR", interval("'1.5' HOUR", 5400e6)},
	{"INTERVAL 2 DAYS", interval("'2' DAYS", 2*86400e6)},
	{"INTERVAL '5 seconds'", interval("'5 seconds'", 5e6)},
	{"INTERVAL '1 hour 30 minutes'", interval("'1 hour 30 minutes'", 5400e6)},
	{"INTERVAL '250' MILLISECOND", interval("'250' MILLISECOND", 250e3)},
	{"INTERVAL '1' WEEK", interval("'1' WEEK", 7*86400e6)},
	{"INTERVAL 5s", interval("5s", 5e6)},
	{"5s", interval("5s", 5e6)},
	{"15m", interval("15m", 15*60e6)},
	{"1h", interval("1h", 3600e6)},
	{"500ms", interval("500ms", 500e3)},
	{"1d", interval("1d", 86400e6)},
	{"250us", interval("250us", 250)},
	{"1.5h", interval("1.5h", 5400e6)},
	{"-5s", interval("-5s", -5e6)},
	{"ts - 5s", bin("-", col("ts"), interval("5s", 5e6))},

	// Names.
	{"a.b", col("a", "b")},
	{"nexmark.bid.price", col("nexmark", "bid", "price")},
	{"t.*", &Star{Qualifier: ptr(id("t"))}},
	{"\"T\".*", &Star{Qualifier: ptr(qid("T"))}},
	{"nexmark.bid.*", &Star{Qualifier: ptr(id("bid")), Prefix: []Ident{id("nexmark")}}},
	{"t.from.*", &Star{Qualifier: ptr(id("from")), Prefix: []Ident{id("t")}}},
	{"*", &Star{}},
	{"\"Foo\"", &ColumnRef{Parts: []Ident{qid("Foo")}}},
	{"\"a\"\"b\"", &ColumnRef{Parts: []Ident{qid(`a"b`)}}},
	{"\"select\"", &ColumnRef{Parts: []Ident{qid("select")}}},
	{"t.\"Foo Bar\"", &ColumnRef{Parts: []Ident{id("t"), qid("Foo Bar")}}},
	{"t.from", col("t", "from")},
	{"a$b", col("a$b")},
	{"_x1", col("_x1")},

	// Words that are not reserved are names wherever a name is expected.
	{"time", col("time")},
	{"timestamp", col("timestamp")},
	{"user", col("user")},
	{"value", col("value")},
	{"key", col("key")},
	{"window", col("window")},
	{"count", col("count")},
	{"start", col("start")},
	{"date", col("date")},
	{"table", col("table")},
	{"time + timestamp", bin("+", col("time"), col("timestamp"))},
	{"count + 1 > value", bin(">", bin("+", col("count"), num(1)), col("value"))},
	{"key = user AND window.start < date",
		bin("AND", bin("=", col("key"), col("user")),
			bin("<", col("window", "start"), col("date")))},
	{"to_timestamp(time)", call("to_timestamp", col("time"))},
	{"count(count)", call("count", col("count"))},
}

func ptr[T any](v T) *T { return &v }

func TestParseExpr(t *testing.T) {
	for _, tc := range exprTests {
		t.Run(tc.sql, func(t *testing.T) {
			got, err := ParseExpr(tc.sql)
			require.NoError(t, err)
			require.Equal(t, tc.want, clearPos(got))
		})
	}
}

// TestParseExprInSelect checks that an expression reads the same in a select list, where the
// statement grammar calls the expression parser.
func TestParseExprInSelect(t *testing.T) {
	for _, tc := range exprTests {
		t.Run(tc.sql, func(t *testing.T) {
			q := parseQuery(t, "SELECT "+tc.sql+" FROM s")
			require.Len(t, q.Select.Items, 1)
			require.Nil(t, q.Select.Items[0].Alias)
			require.Equal(t, tc.want, clearPos(q.Select.Items[0].Expr))
		})
	}
}

func TestExprPositions(t *testing.T) {
	e, err := ParseExpr("a +\n  b * c")
	require.NoError(t, err)
	plus := e.(*Binary)
	require.Equal(t, Pos{Offset: 2, Line: 1, Column: 3}, plus.Pos)
	require.Equal(t, Pos{Offset: 0, Line: 1, Column: 1}, plus.L.Position())
	times := plus.R.(*Binary)
	require.Equal(t, Pos{Offset: 8, Line: 2, Column: 5}, times.Pos)
	require.Equal(t, Pos{Offset: 6, Line: 2, Column: 3}, times.L.Position())
	require.Equal(t, Pos{Offset: 10, Line: 2, Column: 7}, times.R.Position())

	tests := []struct {
		sql        string
		find       func(Expr) Node
		line, col  int
		wantOffset int
	}{
		// A folded sign starts the literal.
		{"x = -5", func(e Expr) Node { return e.(*Binary).R }, 1, 5, 4},
		{"f(a,\n   g(b))", func(e Expr) Node { return e.(*Call).Args[1] }, 2, 4, 8},
		{"CASE\nWHEN a THEN 1\nEND",
			func(e Expr) Node { return e.(*Case).Whens[0].Then }, 2, 13, 17},
		{"x::int", func(e Expr) Node { return e }, 1, 2, 1},
		{"x BETWEEN 1 AND 2", func(e Expr) Node { return e }, 1, 3, 2},
		{"\n\n  t.*", func(e Expr) Node { return e }, 3, 3, 4},
		{"a IS NULL", func(e Expr) Node { return e }, 1, 3, 2},
		{"(a)", func(e Expr) Node { return e.(*Paren).X }, 1, 2, 1},
		{"INTERVAL '5' SECOND", func(e Expr) Node { return e }, 1, 1, 0},
		{"-- comment\n/* block */ x", func(e Expr) Node { return e }, 2, 13, 23},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			e, err := ParseExpr(tc.sql)
			require.NoError(t, err)
			got := tc.find(e).Position()
			require.Equal(t, Pos{Offset: tc.wantOffset, Line: tc.line, Column: tc.col}, got)
		})
	}
}

func TestIdentMatches(t *testing.T) {
	tests := []struct {
		sql   string
		name  string
		match bool
	}{
		{"fare", "fare", true},
		{"FARE", "fare", true},
		{"Fare", "FARE", true},
		{`"Fare"`, "Fare", true},
		{`"Fare"`, "fare", false},
		{`"fare"`, "fare", true},
		{"fare", "fair", false},
	}
	for _, tc := range tests {
		t.Run(tc.sql+"/"+tc.name, func(t *testing.T) {
			e, err := ParseExpr(tc.sql)
			require.NoError(t, err)
			require.Equal(t, tc.match, e.(*ColumnRef).Name().Matches(tc.name))
		})
	}
}

func TestIdentString(t *testing.T) {
	tests := []struct {
		id   Ident
		want string
	}{
		{id("fare"), "fare"},
		{id("Fare"), "Fare"},
		{qid("fare"), `"fare"`},
		{id("from"), `"from"`},
		{id("two words"), `"two words"`},
		{id(`a"b`), `"a""b"`},
		{id("1a"), `"1a"`},
		{id(""), `""`},
		{id("a$b"), "a$b"},
		{id("$a"), `"$a"`},
		{id("from$a"), `"from$a"`},
		{id("été"), `"été"`},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			require.Equal(t, tc.want, tc.id.String())
		})
	}
}
