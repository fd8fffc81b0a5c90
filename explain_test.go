package weir

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// explainLines runs sql, an EXPLAIN statement, and returns the lines of its plan.
func explainLines(t *testing.T, db *DB, sql string) []string {
	t.Helper()
	rows, err := db.Query(context.Background(), sql)
	require.NoError(t, err)
	defer rows.Close()
	var lines []string
	for rows.Next() {
		col := rows.Batch().Column(0).(*array.String)
		for i := 0; i < col.Len(); i++ {
			lines = append(lines, col.Value(i))
		}
	}
	require.NoError(t, rows.Err())
	return lines
}

// TestExplainAnalyze runs a query through EXPLAIN ANALYZE and checks each operator's rows in
// and out and the query's counters.
func TestExplainAnalyze(t *testing.T) {
	ctx := context.Background()
	db, err := Open()
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.Exec(ctx, `CREATE STREAM r (time BIGINT, host VARCHAR,
		status BIGINT, ts AS to_timestamp(time)) WITH (connector = 'file',
		path = 'examples/requests.csv')`))
	plan := strings.Join(explainLines(t, db, `EXPLAIN ANALYZE SELECT host, count(*) AS n
		FROM r WHERE status = 200 GROUP BY host, TUMBLE(ts, 1m) HAVING count(*) > 2`), "\n")
	for _, want := range []string{
		"Scan r (rows out: 518, late: 0, skipped: 0, state: 0B)",
		"Filter (rows in: 518, out: 460, late: 0, skipped: 0, state: 0B)",
		"HashAggregate (rows in: 460, out: 41, late: 0, skipped: 0, state: ",
		"Filter (rows in: 41, out: 39, late: 0, skipped: 0, state: 0B)",
		"events read: 518, skipped: 0",
		"late: 0 dropped, 0 late for some of their windows",
		"windows fired: 41, rows out: 39",
	} {
		require.Contains(t, plan, want)
	}
	require.Regexp(t, `state: [1-9][0-9]* bytes at the peak`, plan)
}

// counterLine matches an operator's line of EXPLAIN ANALYZE.
var counterLine = regexp.MustCompile(`^ *([A-Za-z ]+?) \((?:rows in: (\d+), )?` +
	`(?:out|rows out): (\d+), late: (\d+)(?:, partly late: (\d+))?, skipped: (\d+), ` +
	`state: ([0-9.]+[KMG]?B)\)$`)

// opCounters are the counters of one operator's line.
type opCounters struct {
	name                       string
	in, out, late, partial, sk string
	state                      string
}

// parseCounters reads the counters of the operators' lines of an EXPLAIN ANALYZE plan, top
// down; detail lines and lines without counters (a Subquery) are passed over.
func parseCounters(lines []string) []opCounters {
	var ops []opCounters
	for _, l := range lines {
		if l == "" {
			break // the query's totals follow
		}
		if m := counterLine.FindStringSubmatch(l); m != nil {
			ops = append(ops, opCounters{name: m[1], in: m[2], out: m[3], late: m[4],
				partial: m[5], sk: m[6], state: m[7]})
		}
	}
	return ops
}

// TestExplainAnalyzeAttributes checks that each operator's line of EXPLAIN ANALYZE shows its
// own late, skipped and state counters: the Scan the rows its source skipped, the aggregate
// the events it dropped as late, those it skipped for a NULL event time and its state, the
// Sort the rows it held; every other operator none. It runs with one aggregate and with the
// aggregate split across workers.
func TestExplainAnalyzeAttributes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ev.csv")
	// Two malformed rows (the source skips them), two events late for their only window
	// (the aggregate drops them), one event without a time (the aggregate skips it).
	data := "ts,k,v\n" +
		"2024-01-01 00:00:10,a,1\n" +
		"2024-01-01 00:00:20,b,x\n" +
		"2024-01-01 00:01:10,a,2\n" +
		"2024-01-01 00:00:30,a,3\n" +
		",a,4\n" +
		"2024-01-01 00:02:10,b,5\n" +
		"not a time,b,6\n" +
		"2024-01-01 00:00:40,b,7\n"
	require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
	for _, workers := range []int{1, 2} {
		t.Run(map[int]string{1: "one aggregate", 2: "two workers"}[workers], func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			db, err := Open(WithAllocator(mem), WithWorkers(workers))
			require.NoError(t, err)
			defer db.Close()
			require.NoError(t, db.Exec(context.Background(), `CREATE STREAM ev (
				ts TIMESTAMP, k VARCHAR, v BIGINT) WITH (connector = 'file',
				path = '`+path+`')`))
			lines := explainLines(t, db, `EXPLAIN ANALYZE SELECT * FROM (
				SELECT k, count(*) AS n, window_start FROM ev WHERE v > 0
				GROUP BY k, TUMBLE(ts, 1m)) AS w ORDER BY window_start DESC`)
			plan := strings.Join(lines, "\n")
			ops := parseCounters(lines)
			var names []string
			for _, o := range ops {
				names = append(names, o.name)
			}
			require.Equal(t, []string{"Sort", "Project", "Project", "HashAggregate", "Filter",
				"Watermark", "Scan ev"}, names, plan)
			sort, agg, scan := ops[0], ops[3], ops[6]

			require.Equal(t, opCounters{name: "Scan ev", out: "6", late: "0", sk: "2",
				state: "0B"}, scan, plan)
			for _, o := range []opCounters{ops[1], ops[2], ops[4], ops[5]} {
				require.Equal(t, []string{"0", "", "0", "0B"},
					[]string{o.late, o.partial, o.sk, o.state}, "%s\n%s", o.name, plan)
			}
			require.Equal(t, []string{"6", "3", "2", "", "1"},
				[]string{agg.in, agg.out, agg.late, agg.partial, agg.sk}, plan)
			require.NotEqual(t, "0B", agg.state, plan)
			require.Equal(t, []string{"3", "3", "0", "0"},
				[]string{sort.in, sort.out, sort.late, sort.sk}, plan)
			require.NotEqual(t, "0B", sort.state, plan)

			// The query's totals are the sums of the operators' counters.
			require.Contains(t, plan, "events read: 6, skipped: 3")
			require.Contains(t, plan, "late: 2 dropped, 0 late for some of their windows")

			// Under HOP(1m, 2m) the event at 00:00:30 misses one of its two windows and the
			// one at 00:00:40 both.
			lines = explainLines(t, db, `EXPLAIN ANALYZE SELECT k, count(*) FROM ev
				GROUP BY k, HOP(ts, 1m, 2m)`)
			plan = strings.Join(lines, "\n")
			ops = parseCounters(lines)
			require.Len(t, ops, 4, plan)
			require.Equal(t, "HashAggregate", ops[1].name, plan)
			require.Equal(t, []string{"1", "1", "1"},
				[]string{ops[1].late, ops[1].partial, ops[1].sk}, plan)
			for _, o := range []opCounters{ops[0], ops[2], ops[3]} {
				require.Equal(t, []string{"0", ""}, []string{o.late, o.partial}, o.name)
			}
			require.Contains(t, plan, "late: 1 dropped, 1 late for some of their windows")
		})
	}
}
