package connector

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/functions"
	"github.com/weirsql/weir/internal/testdata"
)

// srcSchema builds a schema from pairs of name and SQL type name.
func srcSchema(t testing.TB, cols ...string) *arrow.Schema {
	t.Helper()
	fields := make([]arrow.Field, 0, len(cols)/2)
	for i := 0; i < len(cols); i += 2 {
		typ, ok := functions.TypeByName(cols[i+1])
		require.True(t, ok, cols[i+1])
		fields = append(fields, arrow.Field{Name: cols[i], Type: typ, Nullable: true})
	}
	return arrow.NewSchema(fields, nil)
}

// srcFile writes content to a file named name in a fresh temporary folder.
func srcFile(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

// srcRow renders row i of a batch: nil for NULL, timestamps as RFC 3339 text.
func srcRow(b arrow.RecordBatch, i int) []any {
	row := make([]any, b.NumCols())
	for j, col := range b.Columns() {
		if col.IsNull(i) {
			continue
		}
		switch a := col.(type) {
		case *array.Int64:
			row[j] = a.Value(i)
		case *array.Float64:
			row[j] = a.Value(i)
			if math.IsNaN(a.Value(i)) {
				row[j] = "NaN" // NaN equals nothing, itself included
			}
		case *array.Boolean:
			row[j] = a.Value(i)
		case *array.String:
			row[j] = a.Value(i)
		case *array.Timestamp:
			row[j] = functions.FormatTimestamp(int64(a.Value(i)))
		}
	}
	return row
}

// srcRead is what reading a source to its end gave.
type srcRead struct {
	rows     [][]any
	batches  []int // rows per batch
	warnings []string
	err      error // the error that ended the reading, nil at io.EOF
}

// srcReadAll opens src, reads it to its end or first error, closes it, and checks that every
// batch had the declared schema and that nothing leaked.
func srcReadAll(t *testing.T, src Source, mem *memory.CheckedAllocator) srcRead {
	t.Helper()
	var out srcRead
	src.Stats().OnWarning(func(w Warning) { out.warnings = append(out.warnings, w.String()) })
	ctx := context.Background()
	if err := src.Open(ctx); err != nil {
		out.err = err
		require.NoError(t, src.Close())
		mem.AssertSize(t, 0)
		return out
	}
	for {
		b, err := src.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			out.err = err
			break
		}
		require.True(t, b.Schema().Equal(src.Schema()))
		require.NotZero(t, b.NumRows(), "an empty batch")
		for i := 0; i < int(b.NumRows()); i++ {
			out.rows = append(out.rows, srcRow(b, i))
		}
		out.batches = append(out.batches, int(b.NumRows()))
		b.Release()
	}
	require.NoError(t, src.Close())
	require.NoError(t, src.Close(), "Close is idempotent")
	mem.AssertSize(t, 0)
	require.Equal(t, int64(len(out.rows)), src.Stats().RowsRead.Load())
	require.Equal(t, int64(len(out.warnings)), src.Stats().RowsSkipped.Load())
	return out
}

func yes() *bool { v := true; return &v }
func no() *bool  { v := false; return &v }

type srcCase struct {
	name     string
	file     string // the file's name, which gives its format unless opts says
	content  string
	opts     FileOptions
	schema   []string // name, type, name, type, ...
	want     [][]any
	warnings []string // with the file's name written as F
	err      string   // a substring of the error that ends the reading
}

func runSourceCases(t *testing.T, tests []srcCase) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := srcFile(t, tt.file, tt.content)
			opts := tt.opts
			opts.Path = path
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			src, err := NewFileSource(opts, srcSchema(t, tt.schema...), mem)
			require.NoError(t, err)
			got := srcReadAll(t, src, mem)
			if tt.err != "" {
				require.Error(t, got.err)
				require.Contains(t, strings.ReplaceAll(got.err.Error(), path, "F"), tt.err)
			} else {
				require.NoError(t, got.err)
			}
			require.Equal(t, tt.want, got.rows)
			for i := range got.warnings {
				got.warnings[i] = strings.ReplaceAll(got.warnings[i], path, "F")
			}
			require.Equal(t, tt.warnings, got.warnings)
		})
	}
}

