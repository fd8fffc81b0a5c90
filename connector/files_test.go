package connector

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/functions"
)

// roundTripSchema has one column of each type a source reads.
var roundTripSchema = arrow.NewSchema(writerSchema.Fields()[:5], nil)

// roundTripRows are the rows of writerRows in roundTripSchema's columns.
func roundTripRows() [][][]any {
	var out [][][]any
	for _, batch := range writerRows {
		var rows [][]any
		for _, r := range batch {
			rows = append(rows, r[:5])
		}
		out = append(out, rows)
	}
	return out
}

// writeFile writes batches of rows in format to a new file and returns its path.
func writeFile(t *testing.T, format, name string, schema *arrow.Schema,
	batches [][][]any) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	w, err := NewRowWriter(format, f, schema)
	require.NoError(t, err)
	for _, rows := range batches {
		b := buildWriterBatch(memory.DefaultAllocator, schema, rows)
		require.NoError(t, w.WriteBatch(b))
		b.Release()
		require.NoError(t, w.Flush())
	}
	require.NoError(t, w.Close())
	require.NoError(t, w.Close())
	return path
}

func TestRoundTrip(t *testing.T) {
	batches := roundTripRows()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	want := srcReadAll(t, &batchesSource{schema: roundTripSchema, batches: batches}, mem).rows
	for _, tt := range []struct{ format, name string }{
		{"parquet", "out.parquet"}, {"arrow", "out.arrow"}, {"csv", "out.csv"},
		{"json", "out.jsonl"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			path := writeFile(t, tt.format, tt.name, roundTripSchema, batches)
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			src, err := NewFileSource(FileOptions{Path: path}, roundTripSchema, mem)
			require.NoError(t, err)
			got := srcReadAll(t, src, mem)
			require.NoError(t, got.err)
			require.Equal(t, want, got.rows)
		})
	}
}

// TestRoundTripInterval writes INTERVAL columns, which only the binary formats keep.
func TestRoundTripInterval(t *testing.T) {
	for _, format := range []string{"parquet", "arrow"} {
		path := writeFile(t, format, "out."+format, writerSchema, writerRows)
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		src, err := NewFileSource(FileOptions{Path: path},
			arrow.NewSchema([]arrow.Field{writerSchema.Field(5)}, nil), mem)
		require.NoError(t, err)
		require.NoError(t, src.Open(context.Background()))
		var got []string
		for {
			b, err := src.Next(context.Background())
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			for i := range int(b.NumRows()) {
				s, _ := FormatValue(b.Column(0), i)
				got = append(got, s)
			}
			b.Release()
		}
		require.NoError(t, src.Close())
		mem.AssertSize(t, 0)
		require.Equal(t, []string{"00:01:30", "00:00:00.5", "", "-36:00:00", "00:00:00"}, got)
	}
}

// batchesSource hands out batches built from rows.
type batchesSource struct {
	schema  *arrow.Schema
	batches [][][]any
	mem     memory.Allocator
	stats   SourceStats
}

func (s *batchesSource) Schema() *arrow.Schema      { return s.schema }
func (s *batchesSource) Open(context.Context) error { return nil }
func (s *batchesSource) Close() error               { return nil }
func (s *batchesSource) Stats() *SourceStats        { return &s.stats }
func (s *batchesSource) Next(context.Context) (arrow.RecordBatch, error) {
	if len(s.batches) == 0 {
		return nil, io.EOF
	}
	b := buildWriterBatch(memory.DefaultAllocator, s.schema, s.batches[0])
	s.batches = s.batches[1:]
	s.stats.RowsRead.Add(b.NumRows())
	return b, nil
}

