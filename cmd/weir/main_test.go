package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/internal/testdata"
)

const nasaPerMinute = `
CREATE STREAM nasa (time BIGINT, bytes BIGINT)
  WITH (connector = %s, path = '%s', format = 'tsv');
SELECT window_start, count(*) AS requests, sum(bytes) AS bytes
FROM nasa
GROUP BY TUMBLE(to_timestamp(time), 1m);
`

func nasaFile(t *testing.T) string {
	return filepath.Join(testdata.Dir(t, "nasa-http"), "nasa_19950801.tsv")
}

// TestNASARequestsPerMinute runs the README's kind of query over the real NASA log through the
// command's own entry point.
func TestNASARequestsPerMinute(t *testing.T) {
	sql := strings.Replace(strings.Replace(nasaPerMinute, "%s", "'file'", 1), "%s",
		nasaFile(t), 1)
	var out, errb bytes.Buffer
	code := run([]string{"--format", "csv", "-c", sql}, nil, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	require.Empty(t, errb.String())

	recs, err := csv.NewReader(&out).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"window_start", "requests", "bytes"}, recs[0])
	rows := recs[1:]
	require.Len(t, rows, 766)

	byStart := map[string][]string{}
	busiest, most := "", 0
	for _, r := range rows {
		byStart[r[0]] = r
		n, err := strconv.Atoi(r[1])
		require.NoError(t, err)
		if n > most {
			busiest, most = r[0], n
		}
	}
	require.Equal(t, []string{"1995-08-01T06:01:00Z", "10", "548465"},
		byStart["1995-08-01T06:01:00Z"])
	require.Equal(t, "1995-08-01T14:44:00Z", busiest)
	require.Equal(t, 164, most)
	require.Equal(t, "1995-08-01T06:00:00Z", rows[0][0], "windows come out in time order")
}

// TestStreamsBeforeInputEnds feeds the NASA rows through a pipe that stays open and reads the
// 06:00 window's row before closing it: a window is emitted when the watermark passes its
// end, not when the input ends.
func TestStreamsBeforeInputEnds(t *testing.T) {
	data, err := os.ReadFile(nasaFile(t))
	require.NoError(t, err)
	sql := strings.Replace(strings.Replace(nasaPerMinute, "%s", "'stdin'", 1),
		"path = '%s', ", "", 1)

	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		code := run([]string{"--format", "csv", "-c", sql}, inR, outW, &errb)
		outW.Close()
		done <- code
	}()
	// Write only the first minutes, up to the first event of 06:02, and keep the pipe open.
	lines := strings.SplitAfter(string(data), "\n")
	var head strings.Builder
	for i, l := range lines {
		head.WriteString(l)
		if i > 0 && strings.Contains(l, "\t807257040\t") { // 06:04:00
			break
		}
	}
	go func() { _, _ = inW.Write([]byte(head.String())) }()

	got := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "1995-08-01T06:00:00Z") {
				got <- sc.Text()
				break
			}
		}
		_, _ = io.Copy(io.Discard, outR)
	}()
	select {
	case row := <-got:
		require.Equal(t, "1995-08-01T06:00:00Z,3,11563", row)
	case <-time.After(10 * time.Second):
		t.Fatal("the 06:00 window was not emitted while the input stayed open")
	}
	inW.Close()
	require.Equal(t, 0, <-done, errb.String())
}

func TestErrorsPointAtTheFault(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "q.sql")
	require.NoError(t, os.WriteFile(path, []byte("CREATE STREAM s (fare DOUBLE) WITH "+
		"(connector = 'file', path = 'x.csv');\nSELECT fair FROM s;\n"), 0o644))
	var out, errb bytes.Buffer
	code := run([]string{path}, nil, &out, &errb)
	require.Equal(t, 1, code)
	require.Equal(t, path+":2:8: unknown column \"fair\" (did you mean \"fare\"?)\n",
		errb.String())

	errb.Reset()
	code = run([]string{"-c", "SELECT FROM s"}, nil, &out, &errb)
	require.Equal(t, 1, code)
	require.Contains(t, errb.String(), "1:8: ")

	errb.Reset()
	require.Equal(t, 2, run([]string{"--nope"}, nil, &out, &errb))
	require.Equal(t, 2, run([]string{"--format", "xml", "-c", "SELECT 1"}, nil, &out, &errb))
}

// TestSelectWithoutFrom runs SELECTs without FROM through the command: one row each, none
// when WHERE is false, one for an aggregate, and nothing on stderr; then ^ and DESCRIBE of a
// query.
func TestSelectWithoutFrom(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"--format", "csv", "-c", "SELECT 1 + 2 AS x, 'a' || 'b'; " +
		"SELECT CAST('2024-01-01' AS TIMESTAMP) AS t; SELECT 1 AS none WHERE false; " +
		"SELECT count(*) AS n; SELECT 2 ^ 3 AS p; DESCRIBE SELECT 2 ** 3 AS p"}, nil, &out,
		&errb)
	require.Equal(t, 0, code, errb.String())
	require.Empty(t, errb.String())
	require.Equal(t, "x,'a' || 'b'\n3,ab\nt\n2024-01-01T00:00:00Z\nnone\nn\n1\np\n8\n"+
		"column,type,computed\np,DOUBLE,\"\"\n", out.String())
}

// TestFlagsAfterTheFile runs a query file with flags after it, as after it on the command
// line of most tools; two files are still a usage error.
func TestFlagsAfterTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.sql")
	require.NoError(t, os.WriteFile(path, []byte("SELECT 1 AS x;"), 0o644))
	var out, errb bytes.Buffer
	code := run([]string{path, "--format", "json"}, nil, &out, &errb)
	require.Equal(t, 0, code, errb.String())
	require.JSONEq(t, `{"x": 1}`, strings.TrimSpace(out.String()))

	out.Reset()
	errb.Reset()
	code = run([]string{path, "--format", "csv", path}, nil, &out, &errb)
	require.Equal(t, exitUsage, code)
	require.Contains(t, errb.String(), "give one of -c, -f or a file")
}

// TestBench runs a small workload of each source through `weir --bench` and checks that it
// reports its rate, state and, for the in-memory stream, the emit latency.
func TestBench(t *testing.T) {
	for _, tt := range []struct {
		workload string
		want     []string
	}{
		{"tumble:50000", []string{"input         50,000 events", "events/s", "per core",
			"bytes per open window", "emit latency  median"}},
		{"session_csv:20000", []string{"input         20,000 events: a CSV file", "events/s"}},
		{"hop_parquet:20000", []string{"input         20,000 events: a Parquet file",
			"rows out", "bytes per open window"}},
		{"q2:20000", []string{"Nexmark q2", "events/s", "rows out"}},
	} {
		t.Run(tt.workload, func(t *testing.T) {
			var out, errb bytes.Buffer
			require.Equal(t, 0, run([]string{"--bench", tt.workload}, nil, &out, &errb),
				errb.String())
			for _, w := range tt.want {
				require.Contains(t, out.String(), w)
			}
		})
	}
	var out, errb bytes.Buffer
	require.Equal(t, 0, run([]string{"--bench", "list"}, nil, &out, &errb))
	require.Contains(t, out.String(), "q11")
	require.Equal(t, 2, run([]string{"--bench", "nope"}, nil, &out, &errb))
	require.Contains(t, errb.String(), `unknown workload "nope"`)
	require.Equal(t, 2, run([]string{"--bench", "q0:many"}, nil, &out, &errb))
}