func TestCSVSource(t *testing.T) {
	runSourceCases(t, []srcCase{{
		name:    "header maps by name, out of order, a subset, any case",
		file:    "a.csv",
		content: "id,Name,score,extra\n1,ann,2.5,x\n2,bob,3,y\n",
		schema:  []string{"SCORE", "DOUBLE", "id", "BIGINT", "name", "VARCHAR"},
		want:    [][]any{{2.5, int64(1), "ann"}, {3.0, int64(2), "bob"}},
	}, {
		name:    "without a header columns map by position and extra fields are ignored",
		file:    "a.csv",
		content: "1,ann,x,y\n2,bob,z\n",
		opts:    FileOptions{Header: no()},
		schema:  []string{"id", "BIGINT", "name", "VARCHAR"},
		want:    [][]any{{int64(1), "ann"}, {int64(2), "bob"}},
	}, {
		name: "quoted fields hold delimiters, quotes and line ends",
		file: "a.csv",
		content: "id,text\n" +
			"1,\"a,b\"\n" +
			"2,\"say \"\"hi\"\"\"\n" +
			"3,\"two\nlines\"\n" +
			"4,\"crlf\r\ninside\"\r\n" +
			"5,mid\"quote\n",
		schema: []string{"id", "BIGINT", "text", "VARCHAR"},
		want: [][]any{
			{int64(1), "a,b"}, {int64(2), `say "hi"`}, {int64(3), "two\nlines"},
			{int64(4), "crlf\ninside"}, {int64(5), `mid"quote`},
		},
	}, {
		name:    "CRLF line ends, a byte order mark and a last line without a line end",
		file:    "a.csv",
		content: "\xef\xbb\xbfid,name\r\n1,ann\r\n\r\n2,bob",
		schema:  []string{"id", "BIGINT", "name", "VARCHAR"},
		want:    [][]any{{int64(1), "ann"}, {int64(2), "bob"}},
	}, {
		name:    "empty unquoted is NULL, quoted empty is empty, null strings are NULL",
		file:    "a.csv",
		content: "s,n,t\n,,\n\"\",-,NA\nx,\"7\",\"-\"\n",
		opts:    FileOptions{Null: []string{"-", "NA"}},
		schema:  []string{"s", "VARCHAR", "n", "BIGINT", "t", "VARCHAR"},
		want:    [][]any{{nil, nil, nil}, {"", nil, nil}, {"x", int64(7), nil}},
	}, {
		name: "conversions",
		file: "a.csv",
		content: "i,f,b,ts\n" +
			"-9223372036854775808,NaN,TRUE,2015-09-12T00:46:58.771Z\n" +
			"9223372036854775807,-Infinity,f,2015-09-12 00:46:58\n" +
			"+5,1e3,yes,1969-12-31T23:00:00-01:00\n" +
			" 7 ,.5,0,17/May/2015:10:05:03 +0000\n",
		schema: []string{"i", "BIGINT", "f", "DOUBLE", "b", "BOOLEAN", "ts", "TIMESTAMP"},
		want: [][]any{
			{int64(math.MinInt64), "NaN", true, "2015-09-12T00:46:58.771Z"},
			{int64(math.MaxInt64), math.Inf(-1), false, "2015-09-12T00:46:58Z"},
			{int64(5), 1000.0, true, "1970-01-01T00:00:00Z"},
			{int64(7), 0.5, false, "2015-05-17T10:05:03Z"},
		},
	}, {
		name: "malformed rows are skipped with their line",
		file: "a.csv",
		content: "id,bytes,ok\n" +
			"1,10,true\n" +
			"2,\"multi\nline\",true\n" +
			"3,abc,true\n" +
			"4,9223372036854775808,true\n" +
			"5,12,maybe\n" +
			"6\n" +
			"7,\"x\"y,true\n" +
			"8,13,false\n",
		schema: []string{"id", "BIGINT", "bytes", "BIGINT", "ok", "BOOLEAN"},
		want:   [][]any{{int64(1), int64(10), true}, {int64(8), int64(13), false}},
		warnings: []string{
			`F:3: column "bytes": "multi\nline" is not a BIGINT`,
			`F:5: column "bytes": "abc" is not a BIGINT`,
			`F:6: column "bytes": "9223372036854775808" is out of range for a BIGINT`,
			`F:7: column "ok": "maybe" is not a BOOLEAN`,
			`F:8: the row has 1 field, the header 3`,
			`F:9: field 2: text after the closing quote`,
		},
	}, {
		name:    "on_error fail stops at the malformed row after the rows before it",
		file:    "a.csv",
		content: "id,bytes\n1,10\n2,abc\n3,30\n",
		opts:    FileOptions{OnError: OnErrorFail},
		schema:  []string{"id", "BIGINT", "bytes", "BIGINT"},
		want:    [][]any{{int64(1), int64(10)}},
		err:     `F:3: column "bytes": "abc" is not a BIGINT`,
	}, {
		name:     "an unterminated quote is malformed at its first line; the lines after it are read",
		file:     "a.csv",
		content:  "id,s\n1,ok\n2,\"open\n3,more\n",
		schema:   []string{"id", "BIGINT", "s", "VARCHAR"},
		want:     [][]any{{int64(1), "ok"}, {int64(3), "more"}},
		warnings: []string{`F:3: unterminated quoted field`},
	}, {
		name:    "tsv reads quotes literally",
		file:    "a.tsv",
		content: "id\ttext\n1\t\"a\"\n2\tsay \"\"x\n3\t\n",
		schema:  []string{"id", "BIGINT", "text", "VARCHAR"},
		want:    [][]any{{int64(1), `"a"`}, {int64(2), `say ""x`}, {int64(3), nil}},
	}, {
		name:    "another delimiter",
		file:    "a.txt",
		content: "a;b\n1;\"x;y\"\n",
		opts:    FileOptions{Format: "csv", Delimiter: ';'},
		schema:  []string{"b", "VARCHAR", "a", "BIGINT"},
		want:    [][]any{{"x;y", int64(1)}},
	}, {
		name:    "a header only",
		file:    "a.csv",
		content: "a,b\n",
		schema:  []string{"a", "BIGINT"},
	}, {
		name:   "an empty file",
		file:   "a.csv",
		schema: []string{"a", "BIGINT"},
	}, {
		name:    "a declared column missing from the header",
		file:    "a.csv",
		content: "host,time\nx,1\n",
		schema:  []string{"host", "VARCHAR", "bytes", "BIGINT"},
		err:     `F: column "bytes" is not in the header (its columns: host, time)`,
	}, {
		name:    "duplicate and empty header names are renamed as inference names them",
		file:    "a.csv",
		content: "a,A,\n1,2,3\n",
		schema:  []string{"a_1", "BIGINT", "column3", "BIGINT", "a", "BIGINT"},
		want:    [][]any{{int64(2), int64(3), int64(1)}},
	}, {
		name:    "a timestamp before 1970 with a fraction",
		file:    "a.csv",
		content: "t\n1969-12-31T23:59:59.5Z\n",
		schema:  []string{"t", "TIMESTAMP"},
		want:    [][]any{{"1969-12-31T23:59:59.5Z"}},
	}})
}

