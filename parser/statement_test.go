package parser

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func sel(items ...Expr) *Select {
	s := &Select{}
	for _, e := range items {
		s.Items = append(s.Items, &SelectItem{Expr: e})
	}
	return s
}

func from(src Expr) *FromItem { return &FromItem{Source: src} }

func query(s *Select) *Statement { return &Statement{Query: &Query{Select: s}} }

func tableArg(name string, partitionBy ...Expr) *TableArg {
	return &TableArg{Name: QualifiedName{Parts: []Ident{id(name)}}, PartitionBy: partitionBy}
}

func qname(parts ...string) QualifiedName {
	var q QualifiedName
	for _, p := range parts {
		q.Parts = append(q.Parts, id(p))
	}
	return q
}

// statementTests are scripts with the exact statements they parse to, positions left out.
// The round trip and the fuzz target reuse them.
var statementTests = []struct {
	name string
	sql  string
	want []*Statement
}{
	{"create stream", `CREATE STREAM trips (
  pickup TIMESTAMP,
  zone   BIGINT NOT NULL,
  fare   DOUBLE PRECISION,
  note   VARCHAR(10),
  epoch  BIGINT,
  ts AS to_timestamp(epoch),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (connector = 'file', path = 'trips.csv', header = true, rows = 1000, rate = -1.5,
  format = csv, 'fields.zone.kind' = 'sequence', idle.timeout = 5s, null = NULL)`,
		[]*Statement{{CreateStream: &CreateStream{
			Name: qname("trips"),
			Elements: []*TableElement{
				{Column: &ColumnDef{Name: id("pickup"), Type: &TypeName{Name: "TIMESTAMP"}}},
				{Column: &ColumnDef{Name: id("zone"), Type: &TypeName{Name: "BIGINT"},
					NotNull: true}},
				{Column: &ColumnDef{Name: id("fare"),
					Type: &TypeName{Name: "DOUBLE", Precision: true}}},
				{Column: &ColumnDef{Name: id("note"), Type: &TypeName{Name: "VARCHAR"}}},
				{Column: &ColumnDef{Name: id("epoch"), Type: &TypeName{Name: "BIGINT"}}},
				{Column: &ColumnDef{Name: id("ts"), Computed: call("to_timestamp", col("epoch"))}},
				{Watermark: &Watermark{Column: id("ts"),
					Expr: bin("-", col("ts"), interval("'5' SECOND", 5e6))}},
			},
			Options: []*Option{
				{Key: "connector", Value: Value{String: ptr("'file'")}},
				{Key: "path", Value: Value{String: ptr("'trips.csv'")}},
				{Key: "header", Value: Value{Word: ptr("true")}},
				{Key: "rows", Value: Value{Number: ptr("1000")}},
				{Key: "rate", Value: Value{Number: ptr("-1.5")}},
				{Key: "format", Value: Value{Word: ptr("csv")}},
				{Key: "fields.zone.kind", Value: Value{String: ptr("'sequence'")}},
				{Key: "idle.timeout", Value: Value{Number: ptr("5s")}},
				{Key: "null", Value: Value{Word: ptr("NULL")}},
			},
		}}},
	},
	{"create stream without columns",
		"CREATE STREAM bids WITH (connector = 'nexmark', table = 'bid', events = 1000000, " +
			"pace = false)",
		[]*Statement{{CreateStream: &CreateStream{Name: qname("bids"), Options: []*Option{
			{Key: "connector", Value: Value{String: ptr("'nexmark'")}},
			{Key: "table", Value: Value{String: ptr("'bid'")}},
			{Key: "events", Value: Value{Number: ptr("1000000")}},
			{Key: "pace", Value: Value{Word: ptr("false")}},
		}}}},
	},
	{"create stream if not exists",
		"create stream if not exists \"My Stream\" (\"Ts\" timestamp, value double)",
		[]*Statement{{CreateStream: &CreateStream{IfNotExists: true,
			Name: QualifiedName{Parts: []Ident{qid("My Stream")}},
			Elements: []*TableElement{
				{Column: &ColumnDef{Name: qid("Ts"), Type: &TypeName{Name: "timestamp"}}},
				{Column: &ColumnDef{Name: id("value"), Type: &TypeName{Name: "double"}}},
			}}}},
	},
	{"create or replace stream", "CREATE OR REPLACE STREAM s (a BIGINT NOT NULL)",
		[]*Statement{{CreateStream: &CreateStream{OrReplace: true, Name: qname("s"),
			Elements: []*TableElement{{Column: &ColumnDef{Name: id("a"),
				Type: &TypeName{Name: "BIGINT"}, NotNull: true}}}}}},
	},
	{"create stream with unreserved column names", "CREATE STREAM e (time BIGINT, " +
		"timestamp TIMESTAMP, user VARCHAR, value DOUBLE, key VARCHAR, window BIGINT, " +
		"count BIGINT, start TIMESTAMP, date TIMESTAMP, WATERMARK FOR timestamp AS timestamp)",
		[]*Statement{{CreateStream: &CreateStream{Name: qname("e"), Elements: []*TableElement{
			{Column: &ColumnDef{Name: id("time"), Type: &TypeName{Name: "BIGINT"}}},
			{Column: &ColumnDef{Name: id("timestamp"), Type: &TypeName{Name: "TIMESTAMP"}}},
			{Column: &ColumnDef{Name: id("user"), Type: &TypeName{Name: "VARCHAR"}}},
			{Column: &ColumnDef{Name: id("value"), Type: &TypeName{Name: "DOUBLE"}}},
			{Column: &ColumnDef{Name: id("key"), Type: &TypeName{Name: "VARCHAR"}}},
			{Column: &ColumnDef{Name: id("window"), Type: &TypeName{Name: "BIGINT"}}},
			{Column: &ColumnDef{Name: id("count"), Type: &TypeName{Name: "BIGINT"}}},
			{Column: &ColumnDef{Name: id("start"), Type: &TypeName{Name: "TIMESTAMP"}}},
			{Column: &ColumnDef{Name: id("date"), Type: &TypeName{Name: "TIMESTAMP"}}},
			{Watermark: &Watermark{Column: id("timestamp"), Expr: col("timestamp")}},
		}}}},
	},
	{"drop stream", "DROP STREAM trips",
		[]*Statement{{DropStream: &DropStream{Name: qname("trips")}}}},
	{"drop stream if exists", "drop stream if exists nexmark.bid",
		[]*Statement{{DropStream: &DropStream{IfExists: true, Name: qname("nexmark", "bid")}}}},
	{"set =", "SET late_file = 'late.csv'",
		[]*Statement{{Set: &Set{Name: "late_file", Value: Value{String: ptr("'late.csv'")}}}}},
	{"set to", "SET batch_size TO 5",
		[]*Statement{{Set: &Set{Name: "batch_size", Value: Value{Number: ptr("5")}}}}},
	{"set dotted word", "set exec.mode = fast",
		[]*Statement{{Set: &Set{Name: "exec.mode", Value: Value{Word: ptr("fast")}}}}},
	{"show streams", "SHOW STREAMS", []*Statement{{Show: &Show{What: "STREAMS"}}}},
	{"show functions", "show functions", []*Statement{{Show: &Show{What: "functions"}}}},
	{"describe", "DESCRIBE trips", []*Statement{{Describe: &Describe{Name: ptr(qname("trips"))}}}},
	{"desc", "desc nexmark.bid",
		[]*Statement{{Describe: &Describe{Name: ptr(qname("nexmark", "bid"))}}}},
	{"describe a stream named table", "DESCRIBE table",
		[]*Statement{{Describe: &Describe{Name: ptr(qname("table"))}}}},
	{"describe a query", "DESCRIBE SELECT a, 2 ^ 3 AS p FROM t",
		[]*Statement{{Describe: &Describe{Query: &Query{Select: &Select{
			Items: []*SelectItem{{Expr: col("a")},
				{Expr: bin("^", num(2), num(3)), Alias: ptr(id("p"))}},
			From: from(col("t"))}}}}}},
	{"describe a query in parentheses", "DESC (SELECT 1 UNION ALL SELECT 2)",
		[]*Statement{{Describe: &Describe{Query: &Query{Select: sel(num(1)),
			Union: []*Select{sel(num(2))}}}}}},
	{"describe a query with CTEs", "DESCRIBE WITH c AS (SELECT 1 AS x) SELECT x FROM c",
		[]*Statement{{Describe: &Describe{Query: &Query{
			With: []*CTE{{Name: id("c"), Query: &Query{Select: &Select{
				Items: []*SelectItem{{Expr: num(1), Alias: ptr(id("x"))}}}}}},
			Select: &Select{Items: []*SelectItem{{Expr: col("x")}},
				From: from(col("c"))}}}}}},
	{"describe a file", "DESCRIBE 'trips.csv'",
		[]*Statement{{Describe: &Describe{Query: &Query{Select: &Select{
			Items: []*SelectItem{{Expr: &Star{}}}, From: from(str("trips.csv"))}}}}}},
	{"describe table a file", "describe table 'it''s.csv'",
		[]*Statement{{Describe: &Describe{Query: &Query{Select: &Select{
			Items: []*SelectItem{{Expr: &Star{}}}, From: from(str("it's.csv"))}}}}}},
	{"explain", "EXPLAIN SELECT 1",
		[]*Statement{{Explain: &Explain{Query: &Query{Select: sel(num(1))}}}}},
	{"explain analyze", "EXPLAIN ANALYZE SELECT a FROM t",
		[]*Statement{{Explain: &Explain{Analyze: true, Query: &Query{Select: &Select{
			Items: []*SelectItem{{Expr: col("a")}}, From: from(col("t"))}}}}}},

	{"every clause", `SELECT DISTINCT zone, count(*) AS trips, avg(fare) avg_fare
FROM trips AS t
WHERE fare > 0
GROUP BY zone, TUMBLE(pickup, 15m)
HAVING count(*) > 1
QUALIFY row_number() OVER (PARTITION BY zone ORDER BY trips DESC) <= 3
ALLOWED LATENESS 1m
EMIT EVERY 10s
ORDER BY trips DESC NULLS FIRST, zone ASC, avg_fare NULLS LAST
LIMIT 10 OFFSET 5`,
		[]*Statement{{Query: &Query{Select: &Select{
			Distinct: true,
			Items: []*SelectItem{
				{Expr: col("zone")},
				{Expr: &Call{Name: id("count"), Star: true}, Alias: ptr(id("trips"))},
				{Expr: call("avg", col("fare")), Alias: ptr(id("avg_fare"))},
			},
			From:    &FromItem{Source: col("trips"), Alias: ptr(id("t"))},
			Where:   bin(">", col("fare"), num(0)),
			GroupBy: []Expr{col("zone"), call("TUMBLE", col("pickup"), interval("15m", 15*60e6))},
			Having:  bin(">", &Call{Name: id("count"), Star: true}, num(1)),
			Qualify: bin("<=", &Call{Name: id("row_number"), Over: &WindowSpec{
				PartitionBy: []Expr{col("zone")},
				OrderBy:     []OrderItem{order(col("trips"), true)},
			}}, num(3)),
			Lateness: interval("1m", 60e6),
			Emit:     &Emit{Every: interval("10s", 10e6)},
			OrderBy: []*OrderItem{
				{Expr: col("trips"), Desc: true, Nulls: ptr("FIRST")},
				{Expr: col("zone")},
				{Expr: col("avg_fare"), Nulls: ptr("LAST")},
			},
			Limit:  ptr(int64(10)),
			Offset: ptr(int64(5)),
		}}}},
	},
	{"emit final", "SELECT a FROM t GROUP BY a EMIT FINAL",
		[]*Statement{query(&Select{Items: []*SelectItem{{Expr: col("a")}}, From: from(col("t")),
			GroupBy: []Expr{col("a")}, Emit: &Emit{Final: true}})}},
	{"emit changes", "SELECT count(*) FROM t EMIT CHANGES LIMIT 3",
		[]*Statement{query(&Select{Items: []*SelectItem{{Expr: &Call{Name: id("count"),
			Star: true}}}, From: from(col("t")), Emit: &Emit{Changes: true},
			Limit: ptr(int64(3))})}},
	{"allowed lateness right after FROM", "SELECT a FROM t ALLOWED LATENESS INTERVAL '1' MINUTE",
		[]*Statement{query(&Select{Items: []*SelectItem{{Expr: col("a")}}, From: from(col("t")),
			Lateness: interval("'1' MINUTE", 60e6)})}},
	{"alias allowed", "SELECT a FROM t allowed",
		[]*Statement{query(&Select{Items: []*SelectItem{{Expr: col("a")}},
			From: &FromItem{Source: col("t"), Alias: ptr(id("allowed"))}})}},
	{"select star", "SELECT * FROM t", []*Statement{query(&Select{
		Items: []*SelectItem{{Expr: &Star{}}}, From: from(col("t"))})}},
	{"select without FROM", "SELECT 1 + 1 AS two", []*Statement{query(&Select{
		Items: []*SelectItem{{Expr: bin("+", num(1), num(1)), Alias: ptr(id("two"))}}})}},
	{"unreserved words as names", "SELECT time, timestamp, user, value, key, window, " +
		"count, start, date, count(*) AS count FROM window WHERE user = 'x' GROUP BY key, date",
		[]*Statement{query(&Select{
			Items: []*SelectItem{{Expr: col("time")}, {Expr: col("timestamp")},
				{Expr: col("user")}, {Expr: col("value")}, {Expr: col("key")},
				{Expr: col("window")}, {Expr: col("count")}, {Expr: col("start")},
				{Expr: col("date")},
				{Expr: &Call{Name: id("count"), Star: true}, Alias: ptr(id("count"))}},
			From:    from(col("window")),
			Where:   bin("=", col("user"), str("x")),
			GroupBy: []Expr{col("key"), col("date")},
		})}},
	{"unreserved words as aliases", "SELECT a AS time, b user, c AS window FROM t AS date",
		[]*Statement{query(&Select{
			Items: []*SelectItem{{Expr: col("a"), Alias: ptr(id("time"))},
				{Expr: col("b"), Alias: ptr(id("user"))},
				{Expr: col("c"), Alias: ptr(id("window"))}},
			From: &FromItem{Source: col("t"), Alias: ptr(id("date"))},
		})}},
	{"quoted names keep case", `SELECT "Fare", fare, "select" AS "From" FROM "Trips"`,
		[]*Statement{query(&Select{
			Items: []*SelectItem{
				{Expr: &ColumnRef{Parts: []Ident{qid("Fare")}}},
				{Expr: col("fare")},
				{Expr: &ColumnRef{Parts: []Ident{qid("select")}}, Alias: ptr(qid("From"))},
			},
			From: from(&ColumnRef{Parts: []Ident{qid("Trips")}}),
		})}},
	{"qualified stream", "SELECT b.price FROM nexmark.bid AS b", []*Statement{query(&Select{
		Items: []*SelectItem{{Expr: col("b", "price")}},
		From:  &FromItem{Source: col("nexmark", "bid"), Alias: ptr(id("b"))},
	})}},

	{"with CTEs", "WITH big AS (SELECT * FROM bids WHERE price > 100), " +
		"small AS (SELECT * FROM bids) SELECT count(*) FROM big",
		[]*Statement{{Query: &Query{
			With: []*CTE{
				{Name: id("big"), Query: &Query{Select: &Select{
					Items: []*SelectItem{{Expr: &Star{}}}, From: from(col("bids")),
					Where: bin(">", col("price"), num(100))}}},
				{Name: id("small"), Query: &Query{Select: &Select{
					Items: []*SelectItem{{Expr: &Star{}}}, From: from(col("bids"))}}},
			},
			Select: &Select{Items: []*SelectItem{{Expr: &Call{Name: id("count"), Star: true}}},
				From: from(col("big"))},
		}}},
	},
	{"subquery in FROM", "SELECT s.a FROM (SELECT a FROM t) AS s", []*Statement{query(&Select{
		Items: []*SelectItem{{Expr: col("s", "a")}},
		From: &FromItem{Subquery: &Query{Select: &Select{
			Items: []*SelectItem{{Expr: col("a")}}, From: from(col("t"))}},
			Alias: ptr(id("s"))},
	})}},
	{"subquery without alias", "SELECT * FROM (SELECT 1)", []*Statement{query(&Select{
		Items: []*SelectItem{{Expr: &Star{}}},
		From:  &FromItem{Subquery: &Query{Select: sel(num(1))}},
	})}},
	{"union all", "SELECT a FROM t UNION ALL SELECT a FROM u UNION ALL SELECT 1",
		[]*Statement{{Query: &Query{
			Select: &Select{Items: []*SelectItem{{Expr: col("a")}}, From: from(col("t"))},
			Union: []*Select{
				{Items: []*SelectItem{{Expr: col("a")}}, From: from(col("u"))},
				sel(num(1)),
			},
		}}}},
	{"FROM a file", "SELECT * FROM 'trips.csv'", []*Statement{query(&Select{
		Items: []*SelectItem{{Expr: &Star{}}}, From: from(str("trips.csv"))})}},
	{"FROM read_csv", "SELECT * FROM read_csv('f.csv', header => true)",
		[]*Statement{query(&Select{Items: []*SelectItem{{Expr: &Star{}}},
			From: from(&Call{Name: id("read_csv"), Args: []Expr{str("f.csv")},
				Named: []NamedArg{{Name: id("header"), Value: boolLit(true)}}})})}},
	{"FROM read_csv with name = value", "SELECT * FROM read_csv('f.csv', header = true, " +
		"delim = ';', null = '-', NULL => 'NA')",
		[]*Statement{query(&Select{Items: []*SelectItem{{Expr: &Star{}}},
			From: from(&Call{Name: id("read_csv"), Args: []Expr{str("f.csv")},
				Named: []NamedArg{{Name: id("header"), Value: boolLit(true)},
					{Name: id("delim"), Value: str(";")}, {Name: id("null"), Value: str("-")},
					{Name: id("NULL"), Value: str("NA")}}})})}},
	{"FROM TABLE(TUMBLE)", "SELECT window_start, window_end, count(*) " +
		"FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(ts), INTERVAL '10' SECOND)) " +
		"GROUP BY window_start, window_end",
		[]*Statement{query(&Select{
			Items: []*SelectItem{{Expr: col("window_start")}, {Expr: col("window_end")},
				{Expr: &Call{Name: id("count"), Star: true}}},
			From: from(call("TABLE", call("TUMBLE", tableArg("bid"),
				call("DESCRIPTOR", col("ts")), interval("'10' SECOND", 10e6)))),
			GroupBy: []Expr{col("window_start"), col("window_end")},
		})}},
	{"FROM TABLE(HOP)", "SELECT * FROM TABLE(HOP(TABLE nexmark.bid, DESCRIPTOR(dateTime), " +
		"INTERVAL '2' SECOND, INTERVAL '10' SECOND))",
		[]*Statement{query(&Select{Items: []*SelectItem{{Expr: &Star{}}},
			From: from(call("TABLE", call("HOP",
				&TableArg{Name: qname("nexmark", "bid")},
				call("DESCRIPTOR", col("dateTime")),
				interval("'2' SECOND", 2e6), interval("'10' SECOND", 10e6))))})}},
	{"FROM TABLE(SESSION) with PARTITION BY",
		"SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts), " +
			"INTERVAL '5' MINUTE))",
		[]*Statement{query(&Select{Items: []*SelectItem{{Expr: &Star{}}},
			From: from(call("TABLE", call("SESSION", tableArg("t", col("k")),
				call("DESCRIPTOR", col("ts")), interval("'5' MINUTE", 5*60e6))))})}},
	{"SESSION with two keys", "SELECT * FROM TABLE(SESSION(TABLE t PARTITION BY k1, k2, " +
		"DESCRIPTOR(ts), 5m))",
		[]*Statement{query(&Select{Items: []*SelectItem{{Expr: &Star{}}},
			From: from(call("TABLE", call("SESSION", tableArg("t", col("k1"), col("k2")),
				call("DESCRIPTOR", col("ts")), interval("5m", 5*60e6))))})}},

	{"comments", "-- leading\nSELECT /* inline */ a -- trailing\nFROM t /* two\nlines */ " +
		"WHERE a > 1 -- end",
		[]*Statement{query(&Select{Items: []*SelectItem{{Expr: col("a")}}, From: from(col("t")),
			Where: bin(">", col("a"), num(1))})}},
	{"several statements", "SELECT 1; SELECT 2;\n;\nSELECT 3;;",
		[]*Statement{query(sel(num(1))), query(sel(num(2))), query(sel(num(3)))}},
	{"script", "CREATE STREAM s (a BIGINT);\nSELECT a FROM s;\nDROP STREAM s",
		[]*Statement{
			{CreateStream: &CreateStream{Name: qname("s"), Elements: []*TableElement{
				{Column: &ColumnDef{Name: id("a"), Type: &TypeName{Name: "BIGINT"}}}}}},
			query(&Select{Items: []*SelectItem{{Expr: col("a")}}, From: from(col("s"))}),
			{DropStream: &DropStream{Name: qname("s")}},
		}},
	{"empty script", "", nil},
	{"only comments and semicolons", "-- nothing\n;; /* here */ ;", nil},
	{"keywords in any case", "sElEcT DiStInCt a FrOm t WhErE b Is NoT nUlL aNd c BeTwEeN 1 " +
		"AnD 2 GrOuP bY a HaViNg CoUnT(*) > 1 eMiT cHaNgEs OrDeR bY a DeSc NuLlS fIrSt " +
		"LiMiT 1",
		[]*Statement{query(&Select{
			Distinct: true,
			Items:    []*SelectItem{{Expr: col("a")}},
			From:     from(col("t")),
			Where: bin("AND", &IsNull{X: col("b"), Not: true},
				&Between{X: col("c"), Lo: num(1), Hi: num(2)}),
			GroupBy: []Expr{col("a")},
			Having:  bin(">", &Call{Name: id("CoUnT"), Star: true}, num(1)),
			Emit:    &Emit{Changes: true},
			OrderBy: []*OrderItem{{Expr: col("a"), Desc: true, Nulls: ptr("fIrSt")}},
			Limit:   ptr(int64(1)),
		})}},
}

