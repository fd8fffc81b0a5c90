package connector

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// setMaxRowBytes lowers the longest row for one test.
func setMaxRowBytes(t *testing.T, n int) {
	old := maxRowBytes
	maxRowBytes = n
	t.Cleanup(func() { maxRowBytes = old })
}

// readText reads content as a file of the given format into (ts TIMESTAMP, k VARCHAR,
// v BIGINT), with the extra options set by opt.
func readText(t *testing.T, format, content string, opt func(*FileOptions)) srcRead {
	t.Helper()
	path := srcFile(t, "in.txt", content)
	opts := FileOptions{Path: path, Format: format, BatchSize: 7}
	if format == "regex" {
		opts.Pattern = `^(?P<ts>\S+) (?P<k>\S+) (?P<v>\S+)$`
	}
	if opt != nil {
		opt(&opts)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := NewFileSource(opts, srcSchema(t, "ts", "TIMESTAMP", "k", "VARCHAR", "v",
		"BIGINT"), mem)
	require.NoError(t, err)
	got := srcReadAll(t, src, mem)
	for i, w := range got.warnings {
		got.warnings[i] = strings.TrimPrefix(w, path+":")
	}
	return got
}

const t1, t4 = "2024-01-01T00:00:01Z", "2024-01-01T00:00:04Z"

// TestLineTooLong reads a line longer than the longest a text source reads: it is skipped and
// reported, and the lines after it are read.
func TestLineTooLong(t *testing.T) {
	setMaxRowBytes(t, 1<<20)
	big := strings.Repeat("x", 3<<20)
	want := [][]any{{t1, "a", int64(1)}, {t4, "d", int64(4)}}
	for _, tt := range []struct {
		format, data string
		warnings     []string
	}{
		{"csv", "ts,k,v\n" + t1 + ",a,1\n" + t1 + "," + big + ",2\n" + t4 + ",d,4\n",
			[]string{"3: the line is longer than 1.0MB, the longest a row may be"}},
		{"csv", "ts,k,v\n" + t1 + ",a,1\n" + t1 + ",\"" + big + "\",2\r\n" + t4 + ",d,4",
			[]string{"3: the line is longer than 1.0MB, the longest a row may be"}},
		// A quoted field that goes on over lines past the limit.
		{"csv", "ts,k,v\n" + t1 + ",a,1\n" + t1 + ",\"b\n" +
			strings.Repeat(strings.Repeat("y", 1000)+"\n", 2000) + "\",2\n" + t4 + ",d,4\n",
			[]string{"3: unterminated quoted field (no closing quote within 1.0MB)",
				`4: the row has 1 field, the header 3`}},
		{"json", `{"k":"a","v":1,"ts":"` + t1 + `"}` + "\n" + `{"k":"` + big + `","v":2}` +
			"\n" + `{"k":"d","v":4,"ts":"` + t4 + `"}`,
			[]string{"2: the line is longer than 1.0MB, the longest a row may be"}},
		{"regex", t1 + " a 1\n" + t1 + " " + big + " 2\n" + t4 + " d 4\n",
			[]string{"2: the line is longer than 1.0MB, the longest a row may be"}},
	} {
		t.Run(tt.format, func(t *testing.T) {
			got := readText(t, tt.format, tt.data, nil)
			require.NoError(t, got.err)
			want := want
			if len(tt.warnings) > 1 { // the lines of y are rows of one field, skipped
				require.Len(t, got.warnings, 2002)
				got.warnings = got.warnings[:2]
			}
			require.Equal(t, want, got.rows)
			require.Equal(t, tt.warnings, got.warnings)
		})
	}
}

// TestHeaderTooLong fails at a header longer than the longest row.
func TestHeaderTooLong(t *testing.T) {
	setMaxRowBytes(t, 1<<20)
	path := srcFile(t, "a.csv", strings.Repeat("x", 2<<20)+"\n1\n")
	src, err := NewFileSource(FileOptions{Path: path}, srcSchema(t, "x", "BIGINT"), nil)
	require.NoError(t, err)
	err = src.Open(t.Context())
	require.EqualError(t, err, path+":1: header: the line is longer than 1.0MB, the longest "+
		"a row may be")
	require.NoError(t, src.Close())
}

// TestStrayQuotes reads CSV whose quotes are not closed where they should be: the record
// that begins at a stray quote is its first line alone, and the lines after it are read
// again, each on its own.
func TestStrayQuotes(t *testing.T) {
	for _, tt := range []struct {
		name, data string
		want       [][]any
		warnings   []string
		dead       string
	}{{
		name:     "a quote never closed",
		data:     "ts,k,v\n" + t1 + ",\"a,1\n" + t1 + ",b,2\n\n" + t1 + ",c,3\n",
		want:     [][]any{{t1, "b", int64(2)}, {t1, "c", int64(3)}},
		warnings: []string{"2: unterminated quoted field"},
		dead:     t1 + ",\"a,1\n",
	}, {
		name:     "a quote closed lines later, followed by text",
		data:     "ts,k,v\n" + t1 + ",\"a,1\n" + t1 + ",b,2\n" + t1 + ",\"c\",3\n",
		want:     [][]any{{t1, "b", int64(2)}, {t1, "c", int64(3)}},
		warnings: []string{"2: field 2: text after the closing quote"},
		dead:     t1 + ",\"a,1\n",
	}, {
		name: "a line read again may not open a field over lines",
		data: "ts,k,v\n" + t1 + ",\"a,1\n" + t1 + ",\"b\n" + t1 + ",c,3\n" + t1 + ",\"d\n",
		want: [][]any{{t1, "c", int64(3)}},
		warnings: []string{"2: field 2: text after the closing quote",
			"3: unterminated quoted field", "5: unterminated quoted field"},
		dead: t1 + ",\"a,1\n" + t1 + ",\"b\n" + t1 + ",\"d\n",
	}, {
		name: "a good record over lines after a bad one",
		data: "ts,k,v\n" + t1 + ",\"a\n" + t1 + "\"x,1\n" + t1 + ",\"b\nc\",2\n",
		want: [][]any{{t1, "b\nc", int64(2)}},
		warnings: []string{"2: field 2: text after the closing quote",
			"3: the row has 2 fields, the header 3"},
		dead: t1 + ",\"a\n" + t1 + "\"x,1\n",
	}, {
		name: "a quote closed lines later, well formed",
		data: "ts,k,v\n" + t1 + ",\"a\n,\n\",1\n" + t4 + ",d,4\n",
		want: [][]any{{t1, "a\n,\n", int64(1)}, {t4, "d", int64(4)}},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			got := readText(t, "csv", tt.data, nil)
			require.NoError(t, got.err)
			require.Equal(t, tt.want, got.rows)
			require.Equal(t, tt.warnings, got.warnings)

			dead := srcFile(t, "dead.csv", "")
			got = readText(t, "csv", tt.data, func(o *FileOptions) {
				o.OnError, o.Deadletter = OnErrorDeadletter, dead
			})
			require.Equal(t, tt.want, got.rows)
			kept, err := os.ReadFile(dead)
			require.NoError(t, err)
			require.Equal(t, tt.dead, string(kept))
		})
	}
}