func TestCSVTimestampUnits(t *testing.T) {
	path := srcFile(t, "a.csv", "t\n1969-12-31T23:59:59.5Z\n")
	tests := []struct {
		unit arrow.TimeUnit
		want int64
	}{
		{arrow.Second, -1},
		{arrow.Millisecond, -500},
		{arrow.Microsecond, -500_000},
		{arrow.Nanosecond, -500_000_000},
	}
	for _, tt := range tests {
		t.Run(tt.unit.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			typ := &arrow.TimestampType{Unit: tt.unit, TimeZone: "UTC"}
			schema := arrow.NewSchema([]arrow.Field{{Name: "t", Type: typ, Nullable: true}}, nil)
			src, err := NewFileSource(FileOptions{Path: path}, schema, mem)
			require.NoError(t, err)
			ctx := context.Background()
			require.NoError(t, src.Open(ctx))
			b, err := src.Next(ctx)
			require.NoError(t, err)
			require.Equal(t, arrow.Timestamp(tt.want), b.Column(0).(*array.Timestamp).Value(0))
			b.Release()
			require.NoError(t, src.Close())
			mem.AssertSize(t, 0)
		})
	}
}

func TestCSVOnErrorFailIsMalformed(t *testing.T) {
	path := srcFile(t, "a.csv", "a\nx\n")
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := NewFileSource(FileOptions{Path: path, OnError: OnErrorFail},
		srcSchema(t, "a", "BIGINT"), mem)
	require.NoError(t, err)
	got := srcReadAll(t, src, mem)
	require.ErrorIs(t, got.err, ErrMalformed)
	var re *RowError
	require.ErrorAs(t, got.err, &re)
	require.Equal(t, Warning{File: path, Line: 2, Message: `column "a": "x" is not a BIGINT`},
		re.Warning)
	require.Equal(t, path+`:2: column "a": "x" is not a BIGINT`, got.err.Error())
}

