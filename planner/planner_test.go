package planner

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
)

// tripsCSV is the small stream most tests read: six trips over three minutes, with a NULL
// zone, a NULL fare and a NULL name.
const tripsCSV = `pickup,zone,fare,name,epoch
2024-01-01T00:00:10Z,1,10,a,1704067210
2024-01-01T00:00:20Z,2,5.5,b,1704067220
2024-01-01T00:00:50Z,1,,c,1704067250
2024-01-01T00:01:05Z,2,7,,1704067265
2024-01-01T00:01:30Z,,3,e,1704067290
2024-01-01T00:02:10Z,1,-2,f,1704067330
`

// fixture is a catalog, a registry and a checked allocator, with files in a temporary folder.
type fixture struct {
	t   *testing.T
	dir string
	mem *memory.CheckedAllocator
	cat *Catalog
	reg *functions.Registry
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{
		t:   t,
		dir: t.TempDir(),
		mem: memory.NewCheckedAllocator(memory.NewGoAllocator()),
		cat: NewCatalog(),
		reg: functions.NewRegistry(),
	}
	t.Cleanup(func() { f.mem.AssertSize(t, 0) })
	return f
}

// tripsFixture has the stream trips over tripsCSV, with a 5-second watermark delay.
func tripsFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	f.create(`CREATE STREAM trips (pickup TIMESTAMP, zone BIGINT, fare DOUBLE, name VARCHAR,
		epoch BIGINT, WATERMARK FOR pickup AS pickup - INTERVAL '5' SECOND)
		WITH (connector = 'file', path = '` + f.file("trips.csv", tripsCSV) + `')`)
	return f
}

// file writes content to name in the fixture's folder and returns its path, quoted for SQL.
func (f *fixture) file(name, content string) string {
	f.t.Helper()
	path := filepath.Join(f.dir, name)
	require.NoError(f.t, os.WriteFile(path, []byte(content), 0o644))
	return strings.ReplaceAll(path, "'", "''")
}

// createErr runs one CREATE STREAM and adds the stream to the catalog.
func (f *fixture) createErr(sql string) error {
	f.t.Helper()
	stmts, err := parser.Parse(sql)
	require.NoError(f.t, err, sql)
	require.Len(f.t, stmts, 1)
	require.NotNil(f.t, stmts[0].CreateStream, sql)
	s, err := CreateStream(stmts[0].CreateStream, f.reg)
	if err != nil {
		return err
	}
	return f.cat.Add(s, false)
}

func (f *fixture) create(sql string) {
	f.t.Helper()
	require.NoError(f.t, f.createErr(sql), sql)
}

// plan plans one SELECT.
func (f *fixture) plan(sql string) (*Plan, *exec.Stats, error) {
	f.t.Helper()
	stmts, err := parser.Parse(sql)
	require.NoError(f.t, err, sql)
	require.Len(f.t, stmts, 1)
	require.NotNil(f.t, stmts[0].Query, sql)
	stats := &exec.Stats{}
	p, err := PlanQuery(stmts[0].Query, &Context{Catalog: f.cat, Registry: f.reg,
		Env: &exec.Env{Mem: f.mem, Stats: stats}})
	return p, stats, err
}

// run plans and drains a query, closes it, checks that it left no memory behind, and returns
// its column names and its rows, each printed as `v1 | v2 | ...`.
func (f *fixture) run(sql string) (cols, rows []string, stats *exec.Stats) {
	f.t.Helper()
	p, stats, err := f.plan(sql)
	require.NoError(f.t, err, sql)
	for _, fd := range p.Root.Schema().Fields() {
		cols = append(cols, fd.Name)
	}
	ctx := context.Background()
	defer p.Root.Close() // on a failed check too; Close is idempotent
	require.NoError(f.t, p.Root.Open(ctx))
	for {
		b, err := p.Root.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(f.t, err, sql)
		require.True(f.t, b.Schema().Equal(p.Root.Schema()), "batch schema %s", b.Schema())
		rows = append(rows, printRows(b)...)
		b.Release()
	}
	require.NoError(f.t, p.Root.Close())
	require.NoError(f.t, p.Root.Close(), "Close is idempotent")
	f.mem.AssertSize(f.t, 0)
	return cols, rows, stats
}

func printRows(b arrow.RecordBatch) []string {
	var out []string
	for i := 0; i < int(b.NumRows()); i++ {
		vals := make([]string, b.NumCols())
		for j, col := range b.Columns() {
			vals[j] = printValue(col, i)
		}
		out = append(out, strings.Join(vals, " | "))
	}
	return out
}

func printValue(a arrow.Array, i int) string {
	if a.IsNull(i) || a.DataType().ID() == arrow.NULL {
		return "NULL"
	}
	switch a := a.(type) {
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Float64:
		return functions.FormatDouble(a.Value(i))
	case *array.String:
		return a.Value(i)
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i))
	case *array.Timestamp:
		return functions.FormatTimestamp(int64(a.Value(i)))
	case *array.Duration:
		return strconv.FormatInt(int64(a.Value(i)), 10) + "us"
	}
	return "?" + a.DataType().String()
}