func TestParquetCasts(t *testing.T) {
	// A file of narrower and other types than those declared.
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "Small", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "ms", Type: &arrow.TimestampType{Unit: arrow.Millisecond}, Nullable: true},
		{Name: "unused", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	b.Field(0).(*array.Int32Builder).AppendValues([]int32{1, -2}, nil)
	b.Field(1).(*array.Float32Builder).AppendValues([]float32{0.5, 2}, nil)
	b.Field(2).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1_000, 1_500}, nil)
	b.Field(3).(*array.StringBuilder).AppendValues([]string{"a", "b"}, nil)
	rec := b.NewRecordBatch()
	b.Release()
	defer rec.Release()

	for _, format := range []string{"parquet", "arrow"} {
		t.Run(format, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x."+format)
			f, err := os.Create(path)
			require.NoError(t, err)
			w, err := NewRowWriter(format, f, schema)
			require.NoError(t, err)
			require.NoError(t, w.WriteBatch(rec))
			require.NoError(t, w.Close())
			require.NoError(t, f.Close())

			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			src, err := NewFileSource(FileOptions{Path: path},
				srcSchema(t, "ms", "TIMESTAMP", "small", "BIGINT", "F", "DOUBLE"), mem)
			require.NoError(t, err)
			got := srcReadAll(t, src, mem)
			require.NoError(t, got.err)
			require.Equal(t, [][]any{
				{"1970-01-01T00:00:01Z", int64(1), 0.5},
				{"1970-01-01T00:00:01.5Z", int64(-2), 2.0},
			}, got.rows)

			inferred, err := InferSchema(FileOptions{Path: path})
			require.NoError(t, err)
			require.Equal(t, "Small: BIGINT, f: DOUBLE, ms: TIMESTAMP, unused: VARCHAR",
				srcSchemaText(inferred))

			src, err = NewFileSource(FileOptions{Path: path}, srcSchema(t, "nope", "BIGINT"),
				mem)
			require.NoError(t, err)
			got = srcReadAll(t, src, mem)
			require.ErrorContains(t, got.err, `column "nope" is not in the file (its `+
				`columns: Small, f, ms, unused)`)
		})
	}
}

func TestGlobAndFilename(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"2024-01-02.csv": "v,ts\n3,2024-01-02 00:00:00\n",
		"2024-01-01.csv": "ts,v\n2024-01-01 00:00:00,1\n2024-01-01 00:00:01,2\n",
		"2024-01-03.csv": "v,ts\n",
		"notes.txt":      "not a csv",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	glob := filepath.Join(dir, "2024-*.csv")

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := NewFileSource(FileOptions{Path: glob, Filename: true, BatchSize: 1},
		srcSchema(t, "v", "BIGINT", "FileName", "VARCHAR", "ts", "TIMESTAMP"), mem)
	require.NoError(t, err)
	got := srcReadAll(t, src, mem)
	require.NoError(t, got.err)
	name := func(day string) string { return filepath.Join(dir, day+".csv") }
	require.Equal(t, [][]any{
		{int64(1), name("2024-01-01"), "2024-01-01T00:00:00Z"},
		{int64(2), name("2024-01-01"), "2024-01-01T00:00:01Z"},
		{int64(3), name("2024-01-02"), "2024-01-02T00:00:00Z"},
	}, got.rows, "files in name order, each with its own header")

	_, err = NewFileSource(FileOptions{Path: glob, Filename: true}, srcSchema(t, "v", "BIGINT"),
		mem)
	require.ErrorContains(t, err, "filename = true needs a column filename VARCHAR")

	// A bad row is reported with its own file and line.
	bad := filepath.Join(dir, "2024-01-02.csv")
	require.NoError(t, os.WriteFile(bad, []byte("v,ts\nx,2024-01-02 00:00:00\n"), 0o644))
	src, err = NewFileSource(FileOptions{Path: glob}, srcSchema(t, "v", "BIGINT"), mem)
	require.NoError(t, err)
	got = srcReadAll(t, src, mem)
	require.Equal(t, []string{bad + `:2: column "v": "x" is not a BIGINT`}, got.warnings)
	require.Len(t, got.rows, 2)
}