func TestSourceOptionErrors(t *testing.T) {
	path := srcFile(t, "a.csv", "a\n1\n")
	tests := []struct {
		name   string
		opts   FileOptions
		schema *arrow.Schema
		err    string
	}{
		{"missing file", FileOptions{Path: path + ".nope"}, nil, "no such file"},
		{"no path", FileOptions{}, nil, "no path"},
		{"format", FileOptions{Path: path, Format: "xml"}, nil, `unsupported: format "xml"`},
		{"on_error", FileOptions{Path: path, OnError: "ignore"}, nil,
			`unsupported: on_error = "ignore"`},
		{"deadletter", FileOptions{Path: path, OnError: "deadletter"}, nil,
			`on_error = 'deadletter' needs a deadletter file`},
		{"compression", FileOptions{Path: path, Compression: "brotli"}, nil,
			`unsupported: compression "brotli"`},
		{"glob", FileOptions{Path: filepath.Join(filepath.Dir(path), "*.nope")}, nil,
			`no file matches`},
		{"delimiter", FileOptions{Path: path, Delimiter: 'é'}, nil, "unsupported: delimiter"},
		{"type", FileOptions{Path: path}, arrow.NewSchema([]arrow.Field{
			{Name: "d", Type: functions.Interval}}, nil), `column "d": unsupported: type`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			schema := tt.schema
			if schema == nil {
				schema = srcSchema(t, "a", "BIGINT")
			}
			_, err := NewFileSource(tt.opts, schema, memory.DefaultAllocator)
			require.ErrorContains(t, err, tt.err)
		})
	}
}

func TestFileSourceGzip(t *testing.T) {
	tests := []struct {
		name, file, content string
		schema              []string
		want                [][]any
	}{
		{"csv", "a.csv.gz", "a,b\n1,x\n2,y\n", []string{"b", "VARCHAR", "a", "BIGINT"},
			[][]any{{"x", int64(1)}, {"y", int64(2)}}},
		{"tsv", "a.tsv.gz", "a\tb\n1\tx\n", []string{"a", "BIGINT"}, [][]any{{int64(1)}}},
		{"json", "a.jsonl.gz", `{"a":1}` + "\n" + `{"a":2}`, []string{"a", "BIGINT"},
			[][]any{{int64(1)}, {int64(2)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			z := gzip.NewWriter(&buf)
			_, err := z.Write([]byte(tt.content))
			require.NoError(t, err)
			require.NoError(t, z.Close())
			path := srcFile(t, tt.file, buf.String())

			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			src, err := NewFileSource(FileOptions{Path: path}, srcSchema(t, tt.schema...), mem)
			require.NoError(t, err)
			got := srcReadAll(t, src, mem)
			require.NoError(t, got.err)
			require.Equal(t, tt.want, got.rows)

			schema, err := InferSchema(FileOptions{Path: path})
			require.NoError(t, err)
			require.Equal(t, "a", schema.Field(0).Name)
		})
	}
}

func TestFileSourceBatches(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("n\n")
	for i := range 10 {
		fmt.Fprintf(&sb, "%d\n", i)
	}
	tests := []struct {
		batchSize int
		want      []int
	}{
		{0, []int{10}},
		{4, []int{4, 4, 2}},
		{5, []int{5, 5}},
		{1, []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
	}
	path := srcFile(t, "a.csv", sb.String())
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.batchSize), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			src, err := NewFileSource(FileOptions{Path: path, BatchSize: tt.batchSize},
				srcSchema(t, "n", "BIGINT"), mem)
			require.NoError(t, err)
			got := srcReadAll(t, src, mem)
			require.NoError(t, got.err)
			require.Equal(t, tt.want, got.batches)
		})
	}
}

