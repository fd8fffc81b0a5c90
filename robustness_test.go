package weir

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/connector"
)

// The tests of this file feed the file connector the bad input of issue 10 (truncated files,
// corrupt compression, rows of the wrong shape, bad quoting, invalid UTF-8, values that do
// not fit their column, lines of megabytes) through the whole engine, and check that each bad
// row is skipped, counted and reported with its file and line, or stops the query under
// on_error = 'fail', and that nothing panics or leaks.

// badRun is what a query over a bad file gave.
type badRun struct {
	rows     []string // printed as `v1 | v2 | ...`
	warnings []connector.Warning
	skipped  int64
	read     int64
	err      error
}

// lines returns the lines of the warnings.
func (r badRun) lines() []int64 {
	var out []int64
	for _, w := range r.warnings {
		out = append(out, w.Line)
	}
	return out
}

// queryFile declares a stream over the file at path with the given columns and extra WITH
// options, and runs query over it (`SELECT * FROM s` when empty) to its end.
func queryFile(t *testing.T, path, cols, with, query string) badRun {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	db, err := Open(WithAllocator(mem))
	require.NoError(t, err)
	defer func() {
		require.NoError(t, db.Close())
		mem.AssertSize(t, 0)
	}()
	ctx := context.Background()
	if with != "" {
		with = ", " + with
	}
	require.NoError(t, db.Exec(ctx, fmt.Sprintf("CREATE STREAM s (%s) WITH (connector = "+
		"'file', path = %s%s)", cols, quoteString(path), with)))
	if query == "" {
		query = "SELECT * FROM s"
	}
	rows, err := db.Query(ctx, query)
	if err != nil {
		return badRun{err: err}
	}
	defer rows.Close()
	var run badRun
	rows.OnWarning(func(w connector.Warning) { run.warnings = append(run.warnings, w) })
	for rows.Next() {
		b := rows.Batch()
		for i := range int(b.NumRows()) {
			vals := make([]string, b.NumCols())
			for j, col := range b.Columns() {
				vals[j], _ = connector.FormatValue(col, i)
			}
			run.rows = append(run.rows, strings.Join(vals, " | "))
		}
	}
	run.err = rows.Err()
	st := rows.Stats()
	run.skipped, run.read = st.EventsSkipped, st.EventsRead
	return run
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}

// badCase is a file with bad rows, what a query over it gives under on_error = 'skip', and the
// first bad row, where on_error = 'fail' stops.
type badCase struct {
	name    string
	file    string // the file's name; its extension does not say the format
	format  string // csv, json or regex
	data    string
	rows    []string // the rows read, in order
	skipped []int64  // the lines of the rows skipped
	message []string // a part of the warning of each skipped row
}

const (
	ts1 = "2024-01-01T00:00:01Z"
	ts2 = "2024-01-01T00:00:02Z"
	ts3 = "2024-01-01T00:00:03Z"
	ts4 = "2024-01-01T00:00:04Z"
)