// TestStrayQuotesLinear reads a file in which every line opens a quote that never closes:
// each line is read at most twice, so it takes about as long as a good file.
func TestStrayQuotesLinear(t *testing.T) {
	const n = 100_000
	var sb strings.Builder
	sb.WriteString("ts,k,v\n")
	for range n {
		sb.WriteString(t1 + ",\"open,1\n")
	}
	start := time.Now()
	got := readText(t, "csv", sb.String(), nil)
	require.NoError(t, got.err)
	require.Empty(t, got.rows)
	require.Len(t, got.warnings, n)
	require.Equal(t, fmt.Sprintf("%d: unterminated quoted field", n+1), got.warnings[n-1])
	require.Less(t, time.Since(start), 20*time.Second)
}

// TestBatchBytes ends a batch early once its strings pass maxBatchBytes.
func TestBatchBytes(t *testing.T) {
	old := maxBatchBytes
	maxBatchBytes = 1 << 20
	defer func() { maxBatchBytes = old }()
	field := strings.Repeat("z", 300_000)
	var sb strings.Builder
	sb.WriteString("ts,k,v\n")
	for i := range 10 {
		fmt.Fprintf(&sb, "%s,%s,%d\n", t1, field, i)
	}
	got := readText(t, "csv", sb.String(), nil)
	require.NoError(t, got.err)
	require.Len(t, got.rows, 10)
	require.Equal(t, []int{4, 4, 2}, got.batches)
}