func TestPlanErrors(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		kind error
		msg  string // the whole message, position included
	}{
		{
			name: "unknown column with suggestion",
			sql:  `SELECT fair FROM trips`,
			kind: ErrUnknownColumn,
			msg:  `1:8: unknown column "fair" (did you mean "fare"?)`,
		},
		{
			name: "unknown column without suggestion",
			sql:  `SELECT zone, xyzzy FROM trips`,
			kind: ErrUnknownColumn,
			msg:  `1:14: unknown column "xyzzy"`,
		},
		{
			name: "unknown column in WHERE",
			sql:  `SELECT zone FROM trips WHERE nmae = 'a'`,
			kind: ErrUnknownColumn,
			msg:  `1:30: unknown column "nmae" (did you mean "name"?)`,
		},
		{
			name: "unknown column in GROUP BY",
			sql:  `SELECT count(*) FROM trips GROUP BY zome`,
			kind: ErrUnknownColumn,
			msg:  `1:37: unknown column "zome" (did you mean "zone"?)`,
		},
		{
			name: "unknown column in an aggregate",
			sql:  `SELECT sum(fares) FROM trips`,
			kind: ErrUnknownColumn,
			msg:  `1:12: unknown column "fares" (did you mean "fare"?)`,
		},
		{
			name: "unknown column on the second line",
			sql:  "SELECT zone,\n       fair\nFROM trips",
			kind: ErrUnknownColumn,
			msg:  `2:8: unknown column "fair" (did you mean "fare"?)`,
		},
		{
			name: "unknown quoted column",
			sql:  `SELECT "Zone" FROM trips`,
			kind: ErrUnknownColumn,
			msg:  `1:8: unknown column "Zone" (did you mean "zone"?)`,
		},
		{
			name: "unknown stream with suggestion",
			sql:  `SELECT fare FROM trip`,
			kind: ErrUnknownStream,
			msg:  `1:18: unknown stream "trip" (did you mean "trips"?)`,
		},
		{
			name: "unknown stream without suggestion",
			sql:  `SELECT fare FROM bids`,
			kind: ErrUnknownStream,
			msg:  `1:18: unknown stream "bids"`,
		},
		{
			name: "unknown function with suggestion",
			sql:  `SELECT cuont(*) FROM trips`,
			kind: ErrUnknownFunction,
			msg:  `1:8: unknown function "cuont" (did you mean "count"?)`,
		},
		{
			name: "unknown scalar function with suggestion",
			sql:  `SELECT lowr(name) FROM trips`,
			kind: ErrUnknownFunction,
			msg:  `1:8: unknown function "lowr" (did you mean "lower"?)`,
		},
		{
			name: "arithmetic on VARCHAR",
			sql:  `SELECT zone FROM trips WHERE fare + 'x' > 1`,
			kind: ErrTypeMismatch,
			msg:  `1:35: cannot apply + to DOUBLE and VARCHAR`,
		},
		{
			name: "misspelt window",
			sql:  `SELECT count(*) FROM trips GROUP BY TUMBEL(pickup, 1m)`,
			kind: ErrUnknownFunction,
			msg:  `1:37: unknown function "TUMBEL" (did you mean "tumble"?)`,
		},
		{
			name: "a scalar function's argument type, named once",
			sql:  `SELECT upper(zone) FROM trips`,
			kind: ErrTypeMismatch,
			msg:  `1:8: upper expects a VARCHAR argument, got BIGINT`,
		},
		{
			name: "comparing DOUBLE with VARCHAR",
			sql:  `SELECT zone FROM trips WHERE fare = 'x'`,
			kind: ErrTypeMismatch,
			msg:  `1:35: cannot compare DOUBLE and VARCHAR`,
		},
		{
			name: "AND of a number",
			sql:  `SELECT zone FROM trips WHERE zone = 1 AND fare`,
			kind: ErrTypeMismatch,
			msg:  `1:39: AND expects BOOLEAN operands, got DOUBLE`,
		},
		{
			name: "type error in IN",
			sql:  `SELECT zone FROM trips WHERE zone IN (1, 'a')`,
			kind: ErrTypeMismatch,
			msg:  `1:42: cannot compare BIGINT and VARCHAR`,
		},
		{
			name: "non-boolean WHERE",
			sql:  `SELECT zone FROM trips WHERE fare`,
			kind: ErrTypeMismatch,
			msg:  `1:30: WHERE needs a BOOLEAN condition, got DOUBLE`,
		},
		{
			name: "non-boolean HAVING",
			sql:  `SELECT zone FROM trips GROUP BY zone HAVING count(*)`,
			kind: ErrTypeMismatch,
			msg:  `1:45: HAVING needs a BOOLEAN condition, got BIGINT`,
		},
		{
			name: "NOT of a number",
			sql:  `SELECT zone FROM trips WHERE NOT fare`,
			kind: ErrTypeMismatch,
			msg:  `1:30: NOT expects BOOLEAN, got DOUBLE`,
		},
		{
			name: "sum of VARCHAR",
			sql:  `SELECT sum(name) FROM trips`,
			kind: ErrTypeMismatch,
			msg:  `1:8: sum expects a numeric argument, got VARCHAR`,
		},
		{
			name: "TUMBLE over a number",
			sql:  `SELECT count(*) FROM trips GROUP BY TUMBLE(fare, 1m)`,
			kind: ErrTypeMismatch,
			msg: `1:44: the time argument of TUMBLE must be a TIMESTAMP, got DOUBLE ` +
				`(convert epoch seconds with to_timestamp(fare))`,
		},
		{
			name: "TUMBLE over epoch seconds",
			sql:  `SELECT count(*) FROM trips GROUP BY TUMBLE(epoch, 1m)`,
			kind: ErrTypeMismatch,
			msg: `1:44: the time argument of TUMBLE must be a TIMESTAMP, got BIGINT ` +
				`(convert epoch seconds with to_timestamp(epoch))`,
		},
		{
			name: "TUMBLE size that is no interval",
			sql:  `SELECT count(*) FROM trips GROUP BY TUMBLE(pickup, 60)`,
			kind: ErrInvalid,
			msg: `1:52: the window size must be an interval such as INTERVAL '1' MINUTE ` +
				`or 1m, got 60`,
		},
		{
			name: "two windows",
			sql:  `SELECT count(*) FROM trips GROUP BY TUMBLE(pickup, 1m), TUMBLE(pickup, 2m)`,
			kind: ErrInvalid,
			msg:  `1:57: a query has one window; TUMBLE is a second`,
		},
		{
			name: "window outside GROUP BY",
			sql:  `SELECT TUMBLE(pickup, 1m) FROM trips`,
			kind: ErrInvalid,
			msg:  `1:8: window TUMBLE belongs in GROUP BY`,
		},
		{
			name: "aggregate in WHERE",
			sql:  `SELECT zone FROM trips WHERE sum(fare) > 1`,
			kind: ErrInvalid,
			msg:  `1:30: aggregate sum(fare) is not allowed in WHERE`,
		},
		{
			name: "aggregate in GROUP BY",
			sql:  `SELECT count(*) FROM trips GROUP BY max(zone)`,
			kind: ErrInvalid,
			msg:  `1:37: aggregate max(zone) is not allowed in GROUP BY`,
		},
		{
			name: "nested aggregates",
			sql:  `SELECT sum(count(*)) FROM trips`,
			kind: ErrInvalid,
			msg:  `1:12: aggregates cannot be nested: sum(count(*))`,
		},
		{
			name: "nested aggregates under a scalar",
			sql:  `SELECT zone, max(abs(min(fare))) FROM trips GROUP BY zone`,
			kind: ErrInvalid,
			msg:  `1:18: aggregates cannot be nested: max(abs(min(fare)))`,
		},
		{
			name: "column neither grouped nor aggregated",
			sql:  `SELECT zone, fare, count(*) FROM trips GROUP BY zone`,
			kind: ErrInvalid,
			msg:  `1:14: column "fare" must appear in GROUP BY or be used in an aggregate function`,
		},
		{
			name: "column beside an aggregate without GROUP BY",
			sql:  `SELECT name, count(*) FROM trips`,
			kind: ErrInvalid,
			msg:  `1:8: column "name" must appear in GROUP BY or be used in an aggregate function`,
		},
		{
			name: "ungrouped column in HAVING",
			sql:  `SELECT zone FROM trips GROUP BY zone HAVING fare > 1`,
			kind: ErrInvalid,
			msg:  `1:45: column "fare" must appear in GROUP BY or be used in an aggregate function`,
		},
		{
			name: "HAVING without GROUP BY",
			sql:  `SELECT zone FROM trips HAVING zone > 1`,
			kind: ErrInvalid,
			msg:  `1:36: HAVING needs GROUP BY or an aggregate`,
		},
		{
			name: "window bound without a window",
			sql:  `SELECT zone, window_start FROM trips GROUP BY zone`,
			kind: ErrUnknownColumn,
			msg:  `1:14: unknown column "window_start"`,
		},
		{
			name: "count without an argument",
			sql:  `SELECT count() FROM trips`,
			kind: ErrInvalid,
			msg:  `1:8: count needs an argument or *`,
		},
		{
			name: "star in sum",
			sql:  `SELECT sum(*) FROM trips`,
			kind: ErrInvalid,
			msg:  `1:8: only count takes *, not sum`,
		},
		{
			name: "qualified by the stream's name under an alias",
			sql:  `SELECT trips.fare FROM trips t`,
			kind: ErrUnknownColumn,
			msg:  `1:8: unknown column "trips.fare" (did you mean "fare"?)`,
		},
		{
			name: "qualified by an unknown name",
			sql:  `SELECT x.fare FROM trips`,
			kind: ErrUnknownColumn,
			msg:  `1:8: unknown column "x.fare" (did you mean "fare"?)`,
		},
		{
			name: "star of an unknown qualifier",
			sql:  `SELECT x.* FROM trips`,
			kind: ErrUnknownStream,
			msg:  `1:8: x.* matches no column`,
		},
		{
			name: "unsupported DISTINCT with GROUP BY",
			sql:  `SELECT DISTINCT zone, count(*) FROM trips GROUP BY zone`,
			kind: ErrUnsupported,
			msg:  `1:1: unsupported: SELECT DISTINCT with GROUP BY or aggregates`,
		},
		{
			name: "unsupported LIMIT on a changelog",
			sql:  `SELECT count(*) FROM trips GROUP BY TUMBLE(pickup, 1m) EMIT CHANGES LIMIT 1`,
			kind: ErrUnsupported,
			msg: `1:1: unsupported: ORDER BY or LIMIT on a changelog ` +
				`(EMIT EVERY, EMIT CHANGES, ALLOWED LATENESS)`,
		},
		{
			name: "unsupported table function",
			sql:  `SELECT * FROM TABLE(generate(1))`,
			kind: ErrUnsupported,
			msg:  `1:21: unsupported: FROM TABLE(generate(...))`,
		},
		{
			name: "unsupported FROM a function",
			sql:  `SELECT * FROM generate(1)`,
			kind: ErrUnsupported,
			msg:  `1:15: unsupported: FROM generate(1)`,
		},
		{
			name: "power of a string",
			sql:  `SELECT name ^ 2 FROM trips`,
			kind: ErrTypeMismatch,
			msg:  `1:13: ^ expects numeric operands, got VARCHAR`,
		},
		{
			name: "power of a timestamp",
			sql:  `SELECT 2 ** pickup FROM trips`,
			kind: ErrTypeMismatch,
			msg:  `1:10: ** expects numeric operands, got TIMESTAMP`,
		},
		{
			name: "a column without FROM",
			sql:  `SELECT 1, zone`,
			kind: ErrUnknownColumn,
			msg:  `1:11: unknown column "zone"`,
		},
		{
			name: "star without FROM",
			sql:  `SELECT *`,
			kind: ErrUnknownStream,
			msg:  `1:8: * matches no column`,
		},
	}
	f := tripsFixture(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := f.plan(tt.sql)
			require.Error(t, err, tt.sql)
			var perr *Error
			require.ErrorAs(t, err, &perr)
			require.ErrorIs(t, err, tt.kind, "%v", err)
			require.Equal(t, tt.msg, err.Error())
		})
	}
}

