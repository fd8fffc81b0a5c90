package planner

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/exec"
	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/parser"
)

func TestBuiltinNexmark(t *testing.T) {
	f := newFixture(t)
	_, rows, _ := f.run(`SELECT auction, bidder, price, dateTime FROM nexmark.bid LIMIT 3`)
	require.Equal(t, []string{
		"1000 | 1001 | 14525226 | 2024-01-01T00:00:00.0004Z",
		"1000 | 1001 | 18724 | 2024-01-01T00:00:00.0005Z",
		"1005 | 1001 | 4110179 | 2024-01-01T00:00:00.0006Z",
	}, rows, "events 4 to 6 of seed 1, 100 µs apart")

	_, rows, _ = f.run(`SELECT person.id, Person.name, dateTime FROM NEXMARK.Person LIMIT 2`)
	require.Len(t, rows, 2)
	require.Regexp(t, `^1000 \| [A-Z][a-z]+ [A-Z][a-z]+ \| 2024-01-01T00:00:00Z$`, rows[0])
	require.Regexp(t, `^1001 \| .* \| 2024-01-01T00:00:00.005Z$`, rows[1])
}

func TestBuiltinNexmarkStreams(t *testing.T) {
	for _, name := range []string{"bid", "auction", "person"} {
		st, ok := builtinStream(&parser.ColumnRef{Parts: []parser.Ident{
			{Name: "Nexmark"}, {Name: name}}})
		require.True(t, ok, name)
		require.Equal(t, "dateTime", st.WatermarkColumn)
		require.Equal(t, int64(4_000_000), st.Delay)
		require.True(t, streamUnbounded(st))
	}
	st, _ := builtinStream(&parser.ColumnRef{Parts: []parser.Ident{
		{Name: "nexmark"}, {Name: "bid"}}})
	var names []string
	for _, c := range st.Columns {
		names = append(names, c.Name+" "+c.Type.String())
	}
	require.Equal(t, []string{"auction int64", "bidder int64", "price int64",
		"channel utf8", "url utf8", "dateTime timestamp[us, tz=UTC]", "extra utf8"}, names)

	for _, parts := range [][]parser.Ident{
		{{Name: "nexmark"}, {Name: "bids"}},
		{{Name: "bid"}},
		{{Name: "nexmark"}, {Name: "Bid", Quoted: true}},
		{{Name: "x"}, {Name: "nexmark"}, {Name: "bid"}},
	} {
		_, ok := builtinStream(&parser.ColumnRef{Parts: parts})
		require.False(t, ok, parts)
	}
}

func TestNexmarkStream(t *testing.T) {
	f := newFixture(t)
	f.create(`CREATE STREAM bids (auction BIGINT, price BIGINT, dateTime TIMESTAMP,
		WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND)
		WITH (connector = 'nexmark', table = 'bid', events = 100000, rate = 10000, seed = 1)`)
	_, rows, _ := f.run(`SELECT window_start, count(*) FROM bids
		GROUP BY TUMBLE(dateTime, INTERVAL '2' SECOND)`)
	require.Equal(t, []string{
		"2024-01-01T00:00:00Z | 18400",
		"2024-01-01T00:00:02Z | 18400",
		"2024-01-01T00:00:04Z | 18400",
		"2024-01-01T00:00:06Z | 18400",
		"2024-01-01T00:00:08Z | 18400",
	}, rows, "100,000 events at 10,000 a second, 46 of each 50 bids")

	_, rows, _ = f.run(`SELECT count(*) FROM bids WHERE price >= 100 AND price <= 100000000`)
	require.Equal(t, []string{"92000"}, rows)

	for i, tt := range []struct{ with, err string }{
		{`table = 'bids'`, `unknown nexmark table "bids"`},
		{`events = 10`, `needs a table option (bid, auction, person)`},
		{`table = 'bid', events = 'many'`, `events must be an integer, got "many"`},
		{`table = 'bid', rate = 0`, `rate must be positive`},
		{`table = 'bid', pace = 'yes'`, `pace must be true or false`},
	} {
		name := fmt.Sprintf("bad%d", i)
		f.create(`CREATE STREAM ` + name + ` (price BIGINT) WITH (connector = 'nexmark', ` +
			tt.with + `)`)
		_, _, err := f.plan(`SELECT price FROM ` + name)
		require.ErrorContains(t, err, tt.err, tt.with)
	}
	f.create(`CREATE STREAM bad (cost BIGINT) WITH (connector = 'nexmark', ` +
		`table = 'bid', events = 10)`)
	p, _, err := f.plan(`SELECT cost FROM bad`)
	require.NoError(t, err, "a column is checked when the source opens")
	err = p.Root.Open(context.Background())
	require.ErrorContains(t, err, `nexmark.bid has no column "cost"`)
	p.Root.Close()
}

func TestCompleteStream(t *testing.T) {
	st := &Stream{Name: "auctions", Options: map[string]string{"connector": "nexmark",
		"table": "auction", "events": "1000"}}
	require.NoError(t, completeStream(st))
	require.Len(t, st.Columns, 10)
	require.Equal(t, "dateTime", st.WatermarkColumn)
	require.False(t, streamUnbounded(st))

	st = &Stream{Name: "x", Options: map[string]string{"connector": "nexmark", "table": "y"}}
	require.ErrorContains(t, completeStream(st), `unknown nexmark table "y"`)
	st = &Stream{Name: "x", Options: map[string]string{"connector": "file"}}
	require.NoError(t, completeStream(st))
	require.Empty(t, st.Columns)
}