// badCSV holds the CSV cases, read into (ts TIMESTAMP, k VARCHAR, v BIGINT, f DOUBLE) from a
// file with the header ts,k,v,f.
var badCSV = []badCase{{
	name: "truncated in a quoted field",
	data: "ts,k,v,f\n" + ts1 + ",a,1,0.5\n" + ts2 + `,"b, cut`,
	rows: []string{ts1 + " | a | 1 | 0.5"}, skipped: []int64{3},
	message: []string{"unterminated quoted field"},
}, {
	name: "truncated without a line end",
	data: "ts,k,v,f\n" + ts1 + ",a,1,0.5\n" + ts2 + ",b,2",
	rows: []string{ts1 + " | a | 1 | 0.5"}, skipped: []int64{3},
	message: []string{"the row has 3 fields, the header 4"},
}, {
	name: "too many fields",
	data: "ts,k,v,f\n" + ts1 + ",a,1,0.5\n" + ts2 + ",b,2,0.5,extra\n" + ts3 + ",c,3,1.5\n",
	rows: []string{ts1 + " | a | 1 | 0.5", ts3 + " | c | 3 | 1.5"}, skipped: []int64{3},
	message: []string{"the row has 5 fields, the header 4"},
}, {
	name: "too few fields",
	data: "ts,k,v,f\n" + ts1 + ",a,1\n" + ts2 + ",b,2,0.5\n" + "\n" + ts3 + "\n",
	rows: []string{ts2 + " | b | 2 | 0.5"}, skipped: []int64{2, 5},
	message: []string{"the row has 3 fields, the header 4", "the row has 1 field, the header 4"},
}, {
	name: "unterminated quote in the middle",
	data: "ts,k,v,f\n" + ts1 + ",a,1,0.5\n" + ts2 + `,"b,2,0.5` + "\n" + ts3 + ",c,3,1.5\n" +
		ts4 + ",d,4,2.5\n",
	rows:    []string{ts1 + " | a | 1 | 0.5", ts3 + " | c | 3 | 1.5", ts4 + " | d | 4 | 2.5"},
	skipped: []int64{3}, message: []string{"unterminated quoted field"},
}, {
	name: "stray quote closed lines later",
	data: "ts,k,v,f\n" + ts1 + `,"a,1,0.5` + "\n" + ts2 + ",b,2,0.5\n" + ts3 + `,"c",3,1.5` +
		"\n" + ts4 + ",d,4,2.5\n",
	rows:    []string{ts2 + " | b | 2 | 0.5", ts3 + " | c | 3 | 1.5", ts4 + " | d | 4 | 2.5"},
	skipped: []int64{2}, message: []string{"field 2: text after the closing quote"},
}, {
	name: "text after a closing quote",
	data: "ts,k,v,f\n" + ts1 + `,"a"x,1,0.5` + "\n" + ts2 + ",b,2,0.5\n",
	rows: []string{ts2 + " | b | 2 | 0.5"}, skipped: []int64{2},
	message: []string{"field 2: text after the closing quote"},
}, {
	name: "a quoted field over lines is one row",
	data: "ts,k,v,f\n" + ts1 + ",\"a\nb\",1,0.5\n" + ts2 + ",c,x,0.5\n",
	rows: []string{ts1 + " | a\nb | 1 | 0.5"}, skipped: []int64{4},
	message: []string{`column "v": "x" is not a BIGINT`},
}, {
	name: "invalid UTF-8",
	data: "ts,k,v,f\n" + ts1 + ",a\xff\xfe,1,0.5\n" + ts2 + ",\"b\xc3\",2,0.5\n" +
		ts3 + ",c\xc3\xa9,3,1.5\n",
	rows: []string{ts3 + " | cé | 3 | 1.5"}, skipped: []int64{2, 3},
	message: []string{`column "k": invalid UTF-8 at byte 2`,
		`column "k": invalid UTF-8 at byte 2`},
}, {
	name: "numbers out of range",
	data: "ts,k,v,f\n" + ts1 + ",a,9223372036854775808,0.5\n" +
		ts2 + ",b,-9223372036854775809,0.5\n" + ts3 + ",c,1,1e999\n" +
		ts4 + ",d,-9223372036854775808,-1.7976931348623157e308\n",
	rows:    []string{ts4 + " | d | -9223372036854775808 | -1.7976931348623157e+308"},
	skipped: []int64{2, 3, 4},
	message: []string{`column "v": "9223372036854775808" is out of range for a BIGINT`,
		`column "v": "-9223372036854775809" is out of range for a BIGINT`,
		`column "f": "1e999" is out of range for a DOUBLE`},
}, {
	name: "timestamps that do not parse",
	data: "ts,k,v,f\n2024-13-01T00:00:00Z,a,1,0.5\nyesterday,b,2,0.5\n" +
		"2024-02-30 00:00:00,c,3,0.5\n" + ts4 + ",d,4,2.5\n2024-01-01T25:00:00Z,e,5,0.5\n",
	rows: []string{ts4 + " | d | 4 | 2.5"}, skipped: []int64{2, 3, 4, 6},
	message: []string{`column "ts": "2024-13-01T00:00:00Z" is not a TIMESTAMP`,
		`column "ts": "yesterday" is not a TIMESTAMP`,
		`column "ts": "2024-02-30 00:00:00" is not a TIMESTAMP`,
		`column "ts": "2024-01-01T25:00:00Z" is not a TIMESTAMP`},
}}