// TestPlanErrorsNameTheFault checks the words of errors whose tail comes from the function
// registry.
func TestPlanErrorsNameTheFault(t *testing.T) {
	f := tripsFixture(t)
	_, _, err := f.plan(`SELECT sum(name) FROM trips`)
	require.ErrorIs(t, err, ErrTypeMismatch)
	require.Contains(t, err.Error(), "VARCHAR")

	_, _, err = f.plan(`SELECT zone FROM trips WHERE fare + 'x' > 1`)
	require.ErrorIs(t, err, ErrTypeMismatch)
	require.Contains(t, err.Error(), "VARCHAR")

	_, _, err = f.plan(`SELECT count(*) FROM trips GROUP BY TUMBLE(fare, 1m)`)
	require.ErrorIs(t, err, ErrTypeMismatch)
	require.Contains(t, err.Error(), "to_timestamp")
}

func TestCreateStreamErrors(t *testing.T) {
	tests := []struct {
		name string
		sql  string // WITH is appended when the statement has none
		kind error
		msg  string
	}{
		{
			name: "unknown type with suggestion",
			sql:  `CREATE STREAM s (a BIGNT)`,
			kind: ErrInvalid,
			msg:  `1:20: unknown type "BIGNT" (did you mean "BIGINT"?)`,
		},
		{
			name: "unknown type without suggestion",
			sql:  `CREATE STREAM s (a BLOB)`,
			kind: ErrInvalid,
			msg:  `1:20: unknown type "BLOB"`,
		},
		{
			name: "watermark on a BIGINT",
			sql:  `CREATE STREAM s (a BIGINT, WATERMARK FOR a AS a - INTERVAL '5' SECOND)`,
			kind: ErrTypeMismatch,
			msg:  `1:28: WATERMARK FOR a needs a TIMESTAMP column, a is BIGINT`,
		},
		{
			name: "watermark on an unknown column",
			sql:  `CREATE STREAM s (ts TIMESTAMP, WATERMARK FOR tss AS tss)`,
			kind: ErrUnknownColumn,
			msg:  `1:32: unknown column "tss" in WATERMARK (did you mean "ts"?)`,
		},
		{
			name: "watermark of another form",
			sql:  `CREATE STREAM s (ts TIMESTAMP, WATERMARK FOR ts AS ts + INTERVAL '5' SECOND)`,
			kind: ErrUnsupported,
			msg: `1:55: unsupported: watermark ts + INTERVAL '5' SECOND ` +
				`(write ts - INTERVAL '5' SECOND, or ts)`,
		},
		{
			name: "two watermarks",
			sql: `CREATE STREAM s (ts TIMESTAMP, WATERMARK FOR ts AS ts, ` +
				`WATERMARK FOR ts AS ts)`,
			kind: ErrInvalid,
			msg:  `1:56: a stream has one WATERMARK clause`,
		},
		{
			name: "column declared twice",
			sql:  `CREATE STREAM s (a BIGINT, b DOUBLE, A VARCHAR)`,
			kind: ErrInvalid,
			msg:  `1:38: column "A" is declared twice`,
		},
		{
			name: "unknown column in a computed column",
			sql:  `CREATE STREAM s (a BIGINT, b AS aa * 2)`,
			kind: ErrUnknownColumn,
			msg:  `1:33: unknown column "aa" (did you mean "a"?)`,
		},
		{
			name: "type error in a computed column",
			sql:  `CREATE STREAM s (a VARCHAR, b AS a * 2)`,
			kind: ErrTypeMismatch,
			msg:  `1:36: cannot apply * to VARCHAR and BIGINT`,
		},
		{
			name: "unknown connector option with suggestion",
			sql:  `CREATE STREAM s (a BIGINT) WITH (connector = 'file', pth = 'x.csv')`,
			kind: ErrInvalid,
			msg:  `1:54: unknown option "pth" of connector file (did you mean "path"?)`,
		},
		{
			name: "unknown connector option without suggestion",
			sql: `CREATE STREAM s (a BIGINT) WITH (connector = 'file', path = 'x.csv', ` +
				`colour = 'red')`,
			kind: ErrInvalid,
			msg:  `1:70: unknown option "colour" of connector file`,
		},
		{
			name: "unknown connector with suggestion",
			sql:  `CREATE STREAM s (a BIGINT) WITH (connector = 'fiel', path = 'x.csv')`,
			kind: ErrInvalid,
			msg:  `1:34: unknown connector "fiel" (did you mean "file"?)`,
		},
		{
			name: "file without a path",
			sql:  `CREATE STREAM s (a BIGINT) WITH (connector = 'file', format = 'csv')`,
			kind: ErrInvalid,
			msg:  `1:34: connector 'file' needs a path option`,
		},
		{
			name: "two-part stream name",
			sql:  `CREATE STREAM a.b (a BIGINT)`,
			kind: ErrInvalid,
			msg:  `1:15: a stream name has one part, got "a.b"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			sql := tt.sql
			if !strings.Contains(sql, "WITH") {
				sql += ` WITH (connector = 'file', path = 'x.csv')`
			}
			err := f.createErr(sql)
			require.Error(t, err, sql)
			var perr *Error
			require.ErrorAs(t, err, &perr)
			require.ErrorIs(t, err, tt.kind, "%v", err)
			require.True(t, strings.HasPrefix(err.Error(), tt.msg), "got  %v\nwant %s",
				err, tt.msg)
		})
	}
}

func TestCreateStream(t *testing.T) {
	f := newFixture(t)
	stmts, err := parser.Parse(`CREATE STREAM s (Ts TIMESTAMP, epoch BIGINT,
		t2 AS to_timestamp(epoch), v DOUBLE, WATERMARK FOR t2 AS t2 - INTERVAL '1' MINUTE)
		WITH (connector = 'file', PATH = 'x.csv', format = 'csv')`)
	require.NoError(t, err)
	s, err := CreateStream(stmts[0].CreateStream, f.reg)
	require.NoError(t, err)
	require.Equal(t, "s", s.Name)
	require.Equal(t, "t2", s.WatermarkColumn)
	require.Equal(t, int64(60e6), s.Delay)
	require.Equal(t, "x.csv", s.Options["path"])
	require.Equal(t, arrow.TIMESTAMP, s.Columns[2].Type.ID(), "a computed column is typed")
	var names []string
	for _, fd := range s.PhysicalSchema().Fields() {
		names = append(names, fd.Name)
	}
	require.Equal(t, []string{"Ts", "epoch", "v"}, names, "computed columns are not read")
}

// TestAmbiguousColumn checks a name that two columns of a scope answer to. One stream gives
// no such scope yet (joins will), so the scope is made by hand.
func TestAmbiguousColumn(t *testing.T) {
	sc := &scope{cols: []scopeColumn{
		{name: "fare", qualifier: "a", typ: functions.Double},
		{name: "fare", qualifier: "b", typ: functions.Double},
	}, reg: functions.NewRegistry()}
	e, err := parser.ParseExpr("fare + 1")
	require.NoError(t, err)
	_, err = sc.compile(e)
	require.ErrorIs(t, err, ErrInvalid)
	require.EqualError(t, err, `1:1: column reference "fare" is ambiguous`)

	e, err = parser.ParseExpr("b.fare + 1")
	require.NoError(t, err)
	x, err := sc.compile(e)
	require.NoError(t, err, "a qualifier picks one")
	require.Equal(t, 1, x.(*exec.Binary).L.(*exec.Column).Index)
}

func TestSuggest(t *testing.T) {
	names := []string{"fare", "zone", "pickup", "name"}
	require.Equal(t, "fare", suggest("fair", names))
	require.Equal(t, "fare", suggest("FARE", names), "case does not count")
	require.Equal(t, "pickup", suggest("pikcup", names))
	require.Equal(t, "", suggest("xyzzy", names))
	require.Equal(t, "", suggest("q", names))
	require.Equal(t, "", didYouMean("xyzzy", names))
	require.Equal(t, "", suggest("bids", []string{"trips"}), "3 edits in 4 letters is no typo")
	require.Equal(t, "count", suggest("cuont", []string{"concat", "count", "cot"}))
	require.Equal(t, "the", suggest("teh", []string{"the"}), "a swap is one edit")
	require.Equal(t, 3, editDistance("kitten", "sitting"))
	require.Equal(t, 1, editDistance("cuont", "count"))
	require.Equal(t, 0, editDistance("", ""))
	require.Equal(t, 4, editDistance("", "fare"))
	require.Equal(t, 1, editDistance("zoné", "zone"), "runes, not bytes")
}

func TestRunQueries(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		cols []string
		rows []string
	}{
		{
			name: "star",
			sql:  `SELECT * FROM trips WHERE zone = 2`,
			cols: []string{"pickup", "zone", "fare", "name", "epoch"},
			rows: []string{
				"2024-01-01T00:00:20Z | 2 | 5.5 | b | 1704067220",
				"2024-01-01T00:01:05Z | 2 | 7 | NULL | 1704067265",
			},
		},
		{
			name: "where",
			sql:  `SELECT zone, fare FROM trips WHERE fare > 5`,
			cols: []string{"zone", "fare"},
			rows: []string{"1 | 10", "2 | 5.5", "2 | 7"},
		},
		{
			name: "where with NULLs dropping rows",
			sql:  `SELECT name FROM trips WHERE zone = 1 OR fare < 4`,
			cols: []string{"name"},
			rows: []string{"a", "c", "e", "f"},
		},
		{
			name: "where no row passes",
			sql:  `SELECT name FROM trips WHERE fare > 1000`,
			cols: []string{"name"},
		},
		{
			name: "computed columns",
			sql: `SELECT fare * 2 AS double_fare, name || '!', zone + 1, ` +
				`fare IS NULL AS missing FROM trips WHERE zone = 1`,
			cols: []string{"double_fare", "name || '!'", "zone + 1", "missing"},
			rows: []string{"20 | a! | 2 | false", "NULL | c! | 2 | true", "-4 | f! | 2 | false"},
		},
		{
			name: "qualified by the alias",
			sql:  `SELECT t.fare, T.zone FROM trips t WHERE t.name = 'b'`,
			cols: []string{"fare", "zone"},
			rows: []string{"5.5 | 2"},
		},
		{
			name: "qualified by the stream",
			sql:  `SELECT trips.fare FROM trips WHERE trips.name = 'b'`,
			cols: []string{"fare"},
			rows: []string{"5.5"},
		},
		{
			name: "timestamp compared with text",
			sql:  `SELECT name FROM trips WHERE pickup >= '2024-01-01 00:01:00'`,
			cols: []string{"name"},
			rows: []string{"NULL", "e", "f"},
		},
		{
			name: "to_timestamp",
			sql:  `SELECT to_timestamp(epoch) AS ts FROM trips WHERE name = 'f'`,
			cols: []string{"ts"},
			rows: []string{"2024-01-01T00:02:10Z"},
		},
		{
			name: "cast, IN and BETWEEN",
			sql: `SELECT CAST(zone AS VARCHAR) || '-' || name AS label FROM trips ` +
				`WHERE zone IN (1, 2) AND fare BETWEEN 0 AND 8`,
			cols: []string{"label"},
			rows: []string{"2-b", "NULL"},
		},
		{
			name: "NOT IN and NOT BETWEEN with NULLs",
			sql: `SELECT name FROM trips WHERE zone NOT IN (1) ` +
				`OR fare NOT BETWEEN 0 AND 100`,
			cols: []string{"name"},
			rows: []string{"b", "NULL", "f"},
		},
		{
			name: "NULL arithmetic, negation and NOT",
			sql: `SELECT fare + NULL AS x, -fare, NOT (fare > 5), zone IS NOT NULL ` +
				`FROM trips WHERE name = 'a'`,
			cols: []string{"x", "-fare", "NOT (fare > 5)", "zone IS NOT NULL"},
			rows: []string{"NULL | -10 | false | true"},
		},
		{
			name: "division",
			sql:  `SELECT zone / 4, zone // 4, fare / 0, zone % 2 FROM trips WHERE name = 'b'`,
			cols: []string{"zone / 4", "zone // 4", "fare / 0", "zone % 2"},
			rows: []string{"0.5 | 0 | NULL | 0"},
		},
		{
			name: "coalesce",
			sql:  `SELECT coalesce(fare, 0) AS f FROM trips WHERE zone = 1`,
			cols: []string{"f"},
			rows: []string{"10", "0", "-2"},
		},
		{
			name: "interval arithmetic and unary plus",
			sql: `SELECT +fare, pickup + INTERVAL '1' MINUTE AS later, ` +
				`pickup - to_timestamp(epoch - 60) AS d FROM trips WHERE name = 'a'`,
			cols: []string{"fare", "later", "d"},
			rows: []string{"10 | 2024-01-01T00:01:10Z | 60000000us"},
		},
		{
			name: "NULL in AND and OR",
			sql:  `SELECT fare FROM trips WHERE NULL OR fare > 6`,
			cols: []string{"fare"},
			rows: []string{"10", "7"},
		},
		{
			name: "group by key",
			sql: `SELECT zone, count(*), count(fare), sum(fare), min(fare), max(fare), ` +
				`avg(fare) FROM trips GROUP BY zone`,
			cols: []string{"zone", "count(*)", "count(fare)", "sum(fare)", "min(fare)",
				"max(fare)", "avg(fare)"},
			rows: []string{
				"1 | 3 | 2 | 8 | -2 | 10 | 4",
				"2 | 2 | 2 | 12.5 | 5.5 | 7 | 6.25",
				"NULL | 1 | 1 | 3 | 3 | 3 | 3",
			},
		},
		{
			name: "count(*) and count(x) with NULLs",
			sql:  `SELECT count(*) AS n, count(name) AS named, count(zone) FROM trips`,
			cols: []string{"n", "named", "count(zone)"},
			rows: []string{"6 | 5 | 5"},
		},
		{
			name: "aggregates of BIGINT",
			sql:  `SELECT sum(zone), min(zone), max(zone), avg(zone) FROM trips`,
			cols: []string{"sum(zone)", "min(zone)", "max(zone)", "avg(zone)"},
			rows: []string{"7 | 1 | 2 | 1.4"},
		},
		{
			name: "min and max of VARCHAR and TIMESTAMP",
			sql:  `SELECT min(name), max(name), min(pickup), max(pickup) FROM trips`,
			cols: []string{"min(name)", "max(name)", "min(pickup)", "max(pickup)"},
			rows: []string{"a | f | 2024-01-01T00:00:10Z | 2024-01-01T00:02:10Z"},
		},
		{
			name: "group by a key that is not selected",
			sql:  `SELECT count(*) FROM trips GROUP BY zone`,
			cols: []string{"count(*)"},
			rows: []string{"3", "2", "1"},
		},
		{
			name: "expression over a key and aggregates",
			sql: `SELECT zone * 100 + 1 AS z, sum(fare) / count(*) AS m ` +
				`FROM trips GROUP BY zone`,
			cols: []string{"z", "m"},
			rows: []string{"101 | 2.6666666666666665", "201 | 6.25", "NULL | 3"},
		},
		{
			name: "tumble",
			sql: `SELECT zone, count(*) AS n, sum(fare), window_start, window_end ` +
				`FROM trips GROUP BY zone, TUMBLE(pickup, 1m)`,
			cols: []string{"zone", "n", "sum(fare)", "window_start", "window_end"},
			rows: []string{
				"1 | 2 | 10 | 2024-01-01T00:00:00Z | 2024-01-01T00:01:00Z",
				"2 | 1 | 5.5 | 2024-01-01T00:00:00Z | 2024-01-01T00:01:00Z",
				"2 | 1 | 7 | 2024-01-01T00:01:00Z | 2024-01-01T00:02:00Z",
				"NULL | 1 | 3 | 2024-01-01T00:01:00Z | 2024-01-01T00:02:00Z",
				"1 | 1 | -2 | 2024-01-01T00:02:00Z | 2024-01-01T00:03:00Z",
			},
		},
		{
			name: "tumble without keys and with legacy bound names",
			sql: `SELECT TUMBLE_START(pickup, INTERVAL '2' MINUTE) AS s, count(*), ` +
				`tumble_end(pickup, INTERVAL '2' MINUTE) AS e ` +
				`FROM trips GROUP BY TUMBLE(pickup, INTERVAL '2' MINUTE)`,
			cols: []string{"s", "count(*)", "e"},
			rows: []string{
				"2024-01-01T00:00:00Z | 5 | 2024-01-01T00:02:00Z",
				"2024-01-01T00:02:00Z | 1 | 2024-01-01T00:04:00Z",
			},
		},
		{
			name: "tumble with an offset",
			sql: `SELECT window_start, count(*) FROM trips ` +
				`GROUP BY TUMBLE(pickup, 1m, 30s)`,
			cols: []string{"window_start", "count(*)"},
			rows: []string{
				"2023-12-31T23:59:30Z | 2",
				"2024-01-01T00:00:30Z | 2",
				"2024-01-01T00:01:30Z | 2",
			},
		},
		{
			name: "tumble over a converted epoch",
			sql: `SELECT window_start, count(*) FROM trips ` +
				`GROUP BY TUMBLE(to_timestamp(epoch), 2m)`,
			cols: []string{"window_start", "count(*)"},
			rows: []string{"2024-01-01T00:00:00Z | 5", "2024-01-01T00:02:00Z | 1"},
		},
		{
			name: "having",
			sql: `SELECT zone, count(*) FROM trips GROUP BY zone ` +
				`HAVING count(*) > 1 AND max(fare) > 7`,
			cols: []string{"zone", "count(*)"},
			rows: []string{"1 | 3"},
		},
		{
			name: "having with an aggregate not selected",
			sql:  `SELECT zone FROM trips GROUP BY zone HAVING min(name) >= 'b'`,
			cols: []string{"zone"},
			rows: []string{"2", "NULL"},
		},
		{
			name: "having over a window",
			sql: `SELECT window_start, count(*) AS n FROM trips ` +
				`GROUP BY TUMBLE(pickup, 1m) HAVING count(*) >= 2`,
			cols: []string{"window_start", "n"},
			rows: []string{"2024-01-01T00:00:00Z | 3", "2024-01-01T00:01:00Z | 2"},
		},
		{
			name: "having on the window bounds",
			sql: `SELECT zone, count(*) FROM trips GROUP BY zone, TUMBLE(pickup, 1m) ` +
				`HAVING window_start > '2024-01-01 00:00:30' AND window_end - window_start = 1m`,
			cols: []string{"zone", "count(*)"},
			rows: []string{"2 | 1", "NULL | 1", "1 | 1"},
		},
		{
			name: "select-list alias in GROUP BY",
			sql:  `SELECT zone * 10 AS z10, count(*) FROM trips GROUP BY z10`,
			cols: []string{"z10", "count(*)"},
			rows: []string{"10 | 3", "20 | 2", "NULL | 1"},
		},
		{
			name: "input column wins over an alias of the same name",
			sql:  `SELECT zone + 1 AS zone, count(*) FROM trips GROUP BY zone`,
			cols: []string{"zone", "count(*)"},
			rows: []string{"2 | 3", "3 | 2", "NULL | 1"},
		},
		{
			name: "group key spelled in another case",
			sql:  `SELECT ZONE, count(*) FROM trips GROUP BY zone`,
			cols: []string{"ZONE", "count(*)"},
			rows: []string{"1 | 3", "2 | 2", "NULL | 1"},
		},
		{
			name: "group by VARCHAR with a NULL key",
			sql:  `SELECT name IS NULL AS unnamed, count(*) FROM trips GROUP BY unnamed`,
			cols: []string{"unnamed", "count(*)"},
			rows: []string{"false | 5", "true | 1"},
		},
		{
			name: "aggregate with FILTER",
			sql:  `SELECT count(*) FILTER (WHERE fare > 5) AS big, count(*) FROM trips`,
			cols: []string{"big", "count(*)"},
			rows: []string{"3 | 6"},
		},
		{
			name: "group by over no rows",
			sql:  `SELECT zone, count(*) FROM trips WHERE fare > 1000 GROUP BY zone`,
			cols: []string{"zone", "count(*)"},
		},
		{
			name: "window over no rows",
			sql: `SELECT window_start, count(*) FROM trips WHERE fare > 1000 ` +
				`GROUP BY TUMBLE(pickup, 1m)`,
			cols: []string{"window_start", "count(*)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tripsFixture(t)
			cols, rows, _ := f.run(tt.sql)
			require.Equal(t, tt.cols, cols)
			require.Equal(t, tt.rows, rows)
		})
	}
}