func TestFileSourceLongLine(t *testing.T) {
	long := strings.Repeat("x", 3*readBufferSize+17)
	path := srcFile(t, "a.csv", "n,s\n1,"+long+"\n2,\""+long+"\"\n3,short")
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := NewFileSource(FileOptions{Path: path}, srcSchema(t, "n", "BIGINT", "s", "TEXT"),
		mem)
	require.NoError(t, err)
	got := srcReadAll(t, src, mem)
	require.NoError(t, got.err)
	require.Equal(t, [][]any{{int64(1), long}, {int64(2), long}, {int64(3), "short"}}, got.rows)
}

// TestReaderSourcePipe checks that rows written to a pipe that stays open come out of Next.
func TestReaderSourcePipe(t *testing.T) {
	tests := []struct {
		format  string
		first   string // the header and first rows, written before reading
		then    string // written after the first batch came out
		schema  []string
		want1   [][]any
		wantEnd [][]any
	}{
		{"csv", "a,b\n1,x\n2,y\n", "3,z\n", []string{"b", "VARCHAR", "a", "BIGINT"},
			[][]any{{"x", int64(1)}, {"y", int64(2)}}, [][]any{{"z", int64(3)}}},
		{"tsv", "a\tb\n1\tx\n", "2\ty", []string{"a", "BIGINT"},
			[][]any{{int64(1)}}, [][]any{{int64(2)}}},
		{"json", `{"a":1}` + "\n\n" + `{"a":2}` + "\n", `{"a":3}`, []string{"a", "BIGINT"},
			[][]any{{int64(1)}, {int64(2)}}, [][]any{{int64(3)}}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			pr, pw := io.Pipe()
			defer pr.Close()
			src, err := NewReaderSource("stdin", pr, FileOptions{Format: tt.format},
				srcSchema(t, tt.schema...), mem)
			require.NoError(t, err)

			written := make(chan error, 1)
			go func() {
				_, err := pw.Write([]byte(tt.first))
				written <- err
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			require.NoError(t, src.Open(ctx))
			b, err := src.Next(ctx)
			require.NoError(t, err)
			require.NoError(t, <-written)
			got := make([][]any, 0)
			for i := 0; i < int(b.NumRows()); i++ {
				got = append(got, srcRow(b, i))
			}
			b.Release()
			require.Equal(t, tt.want1, got, "rows before the writer closed")

			go func() {
				_, err := pw.Write([]byte(tt.then))
				pw.CloseWithError(err)
			}()
			b, err = src.Next(ctx)
			require.NoError(t, err)
			require.Equal(t, tt.wantEnd, [][]any{srcRow(b, 0)})
			b.Release()
			_, err = src.Next(ctx)
			require.Equal(t, io.EOF, err)
			require.NoError(t, src.Close())
			mem.AssertSize(t, 0)
		})
	}
}

func TestSourceCancel(t *testing.T) {
	path := srcFile(t, "a.csv", "a\n1\n2\n")
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := NewFileSource(FileOptions{Path: path, BatchSize: 1}, srcSchema(t, "a", "BIGINT"),
		mem)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, src.Open(ctx))
	b, err := src.Next(ctx)
	require.NoError(t, err)
	b.Release()
	cancel()
	_, err = src.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, src.Close())
	mem.AssertSize(t, 0)
}

// TestSourceCancelBlockedFIFO checks that cancelling unblocks a read from a FIFO that has no
// writer yet sending.
func TestSourceCancelBlockedFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo.csv")
	if err := mkfifo(path); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	w, err := os.OpenFile(path, os.O_RDWR, 0) // keeps the FIFO open without writing
	require.NoError(t, err)
	defer w.Close()
	_, err = w.WriteString("a\n")
	require.NoError(t, err)

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := NewFileSource(FileOptions{Path: path}, srcSchema(t, "a", "BIGINT"), mem)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, src.Open(ctx))
	done := make(chan error, 1)
	go func() {
		_, err := src.Next(ctx)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not return after cancel")
	}
	require.NoError(t, src.Close())
	mem.AssertSize(t, 0)
}

// mkfifo makes a named pipe with the system's mkfifo command.
func mkfifo(path string) error { return exec.Command("mkfifo", path).Run() }