// badJSON holds the JSON lines cases, read into (ts TIMESTAMP, k VARCHAR, v BIGINT, f DOUBLE).
var badJSON = []badCase{{
	name: "a line cut half-way",
	data: `{"ts":"` + ts1 + `","k":"a","v":1,"f":0.5}` + "\n" + `{"ts":"` + ts2 + `","k":"b","v`,
	rows: []string{ts1 + " | a | 1 | 0.5"}, skipped: []int64{2},
	message: []string{"invalid JSON at column 40: unterminated string"},
}, {
	name: "lines that are not objects",
	data: `[1,2,3]` + "\n42\n\"a\"\nnull\ngarbage\n" + `{"ts":"` + ts1 + `","k":"a","v":1}` +
		"\n{\"ts\":1}x\n",
	rows: []string{ts1 + " | a | 1 | "}, skipped: []int64{1, 2, 3, 4, 5, 7},
	message: []string{"the line is not a JSON object", "the line is not a JSON object",
		"the line is not a JSON object", "the line is not a JSON object",
		"the line is not a JSON object", "invalid JSON at column 9: text after the object"},
}, {
	name: "invalid UTF-8",
	data: `{"k":"a` + "\xff" + `","v":1}` + "\n" + `{"k":"b","v":2}` + "\n" +
		`{"k":{"x":"` + "\xc3" + `"},"v":3}` + "\n",
	rows: []string{" | b | 2 | "}, skipped: []int64{1, 3},
	message: []string{`column "k": invalid UTF-8 at byte 2`,
		`column "k": invalid UTF-8 at byte 7`},
}, {
	name: "numbers out of range",
	data: `{"v":9223372036854775808}` + "\n" + `{"v":-9223372036854775809}` + "\n" +
		`{"f":1e400}` + "\n" + `{"v":1.5}` + "\n" + `{"v":-9223372036854775808,"f":-0}` + "\n",
	rows:    []string{" |  | -9223372036854775808 | -0"},
	skipped: []int64{1, 2, 3, 4},
	message: []string{`column "v": 9223372036854775808 is out of range for a BIGINT`,
		`column "v": -9223372036854775809 is out of range for a BIGINT`,
		`column "f": 1e400 is out of range for a DOUBLE`, `column "v": 1.5 is not a BIGINT`},
}, {
	name: "timestamps that do not parse",
	data: `{"ts":"2024-02-30T00:00:00Z","v":1}` + "\n" + `{"ts":1704067200,"v":2}` + "\n" +
		`{"ts":"` + ts3 + `","v":3}` + "\n",
	rows: []string{ts3 + " |  | 3 | "}, skipped: []int64{1, 2},
	message: []string{`column "ts": "2024-02-30T00:00:00Z" is not a TIMESTAMP`,
		`column "ts": 1704067200 is not a TIMESTAMP`},
}}

// badRegex holds the regex lines cases, read into (ts TIMESTAMP, k VARCHAR, v BIGINT, f DOUBLE)
// with regexPattern.
var badRegex = []badCase{{
	name: "lines that do not match",
	data: ts1 + " a 1 0.5\n" + ts2 + " b\n\n" + ts3 + " c 3 1.5",
	rows: []string{ts1 + " | a | 1 | 0.5", ts3 + " | c | 3 | 1.5"}, skipped: []int64{2},
	message: []string{`the line does not match the pattern: "` + ts2 + ` b"`},
}, {
	name: "invalid UTF-8, numbers and timestamps",
	data: ts1 + " a\xff 1 0.5\n" + ts2 + " b 99999999999999999999 0.5\n" + ts3 + " c 3 1.5\n" +
		"2024-01-01T00:00:60Z d 4 0.5\n",
	rows: []string{ts3 + " | c | 3 | 1.5"}, skipped: []int64{1, 2, 4},
	message: []string{`column "k": invalid UTF-8 at byte 2`,
		`column "v": "99999999999999999999" is out of range for a BIGINT`,
		`column "ts": "2024-01-01T00:00:60Z" is not a TIMESTAMP`},
}}

