package connector

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/internal/testdata"
)

func TestInferSchema(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		opts    FileOptions
		want    string // as srcSchemaText prints it
		err     string
	}{{
		name: "csv types",
		file: "a.csv",
		content: "i,f,b,t,s,n,q,d\n" +
			"1,1,true,2015-09-12T00:46:58.771Z,1,,\"7\",2024-01-01\n" +
			"-2,2.5,FALSE,2015-09-12 00:46:58,x,-,\" 8 \",2024-01-02\n" +
			" 3 ,NaN,,17/May/2015:10:05:03 +0000,true,,9,\n",
		opts: FileOptions{Null: []string{"-"}},
		want: "i: BIGINT, f: DOUBLE, b: BOOLEAN, t: TIMESTAMP, s: VARCHAR, n: VARCHAR, " +
			"q: BIGINT, d: TIMESTAMP",
	}, {
		name:    "yes, no, t, f, 1 and 0 are not inferred as BOOLEAN",
		file:    "a.csv",
		content: "a,b,c\nyes,t,1\nno,f,0\n",
		want:    "a: VARCHAR, b: VARCHAR, c: BIGINT",
	}, {
		name:    "a quoted empty string is a value, not NULL",
		file:    "a.csv",
		content: "a,b\n1,\"\"\n2,3\n",
		want:    "a: BIGINT, b: VARCHAR",
	}, {
		name:    "without a header",
		file:    "a.csv",
		content: "1,x,\n2,y,3.5\n",
		opts:    FileOptions{Header: no()},
		want:    "column1: BIGINT, column2: VARCHAR, column3: DOUBLE",
	}, {
		name:    "header names: duplicates and empty names",
		file:    "a.csv",
		content: "a,A,,a\n1,2,3,4\n",
		want:    "a: BIGINT, A_1: BIGINT, column3: BIGINT, a_2: BIGINT",
	}, {
		name:    "tsv with quotes read literally",
		file:    "a.tsv",
		content: "a\tb\n\"1\"\t2\n",
		want:    "a: VARCHAR, b: BIGINT",
	}, {
		name:    "a header only",
		file:    "a.csv",
		content: "a,b\n",
		want:    "a: VARCHAR, b: VARCHAR",
	}, {
		name: "json lines",
		file: "a.jsonl",
		content: `{"i":1,"f":1,"o":{"x":1,"y":{"z":"2015-09-12T00:46:58Z"}},"n":null}` + "\n" +
			"\n" +
			`not json` + "\n" +
			`{"b":true,"f":2.5,"i":-3,"s":"x","big":9223372036854775808,"Arr":[1]}` + "\n" +
			`{"s":5,"o":{"x":2},"B":false,"I":null}` + "\n",
		want: "i: BIGINT, f: DOUBLE, o.x: BIGINT, o.y.z: TIMESTAMP, n: VARCHAR, b: BOOLEAN, " +
			"s: VARCHAR, big: DOUBLE, Arr: VARCHAR",
	}, {
		name:    "json strings are not numbers",
		file:    "a.json",
		content: `{"a":"1","b":"true","c":"NaN"}` + "\n",
		want:    "a: VARCHAR, b: VARCHAR, c: VARCHAR",
	}, {
		name:    "an empty file",
		file:    "a.csv",
		content: "",
		err:     "no columns to infer a schema from",
	}, {
		name:    "no objects",
		file:    "a.json",
		content: "\n[1]\n",
		err:     "no columns to infer a schema from",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Path = srcFile(t, tt.file, tt.content)
			schema, err := InferSchema(opts)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, srcSchemaText(schema))

			// A source reads the file by the schema inferred from it without a skip.
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			src, err := NewFileSource(opts, schema, mem)
			require.NoError(t, err)
			got := srcReadAll(t, src, mem)
			require.NoError(t, got.err)
			if strings.HasSuffix(tt.file, ".csv") || strings.HasSuffix(tt.file, ".tsv") {
				require.Empty(t, got.warnings)
			}
		})
	}
}

