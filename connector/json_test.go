package connector

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/internal/testdata"
)

func TestJSONSource(t *testing.T) {
	runSourceCases(t, []srcCase{{
		name: "keys map by name in any case and order; missing keys and null are NULL",
		file: "a.jsonl",
		content: `{"Name":"ann","id":1,"extra":[1,2]}` + "\n" +
			`{"id":2}` + "\n" +
			`{"name":null,"id":null}` + "\n",
		schema: []string{"id", "BIGINT", "name", "VARCHAR"},
		want:   [][]any{{int64(1), "ann"}, {int64(2), nil}, {nil, nil}},
	}, {
		name: "nested objects are reachable by path; a repeated key takes the last value",
		file: "a.json",
		content: `{"a":{"b":1,"c":{"d":"x"}},"k":1,"k":2}` + "\n" +
			`{"a":{"b":3},"a":{"c":{"d":"y"}}}` + "\n",
		schema: []string{"a.b", "BIGINT", "A.C.D", "VARCHAR", "k", "BIGINT"},
		want:   [][]any{{int64(1), "x", int64(2)}, {nil, "y", nil}},
	}, {
		name: "BIGINT keeps 64-bit precision",
		file: "a.json",
		content: `{"n":9007199254740993}` + "\n" +
			`{"n":-9223372036854775808}` + "\n" +
			`{"n":9223372036854775807}` + "\n",
		schema: []string{"n", "BIGINT"},
		want: [][]any{
			{int64(9007199254740993)}, {int64(-9223372036854775808)},
			{int64(9223372036854775807)},
		},
	}, {
		name: "conversions",
		file: "a.json",
		content: `{"f":1.5e3,"b":true,"t":"2015-09-12T00:46:58.771Z",` +
			`"s":"a\"\\\/\u00e9\ud83d\ude00"}` + "\n" +
			`{"f":"NaN","b":false,"t":"2015-09-12 00:46:58","s":12.50}` +
			"\n" + `{"f":-7,"s":{"x":[1, {"y":2}]}}` +
			"\n" + `{"f":"-Infinity","s":true}`,
		schema: []string{"f", "DOUBLE", "b", "BOOLEAN", "t", "TIMESTAMP", "s", "VARCHAR"},
		want: [][]any{
			{1500.0, true, "2015-09-12T00:46:58.771Z", "a\"\\/é😀"},
			{"NaN", false, "2015-09-12T00:46:58Z", "12.50"},
			{-7.0, nil, nil, `{"x":[1, {"y":2}]}`},
			{math.Inf(-1), nil, nil, "true"},
		},
	}, {
		name: "malformed lines are skipped with their line; blank lines are not rows",
		file: "a.json",
		content: `{"n":1,"s":"x"}` + "\n" +
			"\n" +
			"   \r\n" +
			`[1,2]` + "\n" +
			`{"n":1.5}` + "\n" +
			`{"n":"2"}` + "\n" +
			`{"n":9223372036854775808}` + "\n" +
			`{"n":2,"t":17}` + "\n" +
			`{"n":3,"t":"yesterday"}` + "\n" +
			`{"n":4,"b":"true"}` + "\n" +
			`{"n":5,` + "\n" +
			`{"n":6} x` + "\n" +
			`{"n":07}` + "\n" +
			`{"n":8,"s":"bad \q"}` + "\n" +
			`{"n":9,"f":"1.5"}` + "\n" +
			`{"n":10}` + "\n",
		schema: []string{"n", "BIGINT", "s", "VARCHAR", "t", "TIMESTAMP", "b", "BOOLEAN",
			"f", "DOUBLE"},
		want: [][]any{{int64(1), "x", nil, nil, nil}, {int64(10), nil, nil, nil, nil}},
		warnings: []string{
			`F:4: the line is not a JSON object`,
			`F:5: column "n": 1.5 is not a BIGINT`,
			`F:6: column "n": "2" is not a BIGINT`,
			`F:7: column "n": 9223372036854775808 is out of range for a BIGINT`,
			`F:8: column "t": 17 is not a TIMESTAMP`,
			`F:9: column "t": "yesterday" is not a TIMESTAMP`,
			`F:10: column "b": "true" is not a BOOLEAN`,
			`F:11: invalid JSON at column 8: expected a key`,
			`F:12: invalid JSON at column 9: text after the object`,
			`F:13: invalid JSON at column 7: expected ',' or '}'`,
			`F:14: column "s": bad escape in "bad \q"`,
			`F:15: column "f": "1.5" is not a DOUBLE`,
		},
	}, {
		name:    "on_error fail",
		file:    "a.json",
		content: `{"n":1}` + "\n" + `{"n":"x"}` + "\n" + `{"n":3}` + "\n",
		opts:    FileOptions{OnError: OnErrorFail},
		schema:  []string{"n", "BIGINT"},
		want:    [][]any{{int64(1)}},
		err:     `F:2: column "n": "x" is not a BIGINT`,
	}, {
		name:    "null strings",
		file:    "a.json",
		content: `{"n":"-","s":"-"}` + "\n",
		opts:    FileOptions{Null: []string{"-"}},
		schema:  []string{"n", "BIGINT", "s", "VARCHAR"},
		want:    [][]any{{nil, nil}},
	}, {
		name:    "CRLF and a byte order mark",
		file:    "a.json",
		content: "\xef\xbb\xbf{\"n\":1}\r\n{\"n\":2}\r\n",
		schema:  []string{"n", "BIGINT"},
		want:    [][]any{{int64(1)}, {int64(2)}},
	}, {
		name:     "nesting too deep is malformed, not a crash",
		file:     "a.json",
		content:  `{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "}\n",
		schema:   []string{"a", "VARCHAR"},
		warnings: []string{`F:1: invalid JSON at column 69: nested too deep`},
	}})
}

func TestWikiticker(t *testing.T) {
	path := filepath.Join(testdata.Dir(t, "wikiticker"), "wikiticker-2015-09-12-sampled.json.gz")
	schema, err := InferSchema(FileOptions{Path: path})
	require.NoError(t, err)
	require.Equal(t, "time: TIMESTAMP, channel: VARCHAR, cityName: VARCHAR, comment: VARCHAR, "+
		"countryIsoCode: VARCHAR, countryName: VARCHAR, isAnonymous: BOOLEAN, "+
		"isMinor: BOOLEAN, isNew: BOOLEAN, isRobot: BOOLEAN, isUnpatrolled: BOOLEAN, "+
		"metroCode: BIGINT, namespace: VARCHAR, page: VARCHAR, regionIsoCode: VARCHAR, "+
		"regionName: VARCHAR, user: VARCHAR, delta: BIGINT, added: BIGINT, deleted: BIGINT",
		srcSchemaText(schema))

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := NewFileSource(FileOptions{Path: path}, schema, mem)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, src.Open(ctx))
	rows := 0
	for {
		b, err := src.Next(ctx)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if rows == 0 {
			require.Equal(t, "2015-09-12T00:46:58.771Z", srcRow(b, 0)[0])
		}
		rows += int(b.NumRows())
		b.Release()
	}
	require.NoError(t, src.Close())
	mem.AssertSize(t, 0)
	require.Equal(t, 39_244, rows)
	require.Zero(t, src.Stats().RowsSkipped.Load())
}

// FuzzTextSources feeds arbitrary input to the CSV and JSON sources: they may skip rows but
// must not panic, fail or leak.
func FuzzTextSources(f *testing.F) {
	f.Add("a,b\n1,\"x\"\"y\"\n2,\"multi\nline\"\r\n,\n")
	f.Add(`{"a":1,"b":"x\u00e9","c":{"d":[1,{"e":2}]}}` + "\n[]\n{\"a\":\"2015-09-12\"}")
	f.Add("\xef\xbb\xbfa\tb\n\"1\"\t2\n")
	f.Fuzz(func(t *testing.T, input string) {
		for _, format := range []string{"csv", "tsv", "json"} {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			schema := srcSchema(t, "a", "BIGINT", "b", "VARCHAR", "c.d", "DOUBLE",
				"e", "TIMESTAMP", "f", "BOOLEAN")
			opts := FileOptions{Format: format, Header: no(), BatchSize: 3}
			src, err := NewReaderSource("fuzz", strings.NewReader(input), opts, schema, mem)
			require.NoError(t, err)
			got := srcReadAll(t, src, mem)
			require.NoError(t, got.err)
		}
	})
}

func TestJSONParseAllocs(t *testing.T) {
	var sb strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&sb, `{"time":"2015-09-12T00:46:58.771Z","user":"u\u00e9%d","n":%d,`+
			`"ok":true,"f":%d.5,"a":{"b":%d},"skip":[1,{"x":null}]}`+"\n", i, i, i, i)
	}
	path := srcFile(t, "a.json", sb.String())
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := NewFileSource(FileOptions{Path: path},
		srcSchema(t, "time", "TIMESTAMP", "user", "VARCHAR", "n", "BIGINT", "ok", "BOOLEAN",
			"f", "DOUBLE", "a.b", "BIGINT"), mem)
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
