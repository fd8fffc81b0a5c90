package connector

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/functions"
)

// writerSchema has one column of each of weir's types.
var writerSchema = arrow.NewSchema([]arrow.Field{
	{Name: "ok", Type: functions.Boolean, Nullable: true},
	{Name: "n", Type: functions.Bigint, Nullable: true},
	{Name: "x", Type: functions.Double, Nullable: true},
	{Name: "s", Type: functions.Varchar, Nullable: true},
	{Name: "t", Type: functions.Timestamp, Nullable: true},
	{Name: "d", Type: functions.Interval, Nullable: true},
}, nil)

func writerTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// writerRows are two batches of writerSchema; the second holds wider values than the first.
var writerRows = [][][]any{
	{
		{true, int64(1), 1e6, "plain", writerTime("2024-01-01T00:01:00Z"), 90 * time.Second},
		{nil, int64(-42), 0.25, `a,b "c"`, writerTime("2024-01-01T00:01:00.493Z"),
			500 * time.Millisecond},
		{false, nil, nil, "", nil, nil},
	},
	{
		{true, int64(1234567890123), 1e-7, "two\nlines\tand \\ \x01 é|",
			writerTime("2024-01-01T00:01:00.000001Z"), -36 * time.Hour},
		{false, int64(7), math.NaN(), "a much wider value than before",
			writerTime("1969-12-31T23:59:59.5Z"), time.Duration(0)},
	},
}

// buildWriterBatch builds a batch of schema from rows; nil is NULL, time.Time a timestamp
// and time.Duration an interval.
func buildWriterBatch(mem memory.Allocator, schema *arrow.Schema, rows [][]any) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()

	for _, row := range rows {
		for j, v := range row {
			appendWriterValue(b.Field(j), v)
		}
	}
	return b.NewRecordBatch()
}

func appendWriterValue(fb array.Builder, v any) {
	if v == nil {
		fb.AppendNull()
		return
	}
	switch fb := fb.(type) {
	case *array.BooleanBuilder:
		fb.Append(v.(bool))
	case *array.Int64Builder:
		fb.Append(v.(int64))
	case *array.Float64Builder:
		fb.Append(v.(float64))
	case *array.StringBuilder:
		fb.Append(v.(string))
	case *array.TimestampBuilder:
		fb.Append(arrow.Timestamp(v.(time.Time).UnixMicro()))
	case *array.DurationBuilder:
		fb.Append(arrow.Duration(v.(time.Duration).Microseconds()))
	default:
		panic(fmt.Sprintf("no test builder for %T", fb))
	}
}

// writeAll writes each batch of rows with a writer of format, flushing after each, and
// returns the output.
func writeAll(t *testing.T, format string, schema *arrow.Schema, batches [][][]any) string {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	var out bytes.Buffer
	w, err := NewRowWriter(format, &out, schema)
	require.NoError(t, err)
	for _, rows := range batches {
		b := buildWriterBatch(mem, schema, rows)
		require.NoError(t, w.WriteBatch(b))
		b.Release()
		require.NoError(t, w.Flush())
	}
	require.NoError(t, w.Close())
	require.NoError(t, w.Close(), "Close is idempotent")
	return out.String()
}