const (
	badColumns   = "ts TIMESTAMP, k VARCHAR, v BIGINT, f DOUBLE"
	regexPattern = `^(?P<ts>\S+) (?P<k>\S+) (?P<v>\S+) (?P<f>\S+)$`
)

func (c badCase) with() string {
	with := "format = '" + c.format + "'"
	if c.format == "regex" {
		with += ", pattern = " + quoteString(regexPattern)
	}
	return with
}

func allBadCases() []badCase {
	var all []badCase
	for _, set := range []struct {
		format string
		cases  []badCase
	}{{"csv", badCSV}, {"json", badJSON}, {"regex", badRegex}} {
		for _, c := range set.cases {
			c.format = set.format
			c.name = set.format + "/" + c.name
			all = append(all, c)
		}
	}
	return all
}

// TestBadRowsSkipped reads each bad file under the default on_error = 'skip': the good rows
// come out, each bad one is counted and reported with its file and line.
func TestBadRowsSkipped(t *testing.T) {
	for _, c := range allBadCases() {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, "input.txt", []byte(c.data))
			run := queryFile(t, path, badColumns, c.with(), "")
			require.NoError(t, run.err)
			require.Equal(t, c.rows, run.rows)
			require.Equal(t, c.skipped, run.lines(), "the lines of the skipped rows")
			require.Equal(t, int64(len(c.skipped)), run.skipped, "EventsSkipped")
			require.Equal(t, int64(len(c.rows)), run.read, "EventsRead")
			for i, w := range run.warnings {
				require.Equal(t, path, w.File)
				require.Contains(t, w.Message, c.message[i], "line %d", w.Line)
			}
		})
	}
}

// TestBadRowsFail reads each bad file under on_error = 'fail': the rows before the first bad
// one come out, and the query stops at it with "file:line: message".
func TestBadRowsFail(t *testing.T) {
	for _, c := range allBadCases() {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, "input.txt", []byte(c.data))
			run := queryFile(t, path, badColumns, c.with()+", on_error = 'fail'", "")
			require.Error(t, run.err)
			require.ErrorIs(t, run.err, connector.ErrMalformed)
			prefix := fmt.Sprintf("%s:%d: ", path, c.skipped[0])
			require.True(t, strings.HasPrefix(run.err.Error(), prefix), "%q does not start "+
				"with %q", run.err, prefix)
			require.Contains(t, run.err.Error(), c.message[0])
			require.Empty(t, run.warnings)
			require.Zero(t, run.skipped)
			for i, row := range run.rows {
				require.Equal(t, c.rows[i], row, "the rows before the bad one")
			}
		})
	}
}

// TestBadRowsDeadletter keeps the raw rejected rows of each bad file in a deadletter file,
// each as its lines were read.
func TestBadRowsDeadletter(t *testing.T) {
	for _, c := range allBadCases() {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, "input.txt", []byte(c.data))
			dead := filepath.Join(t.TempDir(), "dead.txt")
			run := queryFile(t, path, badColumns, c.with()+", on_error = 'deadletter', "+
				"deadletter = "+quoteString(dead), "")
			require.NoError(t, run.err)
			require.Equal(t, c.rows, run.rows)
			require.Equal(t, c.skipped, run.lines())
			kept, err := os.ReadFile(dead)
			require.NoError(t, err)
			lines := strings.Split(strings.ReplaceAll(c.data, "\r\n", "\n"), "\n")
			var want strings.Builder
			for _, n := range c.skipped {
				want.WriteString(lines[n-1] + "\n")
			}
			require.Equal(t, want.String(), string(kept))
		})
	}
}