func TestParseStatements(t *testing.T) {
	for _, tc := range statementTests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.sql)
			require.NoError(t, err)
			require.Equal(t, tc.want, clearPos(got))
		})
	}
}

func TestOptionText(t *testing.T) {
	stmts, err := Parse("CREATE STREAM s WITH (path = 'it''s.csv', n = -5, d = 5s, " +
		"header = TRUE, 'fields.x.values' = 'a,b', Format = CSV)")
	require.NoError(t, err)
	got := map[string]string{}
	for _, o := range stmts[0].CreateStream.Options {
		got[o.Key] = o.Value.Text()
	}
	require.Equal(t, map[string]string{"path": "it's.csv", "n": "-5", "d": "5s", "header": "TRUE",
		"fields.x.values": "a,b", "Format": "CSV"}, got)

	// Reserved words may be keys: the file connector's null option is one.
	stmts, err = Parse("CREATE STREAM s WITH (null = '-', on_error = 'fail')")
	require.NoError(t, err)
	require.Equal(t, "null", stmts[0].CreateStream.Options[0].Key)
	require.Equal(t, "-", stmts[0].CreateStream.Options[0].Value.Text())
}

func TestNamesMatch(t *testing.T) {
	q := parseQuery(t, `SELECT "Fare" AS "Price", fare AS Cost FROM Trips`)
	items := q.Select.Items
	fare := items[0].Expr.(*ColumnRef).Name()
	require.True(t, fare.Quoted)
	require.True(t, fare.Matches("Fare"))
	require.False(t, fare.Matches("fare"))
	require.True(t, items[0].Alias.Matches("Price"))
	require.False(t, items[0].Alias.Matches("PRICE"))

	unquoted := items[1].Expr.(*ColumnRef).Name()
	require.False(t, unquoted.Quoted)
	require.True(t, unquoted.Matches("FARE"))
	require.True(t, unquoted.Matches("Fare"))
	require.Equal(t, "Cost", items[1].Alias.Name, "an unquoted name keeps its case")
	require.True(t, items[1].Alias.Matches("cost"))
	require.True(t, q.Select.From.Source.(*ColumnRef).Name().Matches("trips"))
}