func TestRowWriterFormats(t *testing.T) {
	tests := []struct {
		format string
		want   string
	}{{
		format: "csv",
		want: `ok,n,x,s,t,d
true,1,1000000,plain,2024-01-01T00:01:00Z,00:01:30
,-42,0.25,"a,b ""c""",2024-01-01T00:01:00.493Z,00:00:00.5
false,,,"",,
true,1234567890123,1e-07,"two
lines	and \ ` + "\x01" + ` é|",2024-01-01T00:01:00.000001Z,-36:00:00
false,7,NaN,a much wider value than before,1969-12-31T23:59:59.5Z,00:00:00
`,
	}, {
		format: "tsv",
		want: "ok\tn\tx\ts\tt\td\n" +
			"true\t1\t1000000\tplain\t2024-01-01T00:01:00Z\t00:01:30\n" +
			"\t-42\t0.25\t\"a,b \"\"c\"\"\"\t2024-01-01T00:01:00.493Z\t00:00:00.5\n" +
			"false\t\t\t\"\"\t\t\n" +
			"true\t1234567890123\t1e-07\t\"two\nlines\tand \\ \x01 é|\"\t" +
			"2024-01-01T00:01:00.000001Z\t-36:00:00\n" +
			"false\t7\tNaN\ta much wider value than before\t1969-12-31T23:59:59.5Z\t00:00:00\n",
	}, {
		format: "json",
		want: `{"ok":true,"n":1,"x":1000000,"s":"plain","t":"2024-01-01T00:01:00Z","d":"00:01:30"}
{"ok":null,"n":-42,"x":0.25,"s":"a,b \"c\"","t":"2024-01-01T00:01:00.493Z","d":"00:00:00.5"}
{"ok":false,"n":null,"x":null,"s":"","t":null,"d":null}
{"ok":true,"n":1234567890123,"x":1e-07,"s":"two\nlines\tand \\ \u0001 é|",` +
			`"t":"2024-01-01T00:01:00.000001Z","d":"-36:00:00"}
{"ok":false,"n":7,"x":"NaN","s":"a much wider value than before",` +
			`"t":"1969-12-31T23:59:59.5Z","d":"00:00:00"}
`,
	}, {
		format: "markdown",
		want: `| ok    |        n |        x | s       | t                        |          d |
|-------|---------:|---------:|---------|--------------------------|-----------:|
| true  |        1 |  1000000 | plain   | 2024-01-01T00:01:00Z     |   00:01:30 |
| NULL  |      -42 |     0.25 | a,b "c" | 2024-01-01T00:01:00.493Z | 00:00:00.5 |
| false |     NULL |     NULL |         | NULL                     |       NULL |
| true  | 1234567890123 |    1e-07 | two<br>lines\tand \ \x01 é\| | ` +
			`2024-01-01T00:01:00.000001Z |  -36:00:00 |
| false |        7 |      NaN | a much wider value than before | ` +
			`1969-12-31T23:59:59.5Z   |   00:00:00 |
`,
	}, {
		format: "table",
		want: `┌───────┬──────────┬──────────┬─────────┬──────────────────────────┬────────────┐
│  ok   │    n     │    x     │    s    │            t             │     d      │
├───────┼──────────┼──────────┼─────────┼──────────────────────────┼────────────┤
│ true  │        1 │  1000000 │ plain   │ 2024-01-01T00:01:00Z     │   00:01:30 │
│ NULL  │      -42 │     0.25 │ a,b "c" │ 2024-01-01T00:01:00.493Z │ 00:00:00.5 │
│ false │     NULL │     NULL │         │ NULL                     │       NULL │
│ true  │ 1234567890123 │    1e-07 │ two\nlines\tand \ \x01 é| │ ` +
			`2024-01-01T00:01:00.000001Z │  -36:00:00 │
│ false │        7 │      NaN │ a much wider value than before │ ` +
			`1969-12-31T23:59:59.5Z   │   00:00:00 │
└───────┴──────────┴──────────┴─────────┴──────────────────────────┴────────────┘
(5 rows)
`,
	}, {
		format: "none",
		want:   "",
	}}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			got := writeAll(t, tt.format, writerSchema, writerRows)
			require.Equal(t, tt.want, got)
		})
	}
}

// TestRowWriterReadsBack checks that csv and json output parse with the standard library.
func TestRowWriterReadsBack(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: functions.Varchar}}, nil)
	values := []string{"", " ", ",", `"`, `""`, "a\nb", "a\r\nb", "\t", "x\"y,z", "\\", "é",
		"\x00\x1f\x7f", "\xff", "\u2028", " lead", "trail "}
	var rows [][]any
	for _, v := range values {
		rows = append(rows, []any{v})
	}

	records, err := csv.NewReader(bytes.NewBufferString(
		writeAll(t, "csv", schema, [][][]any{rows}))).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, len(values)+1)
	for i, v := range values {
		v = strings.ReplaceAll(v, "\r\n", "\n") // encoding/csv reads a quoted CRLF as LF
		require.Equal(t, []string{v}, records[i+1], "value %q", v)
	}

	lines := bytes.Split(bytes.TrimSuffix(
		[]byte(writeAll(t, "json", schema, [][][]any{rows})), []byte("\n")), []byte("\n"))
	require.Len(t, lines, len(values))
	for i, v := range values {
		var got map[string]string
		require.NoError(t, json.Unmarshal(lines[i], &got), "line %s", lines[i])
		if v == "\xff" {
			v = "\ufffd"
		}
		require.Equal(t, v, got["s"])
	}
}