// TestRunEmptyFile runs aggregates over a file with a header and no rows.
func TestRunEmptyFile(t *testing.T) {
	f := newFixture(t)
	f.create(`CREATE STREAM empty (ts TIMESTAMP, v DOUBLE)
		WITH (connector = 'file', path = '` + f.file("empty.csv", "ts,v\n") + `')`)

	_, rows, _ := f.run(`SELECT v, count(*) FROM empty GROUP BY v`)
	require.Empty(t, rows)

	_, rows, _ = f.run(`SELECT v FROM empty`)
	require.Empty(t, rows)

	_, rows, _ = f.run(`SELECT window_start, count(*) FROM empty GROUP BY TUMBLE(ts, 1m)`)
	require.Empty(t, rows, "a window with no rows produces no output row")
}

// TestRunAggregateOverNoRows checks that an aggregate without GROUP BY over no rows gives one
// row, as in a database: count 0, the others NULL.
func TestRunAggregateOverNoRows(t *testing.T) {
	f := tripsFixture(t)
	f.create(`CREATE STREAM empty (ts TIMESTAMP, v DOUBLE)
		WITH (connector = 'file', path = '` + f.file("empty.csv", "ts,v\n") + `')`)

	_, rows, _ := f.run(`SELECT count(*), sum(v), max(v) FROM empty`)
	require.Equal(t, []string{"0 | NULL | NULL"}, rows)

	cols, rows, _ := f.run(`SELECT count(*), count(fare), sum(fare), min(fare), avg(fare)
		FROM trips WHERE fare > 1000`)
	require.Equal(t, []string{"count(*)", "count(fare)", "sum(fare)", "min(fare)",
		"avg(fare)"}, cols)
	require.Equal(t, []string{"0 | 0 | NULL | NULL | NULL"}, rows)
}