// TestFromFirst is DuckDB's FROM-first form, which weir does not read yet.
func TestFromFirst(t *testing.T) {
	t.Skip("TODO(parser): DuckDB's FROM-first form (FROM 'trips.csv' as a whole query) is " +
		"not in the grammar; SELECT * FROM 'trips.csv' is")
	requireRoundTrip(t, "FROM 'trips.csv'")
}

func TestKeywordsAnyCase(t *testing.T) {
	tests := [][]string{
		{"SELECT a FROM t WHERE b IS NOT NULL ORDER BY a DESC LIMIT 1",
			"select a from t where b is not null order by a desc limit 1",
			"Select a From t Where b Is Not Null Order By a Desc Limit 1"},
		{"CREATE STREAM s (a BIGINT, WATERMARK FOR a AS a) WITH (connector = 'file')",
			"create stream s (a BIGINT, watermark for a as a) with (connector = 'file')"},
		{"EXPLAIN ANALYZE SELECT 1", "explain analyze select 1"},
		{"DROP STREAM IF EXISTS s", "drop stream if exists s"},
		{"SET x TO 1", "set x to 1"},
		{"SELECT CAST(a AS BIGINT), a::BIGINT, INTERVAL '5' SECOND FROM t",
			"select cast(a as bigint), a::bigint, interval '5' second from t"},
		{"SELECT * FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), 1m)) EMIT FINAL",
			"select * from table(tumble(table t, descriptor(ts), 1m)) emit final"},
	}
	for _, forms := range tests {
		t.Run(forms[0], func(t *testing.T) {
			want, err := Parse(forms[0])
			require.NoError(t, err)
			for _, sql := range forms[1:] {
				got, err := Parse(sql)
				require.NoError(t, err, sql)
				require.Equal(t, normalizeCase(clearPos(want)), normalizeCase(clearPos(got)),
					sql)
			}
		})
	}
}