func TestNASAHTTP(t *testing.T) {
	path := filepath.Join(testdata.Dir(t, "nasa-http"), "nasa_19950801.tsv")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("data set file missing: %v", err)
		}
		t.Skipf("data set file missing: %v", err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	schema := srcSchema(t, "host", "VARCHAR", "time", "BIGINT", "bytes", "BIGINT",
		"response", "BIGINT")
	src, err := NewFileSource(FileOptions{Path: path, Format: "tsv"}, schema, mem)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, src.Open(ctx))
	var rows int
	var first []any
	for {
		b, err := src.Next(ctx)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if first == nil {
			first = srcRow(b, 0)
		}
		rows += int(b.NumRows())
		b.Release()
	}
	require.NoError(t, src.Close())
	mem.AssertSize(t, 0)
	require.Equal(t, 30_969, rows)
	require.Zero(t, src.Stats().RowsSkipped.Load())
	require.Equal(t, []any{"pppa006.compuserve.com", int64(807256800), int64(1713), int64(200)},
		first)

	inferred, err := InferSchema(FileOptions{Path: path})
	require.NoError(t, err)
	require.Equal(t, "host: VARCHAR, logname: VARCHAR, time: BIGINT, method: VARCHAR, "+
		"url: VARCHAR, response: BIGINT, bytes: BIGINT, referer: VARCHAR, useragent: VARCHAR",
		srcSchemaText(inferred))
}

// srcSchemaText prints a schema as name: TYPE pairs.
func srcSchemaText(s *arrow.Schema) string {
	parts := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		parts[i] = f.Name + ": " + functions.TypeName(f.Type)
	}
	return strings.Join(parts, ", ")
}

func TestCSVParseAllocs(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("i,f,s,t,b\n")
	for i := range 2000 {
		fmt.Fprintf(&sb, "%d,%d.5,\"host%d\",2015-09-12T00:46:58.771Z,true\n", i, i, i)
	}
	path := srcFile(t, "a.csv", sb.String())
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := NewFileSource(FileOptions{Path: path, BatchSize: 100000},
		srcSchema(t, "i", "BIGINT", "f", "DOUBLE", "s", "VARCHAR", "t", "TIMESTAMP",
			"b", "BOOLEAN"), mem)
	require.NoError(t, err)
	require.NoError(t, src.Open(context.Background()))
	ts := src.(*fileSource).cur.(*textSource)
	defer func() {
		require.NoError(t, src.Close())
		mem.AssertSize(t, 0)
	}()
	_, _, err = ts.format.row(ts) // warm the buffers up
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(1000, func() {
		if _, problem, err := ts.format.row(ts); err != nil || problem != "" {
			panic(fmt.Sprint(problem, err))
		}
	})
	require.Zero(t, allocs, "allocations per row")
}

// BenchmarkCSVSource reads a web log (strings, integers, ISO times) and the events of the
// bench/ workloads (a time with microseconds, a key, a decimal).
func BenchmarkCSVSource(b *testing.B) {
	var log strings.Builder
	log.WriteString("host,time,url,bytes,ts\n")
	for i := range 100_000 {
		fmt.Fprintf(&log, "host%d.example.com,%d,/a/b/c%d.html,%d,2015-09-12T00:46:%02dZ\n",
			i%1000, 807256800+i, i%77, i*13, i%60)
	}
	var events strings.Builder
	events.WriteString("ts,k,v\n")
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 200_000 {
		fmt.Fprintf(&events, "%s,%d,%d.%02d\n",
			start.Add(time.Duration(i)*time.Millisecond).Format("2006-01-02 15:04:05.000000"),
			i*7919%1000, i%500, i%100)
	}
	for _, c := range []struct {
		name, content string
		schema        []string
	}{
		{"weblog", log.String(), []string{"host", "VARCHAR", "time", "BIGINT", "url", "VARCHAR",
			"bytes", "BIGINT", "ts", "TIMESTAMP"}},
		{"events", events.String(), []string{"ts", "TIMESTAMP", "k", "BIGINT", "v", "DOUBLE"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			path := srcFile(b, "bench.csv", c.content)
			schema := srcSchema(b, c.schema...)
			b.SetBytes(int64(len(c.content)))
			for b.Loop() {
				readFile(b, path, schema)
			}
		})
	}
}