// TestRunWithoutFrom runs SELECTs without FROM: they read one row of no columns, as in
// DuckDB and PostgreSQL, so that WHERE may drop it and an aggregate counts it.
func TestRunWithoutFrom(t *testing.T) {
	tests := []struct {
		sql  string
		cols []string
		rows []string
	}{
		{`SELECT 1`, []string{"1"}, []string{"1"}},
		{`SELECT 1 + 2 AS x, 'a' || 'b'`, []string{"x", "'a' || 'b'"}, []string{"3 | ab"}},
		{`SELECT CAST('2024-01-01' AS TIMESTAMP)`, []string{"CAST('2024-01-01' AS TIMESTAMP)"},
			[]string{"2024-01-01T00:00:00Z"}},
		{`SELECT NULL AS n, 7 // 2 AS q`, []string{"n", "q"}, []string{"NULL | 3"}},
		{`SELECT 1 WHERE false`, []string{"1"}, nil},
		{`SELECT 1 WHERE 1 < 2`, []string{"1"}, []string{"1"}},
		{`SELECT count(*)`, []string{"count(*)"}, []string{"1"}},
		{`SELECT count(*), sum(2), max('z') WHERE false`, []string{"count(*)", "sum(2)",
			"max('z')"}, []string{"0 | NULL | NULL"}},
		{`SELECT count(*) AS n HAVING count(*) > 1`, []string{"n"}, nil},
		{`SELECT DISTINCT 1 AS a`, []string{"a"}, []string{"1"}},
		{`SELECT 1 AS a UNION ALL SELECT 2 ORDER BY a DESC`, []string{"a"},
			[]string{"2", "1"}},
		{`SELECT 1 AS a LIMIT 0`, []string{"a"}, nil},
		{`SELECT count(*) AS n, window_start
			GROUP BY TUMBLE(TIMESTAMP '2024-01-01 00:00:30', 1m)`,
			[]string{"n", "window_start"}, []string{"1 | 2024-01-01T00:00:00Z"}},
		{`SELECT x * 2 FROM (SELECT 21 AS x)`, []string{"x * 2"}, []string{"42"}},
		{`WITH c AS (SELECT 'w' AS v) SELECT upper(v) FROM c`, []string{"upper(v)"},
			[]string{"W"}},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			f := newFixture(t)
			cols, rows, stats := f.run(tt.sql)
			require.Equal(t, tt.cols, cols)
			require.Equal(t, tt.rows, rows)
			require.Zero(t, stats.EventsRead.Load(), "no stream is read")
		})
	}

	// now() is the query's processing time.
	f := newFixture(t)
	before := time.Now().UnixMicro()
	_, rows, _ := f.run(`SELECT epoch_ms(now()) AS ms`)
	require.Len(t, rows, 1)
	ms, err := strconv.ParseInt(rows[0], 10, 64)
	require.NoError(t, err)
	require.InDelta(t, before/1000, ms, 60_000)
}