func TestRowWriterNoRows(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "zone", Type: functions.Varchar},
		{Name: "trips", Type: functions.Bigint},
	}, nil)
	tests := []struct {
		format string
		want   string
	}{
		{"csv", "zone,trips\n"},
		{"tsv", "zone\ttrips\n"},
		{"json", ""},
		{"markdown", "| zone |    trips |\n|------|---------:|\n"},
		{"table", "┌──────┬──────────┐\n" +
			"│ zone │  trips   │\n" +
			"├──────┼──────────┤\n" +
			"└──────┴──────────┘\n" +
			"(0 rows)\n"},
		{"none", ""},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			require.Equal(t, tt.want, writeAll(t, tt.format, schema, nil))
			empty := [][][]any{{}, {}}
			require.Equal(t, tt.want, writeAll(t, tt.format, schema, empty),
				"empty batches")
		})
	}
}

func TestRowWriterTableStreams(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "zone", Type: functions.Varchar},
		{Name: "trips", Type: functions.Bigint},
	}, nil)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	var out bytes.Buffer
	w, err := NewRowWriter("table", &out, schema)
	require.NoError(t, err)

	b := buildWriterBatch(mem, schema, [][]any{{"a", int64(1)}})
	require.NoError(t, w.WriteBatch(b))
	b.Release()
	require.Empty(t, out.String(), "nothing reaches the writer before Flush")
	require.NoError(t, w.Flush())
	require.Equal(t, "┌──────┬──────────┐\n"+
		"│ zone │  trips   │\n"+
		"├──────┼──────────┤\n"+
		"│ a    │        1 │\n", out.String())

	b = buildWriterBatch(mem, schema, [][]any{{"東京", int64(123456789)}, {"b", int64(2)}})
	require.NoError(t, w.WriteBatch(b))
	b.Release()
	require.NoError(t, w.Close())
	require.Equal(t, "┌──────┬──────────┐\n"+
		"│ zone │  trips   │\n"+
		"├──────┼──────────┤\n"+
		"│ a    │        1 │\n"+
		"│ 東京 │ 123456789 │\n"+
		"│ b    │        2 │\n"+
		"└──────┴──────────┘\n"+
		"(3 rows)\n", out.String())

	b = buildWriterBatch(mem, schema, [][]any{{"c", int64(3)}})
	defer b.Release()
	require.ErrorIs(t, w.WriteBatch(b), errRowWriterClosed)
}

func TestRowWriterSlicedBatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	b := buildWriterBatch(mem, writerSchema, writerRows[0])
	defer b.Release()
	slice := b.NewSlice(1, 3)
	defer slice.Release()

	var out bytes.Buffer
	w, err := NewRowWriter("csv", &out, writerSchema)
	require.NoError(t, err)
	require.NoError(t, w.WriteBatch(slice))
	require.NoError(t, w.Close())
	require.Equal(t, "ok,n,x,s,t,d\n"+
		`,-42,0.25,"a,b ""c""",2024-01-01T00:01:00.493Z,00:00:00.5`+"\n"+
		"false,,,\"\",,\n", out.String())
}

func TestRowWriterColumnMismatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: functions.Bigint}}, nil)
	b := buildWriterBatch(mem, schema, [][]any{{int64(1)}})
	defer b.Release()

	for _, format := range []string{"csv", "json", "table", "markdown"} {
		w, err := NewRowWriter(format, &bytes.Buffer{}, writerSchema)
		require.NoError(t, err)
		require.ErrorContains(t, w.WriteBatch(b), "batch has 1 columns, the result has 6")
	}
}

func TestRowWriterUnknownFormat(t *testing.T) {
	_, err := NewRowWriter("xml", &bytes.Buffer{}, writerSchema)
	require.ErrorIs(t, err, ErrUnknownOutputFormat)
	require.EqualError(t, err, `unknown output format "xml" `+
		`(valid formats: table, csv, tsv, json, markdown, parquet, arrow, none)`)
	require.Equal(t, []string{"table", "csv", "tsv", "json", "markdown", "parquet", "arrow",
		"none"},
		RowWriterFormats())
}

