package connector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/functions"
)

// The fuzz targets of the text sources. Each reads its input under several settings and
// checks what must hold whatever the input: no panic, no error but a header's under
// on_error = 'skip', no memory left behind, VARCHAR values that are valid UTF-8, warnings in
// the order of their lines and as many as the rows skipped, the same rows and warnings
// whatever the batch size, and under on_error = 'fail' the rows before the first warning,
// then that warning as the error. Inputs that once failed are kept under
// testdata/fuzz/<target> and run by go test; run one with
//
//	go test ./connector -run '^$' -fuzz FuzzCSV -fuzztime 60s

// fuzzColumns is the schema the targets read into, one column of each type.
var fuzzColumns = []string{"a", "BIGINT", "b", "VARCHAR", "c", "DOUBLE", "d", "TIMESTAMP",
	"e", "BOOLEAN"}

// fuzzRowLimits are the longest rows the targets read with: the default, and one small
// enough that fuzzed inputs reach it.
var fuzzRowLimits = []int{64 << 20, 40}

// readFuzz reads input from a reader with opts and checks what every read must hold.
func readFuzz(t *testing.T, input string, opts FileOptions, schema *arrow.Schema) srcRead {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := NewReaderSource("fuzz", strings.NewReader(input), opts, schema, mem)
	require.NoError(t, err)
	got := srcReadAll(t, src, mem)
	line := int64(0)
	for _, w := range got.warnings {
		var n int64
		_, err := fmt.Sscanf(w, "fuzz:%d:", &n)
		require.NoError(t, err, w)
		require.Greater(t, n, line, "warnings out of line order: %q", got.warnings)
		line = n
	}
	for _, row := range got.rows {
		for _, v := range row {
			if s, ok := v.(string); ok {
				require.True(t, utf8.ValidString(s), "invalid UTF-8 read: %q", s)
			}
		}
	}
	return got
}

// checkText reads input with opts under every setting and checks that they agree; it
// returns the rows read under on_error = 'skip' with the default limits, and whether the
// source opened.
func checkText(t *testing.T, input string, opts FileOptions, schema *arrow.Schema) (
	srcRead, bool) {
	t.Helper()
	var first srcRead
	for k, limit := range fuzzRowLimits {
		maxRowBytes = limit
		opts.BatchSize, opts.OnError = 4096, OnErrorSkip
		skip := readFuzz(t, input, opts, schema)
		opts.BatchSize = 1
		small := readFuzz(t, input, opts, schema)
		require.Equal(t, skip, fixBatches(small, skip), "batch sizes 1 and 4096 disagree")
		opts.BatchSize, opts.OnError = 3, OnErrorFail
		fail := readFuzz(t, input, opts, schema)
		if k == 0 {
			first = skip
		}
		if skip.err != nil { // the header is at fault: every read stops there
			require.Empty(t, skip.rows)
			require.Equal(t, skip.err.Error(), fail.err.Error())
			continue
		}
		require.Empty(t, fail.warnings)
		require.LessOrEqual(t, len(fail.rows), len(skip.rows))
		for i, row := range fail.rows {
			require.Equal(t, skip.rows[i], row, "the rows before the error")
		}
		if len(skip.warnings) == 0 {
			require.NoError(t, fail.err)
			require.Equal(t, skip.rows, fail.rows)
			continue
		}
		require.ErrorIs(t, fail.err, ErrMalformed)
		require.Equal(t, skip.warnings[0], fail.err.Error())
	}
	maxRowBytes = fuzzRowLimits[0]
	return first, first.err == nil
}

// fixBatches returns r with the batches of other, which alone may differ with the batch size.
func fixBatches(r, other srcRead) srcRead {
	r.batches = other.batches
	return r
}

func fuzzSeedsCSV() []string {
	return []string{
		"a,b,c,d,e\n1,x,1.5,2024-01-01T00:00:00Z,true\n",
		"1,\"x\"\"y\",2.5,2024-01-01 00:00:01,false\n2,\"multi\nline\",,,\r\n,\n",
		"1,\"open,1,,\n2,b,3,,\n3,\"c\",4,,\n",
		"1,\"a\"x,1,,\n2,\"b\nc\"y,2,,\n",
		"\xef\xbb\xbfa\tb\n\"1\"\t2\n",
		"9223372036854775808,b,1e999,2024-02-30,maybe\n-1,\xff\xfe,NaN,,T\n",
		"1,\"" + strings.Repeat("long ", 20) + "\",1,,\n" + strings.Repeat("z", 50) + "\n",
		"1,\"\n\n\n\"\"\n,2,,\n",
	}
}

// FuzzCSV reads arbitrary text as CSV and TSV, with and without a header. It also writes
// the rows read as CSV and reads them back: they must come back the same, without warnings.
func FuzzCSV(f *testing.F) {
	for _, s := range fuzzSeedsCSV() {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, input string, header bool) {
		schema := srcSchema(t, fuzzColumns...)
		for _, format := range []string{"csv", "tsv"} {
			opts := FileOptions{Format: format, Header: &header}
			got, ok := checkText(t, input, opts, schema)
			if ok && format == "csv" {
				checkCSVRoundTrip(t, got.rows, schema)
			}
		}
	})
}