// TestLongLines reads a field of 5 MB in each text format: it comes out whole.
func TestLongLines(t *testing.T) {
	big := strings.Repeat("0123456789", 500_000)
	for _, tt := range []struct {
		format, data string
	}{
		{"csv", "ts,k,v,f\n" + ts1 + ",a,1,0.5\n" + ts2 + "," + big + ",2,0.5\n" +
			ts3 + ",\"" + big + "\n" + big + "\",3,0.5\n" + ts4 + ",d,4,0.5\n"},
		{"json", `{"k":"a","v":1}` + "\n" + `{"k":"` + big + `","v":2}` + "\n" +
			`{"k":"` + big + `\n` + big + `","v":3}` + "\n" + `{"k":"d","v":4}` + "\n"},
		{"regex", ts1 + " a 1 0.5\n" + ts2 + " " + big + " 2 0.5\n" + ts3 + " " + big + "\n" +
			ts4 + " d 4 0.5\n"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			c := badCase{format: tt.format}
			path := writeFile(t, "long."+tt.format, []byte(tt.data))
			run := queryFile(t, path, badColumns, c.with(), "SELECT v, length(k) FROM s")
			require.NoError(t, run.err)
			want := []string{"1 | 1", "2 | 5000000", "3 | 10000001", "4 | 1"}
			if tt.format == "regex" {
				want = []string{"1 | 1", "2 | 5000000", "4 | 1"} // line 3 does not match
				require.Equal(t, []int64{3}, run.lines())
				require.Contains(t, run.warnings[0].Message, "does not match the pattern: \""+
					ts3+" 0123456789")
				require.Less(t, len(run.warnings[0].Message), 200, "a long value is shortened")
			} else {
				require.Empty(t, run.warnings)
			}
			require.Equal(t, want, run.rows)
		})
	}
}

// storedGzip returns data in gzip without compression, and the offset in it of each deflate
// block's header (one byte of flags, then the length, twice).
func storedGzip(t *testing.T, data []byte) ([]byte, []int) {
	var buf bytes.Buffer
	z, err := gzip.NewWriterLevel(&buf, gzip.NoCompression)
	require.NoError(t, err)
	_, err = z.Write(data)
	require.NoError(t, err)
	require.NoError(t, z.Close())
	out := buf.Bytes()
	var blocks []int
	for at := 10; at+5 <= len(out)-8; {
		blocks = append(blocks, at)
		n := int(out[at+1]) | int(out[at+2])<<8
		require.Equal(t, byte(0), out[at]&^1, "a stored block")
		require.Equal(t, n^0xffff, int(out[at+3])|int(out[at+4])<<8)
		at += 5 + n
	}
	require.Greater(t, len(blocks), 10)
	return out, blocks
}

// numbered returns a CSV file with the header n and the numbers 0 to n-1.
func numbered(n int) []byte {
	var sb strings.Builder
	sb.WriteString("n\n")
	for i := range n {
		fmt.Fprintf(&sb, "%d\n", i)
	}
	return []byte(sb.String())
}