func TestRowWriterHeaderQuoting(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a,b", Type: functions.Bigint},
		{Name: `say "hi"`, Type: functions.Varchar},
		{Name: "count(*)", Type: functions.Bigint},
	}, nil)
	require.Equal(t, "\"a,b\",\"say \"\"hi\"\"\",count(*)\n", writeAll(t, "csv", schema, nil))
	require.Equal(t, "a,b\t\"say \"\"hi\"\"\"\tcount(*)\n", writeAll(t, "tsv", schema, nil))

	rows := [][][]any{{{int64(1), "x", int64(2)}}}
	require.Equal(t, `{"a,b":1,"say \"hi\"":"x","count(*)":2}`+"\n",
		writeAll(t, "json", schema, rows))
}

func TestRowWriterFormatValue(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	tests := []struct {
		name string
		typ  arrow.DataType
		v    any // appended with the type's builder; nil is NULL
		want string
	}{
		{"null", functions.Bigint, nil, ""},
		{"bool", functions.Boolean, true, "true"},
		{"bigint", functions.Bigint, int64(math.MinInt64), "-9223372036854775808"},
		{"double", functions.Double, -1.5e300, functions.FormatDouble(-1.5e300)},
		{"infinity", functions.Double, math.Inf(-1), "-Infinity"},
		{"timestamp s", &arrow.TimestampType{Unit: arrow.Second}, int64(1704067260),
			"2024-01-01T00:01:00Z"},
		{"timestamp ms", &arrow.TimestampType{Unit: arrow.Millisecond},
			int64(1704067260493), "2024-01-01T00:01:00.493Z"},
		{"timestamp ns rounds down", &arrow.TimestampType{Unit: arrow.Nanosecond},
			int64(-1), "1969-12-31T23:59:59.999999Z"},
		{"interval", functions.Interval, int64(5_000_000), "00:00:05"},
		{"interval fraction", functions.Interval, int64(-1), "-00:00:00.000001"},
		{"interval hours", functions.Interval, int64(100 * 3600 * 1e6), "100:00:00"},
		{"interval min", functions.Interval, int64(math.MinInt64),
			"-2562047788:00:54.775808"},
		{"interval s", &arrow.DurationType{Unit: arrow.Second}, int64(3725), "01:02:05"},
		{"interval ms", &arrow.DurationType{Unit: arrow.Millisecond}, int64(1050),
			"00:00:01.05"},
		{"interval ns", &arrow.DurationType{Unit: arrow.Nanosecond}, int64(1),
			"00:00:00.000000001"},
		{"int32", arrow.PrimitiveTypes.Int32, int64(-7), "-7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := array.NewBuilder(mem, tt.typ)
			defer b.Release()
			if tt.v == nil {
				b.AppendNull()
			} else {
				appendFormatValueCase(b, tt.v)
			}
			arr := b.NewArray()
			defer arr.Release()

			got, ok := FormatValue(arr, 0)
			require.Equal(t, tt.v != nil, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func appendFormatValueCase(b array.Builder, v any) {
	switch b := b.(type) {
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v.(int64)))
	case *array.DurationBuilder:
		b.Append(arrow.Duration(v.(int64)))
	case *array.Int32Builder:
		b.Append(int32(v.(int64)))
	default:
		appendWriterValue(b, v)
	}
}

// TestNullTypedColumn writes a column of the NULL type (SELECT NULL): every row is NULL,
// though such an array has no validity bitmap.
func TestNullTypedColumn(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.Null, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	nb := array.NewNullBuilder(memory.DefaultAllocator)
	nb.AppendNull()
	nb.AppendNull()
	nulls := nb.NewArray()
	defer nulls.Release()
	xb := array.NewInt64Builder(memory.DefaultAllocator)
	xb.AppendValues([]int64{1, 2}, nil)
	xs := xb.NewArray()
	defer xs.Release()
	b := array.NewRecordBatch(schema, []arrow.Array{nulls, xs}, 2)
	defer b.Release()
	for format, want := range map[string]string{
		"csv":  "n,x\n,1\n,2\n",
		"json": "{\"n\":null,\"x\":1}\n{\"n\":null,\"x\":2}\n",
	} {
		var out bytes.Buffer
		w, err := NewRowWriter(format, &out, schema)
		require.NoError(t, err)
		require.NoError(t, w.WriteBatch(b))
		require.NoError(t, w.Close())
		require.Equal(t, want, out.String(), format)
	}
	s, ok := FormatValue(nulls, 0)
	require.False(t, ok)
	require.Empty(t, s)
}