// TestInferSampleSize checks that inference samples InferRows rows and that a later value
// that does not fit makes its row malformed.
func TestInferSampleSize(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("n\n")
	for i := range InferRows {
		fmt.Fprintf(&sb, "%d\n", i)
	}
	sb.WriteString("late text\n")
	path := srcFile(t, "a.csv", sb.String())

	schema, err := InferSchema(FileOptions{Path: path})
	require.NoError(t, err)
	require.Equal(t, "n: BIGINT", srcSchemaText(schema))

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := NewFileSource(FileOptions{Path: path}, schema, mem)
	require.NoError(t, err)
	got := srcReadAll(t, src, mem)
	require.NoError(t, got.err)
	require.Len(t, got.rows, InferRows)
	require.Equal(t, []string{fmt.Sprintf(`%s:%d: column "n": "late text" is not a BIGINT`,
		path, InferRows+2)}, got.warnings)
}

// TestInferReaderPipe infers from what a pipe holds before it pauses, then reads the whole
// input again, the sampled rows included, while the pipe stays open.
func TestInferReaderPipe(t *testing.T) {
	tests := []struct {
		format string
		first  string
		then   string
		want   string
		rows   [][]any
	}{
		{"csv", "a,b\n1,x\n2,y\n", "3,z\n", "a: BIGINT, b: VARCHAR",
			[][]any{{int64(1), "x"}, {int64(2), "y"}, {int64(3), "z"}}},
		{"json", `{"a":1.5}` + "\n", `{"a":2}` + "\n", "a: DOUBLE",
			[][]any{{1.5}, {2.0}}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			pr, pw := io.Pipe()
			defer pr.Close()
			go func() { _, _ = pw.Write([]byte(tt.first)) }()

			opts := FileOptions{Format: tt.format}
			schema, replay, err := InferReader("stdin", pr, opts)
			require.NoError(t, err)
			require.Equal(t, tt.want, srcSchemaText(schema))

			go func() {
				_, err := pw.Write([]byte(tt.then))
				pw.CloseWithError(err)
			}()
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			src, err := NewReaderSource("stdin", replay, opts, schema, mem)
			require.NoError(t, err)
			got := srcReadAll(t, src, mem)
			require.NoError(t, got.err)
			require.Equal(t, tt.rows, got.rows)
		})
	}
}

// TestInferRealData infers the schemas of the real data sets and reads them through.
func TestInferRealData(t *testing.T) {
	tests := []struct {
		dataset, file string
		want          string
		rows          int
	}{{
		dataset: "ncedc-earthquakes", file: "earthquakes.txt",
		want: "DateTime: TIMESTAMP, Latitude: DOUBLE, Longitude: DOUBLE, Depth: DOUBLE, " +
			"Magnitude: DOUBLE, MagType: VARCHAR, NbStations: BIGINT, Gap: BIGINT, " +
			"Distance: BIGINT, RMS: DOUBLE, Source: VARCHAR, EventID: BIGINT",
		rows: 38_094,
	}, {
		dataset: "nyc-taxi-yellow", file: "yellow_tripdata_sample_2019-01.csv",
		want: "vendor_id: BIGINT, pickup_datetime: TIMESTAMP, dropoff_datetime: TIMESTAMP, " +
			"passenger_count: BIGINT, trip_distance: DOUBLE, rate_code_id: BIGINT, " +
			"store_and_fwd_flag: VARCHAR, pickup_location_id: BIGINT, " +
			"dropoff_location_id: BIGINT, payment_type: BIGINT, fare_amount: DOUBLE, " +
			"extra: DOUBLE, mta_tax: DOUBLE, tip_amount: DOUBLE, tolls_amount: DOUBLE, " +
			"improvement_surcharge: DOUBLE, total_amount: DOUBLE, " +
			"congestion_surcharge: DOUBLE",
		rows: 10_000,
	}}
	for _, tt := range tests {
		t.Run(tt.dataset, func(t *testing.T) {
			opts := FileOptions{Path: filepath.Join(testdata.Dir(t, tt.dataset), tt.file),
				Format: "csv"}
			schema, err := InferSchema(opts)
			require.NoError(t, err)
			require.Equal(t, tt.want, srcSchemaText(schema))

			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			src, err := NewFileSource(opts, schema, mem)
			require.NoError(t, err)
			got := srcReadAll(t, src, mem)
			require.NoError(t, got.err)
			require.Len(t, got.rows, tt.rows)
			require.Empty(t, got.warnings)
		})
	}
}