// checkCSVRoundTrip writes rows as CSV and reads them back.
func checkCSVRoundTrip(t *testing.T, rows [][]any, schema *arrow.Schema) {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewRowWriter("csv", &buf, schema)
	require.NoError(t, err)
	b := srcBatch(t, schema, rows)
	require.NoError(t, w.WriteBatch(b))
	b.Release()
	require.NoError(t, w.Close())

	back := readFuzz(t, buf.String(), FileOptions{Format: "csv"}, schema)
	require.NoError(t, back.err)
	require.Empty(t, back.warnings, "%q", buf.String())
	for _, row := range rows {
		if s, ok := row[1].(string); ok {
			// A line end inside a quoted field reads as \n, as in Go's encoding/csv.
			row[1] = strings.ReplaceAll(s, "\r\n", "\n")
		}
	}
	if len(rows) == 0 {
		rows = nil
	}
	require.Equal(t, rows, back.rows, "%q", buf.String())
}

// FuzzJSON reads arbitrary text as JSON lines. A line that encoding/json finds a valid
// object (nested at most 64 deep) must not be reported as invalid JSON.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"b":"x\u00e9","c":1.5,"d":"2024-01-01T00:00:00Z","e":true}`,
		`{"a":1,"b":{"c":[1,{"e":2}]},"a":null}` + "\n[]\n42\n\"s\"\ngarbage\n{\"a\":1}x\n",
		`{"a":9223372036854775808,"c":1e400,"b":"\ud800","d":"2024-02-30"}`,
		`{"b":"` + "\xff" + `","A":-0,"C":"NaN","E":false}`,
		`{"a":1,"b":"cut`,
		strings.Repeat(`{"a":`, 70) + "1" + strings.Repeat("}", 70),
		`{"b":"` + strings.Repeat("long ", 20) + `"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		schema := srcSchema(t, fuzzColumns...)
		got, _ := checkText(t, input, FileOptions{Format: "json"}, schema)
		lines := strings.Split(input, "\n")
		for _, w := range got.warnings {
			var n int
			_, err := fmt.Sscanf(w, "fuzz:%d:", &n)
			require.NoError(t, err)
			if !strings.Contains(w, "invalid JSON") && !strings.Contains(w, "not a JSON object") {
				continue
			}
			line := strings.TrimSuffix(lines[n-1], "\r")
			if n == 1 {
				line = strings.TrimPrefix(line, "\xef\xbb\xbf")
			}
			if strings.Contains(w, "nested too deep") {
				continue
			}
			isObject := strings.HasPrefix(strings.TrimLeft(line, " \t\r\n"), "{")
			require.False(t, isObject && json.Valid([]byte(line)), "%s: %q is valid JSON", w,
				line)
		}
	})
}

// FuzzRegex reads arbitrary text with an arbitrary pattern. A line that is not blank is
// reported as not matching exactly when the pattern does not match it.
func FuzzRegex(f *testing.F) {
	const access = `^(?P<a>\S+) (?P<b>\S+) \[(?P<d>[^\]]+)\] "(?P<c>[^"]*)" (?P<e>\S+)$`
	for _, s := range []struct{ pattern, input string }{
		{access, "1 x [2024-01-01T00:00:00Z] \"1.5\" true\n2 y [bad] \"\" no\n"},
		{access, "9223372036854775808 \xff [17/May/2015:10:05:03 +0000] \"x\" maybe\n\n"},
		{`(?P<b>.*)`, "anything\r\n\xef\xbb\xbfat all\n"},
		{`^(?P<a>\d+)?,(?P<b>[a-z]*)$`, ",\n1,x\n,y\n12345678901234567890,\n"},
		{`(?P<B>x)|(?P<A>y)`, "x\ny\nz\n" + strings.Repeat("x", 60) + "\n"},
	} {
		f.Add(s.pattern, s.input)
	}
	f.Fuzz(func(t *testing.T, pattern, input string) {
		re, err := CompilePattern(pattern)
		if err != nil {
			return
		}
		var cols []string
		seen := map[string]bool{}
		for _, n := range re.SubexpNames() {
			if n == "" || seen[strings.ToLower(n)] {
				continue
			}
			seen[strings.ToLower(n)] = true
			k := len(cols) / 2 % (len(fuzzColumns) / 2)
			cols = append(cols, n, fuzzColumns[2*k+1])
		}
		schema := srcSchema(t, cols...)
		got, _ := checkText(t, input, FileOptions{Format: "regex", Pattern: pattern}, schema)
		lines := strings.Split(input, "\n")
		matched := 0
		for i, line := range lines {
			line = strings.TrimSuffix(line, "\r")
			if i == 0 {
				line = strings.TrimPrefix(line, "\xef\xbb\xbf")
			}
			if strings.Trim(line, " \t\r") != "" && re.MatchString(line) {
				matched++
			}
		}
		notMatching := 0
		for _, w := range got.warnings {
			if strings.Contains(w, "does not match the pattern") {
				notMatching++
			}
		}
		require.Equal(t, matched, len(got.rows)+len(got.warnings)-notMatching)
	})
}

// srcBatch builds a batch of schema from rows as srcRow prints them.
func srcBatch(t *testing.T, schema *arrow.Schema, rows [][]any) arrow.RecordBatch {
	t.Helper()
	conv := make([][]any, len(rows))
	for i, row := range rows {
		conv[i] = append([]any(nil), row...)
		for j, v := range row {
			s, ok := v.(string)
			if !ok {
				continue
			}
			switch schema.Field(j).Type.ID() {
			case arrow.TIMESTAMP:
				us, ok := functions.ParseTimestamp(s)
				require.True(t, ok, s)
				conv[i][j] = time.UnixMicro(us)
			case arrow.FLOAT64:
				conv[i][j] = math.NaN()
			}
		}
	}
	return buildWriterBatch(memory.DefaultAllocator, schema, conv)
}