// TestCorruptGzip reads gzip files damaged half-way: the rows before the damage come out in
// order, and the query then stops with an error naming the file and the line where reading
// stopped, whatever on_error says, since how many rows the damage took is not known.
func TestCorruptGzip(t *testing.T) {
	const total = 200_000
	z, blocks := storedGzip(t, numbered(total))
	corrupt := append([]byte(nil), z...)
	corrupt[blocks[len(blocks)/2]] = 0x06 // a block of the reserved type
	for _, tt := range []struct {
		name    string
		data    []byte
		message string
	}{
		{"corrupt", corrupt, "corrupt gzip data: flate: corrupt input before offset"},
		{"cut", z[:len(z)/2], "the gzip data ends early \\(is the file cut short\\?\\)"},
	} {
		for _, onError := range []string{"skip", "fail"} {
			t.Run(tt.name+"/"+onError, func(t *testing.T) {
				path := writeFile(t, "numbers.csv.gz", tt.data)
				run := queryFile(t, path, "n BIGINT", "on_error = '"+onError+"'", "")
				require.Error(t, run.err)
				require.Regexp(t, "^"+path+`:\d+: `+tt.message, run.err.Error())
				require.NotEmpty(t, run.rows, "the rows before the damage are read")
				require.Less(t, len(run.rows), total)
				for i, row := range run.rows {
					require.Equal(t, fmt.Sprint(i), row)
				}
				var line int
				_, err := fmt.Sscanf(strings.TrimPrefix(run.err.Error(), path), ":%d:", &line)
				require.NoError(t, err)
				require.Equal(t, len(run.rows)+2, line, "the line after the last one read")
				require.Zero(t, run.skipped)
			})
		}
	}
}

// TestCorruptGzipChecksum reads a gzip file whose data is damaged where deflate cannot tell:
// the damage is found by the checksum at the end of the stream, after the rows, which are
// read and checked as any other (here a line end became a comma: one row of two fields).
// The query then stops with the checksum error; under on_error = 'fail' it stops at the bad
// row first.
func TestCorruptGzipChecksum(t *testing.T) {
	const total = 200_000
	data := numbered(total)
	z, blocks := storedGzip(t, data)
	at := blocks[len(blocks)/2] + 100
	for z[at] != '\n' {
		at++
	}
	z[at] = ','
	path := writeFile(t, "numbers.csv.gz", z)

	run := queryFile(t, path, "n BIGINT", "", "")
	require.Error(t, run.err)
	require.Equal(t, fmt.Sprintf("%s:%d: corrupt gzip data: gzip: invalid checksum", path,
		total+1), run.err.Error())
	require.Len(t, run.rows, total-2)
	require.Equal(t, int64(1), run.skipped)
	require.Contains(t, run.warnings[0].Message, "the row has 2 fields, the header 1")

	run = queryFile(t, path, "n BIGINT", "on_error = 'fail'", "")
	require.ErrorIs(t, run.err, connector.ErrMalformed)
	require.Contains(t, run.err.Error(), "the row has 2 fields, the header 1")
}

// TestCorruptBinaryFiles reads Parquet and Arrow files cut half-way, and files that are not
// Parquet or Arrow at all: the query fails with an error naming the file, and nothing panics.
func TestCorruptBinaryFiles(t *testing.T) {
	for _, ext := range []string{"parquet", "arrow"} {
		t.Run(ext, func(t *testing.T) {
			var buf bytes.Buffer
			db, err := Open()
			require.NoError(t, err)
			defer db.Close()
			path := writeFile(t, "numbers.csv", numbered(50_000))
			ctx := context.Background()
			rows, err := db.Query(ctx, "SELECT n, n * 2 AS m FROM "+quoteString(path))
			require.NoError(t, err)
			w, err := connector.NewRowWriter(ext, &buf, rows.Schema())
			require.NoError(t, err)
			for rows.Next() {
				require.NoError(t, w.WriteBatch(rows.Batch()))
			}
			require.NoError(t, rows.Err())
			require.NoError(t, w.Close())
			require.NoError(t, rows.Close())
			whole := buf.Bytes()

			for _, data := range [][]byte{whole[:len(whole)/2], whole[:len(whole)-3],
				[]byte("n\n1\n2\n"), nil, whole[len(whole)/2:]} {
				path := writeFile(t, "numbers."+ext, data)
				run := queryFile(t, path, "n BIGINT, m BIGINT", "format = '"+ext+"'",
					"SELECT sum(n) FROM s")
				require.Error(t, run.err, "%d bytes", len(data))
				require.Contains(t, run.err.Error(), path)
			}
		})
	}
}