func TestDatagenStream(t *testing.T) {
	f := newFixture(t)
	f.create(`CREATE STREAM g (id BIGINT, v DOUBLE, name VARCHAR, ok BOOLEAN, ts TIMESTAMP,
		WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
		WITH (connector = 'datagen', rows = 5000, rate = 1000, seed = 3)`)
	_, rows, _ := f.run(`SELECT window_start, count(*), min(id) >= 0, max(id) <= 1000,
		min(v) >= 0, max(v) < 1, min(length(name)), max(length(name))
		FROM g GROUP BY TUMBLE(ts, INTERVAL '1' SECOND)`)
	require.Len(t, rows, 5)
	require.Equal(t, "2024-01-01T00:00:00Z | 1000 | true | true | true | true | 10 | 10",
		rows[0])

	// Per-column options, as CreateStream would give them with 'fields.<col>.<prop>' keys.
	st := &Stream{Name: "h", Columns: []Column{
		{Name: "id", Type: tripsType("BIGINT")},
		{Name: "color", Type: tripsType("VARCHAR")},
	}, Options: map[string]string{"connector": "datagen", "rows": "10",
		"fields.id.kind": "sequence", "fields.id.min": "100",
		"fields.color.values": "[red, green]", "fields.color.kind": "sequence"}}
	src, err := openSource(st, &Context{Env: &exec.Env{Mem: f.mem}})
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, src.Open(ctx))
	b, err := src.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"100 | red", "101 | green", "102 | red"}, printRows(b)[:3])
	b.Release()
	_, err = src.Next(ctx)
	require.Equal(t, io.EOF, err)
	require.NoError(t, src.Close())

	st.Options["fields.nope.kind"] = "random"
	_, err = fileOptions(st)
	require.ErrorContains(t, err, `option "fields.nope.kind": the stream has no column "nope"`)
	delete(st.Options, "fields.nope.kind")
	st.Options["fields.id.color"] = "blue"
	_, err = fileOptions(st)
	require.ErrorContains(t, err, `unknown property "color"`)
}

func tripsType(name string) arrow.DataType {
	t, _ := functions.TypeByName(name)
	return t
}

func TestFileOptionErrors(t *testing.T) {
	f := newFixture(t)
	path := f.file("a.log", "x 1\n")
	for i, tt := range []struct{ cols, with, err string }{
		{`a BIGINT`, `format = 'regex'`, `format 'regex' needs a pattern option`},
		{`a BIGINT`, `format = 'regex', pattern = '(\d+'`, `pattern: error parsing regexp`},
		{`a BIGINT`, `format = 'regex', pattern = '(\d+)'`, `names no group`},
		{`a BIGINT`, `pattern = '(?P<a>\d+)'`, `option pattern needs format = 'regex'`},
		{`a BIGINT`, `on_error = 'deadletter'`, `needs a deadletter option`},
		{`a BIGINT`, `deadletter = 'x.txt'`, `option deadletter needs on_error = 'deadletter'`},
		{`a BIGINT`, `timezone = 'Mars/Olympus'`, `unknown timezone "Mars/Olympus"`},
		{`a BIGINT`, `filename = true`, `needs the stream to declare a column filename`},
		{`a BIGINT`, `filename = 'yes'`, `filename must be true or false`},
		{`a BIGINT`, `compression = 'lz4'`, `compression must be gzip, zstd or none`},
		{`a BIGINT`, `format = 'xml'`, `unknown format "xml"`},
	} {
		name := fmt.Sprintf("s%d", i)
		f.create(`CREATE STREAM ` + name + ` (` + tt.cols + `) WITH (connector = 'file', ` +
			`path = '` + path + `', ` + tt.with + `)`)
		_, _, err := f.plan(`SELECT * FROM ` + name)
		require.ErrorContains(t, err, tt.err, tt.with)
	}

	// Good options read the file.
	f.create(`CREATE STREAM logs (word VARCHAR, n BIGINT, filename VARCHAR) WITH (
		connector = 'file', path = '` + path + `', format = 'regex',
		pattern = '^(?P<word>\w+) (?P<n>\d+)$', filename = true, timezone = 'Europe/Paris',
		on_error = 'deadletter', deadletter = '` + f.file("dead.txt", "") + `')`)
	_, rows, _ := f.run(`SELECT word, n, filename = '` + path + `' FROM logs`)
	require.Equal(t, []string{"x | 1 | true"}, rows)
}

func TestFormatOf(t *testing.T) {
	for path, want := range map[string]string{
		"a.csv": "csv", "a.TSV.gz": "tsv", "a.jsonl.zst": "json", "a.parquet": "parquet",
		"a.arrow": "arrow", "a.feather": "arrow", "by-day/*.csv": "csv", "a.txt": "csv",
	} {
		require.Equal(t, want, formatOf(path), path)
	}
}