// normalizeCase prints, in lower case, what of the statements has a printer, and adds the
// other fields that TestKeywordsAnyCase varies.
func normalizeCase(stmts []*Statement) []string {
	var out []string
	for _, st := range stmts {
		_, texts := printable(st)
		for _, text := range texts {
			out = append(out, strings.ToLower(text))
		}
		switch {
		case st.CreateStream != nil:
			out = append(out, st.CreateStream.Name.String())
		case st.DropStream != nil:
			out = append(out, "drop", st.DropStream.Name.String())
		case st.Set != nil:
			out = append(out, "set", st.Set.Name, st.Set.Value.Text())
		case st.Explain != nil:
			if st.Explain.Analyze {
				out = append(out, "analyze")
			}
		}
	}
	return out
}

func TestStatementPositions(t *testing.T) {
	stmts, err := Parse("SELECT a\nFROM t\nWHERE x > 1;\n  SELECT 2;\nCREATE STREAM s (\n" +
		"  a BIGINT,\n  WATERMARK FOR a AS a - 5\n)")
	require.NoError(t, err)
	require.Len(t, stmts, 3)

	q := stmts[0].Query
	require.Equal(t, Pos{Offset: 0, Line: 1, Column: 1}, stmts[0].Pos)
	require.Equal(t, Pos{Offset: 0, Line: 1, Column: 1}, q.Select.Pos)
	require.Equal(t, Pos{Offset: 7, Line: 1, Column: 8}, q.Select.Items[0].Expr.Position())
	require.Equal(t, Pos{Offset: 14, Line: 2, Column: 6}, q.Select.From.Source.Position())
	require.Equal(t, Pos{Offset: 24, Line: 3, Column: 9}, q.Select.Where.Position())
	require.Equal(t, Pos{Offset: 22, Line: 3, Column: 7},
		q.Select.Where.(*Binary).L.Position())
	require.Equal(t, Pos{Offset: 27, Line: 3, Column: 12}, stmts[0].EndPos)

	require.Equal(t, Pos{Offset: 31, Line: 4, Column: 3}, stmts[1].Pos)
	require.Equal(t, Pos{Offset: 38, Line: 4, Column: 10},
		stmts[1].Query.Select.Items[0].Expr.Position())

	cs := stmts[2].CreateStream
	require.Equal(t, 5, stmts[2].Pos.Line)
	require.Equal(t, Pos{Offset: 61, Line: 6, Column: 3}, cs.Elements[0].Column.Pos)
	require.Equal(t, Pos{Offset: 63, Line: 6, Column: 5}, cs.Elements[0].Column.Type.Pos)
	wm := cs.Elements[1].Watermark
	require.Equal(t, Pos{Offset: 73, Line: 7, Column: 3}, wm.Pos)
	require.Equal(t, Pos{Offset: 94, Line: 7, Column: 24}, wm.Expr.Position())
}