// readFile reads the CSV file at path to its end, releasing every batch.
func readFile(b *testing.B, path string, schema *arrow.Schema) {
	src, err := NewFileSource(FileOptions{Path: path}, schema, memory.DefaultAllocator)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if err := src.Open(ctx); err != nil {
		b.Fatal(err)
	}
	for {
		rec, err := src.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		rec.Release()
	}
	src.Close()
}

func TestSourceLifecycle(t *testing.T) {
	path := srcFile(t, "a.csv", "a\n1\n")
	ctx := context.Background()
	tests := []struct {
		name string
		do   func(src Source) error
		err  string
	}{
		{"next before open", func(src Source) error {
			_, err := src.Next(ctx)
			return err
		}, "source not open"},
		{"open twice", func(src Source) error {
			require.NoError(t, src.Open(ctx))
			return src.Open(ctx)
		}, "source opened twice"},
		{"next after close", func(src Source) error {
			require.NoError(t, src.Open(ctx))
			require.NoError(t, src.Close())
			_, err := src.Next(ctx)
			return err
		}, "source not open"},
		{"next after end", func(src Source) error {
			require.NoError(t, src.Open(ctx))
			b, err := src.Next(ctx)
			require.NoError(t, err)
			b.Release()
			_, err = src.Next(ctx)
			require.Equal(t, io.EOF, err)
			_, err = src.Next(ctx)
			return err
		}, "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			src, err := NewFileSource(FileOptions{Path: path}, srcSchema(t, "a", "BIGINT"), mem)
			require.NoError(t, err)
			require.ErrorContains(t, tt.do(src), tt.err)
			require.NoError(t, src.Close())
			mem.AssertSize(t, 0)
		})
	}
}

// TestFixedColumnsNullsAndGrowth reads BIGINT, DOUBLE and TIMESTAMP columns whose buffers
// grow within a batch and are recycled across batches, with NULLs that start mid-batch, in
// some batches only: a value or a validity bit left from an earlier batch must not show.
func TestFixedColumnsNullsAndGrowth(t *testing.T) {
	const n = 1000
	var sb strings.Builder
	sb.WriteString("a,b,t\n")
	want := make([][]any, n)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		row := []any{int64(i), float64(i) / 4, base.Add(time.Duration(i) * time.Second).
			Format(time.RFC3339Nano)}
		text := []string{fmt.Sprint(i), fmt.Sprint(float64(i) / 4),
			base.Add(time.Duration(i) * time.Second).Format("2006-01-02 15:04:05")}
		if i >= 250 && i%7 == 3 {
			row[0], text[0] = nil, ""
		}
		if i%5 == 0 && i < 600 {
			row[1], text[1] = nil, ""
		}
		if i == 1 || i == 999 {
			row[2], text[2] = nil, ""
		}
		want[i] = row
		sb.WriteString(strings.Join(text, ",") + "\n")
	}
	path := srcFile(t, "a.csv", sb.String())
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := NewFileSource(FileOptions{Path: path, BatchSize: 300},
		srcSchema(t, "a", "BIGINT", "b", "DOUBLE", "t", "TIMESTAMP"), mem)
	require.NoError(t, err)
	got := srcReadAll(t, src, mem)
	require.NoError(t, got.err)
	require.Equal(t, []int{300, 300, 300, 100}, got.batches)
	require.Equal(t, want, got.rows)
}

// TestSplitFindsEveryDelimiter compares the word-at-a-time split of quote-free lines with
// bytes.Split, over random lines of every length up to 40 whose bytes are mostly the
// delimiter and its neighbours 0x2b and 0x2d, and 0x00, 0x01, 0x80 and 0xff.
func TestSplitFindsEveryDelimiter(t *testing.T) {
	alphabet := []byte{',', ',', 0x2b, 0x2d, 0x00, 0x01, 0x80, 0xff, 'a'}
	rng := rand.New(rand.NewPCG(1, 2))
	f := &csvFormat{delim: ','}
	for n := range 41 {
		for range 200 {
			line := make([]byte, n)
			for i := range line {
				line[i] = alphabet[rng.IntN(len(alphabet))]
			}
			f.ends = f.ends[:0]
			f.split(line)
			want := bytes.Split(line, []byte{','})
			got := f.fields()
			require.Equal(t, len(want), len(got), "%q", line)
			for i := range want {
				require.Equal(t, want[i], got[i], "%q field %d", line, i)
			}
		}
	}
}