func TestDeadletter(t *testing.T) {
	content := "a,b\n1,x\n\n2,\"multi\nline\"\nbad,y\n3,z\nno,\"open\n"
	path := srcFile(t, "in.csv", content)
	dead := filepath.Join(t.TempDir(), "dead.txt")
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := NewFileSource(FileOptions{Path: path, OnError: OnErrorDeadletter,
		Deadletter: dead}, srcSchema(t, "a", "BIGINT", "b", "VARCHAR"), mem)
	require.NoError(t, err)
	got := srcReadAll(t, src, mem)
	require.NoError(t, got.err)
	require.Equal(t, [][]any{{int64(1), "x"}, {int64(2), "multi\nline"}, {int64(3), "z"}},
		got.rows)
	require.Len(t, got.warnings, 2)
	kept, err := os.ReadFile(dead)
	require.NoError(t, err)
	require.Equal(t, "bad,y\nno,\"open\n", string(kept))

	// JSON lines and regex lines keep their rejected lines too.
	path = srcFile(t, "in.jsonl", "{\"a\":1}\n  \n{\"a\":\"x\"}\n{oops\n")
	src, err = NewFileSource(FileOptions{Path: path, OnError: OnErrorDeadletter,
		Deadletter: dead}, srcSchema(t, "a", "BIGINT"), mem)
	require.NoError(t, err)
	got = srcReadAll(t, src, mem)
	require.Len(t, got.rows, 1)
	kept, err = os.ReadFile(dead)
	require.NoError(t, err)
	require.Equal(t, "{\"a\":\"x\"}\n{oops\n", string(kept), "emptied when the source opens")
}

func TestRegexSource(t *testing.T) {
	const pattern = `^(?P<host>\S+) \[(?P<time>[^\]]+)\] "(?P<method>\S+) (?P<path>[^"]*)" ` +
		`(?P<status>\d+) (?P<bytes>\S+)(?: (?P<extra>\S*))?$`
	content := `a.org [17/May/2015:10:05:03 +0000] "GET /x" 200 512 more
b.org [17/May/2015:10:05:04 +0200] "POST /y z" 404 -

garbage
c.org [17/May/2015:10:05:05 +0000] "GET /" 500 12x
`
	runSourceCases(t, []srcCase{{
		name:    "apache style",
		file:    "access.log",
		content: content,
		opts:    FileOptions{Format: "regex", Pattern: pattern, Null: []string{"-"}},
		schema: []string{"Time", "TIMESTAMP", "host", "VARCHAR", "status", "BIGINT",
			"bytes", "BIGINT", "path", "VARCHAR", "extra", "VARCHAR"},
		want: [][]any{
			{"2015-05-17T10:05:03Z", "a.org", int64(200), int64(512), "/x", "more"},
			{"2015-05-17T08:05:04Z", "b.org", int64(404), nil, "/y z", nil},
		},
		warnings: []string{
			`F:4: the line does not match the pattern: "garbage"`,
			`F:5: column "bytes": "12x" is not a BIGINT`,
		},
	}})

	_, err := NewFileSource(FileOptions{Path: srcFile(t, "a.log", ""), Format: "regex",
		Pattern: `(?P<a>\d+)`}, srcSchema(t, "b", "BIGINT"), nil)
	require.ErrorContains(t, err, `column "b" is not a group of the pattern (its groups: a)`)
	_, err = CompilePattern(`(\d+)`)
	require.ErrorContains(t, err, "names no group")
	_, err = CompilePattern(`(?P<a>`)
	require.ErrorContains(t, err, "pattern: error parsing regexp")

	inferred, err := InferSchema(FileOptions{Path: srcFile(t, "b.log", content),
		Format: "regex", Pattern: pattern, Null: []string{"-"}})
	require.NoError(t, err)
	require.Equal(t, "host: VARCHAR, time: TIMESTAMP, method: VARCHAR, path: VARCHAR, "+
		"status: BIGINT, bytes: VARCHAR, extra: VARCHAR", srcSchemaText(inferred))
}

