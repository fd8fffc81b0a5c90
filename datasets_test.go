package weir

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/connector"
	"github.com/weirsql/weir/internal/testdata"
	"github.com/weirsql/weir/parser"
)

// datasetStreams are the streams of examples/datasets.sql, each with the data set it reads
// and its rows.
var datasetStreams = []struct {
	stream, dataset string
	rows            int64
}{
	{"nasa", "nasa-http", 30_969},
	{"wikipedia", "wikiticker", 39_244},
	{"taxi", "nyc-taxi-yellow", 30_000},
	{"retail", "online-retail", 42_481},
	{"apache", "apache-logs", 9_999}, // 10,000 lines, one malformed
	{"earthquakes", "ncedc-earthquakes", 38_094},
	{"nab", "nab", 152_965},
}

// datasetsDB opens an engine with the streams of examples/datasets.sql and returns it with
// the script's queries, one per stream in the order of datasetStreams.
func datasetsDB(t *testing.T) (*DB, []*parser.Statement, *memory.CheckedAllocator) {
	t.Helper()
	for _, d := range datasetStreams {
		testdata.Dir(t, d.dataset)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	db, err := Open(WithAllocator(mem))
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, db.Close())
		mem.AssertSize(t, 0)
	})
	script, err := os.ReadFile("examples/datasets.sql")
	require.NoError(t, err)
	stmts, err := Parse(string(script))
	require.NoError(t, err)
	var queries []*parser.Statement
	for _, st := range stmts {
		if st.Query != nil {
			queries = append(queries, st)
			continue
		}
		rows, err := db.Run(context.Background(), st)
		require.NoError(t, err)
		require.Nil(t, rows)
	}
	require.Len(t, queries, len(datasetStreams))
	return db, queries, mem
}

// queryRows runs a query to its end and returns its rows printed as `v1 | v2 | ...`, its
// statistics and its warnings.
func queryRows(t *testing.T, db *DB, st *parser.Statement) ([]string, Stats, []string) {
	t.Helper()
	rows, err := db.Run(context.Background(), st)
	require.NoError(t, err)
	defer rows.Close()
	var warnings []string
	rows.OnWarning(func(w connector.Warning) { warnings = append(warnings, w.String()) })
	var out []string
	for rows.Next() {
		b := rows.Batch()
		for i := range int(b.NumRows()) {
			vals := make([]string, b.NumCols())
			for j, col := range b.Columns() {
				vals[j], _ = connector.FormatValue(col, i)
			}
			out = append(out, strings.Join(vals, " | "))
		}
	}
	require.NoError(t, rows.Err())
	return out, rows.Stats(), warnings
}

func query(t *testing.T, db *DB, sql string) ([]string, Stats, []string) {
	t.Helper()
	stmts, err := Parse(sql)
	require.NoError(t, err)
	require.Len(t, stmts, 1)
	return queryRows(t, db, stmts[0])
}

func TestDatasetCounts(t *testing.T) {
	db, _, _ := datasetsDB(t)
	for _, d := range datasetStreams {
		t.Run(d.stream, func(t *testing.T) {
			rows, stats, warnings := query(t, db, "SELECT count(*) FROM "+d.stream)
			require.Equal(t, []string{formatInt(d.rows)}, rows)
			require.Equal(t, d.rows, stats.EventsRead)
			if d.stream != "apache" {
				require.Empty(t, warnings)
				require.Zero(t, stats.EventsSkipped)
				return
			}
			require.Equal(t, int64(1), stats.EventsSkipped)
			require.Len(t, warnings, 1)
			require.Regexp(t, `apache_logs:8899: the line does not match the pattern`,
				warnings[0])
		})
	}
}

func formatInt(n int64) string {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.Append(n)
	a := b.NewArray()
	defer a.Release()
	s, _ := connector.FormatValue(a, 0)
	return s
}

// TestDatasetDetails counts the rows of each file of a glob, and checks the options that
// read the data sets' quirks: the taxi data's local times, the apache log's "-".
func TestDatasetDetails(t *testing.T) {
	db, _, _ := datasetsDB(t)
	rows, _, _ := query(t, db, "SELECT filename, count(*) FROM nab GROUP BY filename "+
		"ORDER BY filename")
	require.Len(t, rows, 31)
	files, err := filepath.Glob("../shared/data/nab/*/*.csv")
	require.NoError(t, err)
	sort.Strings(files)
	var want []string
	for _, f := range files {
		want = append(want, f+" | "+formatInt(lines(t, f)-1)) // less the header
	}
	require.Equal(t, want, rows)

	rows, _, _ = query(t, db, "SELECT min(pickup_datetime), max(pickup_datetime) FROM taxi")
	require.Equal(t, []string{"2019-01-01T05:00:50Z | 2019-04-13T02:20:07Z"}, rows,
		"New York local times, EST then EDT")
	rows, _, _ = query(t, db, "SELECT count(*) - count(bytes) FROM apache")
	require.Equal(t, []string{"669"}, rows)
}

// lines counts the lines of a file.
func lines(t *testing.T, path string) int64 {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := int64(0)
	for sc.Scan() {
		n++
	}
	require.NoError(t, sc.Err())
	return n
}

// TestDatasetWindows runs the windowed query of examples/datasets.sql over each data set:
// every event lands in a window and none is late.
func TestDatasetWindows(t *testing.T) {
	db, queries, _ := datasetsDB(t)
	for i, d := range datasetStreams {
		t.Run(d.stream, func(t *testing.T) {
			rows, stats, _ := queryRows(t, db, queries[i])
			require.NotEmpty(t, rows)
			require.Equal(t, d.rows, stats.EventsRead)
			require.Zero(t, stats.LateDropped, "late events")
			require.Zero(t, stats.LatePartial)
			require.Equal(t, int64(len(rows)), stats.RowsEmitted)
		})
	}
}

// TestNexmarkExample runs the queries of examples/nexmark.sql, which end by themselves.
func TestNexmarkExample(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a million Nexmark events four times")
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	db, err := Open(WithAllocator(mem))
	require.NoError(t, err)
	defer func() {
		require.NoError(t, db.Close())
		mem.AssertSize(t, 0)
	}()
	script, err := os.ReadFile("examples/nexmark.sql")
	require.NoError(t, err)
	stmts, err := Parse(string(script))
	require.NoError(t, err)
	require.Len(t, stmts, 5)
	rows, err := db.Run(context.Background(), stmts[0])
	require.NoError(t, err)
	require.Nil(t, rows)

	got, _, _ := queryRows(t, db, stmts[1])
	require.Len(t, got, 10)
	got, stats, _ := queryRows(t, db, stmts[2])
	require.Len(t, got, 10)
	for _, r := range got {
		require.Contains(t, r, " | 92000 | ", "46 bids of each 50 events, 10,000 a second")
	}
	require.Equal(t, int64(920_000), stats.EventsRead)
	got, _, _ = queryRows(t, db, stmts[3])
	require.Len(t, got, 3*54, "three per window, 54 windows of 10 s sliding by 2 s")
	got, _, _ = queryRows(t, db, stmts[4])
	require.Len(t, got, 4*10)
}