// TestRunPower checks ^ and ** (PostgreSQL's and DuckDB's exponentiation): DOUBLE, tighter
// than * and looser than a sign, left-associative, NULL for a NULL operand.
func TestRunPower(t *testing.T) {
	f := tripsFixture(t)
	p, _, err := f.plan(`SELECT 2 ^ 3, zone ** 2 FROM trips`)
	require.NoError(t, err)
	for _, fd := range p.Root.Schema().Fields() {
		require.Equal(t, "DOUBLE", functions.TypeName(fd.Type), fd.Name)
	}
	require.NoError(t, p.Root.Close())
	require.Contains(t, p.Explain.String(), "zone ** 2 := zone ** 2")

	cols, rows, _ := f.run(`SELECT 2 ^ 3 AS a, 2 ** 3 AS b, -2 ^ 2 AS c, 2 ^ 3 ^ 2 AS d,
		2 * 3 ^ 2 AS e, 2 ^ -1 AS f, NULL ^ 2 AS g, 4 ^ 0.5 AS h, 1 + 2 ^ 2 * 3 AS i`)
	require.Equal(t, []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"}, cols)
	require.Equal(t, []string{"8 | 8 | 4 | 64 | 18 | 0.5 | NULL | 2 | 13"}, rows)

	_, rows, _ = f.run(`SELECT zone, zone ^ 2 AS sq FROM trips WHERE zone ** 3 > 1`)
	require.Equal(t, []string{"2 | 4", "2 | 4"}, rows)
}

// TestRunComputedStreamColumn reads a stream whose event time is computed from epoch seconds.
func TestRunComputedStreamColumn(t *testing.T) {
	f := newFixture(t)
	f.create(`CREATE STREAM ev (epoch BIGINT, v BIGINT, ts AS to_timestamp(epoch),
		v2 AS v * 2, WATERMARK FOR ts AS ts)
		WITH (connector = 'file', path = '` + f.file("ev.csv", "epoch,v\n0,1\n30,2\n61,3\n") + `')`)

	cols, rows, _ := f.run(`SELECT ts, v2 FROM ev WHERE v2 > 2`)
	require.Equal(t, []string{"ts", "v2"}, cols)
	require.Equal(t, []string{"1970-01-01T00:00:30Z | 4", "1970-01-01T00:01:01Z | 6"}, rows)

	_, rows, _ = f.run(`SELECT window_start, sum(v2) FROM ev GROUP BY TUMBLE(ts, 1m)`)
	require.Equal(t, []string{"1970-01-01T00:00:00Z | 6", "1970-01-01T00:01:00Z | 6"}, rows)
}

// TestRunLateEvents checks that an event behind the watermark is dropped and counted.
func TestRunLateEvents(t *testing.T) {
	f := newFixture(t)
	csv := "ts,v\n" +
		"2024-01-01T00:00:10Z,1\n" +
		"2024-01-01T00:01:10Z,2\n" + // watermark 00:01:05: [00:00, 00:01) fires
		"2024-01-01T00:00:50Z,4\n" + // late for the fired window: dropped
		"2024-01-01T00:01:02Z,8\n" + // before the watermark but its window is open
		"2024-01-01T00:02:00Z,16\n"
	f.create(`CREATE STREAM ev (ts TIMESTAMP, v BIGINT,
		WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
		WITH (connector = 'file', path = '` + f.file("ev.csv", csv) + `')`)

	_, rows, stats := f.run(`SELECT window_start, sum(v), count(*) FROM ev
		GROUP BY TUMBLE(ts, 1m)`)
	require.Equal(t, []string{
		"2024-01-01T00:00:00Z | 1 | 1",
		"2024-01-01T00:01:00Z | 10 | 2",
		"2024-01-01T00:02:00Z | 16 | 1",
	}, rows)
	require.Equal(t, int64(1), stats.LateDropped.Load())
	require.Equal(t, int64(5), stats.EventsRead.Load())
}

// TestRunWhereNull checks that a WHERE whose condition is the NULL literal passes no row.
func TestRunWhereNull(t *testing.T) {
	f := tripsFixture(t)
	_, rows, _ := f.run(`SELECT name FROM trips WHERE NULL`)
	require.Empty(t, rows)
	_, rows, _ = f.run(`SELECT name FROM trips WHERE fare > NULL`)
	require.Empty(t, rows)
	_, rows, _ = f.run(`SELECT zone FROM trips GROUP BY zone HAVING NULL`)
	require.Empty(t, rows)
}

// TestRunAggregateFilterNull checks an aggregate's FILTER whose condition is the NULL literal.
func TestRunAggregateFilterNull(t *testing.T) {
	f := tripsFixture(t)
	_, rows, _ := f.run(`SELECT count(*) FILTER (WHERE NULL) FROM trips`)
	require.Equal(t, []string{"0"}, rows)
}

// TestRunHavingAlias uses a select-list alias in HAVING, as DESIGN.md allows.
func TestRunHavingAlias(t *testing.T) {
	f := tripsFixture(t)
	_, rows, _ := f.run(`SELECT zone, count(*) AS n FROM trips GROUP BY zone HAVING n > 1`)
	require.Equal(t, []string{"1 | 3", "2 | 2"}, rows)
}

// TestPlanReadsNoFile checks that planning reads no file: a stream over a missing file plans, and
// fails only when opened.
func TestPlanReadsNoFile(t *testing.T) {
	f := newFixture(t)
	f.create(`CREATE STREAM gone (v BIGINT)
		WITH (connector = 'file', path = '` + filepath.Join(f.dir, "missing.csv") + `')`)
	p, _, err := f.plan(`SELECT v FROM gone WHERE v > 1`)
	require.NoError(t, err)
	require.Contains(t, p.Explain.String(), "Scan gone")
	err = p.Root.Open(context.Background())
	require.Error(t, err)
	require.Contains(t, err.Error(), "gone")
	require.NoError(t, p.Root.Close())
}

// TestRunOverflow checks that BIGINT overflow fails the query, naming the expression that
// overflowed (printed from the parsed expression only then).
func TestRunOverflow(t *testing.T) {
	f := tripsFixture(t)
	p, _, err := f.plan(`SELECT 1 + epoch * 9223372036854775807 - 2 FROM trips`)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, p.Root.Open(ctx))
	_, err = p.Root.Next(ctx)
	require.ErrorIs(t, err, functions.ErrOverflow)
	require.True(t, strings.HasPrefix(err.Error(),
		"BIGINT overflow in epoch * 9223372036854775807: "), err.Error())
	require.NoError(t, p.Root.Close())
}

// TestRunSumOverflow checks that a sum whose final value leaves BIGINT fails the query, and
// that closing it then releases everything.
func TestRunSumOverflow(t *testing.T) {
	f := tripsFixture(t)
	p, _, err := f.plan(`SELECT sum(epoch * 1000000000) FROM trips`)
	require.NoError(t, err)
	ctx := context.Background()
	defer p.Root.Close()
	require.NoError(t, p.Root.Open(ctx))
	_, err = p.Root.Next(ctx)
	require.ErrorIs(t, err, functions.ErrOverflow)
	require.Contains(t, err.Error(), "sum(epoch * 1000000000)")
	require.NoError(t, p.Root.Close())
	f.mem.AssertSize(t, 0)
}

// TestRunCancel checks that a cancelled context stops a running query with its error.
func TestRunCancel(t *testing.T) {
	f := tripsFixture(t)
	p, _, err := f.plan(`SELECT zone, count(*) FROM trips GROUP BY zone`)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, p.Root.Open(ctx))
	cancel()
	_, err = p.Root.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, p.Root.Close())
}