func TestTimezone(t *testing.T) {
	ny, err := LoadTimezone("America/New_York")
	require.NoError(t, err)
	content := "t\n2019-01-15 03:36:12\n2019-07-01 12:00:00\n2019-03-10 02:30:00\n" +
		"2019-11-03 01:30:00\n2019-07-01T12:00:00Z\n2019-07-01 12:00:00+02:00\n" +
		"17/May/2015:10:05:03 +0000\n2019-01-15\n"
	runSourceCases(t, []srcCase{{
		name:    "New York",
		file:    "a.csv",
		content: content,
		opts:    FileOptions{Timezone: ny},
		schema:  []string{"t", "TIMESTAMP"},
		want: [][]any{
			{"2019-01-15T08:36:12Z"}, // EST, UTC-5
			{"2019-07-01T16:00:00Z"}, // EDT, UTC-4
			{"2019-03-10T06:30:00Z"}, // in the gap: as time.ParseInLocation reads it
			{"2019-11-03T05:30:00Z"}, // twice on the clock: the first
			{"2019-07-01T12:00:00Z"}, // a zone given wins
			{"2019-07-01T10:00:00Z"},
			{"2015-05-17T10:05:03Z"},
			{"2019-01-15T05:00:00Z"},
		},
	}})
	_, err = LoadTimezone("Mars/Olympus")
	require.ErrorContains(t, err, `unknown timezone "Mars/Olympus"`)
	utc, err := LoadTimezone("UTC")
	require.NoError(t, err)
	require.Nil(t, utc)
}

func TestZstd(t *testing.T) {
	var buf bytes.Buffer
	zw, err := zstd.NewWriter(&buf)
	require.NoError(t, err)
	_, err = zw.Write([]byte("a,b\n1,x\n2,y\n"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	path := srcFile(t, "a.csv.zst", buf.String())

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := NewFileSource(FileOptions{Path: path}, srcSchema(t, "a", "BIGINT"), mem)
	require.NoError(t, err)
	got := srcReadAll(t, src, mem)
	require.NoError(t, got.err)
	require.Equal(t, [][]any{{int64(1)}, {int64(2)}}, got.rows)

	inferred, err := InferSchema(FileOptions{Path: path})
	require.NoError(t, err)
	require.Equal(t, "a: BIGINT, b: VARCHAR", srcSchemaText(inferred))
}

func TestProgress(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("a\n")
	for i := range 400_000 { // over 2 MB: more than one read of the 1 MB buffer
		sb.WriteString(strings.Repeat("1", i%7+1) + "\n")
	}
	path := srcFile(t, "a.csv", sb.String())
	var bar bytes.Buffer
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := NewFileSource(FileOptions{Path: path, Progress: &bar},
		srcSchema(t, "a", "BIGINT"), mem)
	require.NoError(t, err)
	got := srcReadAll(t, src, mem)
	require.NoError(t, got.err)
	require.Len(t, got.rows, 400_000)
	require.Contains(t, bar.String(), "a.csv")
	require.Contains(t, bar.String(), "%")
	require.True(t, strings.HasSuffix(bar.String(), " \r"), "cleared at the end")
	require.Nil(t, TerminalProgress(), "tests run without a terminal")
}

func TestHasZone(t *testing.T) {
	for text, want := range map[string]bool{
		"2019-01-15 03:36:12":        false,
		"2019-01-15":                 false,
		"2019/01/15 03:36:12.25":     false,
		"2019-01-15T03:36:12Z":       true,
		"2019-01-15 03:36:12 UTC":    true,
		"2019-01-15 03:36:12 gmt":    true,
		"2019-01-15T03:36:12-0500":   true,
		"2019-01-15T03:36:12+02":     true,
		"17/Aug/2015:10:05:03 +0000": true,
		"17/Aug/2015:10:05:03":       false,
	} {
		require.Equal(t, want, hasZone([]byte(text)), text)
	}
}

// TestTimezoneCache converts wall-clock times around the changes of daylight saving time as
// time.ParseInLocation does.
func TestTimezoneCache(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	var c tzCache
	for _, s := range []string{"2019-03-10 01:59:59", "2019-03-10 03:00:00",
		"2019-11-03 00:59:59", "2019-11-03 02:00:00", "1969-12-31 23:00:00"} {
		us, ok := functions.ParseTimestamp(s)
		require.True(t, ok)
		wall, _ := time.ParseInLocation("2006-01-02 15:04:05", s, ny)
		require.Equal(t, wall.UnixMicro(), c.toUTC(us, ny), s)
	}
}
